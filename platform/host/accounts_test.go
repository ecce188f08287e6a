package host

import (
	"os"
	"slices"
	"testing"
)

func TestParsePasswd(t *testing.T) {
	f, err := os.Open("testdata/passwd")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var people []string
	accounts := ParsePasswd(f)
	for _, a := range accounts {
		if a.Person() {
			people = append(people, a.Name)
		}
	}
	if want := []string{"root", "sync", "alice", "bob", "carol"}; !slices.Equal(people, want) {
		t.Errorf("people %q, want %q", people, want)
	}
	if i := slices.IndexFunc(accounts, func(a Account) bool { return a.Name == "bob" }); i < 0 || accounts[i] != (Account{"bob", 1001, "/home/bob", ""}) {
		t.Errorf("bob read as %+v", accounts)
	}
}

func TestNamedHome(t *testing.T) {
	for home, want := range map[string]bool{
		"/home/alice": true, "/Users/alice": true, "/net/home/carol": true, "/root": true,
		"": false, "/": false, "//": false, "/nonexistent": false, "/nonexistent/": false,
		"/dev/null": false, "/var/empty": false, "home/alice": false,
	} {
		if got := NamedHome(home); got != want {
			t.Errorf("NamedHome(%q) = %v, want %v", home, got, want)
		}
	}
}

func TestParseShells(t *testing.T) {
	f, err := os.Open("testdata/shells")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got, want := ParseShells(f), []string{"/bin/sh", "/usr/bin/sh", "/bin/bash", "/usr/bin/zsh", "/bin/zsh"}; !slices.Equal(got, want) {
		t.Errorf("shells %q, want %q", got, want)
	}
}
