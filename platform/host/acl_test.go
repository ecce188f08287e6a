package host

import "testing"

// Access lists as icacls shows them on Windows 10 and 11, turned into
// entries: F = 0x1f01ff, M = 0x1301bf, RX = 0x1200a9, (WD,AD,WEA,WA) =
// 0x116, (AD) = 0x4. (IO) entries are inheritOnly.
var (
	// C:\ProgramData: Users may create files and folders in it.
	programData = []ace{
		{allow: true, mask: 0x1f01ff, sid: sidSystem},
		{allow: true, mask: 0x1f01ff, sid: sidAdministrators},
		{allow: true, inheritOnly: true, mask: 0x1f01ff, sid: sidCreatorOwner},
		{allow: true, mask: 0x1200a9, sid: sidUsers},
		{allow: true, mask: 0x116, sid: sidUsers},
	}
	// C:\: Authenticated Users may create folders in it, and modify what
	// they create.
	driveRoot = []ace{
		{allow: true, mask: 0x1f01ff, sid: sidAdministrators},
		{allow: true, mask: 0x1f01ff, sid: sidSystem},
		{allow: true, mask: 0x1200a9, sid: sidUsers},
		{allow: true, inheritOnly: true, mask: 0x1301bf, sid: sidAuthenticated},
		{allow: true, mask: 0x4, sid: sidAuthenticated},
	}
	// C:\ProgramData\Clearance made by a plain mkdir: it inherits Users'
	// right to add files.
	inheritedClearance = []ace{
		{allow: true, mask: 0x1f01ff, sid: sidSystem},
		{allow: true, mask: 0x1f01ff, sid: sidAdministrators},
		{allow: true, inheritOnly: true, mask: 0x1f01ff, sid: sidCreatorOwner},
		{allow: true, mask: 0x1200a9, sid: sidUsers},
		{allow: true, mask: 0x116, sid: sidUsers},
	}
	// What the installer sets (rootowned_windows.go's protectedDirSDDL).
	protectedClearance = []ace{
		{allow: true, mask: 0x1f01ff, sid: sidSystem},
		{allow: true, mask: 0x1f01ff, sid: sidAdministrators},
		{allow: true, mask: 0x1200a9, sid: sidUsers},
	}
	// A folder C:\conf made by an administrator: Authenticated Users may
	// modify it (and so rename it away).
	adminFolderInRoot = []ace{
		{allow: true, mask: 0x1f01ff, sid: sidAdministrators},
		{allow: true, mask: 0x1f01ff, sid: sidSystem},
		{allow: true, mask: 0x1200a9, sid: sidUsers},
		{allow: true, mask: 0x1301bf, sid: sidAuthenticated},
	}
)

const aliceSID = "S-1-5-21-1004336348-1177238915-682003330-1001"

func TestACLWriter(t *testing.T) {
	for _, c := range []struct {
		name      string
		owner     string
		null      bool
		dacl      []ace
		role      aclRole
		want      string
		wantOwner bool
	}{
		{"ProgramData above Clearance's folder", sidSystem, false, programData, roleAncestor, "", false},
		{"ProgramData holding the file itself", sidSystem, false, programData, roleContent, sidUsers, false},
		{"the drive's root above", sidTrustedInstaller, false, driveRoot, roleAncestor, "", false},
		{"Clearance's folder as mkdir made it", sidAdministrators, false, inheritedClearance, roleContent, sidUsers, false},
		{"Clearance's folder as the installer makes it", sidAdministrators, false, protectedClearance, roleContent, "", false},
		{"the file in it", sidAdministrators, false, protectedClearance, roleContent, "", false},
		{"a folder a user made first", aliceSID, false, protectedClearance, roleContent, aliceSID, true},
		{"a user's own folder above", aliceSID, false, protectedClearance, roleAncestor, aliceSID, true},
		{"an administrator's folder in C:\\ above", sidAdministrators, false, adminFolderInRoot, roleAncestor, sidAuthenticated, false},
		{"no access list", sidSystem, true, nil, roleAncestor, sidEveryone, false},
		{"a user granted delete only", sidSystem, false, append(protectedClearance[:3:3], ace{allow: true, mask: 0x10000, sid: aliceSID}), roleAncestor, aliceSID, false},
		{"a deny entry grants nothing", sidSystem, false, append(protectedClearance[:3:3], ace{allow: false, mask: 0x1f01ff, sid: sidEveryone}), roleContent, "", false},
		{"generic write, as a template entry carries it", sidSystem, false, []ace{{allow: true, mask: genericWrite, sid: sidUsers}}, roleContent, sidUsers, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, isOwner := aclWriter(c.owner, c.null, c.dacl, c.role)
			if got != c.want || isOwner != c.wantOwner {
				t.Errorf("aclWriter = %q (owner %v), want %q (owner %v)", got, isOwner, c.want, c.wantOwner)
			}
		})
	}
}
