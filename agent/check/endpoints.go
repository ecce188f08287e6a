package check

import (
	"context"
	"time"

	"github.com/clearance-app/clearance/agent/config"
)

// endpointsCheck is a placeholder until the endpoints check is written.
var endpointsCheck = Check{
	Name:    "endpoints",
	Timeout: func(*config.Config) time.Duration { return time.Second },
	Run:     func(context.Context, *Env) Result { return NotSupported("endpoints") },
}
