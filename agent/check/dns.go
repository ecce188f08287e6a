package check

import (
	"context"
	"time"

	"github.com/clearance-app/clearance/agent/config"
)

// dnsCheck is a placeholder until the dns check is written.
var dnsCheck = Check{
	Name:    "dns",
	Timeout: func(*config.Config) time.Duration { return time.Second },
	Run:     func(context.Context, *Env) Result { return NotSupported("dns") },
}
