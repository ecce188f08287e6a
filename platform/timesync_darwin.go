package platform

import (
	"context"
	"errors"
	"strings"
)

// timeSyncStatus reads the "Set time and date automatically" setting through
// systemsetup, and whether timed runs as a fallback: recent macOS lets only
// administrators run systemsetup, and `clearance check` runs as the person.
func timeSyncStatus(ctx context.Context, run Runner) (TimeSync, error) {
	st := macTimeState{}
	out, err := run.Run(ctx, "/usr/sbin/systemsetup", "-getusingnetworktime")
	if on, ok := parseUsingNetworkTime(out); ok {
		st.NetworkTime = &on
	} else {
		st.SetupProblem = systemsetupProblem(out, err)
		st.TimedRunning = timedRunning(ctx, run)
	}
	return macVerdict(st), nil
}

// systemsetupProblem says, for a person, why systemsetup gave no answer.
func systemsetupProblem(out []byte, err error) string {
	var ee *ExitError
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

// timedRunning asks pgrep, which exits 0 when a process matches and 1 when
// none does; anything else leaves it unknown.
func timedRunning(ctx context.Context, run Runner) *bool {
	_, err := run.Run(ctx, "/usr/bin/pgrep", "-x", "timed")
	var ee *ExitError
	switch {
	case err == nil:
		yes := true
		return &yes
	case errors.As(err, &ee) && ee.Code == 1:
		no := false
		return &no
	}
	return nil
}
