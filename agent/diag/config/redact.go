package config

import (
	"net/url"
	"strings"
)

// redacted stands for a secret taken out of a URL, as url.URL.Redacted
// writes it.
const redacted = "xxxxx"

// RedactURL is v, a URL from the configuration, as it may be shown: in an
// error, a log line, and so in the diagnostics bundle. A password in it is
// replaced by "xxxxx", as url.URL.Redacted does, and so is a user name that
// comes without one, for "https://TOKEN@collector" carries its secret
// there. A value that is not a valid URL is redacted too: everything before
// the last "@" of its address part is taken for credentials.
func RedactURL(v string) string {
	if u, err := url.Parse(v); err == nil && u.Host != "" {
		if u.User == nil {
			return v
		}
		r := *u
		if _, ok := u.User.Password(); ok {
			r.User = url.UserPassword(u.User.Username(), redacted)
		} else {
			r.User = url.User(redacted)
		}
		return r.String()
	}
	// Not a URL, so not split as one: the credentials may hold a "/" that
	// ended the address early, and are looked for up to a query.
	prefix, rest := "", v
	if i := strings.Index(v, "://"); i >= 0 {
		prefix, rest = v[:i+3], v[i+3:]
	}
	end := len(rest)
	if i := strings.IndexAny(rest, "?#"); i >= 0 {
		end = i
	}
	at := strings.LastIndex(rest[:end], "@")
	if at < 0 {
		return v
	}
	user, _, hasPassword := strings.Cut(rest[:at], ":")
	if hasPassword {
		user += ":" + redacted
	} else {
		user = redacted
	}
	return prefix + user + rest[at:]
}
