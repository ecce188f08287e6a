package installer

import (
	"context"

	"github.com/clearance-app/clearance/platform"
)

// packagedBy: the macOS package's receipt (macPackagedBy).
func packagedBy(ctx context.Context, run platform.Runner, op string) *PackagedError {
	return macPackagedBy(ctx, run, op)
}
