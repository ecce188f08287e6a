package main

import (
	"strings"
	"testing"
)

// A namespace with nothing but loopback is a machine with no network at all:
// only network-offline is raised, the checks that need the network skip,
// and the local ones (vpn, proxy) still run.
func TestNoNetworkAtAll(t *testing.T) {
	ns := newNetns(t)
	cmd := clearanceCmd(t, ns.prefix(), "check", "--json")
	cmd.Env = withoutProxyEnv(cmd.Env)
	r := runCmd(t, cmd)
	rep := decodeReport(t, r)

	if r.code != 1 {
		t.Errorf("exit status %d, want 1 (a critical finding)", r.code)
	}
	if got := rep.codes(); len(got) != 1 || got[0] != "network-offline" {
		t.Fatalf("findings %v, want only network-offline\n%s", got, r.stdout)
	}
	for _, name := range []string{"clock", "dns", "endpoints", "status"} {
		if st := rep.status(name); st != "skip" {
			t.Errorf("%s: status %q, want skip while offline", name, st)
		}
	}
	for _, name := range []string{"vpn", "proxy"} {
		if st := rep.status(name); st == "skip" || st == "" {
			t.Errorf("%s: status %q; local checks must run while offline", name, st)
		}
	}
	if rep.status("network") != "fail" {
		t.Errorf("network: status %q, want fail", rep.status("network"))
	}
}

// The text report offline says so plainly.
func TestNoNetworkAtAllText(t *testing.T) {
	ns := newNetns(t)
	cmd := clearanceCmd(t, ns.prefix(), "check")
	cmd.Env = withoutProxyEnv(cmd.Env)
	r := runCmd(t, cmd)
	if r.code != 1 || !strings.Contains(r.stdout, "This computer is offline") || strings.Contains(r.stdout, "\x1b[") {
		t.Fatalf("exit %d, stdout:\n%s", r.code, r.stdout)
	}
}
