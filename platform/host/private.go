package host

import (
	"errors"
	"fmt"
)

// A private file holds a secret of the user who runs the process (the keys
// that resume TLS sessions): whoever could write it could make Clearance
// trust a server it never verified, and whoever could read it could pose
// as that server. Such a file is used only when this process's user alone
// could have written it and nobody else may read or write it: a regular
// file, not a link (never followed, whatever owns it), that belongs to
// this process's user and grants nobody else any access (mode 0600 on
// Unix; on Windows only the user, SYSTEM and the Administrators in its
// access list, as in the user's own profile). Its directory is not
// checked: nobody else can make a file of this user's, so a file swapped
// in by whoever can write the directory is refused by its owner.

// ErrNotPrivate is ReadPrivate's error for a file that someone else could
// have written or may read.
var ErrNotPrivate = errors.New("not private to this user")

// ReadPrivate reads up to limit+1 bytes of the private file at path (see
// above), checked on the open file, so that what is read is what was
// checked. A file that is not private is an ErrNotPrivate error saying
// why; a missing one, fs.ErrNotExist.
func ReadPrivate(path string, limit int64) ([]byte, error) { return readPrivate(path, limit) }

// notPrivate says why the file at path is refused.
func notPrivate(path, problem string) error {
	return fmt.Errorf("%s %s: %w", path, problem, ErrNotPrivate)
}
