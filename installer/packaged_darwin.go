package installer

import (
	"context"

	"github.com/clearance-app/clearance/platform"
)

// packageManaged says whether a package installed Clearance, and then how
// to remove it instead of `clearance uninstall` (see macPackageManaged).
func packageManaged() (how string, ok bool) {
	return macPackageManaged(context.Background(), platform.System)
}
