package platform

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// ProxyMode is how a proxy setting routes web traffic.
type ProxyMode string

const (
	ProxyNone   ProxyMode = "none"   // direct: the source is read and sets no proxy
	ProxyManual ProxyMode = "manual" // fixed proxy addresses
	ProxyPAC    ProxyMode = "pac"    // a proxy auto-config script decides per URL
	ProxyWPAD   ProxyMode = "wpad"   // the script is found by auto-discovery
	ProxyEnv    ProxyMode = "env"    // the desktop defers to environment variables (KDE ProxyType 4)
)

// Which traffic a manual proxy applies to.
const (
	SchemeHTTP  = "http"  // plain-HTTP URLs
	SchemeHTTPS = "https" // HTTPS URLs (tunnelled through the proxy with CONNECT)
	SchemeSOCKS = "socks" // every URL without a proxy of its own
	SchemeAll   = "all"   // every URL (one proxy for everything)
)

// ProxySetting is one proxy setting read from the environment, the desktop or
// the operating system. URL may carry credentials: show it only through
// Display or MaskProxyCredentials.
type ProxySetting struct {
	// Source names where it was read, for a person: "GNOME settings",
	// "KDE kioslaverc", "Windows Internet Settings", "macOS network settings".
	Source string
	Mode   ProxyMode
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
func (s ProxySetting) AppliesToHTTPS() bool {
	if s.Mode != ProxyManual || s.URL == "" {
		return false
	}
	return s.Scheme == SchemeHTTPS || s.Scheme == SchemeSOCKS || s.Scheme == SchemeAll
}

// Display describes the setting in one line, credentials masked.
func (s ProxySetting) Display() string {
	var b strings.Builder
	b.WriteString(s.Source)
	b.WriteString(": ")
	switch s.Mode {
	case ProxyNone:
		b.WriteString("no proxy")
	case ProxyManual:
		fmt.Fprintf(&b, "%s traffic through %s", s.Scheme, MaskProxyCredentials(s.URL))
	case ProxyPAC:
		fmt.Fprintf(&b, "automatic configuration script %s", MaskProxyCredentials(s.URL))
	case ProxyWPAD:
		b.WriteString("automatic proxy discovery (WPAD)")
	case ProxyEnv:
		b.WriteString("uses the proxy environment variables")
	default:
		b.WriteString(string(s.Mode))
	}
	if len(s.Bypass) > 0 {
		fmt.Fprintf(&b, "; except %s", MaskProxyCredentials(strings.Join(s.Bypass, ", ")))
	}
	if s.Note != "" {
		fmt.Fprintf(&b, " (%s)", MaskProxyCredentials(s.Note))
	}
	return b.String()
}

// userinfo matches the "user:password@" part of URLs in free text, with or
// without a scheme. It is deliberately greedy: masking too much is harmless,
// showing a password is not.
var userinfo = regexp.MustCompile(`([A-Za-z][A-Za-z0-9+.\-]*://)?([^\s;,@]+)@`)

// MaskProxyCredentials hides credentials in proxy URLs anywhere in s:
// "user:password@" becomes "user:***@", and a lone "token@" becomes "***@".
// Everything Clearance shows (report, logs, API) passes through it, because
// proxy URLs carry passwords in clear.
func MaskProxyCredentials(s string) string {
	return userinfo.ReplaceAllStringFunc(s, func(m string) string {
		sub := userinfo.FindStringSubmatch(m)
		scheme, info := sub[1], sub[2]
		if user, _, ok := strings.Cut(info, ":"); ok && user != "" {
			return scheme + user + ":***@"
		}
		return scheme + "***@"
	})
}

// ProxySourceError is a source of proxy settings that could not be read,
// with the reason. ProxySettings joins one per failed source, so that the
// other sources still count.
type ProxySourceError struct {
	Source string
	Err    error
}

func (e *ProxySourceError) Error() string { return e.Source + ": " + e.Err.Error() }
func (e *ProxySourceError) Unwrap() error { return e.Err }

// ProxySourceErrors lists the sources in err (as returned by ProxySettings)
// that could not be read. An error that names no source is returned as one
// with an empty Source.
func ProxySourceErrors(err error) []*ProxySourceError {
	if err == nil {
		return nil
	}
	if joined, ok := err.(interface{ Unwrap() []error }); ok {
		var out []*ProxySourceError
		for _, e := range joined.Unwrap() {
			out = append(out, ProxySourceErrors(e)...)
		}
		return out
	}
	var se *ProxySourceError
	if errors.As(err, &se) {
		return []*ProxySourceError{se}
	}
	return []*ProxySourceError{{Err: err}}
}

// ProxySettings returns the current user's proxy settings from the desktop
// or operating system (not the environment, which the caller reads): GNOME
// and KDE on Linux, `scutil --proxy` on macOS, WinINET's registry values on
// Windows. A setting that sets no proxy is returned with Mode ProxyNone, so
// that a caller can say what it read. Sources that could not be read are
// reported in the error (see ProxySourceErrors) alongside the settings that
// could. Per OS: proxy_linux.go etc.
func ProxySettings(ctx context.Context, run Runner) ([]ProxySetting, error) {
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
