package dnsfix

import (
	"context"
	"io/fs"
	"os"
	"syscall"

	"github.com/clearance-app/clearance/platform"
	"github.com/clearance-app/clearance/platform/dnsconf"
	"github.com/clearance-app/clearance/platform/netstate"
)

// systemResolvConf is the file the C library reads, and the one dns-public
// rewrites when no tool owns the settings.
const systemResolvConf = "/etc/resolv.conf"

// recordDNS decides the owner of the DNS settings with the resolver
// detection (resolvdetect.go) and journals them: the file itself, or the
// default route's interface in systemd-resolved or NetworkManager.
func recordDNS(ctx context.Context, read platform.Runner) (dnsJournal, error) {
	in, err := dnsconf.ReadLinuxResolverInputs(os.DirFS("/"))
	if err != nil {
		return dnsJournal{}, err
	}
	tool := linuxDNSTool(in)
	if tool == dnsToolResolvConf {
		return recordResolvConfFile(systemResolvConf)
	}
	rs, err := netstate.Routes(ctx)
	if err != nil {
		return dnsJournal{}, err
	}
	dev, ok := defaultRouteInterface(rs)
	if !ok {
		return dnsJournal{}, errNoDefaultRoute
	}
	if tool == dnsToolNM {
		return recordNM(ctx, read, dev)
	}
	return recordResolved(ctx, read, dev)
}

// chownLike gives path the owner and group of old, so that a file replaced
// by rename keeps them as a file rewritten in place would.
func chownLike(path string, old fs.FileInfo) error {
	st, ok := old.Sys().(*syscall.Stat_t)
	if !ok {
		return nil
	}
	return os.Lchown(path, int(st.Uid), int(st.Gid))
}
