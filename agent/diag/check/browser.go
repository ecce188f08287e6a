package check

import (
	"context"
	"fmt"
	"net"
	"slices"
	"strings"
	"time"

	"github.com/clearance-app/clearance/agent/diag/config"
	"github.com/clearance-app/clearance/agent/diag/finding"
	"github.com/clearance-app/clearance/platform/browser"
	"github.com/clearance-app/clearance/platform/proxy"
)

// browserCheck looks inside the person's browsers for the causes nothing
// on the network can see, and that make a browser refused while
// Clearance's own probe passes: extensions that change requests or pages,
// a DNS-over-HTTPS resolver or a proxy of the browser's own, and a build
// months old. It reads profiles, so it is a user check: the agent never
// runs it. It never changes a profile (Chromium takes an edited
// Preferences file for tampering and resets the profile).
var browserCheck = Check{
	Name:    "browser",
	User:    true,
	Timeout: func(*config.Config) time.Duration { return 5 * time.Second },
	Run:     runBrowser,
}

// browserOld is how long a build may go without an update before it is
// called out of date: Chromium-family browsers and Firefox release every
// four weeks, so 120 days is several versions behind. Extended-support
// channels take new versions less often.
var browserOld = map[string]time.Duration{
	"":         120 * 24 * time.Hour,
	"esr":      180 * 24 * time.Hour,
	"extended": 180 * 24 * time.Hour,
}

// browserRiskyPermissions let an extension change or redirect requests.
var browserRiskyPermissions = []string{
	"proxy", "webRequestBlocking", "declarativeNetRequest", "declarativeNetRequestWithHostAccess",
	"declarativeNetRequestFeedback", "userScripts",
}

// browserKnownRisky are extensions known to rewrite headers or pages, by a
// word of their name (lower case).
var browserKnownRisky = []string{
	"modheader", "requestly", "tampermonkey", "violentmonkey", "greasemonkey", "dark reader",
	"user-agent switcher", "user agent switcher", "useragent switcher",
}

// browserAllURLs are the match patterns that put a script into every page,
// ChatGPT's included.
var browserAllURLs = []string{"<all_urls>", "*://*/*", "http://*/*", "https://*/*", "file:///*"}

// browserOpenAIHosts are the sites whose pages matter here.
var browserOpenAIHosts = []string{"chatgpt.com", "openai.com", "oaistatic.com"}

// browserRisk is one extension that can change requests or pages.
type browserRisk struct {
	Browser   string `json:"browser"`
	Profile   string `json:"profile"`
	Extension string `json:"extension"`
	ID        string `json:"id"`
	Why       string `json:"why"`
	Kind      string `json:"kind,omitempty"` // "vpn" or "proxy"
}

func runBrowser(ctx context.Context, env *Env) Result {
	now := env.Now()
	browsers, errs := env.Host.Browsers(ctx)
	data := map[string]any{"errors": browserErrors(errs)}
	if len(browsers) == 0 {
		return Result{Status: Pass, Summary: "no browser profile found for this user", Data: data}
	}
	var (
		risks    []browserRisk
		dohs     []map[string]any
		proxies  []map[string]any
		outdated []map[string]any
		listed   []map[string]any
	)
	for _, b := range browsers {
		var names []string
		for _, p := range b.Profiles {
			names = append(names, p.Name)
			prof, perrs := env.Host.BrowserProfile(b, p)
			errs = append(errs, perrs...)
			risks = append(risks, browserRisks(b, p, prof.Extensions)...)
			if r, ok := browserDoH(prof.Settings.DNSOverHTTPS); ok {
				dohs = append(dohs, map[string]any{"browser": b.Name, "profile": p.Name, "resolver": r, "mode": prof.Settings.DNSOverHTTPS.Mode})
			}
			if px, ok := browserOwnProxy(prof.Settings.Proxy); ok {
				proxies = append(proxies, map[string]any{"browser": b.Name, "profile": p.Name, "proxy": px, "mode": prof.Settings.Proxy.Mode,
					"answers": browserProxyAnswers(ctx, prof.Settings.Proxy)})
			}
		}
		if age, old := browserAge(b, now); old {
			outdated = append(outdated, map[string]any{"browser": b.Name, "version": b.Version, "channel": b.Channel,
				"built": b.Built.UTC().Format(time.DateOnly), "age_days": int(age.Hours() / 24)})
		}
		listed = append(listed, map[string]any{"name": b.Name, "install": b.Install, "version": b.Version,
			"channel": b.Channel, "default": b.Default, "profiles": NonNil(names)})
	}
	data["browsers"] = listed
	data["errors"] = browserErrors(errs)

	var fs []finding.Finding
	if len(risks) > 0 {
		first := risks[0]
		ev := map[string]any{"browser": first.Browser, "profile": first.Profile, "extension": first.Extension,
			"extension_id": first.ID, "why": first.Why, "extensions": risks}
		if first.Kind != "" {
			ev["kind"] = first.Kind
		}
		fs = append(fs, finding.BrowserExtensionRisk.New(now, ev))
	}
	if len(dohs) > 0 {
		ev := map[string]any{"browser": dohs[0]["browser"], "resolver": dohs[0]["resolver"], "profiles": dohs}
		fs = append(fs, finding.BrowserDNSOverride.New(now, ev))
	}
	if len(proxies) > 0 {
		ev := map[string]any{"browser": proxies[0]["browser"], "proxy": proxies[0]["proxy"], "profiles": proxies}
		f := finding.BrowserProxy.New(now, ev)
		if slices.ContainsFunc(proxies, func(p map[string]any) bool { return p["answers"] == false }) {
			f.Severity = finding.Warning
		}
		fs = append(fs, f)
	}
	if len(outdated) > 0 {
		ev := map[string]any{"browser": outdated[0]["browser"], "version": outdated[0]["version"], "browsers": outdated}
		fs = append(fs, finding.BrowserOutdated.New(now, ev))
	}
	return Result{Findings: fs, Data: data, Summary: browserSummary(browsers, risks, dohs, proxies, outdated)}
}

// browserRisks are the enabled extensions of a profile that can change
// requests or pages: by their permissions, by scripts put into every page
// or OpenAI's, or by being known to. The browser's own parts and
// disabled ones do not count.
func browserRisks(b browser.Browser, p browser.Profile, exts []browser.Extension) []browserRisk {
	var out []browserRisk
	for _, e := range exts {
		if !e.Enabled || e.Builtin || (e.Type != "" && e.Type != "extension") {
			continue
		}
		why := browserWhy(e)
		if why == "" {
			continue
		}
		r := browserRisk{Browser: b.Name, Profile: p.Name, Extension: cmpName(e), ID: e.ID, Why: why}
		name := strings.ToLower(e.Name)
		switch {
		case strings.Contains(name, "vpn"):
			r.Kind = "vpn"
		case strings.Contains(name, "proxy") || slices.Contains(e.Permissions, "proxy"):
			r.Kind = "proxy"
		}
		out = append(out, r)
	}
	return out
}

// browserWhy says why an extension can change requests or pages, or "".
func browserWhy(e browser.Extension) string {
	name := strings.ToLower(e.Name)
	for _, k := range browserKnownRisky {
		if strings.Contains(name, k) {
			return "known to rewrite requests or pages"
		}
	}
	if strings.Contains(name, "vpn") {
		return "a VPN extension: ChatGPT sees the VPN's address"
	}
	for _, perm := range e.Permissions {
		if slices.Contains(browserRiskyPermissions, perm) {
			return "may change or redirect requests (" + perm + ")"
		}
	}
	for _, m := range e.ContentScripts {
		if slices.Contains(browserAllURLs, m) {
			return "puts scripts into every page (" + m + ")"
		}
		for _, h := range browserOpenAIHosts {
			if strings.Contains(m, h) {
				return "puts scripts into " + h + " pages"
			}
		}
	}
	return ""
}

func cmpName(e browser.Extension) string {
	if e.Name != "" {
		return e.Name
	}
	return e.ID
}

// browserDoH names the resolver of a browser that resolves names itself,
// bypassing the system's: Chromium in "secure" mode, Firefox's TRR first or
// only. Chromium's "automatic" upgrades the system's own resolver, whose
// verdict still applies.
func browserDoH(d browser.DNSOverHTTPS) (string, bool) {
	switch d.Mode {
	case "secure", "first", "only":
	default:
		return "", false
	}
	if len(d.Templates) == 0 {
		return "the browser's default DNS-over-HTTPS provider", true
	}
	return strings.Join(d.Templates, ", "), true
}

// browserOwnProxy describes a proxy set in the browser itself, credentials
// masked; the system's settings and no proxy are not its own.
func browserOwnProxy(p browser.Proxy) (string, bool) {
	switch p.Mode {
	case "manual":
		return proxy.MaskCredentials(p.Server), p.Server != ""
	case "pac":
		return "PAC " + proxy.MaskCredentials(p.PACURL), true
	case "auto_detect":
		return "found by auto-discovery (WPAD)", true
	}
	return "", false
}

// browserProxyAnswers tries a TCP connect to a manual proxy; a script
// (PAC, WPAD) names no proxy to try, and counts as answering.
func browserProxyAnswers(ctx context.Context, p browser.Proxy) bool {
	if p.Mode != "manual" {
		return true
	}
	addr := browserProxyAddr(p.Server)
	if addr == "" {
		return true
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	var d net.Dialer
	c, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return false
	}
	c.Close()
	return true
}

// browserProxyAddr is the host:port of the first proxy in a server list
// ("host:port", "http=host:port;https=…", "socks5://user:pass@host:port").
func browserProxyAddr(server string) string {
	first, _, _ := strings.Cut(server, ";")
	if _, v, ok := strings.Cut(first, "="); ok {
		first = v
	}
	if _, v, ok := strings.Cut(first, "://"); ok {
		first = v
	}
	if _, v, ok := strings.Cut(first, "@"); ok {
		first = v
	}
	first = strings.TrimSpace(first)
	if _, _, err := net.SplitHostPort(first); err != nil {
		return ""
	}
	return first
}

// browserAge says how old a build is, and whether that is out of date for
// its channel. An unknown build date says nothing.
func browserAge(b browser.Browser, now time.Time) (time.Duration, bool) {
	if b.Built.IsZero() {
		return 0, false
	}
	limit, ok := browserOld[b.Channel]
	if !ok {
		limit = browserOld[""]
	}
	age := now.Sub(b.Built)
	return age, age > limit
}

func browserErrors(errs []error) []string {
	out := []string{}
	for _, e := range errs {
		out = append(out, e.Error())
	}
	return out
}

// browserSummary is one line for a person.
func browserSummary(bs []browser.Browser, risks []browserRisk, dohs, proxies, outdated []map[string]any) string {
	profiles := 0
	for _, b := range bs {
		profiles += len(b.Profiles)
	}
	var parts []string
	if len(risks) > 0 {
		parts = append(parts, fmt.Sprintf("%s that can change requests or pages (%s in %s)",
			finding.Plural(len(risks), "extension"), risks[0].Extension, risks[0].Browser))
	}
	if len(dohs) > 0 {
		parts = append(parts, fmt.Sprintf("%s resolves names itself", dohs[0]["browser"]))
	}
	if len(proxies) > 0 {
		parts = append(parts, fmt.Sprintf("%s uses a proxy of its own", proxies[0]["browser"]))
	}
	if len(outdated) > 0 {
		parts = append(parts, fmt.Sprintf("%s is %d days old", outdated[0]["browser"], outdated[0]["age_days"]))
	}
	if len(parts) == 0 {
		parts = append(parts, "nothing in them stands between them and ChatGPT")
	}
	return fmt.Sprintf("%s, %s: %s", finding.Plural(len(bs), "browser"), finding.Plural(profiles, "profile"), strings.Join(parts, "; "))
}
