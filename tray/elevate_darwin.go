package tray

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/clearance-app/clearance/agent/api"
	"github.com/clearance-app/clearance/platform"
)

// elevate runs `exe fix … --out FILE` as root after macOS's administrator
// prompt, through osascript's "with administrator privileges". The result
// comes back in FILE, not on standard output: when the command exits
// non-zero (a fix that failed), `do shell script` raises an error and
// osascript prints nothing of what the command wrote (Apple TN2065).
// osascript reports a dismissed prompt as error -128 ("User canceled").
func elevate(ctx context.Context, run platform.Runner, exe, id string, opts api.FixOptions) (api.FixResult, error) {
	f, err := os.CreateTemp("", "clearance-fix-*.json")
	if err != nil {
		return api.FixResult{}, fmt.Errorf("%w: %w", errElevationFailed, err)
	}
	path := f.Name()
	f.Close()
	defer os.Remove(path)
	argv := append(append([]string{exe}, fixArgs(id, opts)...), "--out", path)
	out, err := run.Run(ctx, "osascript", "-e", adminScript(argv))
	var ee *platform.ExitError
	if errors.As(err, &ee) && len(bytes.TrimSpace(out)) == 0 && strings.Contains(ee.Stderr, "(-128)") {
		return dismissed(id), nil
	}
	if b, _ := os.ReadFile(path); len(bytes.TrimSpace(b)) > 0 {
		out = b
	}
	return readFixResult(id, out, err)
}
