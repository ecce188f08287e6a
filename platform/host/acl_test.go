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
	// C:\Program Files, where the installer's warning looks for the
	// program (generic rights in the inherit-only template entries).
	programFiles = []ace{
		{allow: true, mask: 0x1f01ff, sid: sidTrustedInstaller},
		{allow: true, inheritOnly: true, mask: genericAll, sid: sidTrustedInstaller},
		{allow: true, mask: 0x1301bf, sid: sidSystem},
		{allow: true, inheritOnly: true, mask: genericAll, sid: sidSystem},
		{allow: true, mask: 0x1301bf, sid: sidAdministrators},
		{allow: true, inheritOnly: true, mask: genericAll, sid: sidAdministrators},
		{allow: true, mask: 0x1200a9, sid: sidUsers},
		{allow: true, inheritOnly: true, mask: 0xa0000000, sid: sidUsers},
		{allow: true, inheritOnly: true, mask: genericAll, sid: sidCreatorOwner},
		{allow: true, mask: 0x1200a9, sid: sidAllAppPackages},
		{allow: true, inheritOnly: true, mask: 0xa0000000, sid: sidAllAppPackages},
	}
	// C:\Program Files\Clearance, and the program in it, as an elevated
	// installer makes them: what they inherit from Program Files.
	programFolder = []ace{
		{allow: true, mask: 0x1f01ff, sid: sidTrustedInstaller},
		{allow: true, mask: 0x1f01ff, sid: sidSystem},
		{allow: true, mask: 0x1f01ff, sid: sidAdministrators},
		{allow: true, mask: 0x1200a9, sid: sidUsers},
		{allow: true, mask: 0x1200a9, sid: sidAllAppPackages},
	}
)

// sidAllAppPackages is ALL APPLICATION PACKAGES.
const sidAllAppPackages = "S-1-15-2-1"

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
		{"Program Files above the program's folder", sidTrustedInstaller, false, programFiles, roleAncestor, "", false},
		{"the program's folder", sidAdministrators, false, programFolder, roleContent, "", false},
		{"the program in it", sidAdministrators, false, programFolder, roleContent, "", false},
		{"a program a user downloaded", aliceSID, false, programFolder, roleContent, aliceSID, true},
		{"CREATOR OWNER stands for an owner, and is none", sidCreatorOwner, false, protectedClearance, roleContent, sidCreatorOwner, true},
		{"an entry of a kind that is not read", sidSystem, false, append(protectedClearance[:3:3], ace{allow: true, mask: genericAll, sid: unreadSID}), roleAncestor, unreadSID, false},
		{"an entry of a kind that is not read, for what the folder will hold", sidSystem, false, append(protectedClearance[:3:3], ace{allow: true, inheritOnly: true, mask: genericAll, sid: unreadSID}), roleContent, "", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, isOwner := aclWriter(c.owner, c.null, c.dacl, c.role)
			if got != c.want || isOwner != c.wantOwner {
				t.Errorf("aclWriter = %q (owner %v), want %q (owner %v)", got, isOwner, c.want, c.wantOwner)
			}
		})
	}
}

// A file in a user's %LocalAppData%, as icacls shows it: what it inherits
// from the profile.
var localAppDataFile = []ace{
	{allow: true, mask: 0x1f01ff, sid: sidSystem},
	{allow: true, mask: 0x1f01ff, sid: sidAdministrators},
	{allow: true, mask: 0x1f01ff, sid: aliceSID},
}

const bobSID = "S-1-5-21-1004336348-1177238915-682003330-1002"

func TestPrivateOther(t *testing.T) {
	for _, c := range []struct {
		name      string
		owner     string
		null      bool
		dacl      []ace
		want      string
		wantOwner bool
	}{
		{"the user's own file in the profile", aliceSID, false, localAppDataFile, "", false},
		{"another user's file", bobSID, false, localAppDataFile, bobSID, true},
		{"an administrator's file", sidAdministrators, false, localAppDataFile, sidAdministrators, true},
		{"Users may read it", aliceSID, false, append(localAppDataFile[:3:3], ace{allow: true, mask: 0x1200a9, sid: sidUsers}), sidUsers, false},
		{"Everyone may read the data", aliceSID, false, append(localAppDataFile[:3:3], ace{allow: true, mask: fileReadData, sid: sidEveryone}), sidEveryone, false},
		{"another user may write it", aliceSID, false, append(localAppDataFile[:3:3], ace{allow: true, mask: genericWrite, sid: bobSID}), bobSID, false},
		{"Everyone may only read its attributes", aliceSID, false, append(localAppDataFile[:3:3], ace{allow: true, mask: 0x80, sid: sidEveryone}), "", false},
		{"a template entry for what a folder will hold", aliceSID, false, append(localAppDataFile[:3:3], ace{allow: true, inheritOnly: true, mask: genericAll, sid: sidUsers}), "", false},
		{"no access list", aliceSID, true, nil, sidEveryone, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, isOwner := privateOther(c.owner, aliceSID, c.null, c.dacl)
			if got != c.want || isOwner != c.wantOwner {
				t.Errorf("privateOther = %q (owner %v), want %q (owner %v)", got, isOwner, c.want, c.wantOwner)
			}
		})
	}
}

// Only entries that deny are passed over; those laid out as an allowed
// entry are read; any other kind, object and compound entries included,
// counts as granting everything.
func TestKindOfACE(t *testing.T) {
	for typ, want := range map[byte]aceKind{
		aceAllowed: aceRead, aceAllowedCallback: aceRead,
		aceDenied: aceIgnored, aceDeniedObject: aceIgnored, aceDeniedCallback: aceIgnored, aceDeniedCallbackObject: aceIgnored,
		aceAllowedObject: aceUnread, aceAllowedCallbackObject: aceUnread,
		0x4 /* compound */ : aceUnread, 0x11 /* a mandatory label, which belongs in the SACL */ : aceUnread, 0xff: aceUnread,
	} {
		if got := kindOfACE(typ); got != want {
			t.Errorf("kindOfACE(%#x) = %v, want %v", typ, got, want)
		}
	}
}
