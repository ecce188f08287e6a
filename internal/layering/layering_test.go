package layering

import (
	"os/exec"
	"path"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/clearance-app/clearance"

// rule forbids packages under from (a path pattern relative to the module,
// "x/..." meaning x and below) to depend, directly or not, on any package
// that matches one of deny, unless it also matches one of allow.
type rule struct {
	from    string
	notFrom []string // packages under from that the rule does not apply to
	deny    []string
	allow   []string
	why     string
}

// The layers, bottom up: platform → the diagnosis library (agent/diag) →
// the API (agent/api) → the service (agent) → the tray and the installer
// → the command. Test peers and test helpers are for tests only.
var rules = []rule{
	{
		from: "platform/...", deny: []string{"..."}, allow: []string{"platform/..."},
		why: "platform is the bottom layer: OS primitives that know nothing of Clearance",
	},
	{
		from: "agent/diag/...", deny: []string{"agent", "agent/api/...", "agent/logging/...", "tray/...", "installer/...", "cmd/..."},
		why: "the diagnosis library is what check, the tray and the service share; it must not reach into any of them",
	},
	{
		from: "agent/api/...", deny: []string{"agent", "tray/...", "installer/...", "cmd/..."},
		why: "the API serves the service's state and is the tray's client; it must not depend on either",
	},
	{
		from: "tray/...", deny: []string{"agent", "installer/...", "cmd/..."},
		why: "the tray is a client of the service's API, never of the service itself",
	},
	{
		from: "installer/...", deny: []string{"agent", "tray", "tray/notify/...", "tray/open/...", "cmd/..."},
		why: "the installer registers the service and the tray; it does not run them",
	},
	{
		from: "...", notFrom: testOnly, deny: testOnly,
		why: "test peers and test helpers are for tests only",
	},
}

// testOnly are the packages that only tests may import (they may import
// each other).
var testOnly = []string{"internal/testworld/...", "internal/roottest/...", "internal/testbuf/...", "internal/layering/...", "internal/readmetest/...",
	"platform/internal/platformtest/...", "platform/browser/cookies/cookiestest/...", "agent/diag/bundle/bundletest/...", "tray/notify/notifytest/..."}

// match reports whether pkg (relative to the module) matches pattern.
func match(pattern, pkg string) bool {
	if pattern == "..." {
		return true
	}
	if base, ok := strings.CutSuffix(pattern, "/..."); ok {
		return pkg == base || strings.HasPrefix(pkg, base+"/")
	}
	return pkg == pattern
}

// violations applies the rules to a graph of each package's dependencies
// (transitive, within the module, relative paths).
func violations(graph map[string][]string) []string {
	var out []string
	for pkg, deps := range graph {
		for _, r := range rules {
			if !match(r.from, pkg) || slices.ContainsFunc(r.notFrom, func(p string) bool { return match(p, pkg) }) {
				continue
			}
			for _, d := range deps {
				if d == pkg || !slices.ContainsFunc(r.deny, func(p string) bool { return match(p, d) }) ||
					slices.ContainsFunc(r.allow, func(p string) bool { return match(p, d) }) {
					continue
				}
				out = append(out, pkg+" imports "+d+": "+r.why)
			}
		}
	}
	slices.Sort(out)
	return out
}

// depGraph lists, for GOOS, every package of the module with its
// dependencies within the module (production code: tests are not deps).
func depGraph(t *testing.T, goos string) map[string][]string {
	t.Helper()
	cmd := exec.Command("go", "list", "-deps=false", "-f", `{{.ImportPath}}{{range .Deps}} {{.}}{{end}}`, module+"/...")
	cmd.Env = append(cmd.Environ(), "GOOS="+goos, "CGO_ENABLED=0")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list for %s: %v", goos, err)
	}
	graph := map[string][]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		pkg, ok := rel(f[0])
		if !ok {
			continue
		}
		graph[pkg] = []string{}
		for _, d := range f[1:] {
			if r, ok := rel(d); ok {
				graph[pkg] = append(graph[pkg], r)
			}
		}
	}
	return graph
}

func rel(importPath string) (string, bool) {
	r, ok := strings.CutPrefix(importPath, module+"/")
	return path.Clean(r), ok
}

func TestLayers(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("needs the go command to list the packages")
	}
	for _, goos := range []string{"linux", "windows", "darwin"} {
		graph := depGraph(t, goos)
		if len(graph) < 20 {
			t.Fatalf("%s: only %d packages listed: %v", goos, len(graph), graph)
		}
		for _, v := range violations(graph) {
			t.Errorf("%s: %s", goos, v)
		}
	}
}

// The rules catch what they are meant to: a check that imports the
// service, platform importing the diagnosis library, the product importing
// a test peer.
func TestRulesCatchABrokenLayering(t *testing.T) {
	graph := map[string][]string{
		"agent/diag/check":   {"agent/diag/probe", "agent"},
		"platform/dnsfix":    {"platform", "platform/host", "agent/diag/config"},
		"agent":              {"agent/api", "internal/testworld/cftest"},
		"tray":               {"agent/api", "agent/diag/check"},
		"cmd/clearance":      {"agent", "tray", "installer"},
		"installer":          {"platform/host"},
		"platform/netstate":  {"platform"},
		"agent/api":          {"agent/diag/check", "platform/host"},
		"tray/notify":        {},
		"internal/roottest":  {},
		"agent/diag/report":  {"agent/diag/check"},
		"agent/diag/finding": {"agent/diag/fix"},
	}
	got := violations(graph)
	want := []string{
		"agent imports internal/testworld/cftest",
		"agent/diag/check imports agent:",
		"platform/dnsfix imports agent/diag/config",
	}
	if len(got) != len(want) {
		t.Fatalf("violations:\n  %s\nwant %d", strings.Join(got, "\n  "), len(want))
	}
	for i, w := range want {
		if !strings.HasPrefix(got[i], w) {
			t.Errorf("violation %d: %q, want %q…", i, got[i], w)
		}
	}
}
