//go:build !linux && !windows && !darwin

package installer

import (
	"context"

	"github.com/clearance-app/clearance/platform"
)

// packagedBy: no package manager whose records `clearance install` could
// contradict is known here yet.
func packagedBy(context.Context, platform.Runner, string) *PackagedError { return nil }
