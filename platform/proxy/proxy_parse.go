package proxy

import (
	"bufio"
	"bytes"
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/clearance-app/clearance/platform"
)

// Sources of proxy settings, as a person reads them.
const (
	SourceGNOME   = "GNOME settings"
	SourceKDE     = "KDE kioslaverc"
	SourceWindows = "Windows Internet Settings"
	SourceMacOS   = "macOS network settings"
)

// ParseScutilProxy reads the output of `scutil --proxy`: the proxy
// dictionary of the primary network service. Only enabled entries count;
// host and port keys survive switching a proxy off.
func ParseScutilProxy(out []byte) ([]Setting, error) {
	keys, lists, err := scutilDict(out)
	if err != nil {
		return nil, err
	}
	bypass := lists["ExceptionsList"]
	var s []Setting
	add := func(scheme, prefix, proxyScheme string) {
		if keys[prefix+"Enable"] != "1" || keys[prefix+"Proxy"] == "" {
			return
		}
		s = append(s, Setting{Source: SourceMacOS, Mode: ModeManual, Scheme: scheme,
			URL: hostPortURL(proxyScheme, keys[prefix+"Proxy"], keys[prefix+"Port"]), Bypass: bypass})
	}
	add(SchemeHTTP, "HTTP", "http")
	add(SchemeHTTPS, "HTTPS", "http")
	add(SchemeSOCKS, "SOCKS", "socks5")
	if keys["ProxyAutoConfigEnable"] == "1" {
		s = append(s, Setting{Source: SourceMacOS, Mode: ModePAC, URL: keys["ProxyAutoConfigURLString"], Bypass: bypass})
	}
	if keys["ProxyAutoDiscoveryEnable"] == "1" {
		s = append(s, Setting{Source: SourceMacOS, Mode: ModeWPAD, Bypass: bypass})
	}
	if len(s) == 0 {
		s = append(s, Setting{Source: SourceMacOS, Mode: ModeNone})
	}
	return s, nil
}

// ErrNoScutilDictionary is returned for output that holds no dictionary:
// not scutil's, so it says nothing about proxies.
var ErrNoScutilDictionary = errors.New("scutil printed no dictionary")

// scutilDict reads the top level of scutil's dictionary printout: scalar
// keys, and arrays as lists of their values. Nested dictionaries (the
// per-interface __SCOPED__ block) are skipped: their keys repeat the
// top-level names with other values and must not overwrite them.
func scutilDict(out []byte) (map[string]string, map[string][]string, error) {
	keys, lists := map[string]string{}, map[string][]string{}
	depth, seen := 0, false
	var inArray string // a top-level array being read
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "}" {
			if depth == 2 {
				inArray = ""
			}
			depth = max(depth-1, 0)
			continue
		}
		k, v, hasKey := strings.Cut(line, " : ")
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		switch {
		case depth == 1 && hasKey && !strings.HasSuffix(v, "{"):
			keys[k] = v
		case depth == 2 && inArray != "" && hasKey:
			lists[inArray] = append(lists[inArray], v)
		}
		if strings.HasSuffix(line, "{") {
			if depth == 0 {
				seen = true
			}
			if depth == 1 && strings.HasPrefix(v, "<array>") {
				inArray = k
			}
			depth++
		}
	}
	if !seen {
		return nil, nil, ErrNoScutilDictionary
	}
	return keys, lists, nil
}

// ErrNoGNOMEProxyMode is returned for gsettings output without the proxy
// mode: the schema is missing or the output is not gsettings'.
var ErrNoGNOMEProxyMode = errors.New("gsettings printed no proxy mode")

// ParseGSettingsProxy reads the output of
// `gsettings list-recursively org.gnome.system.proxy`: lines of
// "schema key value" with GVariant text values. The authentication
// password is read only into the proxy URL, which callers mask.
func ParseGSettingsProxy(out []byte) ([]Setting, error) {
	v := map[string]string{}
	var bypass []string
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		schema, rest, ok := strings.Cut(strings.TrimSpace(sc.Text()), " ")
		if !ok || !strings.HasPrefix(schema, "org.gnome.system.proxy") {
			continue
		}
		key, val, _ := strings.Cut(rest, " ")
		name := strings.TrimPrefix(strings.TrimPrefix(schema, "org.gnome.system.proxy"), ".")
		if name != "" {
			name += "."
		}
		name += key
		if name == "ignore-hosts" {
			bypass = gvariantStrings(val)
			continue
		}
		v[name] = gvariantString(val)
	}
	mode, ok := v["mode"]
	if !ok {
		return nil, ErrNoGNOMEProxyMode
	}
	one := func(s Setting) []Setting {
		s.Source = SourceGNOME
		return []Setting{s}
	}
	switch mode {
	case "none":
		return one(Setting{Mode: ModeNone}), nil
	case "auto":
		if u := v["autoconfig-url"]; u != "" {
			return one(Setting{Mode: ModePAC, URL: u, Bypass: bypass}), nil
		}
		return one(Setting{Mode: ModeWPAD, Bypass: bypass}), nil
	case "manual":
		return gnomeManual(v, bypass), nil
	}
	return one(Setting{Mode: ModeNone, Note: "unknown mode " + strconv.Quote(mode)}), nil
}

// gnomeManual turns the per-scheme host and port keys into settings. GNOME
// keeps a separate HTTPS proxy (an HTTP proxy used with CONNECT); the SOCKS
// host serves whatever has no proxy of its own.
func gnomeManual(v map[string]string, bypass []string) []Setting {
	var s []Setting
	for _, p := range []struct{ key, scheme, proxyScheme string }{
		{"http", SchemeHTTP, "http"},
		{"https", SchemeHTTPS, "http"},
		{"socks", SchemeSOCKS, "socks5"},
	} {
		host := v[p.key+".host"]
		if host == "" {
			continue
		}
		if p.key == "http" && v["http.use-authentication"] == "true" && v["http.authentication-user"] != "" {
			host = userInfo(v["http.authentication-user"], v["http.authentication-password"]) + "@" + host
		}
		s = append(s, Setting{Source: SourceGNOME, Mode: ModeManual, Scheme: p.scheme,
			URL: hostPortURL(p.proxyScheme, host, v[p.key+".port"]), Bypass: bypass})
	}
	if len(s) == 0 {
		s = append(s, Setting{Source: SourceGNOME, Mode: ModeNone, Note: "mode is manual but no proxy host is set"})
	}
	return s
}

// userInfo escapes a user and password for a URL.
func userInfo(user, pass string) string {
	esc := func(s string) string {
		return strings.NewReplacer("%", "%25", "@", "%40", ":", "%3A", "/", "%2F").Replace(s)
	}
	if pass == "" {
		return esc(user)
	}
	return esc(user) + ":" + esc(pass)
}

// gvariantString decodes a GVariant text value: a quoted string, or a bare
// number or boolean.
func gvariantString(v string) string {
	v = strings.TrimSpace(v)
	if len(v) >= 2 && (v[0] == '\'' || v[0] == '"') && v[len(v)-1] == v[0] {
		var b strings.Builder
		for i := 1; i < len(v)-1; i++ {
			if v[i] == '\\' && i+1 < len(v)-1 {
				i++
			}
			b.WriteByte(v[i])
		}
		return b.String()
	}
	return v
}

// gvariantStrings decodes a GVariant array of strings ("['a', 'b']", or
// "@as []" when empty).
func gvariantStrings(v string) []string {
	v = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(v), "@as"))
	v = strings.TrimSuffix(strings.TrimPrefix(v, "["), "]")
	var out []string
	for i := 0; i < len(v); i++ {
		q := v[i]
		if q != '\'' && q != '"' {
			continue
		}
		j := i + 1
		for j < len(v) && v[j] != q {
			if v[j] == '\\' {
				j++
			}
			j++
		}
		if j >= len(v) {
			break
		}
		out = append(out, gvariantString(v[i:j+1]))
		i = j
	}
	return out
}

// ParseKioslaverc reads the [Proxy Settings] group of KDE's kioslaverc.
// ProxyType: 0 none, 1 manual, 2 PAC script, 3 auto-discovery (WPAD),
// 4 environment variables. Manual values are "http://host port" (older
// KDE) or "host:port".
func ParseKioslaverc(data []byte) []Setting {
	g := iniGroup(data, "Proxy Settings")
	bypass := platform.SplitList(g["NoProxyFor"], ",")
	var note string
	if len(bypass) > 0 && g["ReversedException"] == "true" {
		// The list names the only hosts that use the proxy, the opposite of
		// a bypass list.
		note, bypass = "only "+strings.Join(bypass, ", ")+" use the proxy", nil
	}
	one := func(s Setting) []Setting {
		s.Source = SourceKDE
		if s.Note == "" {
			s.Note = note
		}
		return []Setting{s}
	}
	switch strings.TrimSpace(g["ProxyType"]) {
	case "", "0":
		return one(Setting{Mode: ModeNone})
	case "1":
		s := kdeManual(g, bypass)
		for i := range s {
			if s[i].Note == "" {
				s[i].Note = note
			}
		}
		return s
	case "2":
		return one(Setting{Mode: ModePAC, URL: g["Proxy Config Script"], Bypass: bypass})
	case "3":
		return one(Setting{Mode: ModeWPAD, Bypass: bypass})
	case "4":
		var names []string
		for _, k := range []string{"httpProxy", "httpsProxy", "socksProxy"} {
			if n := g[k]; n != "" {
				names = append(names, n)
			}
		}
		return one(Setting{Mode: ModeEnv, Bypass: bypass, Note: "variables " + strings.Join(names, ", ")})
	}
	return one(Setting{Mode: ModeNone, Note: "unknown ProxyType " + strconv.Quote(g["ProxyType"])})
}

func kdeManual(g map[string]string, bypass []string) []Setting {
	var s []Setting
	for _, p := range []struct{ key, scheme, proxyScheme string }{
		{"httpProxy", SchemeHTTP, "http"},
		{"httpsProxy", SchemeHTTPS, "http"},
		{"socksProxy", SchemeSOCKS, "socks5"},
	} {
		host, port, _ := strings.Cut(strings.TrimSpace(g[p.key]), " ")
		if h := strings.TrimPrefix(host, ":"); h == "" || h == "0" {
			continue // ":0" or empty: not set
		}
		u := hostPortURL(p.proxyScheme, host, strings.TrimSpace(port))
		// KDE writes SOCKS proxies as socks://, which is SOCKS version 5.
		u = strings.Replace(u, "socks://", "socks5://", 1)
		s = append(s, Setting{Source: SourceKDE, Mode: ModeManual, Scheme: p.scheme, URL: u, Bypass: bypass})
	}
	if len(s) == 0 {
		s = append(s, Setting{Source: SourceKDE, Mode: ModeNone, Note: "manual proxy type but no proxy address is set"})
	}
	return s
}

// iniGroup returns the keys of one [group] of a KDE/XDG-style ini file.
// Key flags such as "[$e]" are dropped from key names.
func iniGroup(data []byte, group string) map[string]string {
	out := map[string]string{}
	in := false
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' || line[0] == ';' {
			continue
		}
		if line[0] == '[' {
			in = line == "["+group+"]"
			continue
		}
		if !in {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			continue
		}
		if i := strings.Index(k, "["); i > 0 {
			k = k[:i]
		}
		out[strings.TrimSpace(k)] = strings.TrimSpace(v)
	}
	return out
}

// WinINETValues are the proxy values of the WinINET registry key
// (HKCU, or HKLM under the ProxySettingsPerUser=0 policy) as plain data.
type WinINETValues struct {
	ProxyEnable   bool   // DWORD ProxyEnable = 1
	ProxyServer   string // "host:port", or per scheme "http=host:port;https=host:port"
	ProxyOverride string // bypass list, ";"-separated, may hold "<local>"
	AutoConfigURL string // PAC script URL
	PerMachine    bool   // read from HKLM because of the policy
	// ConnectionSettings is the binary value
	// Internet Settings\Connections\DefaultConnectionSettings, nil when
	// absent. It holds the switches the settings pages show (see
	// parseWinINETConnection); the values above are their string mirror.
	ConnectionSettings []byte `json:"-"`
}

// Settings turns the values into proxy settings. The server list format is
// Microsoft's: entries "[<scheme>=][<scheme>://]<server>[:<port>]"
// separated by semicolons or whitespace; an entry without "scheme=" serves
// every scheme. WinINET's "socks=" is a SOCKS version 4 proxy.
//
// When DefaultConnectionSettings is present and readable, its flags are the
// switches: "Use a proxy server", "Use setup script" and "Automatically
// detect settings" are stored there, and ProxyEnable or AutoConfigURL can
// disagree with them (tools that write only one of the two, or leave
// AutoConfigURL behind when the script is switched off). Without it — or
// when it is garbled — the string values are all there is. Settings come in
// the order WinINET applies them: automatic detection, then the setup
// script, then the fixed proxy.
func (v WinINETValues) Settings() []Setting {
	sw := v.switches()
	note := ""
	if v.PerMachine {
		note = "machine-wide, by policy"
	}
	var s []Setting
	if sw.autoDetect {
		// The bypass list belongs to the fixed proxy; a discovered script
		// decides for itself.
		s = append(s, Setting{Source: SourceWindows, Mode: ModeWPAD,
			Note: joinNotes(note, "Windows turns this on by default; it sends traffic through a proxy only on a network that publishes a proxy script")})
	}
	bypass := platform.SplitList(sw.bypass, "; \t")
	if sw.script && sw.scriptURL != "" {
		s = append(s, Setting{Source: SourceWindows, Mode: ModePAC, URL: sw.scriptURL, Bypass: bypass, Note: note})
	}
	if sw.proxy {
		for _, e := range platform.SplitList(sw.server, "; \t\r\n") {
			if p, ok := wininetEntry(e); ok {
				p.Bypass, p.Note = bypass, note
				s = append(s, p)
			}
		}
	}
	if len(s) == 0 {
		ns := Setting{Source: SourceWindows, Mode: ModeNone, Note: note}
		if !sw.proxy && sw.server != "" {
			ns.Note = joinNotes(note, "a proxy is entered but switched off")
		}
		s = append(s, ns)
	}
	return s
}

func joinNotes(a, b string) string { return strings.TrimPrefix(a+"; "+b, "; ") }

// wininetSwitches are the effective WinINET settings: which of the three
// mechanisms are on, and their strings.
type wininetSwitches struct {
	proxy, script, autoDetect bool
	server, bypass, scriptURL string
}

// switches picks the effective settings: DefaultConnectionSettings' flags
// when it parses, the string values otherwise. A string missing from the
// binary value is taken from its string mirror.
func (v WinINETValues) switches() wininetSwitches {
	sw := wininetSwitches{
		proxy: v.ProxyEnable, script: v.AutoConfigURL != "",
		server: v.ProxyServer, bypass: v.ProxyOverride, scriptURL: v.AutoConfigURL,
	}
	if v.ConnectionSettings == nil {
		return sw
	}
	c, err := parseWinINETConnection(v.ConnectionSettings)
	if err != nil {
		return sw
	}
	sw.proxy = c.Flags&wininetFlagProxy != 0
	sw.script = c.Flags&wininetFlagAutoProxyURL != 0
	sw.autoDetect = c.Flags&wininetFlagAutoDetect != 0
	sw.server = cmp.Or(c.ProxyServer, v.ProxyServer)
	sw.bypass = cmp.Or(c.ProxyBypass, v.ProxyOverride)
	sw.scriptURL = cmp.Or(c.AutoConfigURL, v.AutoConfigURL)
	return sw
}

// The flags DWORD of DefaultConnectionSettings: WinINET's PROXY_TYPE_*
// values, as INTERNET_PER_CONN_FLAGS reports them (wininet.h; described at
// learn.microsoft.com, INTERNET_PER_CONN_OPTIONW).
const (
	wininetFlagDirect       = 0x01 // PROXY_TYPE_DIRECT: always set by the settings pages
	wininetFlagProxy        = 0x02 // PROXY_TYPE_PROXY: "Use a proxy server"
	wininetFlagAutoProxyURL = 0x04 // PROXY_TYPE_AUTO_PROXY_URL: "Use setup script"
	wininetFlagAutoDetect   = 0x08 // PROXY_TYPE_AUTO_DETECT: "Automatically detect settings" (WPAD)
)

// wininetConnection is the decoded DefaultConnectionSettings value.
type wininetConnection struct {
	Version, Counter, Flags uint32
	ProxyServer             string
	ProxyBypass             string
	AutoConfigURL           string
}

// parseWinINETConnection decodes the REG_BINARY value
// Software\Microsoft\Windows\CurrentVersion\Internet Settings\Connections\DefaultConnectionSettings.
// Microsoft does not document its layout; it is described by Microsoft's IE
// support blog ("What is DefaultConnectionSettings key?", 2017-06-20,
// blogs.msdn.microsoft.com/askie: the 9th byte is 01 with nothing checked,
// 03 manual proxy, 05 setup script, 09 automatic detection, 0f all) and
// decoded the same way by public parsers (vbfox/proxyconf
// src/proxyconf/internet_settings/modern/serialization.rs @04caecc,
// fhluo/winproxy settings/settings.go). Little-endian throughout:
//
//	offset 0  DWORD version (0x3C as of IE 6, 0x46 as of IE 7; 0x28 in
//	          WinHTTP's copy, which ends after the bypass list)
//	offset 4  DWORD change counter
//	offset 8  DWORD flags (wininetFlag*)
//	offset 12 DWORD length n, then n bytes: proxy server list
//	          DWORD length n, then n bytes: bypass list
//	          DWORD length n, then n bytes: setup script URL
//	          then bytes this reader ignores (last detection data, padding)
//
// The strings are single-byte characters. A value that ends where a length
// would start has no more strings (as in WinHTTP's copy); a length that runs
// past the end is an error, as is a value shorter than the flags. Nothing is
// allocated from a length before it is checked against the data.
func parseWinINETConnection(b []byte) (wininetConnection, error) {
	var c wininetConnection
	if len(b) < 12 {
		return c, fmt.Errorf("DefaultConnectionSettings is %d bytes, too short to hold its flags", len(b))
	}
	c.Version = binary.LittleEndian.Uint32(b[0:])
	c.Counter = binary.LittleEndian.Uint32(b[4:])
	c.Flags = binary.LittleEndian.Uint32(b[8:])
	rest := b[12:]
	for i, dst := range []*string{&c.ProxyServer, &c.ProxyBypass, &c.AutoConfigURL} {
		if len(rest) < 4 {
			break
		}
		n := binary.LittleEndian.Uint32(rest)
		rest = rest[4:]
		if uint64(n) > uint64(len(rest)) {
			return c, fmt.Errorf("DefaultConnectionSettings string %d claims %d bytes, %d remain", i+1, n, len(rest))
		}
		*dst = wininetString(rest[:n])
		rest = rest[n:]
	}
	return c, nil
}

// wininetString reads one string of the binary value: single-byte
// characters, sometimes with a terminating NUL counted in the length.
func wininetString(b []byte) string {
	return strings.ToValidUTF8(strings.TrimRight(string(b), "\x00"), "\uFFFD")
}

// wininetEntry reads one entry of a WinINET proxy server list.
func wininetEntry(e string) (Setting, bool) {
	scheme, server := SchemeAll, e
	if k, rest, ok := strings.Cut(e, "="); ok {
		scheme, server = strings.ToLower(strings.TrimSpace(k)), strings.TrimSpace(rest)
	}
	if server == "" {
		return Setting{}, false
	}
	proxyScheme := "http"
	switch scheme {
	case SchemeAll, SchemeHTTP, SchemeHTTPS:
	case "socks":
		scheme, proxyScheme = SchemeSOCKS, "socks4"
	default:
		// ftp= and gopher= do not carry web traffic.
		return Setting{}, false
	}
	return Setting{Source: SourceWindows, Mode: ModeManual, Scheme: scheme, URL: hostPortURL(proxyScheme, server, "")}, true
}
