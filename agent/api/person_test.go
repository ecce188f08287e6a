package api

import (
	"os"
	"strings"
	"testing"
)

func TestPasswdShell(t *testing.T) {
	b, err := os.ReadFile("testdata/passwd")
	if err != nil {
		t.Fatal(err)
	}
	for uid, want := range map[int]struct {
		shell  string
		listed bool
		login  bool
	}{
		0:     {"/bin/bash", true, true},
		1:     {"/usr/sbin/nologin", true, false},
		4:     {"/bin/sync", true, true},
		998:   {"/bin/false", true, false},
		1000:  {"/bin/zsh", true, true},
		1001:  {"", true, true}, // an empty shell is /bin/sh
		65534: {"/usr/sbin/nologin", true, false},
		4242:  {"", false, false},
	} {
		shell, listed := passwdShell(strings.NewReader(string(b)), uid)
		if shell != want.shell || listed != want.listed {
			t.Errorf("uid %d: %q listed %v, want %q listed %v", uid, shell, listed, want.shell, want.listed)
		}
		if listed && loginShell(shell) != want.login {
			t.Errorf("uid %d: loginShell(%q) = %v, want %v", uid, shell, !want.login, want.login)
		}
	}
}

// The system's database: nobody (uid 65534 on Linux, with no home and no
// shell) and a uid without an account are not people.
func TestIsPersonSystem(t *testing.T) {
	if isPerson(2147480001) {
		t.Error("a uid without an account looks like a person")
	}
	if isPerson(65534) {
		t.Error("nobody looks like a person")
	}
}
