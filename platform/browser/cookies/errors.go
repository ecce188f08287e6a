package cookies

import "errors"

// The errors a Result can carry, for errors.Is; each wrapped with what a
// person needs to know about that store. Whatever the error, the store's
// cookies were left as they were.
var (
	// ErrUnknownSchema: the database's layout is not one its browser's own
	// source documents, so which rows are cookies is not known for sure.
	ErrUnknownSchema = errors.New("this cookie database has a layout Clearance does not know, so it was left alone")
	// ErrDamaged: the file is not an SQLite database, or is damaged.
	ErrDamaged = errors.New("this cookie database is damaged or is not a cookie database, so it was left alone")
	// ErrInUse: another program holds the database locked.
	ErrInUse = errors.New("another program is using this cookie database, so it was left alone")
	// ErrBackup: the backup could not be made, so nothing was removed.
	ErrBackup = errors.New("could not back up the cookie database, so nothing was removed")
	// ErrNoBackup: there is no backup to restore.
	ErrNoBackup = errors.New("there is no backup of cookies to restore")
	// ErrBadBackup: a backup's files are not what was saved.
	ErrBadBackup = errors.New("the backup of this cookie database is incomplete or was changed, so it was not restored")
)
