//go:build unix

package platform

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// A program planted under a system command's name in a directory early on
// PATH is never what the runner runs: it looks bare names up only in the
// system's directories. The planted program, named by its absolute path,
// does run: the test would see it.
func TestRunnerIgnoresPATH(t *testing.T) {
	planted := t.TempDir()
	marker := filepath.Join(planted, "ran")
	for _, name := range []string{"chronyc", "systemctl", "true"} {
		script := "#!/bin/sh\necho " + name + " >>" + marker + "\necho planted\n"
		if err := os.WriteFile(filepath.Join(planted, name), []byte(script), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("PATH", planted+string(filepath.ListSeparator)+os.Getenv("PATH"))
	if p, _ := exec.LookPath("chronyc"); p != filepath.Join(planted, "chronyc") {
		t.Fatalf("the planted chronyc is not first on PATH: %q", p)
	}

	run := ExecRunner{}
	ctx := context.Background()
	if _, err := run.Run(ctx, "true"); err != nil {
		t.Errorf("true, from the system's directories: %v", err)
	}
	for _, argv := range [][]string{{"chronyc", "-v"}, {"systemctl", "--version"}} {
		out, err := run.Run(ctx, argv[0], argv[1:]...)
		var nf *CommandNotFoundError
		switch {
		case errors.As(err, &nf):
			if !errors.Is(err, exec.ErrNotFound) {
				t.Errorf("%s: a missing command must match exec.ErrNotFound: %v", argv[0], err)
			}
			t.Logf("%s: %v", argv[0], err)
		case strings.Contains(string(out), "planted"):
			t.Errorf("%s: ran the planted program", argv[0])
		}
	}
	if b, err := os.ReadFile(marker); err == nil {
		t.Fatalf("planted programs ran: %q", b)
	}

	if out, err := run.Run(ctx, filepath.Join(planted, "true")); err != nil || strings.TrimSpace(string(out)) != "planted" {
		t.Fatalf("an absolute path is taken as given: %q, %v", out, err)
	}
	if _, err := run.Run(ctx, "./true"); err == nil {
		t.Error("a relative path was run")
	}
}

func TestLookSystem(t *testing.T) {
	p, err := LookSystem("sh")
	if err != nil || !filepath.IsAbs(p) {
		t.Fatalf("sh: %q, %v", p, err)
	}
	in := false
	for _, d := range SystemDirs() {
		in = in || filepath.Dir(p) == d
	}
	if !in {
		t.Errorf("sh found at %s, outside %v", p, SystemDirs())
	}
	if _, err := LookSystem("no-such-command-here"); !errors.Is(err, exec.ErrNotFound) || !strings.Contains(err.Error(), SystemDirs()[0]) {
		t.Errorf("missing command: %v", err)
	}
}
