package probe

import (
	"bytes"
	"errors"
	"net/netip"
	"strings"
)

// Trace is what Cloudflare's /cdn-cgi/trace says about this connection:
// the exit address and country Cloudflare judges, the data center, and
// whether WARP or Gateway carries the traffic (reference section 3).
type Trace struct {
	IP      string // client (exit) address as Cloudflare sees it
	Loc     string // ISO 3166 country
	Colo    string // Cloudflare data center
	WARP    string // off, on, plus
	Gateway string // on, off
	HTTP    string // http/1.1, http/2, http/3
	TLS     string // TLSv1.3, ...
}

// ErrNotTrace means the body is not a Cloudflare trace: a captive portal,
// a block page or a proxy answered instead.
var ErrNotTrace = errors.New("not a Cloudflare trace")

// ParseTrace reads key=value lines. It is lenient about what it skips
// (blank lines, unknown keys, CRLF) and strict about what it keeps: a
// value that does not look like the key's kind is dropped, so that a page
// that is not a trace cannot put arbitrary text into a report.
func ParseTrace(body []byte) (Trace, error) {
	var t Trace
	fields := map[string]*string{
		"ip": &t.IP, "loc": &t.Loc, "colo": &t.Colo, "warp": &t.WARP,
		"gateway": &t.Gateway, "http": &t.HTTP, "tls": &t.TLS,
	}
	for line := range bytes.Lines(body) {
		key, value, ok := strings.Cut(string(line), "=")
		if !ok {
			continue
		}
		key, value = strings.TrimSpace(key), strings.TrimSpace(value)
		dst, known := fields[key]
		if !known || *dst != "" || !validTraceValue(key, value) {
			continue
		}
		*dst = value
	}
	if t.IP == "" && t.Colo == "" && t.Loc == "" {
		return Trace{}, ErrNotTrace
	}
	return t, nil
}

// validTraceValue checks a value against what Cloudflare sends for its key.
func validTraceValue(key, value string) bool {
	switch key {
	case "ip":
		a, err := netip.ParseAddr(value)
		return err == nil && a.Zone() == ""
	case "loc":
		return len(value) == 2 && isToken(value, false)
	case "colo":
		return len(value) >= 2 && len(value) <= 8 && isToken(value, false)
	}
	return value != "" && len(value) <= 32 && isToken(value, true)
}

// isToken reports whether s has only letters and digits (and, when
// punct, the "./-" of "http/1.1" and "TLSv1.3").
func isToken(s string, punct bool) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case punct && (c == '.' || c == '/' || c == '-'):
		default:
			return false
		}
	}
	return true
}

// Data renders the known fields for a check's data, omitting empty ones.
func (t Trace) Data() map[string]any {
	out := map[string]any{}
	for k, v := range map[string]string{
		"ip": t.IP, "loc": t.Loc, "colo": t.Colo, "warp": t.WARP,
		"gateway": t.Gateway, "http": t.HTTP, "tls": t.TLS,
	} {
		if v != "" {
			out[k] = v
		}
	}
	return out
}
