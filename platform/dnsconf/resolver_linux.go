package dnsconf

import (
	"context"
	"errors"
	"io/fs"
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

// servers reads resolv.conf and resolved's list of the servers it asks
// (ResolvedFullFile), which exists only while resolved runs.
func servers(context.Context) ([]string, error) {
	data, err := os.ReadFile("/etc/resolv.conf")
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	ns := ParseResolvConf(data).Nameservers
	if full, err := os.ReadFile(ResolvedFullFile); err == nil {
		ns = append(ns, ParseResolvConf(full).Nameservers...)
	}
	return AddrStrings(ns), nil
}
