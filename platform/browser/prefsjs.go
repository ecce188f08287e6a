package browser

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Prefs are the preferences set in a Firefox prefs.js or user.js: name →
// value, a string, an int64 or a bool.
type Prefs map[string]any

// ParsePrefsJS reads the pref(), user_pref() and sticky_pref() calls of a
// Firefox prefs.js, user.js or defaults file, in the grammar of Firefox's
// own parser (modules/libpref/parser: double- or single-quoted strings
// with \\ \" \' \n \r \xNN \uNNNN escapes, integers, true and false;
// //, # and /* */ comments). A statement it cannot read is skipped, as
// Firefox skips it; the first such is returned as the error alongside
// everything else that was read.
func ParsePrefsJS(data []byte) (Prefs, error) {
	p := &prefsLexer{src: string(data), line: 1}
	prefs := Prefs{}
	var first error
	for {
		p.skipSpace()
		if p.pos >= len(p.src) {
			break
		}
		name, value, err := p.statement()
		if err != nil {
			if first == nil {
				first = err
			}
			p.recover()
			continue
		}
		prefs[name] = value
	}
	return prefs, first
}

type prefsLexer struct {
	src  string
	pos  int
	line int
}

func (p *prefsLexer) errorf(format string, a ...any) error {
	return fmt.Errorf("line %d: "+format, append([]any{p.line}, a...)...)
}

func (p *prefsLexer) advance(n int) {
	for i := 0; i < n && p.pos < len(p.src); i++ {
		if p.src[p.pos] == '\n' {
			p.line++
		}
		p.pos++
	}
}

// skipSpace skips whitespace and comments.
func (p *prefsLexer) skipSpace() {
	for p.pos < len(p.src) {
		c := p.src[p.pos]
		switch {
		case c == ' ' || c == '\t' || c == '\r' || c == '\n':
			p.advance(1)
		case c == '#' || strings.HasPrefix(p.src[p.pos:], "//"):
			for p.pos < len(p.src) && p.src[p.pos] != '\n' {
				p.pos++
			}
		case strings.HasPrefix(p.src[p.pos:], "/*"):
			end := strings.Index(p.src[p.pos+2:], "*/")
			if end < 0 {
				p.advance(len(p.src) - p.pos)
				return
			}
			p.advance(end + 4)
		default:
			return
		}
	}
}

// recover skips past the next ';' (or to the end), to go on after a
// statement that could not be read.
func (p *prefsLexer) recover() {
	for p.pos < len(p.src) {
		c := p.src[p.pos]
		p.advance(1)
		if c == ';' {
			return
		}
	}
}

func (p *prefsLexer) expect(c byte) error {
	p.skipSpace()
	if p.pos >= len(p.src) || p.src[p.pos] != c {
		return p.errorf("expected %q", c)
	}
	p.advance(1)
	return nil
}

func (p *prefsLexer) statement() (string, any, error) {
	start := p.pos
	for p.pos < len(p.src) && (isLetter(p.src[p.pos]) || p.src[p.pos] == '_') {
		p.pos++
	}
	switch kind := p.src[start:p.pos]; kind {
	case "pref", "user_pref", "sticky_pref":
	default:
		return "", nil, p.errorf("expected pref, user_pref or sticky_pref, found %q", truncate(p.src[start:], 20))
	}
	if err := p.expect('('); err != nil {
		return "", nil, err
	}
	p.skipSpace()
	name, err := p.stringLit()
	if err != nil {
		return "", nil, err
	}
	if err := p.expect(','); err != nil {
		return "", nil, err
	}
	p.skipSpace()
	value, err := p.value()
	if err != nil {
		return "", nil, err
	}
	// pref() may carry attributes: , sticky, locked.
	p.skipSpace()
	for p.pos < len(p.src) && p.src[p.pos] == ',' {
		p.advance(1)
		p.skipSpace()
		for p.pos < len(p.src) && (isLetter(p.src[p.pos]) || p.src[p.pos] == '_') {
			p.pos++
		}
		p.skipSpace()
	}
	if err := p.expect(')'); err != nil {
		return "", nil, err
	}
	if err := p.expect(';'); err != nil {
		return "", nil, err
	}
	return name, value, nil
}

func (p *prefsLexer) value() (any, error) {
	if p.pos >= len(p.src) {
		return nil, p.errorf("expected a value")
	}
	switch c := p.src[p.pos]; {
	case c == '"' || c == '\'':
		return p.stringLit()
	case c == '-' || c == '+' || ('0' <= c && c <= '9'):
		start := p.pos
		p.pos++
		for p.pos < len(p.src) && '0' <= p.src[p.pos] && p.src[p.pos] <= '9' {
			p.pos++
		}
		// Firefox's integer prefs are 32-bit.
		n, err := strconv.ParseInt(p.src[start:p.pos], 10, 32)
		if err != nil {
			return nil, p.errorf("bad integer %q", p.src[start:p.pos])
		}
		return n, nil
	case strings.HasPrefix(p.src[p.pos:], "true"):
		p.pos += 4
		return true, nil
	case strings.HasPrefix(p.src[p.pos:], "false"):
		p.pos += 5
		return false, nil
	}
	return nil, p.errorf("expected a string, a number, true or false")
}

func (p *prefsLexer) stringLit() (string, error) {
	if p.pos >= len(p.src) || (p.src[p.pos] != '"' && p.src[p.pos] != '\'') {
		return "", p.errorf("expected a quoted string")
	}
	quote := p.src[p.pos]
	p.pos++
	var b strings.Builder
	for p.pos < len(p.src) {
		c := p.src[p.pos]
		switch {
		case c == quote:
			p.pos++
			return b.String(), nil
		case c == '\n':
			return "", p.errorf("unterminated string")
		case c == '\\':
			if p.pos+1 >= len(p.src) {
				return "", p.errorf("unterminated string")
			}
			e := p.src[p.pos+1]
			p.pos += 2
			switch e {
			case '\\', '"', '\'':
				b.WriteByte(e)
			case 'n':
				b.WriteByte('\n')
			case 'r':
				b.WriteByte('\r')
			case 'x', 'u':
				n := 2
				if e == 'u' {
					n = 4
				}
				if p.pos+n > len(p.src) {
					return "", p.errorf("bad \\%c escape", e)
				}
				v, err := strconv.ParseUint(p.src[p.pos:p.pos+n], 16, 32)
				if err != nil {
					return "", p.errorf("bad \\%c escape", e)
				}
				p.pos += n
				r := rune(v)
				if !utf8.ValidRune(r) {
					r = utf8.RuneError
				}
				b.WriteRune(r)
			default:
				return "", p.errorf("bad escape \\%c", e)
			}
		default:
			b.WriteByte(c)
			p.pos++
		}
	}
	return "", p.errorf("unterminated string")
}

func isLetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

// String returns a string pref.
func (p Prefs) String(name string) (string, bool) {
	s, ok := p[name].(string)
	return s, ok
}

// Int returns an integer pref.
func (p Prefs) Int(name string) (int64, bool) {
	n, ok := p[name].(int64)
	return n, ok
}

// Bool returns a boolean pref.
func (p Prefs) Bool(name string) (value, ok bool) {
	b, ok := p[name].(bool)
	return b, ok
}

// DNSOverHTTPS is Firefox's Trusted Recursive Resolver setting
// (network.trr.mode: 0 off by default, 5 off by choice, 2 "first" — DoH
// with the system's DNS as fallback, 3 "only"), with its resolver
// (network.trr.uri) as the one template. Mode is "" for values Firefox
// does not define.
func (p Prefs) DNSOverHTTPS() DNSOverHTTPS {
	mode, _ := p.Int("network.trr.mode")
	var d DNSOverHTTPS
	switch mode {
	case 0, 5:
		d.Mode = "off"
	case 2:
		d.Mode = "first"
	case 3:
		d.Mode = "only"
	}
	if uri, _ := p.String("network.trr.uri"); uri != "" {
		d.Templates = []string{uri}
	}
	return d
}

// Proxy is Firefox's own proxy setting (network.proxy.type: 0 direct, 1
// manual, 2 a PAC file, 4 auto-detect, 5 the system's, the default).
func (p Prefs) Proxy() Proxy {
	t, ok := p.Int("network.proxy.type")
	if !ok {
		t = 5
	}
	var out Proxy
	switch t {
	case 0:
		out.Mode = "direct"
	case 1:
		out.Mode = "manual"
	case 2:
		out.Mode = "pac"
	case 4:
		out.Mode = "auto_detect"
	case 5:
		out.Mode = "system"
	default:
		out.Mode = fmt.Sprint(t)
	}
	out.PACURL, _ = p.String("network.proxy.autoconfig_url")
	out.Bypass, _ = p.String("network.proxy.no_proxies_on")
	var servers []string
	share, _ := p.Bool("network.proxy.share_proxy_settings")
	for _, s := range []struct{ scheme, pref string }{{"http", "http"}, {"https", "ssl"}, {"socks", "socks"}} {
		pref := s.pref
		if share && s.scheme != "http" {
			pref = "http"
		}
		host, _ := p.String("network.proxy." + pref)
		if host == "" {
			continue
		}
		if port, ok := p.Int("network.proxy." + pref + "_port"); ok && port > 0 {
			host += ":" + strconv.FormatInt(port, 10)
		}
		servers = append(servers, s.scheme+"="+host)
	}
	out.Server = strings.Join(servers, ";")
	return out
}
