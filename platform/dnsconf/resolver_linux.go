package dnsconf

import (
	"context"
	"os"

	"github.com/clearance-app/clearance/platform"
)

// resolver reads resolv.conf, nsswitch.conf, the port-53 listeners and the
// process names. It sends no query and does not ping resolved over D-Bus,
// which would start it.
func resolver(context.Context, platform.Runner) (ResolverInfo, error) {
	in, err := ReadLinuxResolverInputs(os.DirFS("/"))
	if err != nil {
		return ResolverInfo{}, err
	}
	return DecideLinuxResolver(in), nil
}
