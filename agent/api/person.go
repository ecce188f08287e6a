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
// home directory that exists and a login shell that lets someone in.
// nobody (/nonexistent, nologin) and service accounts do not. An account
// that passwdFile does not list (from LDAP, or macOS's directory service)
// is judged by its home alone.
func isPerson(uid int) bool {
	u, err := user.LookupId(strconv.Itoa(uid))
	if err != nil || u.HomeDir == "" {
		return false
	}
	if fi, err := os.Stat(u.HomeDir); err != nil || !fi.IsDir() {
		return false
	}
	f, err := os.Open(passwdFile)
	if err != nil {
		return true
	}
	defer f.Close()
	shell, listed := passwdShell(f, uid)
	return !listed || loginShell(shell)
}

// passwdShell returns the login shell of the first entry for uid in a
// passwd(5) file.
func passwdShell(r io.Reader, uid int) (shell string, listed bool) {
	want := strconv.Itoa(uid)
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Split(line, ":")
		if len(f) == 7 && f[2] == want {
			return f[6], true
		}
	}
	return "", false
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
