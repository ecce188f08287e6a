package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/clearance-app/clearance/internal/roottest"
)

// The vpn check against real interfaces inside a network namespace: tun
// devices held open by a process as a VPN client holds them, a Docker-like
// bridge, default and split-default routes. Needs root; mandatory in CI.

func init() { testHelpers["holdtun"] = holdTun }

// holdTun creates the tun device named by args[0] (IFF_TUN|IFF_NO_PI, not
// persistent: it vanishes with this process, as a VPN client's does), says
// "ready", and holds it until its stdin closes.
func holdTun(args []string) int {
	if len(args) != 1 {
		fmt.Fprintln(os.Stderr, "usage: holdtun NAME")
		return 3
	}
	fd, err := openTun(args[0])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Println("ready")
	io.Copy(io.Discard, os.Stdin)
	unix.Close(fd)
	return 0
}

// holdTun starts the holdtun helper inside the namespace and waits until
// the device exists. The helper is stopped by its pid when the test ends.
func (ns *netns) holdTun(t testing.TB, name string) {
	t.Helper()
	requireTunDevice(t)
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("ip", "netns", "exec", ns.name, self, "holdtun", name)
	cmd.Env = append(os.Environ(), "CLEARANCE_RUN_MAIN=helper")
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start holdtun: %v", err)
	}
	t.Cleanup(func() {
		stdin.Close()
		cmd.Process.Kill()
		cmd.Wait()
	})
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if strings.TrimSpace(line) != "ready" {
		t.Fatalf("holdtun %s did not get ready: %q, %v", name, line, err)
	}
}

// requireTunDevice skips, saying why, where the kernel offers no TUN
// device (some containers); in CI that is a failure, like requireRoot.
func requireTunDevice(t testing.TB) {
	t.Helper()
	if _, err := os.Stat("/dev/net/tun"); err == nil {
		return
	}
	roottest.Need(t, "needs /dev/net/tun to create tun devices")
}

// vpnTestConfig points the check at an address literal in TEST-NET-3, so
// that the route to "chatgpt.com" is found without DNS. Connecting a UDP
// socket to it sends nothing.
func vpnTestConfig(t *testing.T) string {
	t.Helper()
	return writeConfig(t, "[endpoints]", `hosts = ["https://203.0.113.10/"]`)
}

// offlineResolver makes names fail to resolve inside the namespace at once:
// nothing listens on the namespace's own loopback.
func (ns *netns) offlineResolver(t testing.TB) {
	t.Helper()
	ns.resolvConf(t, "nameserver 127.0.0.1\n")
}

// vpnRun runs `clearance check --json --only vpn` in the namespace.
func (ns *netns) vpnRun(t *testing.T, args ...string) (result, jsonReport) {
	t.Helper()
	r := ns.clearance(t, append([]string{"check", "--json", "--only", "vpn"}, args...)...)
	return r, decodeReport(t, r)
}

// vpnFinding returns the evidence of the vpn-active finding, or nil.
func vpnFinding(rep jsonReport) map[string]any {
	for _, f := range rep.Findings {
		if f.Code == "vpn-active" {
			return f.Evidence
		}
	}
	return nil
}

// vpnIface returns the data the check reported about one interface.
func vpnIface(t *testing.T, rep jsonReport, name string) map[string]any {
	t.Helper()
	for _, c := range rep.Checks {
		if c.Name != "vpn" {
			continue
		}
		list, _ := c.Data["interfaces"].([]any)
		for _, x := range list {
			if m, _ := x.(map[string]any); m["name"] == name {
				return m
			}
		}
	}
	t.Fatalf("interface %s not in the vpn data", name)
	return nil
}

func signals(ev map[string]any) []string {
	var out []string
	list, _ := ev["signals"].([]any)
	for _, s := range list {
		out = append(out, fmt.Sprint(s))
	}
	return out
}

// wantVPNActive checks the exit status and the finding's evidence.
func wantVPNActive(t *testing.T, r result, rep jsonReport, iface, vendor string, wantSignals ...string) {
	t.Helper()
	ev := vpnFinding(rep)
	if ev == nil || r.code != 1 {
		t.Fatalf("exit %d, findings %v; want 1 and vpn-active\n%s%s", r.code, rep.codes(), r.stdout, r.stderr)
	}
	if ev["interface"] != iface || ev["full_tunnel"] != true {
		t.Errorf("evidence %v: want interface %s, full_tunnel true", ev, iface)
	}
	if got, ok := ev["vendor"]; vendor != "" && got != vendor || vendor == "" && ok {
		t.Errorf("evidence vendor %v, want %q", got, vendor)
	}
	for _, s := range wantSignals {
		if !slices.Contains(signals(ev), s) {
			t.Errorf("signals %v, want %s among them", signals(ev), s)
		}
	}
}

// wantNoVPN checks that the check passed with no finding and exit 0.
func wantNoVPN(t *testing.T, r result, rep jsonReport) {
	t.Helper()
	if r.code != 0 || len(rep.Findings) != 0 || rep.status("vpn") != "pass" {
		t.Fatalf("exit %d, status %q, findings %v; want 0, pass, none\n%s%s", r.code, rep.status("vpn"), rep.codes(), r.stdout, r.stderr)
	}
}

// A VPN's tun device, up, addressed and carrying the default route: the
// route to the OpenAI address goes through it.
func TestVPNTunnelWithDefaultRoute(t *testing.T) {
	ns := newNetns(t)
	ns.holdTun(t, "proton0")
	ns.ip(t, "addr", "add", "10.2.0.2/16", "dev", "proton0")
	ns.ip(t, "link", "set", "proton0", "up")
	ns.ip(t, "route", "add", "default", "dev", "proton0")

	r, rep := ns.vpnRun(t, "--config", vpnTestConfig(t))
	wantVPNActive(t, r, rep, "proton0", "Proton VPN", "route-to-chatgpt", "default-route")
	if d := vpnIface(t, rep, "proton0"); d["kind"] != "tunnel" || d["counted"] != true {
		t.Errorf("proton0 data %v: want a counted tunnel", d)
	}
}

// Offline (names do not resolve), the same tunnel is found from the
// routing table alone, and the data says the route signal was skipped.
func TestVPNTunnelOfflineJudgedFromRoutes(t *testing.T) {
	ns := newNetns(t)
	ns.offlineResolver(t)
	ns.holdTun(t, "proton0")
	ns.ip(t, "addr", "add", "10.2.0.2/16", "dev", "proton0")
	ns.ip(t, "link", "set", "proton0", "up")
	ns.ip(t, "route", "add", "default", "dev", "proton0")

	r, rep := ns.vpnRun(t)
	wantVPNActive(t, r, rep, "proton0", "Proton VPN", "default-route")
	if slices.Contains(signals(vpnFinding(rep)), "route-to-chatgpt") {
		t.Errorf("route-to-chatgpt claimed while the name could not resolve")
	}
	route, _ := rep.Checks[0].Data["route_to_chatgpt"].(map[string]any)
	if s, _ := route["skipped"].(string); !strings.Contains(s, "could not resolve") {
		t.Errorf("route_to_chatgpt %v: want the skipped signal explained", route)
	}
}

// The same device set down by the person (or the client): no finding.
func TestVPNTunnelDown(t *testing.T) {
	ns := newNetns(t)
	ns.holdTun(t, "proton0")
	ns.ip(t, "addr", "add", "10.2.0.2/16", "dev", "proton0")
	ns.ip(t, "link", "set", "proton0", "up")
	ns.ip(t, "route", "add", "default", "dev", "proton0")
	ns.ip(t, "link", "set", "proton0", "down")

	r, rep := ns.vpnRun(t, "--config", vpnTestConfig(t))
	wantNoVPN(t, r, rep)
	if d := vpnIface(t, rep, "proton0"); d["up"] != false || d["counted"] != false || !strings.Contains(fmt.Sprint(d["reason"]), "down") {
		t.Errorf("proton0 data %v: want down and not counted", d)
	}
}

// A tun device left behind with no client holding it (no carrier) still
// has its address and route, and the kernel still picks it: not counted.
func TestVPNTunnelNoCarrier(t *testing.T) {
	ns := newNetns(t)
	ns.ip(t, "tuntap", "add", "dev", "tun0", "mode", "tun")
	ns.ip(t, "addr", "add", "10.8.0.2/24", "dev", "tun0")
	ns.ip(t, "link", "set", "tun0", "up")
	ns.ip(t, "route", "add", "default", "dev", "tun0")

	r, rep := ns.vpnRun(t, "--config", vpnTestConfig(t))
	wantNoVPN(t, r, rep)
	if d := vpnIface(t, rep, "tun0"); d["up"] != false || d["counted"] != false {
		t.Errorf("tun0 data %v: want not up and not counted", d)
	}
}

// A Docker bridge with an address and even the default route is not a VPN.
func TestVPNDockerBridgeIsNotAVPN(t *testing.T) {
	ns := newNetns(t)
	ns.ip(t, "link", "add", "docker0", "type", "bridge")
	ns.ip(t, "addr", "add", "172.17.0.1/16", "dev", "docker0")
	ns.ip(t, "link", "set", "docker0", "up")
	ns.ip(t, "route", "add", "default", "dev", "docker0")

	r, rep := ns.vpnRun(t, "--config", vpnTestConfig(t))
	wantNoVPN(t, r, rep)
	if d := vpnIface(t, rep, "docker0"); d["kind"] != "virtual" || d["counted"] != false {
		t.Errorf("docker0 data %v: want a virtual interface, not counted", d)
	}
}

// OpenVPN's redirect-gateway def1: 0.0.0.0/1 + 128.0.0.0/1 through the tun
// beat the LAN's default route.
func TestVPNSplitDefault(t *testing.T) {
	ns := newNetns(t)
	ns.ip(t, "link", "add", "eth0", "type", "veth", "peer", "name", "eth1")
	ns.ip(t, "addr", "add", "192.168.1.10/24", "dev", "eth0")
	ns.ip(t, "link", "set", "eth0", "up")
	ns.ip(t, "link", "set", "eth1", "up")
	ns.ip(t, "route", "add", "default", "via", "192.168.1.1", "dev", "eth0", "metric", "100")
	ns.holdTun(t, "tun0")
	ns.ip(t, "addr", "add", "10.8.0.2/24", "dev", "tun0")
	ns.ip(t, "link", "set", "tun0", "up")
	ns.ip(t, "route", "add", "0.0.0.0/1", "via", "10.8.0.1", "dev", "tun0")
	ns.ip(t, "route", "add", "128.0.0.0/1", "via", "10.8.0.1", "dev", "tun0")

	r, rep := ns.vpnRun(t, "--config", vpnTestConfig(t))
	wantVPNActive(t, r, rep, "tun0", "", "route-to-chatgpt", "split-default")
	if d := vpnIface(t, rep, "eth0"); d["counted"] != false {
		t.Errorf("eth0 data %v: want not counted", d)
	}
}
