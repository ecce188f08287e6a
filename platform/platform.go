// Package platform holds the operating-system primitives that checks and
// fixes need, behind small functions with one file per OS (route_linux.go,
// route_windows.go, route_darwin.go, route_other.go). Parsers of OS output
// are plain untagged functions, tested on every OS from recorded output in
// testdata/. Functions not yet written for an OS return ErrNotSupported:
// callers show that as a skip with the reason, never as a silent pass.
// Nothing here changes the system unless its name says so.
package platform

import "errors"

// ErrNotSupported is returned by primitives not implemented on this OS.
var ErrNotSupported = errors.New("not supported on this operating system")
