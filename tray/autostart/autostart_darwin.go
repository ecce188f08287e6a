package autostart

import (
	"context"
	"os"

	"github.com/clearance-app/clearance/platform"
)

func agent() Launchd {
	return Launchd{Run: platform.System, UID: os.Getuid(), Plists: []string{AgentPlist}}
}

func enabled() (bool, error) { return agent().Enabled(context.Background()) }

func setEnabled(on bool) error { return agent().SetEnabled(context.Background(), on) }
