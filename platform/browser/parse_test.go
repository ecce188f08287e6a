package browser

import (
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestParseLocalStateRecorded(t *testing.T) {
	ls, err := ParseLocalState(readFixture(t, "chromium-156/Local State"))
	if err != nil {
		t.Fatal(err)
	}
	want := []Profile{{Name: "Your Chromium", Dir: "Default"}, {Name: "Person 1", Dir: "Profile 1"}}
	if !reflect.DeepEqual(ls.Profiles, want) {
		t.Errorf("profiles %+v, want %+v", ls.Profiles, want)
	}
	if ls.DNSOverHTTPS.Mode != "secure" || !slices.Equal(ls.DNSOverHTTPS.Templates, []string{"https://dns.example.net/dns-query{?dns}"}) {
		t.Errorf("DoH %+v", ls.DNSOverHTTPS)
	}
	// stats_version "156.0.8078.114-64-devel", stats_buildtime "1795280360".
	if ls.ChromiumVersion != "156.0.8078.114" || !ls.Built.Equal(time.Unix(1795280360, 0)) {
		t.Errorf("version %q built %v", ls.ChromiumVersion, ls.Built)
	}
	if ls.LastUsed != "Profile 1" {
		t.Errorf("last used %q", ls.LastUsed)
	}
}

func TestParseLocalStateShapes(t *testing.T) {
	// Hand-written: profiles_order first, then the rest by folder; a
	// numeric build time; templates split on whitespace; values of other
	// types read as absent.
	ls, err := ParseLocalState([]byte(`{"profile":{"info_cache":{"Profile 2":{"name":"B"},"Default":{"name":"A"},"Profile 3":{"name":"C"},"bad":7},
		"profiles_order":["Profile 3","missing",1]},"dns_over_https":{"mode":"automatic","templates":" https://a/{?dns}\nhttps://b/dns "},
		"user_experience_metrics":{"stability":{"stats_buildtime":1700000000,"stats_version":7}}}`))
	if err != nil {
		t.Fatal(err)
	}
	var dirs []string
	for _, p := range ls.Profiles {
		dirs = append(dirs, p.Dir)
	}
	if !slices.Equal(dirs, []string{"Profile 3", "Default", "Profile 2"}) {
		t.Errorf("order %q", dirs)
	}
	if !slices.Equal(ls.DNSOverHTTPS.Templates, []string{"https://a/{?dns}", "https://b/dns"}) || ls.DNSOverHTTPS.Mode != "automatic" {
		t.Errorf("DoH %+v", ls.DNSOverHTTPS)
	}
	if ls.ChromiumVersion != "" || ls.Built.Unix() != 1700000000 {
		t.Errorf("version %q built %v", ls.ChromiumVersion, ls.Built)
	}
	for _, bad := range []string{"", "[]", "null", `{"profile":`, "\x00"} {
		if _, err := ParseLocalState([]byte(bad)); err == nil {
			t.Errorf("ParseLocalState(%q) accepted", bad)
		}
	}
}

func findExt(t *testing.T, exts []Extension, id string) Extension {
	t.Helper()
	for _, x := range exts {
		if x.ID == id {
			return x
		}
	}
	t.Fatalf("no extension %s in %+v", id, exts)
	return Extension{}
}

const (
	fixtureID = "gffipjongokipepnopfajgomkghkhbdl" // testdata/chromium-fixture-extension, loaded with --load-extension
	pdfID     = "mhjfbmdgcfjbbpaeojofohoefgiehjai" // Chromium's PDF viewer
)

func TestParsePreferencesRecorded(t *testing.T) {
	p, err := ParsePreferences(readFixture(t, "chromium-156/Default/Preferences"))
	if err != nil {
		t.Fatal(err)
	}
	x := findExt(t, p.Extensions, fixtureID)
	// No manifest is cached for it: its name is in its folder (see
	// Browser.Extensions), its permissions in active_permissions.
	want := Extension{ID: fixtureID, Enabled: true, Location: "command-line", Unpacked: true, Path: "/tmp/rec/ext-fixture",
		Permissions: []string{"storage", "declarativeNetRequest"}, Hosts: []string{"*://*.chatgpt.com/*"},
		ContentScripts: []string{"<all_urls>"}, State: -1}
	if !reflect.DeepEqual(x, want) {
		t.Errorf("fixture extension\n got %+v\nwant %+v", x, want)
	}
	pdf := findExt(t, p.Extensions, pdfID)
	if pdf.Name != "Chromium PDF Viewer" || !pdf.Builtin || pdf.Location != "component" || !pdf.Enabled || pdf.Type != "extension" ||
		!slices.Contains(pdf.Permissions, "fileSystem") || !slices.Contains(pdf.Hosts, "chrome://resources/") {
		t.Errorf("PDF viewer %+v", pdf)
	}
	if want := (Proxy{Mode: "manual", Server: "http=127.0.0.1:3128;https=127.0.0.1:3128", Bypass: "localhost"}); p.Proxy != want {
		t.Errorf("proxy %+v, want %+v", p.Proxy, want)
	}
	other, err := ParsePreferences(readFixture(t, "chromium-156/Profile 1/Preferences"))
	if err != nil {
		t.Fatal(err)
	}
	if other.Proxy.Mode != "system" || len(other.Extensions) != 1 {
		t.Errorf("Profile 1: %+v", other)
	}
	secure, err := ParsePreferences(readFixture(t, "chromium-156/Default/Secure Preferences"))
	if err != nil || len(secure.Extensions) != 0 {
		t.Errorf("Secure Preferences: %+v, %v", secure, err)
	}
}

// editPreferences changes the fixture extension's record of the recorded
// Preferences, as older or other Chromium versions write it.
func editPreferences(t *testing.T, edit func(e map[string]any)) []byte {
	t.Helper()
	var root map[string]any
	if err := json.Unmarshal(readFixture(t, "chromium-156/Default/Preferences"), &root); err != nil {
		t.Fatal(err)
	}
	edit(root["extensions"].(map[string]any)["settings"].(map[string]any)[fixtureID].(map[string]any))
	data, err := json.Marshal(root)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// Chromium before 136 wrote "state" and a bit mask of disable_reasons;
// later versions only a list of disable_reasons.
func TestParsePreferencesEnabledStates(t *testing.T) {
	for _, tc := range []struct {
		name    string
		edit    func(e map[string]any)
		enabled bool
		reasons []int
	}{
		{"recorded: empty list", func(map[string]any) {}, true, nil},
		{"a reason in the list", func(e map[string]any) { e["disable_reasons"] = []any{1} }, false, []int{1}},
		{"no disable_reasons at all", func(e map[string]any) { delete(e, "disable_reasons") }, true, nil},
		{"old: state 1", func(e map[string]any) { e["state"] = 1; delete(e, "disable_reasons") }, true, nil},
		{"old: state 0 with a bit mask", func(e map[string]any) { e["state"] = 0; e["disable_reasons"] = 8193 }, false, []int{1, 8192}},
		{"old: state 1 and a zero mask", func(e map[string]any) { e["state"] = 1; e["disable_reasons"] = 0 }, true, nil},
		{"old: state 2, uninstalled external", func(e map[string]any) { e["state"] = 2 }, false, nil},
	} {
		p, err := ParsePreferences(editPreferences(t, tc.edit))
		if err != nil {
			t.Fatal(err)
		}
		x := findExt(t, p.Extensions, fixtureID)
		if x.Enabled != tc.enabled || !slices.Equal(x.DisableReasons, tc.reasons) {
			t.Errorf("%s: enabled %v reasons %v", tc.name, x.Enabled, x.DisableReasons)
		}
	}
}

func TestParsePreferencesCachedManifest(t *testing.T) {
	// Hand-written: a store extension with its MV2 manifest cached, host
	// patterns among its permissions, a localized name.
	data := editPreferences(t, func(e map[string]any) {
		e["location"] = 1
		e["path"] = fixtureID + "/1.0_0"
		delete(e, "active_permissions")
		e["manifest"] = map[string]any{"name": "__MSG_appName__", "version": "1.0", "default_locale": "en",
			"permissions":     []any{"webRequest", "webRequestBlocking", "<all_urls>", "http://*/*"},
			"content_scripts": []any{map[string]any{"matches": []any{"https://chatgpt.com/*"}}, "junk"}}
	})
	p, err := ParsePreferences(data)
	if err != nil {
		t.Fatal(err)
	}
	x := findExt(t, p.Extensions, fixtureID)
	if x.Name != "__MSG_appName__" || x.Version != "1.0" || x.Unpacked || x.Location != "internal" ||
		!slices.Equal(x.Permissions, []string{"webRequest", "webRequestBlocking"}) ||
		!slices.Equal(x.Hosts, []string{"<all_urls>", "http://*/*"}) || !slices.Equal(x.ContentScripts, []string{"https://chatgpt.com/*"}) {
		t.Errorf("%+v", x)
	}
	if name, ok := localizedName("__MSG_appName__", []byte(`{"APPNAME":{"message":"Dark Reader"}}`)); !ok || name != "Dark Reader" {
		t.Errorf("localized %q %v", name, ok)
	}
	for _, s := range []string{"Dark Reader", "__MSG___", "__MSG_x"} {
		if _, ok := localizedName(s, []byte(`{"x":{"message":"y"}}`)); ok {
			t.Errorf("%q localized", s)
		}
	}
}

func TestParsePreferencesBad(t *testing.T) {
	for _, bad := range []string{"", "[1]", `{"extensions":`, "\xff"} {
		if _, err := ParsePreferences([]byte(bad)); err == nil {
			t.Errorf("ParsePreferences(%q) accepted", bad)
		}
	}
	// Shapes no Chromium writes read as absent, never as a panic.
	p, err := ParsePreferences([]byte(`{"extensions":{"settings":{"a":1,"b":{"location":"x","state":"1","disable_reasons":[true,2.5],"manifest":[],"active_permissions":{"api":[1,{"x":2}]}}}},"proxy":"direct"}`))
	if err != nil || len(p.Extensions) != 1 || p.Proxy.Mode != "system" {
		t.Fatalf("%+v %v", p, err)
	}
	if x := p.Extensions[0]; x.State != 1 || x.Enabled != true || !slices.Equal(x.Permissions, []string{"x"}) {
		t.Errorf("%+v", x)
	}
}

func TestParseManifest(t *testing.T) {
	m, err := ParseManifest(readFixture(t, "chromium-fixture-extension/manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	want := Manifest{Name: "Clearance Fixture Header Rewriter", Version: "1.0", Type: "extension",
		Permissions: []string{"declarativeNetRequest", "storage"}, Hosts: []string{"*://*.chatgpt.com/*"}, ContentScripts: []string{"<all_urls>"}}
	if !reflect.DeepEqual(m, want) {
		t.Errorf("got %+v\nwant %+v", m, want)
	}
	if m, err := ParseManifest([]byte("\ufeff{\"name\":\"t\",\"theme\":{}}")); err != nil || m.Type != "theme" || m.Name != "t" {
		t.Errorf("a theme with a byte-order mark: %+v %v", m, err)
	}
}

func TestParseExtensionsJSONRecorded(t *testing.T) {
	exts, err := ParseExtensionsJSON(readFixture(t, "firefox-esr-153/profile/extensions.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(exts) != 12 {
		t.Errorf("%d add-ons, want 12", len(exts))
	}
	headers := findExt(t, exts, "headers-fixture@clearance.test")
	want := Extension{ID: "headers-fixture@clearance.test", Name: "Clearance Fixture Header Rewriter", Version: "1.0", Type: "extension",
		Enabled: true, Location: "app-profile",
		Path:        "/tmp/rec/ff-home/.config/mozilla/firefox/ienravhp.default-esr/extensions/headers-fixture@clearance.test.xpi",
		Permissions: []string{"webRequest", "webRequestBlocking"}, Hosts: []string{"*://*.chatgpt.com/*", "*://*.openai.com/*"}, State: -1}
	if !reflect.DeepEqual(headers, want) {
		t.Errorf("got  %+v\nwant %+v", headers, want)
	}
	proxy := findExt(t, exts, "proxy-fixture@clearance.test")
	if !proxy.Enabled || !slices.Equal(proxy.Permissions, []string{"proxy", "storage"}) || !slices.Equal(proxy.Hosts, []string{"<all_urls>"}) {
		t.Errorf("proxy fixture %+v", proxy)
	}
	// Mozilla's own add-ons ask for webRequest on <all_urls> too: they
	// are marked built in.
	webcompat := findExt(t, exts, "webcompat@mozilla.org")
	if !webcompat.Builtin || !webcompat.Enabled || webcompat.Location != "app-builtin-addons" {
		t.Errorf("webcompat %+v", webcompat)
	}
	dark := findExt(t, exts, "firefox-compact-dark@mozilla.org")
	if dark.Enabled || dark.Type != "theme" || !dark.Builtin {
		t.Errorf("an unused theme %+v", dark)
	}
}

func TestParseExtensionsJSONShapes(t *testing.T) {
	// Hand-written: a disabled add-on the pre-57 way (appDisabled), a
	// temporary one, entries without an ID.
	exts, err := ParseExtensionsJSON([]byte(`{"addons":[{"id":"a","active":true,"appDisabled":true},{"id":"b","active":true,"location":"app-temporary"},{"active":true},7]}`))
	if err != nil || len(exts) != 2 || exts[0].Enabled || !exts[1].Enabled || !exts[1].Unpacked {
		t.Errorf("%+v %v", exts, err)
	}
	if exts, err := ParseExtensionsJSON([]byte(`{"schemaVersion":37}`)); err != nil || len(exts) != 0 {
		t.Errorf("no add-ons: %+v %v", exts, err)
	}
	for _, bad := range []string{"", `{"addons":{}}`, "[]"} {
		if _, err := ParseExtensionsJSON([]byte(bad)); err == nil {
			t.Errorf("ParseExtensionsJSON(%q) accepted", bad)
		}
	}
}

func TestParsePrefsJSRecorded(t *testing.T) {
	prefs, err := ParsePrefsJS(readFixture(t, "firefox-esr-153/profile/prefs.js"))
	if err != nil {
		t.Fatal(err)
	}
	if d := prefs.DNSOverHTTPS(); d.Mode != "only" || !slices.Equal(d.Templates, []string{"https://dns.example.net/dns-query"}) {
		t.Errorf("DoH %+v", d)
	}
	want := Proxy{Mode: "manual", Server: "http=127.0.0.1:3128;https=127.0.0.1:3128", PACURL: "http://127.0.0.1/proxy.pac"}
	if p := prefs.Proxy(); p != want {
		t.Errorf("proxy %+v, want %+v", p, want)
	}
	if v, ok := prefs.String("extensions.lastAppBuildId"); !ok || v != "20261117185949" {
		t.Errorf("a string pref: %q %v", v, ok)
	}
	if v, ok := prefs.Bool("xpinstall.signatures.required"); !ok || v {
		t.Errorf("a bool pref: %v %v", v, ok)
	}
	// The uuids pref is a JSON string full of escaped quotes.
	if v, _ := prefs.String("extensions.webextensions.uuids"); !strings.HasPrefix(v, `{"formautofill@mozilla.org":"`) {
		t.Errorf("an escaped string: %q", v)
	}
	user, err := ParsePrefsJS(readFixture(t, "firefox-esr-153/profile/user.js"))
	if err != nil || len(user) != 10 {
		t.Errorf("user.js: %d prefs, %v", len(user), err)
	}
}

func TestParsePrefsJSGrammar(t *testing.T) {
	// Hand-written from the grammar of modules/libpref/parser.
	src := `# a comment
// another
/* a
   block */ pref("a.b", 'single \'quoted\'', sticky, locked);
user_pref("c", -12);user_pref("d",true) ;
sticky_pref("e", "\x41\u00e9\n\\");
user_pref("broken", );
user_pref("f", false);
user_pref("too.big", 99999999999);
garbage here;
user_pref("g", "unterminated
user_pref("h", 1);
user_pref("i", 2);
`
	prefs, err := ParsePrefsJS([]byte(src))
	if err == nil || !strings.Contains(err.Error(), "line 7") {
		t.Errorf("error %v, want the first bad statement's line (7)", err)
	}
	// Recovery skips to the next ';': the unterminated string swallows h.
	want := Prefs{"a.b": "single 'quoted'", "c": int64(-12), "d": true, "e": "Aé\n\\", "f": false, "i": int64(2)}
	if !reflect.DeepEqual(prefs, want) {
		t.Errorf("got  %#v\nwant %#v", prefs, want)
	}
	// Defaults as Firefox has them when nothing is set.
	empty := Prefs{}
	if d := empty.DNSOverHTTPS(); d.Mode != "off" || d.Templates != nil {
		t.Errorf("default DoH %+v", d)
	}
	if p := empty.Proxy(); p != (Proxy{Mode: "system"}) {
		t.Errorf("default proxy %+v", p)
	}
	shared := Prefs{"network.proxy.type": int64(1), "network.proxy.http": "p", "network.proxy.http_port": int64(8080),
		"network.proxy.share_proxy_settings": true, "network.proxy.no_proxies_on": "localhost"}
	if p := shared.Proxy(); p.Server != "http=p:8080;https=p:8080;socks=p:8080" || p.Bypass != "localhost" {
		t.Errorf("one proxy for all: %+v", p)
	}
	if d := (Prefs{"network.trr.mode": int64(2)}).DNSOverHTTPS(); d.Mode != "first" {
		t.Errorf("mode 2: %+v", d)
	}
}

func TestParseProfilesINIRecorded(t *testing.T) {
	ini, err := ParseProfilesINI(readFixture(t, "firefox-esr-153/profiles.ini"))
	if err != nil {
		t.Fatal(err)
	}
	want := []INIProfile{
		{Name: "default", Path: "dy00at0l.default", IsRelative: true, Default: true},
		{Name: "default-esr", Path: "ienravhp.default-esr", IsRelative: true, Default: true}, // the [Install…] default
	}
	if !reflect.DeepEqual(ini.Profiles, want) {
		t.Errorf("got %+v", ini.Profiles)
	}
	ini, err = ParseProfilesINI([]byte("\xef\xbb\xbf; comment\r\n[Profile0]\r\nName = Work \r\nIsRelative=0\r\nPath=C:\\Users\\ann\\ff\r\n[Profile1]\r\nName=no path\r\n[General]\r\nPath=not a profile\r\n"))
	if err != nil || len(ini.Profiles) != 1 || ini.Profiles[0] != (INIProfile{Name: "Work", Path: `C:\Users\ann\ff`}) {
		t.Errorf("CRLF, BOM, absolute: %+v %v", ini.Profiles, err)
	}
	if _, err := ParseProfilesINI([]byte("[Profile0]\x00")); err == nil {
		t.Error("a binary file was accepted")
	}
}

func TestParseCompatibilityINI(t *testing.T) {
	c, err := ParseCompatibilityINI(readFixture(t, "firefox-esr-153/profile/compatibility.ini"))
	if err != nil {
		t.Fatal(err)
	}
	want := Compatibility{Version: "153.8.0", BuildID: "20261117185949", Built: time.Date(2026, 11, 17, 18, 59, 49, 0, time.UTC),
		PlatformDir: "/usr/lib/firefox-esr", AppDir: "/usr/lib/firefox-esr/browser"}
	if !reflect.DeepEqual(c, want) {
		t.Errorf("got %+v", c)
	}
	if c, err := ParseCompatibilityINI([]byte("[Compatibility]\nLastVersion=115.0\n")); err != nil || c.Version != "115.0" || !c.Built.IsZero() {
		t.Errorf("no build ID: %+v %v", c, err)
	}
	for _, bad := range []string{"", "[Compatibility]\n", "[Other]\nLastVersion=1_2/3\n"} {
		if _, err := ParseCompatibilityINI([]byte(bad)); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestLockTargets(t *testing.T) {
	if h, pid, ok := parseSingletonLock("my-laptop.local-4242"); !ok || h != "my-laptop.local" || pid != 4242 {
		t.Errorf("SingletonLock: %q %d %v", h, pid, ok)
	}
	for _, bad := range []string{"", "host", "host-", "-12", "host-0", "host-x1"} {
		if _, _, ok := parseSingletonLock(bad); ok {
			t.Errorf("SingletonLock %q accepted", bad)
		}
	}
	// The stale link recorded beside the Firefox profile: 127.0.0.1:+18863.
	if ip, pid, ok := parseFirefoxLock("127.0.0.1:+18863"); !ok || ip != "127.0.0.1" || pid != 18863 {
		t.Errorf("Firefox lock: %q %d %v", ip, pid, ok)
	}
	for _, bad := range []string{"", "127.0.0.1:18863", "127.0.0.1:+", "127.0.0.1:+-5"} {
		if _, _, ok := parseFirefoxLock(bad); ok {
			t.Errorf("Firefox lock %q accepted", bad)
		}
	}
	if id := flatpakAppID("/home/ann/.var/app/org.chromium.Chromium/config/chromium"); id != "org.chromium.Chromium" {
		t.Errorf("app ID %q", id)
	}
	if id := flatpakAppID("/home/ann/.config/chromium"); id != "" {
		t.Errorf("app ID %q outside Flatpak", id)
	}
}

func TestTooLargeErrorSaysWhat(t *testing.T) {
	err := error(&TooLargeError{Path: "/p/Preferences", Limit: maxJSON})
	var tl *TooLargeError
	if !errors.As(err, &tl) || err.Error() != "the file is larger than the 16 MB Clearance reads of such a file (damaged, or not the browser's), so it was left alone" {
		t.Errorf("%v", err)
	}
}
