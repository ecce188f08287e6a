package installer

import (
	"errors"

	"github.com/clearance-app/clearance/platform/host"
)

// exeRisk says why someone other than an administrator could replace the
// program at path — by writing it, or by renaming it or a directory above
// it — or nil. The service runs the program with full rights at every
// start, so whoever can replace it can become root.
//
// It holds the program to the rule the agent holds its configuration to
// (host.CheckRootOwned), on purpose: the program decides even more than
// the configuration does. So a program in a shared directory such as /tmp
// is warned of although the sticky bit keeps others from renaming it: it
// goes at reboot, or with the next cleaning, and anyone may then put
// another under its name, which the service starts as root. A directory
// that a group may write is warned of whichever the group, root's own
// included (its members are not root); and a link on the way counts only
// when root owns it. On Windows the folders' access lists decide.
func exeRisk(path string) *host.UnsafePathError {
	var ue *host.UnsafePathError
	if errors.As(host.CheckRootOwned(path), &ue) {
		return ue
	}
	return nil
}
