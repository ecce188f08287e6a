package dnsconf

import (
	"context"
	"os"

	"github.com/clearance-app/clearance/platform"
	"github.com/clearance-app/clearance/platform/host"
)

// resolver reads resolv.conf, nsswitch.conf, the port-53 listeners and the
// process names. It sends no query and does not ping resolved over D-Bus,
// which would start it.
func resolver(ctx context.Context, _ platform.Runner, procs host.ProcessReader) (ResolverInfo, error) {
	in, err := ReadLinuxResolverInputs(ctx, os.DirFS("/"), procs)
	if err != nil {
		return ResolverInfo{}, err
	}
	return DecideLinuxResolver(in), nil
}
