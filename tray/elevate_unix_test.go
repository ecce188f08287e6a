//go:build unix

package tray

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/clearance-app/clearance/agent/api"
	"github.com/clearance-app/clearance/internal/roottest"
	"github.com/clearance-app/clearance/platform"
	"github.com/clearance-app/clearance/platform/host"
)

// The shell command macOS runs as root (resultShell), run here by sh
// against a stand-in for `clearance fix` in a directory with a space in
// its name: the arguments arrive intact; a result printed with exit status
// 1 or 2 comes back on standard output with status 0, which `do shell
// script` needs to pass it on; with nothing printed the status and the
// error text stand.
func TestResultShell(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "Clearance App")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	exe := filepath.Join(dir, "clearance")
	got := filepath.Join(t.TempDir(), "argv")
	script := "#!/bin/sh\n" +
		`printf '%s\0' "$@" >"$ARGV_FILE"` + "\n" +
		`case $MODE in` + "\n" +
		`result) printf '{"fix":"dns-flush","result":"failed","message":"Not now."}\n'; exit "$STATUS";;` + "\n" +
		`quiet) echo 'clearance: flag provided but not defined: -json' >&2; exit 2;;` + "\n" +
		"esac\n"
	if err := os.WriteFile(exe, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	argv := []string{exe, "fix", "dns-flush", "--json", `it's "odd"`, "$(touch pwned)"}
	run := func(env ...string) (stdout, stderr string, code int) {
		cmd := exec.Command("/bin/sh", "-c", resultShell(argv))
		cmd.Dir = t.TempDir()
		cmd.Env = append(os.Environ(), append(env, "ARGV_FILE="+got)...)
		var out, errb strings.Builder
		cmd.Stdout, cmd.Stderr = &out, &errb
		err := cmd.Run()
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(filepath.Join(cmd.Dir, "pwned")); err == nil {
			t.Fatal("an argument was run as a command")
		}
		return out.String(), errb.String(), code
	}

	for _, status := range []string{"0", "1", "2"} {
		out, _, code := run("MODE=result", "STATUS="+status)
		res, err := readOsascript("dns-flush", []byte(out), nil)
		if code != 0 || err != nil || res.Result != api.Failed || res.Message != "Not now." {
			t.Errorf("a result with status %s: exit %d, %q → %+v %v", status, code, out, res, err)
		}
		b, _ := os.ReadFile(got)
		if args := strings.Split(strings.TrimSuffix(string(b), "\x00"), "\x00"); !slices.Equal(args, argv[1:]) {
			t.Errorf("the command got %q, want %q", args, argv[1:])
		}
	}
	out, errText, code := run("MODE=quiet")
	if code != 2 || out != "" || !strings.Contains(errText, "not defined: -json") {
		t.Errorf("nothing printed: exit %d, stdout %q, stderr %q; want 2 with the error", code, out, errText)
	}
}

// What the Windows tray reads after the elevated fix: the file that
// `clearance fix --result TOKEN` made (host.CreateResult, the same
// call), found by the token alone.
func TestReadResultFile(t *testing.T) {
	t.Setenv(host.StateDirEnv, filepath.Join(roottest.Dir(t), "state")) // as host.CreateResult asks
	token := newResultToken()
	f, err := host.CreateResult(token, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(`{"fix":"time-sync","result":"fixed","message":"The clock is right now.","commands":["chronyc makestep"]}` + "\n"); err != nil {
		t.Fatal(err)
	}
	f.Close()
	res, err := readResultFile("time-sync", token, nil)
	if err != nil || res.Result != api.Fixed || res.Message != "The clock is right now." || len(res.Commands) != 1 {
		t.Fatalf("read back: %+v %v", res, err)
	}

	// A fix that failed exits 1 with its result written: a result.
	exit1 := &platform.ExitError{Argv: []string{"clearance.exe"}, Code: 1}
	if res, err := readResultFile("time-sync", token, exit1); err != nil || res.Result != api.Fixed {
		t.Fatalf("with exit status 1: %+v %v", res, err)
	}
	// No file (the command stopped before it could make one): an error
	// that says how the command ended.
	other := newResultToken()
	if _, err := readResultFile("time-sync", other, &platform.ExitError{Argv: []string{"clearance.exe"}, Code: 2}); !errors.Is(err, errElevationFailed) || !strings.Contains(err.Error(), "exit status 2") {
		t.Fatalf("no file, exit 2: %v", err)
	}
	if _, err := readResultFile("time-sync", other, nil); !errors.Is(err, errElevationFailed) || !strings.Contains(err.Error(), "read its result") {
		t.Fatalf("no file, exit 0: %v", err)
	}
}
