// Package installer registers Clearance with the operating system: the
// agent as a service started at boot (kardianos/service: systemd, SysV,
// OpenRC, launchd, the Windows service manager), the tray as a program
// started at every login for everyone, and the group whose members may run
// fixes without a password. It also runs the agent as the service program
// (RunService) and tells whether the process runs under a service manager.
//
// Install and Uninstall are idempotent and return what they did, step by
// step, for the person who ran them. This package must not run checks or
// fixes; what has to happen before removal (restoring DNS) is passed in.
package installer
