package api

import (
	"os"
	"strings"
	"testing"
)

func TestPasswdEntry(t *testing.T) {
	b, err := os.ReadFile("testdata/passwd")
	if err != nil {
		t.Fatal(err)
	}
	for uid, want := range map[int]struct {
		home, shell string
		listed      bool
		person      bool
	}{
		0:     {"/root", "/bin/bash", true, true},
		1:     {"/usr/sbin", "/usr/sbin/nologin", true, false},
		4:     {"/bin", "/bin/sync", true, true},
		42:    {"/nonexistent", "/usr/sbin/nologin", true, false},
		998:   {"/var/lib/svc", "/bin/false", true, false},
		1000:  {"/home/alice", "/bin/zsh", true, true},
		1001:  {"/home/bob", "", true, true}, // an empty shell is /bin/sh
		1002:  {"/net/home/carol", "/bin/bash", true, true},
		1003:  {"/nonexistent", "/bin/bash", true, false},
		65534: {"/nonexistent", "/usr/sbin/nologin", true, false},
		4242:  {"", "", false, false},
	} {
		e, listed := passwdEntry(strings.NewReader(string(b)), uid)
		if e.Home != want.home || e.Shell != want.shell || listed != want.listed {
			t.Errorf("uid %d: %+v listed %v, want %q %q listed %v", uid, e, listed, want.home, want.shell, want.listed)
		}
		if person := listed && e.Person(); person != want.person {
			t.Errorf("uid %d: a person: %v, want %v", uid, person, want.person)
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
