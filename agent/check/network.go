package check

import (
	"context"
	"time"

	"github.com/clearance-app/clearance/agent/config"
)

// networkCheck is a placeholder until the network check is written.
var networkCheck = Check{
	Name:    "network",
	Timeout: func(*config.Config) time.Duration { return time.Second },
	Run:     func(context.Context, *Env) Result { return NotSupported("network") },
}
