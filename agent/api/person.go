package api

import (
	"io"
	"os"
	"os/user"
	"strconv"

	"github.com/clearance-app/clearance/platform/host"
)

// isPerson says whether the account uid looks like a person's
// (host.Account.Person). It reads the account database and nothing else: the
// home directory itself is never looked at, although it would tell an
// account whose home is not there yet. This is asked as root, for every
// refused fix request, and the home is the account's to point anywhere —
// at a network mount that never answers, or an automounter's — where even
// a stat can hang. An account that host.PasswdFile does not list (from LDAP,
// or macOS's directory service) is judged by its home alone.
func isPerson(uid int) bool {
	if f, err := os.Open(host.PasswdFile); err == nil {
		e, listed := passwdEntry(f, uid)
		f.Close()
		if listed {
			return e.Person()
		}
	}
	u, err := user.LookupId(strconv.Itoa(uid))
	return err == nil && host.NamedHome(u.HomeDir)
}

// passwdEntry returns the first entry for uid in a passwd(5) file.
func passwdEntry(r io.Reader, uid int) (e host.Account, listed bool) {
	for _, a := range host.ParsePasswd(r) {
		if a.UID == uid {
			return a, true
		}
	}
	return host.Account{}, false
}
