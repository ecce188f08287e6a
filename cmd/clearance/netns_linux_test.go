package main

import (
	"crypto/rand"
	"encoding/hex"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/clearance-app/clearance/internal/roottest"
)

// requireRoot skips a test that needs root and ip(8), saying why; under CI
// (CI=true, where it runs as root) the same lack is a failure, because these
// tests are mandatory there.
func requireRoot(t testing.TB) {
	t.Helper()
	why := netnsMissing()
	if why == "" {
		return
	}
	roottest.Need(t, why)
}

// netnsMissing says what this machine lacks for namespace tests, or "".
func netnsMissing() string {
	if os.Geteuid() != 0 {
		return "needs root to create network namespaces and interfaces"
	}
	if _, err := exec.LookPath("ip"); err != nil {
		return "needs ip(8) from iproute2"
	}
	return ""
}

func canNetns() bool { return netnsMissing() == "" }

// netns is a network namespace owned by one test.
type netns struct{ name string }

// newNetns creates a namespace with only a loopback interface, up, and
// deletes it when the test ends. Nothing outside it is touched.
func newNetns(t testing.TB) *netns {
	t.Helper()
	requireRoot(t)
	b := make([]byte, 4)
	rand.Read(b)
	ns := &netns{name: "clr-" + hex.EncodeToString(b)}
	mustRun(t, "ip", "netns", "add", ns.name)
	t.Cleanup(func() { exec.Command("ip", "netns", "del", ns.name).Run() })
	ns.ip(t, "link", "set", "lo", "up")
	return ns
}

// ip runs `ip -n NAME args…` and fails the test on error.
func (ns *netns) ip(t testing.TB, args ...string) string {
	t.Helper()
	return mustRun(t, "ip", append([]string{"-n", ns.name}, args...)...)
}

// prefix is what runs a command inside the namespace, as a child process.
func (ns *netns) prefix() []string { return []string{"ip", "netns", "exec", ns.name} }

// clearance runs the program inside the namespace.
func (ns *netns) clearance(t *testing.T, args ...string) result {
	t.Helper()
	return runCmd(t, clearanceCmd(t, ns.prefix(), args...))
}

func mustRun(t testing.TB, name string, args ...string) string {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

func (r jsonReport) codes() []string {
	var out []string
	for _, f := range r.Findings {
		out = append(out, f.Code)
	}
	return out
}

func (r jsonReport) has(code string) bool {
	for _, c := range r.codes() {
		if c == code {
			return true
		}
	}
	return false
}
