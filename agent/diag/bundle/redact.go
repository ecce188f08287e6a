package bundle

import (
	"encoding/json"
	"net"
	"net/netip"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// Redactor replaces what identifies a machine or a person in text with
// placeholders: the machine's host names (host-1), the login names of its
// people (user-1), IPv4 and IPv6 addresses (ip4-1, ip6-1) and MAC addresses
// (mac-1). One value gets one placeholder for the Redactor's life, so that
// the parts of one bundle still agree with each other ("ip4-2 is the
// gateway in routes.json and the resolver in dns.json").
//
// Kept as they are, since they tell nothing about the machine and a lot
// about the problem: loopback, link-local and unspecified addresses, the
// documentation ranges (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24,
// 2001:db8::/32) and the all-zero MAC; but a kept IPv6 address whose
// interface identifier was made from a MAC (fe80::ab:cdff:feef:1234) has
// it replaced by that MAC's placeholder (fe80::mac-1).
//
// A name is only redacted as a whole word: "alice" in "/home/alice" and
// "alice-laptop", not in "malice". Names shorter than three characters,
// "root", names that look like a placeholder, and names that do not start
// and end with a letter or digit are not redacted: short ones would turn
// every other word into a placeholder, and root is on every machine. An
// escape of JSON or of a URL ("\n", "\u003c", "%2F") ends a word as a
// space does.
//
// A Redactor is not safe for concurrent use.
type Redactor struct {
	names  []string          // lower case, longest first
	kind   map[string]string // name → "host" or "user"
	seen   map[string]string // kind + value → placeholder
	counts map[string]int    // kind → placeholders given
}

// NewRedactor returns a redactor for the machine's host names and its
// people's login names. Names not worth redacting are dropped (see
// Redactor); a name given as both is a host name.
func NewRedactor(hosts, users []string) *Redactor {
	r := &Redactor{kind: map[string]string{}, seen: map[string]string{}, counts: map[string]int{}}
	add := func(kind string, names []string) {
		for _, n := range names {
			n = asciiLower(n)
			if _, dup := r.kind[n]; dup || !Redactable(n) {
				continue
			}
			r.kind[n] = kind
			r.names = append(r.names, n)
		}
	}
	add("host", hosts)
	add("user", users)
	sort.SliceStable(r.names, func(i, j int) bool { return len(r.names[i]) > len(r.names[j]) })
	return r
}

// placeholderLike matches names that a placeholder could be, or begin.
var placeholderLike = regexp.MustCompile(`(?i)^(host|user|ip4|ip6|mac)(-[0-9]+)?$`)

// Redactable says whether a host or login name is redacted (see Redactor).
func Redactable(name string) bool {
	return len([]rune(name)) >= 3 && !strings.EqualFold(name, "root") && !placeholderLike.MatchString(name) &&
		wordByte(name[0]) && wordByte(name[len(name)-1])
}

// Redact returns b with every name and address replaced. Its output is a
// fixed point: redacting it again changes nothing.
func (r *Redactor) Redact(b []byte) []byte {
	s := string(b)
	// A replacement can make a new match of another kind ("1.2.3.4x" becomes
	// "ip4-1x", which may be a login name), so passes repeat until nothing
	// changes; in practice the second finds nothing.
	for range 8 {
		next := r.names2(r.addrs(s))
		if next == s {
			break
		}
		s = next
	}
	return []byte(s)
}

// RedactPart redacts one part of a bundle: a JSON document string by
// string, each decoded, redacted as text and encoded again in its place,
// so that what JSON escapes ("\u003calice@example.org\u003e", a
// multi-line error's "\n") is redacted as the text it stands for, while
// the document keeps its keys' order and its indentation; anything else
// as text (Redact). Its output is a fixed point too.
func (r *Redactor) RedactPart(b []byte) []byte {
	if !json.Valid(b) {
		return r.Redact(b)
	}
	var out []byte
	last := 0
	for i := 0; i < len(b); i++ {
		if b[i] != '"' {
			continue
		}
		// In a valid document, a quote outside a string opens one; it
		// ends at the next quote not escaped.
		end := i + 1
		for b[end] != '"' {
			if b[end] == '\\' {
				end++
			}
			end++
		}
		end++
		var text string
		if err := json.Unmarshal(b[i:end], &text); err == nil {
			if red := string(r.Redact([]byte(text))); red != text {
				enc, _ := json.Marshal(red) // a string always encodes
				out = append(append(out, b[last:i]...), enc...)
				last = end
			}
		}
		i = end - 1
	}
	if out == nil {
		return b
	}
	return append(out, b[last:]...)
}

// placeholder is the placeholder for value of kind, given on first sight.
func (r *Redactor) placeholder(kind, value string) string {
	key := kind + " " + value
	if p, ok := r.seen[key]; ok {
		return p
	}
	r.counts[kind]++
	p := kind + "-" + strconv.Itoa(r.counts[kind])
	r.seen[key] = p
	return p
}

// Counts says how many distinct values of each kind were replaced.
func (r *Redactor) Counts() map[string]int {
	out := make(map[string]int, len(r.counts))
	for k, n := range r.counts {
		out[k] = n
	}
	return out
}

// names2 replaces the names, longest first, as whole words and whatever
// their case.
func (r *Redactor) names2(s string) string {
	if len(r.names) == 0 {
		return s
	}
	lower := asciiLower(s)
	esc := escapes(s)
	type span struct {
		from, to int
		with     string
	}
	var spans []span
	taken := make([]bool, len(s))
	for _, n := range r.names {
		for from := 0; ; {
			i := strings.Index(lower[from:], n)
			if i < 0 {
				break
			}
			i += from
			end := i + len(n)
			from = i + 1
			if i > 0 && wordByte(s[i-1]) && !esc[i-1] || end < len(s) && wordByte(s[end]) && !esc[end] || taken[i] || taken[end-1] {
				continue
			}
			for k := i; k < end; k++ {
				taken[k] = true
			}
			spans = append(spans, span{i, end, r.placeholder(r.kind[n], n)})
		}
	}
	if len(spans) == 0 {
		return s
	}
	sort.Slice(spans, func(i, j int) bool { return spans[i].from < spans[j].from })
	var b strings.Builder
	last := 0
	for _, sp := range spans {
		b.WriteString(s[last:sp.from])
		b.WriteString(sp.with)
		last = sp.to
	}
	b.WriteString(s[last:])
	return b.String()
}

// macPattern finds MAC-48 addresses and longer hardware addresses written
// as two-digit hex groups ("aa:bb:cc:dd:ee:ff", "AA-BB-CC-DD-EE-FF").
var macPattern = regexp.MustCompile(`[0-9A-Fa-f]{2}(?:[:-][0-9A-Fa-f]{2}){5,}`)

// addrs replaces MAC, IPv6 and IPv4 addresses, in that order: a MAC looks
// like part of an IPv6 address, and an IPv6 address can hold an IPv4 one.
func (r *Redactor) addrs(s string) string {
	s = replaceAll(s, macPattern.FindAllStringIndex(masked(s), -1), func(m string, prev, next byte) (string, bool) {
		if hexByte(prev) || prev == ':' || prev == '-' || wordByte(prev) || wordByte(next) || next == ':' || next == '-' {
			return "", false
		}
		if strings.Trim(m, "0:-") == "" {
			return "", false // the all-zero address of loopback and tunnels
		}
		return r.placeholder("mac", strings.ReplaceAll(asciiLower(m), "-", ":")), true
	})
	s = replaceAll(s, runs(masked(s), isV6Byte), func(m string, prev, next byte) (string, bool) {
		if wordByte(prev) || wordByte(next) || strings.Count(m, ":") < 2 {
			return "", false
		}
		a, err := netip.ParseAddr(m)
		if err != nil || !a.Is6() {
			return "", false
		}
		if Kept(a) {
			return r.eui64(a)
		}
		return r.addrPlaceholder(a)
	})
	return replaceAll(s, dottedQuads(masked(s), func(a netip.Addr) bool { return !Kept(a) }), func(m string, prev, next byte) (string, bool) {
		a, err := netip.ParseAddr(m)
		if err != nil {
			return "", false
		}
		return r.addrPlaceholder(a)
	})
}

// documentation are the ranges RFC 5737 and RFC 3849 keep for examples.
var documentation = []netip.Prefix{
	netip.MustParsePrefix("192.0.2.0/24"),
	netip.MustParsePrefix("198.51.100.0/24"),
	netip.MustParsePrefix("203.0.113.0/24"),
	netip.MustParsePrefix("2001:db8::/32"),
}

// Kept says whether an address is left as it is (see Redactor).
func Kept(a netip.Addr) bool {
	a = a.Unmap()
	if a.IsLoopback() || a.IsLinkLocalUnicast() || a.IsLinkLocalMulticast() || a.IsUnspecified() {
		return true
	}
	for _, p := range documentation {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// eui64 replaces the interface identifier of a kept IPv6 address when it
// was made from a MAC address (modified EUI-64: ff:fe in its middle, the
// universal/local bit flipped), since it spells that MAC:
// fe80::ab:cdff:feef:1234 is 02:ab:cd:ef:12:34, and becomes fe80::mac-1,
// with the placeholder that MAC has wherever it appears.
func (r *Redactor) eui64(a netip.Addr) (string, bool) {
	b := a.As16()
	if a.Is4In6() || b[11] != 0xff || b[12] != 0xfe {
		return "", false
	}
	mac := net.HardwareAddr{b[8] ^ 0x02, b[9], b[10], b[13], b[14], b[15]}
	prefix := netip.PrefixFrom(a.WithZone(""), 64).Masked().Addr().String() // ends in "::"
	return prefix + r.placeholder("mac", mac.String()), true
}

func (r *Redactor) addrPlaceholder(a netip.Addr) (string, bool) {
	a = a.Unmap().WithZone("")
	if Kept(a) {
		return "", false
	}
	if a.Is4() {
		return r.placeholder("ip4", a.String()), true
	}
	return r.placeholder("ip6", a.String()), true
}

// replaceAll replaces the spans of s that with accepts, given each span's
// text and the bytes before and after it (0 at either end).
//
// An escape next to a span ("\n", "\u003c", "%2F") is no part of the
// text around it, so prev and next are then 0 too.
func replaceAll(s string, spans [][]int, with func(m string, prev, next byte) (string, bool)) string {
	var b strings.Builder
	last := 0
	esc := escapes(s)
	for _, sp := range spans {
		var prev, next byte
		if sp[0] > 0 && !esc[sp[0]-1] {
			prev = s[sp[0]-1]
		}
		if sp[1] < len(s) && !esc[sp[1]] {
			next = s[sp[1]]
		}
		p, ok := with(s[sp[0]:sp[1]], prev, next)
		if !ok {
			continue
		}
		b.WriteString(s[last:sp[0]])
		b.WriteString(p)
		last = sp[1]
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

// runs finds the maximal runs of bytes in s that in accepts, less a
// leading single ":" ("addr:2001:…") and trailing dots and single colons
// (the end of a sentence, "…::1:").
func runs(s string, in func(byte) bool) [][]int {
	var out [][]int
	for i := 0; i < len(s); {
		if !in(s[i]) {
			i++
			continue
		}
		j := i
		for j < len(s) && in(s[j]) {
			j++
		}
		from, to := i, j
		if to-from > 1 && s[from] == ':' && s[from+1] != ':' {
			from++
		}
		for to > from && (s[to-1] == '.' || s[to-1] == ':' && (to-2 < from || s[to-2] != ':')) {
			to--
		}
		if to > from {
			out = append(out, []int{from, to})
		}
		i = j
	}
	return out
}

// dottedQuads finds the IPv4 addresses that want accepts: four
// dot-separated groups of one to three digits, not inside a longer number.
// Within "1234.5.6.7.8" it finds "5.6.7.8", within "1.2.3.4.5" "1.2.3.4",
// and within "127.8.8.8.8", where the loopback address is kept, "8.8.8.8".
func dottedQuads(s string, want func(netip.Addr) bool) [][]int {
	var out [][]int
	for _, r := range runs(s, func(c byte) bool { return c == '.' || '0' <= c && c <= '9' }) {
		groups := strings.Split(s[r[0]:r[1]], ".")
		at := r[0] // where groups[g] starts
		for g := 0; g+4 <= len(groups); {
			ok := true
			for _, d := range groups[g : g+4] {
				if len(d) < 1 || len(d) > 3 {
					ok = false
				}
			}
			if ok {
				n := len(groups[g]) + len(groups[g+1]) + len(groups[g+2]) + len(groups[g+3]) + 3
				if a, err := netip.ParseAddr(s[at : at+n]); err == nil && want(a) {
					out = append(out, []int{at, at + n})
					at += n + 1
					g += 4
					continue
				}
			}
			at += len(groups[g]) + 1
			g++
		}
	}
	return out
}

// escapes marks the bytes of s that belong to an escape: JSON's (\n, \t,
// \r, \", \\, \/, \b, \f, \uXXXX), as JSON put in a log or an error
// holds them, and URLs' (%XX). They end a word or an address as a space
// would: the "n" of "\nalice" is no part of the name, nor "3c" of
// "\u003c2a00::1" part of the address.
func escapes(s string) []bool {
	esc := make([]bool, len(s))
	mark := func(i, n int) int {
		for k := i; k < i+n; k++ {
			esc[k] = true
		}
		return i + n
	}
	for i := 0; i < len(s); {
		switch {
		case s[i] == '\\' && i+5 < len(s) && s[i+1] == 'u' && allHex(s[i+2:i+6]):
			i = mark(i, 6)
		case s[i] == '\\' && i+1 < len(s) && strings.IndexByte(`ntr"\/bf`, s[i+1]) >= 0:
			i = mark(i, 2)
		case s[i] == '%' && i+2 < len(s) && allHex(s[i+1:i+3]):
			i = mark(i, 3)
		default:
			i++
		}
	}
	return esc
}

// masked is s with the bytes of its escapes made spaces, for finding
// addresses: offsets stay those of s.
func masked(s string) string {
	esc := escapes(s)
	b := []byte(s)
	for i, e := range esc {
		if e {
			b[i] = ' '
		}
	}
	return string(b)
}

func allHex(s string) bool {
	for i := 0; i < len(s); i++ {
		if !hexByte(s[i]) {
			return false
		}
	}
	return true
}

func isV6Byte(c byte) bool { return hexByte(c) || c == ':' || c == '.' }

func hexByte(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// wordByte says whether c belongs to a word: an ASCII letter or digit, or
// any byte of a non-ASCII character.
func wordByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c >= 0x80
}

// asciiLower lowers ASCII letters only, so that byte offsets stay put.
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}
