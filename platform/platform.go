// Package platform is the base of Clearance's operating-system layer: the
// one runner through which commands run (system directories only, a
// timeout, the argv logged), Changes (the one path by which fixes change
// the system, so that dry runs list the exact commands), atomic and durable
// file writes (WriteFileAtomic), the file watch the OS watchers share, and
// helpers for parsing OS output.
// The primitives themselves live in its sub-packages, one per concern:
// host, netstate, dnsconf, dnsfix, timesync, proxy and browser. Each keeps one file
// per OS (route_linux.go, route_windows.go, route_darwin.go,
// route_other.go); parsers of OS output are plain untagged functions,
// tested on every OS from recorded output in testdata/. Functions not yet
// written for an OS return ErrNotSupported: callers show that as a skip
// with the reason, never as a silent pass. Nothing here changes the system
// unless its name says so, and nothing here imports the rest of Clearance.
package platform

import "errors"

// ErrNotSupported is returned by primitives not implemented on this OS.
var ErrNotSupported = errors.New("not supported on this operating system")
