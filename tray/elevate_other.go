//go:build !linux && !darwin && !windows

package tray

import (
	"context"
	"fmt"

	"github.com/clearance-app/clearance/agent/api"
	"github.com/clearance-app/clearance/platform"
)

// elevate has no implementation here: there is no prompt to ask with.
func elevate(context.Context, platform.Runner, string, string, api.FixOptions) (api.FixResult, error) {
	return api.FixResult{}, fmt.Errorf("running a fix with administrator rights: %w", platform.ErrNotSupported)
}
