package installer

import "errors"

// ErrNotInstalled: the service is not registered with the service manager.
var ErrNotInstalled = errors.New("the service clearance is not installed")

// errUserUnknown: --user names nobody this machine knows.
var errUserUnknown = errors.New("no such user")
