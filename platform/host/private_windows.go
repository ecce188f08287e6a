package host

import (
	"fmt"
	"io"
	"io/fs"
	"os"

	"golang.org/x/sys/windows"
)

func readPrivate(path string, limit int64) ([]byte, error) {
	p, err := windows.UTF16PtrFromString(path)
	if err != nil {
		return nil, err
	}
	// FILE_FLAG_OPEN_REPARSE_POINT opens a link or junction itself, which
	// Stat then shows as one and it is refused: never followed.
	h, err := windows.CreateFile(p, windows.GENERIC_READ, windows.FILE_SHARE_READ|windows.FILE_SHARE_WRITE|windows.FILE_SHARE_DELETE,
		nil, windows.OPEN_EXISTING, windows.FILE_FLAG_OPEN_REPARSE_POINT, 0)
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: path, Err: err}
	}
	f := os.NewFile(uintptr(h), path)
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	switch {
	case fi.Mode()&(fs.ModeSymlink|fs.ModeIrregular) != 0:
		return nil, notPrivate(path, "is a link (a symbolic link or a junction)")
	case !fi.Mode().IsRegular():
		return nil, notPrivate(path, "is not a regular file")
	}
	user, err := windows.GetCurrentProcessToken().GetTokenUser()
	if err != nil {
		return nil, fmt.Errorf("this process's user: %w", err)
	}
	sd, err := windows.GetSecurityInfo(h, windows.SE_FILE_OBJECT, windows.OWNER_SECURITY_INFORMATION|windows.DACL_SECURITY_INFORMATION)
	if err != nil {
		return nil, fmt.Errorf("read who may read %s: %w", path, err)
	}
	owner, null, aces, err := readSecurity(path, sd)
	if err != nil {
		return nil, err
	}
	switch sid, isOwner := privateOther(owner, user.User.Sid.String(), null, aces); {
	case sid == "":
	case isOwner:
		return nil, notPrivate(path, "belongs to "+accountName(sid))
	default:
		return nil, notPrivate(path, "may be read or changed by "+accountName(sid))
	}
	return io.ReadAll(io.LimitReader(f, limit+1))
}
