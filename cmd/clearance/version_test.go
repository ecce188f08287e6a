package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/clearance-app/clearance/internal/winegap"
)

// version and --version print the version, the commit and the Go version.
func TestVersionCLI(t *testing.T) {
	for _, arg := range []string{"version", "--version"} {
		r := runCmd(t, clearanceCmd(t, nil, arg))
		lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
		if r.code != 0 || len(lines) != 3 || lines[0] != "clearance "+version || !strings.HasPrefix(lines[1], "commit ") || lines[2] != runtime.Version() {
			t.Errorf("clearance %s: exit %d, stdout %q", arg, r.code, r.stdout)
		}
	}
}

func TestVersionCommitOf(t *testing.T) {
	for _, tc := range []struct {
		settings []debug.BuildSetting
		want     string
	}{
		{nil, "unknown"},
		{[]debug.BuildSetting{{Key: "vcs.revision", Value: "abc123"}, {Key: "vcs.modified", Value: "false"}}, "abc123"},
		{[]debug.BuildSetting{{Key: "vcs.revision", Value: "abc123"}, {Key: "vcs.modified", Value: "true"}}, "abc123+changes"},
	} {
		if got := commitOf(&debug.BuildInfo{Settings: tc.settings}); got != tc.want {
			t.Errorf("commitOf(%v) = %q, want %q", tc.settings, got, tc.want)
		}
	}
	if got := commitOf(nil); got != "unknown" {
		t.Errorf("commitOf(nil) = %q", got)
	}
}

// A binary built with go build from the repository names its commit and
// keeps the version given by -ldflags.
func TestVersionOfBuiltBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the program")
	}
	head, err := exec.Command("git", "rev-parse", "HEAD").Output()
	if err != nil {
		t.Skipf("not in a git checkout: %v", err)
	}
	bin := filepath.Join(winegap.TempDir(t), "clearance")
	// -buildvcs=true over a GOFLAGS that turns stamping off.
	build := exec.Command("go", "build", "-buildvcs=true", "-ldflags", "-X main.version=1.2.3", "-o", bin, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	if m, _ := exec.Command("go", "version", "-m", bin).Output(); !strings.Contains(string(m), "vcs.revision") {
		t.Skip("go build stamped no vcs.revision here (a git worktree it does not read?)")
	}
	out, err := exec.Command(bin, "version").Output()
	if err != nil {
		t.Fatal(err)
	}
	want := "clearance 1.2.3\ncommit " + strings.TrimSpace(string(head))
	if !strings.HasPrefix(string(out), want) {
		t.Fatalf("version of the built binary:\n%s\nwant it to start with\n%s", out, want)
	}
}
