package netstate

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/clearance-app/clearance/internal/roottest"
	"github.com/clearance-app/clearance/platform"
	"github.com/clearance-app/clearance/platform/internal/platformtest"
)

// tailscaleStatusHelper asks TailscaleStatus, as the child's uid, and
// prints what it learnt as JSON (tailscaleAnswer).
const tailscaleStatusHelper = "tailscale-status"

type tailscaleAnswer struct {
	InUse, Online, NotInstalled bool
	Err                         string
}

func init() {
	testHelpers[tailscaleStatusHelper] = func() int {
		st, err := TailscaleStatus(context.Background(), platform.System)
		a := tailscaleAnswer{InUse: st.InUse, Online: st.Online, NotInstalled: errors.Is(err, ErrNoTailscaleCLI)}
		if err != nil {
			a.Err = err.Error()
		}
		json.NewEncoder(os.Stdout).Encode(a)
		return 0
	}
}

// A person's own tailscale, installed outside the system's directories
// (Homebrew's, a snap's, ~/bin), is found through their PATH, so that
// `clearance check` run by them sees the exit node; root, given the same
// PATH, never runs it. Both run as real processes: uid 65534 through
// setpriv, and root.
func TestTailscaleCLIFromPATHOnlyForAPerson(t *testing.T) {
	if os.Geteuid() != 0 {
		skipOrFail(t, "needs root, to run one child as root and one as uid 65534")
	}
	if _, err := exec.LookPath("setpriv"); err != nil {
		skipOrFail(t, "needs setpriv(1) from util-linux")
	}
	dir, err := os.MkdirTemp("/tmp", "clr-tailscale-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	bin, marks := filepath.Join(dir, "bin"), filepath.Join(dir, "marks")
	for d, mode := range map[string]os.FileMode{dir: 0o755, bin: 0o755, marks: 0o777} {
		if err := os.MkdirAll(d, mode); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(d, mode); err != nil {
			t.Fatal(err)
		}
	}
	// A tailscale that notes who ran it and reports an exit node in use.
	script := "#!/bin/sh\n" +
		"id -u >>" + filepath.Join(marks, "ran") + "\n" +
		`[ "$1 $2" = "status --json" ] || exit 2` + "\n" +
		`echo '{"BackendState":"Running","ExitNodeStatus":{"ID":"n1","Online":true}}'` + "\n"
	if err := os.WriteFile(filepath.Join(bin, "tailscale"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(self)
	if err != nil {
		t.Fatal(err)
	}
	test := filepath.Join(dir, "netstate.test")
	if err := os.WriteFile(test, b, 0o755); err != nil {
		t.Fatal(err)
	}
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "PATH=") {
			env = append(env, kv)
		}
	}
	env = append(env, "PATH="+bin+":/usr/sbin:/usr/bin:/sbin:/bin", "GORACE=atexit_sleep_ms=0", platformtest.HelperEnv+"="+tailscaleStatusHelper)
	ask := func(argv ...string) tailscaleAnswer {
		t.Helper()
		cmd := exec.CommandContext(t.Context(), argv[0], argv[1:]...)
		cmd.Env = env
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		var a tailscaleAnswer
		if jerr := json.Unmarshal(out, &a); err != nil || jerr != nil {
			t.Fatalf("%s: %v %v; stdout %q, stderr %q", argv, err, jerr, out, stderr.String())
		}
		return a
	}
	ran := func() string {
		b, _ := os.ReadFile(filepath.Join(marks, "ran"))
		return strings.TrimSpace(string(b))
	}

	person := ask("setpriv", "--reuid", "65534", "--regid", "65534", "--clear-groups", "--", test, "-test.run=^$")
	if !person.InUse || !person.Online || person.Err != "" {
		t.Errorf("as uid 65534 with tailscale on PATH: %+v, want an exit node in use and online", person)
	}
	if got := ran(); got != "65534" {
		t.Errorf("the person's tailscale ran as %q, want once as 65534", got)
	}

	root := ask(test, "-test.run=^$")
	if got := ran(); strings.Contains(got, "\n0") || got == "0" {
		t.Errorf("root ran the tailscale it found on PATH (runs by uid: %q)", got)
	}
	if _, err := platform.LookSystem("tailscale"); err != nil && !root.NotInstalled {
		t.Errorf("as root, with tailscale only on PATH: %+v, want it not installed", root)
	}
}

// skipOrFail skips a test that cannot run here, or fails it under CI,
// where it is mandatory.
func skipOrFail(t *testing.T, why string) {
	t.Helper()
	roottest.Need(t, why)
}
