package main

import (
	"slices"
	"strings"
	"testing"
)

// The diagnosis of a broken resolver against the test internet, at the C
// library's default resolver options (5 s timeout, 2 attempts: longer than
// the network check's whole time), with the program's default
// configuration. Needs root for the namespaces; mandatory in CI.

func (r jsonReport) finding(code string) (map[string]any, bool) {
	for _, f := range r.Findings {
		if f.Code == code {
			return f.Evidence, true
		}
	}
	return nil, false
}

func (r jsonReport) data(check string) map[string]any {
	for _, c := range r.Checks {
		if c.Name == check {
			return c.Data
		}
	}
	return nil
}

// The test internet itself: with every peer answering, nothing is wrong.
func TestInternetAllClear(t *testing.T) {
	n := newInternet(t, internetOptions{})
	rep := n.check(t)
	for _, name := range []string{"network", "dns", "endpoints", "status"} {
		if st := rep.status(name); st != "pass" {
			t.Errorf("%s: %s, want pass", name, st)
		}
	}
	if ip := rep.data("endpoints")["trace"].(map[string]any)["ip"]; ip != inetClient {
		t.Errorf("the trace says the request came from %v, want %s", ip, inetClient)
	}
}

// A resolver that drops every query, on a network that works, is a DNS
// failure — not "offline" — and the finding says which addresses answered.
func TestDeadResolverOnAWorkingNetworkIsADNSFailure(t *testing.T) {
	n := newInternet(t, internetOptions{deadResolver: true})
	rep := n.check(t)
	if rep.has("network-offline") {
		t.Fatalf("network-offline although the network works: %v", rep.codes())
	}
	ev, ok := rep.finding("dns-failure")
	if !ok {
		t.Fatalf("no dns-failure: %v", rep.codes())
	}
	answered, _ := ev["answered_by_address"].([]any)
	if !slices.Contains(answered, any("1.1.1.1:443")) || !slices.Contains(answered, any("8.8.8.8:443")) {
		t.Errorf("evidence.answered_by_address %v, want the public resolvers", ev["answered_by_address"])
	}
	tried, _ := rep.data("network")["address_connects"].(map[string]any)
	if got := tried[inetDeadDNS+":53"]; got != "timed out" {
		t.Errorf("the dead resolver's own address: %v, want timed out (tried: %v)", got, tried)
	}
	if st := rep.status("network"); st != "warn" {
		t.Errorf("network: %s, want warn", st)
	}
}

// The report a person reads, for the same broken resolver: the finding in
// words, the evidence, and the fixes by title and id, without colour when
// piped. The README's sample `clearance check` is this test's log
// (go test ./cmd/clearance -run TestDeadResolverReportForAPerson -v).
func TestDeadResolverReportForAPerson(t *testing.T) {
	n := newInternet(t, internetOptions{deadResolver: true})
	cmd := clearanceCmd(t, n.client.prefix(), "check", "--config", writeConfig(t))
	cmd.Env = append(withoutProxyEnv(cmd.Env), n.env...)
	r := runCmd(t, cmd)
	t.Logf("clearance check, in the client namespace:\n%s\n%s", r.stdout, r.stderr)
	if r.code != 1 {
		t.Errorf("exit status %d, want 1 (a critical finding)", r.code)
	}
	for _, want := range []string{
		"CRITICAL  OpenAI's names do not resolve [dns-failure]",
		"Fix: Flush the DNS cache (dns-flush); or Switch to public DNS (Cloudflare, 1.1.1.1) (dns-public)",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("the report does not say %q", want)
		}
	}
	if strings.Contains(r.stdout, "\x1b[") {
		t.Error("the report is coloured although its output is not a terminal")
	}
}

// The same resolver behind an uplink that drops everything: nothing
// answers by address either, so the machine is offline.
func TestDeadUplinkIsOffline(t *testing.T) {
	n := newInternet(t, internetOptions{deadUplink: true})
	rep := n.check(t)
	ev, ok := rep.finding("network-offline")
	if !ok {
		t.Fatalf("no network-offline: %v", rep.codes())
	}
	tried, _ := ev["tried"].([]any)
	if !slices.Contains(tried, any("tcp://1.1.1.1:443")) {
		t.Errorf("evidence.tried %v does not name the addresses tried", tried)
	}
	if rep.has("dns-failure") {
		t.Errorf("dns-failure besides offline: %v", rep.codes())
	}
}

// A home router that is the resolver, with its own uplink down: it accepts
// connections on its LAN address, but that proves nothing beyond it, and
// nothing beyond answers, so the machine is offline.
func TestRouterResolverWithDeadUplinkIsOffline(t *testing.T) {
	n := newInternet(t, internetOptions{routerOnly: true})
	rep := n.check(t)
	if _, ok := rep.finding("network-offline"); !ok {
		t.Fatalf("no network-offline: %v", rep.codes())
	}
	tried, _ := rep.data("network")["address_connects"].(map[string]any)
	if got := tried[inetGateway+":53"]; got != "connected" {
		t.Errorf("the router's DNS port: %v, want connected (tried: %v)", got, tried)
	}
}
