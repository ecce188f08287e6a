package check

import (
	"context"
	"time"

	"github.com/clearance-app/clearance/agent/config"
)

// vpnCheck is a placeholder until the vpn check is written.
var vpnCheck = Check{
	Name:    "vpn",
	Timeout: func(*config.Config) time.Duration { return time.Second },
	Run:     func(context.Context, *Env) Result { return NotSupported("vpn") },
}
