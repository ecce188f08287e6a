package timesync

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/clearance-app/clearance/platform"
	"github.com/clearance-app/clearance/platform/host"
)

// timeSyncStatus reads the "Set time and date automatically" setting with
// systemsetup. Recent macOS lets only administrators run it: the agent (as
// root) can, `clearance check` as the person often cannot, and then the
// answer is unknown — timed's presence proves nothing, since launchd starts
// it hourly and on network changes whatever the setting says.
func timeSyncStatus(ctx context.Context, run platform.Runner, _ host.ProcessReader) (State, error) {
	out, err := run.Run(ctx, "/usr/sbin/systemsetup", "-getusingnetworktime")
	if on, ok := parseUsingNetworkTime(out); ok {
		return macVerdict(on), nil
	}
	return State{Service: "timed"}, fmt.Errorf("read \"Set time and date automatically\": %s", systemsetupProblem(out, err))
}

// systemsetupProblem says, for a person, why systemsetup gave no answer.
func systemsetupProblem(out []byte, err error) string {
	var ee *platform.ExitError
	text := string(out)
	if errors.As(err, &ee) {
		text += ee.Stderr
	}
	if strings.Contains(strings.ToLower(text), "administrator") {
		return "reading it needs administrator rights"
	}
	if err != nil {
		return "systemsetup did not run"
	}
	return "systemsetup gave no answer"
}
