package tray

import (
	"bytes"
	"context"
	"errors"
	"strings"

	"github.com/clearance-app/clearance/agent/api"
	"github.com/clearance-app/clearance/platform"
)

// elevate runs `exe fix …` as root after macOS's administrator prompt,
// through osascript's "with administrator privileges". osascript reports a
// dismissed prompt as error -128 ("User canceled").
func elevate(ctx context.Context, run platform.Runner, exe, id string, opts api.FixOptions) (api.FixResult, error) {
	out, err := run.Run(ctx, "osascript", "-e", adminScript(append([]string{exe}, fixArgs(id, opts)...)))
	var ee *platform.ExitError
	if errors.As(err, &ee) && len(bytes.TrimSpace(out)) == 0 && strings.Contains(ee.Stderr, "(-128)") {
		return dismissed(id), nil
	}
	return readFixResult(id, out, err)
}
