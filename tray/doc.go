// Package tray is the per-user tray application: a thin, unprivileged
// client of the agent's local API that shows state and sends fix requests
// (docs/architecture.md). It renders pushed state (the agent's event stream, or the
// in-process agent's notifications in standalone mode) and never polls; one
// select loop handles menu clicks, notification actions and a size-1
// rebuild signal. It runs the per-user parts itself: the user checks (proxy
// settings and browser profiles are the person's), the fixes that belong to
// the user (opening pages, private and new windows, a browser's extensions
// page, clearing and restoring ChatGPT's cookies in the person's browsers),
// and the alerts, whose snooze is per user.
//
// It must not decide what is a problem: findings come from the checks, and
// the tray only shows them. It never edits a browser profile's settings
// (Chromium resets a profile whose Preferences were edited): an extension
// is turned off by the person, in the page the tray opens. It must never run a privileged fix itself: those
// are requests to the agent, or, without an agent, an elevated
// `clearance fix` that the operating system asks the person to allow.
package tray
