package netstate

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

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
	cli, ok := tailscaleCLI()
	if !ok {
		return TailscaleExitNode{}, ErrNoTailscaleCLI
	}
	out, err := run.Run(ctx, cli, "status", "--json")
	if err != nil {
		return TailscaleExitNode{}, fmt.Errorf("ask tailscale for its status: %w", err)
	}
	return ParseTailscaleStatus(out)
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
