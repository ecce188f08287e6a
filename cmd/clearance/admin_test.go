package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/clearance-app/clearance/internal/winegap"
)

// Windows has no sudo: every phrase there names an Administrator prompt,
// and none says sudo.
func TestAdminWordingWindows(t *testing.T) {
	w := administratorPromptWording
	if got, want := w.asAdmin("clearance install"), "'clearance install' from an Administrator prompt"; got != want {
		t.Errorf("asAdmin = %q, want %q", got, want)
	}
	for _, s := range []string{w.asAdmin("clearance start"), w.asYourself, w.installingPerson, w.usage("clearance install")} {
		if strings.Contains(s, "sudo") {
			t.Errorf("Windows wording %q says sudo", s)
		}
	}
	if !strings.Contains(w.asYourself, "Administrator") {
		t.Errorf("asYourself %q does not say which prompt not to use", w.asYourself)
	}
}

func TestAdminWordingUnix(t *testing.T) {
	w := sudoWording
	if got, want := w.asAdmin("clearance install"), "'sudo clearance install'"; got != want {
		t.Errorf("asAdmin = %q, want %q", got, want)
	}
	if got, want := w.usage("clearance stop"), "sudo clearance stop"; got != want {
		t.Errorf("usage = %q, want %q", got, want)
	}
}

// Every hint goes through the wording: a "sudo" written into a command's
// own file would reach Windows users too.
func TestAdminWordingOnlySudo(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") || strings.HasPrefix(f, "admin") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(b), "\n") {
			if strings.Contains(line, "sudo") {
				t.Errorf("%s:%d says sudo; use asAdmin or wording: %s", f, i+1, strings.TrimSpace(line))
			}
		}
	}
}

// The hints of the real program name the way to get rights here.
func TestCLIAdminHint(t *testing.T) {
	r := runCmd(t, clearanceCmd(t, nil, "status", "--socket", winegap.TempDir(t)+"/none.sock"))
	start, install := "start it with "+asAdmin("clearance start"), "install it with "+asAdmin("clearance install")
	if r.code != 3 || !strings.Contains(r.stderr, start) && !strings.Contains(r.stderr, install) {
		t.Fatalf("exit %d, stderr %q; want 3 and %q or %q", r.code, r.stderr, start, install)
	}
}
