package tray

import (
	"context"

	"github.com/clearance-app/clearance/agent/api"
	"github.com/clearance-app/clearance/platform"
)

// elevate runs `exe fix …` as root after macOS's administrator prompt,
// through osascript's "with administrator privileges", and reads the
// result from its output (osascriptArgv, readOsascript).
func elevate(ctx context.Context, run platform.Runner, exe, id string, opts api.FixOptions) (api.FixResult, error) {
	argv := osascriptArgv(exe, id, opts)
	out, err := run.Run(ctx, argv[0], argv[1:]...)
	return readOsascript(id, out, err)
}
