package check

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/clearance-app/clearance/agent/diag/config"
	"github.com/clearance-app/clearance/agent/diag/finding"
	"github.com/clearance-app/clearance/internal/testworld/tcptest"
	"github.com/clearance-app/clearance/platform/browser"
)

var browserTestNow = time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)

// browserTestRun runs the browser check against a described home.
func browserTestRun(t *testing.T, h *fakeHost) Result {
	t.Helper()
	cfg := config.Default()
	env := Env{Config: &cfg, Host: h, Now: func() time.Time { return browserTestNow }}
	env.fillDefaults()
	return runOne(t.Context(), env, browserCheck, nil)
}

func browserTestFinding(res Result, code finding.Code) (finding.Finding, bool) {
	for _, f := range res.Findings {
		if f.Code == code {
			return f, true
		}
	}
	return finding.Finding{}, false
}

var (
	chrome  = browser.Browser{Name: "Chrome", Family: browser.Chromium, Version: "156.0.8078.114", Built: browserTestNow.Add(-20 * 24 * time.Hour), Profiles: []browser.Profile{{Name: "Person 1", Dir: "/home/ann/.config/google-chrome/Default"}, {Name: "Work", Dir: "/home/ann/.config/google-chrome/Profile 1"}}}
	firefox = browser.Browser{Name: "Firefox", Family: browser.Firefox, Channel: "esr", Version: "153.8.0", Built: browserTestNow.Add(-30 * 24 * time.Hour), Profiles: []browser.Profile{{Name: "default-esr", Dir: "/home/ann/.mozilla/firefox/abcd.default-esr"}}}
)

// Extensions as Debian's Chromium and Firefox record them (the recorded
// Preferences and extensions.json in platform/browser/testdata), with the
// names and permissions of real extensions.
var (
	tampermonkey = browser.Extension{ID: "dhdgffkkebhmkfjojejmpbldmpobfkfo", Name: "Tampermonkey", Type: "extension", Enabled: true,
		Permissions: []string{"storage", "unlimitedStorage"}, ContentScripts: []string{"http://*/*", "https://*/*"}}
	uBlock = browser.Extension{ID: "ddkjiahejlhfcafbddmgiahcphecmpfh", Name: "uBlock Origin Lite", Type: "extension", Enabled: true,
		Permissions: []string{"declarativeNetRequest", "scripting"}}
	notes = browser.Extension{ID: "aapbdbdomjkkjkaonfhkkikfgjllcleb", Name: "Google Translate", Type: "extension", Enabled: true,
		Permissions: []string{"activeTab", "contextMenus"}}
	offVPN = browser.Extension{ID: "omghfjlpggmjjaagoclmmobgdodcjboh", Name: "Browsec VPN", Type: "extension", Enabled: false,
		Permissions: []string{"proxy"}}
	onVPN = browser.Extension{ID: "fdcgdnkidjaadafnichfpabhfomcebme", Name: "ZenMate VPN", Type: "extension", Enabled: true,
		Permissions: []string{"proxy", "storage"}}
	builtin = browser.Extension{ID: "ddg@search.mozilla.org", Name: "DuckDuckGo", Type: "extension", Enabled: true, Builtin: true,
		Permissions: []string{"webRequest", "webRequestBlocking"}, Hosts: []string{"<all_urls>"}}
	theme = browser.Extension{ID: "dark-theme", Name: "Dark", Type: "theme", Enabled: true, ContentScripts: []string{"<all_urls>"}}
)

func TestBrowserAllClear(t *testing.T) {
	t.Parallel()
	res := browserTestRun(t, &fakeHost{browsers: []browser.Browser{chrome, firefox}, profiles: map[string]BrowserProfile{
		chrome.Profiles[0].Dir:  {Extensions: []browser.Extension{notes, offVPN}, Settings: browser.Settings{Proxy: browser.Proxy{Mode: "system"}, DNSOverHTTPS: browser.DNSOverHTTPS{Mode: "automatic"}}},
		firefox.Profiles[0].Dir: {Extensions: []browser.Extension{builtin, theme}, Settings: browser.Settings{Proxy: browser.Proxy{Mode: "system"}, DNSOverHTTPS: browser.DNSOverHTTPS{Mode: "off"}}},
	}})
	if res.Status != Pass || len(res.Findings) != 0 {
		t.Fatalf("status %s findings %v, want a plain pass (%s)", res.Status, res.Findings, res.Summary)
	}
	if !strings.HasPrefix(res.Summary, "2 browsers, 3 profiles: nothing") {
		t.Errorf("summary %q", res.Summary)
	}
}

// Extensions that can change requests or pages are named, with why; a VPN
// extension says it is one; disabled, built-in and theme ones are not.
func TestBrowserExtensionRisk(t *testing.T) {
	t.Parallel()
	res := browserTestRun(t, &fakeHost{browsers: []browser.Browser{chrome, firefox}, profiles: map[string]BrowserProfile{
		chrome.Profiles[0].Dir:  {Extensions: []browser.Extension{tampermonkey, notes, offVPN}},
		chrome.Profiles[1].Dir:  {Extensions: []browser.Extension{uBlock, onVPN}},
		firefox.Profiles[0].Dir: {Extensions: []browser.Extension{builtin, theme}},
	}})
	f, ok := browserTestFinding(res, finding.BrowserExtensionRisk.Code)
	if !ok || res.Status != Warn {
		t.Fatalf("status %s findings %v, want browser-extension-risk", res.Status, res.Findings)
	}
	ev := f.Evidence
	if ev["browser"] != "Chrome" || ev["profile"] != "Person 1" || ev["extension"] != "Tampermonkey" || ev["extension_id"] != tampermonkey.ID ||
		ev["why"] != "known to rewrite requests or pages" {
		t.Errorf("evidence %v", ev)
	}
	all := ev["extensions"].([]browserRisk)
	if len(all) != 3 {
		t.Fatalf("extensions %+v, want Tampermonkey, uBlock Origin Lite and ZenMate VPN", all)
	}
	if all[1].Extension != "uBlock Origin Lite" || !strings.Contains(all[1].Why, "declarativeNetRequest") || all[1].Profile != "Work" {
		t.Errorf("second %+v", all[1])
	}
	if all[2].Extension != "ZenMate VPN" || all[2].Kind != "vpn" {
		t.Errorf("the VPN extension %+v, want kind vpn", all[2])
	}
	if f.Fixes[0] != "open-private-window" {
		t.Errorf("fixes %v", f.Fixes)
	}
}

// A browser that resolves names over its own DNS-over-HTTPS resolver is
// said so (info); the automatic mode, which upgrades the system's own
// resolver, is not.
func TestBrowserDNSOverride(t *testing.T) {
	t.Parallel()
	res := browserTestRun(t, &fakeHost{browsers: []browser.Browser{chrome, firefox}, profiles: map[string]BrowserProfile{
		chrome.Profiles[0].Dir:  {Settings: browser.Settings{DNSOverHTTPS: browser.DNSOverHTTPS{Mode: "automatic"}}},
		firefox.Profiles[0].Dir: {Settings: browser.Settings{DNSOverHTTPS: browser.DNSOverHTTPS{Mode: "only", Templates: []string{"https://mozilla.cloudflare-dns.com/dns-query"}}}},
	}})
	f, ok := browserTestFinding(res, finding.BrowserDNSOverride.Code)
	if !ok || f.Severity != finding.Info || res.Status != Pass {
		t.Fatalf("findings %v status %s, want browser-dns-override (info)", res.Findings, res.Status)
	}
	if f.Evidence["browser"] != "Firefox" || f.Evidence["resolver"] != "https://mozilla.cloudflare-dns.com/dns-query" {
		t.Errorf("evidence %v", f.Evidence)
	}
}

// A browser's own proxy is info while it answers, a warning when it does
// not; its password never shows.
func TestBrowserProxy(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		server   string
		severity finding.Severity
	}{
		{"answers", "http=user:secret@" + tcptest.Serve(t, nil), finding.Info},
		{"dead", "user:secret@" + tcptest.Closed(t), finding.Warning},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := browserTestRun(t, &fakeHost{browsers: []browser.Browser{firefox}, profiles: map[string]BrowserProfile{
				firefox.Profiles[0].Dir: {Settings: browser.Settings{Proxy: browser.Proxy{Mode: "manual", Server: tc.server}}},
			}})
			f, ok := browserTestFinding(res, finding.BrowserProxy.Code)
			if !ok || f.Severity != tc.severity {
				t.Fatalf("findings %v, want browser-proxy at %s", res.Findings, tc.severity)
			}
			if p := f.Evidence["proxy"].(string); strings.Contains(p, "secret") || !strings.Contains(p, "127.0.0.1") {
				t.Errorf("evidence.proxy %q", p)
			}
		})
	}
}

// A build months old is out of date; an ESR build gets longer; an unknown
// build date says nothing.
func TestBrowserOutdated(t *testing.T) {
	t.Parallel()
	old := chrome
	old.Built = browserTestNow.Add(-150 * 24 * time.Hour)
	esr := firefox
	esr.Built = browserTestNow.Add(-150 * 24 * time.Hour)
	unknown := chrome
	unknown.Name, unknown.Built = "Chromium", time.Time{}
	res := browserTestRun(t, &fakeHost{browsers: []browser.Browser{old, esr, unknown}})
	f, ok := browserTestFinding(res, finding.BrowserOutdated.Code)
	if !ok || f.Severity != finding.Info {
		t.Fatalf("findings %v, want browser-outdated", res.Findings)
	}
	all := f.Evidence["browsers"].([]map[string]any)
	if len(all) != 1 || all[0]["browser"] != "Chrome" || all[0]["age_days"] != 150 {
		t.Errorf("outdated %v, want only Chrome, 150 days (ESR is judged against its own cycle)", all)
	}
}

// A home whose profiles could not all be read says so, and judges the
// rest; none at all is a plain pass.
func TestBrowserErrorsAndNoBrowser(t *testing.T) {
	t.Parallel()
	res := browserTestRun(t, &fakeHost{browsersErr: []error{errors.New("Chrome, profile Work: permission denied")}})
	if res.Status != Pass || !strings.Contains(res.Summary, "no browser profile") {
		t.Fatalf("status %s summary %q", res.Status, res.Summary)
	}
	if errs := res.Data["errors"].([]string); len(errs) != 1 {
		t.Errorf("errors %v", errs)
	}
}

func TestBrowserProxyAddr(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"proxy.corp:3128":                      "proxy.corp:3128",
		"http=proxy.corp:3128;https=other:443": "proxy.corp:3128",
		"socks5://ann:pw@127.0.0.1:1080":       "127.0.0.1:1080",
		"[2001:db8::1]:8080":                   "[2001:db8::1]:8080",
		"no port":                              "",
		"":                                     "",
	} {
		if got := browserProxyAddr(in); got != want {
			t.Errorf("browserProxyAddr(%q) = %q, want %q", in, got, want)
		}
	}
}
