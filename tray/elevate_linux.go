package tray

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"github.com/clearance-app/clearance/agent/api"
	"github.com/clearance-app/clearance/platform"
)

// elevate runs `exe fix …` as root through pkexec, which asks through the
// session's polkit agent. pkexec exits 126 when the person dismisses the
// prompt and 127 when it cannot ask or is refused.
func elevate(ctx context.Context, run platform.Runner, exe, id string, opts api.FixOptions) (api.FixResult, error) {
	out, err := run.Run(ctx, "pkexec", append([]string{exe}, fixArgs(id, opts)...)...)
	var ee *platform.ExitError
	if errors.As(err, &ee) && len(bytes.TrimSpace(out)) == 0 {
		switch ee.Code {
		case 126:
			return dismissed(id), nil
		case 127:
			return api.FixResult{}, fmt.Errorf("could not get administrator rights (is a polkit authentication agent running in this session?): %w", err)
		}
	}
	return readFixResult(id, out, err)
}
