package host

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"unsafe"

	"golang.org/x/sys/windows"
)

// adminOnlySDDL is the security descriptor of a directory Clearance makes
// for administrators: owned by Administrators (on client Windows an
// elevated process's objects otherwise belong to the person's own account,
// as an unelevated one's do), with a protected access list (nothing
// inherited from ProgramData, which lets Users create files and folders)
// that gives SYSTEM and Administrators full control, and Users read and
// execute, to the directory and all it holds.
const adminOnlySDDL = "O:BAD:P(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)(A;OICI;0x1200a9;;;BU)"

// mkdirAdmin creates path, when missing, with adminOnlySDDL (its missing
// parents as usual). An existing directory is left as it is: checkAdminDir
// decides whether it will do.
func mkdirAdmin(path string) error {
	if _, err := os.Lstat(path); err == nil {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	sd, err := windows.SecurityDescriptorFromString(adminOnlySDDL)
	if err != nil {
		return err
	}
	sa := &windows.SecurityAttributes{SecurityDescriptor: sd}
	sa.Length = uint32(unsafe.Sizeof(*sa))
	p, err := windows.UTF16PtrFromString(path)
	if err != nil {
		return err
	}
	if err := windows.CreateDirectory(p, sa); err != nil && !errors.Is(err, windows.ERROR_ALREADY_EXISTS) {
		return &os.PathError{Op: "mkdir", Path: path, Err: err}
	}
	return nil
}

// writeRights let their holder add, change or remove what a directory
// holds, or change who may. 0x40 is FILE_DELETE_CHILD.
const writeRights = windows.FILE_WRITE_DATA | windows.FILE_APPEND_DATA | windows.FILE_WRITE_EA | 0x40 |
	windows.FILE_WRITE_ATTRIBUTES | windows.DELETE | windows.WRITE_DAC | windows.WRITE_OWNER |
	windows.GENERIC_WRITE | windows.GENERIC_ALL

// The access entry types of winnt.h that grant or deny by a plain SID
// after the mask, beside ACCESS_ALLOWED and ACCESS_DENIED: the callback
// kinds (their condition only narrows a grant, so they are read as
// unconditional), and the denying object kinds, which only take away.
const (
	accessDeniedObjectACEType         = 6
	accessAllowedCallbackACEType      = 9
	accessDeniedCallbackACEType       = 10
	accessDeniedCallbackObjectACEType = 12
)

// checkAdminDir checks that the opened directory belongs to Administrators
// or SYSTEM (so that no person's process made it: ProgramData lets anyone
// create folders) and that its access list lets nobody else write in it.
// An entry of a kind it does not read counts against.
func checkAdminDir(dir *os.Root) error {
	f, err := dir.Open(".")
	if err != nil {
		return err
	}
	defer f.Close()
	sd, err := windows.GetSecurityInfo(windows.Handle(f.Fd()), windows.SE_FILE_OBJECT,
		windows.OWNER_SECURITY_INFORMATION|windows.DACL_SECURITY_INFORMATION)
	if err != nil {
		return fmt.Errorf("read its permissions: %w", err)
	}
	owner, _, err := sd.Owner()
	if err != nil {
		return fmt.Errorf("read its owner: %w", err)
	}
	if !isAdminSID(owner) {
		return fmt.Errorf("it belongs to %s, not to Administrators or SYSTEM", accountName(owner.String()))
	}
	dacl, _, err := sd.DACL()
	if err != nil || dacl == nil {
		return errors.New("it has no access list, so everyone may write in it")
	}
	for i := range uint32(dacl.AceCount) {
		var ace *windows.ACCESS_ALLOWED_ACE
		if err := windows.GetAce(dacl, i, &ace); err != nil {
			return fmt.Errorf("read its access list: %w", err)
		}
		if ace.Header.AceFlags&windows.INHERIT_ONLY_ACE != 0 {
			continue // for what it will hold, not for itself
		}
		switch ace.Header.AceType {
		case windows.ACCESS_DENIED_ACE_TYPE, accessDeniedObjectACEType, accessDeniedCallbackACEType, accessDeniedCallbackObjectACEType:
			continue
		case windows.ACCESS_ALLOWED_ACE_TYPE, accessAllowedCallbackACEType:
			sid := (*windows.SID)(unsafe.Pointer(&ace.SidStart))
			if uint32(ace.Mask)&writeRights != 0 && !isAdminSID(sid) {
				return fmt.Errorf("%s may write in it", accountName(sid.String()))
			}
		default:
			return fmt.Errorf("its access list has an entry of a kind Clearance does not check (type %d)", ace.Header.AceType)
		}
	}
	return nil
}

func isAdminSID(sid *windows.SID) bool {
	return sid != nil && (sid.IsWellKnown(windows.WinLocalSystemSid) || sid.IsWellKnown(windows.WinBuiltinAdministratorsSid))
}
