package netstate

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/clearance-app/clearance/platform"
)

// ErrNoTailscaleCLI means the tailscale command is not installed.
var ErrNoTailscaleCLI = errors.New("the tailscale command is not installed")

// TailscaleExitNode says whether Tailscale sends all traffic through an
// exit node. Only then is Tailscale a full tunnel; without one it reaches
// only the person's own devices.
type TailscaleExitNode struct {
	InUse  bool // an exit node is selected
	Online bool // and it is reachable
}

// TailscaleStatus asks `tailscale status --json` through run.
func TailscaleStatus(ctx context.Context, run platform.Runner) (TailscaleExitNode, error) {
	cli, err := tailscaleCLI()
	if err != nil {
		return TailscaleExitNode{}, err
	}
	out, err := run.Run(ctx, cli, "status", "--json")
	if err != nil {
		return TailscaleExitNode{}, fmt.Errorf("ask tailscale for its status: %w", err)
	}
	return ParseTailscaleStatus(out)
}

// tailscaleLookup is where the tailscale command may be found, for
// findTailscaleCLI; each OS fills it (tailscale_darwin.go,
// tailscale_other.go, and tailscale_windows.go, which needs none of it).
type tailscaleLookup struct {
	// privileged: this process runs as root or an administrator.
	privileged bool
	// system finds a command in the system's own directories only
	// (platform.LookSystem); path through PATH (exec.LookPath).
	system, path func(name string) (string, error)
	// known are where installers put the command outside PATH (macOS:
	// Homebrew, the app bundle), tried after PATH; isFile says one is there.
	known  []string
	isFile func(path string) bool
}

// findTailscaleCLI decides which tailscale command to run, as an absolute
// path. Run as root or an administrator (the agent, `sudo clearance
// check`), only the system's own directories count, as for every command
// (platform.LookSystem): a program found anywhere else could have been put
// there by someone who is not. Run as a person, it is the person's own
// command, wherever they installed it: PATH first, as their shell finds
// it, then the known places, since a tray started at login may have a PATH
// without Homebrew's directory. A relative PATH entry ("." or "bin") is
// never used: it would depend on the working directory. Not found, the
// error matches ErrNoTailscaleCLI and says where it was looked for.
func findTailscaleCLI(l tailscaleLookup) (string, error) {
	if l.privileged {
		p, err := l.system("tailscale")
		if err == nil && filepath.IsAbs(p) {
			return p, nil
		}
		var nf *platform.CommandNotFoundError
		if errors.As(err, &nf) {
			return "", fmt.Errorf("%w in %s: run as an administrator, Clearance runs commands from there only", ErrNoTailscaleCLI, strings.Join(nf.Dirs, ", "))
		}
		return "", ErrNoTailscaleCLI
	}
	if p, err := l.path("tailscale"); err == nil && filepath.IsAbs(p) {
		return p, nil
	}
	for _, p := range l.known {
		if l.isFile(p) {
			return p, nil
		}
	}
	return "", ErrNoTailscaleCLI
}

// ParseTailscaleStatus reads ExitNodeStatus from `tailscale status --json`
// (ipnstate.Status in tailscale/tailscale): absent when no exit node is
// used, else with an Online field.
func ParseTailscaleStatus(data []byte) (TailscaleExitNode, error) {
	var st struct {
		ExitNodeStatus *struct {
			Online bool `json:"Online"`
		} `json:"ExitNodeStatus"`
	}
	if err := json.Unmarshal(data, &st); err != nil {
		return TailscaleExitNode{}, fmt.Errorf("read tailscale status: %w", err)
	}
	if st.ExitNodeStatus == nil {
		return TailscaleExitNode{}, nil
	}
	return TailscaleExitNode{InUse: true, Online: st.ExitNodeStatus.Online}, nil
}
