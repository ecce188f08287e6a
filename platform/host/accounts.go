package host

import (
	"bufio"
	"io"
	"path"
	"strconv"
	"strings"
)

// PasswdFile lists local accounts with their home directories and login
// shells, which os/user does not report.
const PasswdFile = "/etc/passwd"

// Account is what Clearance reads of a passwd(5) entry.
type Account struct {
	Name  string
	UID   int
	Home  string
	Shell string
}

// ParsePasswd reads the entries of a passwd(5) file, in order. Comment
// lines and lines that are not seven fields with a numeric uid are
// skipped.
func ParsePasswd(r io.Reader) []Account {
	var out []Account
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Split(line, ":")
		if len(f) != 7 {
			continue
		}
		uid, err := strconv.Atoi(f[2])
		if err != nil {
			continue
		}
		out = append(out, Account{Name: f[0], UID: uid, Home: f[5], Shell: f[6]})
	}
	return out
}

// Person says whether the account looks like a person's: a home directory
// that names one and a login shell that lets someone in. Nobody and
// service accounts do not.
func (a Account) Person() bool { return NamedHome(a.Home) && LoginShell(a.Shell) }

// NamedHome says whether home names a home directory: an absolute path
// other than the root and the placeholders that systems give accounts
// without one.
func NamedHome(home string) bool {
	if !path.IsAbs(home) {
		return false
	}
	switch path.Clean(home) {
	case "/", "/nonexistent", "/dev/null", "/var/empty":
		return false
	}
	return true
}

// LoginShell says whether shell lets a person log in; an empty field means
// /bin/sh.
func LoginShell(shell string) bool {
	switch path.Base(shell) {
	case "nologin", "false":
		return false
	}
	return true
}

// ShellsFile lists the shells a person may log in with (shells(5)).
const ShellsFile = "/etc/shells"

// ParseShells reads a shells(5) file: one absolute path a line, comments
// and blank lines skipped.
func ParseShells(r io.Reader) []string {
	var out []string
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		if l := strings.TrimSpace(sc.Text()); strings.HasPrefix(l, "/") {
			out = append(out, l)
		}
	}
	return out
}
