package api

import (
	"strconv"
	"strings"

	"github.com/clearance-app/clearance/platform/host"
)

// tokenGroup is one group of a Windows access token, as GetTokenGroups
// lists it: the group's SID and its SE_GROUP_* attributes. The token's
// integrity level is among them, as a group with SE_GROUP_INTEGRITY.
type tokenGroup struct {
	SID        string
	Attributes uint32
}

// Well-known SIDs and attributes of winnt.h, spelled out so that
// tokenCaller is tested on every OS.
const (
	sidLocalSystem    = "S-1-5-18"
	sidAdministrators = "S-1-5-32-544"
	sidInteractive    = "S-1-5-4"
	sidIntegrity      = "S-1-16-" // followed by the level's RID

	seGroupEnabled   = 0x04 // SE_GROUP_ENABLED; deny-only groups lack it
	seGroupIntegrity = 0x20 // SE_GROUP_INTEGRITY

	mediumIntegrityRID = 0x2000 // SECURITY_MANDATORY_MEDIUM_RID
)

// tokenCaller judges a Windows caller from the user and groups of its
// token, by the rules host.PeerCredOf applies to a pipe client's token:
// Admin is LocalSystem or an enabled member of Administrators (under UAC an
// unelevated administrator holds that group deny-only), Interactive a
// holder of the INTERACTIVE group at medium integrity or above (a
// sandboxed process of the person, at low integrity, is not the person).
func tokenCaller(user string, groups []tokenGroup) host.PeerCred {
	cred := host.PeerCred{UID: -1, GID: -1, SID: user, User: user, Admin: user == sidLocalSystem}
	interactive, integrity := false, uint64(0)
	for _, g := range groups {
		if rid, ok := strings.CutPrefix(g.SID, sidIntegrity); ok && g.Attributes&seGroupIntegrity != 0 {
			integrity, _ = strconv.ParseUint(rid, 10, 32)
			continue
		}
		if g.Attributes&seGroupEnabled == 0 {
			continue
		}
		switch g.SID {
		case sidAdministrators:
			cred.Admin = true
		case sidInteractive:
			interactive = true
		}
	}
	cred.Interactive = interactive && integrity >= mediumIntegrityRID
	return cred
}
