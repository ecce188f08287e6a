package check

import (
	"fmt"
	"slices"
	"strings"

	"github.com/clearance-app/clearance/agent/diag/lookup"
	"github.com/clearance-app/clearance/agent/diag/ntpq"
)

// all is the one list of checks, in report order.
var all = []Check{networkCheck, clockCheck, vpnCheck, proxyCheck, dnsCheck, endpointsCheck, statusCheck, browserCheck}

// All returns every check, in report order.
func All() []Check { return append([]Check(nil), all...) }

// MachineChecks returns the checks the agent runs: all but the user checks.
func MachineChecks() []Check {
	return slices.DeleteFunc(All(), func(c Check) bool { return c.User })
}

// UserChecks returns the checks that run as the person, in the tray.
func UserChecks() []Check {
	return slices.DeleteFunc(All(), func(c Check) bool { return !c.User })
}

// Names returns the names of all checks.
func Names() []string {
	out := make([]string, len(all))
	for i, c := range all {
		out[i] = c.Name
	}
	return out
}

// Lookup returns the check with that name.
func Lookup(name string) (Check, bool) { return find(all, name) }

func find(cs []Check, name string) (Check, bool) {
	for _, c := range cs {
		if c.Name == name {
			return c, true
		}
	}
	return Check{}, false
}

// Select applies --only and --skip (either may be empty). An unknown name is
// an error that lists the known ones.
func Select(only, skip []string) ([]Check, error) {
	for _, n := range append(append([]string{}, only...), skip...) {
		if _, ok := Lookup(n); !ok {
			return nil, fmt.Errorf("unknown check %q (known checks: %s)", n, strings.Join(Names(), ", "))
		}
	}
	in := func(list []string, n string) bool {
		for _, x := range list {
			if x == n {
				return true
			}
		}
		return false
	}
	var out []Check
	for _, c := range all {
		if (len(only) == 0 || in(only, c.Name)) && !in(skip, c.Name) {
			out = append(out, c)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no check is left to run after --only and --skip")
	}
	return out, nil
}

// Resolver resolves host names. *net.Resolver implements it.
type Resolver = lookup.Resolver

// NTPQuerier asks one NTP server ("host" or "host:port") for the time.
// Implementations cache answers and honour rate limits.
type NTPQuerier = ntpq.Querier
