package check

import (
	"context"
	"time"

	"github.com/clearance-app/clearance/agent/config"
)

// statusCheck is a placeholder until the status check is written.
var statusCheck = Check{
	Name:    "status",
	Timeout: func(*config.Config) time.Duration { return time.Second },
	Run:     func(context.Context, *Env) Result { return NotSupported("status") },
}
