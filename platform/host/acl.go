package host

// The Windows side of the rule in rootowned.go, as a pure decision on an
// owner and an access list, so that it is tested on every OS
// (rootowned_windows.go reads them from the file system).

// Well-known security identifiers.
const (
	sidSystem           = "S-1-5-18"
	sidAdministrators   = "S-1-5-32-544"
	sidUsers            = "S-1-5-32-545"
	sidAuthenticated    = "S-1-5-11"
	sidEveryone         = "S-1-1-0"
	sidCreatorOwner     = "S-1-3-0"
	sidOwnerRights      = "S-1-3-4"
	sidTrustedInstaller = "S-1-5-80-956008885-3418522649-1831038044-1853292631-2271478464"
)

// Access rights (winnt.h) that change a file or folder, or what a folder
// holds. Reading, and changing attributes or extended attributes, change
// neither what a file says nor where it is.
const (
	fileWriteData   = 0x2 // a folder: add a file
	fileAppendData  = 0x4 // a folder: add a subfolder
	fileDeleteChild = 0x40
	accessDelete    = 0x10000
	writeDAC        = 0x40000
	writeOwner      = 0x80000
	genericAll      = 0x10000000
	genericWrite    = 0x40000000
	fileReadData    = 0x1
	genericRead     = 0x80000000

	// contentRights must be nobody else's on the file and the folder that
	// holds it.
	contentRights = fileWriteData | fileAppendData | fileDeleteChild | accessDelete | writeDAC | writeOwner | genericAll | genericWrite
	// ancestorRights must be nobody else's on the folders above: with
	// them one could rename or remove the way to the file, or give oneself
	// that right. Adding new entries is harmless (%ProgramData% and a
	// drive's root let Users do so).
	ancestorRights = fileDeleteChild | accessDelete | writeDAC | writeOwner | genericAll
)

// ace is one entry of an access list, as the decision needs it.
type ace struct {
	allow       bool   // an access-allowed entry; deny entries never make a path unsafe
	inheritOnly bool   // applies only to what is created inside, not to the object
	mask        uint32 // the rights
	sid         string
}

// aclRole says which rights matter for an object on the way to the file.
type aclRole int

const (
	roleContent  aclRole = iota // the file, or the folder that holds it
	roleAncestor                // a folder above
)

// rootSID says whether sid stands for root (rootowned.go): SYSTEM, the
// Administrators, or TrustedInstaller, the owner of the drive's root and of
// Windows' own folders.
func rootSID(sid string) bool {
	switch sid {
	case sidSystem, sidAdministrators, sidTrustedInstaller:
		return true
	}
	return false
}

// trustedSID says whether an entry for sid leaves the object to root:
// root's accounts, and CREATOR OWNER and OWNER RIGHTS, which stand for the
// owner, who is checked on its own.
func trustedSID(sid string) bool {
	return rootSID(sid) || sid == sidCreatorOwner || sid == sidOwnerRights
}

// Access entry types (winnt.h) by how aclWriter reads them.
const (
	aceAllowed               = 0x0 // ACCESS_ALLOWED_ACE_TYPE
	aceDenied                = 0x1 // ACCESS_DENIED_ACE_TYPE
	aceAllowedObject         = 0x5
	aceDeniedObject          = 0x6
	aceAllowedCallback       = 0x9 // laid out as an allowed entry; its condition only narrows it
	aceDeniedCallback        = 0xa
	aceAllowedCallbackObject = 0xb
	aceDeniedCallbackObject  = 0xc
)

// aceKind is how an entry of a given type counts.
type aceKind int

const (
	aceIgnored aceKind = iota // it denies: never makes a path unsafe
	aceRead                   // it grants its mask to the SID after it, which is read
	aceUnread                 // it may grant, laid out otherwise: counted as granting everything to someone unknown
)

// kindOfACE sorts an entry by its type. Only the denying kinds are
// ignored: an entry of a kind Clearance does not read is refused rather
// than misread.
func kindOfACE(aceType byte) aceKind {
	switch aceType {
	case aceDenied, aceDeniedObject, aceDeniedCallback, aceDeniedCallbackObject:
		return aceIgnored
	case aceAllowed, aceAllowedCallback:
		return aceRead
	}
	return aceUnread
}

// unreadSID stands, in an entry that kindOfACE could not read, for the
// account it may grant to; such an entry grants genericAll.
const unreadSID = "an access entry of a kind Clearance cannot read"

// aclWriter returns who besides the trusted accounts can change the object
// in its role — its owner (who may always rewrite its access list), or the
// account of the first entry that grants such a right — or "" when
// nobody. A missing access list (nullDACL) grants everything to everyone.
// Deny entries are not weighed against allow entries: a path could be
// refused that Windows would protect, never the other way round.
func aclWriter(owner string, nullDACL bool, dacl []ace, role aclRole) (sid string, isOwner bool) {
	if !rootSID(owner) {
		return owner, true
	}
	if nullDACL {
		return sidEveryone, false
	}
	rights := uint32(contentRights)
	if role == roleAncestor {
		rights = ancestorRights
	}
	for _, e := range dacl {
		if e.allow && !e.inheritOnly && e.mask&rights != 0 && !trustedSID(e.sid) {
			return e.sid, false
		}
	}
	return "", false
}

// privateRights must be nobody else's on a private file (private.go):
// whoever holds them could change it, or read its secret.
const privateRights = contentRights | fileReadData | genericRead

// privateOther returns who besides user, and the accounts that run the
// machine (SYSTEM, the Administrators), may read or change a private file:
// its owner when that is not user, or the account of the first entry that
// grants such a right; "" when nobody. A file in the user's profile,
// made with the rights it inherits there, has none.
func privateOther(owner, user string, nullDACL bool, dacl []ace) (sid string, isOwner bool) {
	if owner != user {
		return owner, true
	}
	if nullDACL {
		return sidEveryone, false
	}
	for _, e := range dacl {
		if e.allow && !e.inheritOnly && e.mask&privateRights != 0 && e.sid != user && !trustedSID(e.sid) {
			return e.sid, false
		}
	}
	return "", false
}
