package tray

import "errors"

// ErrAlreadyRunning is returned by Run when another tray holds this user
// session: the person already sees one icon, so a second start is no failure.
var ErrAlreadyRunning = errors.New("the Clearance tray is already running in this session")

// ErrNoSessionBus is returned (wrapped, with the reason) by Run on Linux when
// there is no desktop session bus to show an icon on.
var ErrNoSessionBus = errors.New("no desktop session bus")

// ErrNoTray is returned by Run from a build that has no tray for this OS (a
// macOS build without cgo: the macOS tray library is Objective-C).
var ErrNoTray = errors.New("this build of Clearance has no tray: the macOS tray is built on a Mac, with cgo; install Clearance from its macOS package, whose build has it, or build it on a Mac as the README says")
