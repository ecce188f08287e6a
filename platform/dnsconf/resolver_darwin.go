package dnsconf

import (
	"context"
	"errors"
	"os"

	"github.com/clearance-app/clearance/platform"
	"github.com/clearance-app/clearance/platform/host"
)

// resolver: on macOS every lookup goes through mDNSResponder, which also
// caches. /etc/resolv.conf is written by the system from the primary DNS
// configuration; it is not consulted for lookups, but it names the servers.
func resolver(ctx context.Context, run platform.Runner, _ host.ProcessReader) (ResolverInfo, error) {
	info := ResolverInfo{Kind: ResolverMDNSResponder, Caches: []ResolverKind{ResolverMDNSResponder}}
	if data, err := os.ReadFile("/etc/resolv.conf"); err == nil {
		info.Servers = AddrStrings(ParseResolvConf(data).Nameservers)
	}
	info.Running = mDNSResponderRunning(ctx, run)
	info.Detail = describeResolver(info)
	return info, nil
}

// mDNSResponderRunning asks pgrep, judged by its exit status (1: no such
// process); nil when pgrep itself failed.
func mDNSResponderRunning(ctx context.Context, run platform.Runner) *bool {
	_, err := run.Run(ctx, "/usr/bin/pgrep", "-x", "mDNSResponder")
	var ee *platform.ExitError
	switch {
	case err == nil:
		return resolvBool(true)
	case errors.As(err, &ee) && ee.Code == 1:
		return resolvBool(false)
	}
	return nil
}

// servers reads /etc/resolv.conf, which the system writes from the primary
// DNS configuration.
func servers(context.Context) ([]string, error) {
	data, err := os.ReadFile("/etc/resolv.conf")
	if err != nil {
		return nil, err
	}
	return AddrStrings(ParseResolvConf(data).Nameservers), nil
}
