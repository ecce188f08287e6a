package host

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"unsafe"

	"golang.org/x/sys/windows"
)

// protectedDirSDDL is every folder MakeRootOwnedDir makes (the
// configuration's and state folder, results): owned by the Administrators,
// whatever the creating token's default owner; SYSTEM and Administrators
// may do anything, Users may read and list, in the folder and all it will
// hold; nothing inherited from %ProgramData%, which lets Users add files.
const protectedDirSDDL = "O:BAD:P(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)(A;OICI;0x1200a9;;;BU)"

func readRootOwned(path string) ([]byte, error) {
	real, err := walkRootOwned(path)
	if err != nil {
		return nil, err
	}
	// Nobody but root's accounts can change anything on the checked way,
	// which holds no links: the file read is the file checked.
	return os.ReadFile(real)
}

// walkRootOwned checks the file (or folder) at path and the folder that
// holds a file as content, nobody else's to write, and the folders above
// as ancestors, nobody else's to rename or remove (acl.go). Links are
// refused: whoever made one needed an Administrator's rights or a folder
// of their own on the way, and a junction's target is easy to misjudge.
func walkRootOwned(path string) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", err
	}
	vol := filepath.VolumeName(abs)
	if vol == "" {
		return "", fmt.Errorf("%s: not on a drive or a share", path)
	}
	paths := []string{vol + `\`}
	for _, c := range strings.Split(strings.Trim(abs[len(vol):], `\`), `\`) {
		if c != "" {
			paths = append(paths, filepath.Join(paths[len(paths)-1], c))
		}
	}
	var infos []fs.FileInfo
	var missing error
	for _, p := range paths {
		fi, err := os.Lstat(p)
		if err != nil {
			missing = err
			break
		}
		infos = append(infos, fi)
	}
	last := len(paths) - 1
	for i, fi := range infos {
		role := roleAncestor
		if i == last || i == last-1 && (missing != nil || !infos[last].IsDir()) {
			role = roleContent
		}
		if err := checkObject(paths[i], fi, role); err != nil {
			return "", err
		}
	}
	if missing != nil {
		return "", missing
	}
	return abs, nil
}

func checkObject(path string, fi fs.FileInfo, role aclRole) error {
	if fi.Mode()&(fs.ModeSymlink|fs.ModeIrregular) != 0 {
		return &UnsafePathError{Path: path, Problem: "is a link (a symbolic link or a junction)",
			Fix: "name the file by its real path, in a folder only Administrators can change, such as %ProgramData%\\Clearance"}
	}
	owner, null, aces, err := securityOf(path)
	if err != nil {
		return err
	}
	sid, isOwner := aclWriter(owner, null, aces, role)
	switch {
	case sid == "":
		return nil
	case isOwner:
		return &UnsafePathError{Path: path, Problem: "belongs to " + accountName(sid) + ", not to the Administrators",
			Fix: fmt.Sprintf(`icacls "%s" /setowner *%s, then make sure only Administrators and SYSTEM may change it`, path, sidAdministrators)}
	case role == roleAncestor:
		return &UnsafePathError{Path: path, Problem: "may be renamed or removed by " + accountName(sid),
			Fix: "keep the file in a folder only Administrators can change, such as %ProgramData%\\Clearance"}
	case fi.IsDir():
		return &UnsafePathError{Path: path, Problem: "may be written by " + accountName(sid),
			Fix: "run 'clearance install' as an administrator, which gives Clearance's folder its rights, or remove that access with icacls"}
	default:
		return &UnsafePathError{Path: path, Problem: "may be written by " + accountName(sid),
			Fix: fmt.Sprintf(`icacls "%s" /reset, so that it takes the rights of its folder`, path)}
	}
}

// securityOf reads the owner and the access list of the file or folder at
// path (a missing list, nullDACL, grants everything to everyone).
func securityOf(path string) (owner string, nullDACL bool, aces []ace, err error) {
	sd, err := windows.GetNamedSecurityInfo(path, windows.SE_FILE_OBJECT, windows.OWNER_SECURITY_INFORMATION|windows.DACL_SECURITY_INFORMATION)
	if err != nil {
		return "", false, nil, fmt.Errorf("read who may change %s: %w", path, err)
	}
	return readSecurity(path, sd)
}

// readSecurity reads the owner and the access list out of sd, which
// describes the file or folder at path.
func readSecurity(path string, sd *windows.SECURITY_DESCRIPTOR) (owner string, nullDACL bool, aces []ace, err error) {
	o, _, err := sd.Owner()
	if err != nil || o == nil {
		return "", false, nil, fmt.Errorf("read the owner of %s: %v", path, err)
	}
	dacl, _, err := sd.DACL()
	nullDACL = errors.Is(err, windows.ERROR_OBJECT_NOT_FOUND) || err == nil && dacl == nil
	if err != nil && !nullDACL {
		return "", false, nil, fmt.Errorf("read the access list of %s: %w", path, err)
	}
	if !nullDACL {
		if aces, err = readACEs(dacl); err != nil {
			return "", false, nil, fmt.Errorf("read the access list of %s: %w", path, err)
		}
	}
	return o.String(), nullDACL, aces, nil
}

// readACEs turns an access list into entries for aclWriter, each read as
// kindOfACE says.
func readACEs(acl *windows.ACL) ([]ace, error) {
	out := make([]ace, 0, acl.AceCount)
	for i := range uint32(acl.AceCount) {
		var e *windows.ACCESS_ALLOWED_ACE
		if err := windows.GetAce(acl, i, &e); err != nil {
			return nil, err
		}
		a := ace{allow: true, inheritOnly: e.Header.AceFlags&windows.INHERIT_ONLY_ACE != 0, mask: uint32(e.Mask)}
		switch kindOfACE(e.Header.AceType) {
		case aceIgnored:
			continue
		case aceRead:
			a.sid = (*windows.SID)(unsafe.Pointer(&e.SidStart)).String()
		case aceUnread:
			a.mask, a.sid = genericAll, unreadSID
		}
		out = append(out, a)
	}
	return out, nil
}

// accountName names a SID for a person: "BUILTIN\Users".
func accountName(sid string) string {
	s, err := windows.StringToSid(sid)
	if err != nil {
		return sid
	}
	account, domain, _, err := s.LookupAccount("")
	if err != nil {
		return sid
	}
	if domain != "" {
		return domain + `\` + account
	}
	return account
}

// mkdirRootOwned makes dir with protectedDirSDDL.
func mkdirRootOwned(dir string) error {
	sd, err := windows.SecurityDescriptorFromString(protectedDirSDDL)
	if err != nil {
		return err
	}
	p, err := windows.UTF16PtrFromString(dir)
	if err != nil {
		return err
	}
	sa := &windows.SecurityAttributes{SecurityDescriptor: sd}
	sa.Length = uint32(unsafe.Sizeof(*sa))
	if err := windows.CreateDirectory(p, sa); err != nil {
		return &fs.PathError{Op: "mkdir", Path: dir, Err: err}
	}
	return nil
}

// restrictRootOwnedDir gives an existing folder that root's accounts own,
// and that others may change, the rights of protectedDirSDDL (older agents
// made the state folder with a plain mkdir, which inherits Users' right to
// add files), and reports whether it did.
func restrictRootOwnedDir(dir string, fi fs.FileInfo) (bool, error) {
	if !fi.IsDir() || !ownedByRoot(dir, fi) || checkObject(dir, fi, roleContent) == nil {
		return false, nil
	}
	sd, err := windows.SecurityDescriptorFromString(protectedDirSDDL)
	if err != nil {
		return false, err
	}
	dacl, _, err := sd.DACL()
	if err != nil {
		return false, err
	}
	if err := windows.SetNamedSecurityInfo(dir, windows.SE_FILE_OBJECT,
		windows.DACL_SECURITY_INFORMATION|windows.PROTECTED_DACL_SECURITY_INFORMATION, nil, nil, dacl, nil); err != nil {
		return false, fmt.Errorf("set who may change %s: %w", dir, err)
	}
	return true, nil
}

// ownedByRoot says whether SYSTEM, the Administrators or TrustedInstaller
// own the file at path: what the agent (SYSTEM) or an elevated process
// creates.
func ownedByRoot(path string, _ fs.FileInfo) bool {
	sd, err := windows.GetNamedSecurityInfo(path, windows.SE_FILE_OBJECT, windows.OWNER_SECURITY_INFORMATION)
	if err != nil {
		return false
	}
	owner, _, err := sd.Owner()
	return err == nil && owner != nil && rootSID(owner.String())
}
