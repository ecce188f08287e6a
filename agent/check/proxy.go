package check

import (
	"context"
	"time"

	"github.com/clearance-app/clearance/agent/config"
)

// proxyCheck is a placeholder until the proxy check is written.
var proxyCheck = Check{
	Name:    "proxy",
	Timeout: func(*config.Config) time.Duration { return time.Second },
	Run:     func(context.Context, *Env) Result { return NotSupported("proxy") },
}
