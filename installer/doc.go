// Package installer registers Clearance as a startup service and the tray's
// autostart entry, per OS, and holds the packaging definitions (issue 3). It
// must not run checks or fixes itself.
package installer
