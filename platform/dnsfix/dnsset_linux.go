package dnsfix

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"

	"github.com/clearance-app/clearance/platform"
	"github.com/clearance-app/clearance/platform/dnsconf"
	"github.com/clearance-app/clearance/platform/host"
	"github.com/clearance-app/clearance/platform/netstate"
)

// systemResolvConf is the file the C library reads, and the one dns-public
// rewrites when no tool owns the settings.
const systemResolvConf = "/etc/resolv.conf"

// recordDNS decides the owner of the DNS settings with the resolver
// detection (resolvdetect.go) and journals them: the file itself, or the
// default route's interface in systemd-resolved or NetworkManager.
func recordDNS(ctx context.Context, read platform.Runner) (dnsJournal, error) {
	in, err := dnsconf.ReadLinuxResolverInputs(ctx, os.DirFS("/"), host.ReadProcesses)
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

// recordResolvConfFile journals the resolv.conf at path byte for byte. When
// path is a symbolic link, the file it leads to is recorded and will be the
// one written: replacing the link would cut it from whoever maintains it.
func recordResolvConfFile(path string) (dnsJournal, error) {
	li, err := os.Lstat(path)
	if err != nil {
		return dnsJournal{}, fmt.Errorf("read %s: %w", path, err)
	}
	rec := resolvConfRecord{Path: path, Target: path}
	if li.Mode()&fs.ModeSymlink != 0 {
		target, err := filepath.EvalSymlinks(path)
		if err != nil {
			return dnsJournal{}, fmt.Errorf("%s is a link to a file that cannot be read: %w", path, err)
		}
		if target, err = filepath.Abs(target); err != nil {
			return dnsJournal{}, err
		}
		rec.Symlink, rec.Target = true, target
	}
	fi, err := os.Stat(rec.Target)
	if err != nil {
		return dnsJournal{}, fmt.Errorf("read %s: %w", rec.Target, err)
	}
	if !fi.Mode().IsRegular() {
		return dnsJournal{}, fmt.Errorf("%s is not a regular file", rec.Target)
	}
	if rec.Content, err = os.ReadFile(rec.Target); err != nil {
		return dnsJournal{}, fmt.Errorf("read %s: %w", rec.Target, err)
	}
	rec.Mode = uint32(fi.Mode().Perm())
	v4, v6 := splitFamilies(dnsconf.AddrStrings(dnsconf.ParseResolvConf(rec.Content).Nameservers))
	return dnsJournal{
		Tool:       dnsToolResolvConf,
		Interface:  dnsJournalIface{ID: rec.Target, Name: path},
		IPv4:       dnsFamilyRecord{Mode: dnsModeStatic, Servers: v4},
		IPv6:       dnsFamilyRecord{Mode: dnsModeStatic, Servers: v6},
		ResolvConf: &rec,
	}, nil
}
