package dnsfix

import (
	"io/fs"

	"golang.org/x/sys/windows"
)

// ownedBySystem says the file at path is owned by Administrators or SYSTEM,
// as what the agent (SYSTEM) or an elevated `clearance fix` creates is.
func ownedBySystem(path string, _ fs.FileInfo) bool {
	sd, err := windows.GetNamedSecurityInfo(path, windows.SE_FILE_OBJECT, windows.OWNER_SECURITY_INFORMATION)
	if err != nil {
		return false
	}
	owner, _, err := sd.Owner()
	if err != nil || owner == nil {
		return false
	}
	return owner.IsWellKnown(windows.WinBuiltinAdministratorsSid) || owner.IsWellKnown(windows.WinLocalSystemSid)
}
