package dnsfix

import (
	"context"
	"io/fs"

	"github.com/clearance-app/clearance/platform"
	"github.com/clearance-app/clearance/platform/netstate"
)

// recordDNS journals the DNS servers of the network service behind the
// default route's device (route table → device → service order).
func recordDNS(ctx context.Context, read platform.Runner) (dnsJournal, error) {
	rs, err := netstate.Routes(ctx)
	if err != nil {
		return dnsJournal{}, err
	}
	dev, ok := defaultRouteInterface(rs)
	if !ok {
		return dnsJournal{}, errNoDefaultRoute
	}
	return recordNetworksetup(ctx, read, dev)
}

// chownLike: macOS never has a resolv.conf switched by file.
func chownLike(string, fs.FileInfo) error { return nil }

// systemResolvConf: macOS's DNS settings are never switched by file.
const systemResolvConf = ""
