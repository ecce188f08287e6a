package autostart

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/clearance-app/clearance/platform"
)

// Launchd is autostart on macOS: the installer's launch agent in
// /Library/LaunchAgents starts the tray in every GUI login unless it is
// disabled in that user's GUI domain (launchctl disable gui/<uid>/label),
// a setting launchd keeps per user. Untagged, so that every OS tests it
// with a fake runner.
type Launchd struct {
	Run    platform.Runner
	UID    int
	Plists []string // where the machine-wide agent may be
}

// AgentPlist is where the installer puts the launch agent.
const AgentPlist = "/Library/LaunchAgents/" + LaunchdLabel + ".plist"

func (l Launchd) domain() string  { return fmt.Sprintf("gui/%d", l.UID) }
func (l Launchd) service() string { return l.domain() + "/" + LaunchdLabel }

func (l Launchd) installed() bool {
	for _, p := range l.Plists {
		if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() {
			return true
		}
	}
	return false
}

// Enabled reports whether the agent is installed and not disabled for
// this user.
func (l Launchd) Enabled(ctx context.Context) (bool, error) {
	if !l.installed() {
		return false, nil
	}
	out, err := l.Run.Run(ctx, "launchctl", "print-disabled", l.domain())
	if err != nil {
		return false, fmt.Errorf("ask launchd whether the tray is disabled: %w", err)
	}
	disabled, err := parsePrintDisabled(string(out))
	if err != nil {
		return false, err
	}
	return !disabled[LaunchdLabel], nil
}

// SetEnabled enables or disables the agent for this user. launchd applies
// it at the next login; the running tray is not stopped.
func (l Launchd) SetEnabled(ctx context.Context, on bool) error {
	verb := "disable"
	if on {
		verb = "enable"
	}
	if _, err := l.Run.Run(ctx, "launchctl", verb, l.service()); err != nil {
		return fmt.Errorf("launchctl %s: %w", verb, err)
	}
	if on && !l.installed() {
		return ErrNotInstalled
	}
	return nil
}

// parsePrintDisabled reads `launchctl print-disabled <domain>`: the
// "disabled services" block lists labels with a launchd override, as
// `"label" => true|false` (older releases) or `"label" => disabled|enabled`
// (newer ones); true and disabled mean disabled. A label not listed has
// no override. The result holds the disabled labels.
func parsePrintDisabled(out string) (map[string]bool, error) {
	disabled := map[string]bool{}
	in, seen := false, false
	for _, line := range strings.Split(out, "\n") {
		line = strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(line, "disabled services = {"):
			in, seen = true, true
			continue
		case in && line == "}":
			in = false
			continue
		case !in || line == "":
			continue
		}
		label, value, ok := strings.Cut(line, "=>")
		if !ok {
			return nil, fmt.Errorf("unexpected line in launchctl print-disabled output: %q", line)
		}
		label = strings.Trim(strings.TrimSpace(label), `"`)
		switch strings.TrimSpace(value) {
		case "true", "disabled":
			disabled[label] = true
		case "false", "enabled":
		default:
			return nil, fmt.Errorf("unexpected state %q for %s in launchctl print-disabled output", strings.TrimSpace(value), label)
		}
	}
	if !seen || in {
		return nil, errors.New("launchctl print-disabled printed no complete list of disabled services")
	}
	return disabled, nil
}
