package browser

import (
	"errors"
	"fmt"
)

// Error is a browser or profile that could not be read: Discover and the
// profile readers return one per unreadable thing and go on with the rest.
type Error struct {
	Browser string // "Chrome"
	Profile string // the profile's name; "" for the browser as a whole
	Path    string // the file or folder
	Err     error
}

func (e *Error) Error() string {
	what := e.Browser
	if e.Profile != "" {
		what = fmt.Sprintf("%s profile %q", e.Browser, e.Profile)
	}
	return fmt.Sprintf("could not read %s (%s): %v", what, e.Path, e.Err)
}

func (e *Error) Unwrap() error { return e.Err }

// TooLargeError is a file larger than Clearance reads: a browser's own
// files stay far below the limits, so it is damaged or not the browser's.
type TooLargeError struct {
	Path  string
	Limit int64
}

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("the file is larger than the %d MB Clearance reads of such a file (damaged, or not the browser's), so it was left alone", e.Limit>>20)
}

// Errors that say what is wrong with a profile's folder.
var (
	ErrMissing  = errors.New("the folder does not exist")
	ErrLoopBack = errors.New("the profile's path leads back to the folder that lists it")
	ErrNotDir   = errors.New("not a folder")
)
