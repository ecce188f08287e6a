package proxy

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"unicode"

	"github.com/clearance-app/clearance/platform"
)

// Mode is how a proxy setting routes web traffic.
type Mode string

const (
	ModeNone   Mode = "none"   // direct: the source is read and sets no proxy
	ModeManual Mode = "manual" // fixed proxy addresses
	ModePAC    Mode = "pac"    // a proxy auto-config script decides per URL
	ModeWPAD   Mode = "wpad"   // the script is found by auto-discovery
	ModeEnv    Mode = "env"    // the desktop defers to environment variables (KDE ProxyType 4)
)

// Which traffic a manual proxy applies to.
const (
	SchemeHTTP  = "http"  // plain-HTTP URLs
	SchemeHTTPS = "https" // HTTPS URLs (tunnelled through the proxy with CONNECT)
	SchemeSOCKS = "socks" // every URL without a proxy of its own
	SchemeAll   = "all"   // every URL (one proxy for everything)
)

// Setting is one proxy setting read from the environment, the desktop or
// the operating system. URL may carry credentials: show it only through
// Display or MaskCredentials.
type Setting struct {
	// Source names where it was read, for a person: "GNOME settings",
	// "KDE kioslaverc", "Windows Internet Settings", "macOS network settings".
	Source string
	Mode   Mode
	// Scheme is the traffic a manual proxy applies to (SchemeHTTP, …).
	Scheme string
	// URL is the proxy ("http://host:3128", "socks5://host:1080") for a
	// manual proxy, or the script's URL for a PAC setting.
	URL string
	// Bypass lists hosts that go direct, as the source writes them.
	Bypass []string
	// Note is anything else a person should know about the setting.
	Note string
}

// AppliesToHTTPS reports whether the setting sends HTTPS traffic — ChatGPT's —
// through a fixed proxy.
func (s Setting) AppliesToHTTPS() bool {
	if s.Mode != ModeManual || s.URL == "" {
		return false
	}
	return s.Scheme == SchemeHTTPS || s.Scheme == SchemeSOCKS || s.Scheme == SchemeAll
}

// Display describes the setting in one line, credentials masked.
func (s Setting) Display() string {
	var b strings.Builder
	b.WriteString(s.Source)
	b.WriteString(": ")
	switch s.Mode {
	case ModeNone:
		b.WriteString("no proxy")
	case ModeManual:
		fmt.Fprintf(&b, "%s traffic through %s", s.Scheme, MaskCredentials(s.URL))
	case ModePAC:
		fmt.Fprintf(&b, "automatic configuration script %s", MaskCredentials(s.URL))
	case ModeWPAD:
		b.WriteString("automatic proxy discovery (WPAD)")
	case ModeEnv:
		b.WriteString("uses the proxy environment variables")
	default:
		b.WriteString(string(s.Mode))
	}
	if len(s.Bypass) > 0 {
		fmt.Fprintf(&b, "; except %s", MaskCredentials(strings.Join(s.Bypass, ", ")))
	}
	if s.Note != "" {
		fmt.Fprintf(&b, " (%s)", MaskCredentials(s.Note))
	}
	return b.String()
}

// urlScheme finds the start of scheme URLs ("http://", "socks5h://") in text.
var urlScheme = regexp.MustCompile(`[A-Za-z][A-Za-z0-9+.\-]*://`)

// MaskCredentials hides credentials in proxy URLs anywhere in s, with or
// without a scheme: "user:password@host" becomes "user:***@host", and a lone
// "token@host" becomes "***@host". Everything Clearance shows (report, logs,
// API) passes through it, because proxy URLs carry passwords in clear.
//
// The userinfo is everything up to the LAST "@" before the host, since ";",
// ",", spaces and even "@" occur in passwords as people type them; an "@"
// after the authority (behind "/", "?" or "#", as in a PAC script's query) is
// not userinfo. Where text is ambiguous it masks too much, never too little:
// a hidden host name costs a little clarity, a shown password costs the
// person their account.
//
// The user name is kept: it is what the proxy knows the person by, not a
// secret in itself, and it is what they need to see to tell a wrong account
// from a wrong password when the proxy answers 407. The password — or a lone
// token, which is the secret — is never shown.
func MaskCredentials(s string) string {
	var (
		b     strings.Builder
		done  int // s[:done] is written
		guard int // an "@" before guard lies in a URL's host or path
		free  int // a scheme-less userinfo starts here at the earliest
	)
	mask := func(from, at int) { // s[from:at] is userinfo, s[at] is its "@"
		b.WriteString(s[done:from])
		b.WriteString(maskedUserinfo(s[from:at]))
		b.WriteByte('@')
		done = at + 1
	}
	for i := 0; i < len(s); {
		at := -1
		if j := strings.IndexByte(s[max(i, guard):], '@'); j >= 0 {
			at = max(i, guard) + j
		}
		m := urlScheme.FindStringIndex(s[i:])
		switch {
		case m != nil && (at < 0 || i+m[0] < at):
			auth := i + m[1]
			host := auth
			if end := urlUserinfoEnd(s, auth); end >= 0 {
				mask(auth, end)
				host = end + 1
			}
			guard = wordEnd(s, host)
			free, i = guard, host
		case at >= 0:
			i, guard = at+1, wordEnd(s, at)
			from := max(free, lineStart(s, at))
			end := bareUserinfoEnd(s, from, at)
			if end < 0 {
				free = guard // an "@" in a path: the rest of the word is path too
				continue
			}
			mask(from, end)
			i = end + 1
			guard = wordEnd(s, i)
			free = guard
		default:
			i = len(s)
		}
	}
	b.WriteString(s[done:])
	return b.String()
}

// maskedUserinfo is the userinfo as shown: the user kept, the rest hidden.
func maskedUserinfo(info string) string {
	if user, _, ok := strings.Cut(info, ":"); ok && user != "" {
		return user + ":***"
	}
	return "***"
}

// urlUserinfoEnd returns the index of the "@" that ends the userinfo of the
// URL whose authority starts at auth, or -1 when it has none.
func urlUserinfoEnd(s string, auth int) int {
	return userinfoEnd(s, auth, auth)
}

// userinfoEnd returns the index of the last "@" in s[from:] before the host,
// the first "@" being at or after at; -1 when there is none. The authority
// ends at the first "/", "?" or "#" — unless what stands before it cannot be
// a host, as in "u:pa/ss@host" or "u:p w#x@host", a password with a
// delimiter typed raw: then the last "@" of the line ends it.
func userinfoEnd(s string, from, at int) int {
	end := len(s)
	if j := strings.IndexAny(s[at:], "/?#\r\n"); j >= 0 {
		end = at + j
	}
	last := strings.LastIndexByte(s[from:end], '@')
	host := s[from:end]
	if last >= 0 {
		// The host is one word, maybe followed by punctuation in a sentence.
		last += from
		host = strings.TrimRight(s[last+1:min(end, wordEnd(s, last+1))], ",;)'\"")
	}
	if validHostPort(host) && (last < 0 || host != "") {
		return last
	}
	if j := strings.LastIndexByte(s[from:lineEnd(s, at)], '@'); j >= 0 && from+j >= at {
		return from + j
	}
	return last
}

// bareUserinfoEnd returns the index of the "@" that ends a scheme-less
// userinfo starting at from, whose first "@" is at, or -1 when that "@" is
// in a path or query ("host/x?u=a@b").
func bareUserinfoEnd(s string, from, at int) int {
	if j := strings.IndexAny(s[from:at], "/?#"); j >= 0 {
		j += from
		w := from
		if k := strings.LastIndexFunc(s[from:j], unicode.IsSpace); k >= 0 {
			w = from + k + 1
		}
		if validHostPort(s[w:j]) {
			return -1
		}
		return at + strings.LastIndexByte(s[at:lineEnd(s, at)], '@')
	}
	return userinfoEnd(s, from, at)
}

// validHostPort reports whether h can be a URL's "host[:port]" (empty
// counts: "http:///x" has no userinfo either). A password that starts with
// digits and then "/", "?" or "#" ("u:123/x@host") reads as a port and a
// path, as it does to a URL parser; such a value is not a working proxy URL.
func validHostPort(h string) bool {
	host, port := h, ""
	if strings.HasPrefix(h, "[") {
		i := strings.IndexByte(h, ']')
		if i < 0 {
			return false
		}
		for _, c := range h[1:i] {
			if !isHostChar(c) && c != ':' {
				return false
			}
		}
		host, port = "", h[i+1:]
		if port != "" && port[0] != ':' {
			return false
		}
		port = strings.TrimPrefix(port, ":")
	} else if i := strings.LastIndexByte(h, ':'); i >= 0 {
		host, port = h[:i], h[i+1:]
		if host == "" || port == "" {
			return false // "u:#x@host", ":0#@host": a password's start
		}
	}
	for _, c := range host {
		if !isHostChar(c) {
			return false
		}
	}
	for _, c := range port {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

func isHostChar(c rune) bool {
	return c < unicode.MaxASCII && (unicode.IsLetter(c) || unicode.IsDigit(c) || strings.ContainsRune("-._~%", c))
}

// wordEnd is the index of the first white space at or after i, or len(s).
func wordEnd(s string, i int) int {
	if j := strings.IndexFunc(s[i:], unicode.IsSpace); j >= 0 {
		return i + j
	}
	return len(s)
}

func lineStart(s string, i int) int { return strings.LastIndexAny(s[:i], "\r\n") + 1 }

func lineEnd(s string, i int) int {
	if j := strings.IndexAny(s[i:], "\r\n"); j >= 0 {
		return i + j
	}
	return len(s)
}

// SourceError is a source of proxy settings that could not be read,
// with the reason. Settings joins one per failed source, so that the
// other sources still count.
type SourceError struct {
	Source string
	Err    error
}

func (e *SourceError) Error() string { return e.Source + ": " + e.Err.Error() }
func (e *SourceError) Unwrap() error { return e.Err }

// SourceErrors lists the sources in err (as returned by Settings)
// that could not be read. An error that names no source is returned as one
// with an empty Source.
func SourceErrors(err error) []*SourceError {
	if err == nil {
		return nil
	}
	if joined, ok := err.(interface{ Unwrap() []error }); ok {
		var out []*SourceError
		for _, e := range joined.Unwrap() {
			out = append(out, SourceErrors(e)...)
		}
		return out
	}
	var se *SourceError
	if errors.As(err, &se) {
		return []*SourceError{se}
	}
	return []*SourceError{{Err: err}}
}

// Settings returns the current user's proxy settings from the desktop
// or operating system (not the environment, which the caller reads): GNOME
// and KDE on Linux, `scutil --proxy` on macOS, WinINET's registry values on
// Windows. A setting that sets no proxy is returned with Mode ProxyNone, so
// that a caller can say what it read. Sources that could not be read are
// reported in the error (see ProxySourceErrors) alongside the settings that
// could. Per OS: proxy_linux.go etc.
func Settings(ctx context.Context, run platform.Runner) ([]Setting, error) {
	return proxySettings(ctx, run)
}

// hostPortURL builds a proxy URL from a host and port as the desktops store
// them. A host that already carries a scheme, credentials or a port keeps them.
func hostPortURL(scheme, host, port string) string {
	host = strings.TrimSuffix(strings.TrimSpace(host), "/")
	if i := strings.Index(host, "://"); i >= 0 {
		scheme, host = host[:i], host[i+3:]
	}
	var cred string
	if i := strings.LastIndex(host, "@"); i >= 0 {
		cred, host = host[:i+1], host[i+1:]
	}
	if strings.Count(host, ":") > 1 && !strings.HasPrefix(host, "[") {
		host = "[" + host + "]" // a bare IPv6 address
	}
	if port != "" && port != "0" && !hasPort(host) {
		host += ":" + port
	}
	return scheme + "://" + cred + host
}

// hasPort reports whether host already ends in ":port".
func hasPort(host string) bool {
	i := strings.LastIndex(host, ":")
	if i < 0 || strings.HasSuffix(host, "]") {
		return false
	}
	if strings.HasPrefix(host, "[") && !strings.Contains(host[:i], "]") {
		return false
	}
	for _, c := range host[i+1:] {
		if c < '0' || c > '9' {
			return false
		}
	}
	return i+1 < len(host)
}
