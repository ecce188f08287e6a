package check

import (
	"context"
	"time"

	"github.com/clearance-app/clearance/agent/config"
)

// clockCheck is a placeholder until the clock check is written.
var clockCheck = Check{
	Name:    "clock",
	Needs:   []string{"network"},
	Timeout: func(*config.Config) time.Duration { return time.Second },
	Run:     func(context.Context, *Env) Result { return NotSupported("clock") },
}
