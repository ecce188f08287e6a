package api

import (
	"bufio"
	"io"
	"os"
	"os/user"
	"path"
	"strconv"
	"strings"
)

// passwdFile lists local accounts with their login shells, which os/user
// does not report.
const passwdFile = "/etc/passwd"

// isPerson says whether the account uid looks like a person's: it has a
// login shell that lets someone in, and a home directory that names one
// rather than a placeholder for none (/nonexistent); nobody and service
// accounts do not. It reads the account database and nothing else: the
// home directory itself is never looked at, although it would tell an
// account whose home is not there yet. This is asked as root, for every
// refused fix request, and the home is the account's to point anywhere —
// at a network mount that never answers, or an automounter's — where even
// a stat can hang. An account that passwdFile does not list (from LDAP,
// or macOS's directory service) is judged by its home alone.
func isPerson(uid int) bool {
	if f, err := os.Open(passwdFile); err == nil {
		e, listed := passwdEntry(f, uid)
		f.Close()
		if listed {
			return namedHome(e.home) && loginShell(e.shell)
		}
	}
	u, err := user.LookupId(strconv.Itoa(uid))
	return err == nil && namedHome(u.HomeDir)
}

// passwdAccount is what isPerson reads of a passwd(5) entry.
type passwdAccount struct{ home, shell string }

// passwdEntry returns the home and login shell of the first entry for uid
// in a passwd(5) file.
func passwdEntry(r io.Reader, uid int) (e passwdAccount, listed bool) {
	want := strconv.Itoa(uid)
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Split(line, ":")
		if len(f) == 7 && f[2] == want {
			return passwdAccount{home: f[5], shell: f[6]}, true
		}
	}
	return passwdAccount{}, false
}

// namedHome says whether home names a home directory: an absolute path
// other than the root and the placeholders that systems give accounts
// without one.
func namedHome(home string) bool {
	if !path.IsAbs(home) {
		return false
	}
	switch path.Clean(home) {
	case "/", "/nonexistent", "/dev/null", "/var/empty":
		return false
	}
	return true
}

// loginShell says whether shell lets a person log in; an empty field means
// /bin/sh.
func loginShell(shell string) bool {
	switch path.Base(shell) {
	case "nologin", "false":
		return false
	}
	return true
}
