package dnsconf

import (
	"bufio"
	"bytes"
	"net/netip"
	"strings"
)

// ResolvConf is what /etc/resolv.conf says, as far as finding the resolver
// needs it.
type ResolvConf struct {
	Nameservers []netip.Addr
	Search      []string
	Options     []string
	// Owner is the program the header comments name as the file's author
	// ("systemd-resolved", "NetworkManager", "resolvconf"); "" when none.
	// A header is a hint only: some files mention systemd-resolved without
	// pointing to it (tailscale's resolvOwner notes the same).
	Owner string
}

// ParseResolvConf parses resolv.conf(5). Unknown lines and bad addresses are
// skipped, as glibc skips them.
func ParseResolvConf(data []byte) ResolvConf {
	var rc ResolvConf
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if strings.HasPrefix(line, "#") || strings.HasPrefix(line, ";") {
			if rc.Owner == "" {
				rc.Owner = resolvConfOwner(line)
			}
			continue
		}
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		switch f[0] {
		case "nameserver":
			// A scoped IPv6 address ("fe80::1%eth0") is valid here.
			if a, err := netip.ParseAddr(f[1]); err == nil {
				rc.Nameservers = append(rc.Nameservers, a)
			}
		case "search", "domain":
			// The last of search/domain wins, as in glibc.
			rc.Search = append([]string(nil), f[1:]...)
		case "options":
			rc.Options = append(rc.Options, f[1:]...)
		}
	}
	return rc
}

// resolvConfOwner reads the author from a header comment line.
func resolvConfOwner(comment string) string {
	c := strings.ToLower(comment)
	switch {
	case strings.Contains(c, "systemd-resolved"):
		return "systemd-resolved"
	case strings.Contains(c, "networkmanager"):
		return "NetworkManager"
	case strings.Contains(c, "resolvconf"):
		return "resolvconf"
	case strings.Contains(c, "netconfig"):
		return "netconfig"
	}
	return ""
}

// ParseNSSwitchHosts returns the sources of the "hosts:" line of
// nsswitch.conf(5) in order, without the [STATUS=action] items. Nil when
// there is no such line (glibc then uses "dns files").
func ParseNSSwitchHosts(data []byte) []string {
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		line := sc.Text()
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		key, rest, ok := strings.Cut(line, ":")
		if !ok || strings.TrimSpace(key) != "hosts" {
			continue
		}
		return nssSources(rest)
	}
	return nil
}

// nssSources drops the bracketed actions, which may contain spaces
// ("[NOTFOUND=return !UNAVAIL=continue]").
func nssSources(s string) []string {
	var out []string
	depth := 0
	var word strings.Builder
	flush := func() {
		if word.Len() > 0 {
			out = append(out, word.String())
			word.Reset()
		}
	}
	for _, r := range s {
		switch {
		case r == '[':
			flush()
			depth++
		case r == ']':
			if depth > 0 {
				depth--
			}
		case depth > 0:
		case r == ' ' || r == '\t':
			flush()
		default:
			word.WriteRune(r)
		}
	}
	flush()
	return out
}

// resolveBeforeDNS reports whether nss-resolve answers host lookups ahead
// of nss-dns, which makes resolv.conf irrelevant for glibc programs.
func resolveBeforeDNS(sources []string) bool {
	for _, s := range sources {
		switch s {
		case "resolve":
			return true
		case "dns":
			return false
		}
	}
	return false
}
