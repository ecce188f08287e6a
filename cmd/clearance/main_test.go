package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/clearance-app/clearance/internal/roottest"
)

// The test binary doubles as the clearance binary: with CLEARANCE_RUN_MAIN=1
// it runs the command line instead of the tests. Tests use that to run the
// real program as a child, inside network namespaces too.
func TestMain(m *testing.M) {
	switch os.Getenv("CLEARANCE_RUN_MAIN") {
	case "1":
		os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
	case "helper":
		os.Exit(runTestHelper(os.Args[1:]))
	}
	code := m.Run()
	for _, f := range cleanups {
		f()
	}
	os.Exit(code)
}

// cleanups run after all tests: what tests share, such as a program built
// once with a test build tag.
var cleanups []func()

// testHelpers are small programs a test runs as a child (for example inside
// a network namespace), selected by name.
var testHelpers = map[string]func(args []string) int{}

func runTestHelper(args []string) int {
	if len(args) == 0 || testHelpers[args[0]] == nil {
		os.Stderr.WriteString("unknown test helper\n")
		return 3
	}
	return testHelpers[args[0]](args[1:])
}

// result is a finished run of the program.
type result struct {
	stdout, stderr string
	code           int
}

// clearanceCmd returns a command that runs the program with args; prefix
// (such as "ip netns exec NAME") is prepended. The program is this test
// binary, or the binary named by CLEARANCE_BIN (the benchmark script sets
// it to measure the real build).
func clearanceCmd(t testing.TB, prefix []string, args ...string) *exec.Cmd {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	if bin := os.Getenv("CLEARANCE_BIN"); bin != "" {
		self = bin
	}
	argv := append(append(append([]string{}, prefix...), self), args...)
	cmd := exec.Command(argv[0], argv[1:]...)
	// A cache and state directory of the test's own: the program remembers
	// NTP answers in the user's cache directory, and the agent keeps its
	// DNS journal in the state directory; a test must touch neither. Run as
	// root, the program keeps both only where nobody else can change them.
	cmd.Env = append(os.Environ(), "CLEARANCE_RUN_MAIN=1", "NO_COLOR=1", "XDG_CACHE_HOME="+roottest.Dir(t),
		"CLEARANCE_STATE_DIR="+roottest.Dir(t))
	return cmd
}

// runCmd runs cmd and collects its output and exit status.
func runCmd(t testing.TB, cmd *exec.Cmd) result {
	t.Helper()
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("run %v: %v", cmd.Args, err)
	}
	return result{out.String(), errb.String(), code}
}

// jsonReport is the --json output, decoded loosely as a script would.
type jsonReport struct {
	Version    int   `json:"version"`
	DurationMS int64 `json:"duration_ms"`
	Checks     []struct {
		Name    string         `json:"name"`
		Status  string         `json:"status"`
		Summary string         `json:"summary"`
		Data    map[string]any `json:"data"`
	} `json:"checks"`
	Findings []struct {
		ID       string         `json:"id"`
		Code     string         `json:"code"`
		Severity string         `json:"severity"`
		Check    string         `json:"check"`
		Evidence map[string]any `json:"evidence"`
		Fixes    []string       `json:"fixes"`
	} `json:"findings"`
}

func decodeReport(t testing.TB, r result) jsonReport {
	t.Helper()
	var rep jsonReport
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatalf("output is not the JSON report: %v\nstdout:\n%s\nstderr:\n%s", err, r.stdout, r.stderr)
	}
	return rep
}

func (r jsonReport) status(name string) string {
	for _, c := range r.Checks {
		if c.Name == name {
			return c.Status
		}
	}
	return ""
}

// writeConfig writes a configuration file for a test and returns its path.
// Run as root, it is in a directory only root can change: the agent run as
// root refuses any other (host.ReadRootOwned).
func writeConfig(t testing.TB, lines ...string) string {
	t.Helper()
	p := roottest.Dir(t) + "/config.toml"
	if err := os.WriteFile(p, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// withoutProxyEnv drops proxy variables a CI machine may set, so that the
// proxy check reports on the test's setting, not the runner's.
func withoutProxyEnv(env []string) []string {
	return slices.DeleteFunc(env, func(kv string) bool {
		k, _, _ := strings.Cut(kv, "=")
		return strings.HasSuffix(strings.ToLower(k), "_proxy")
	})
}
