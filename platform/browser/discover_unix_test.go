//go:build unix

package browser

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// tree builds files under root: name → content ("" makes a folder).
func tree(t *testing.T, root string, files map[string][]byte) {
	t.Helper()
	for name, data := range files {
		p := filepath.Join(root, filepath.FromSlash(name))
		if data == nil {
			if err := os.MkdirAll(p, 0o755); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// bigFile makes a sparse file of size bytes: a damaged Preferences.
func bigFile(t *testing.T, path string, size int64) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := f.Truncate(size); err != nil {
		t.Fatal(err)
	}
}

const packedID = "abcdefghijklmnopabcdefghijklmnop" // a made-up ID

// homeTree lays out a home with the browsers of TestDiscoverLinuxHome.
func homeTree(t *testing.T, home string) {
	t.Helper()
	fx := func(name string) []byte { return readFixture(t, name) }
	chrome := ".config/google-chrome/"
	ext := filepath.Join(home, "unpacked", "header-rewriter")
	// The recorded Preferences, with the unpacked extension's folder moved
	// to where this test put a copy of it.
	prefs := editPreferences(t, func(e map[string]any) { e["path"] = ext })
	// A Secure Preferences holding a packed extension without a cached
	// manifest, as Chrome on Windows and macOS records them (written by
	// hand: the recorded Linux one holds only MACs).
	secure := []byte(`{"extensions":{"settings":{"` + packedID + `":{"location":1,"path":"` + packedID + `/2.0_0","disable_reasons":[]}}},"protection":{}}`)
	packed := chrome + "Default/Extensions/" + packedID + "/2.0_0/"
	ffRoot := "snap/firefox/common/.mozilla/firefox/"
	compat := strings.Replace(string(fx("firefox-esr-153/profile/compatibility.ini")), "/usr/lib/firefox-esr", filepath.Join(home, "ff-install"), -1)
	tree(t, home, map[string][]byte{
		// Chrome with two profiles.
		chrome + "Local State":                   fx("chromium-156/Local State"),
		chrome + "Last Version":                  fx("chromium-156/Last Version"),
		chrome + "Default/Preferences":           prefs,
		chrome + "Default/Secure Preferences":    secure,
		chrome + "Profile 1/Preferences":         fx("chromium-156/Profile 1/Preferences"),
		chrome + "Profile 1/Secure Preferences":  fx("chromium-156/Profile 1/Secure Preferences"),
		packed + "manifest.json":                 []byte(`{"name":"__MSG_extName__","version":"2.0","default_locale":"en","permissions":["proxy"]}`),
		packed + "_locales/en/messages.json":     []byte(`{"extName":{"message":"Proxy Switcher"}}`),
		"unpacked/header-rewriter/manifest.json": fx("chromium-fixture-extension/manifest.json"),
		// A Flatpak Chromium whose Local State lists a profile whose
		// folder is gone.
		".var/app/org.chromium.Chromium/config/chromium/Local State":         fx("chromium-156/Local State"),
		".var/app/org.chromium.Chromium/config/chromium/Default/Preferences": fx("chromium-156/Default/Preferences"),
		// Opera keeps its one profile in its user-data folder.
		".config/opera/Preferences": []byte(`{}`),
		// A Brave without profiles yet: an empty folder is no browser.
		".config/microsoft-edge": nil,
		// A Snap Firefox whose profiles.ini points at a relative and an
		// absolute profile, a missing one, one that loops back, and a
		// symlink loop.
		ffRoot + "profiles.ini": []byte("[Profile0]\nName=relative\nIsRelative=1\nPath=rel.default\nDefault=1\n\n" +
			"[Profile1]\nName=absolute\nIsRelative=0\nPath=" + filepath.Join(home, "elsewhere", "abs.work") + "\n\n" +
			"[Profile2]\nName=missing\nIsRelative=1\nPath=gone.default\n\n" +
			"[Profile3]\nName=loop\nIsRelative=1\nPath=..\n\n" +
			"[Profile4]\nName=spin\nIsRelative=1\nPath=spin\n\n" +
			"[General]\nStartWithLastProfile=1\nVersion=2\n"),
		ffRoot + "rel.default/compatibility.ini":    []byte(compat),
		ffRoot + "rel.default/prefs.js":             fx("firefox-esr-153/profile/prefs.js"),
		ffRoot + "rel.default/user.js":              fx("firefox-esr-153/profile/user.js"),
		ffRoot + "rel.default/extensions.json":      fx("firefox-esr-153/profile/extensions.json"),
		"elsewhere/abs.work/compatibility.ini":      []byte("[Compatibility]\nLastVersion=128.5.0_20241118172236/20241118172236\n"),
		"ff-install/defaults/pref/channel-prefs.js": fx("firefox-esr-153/install/defaults/pref/channel-prefs.js"),
	})
	if err := os.Symlink("spin", filepath.Join(home, ffRoot, "spin")); err != nil {
		t.Fatal(err)
	}
	// A Brave whose Local State is 50 MB: refused unread; its profile is
	// still found by its folder.
	bigFile(t, filepath.Join(home, ".config/BraveSoftware/Brave-Browser/Local State"), 50<<20)
	tree(t, home, map[string][]byte{".config/BraveSoftware/Brave-Browser/Default/Preferences": []byte(`{}`)})
}

// testEnv is discovery at this OS's Linux places under home, with the
// desktop's default browser given.
func testEnv(home string, d DefaultApp) env {
	return env{
		places:     linuxPlaces(home, func(string) string { return "" }),
		defaultApp: func(context.Context) (DefaultApp, error) { return d, nil },
	}
}

func browserNamed(t *testing.T, bs []Browser, name, install string) Browser {
	t.Helper()
	for _, b := range bs {
		if b.Name == name && b.Install == install {
			return b
		}
	}
	t.Fatalf("no %s (%s) among %+v", name, install, bs)
	return Browser{}
}

// profileErrors maps profile name → the error for it.
func profileErrors(errs []error, browser string) map[string]error {
	out := map[string]error{}
	for _, err := range errs {
		var e *Error
		if errors.As(err, &e) && e.Browser == browser {
			out[e.Profile] = e
		}
	}
	return out
}

func TestDiscoverLinuxHome(t *testing.T) {
	home := t.TempDir()
	homeTree(t, home)
	bs, errs := discover(context.Background(), testEnv(home, DefaultApp{Name: "Chromium", Install: Flatpak, Known: true}))
	var names []string
	for _, b := range bs {
		names = append(names, b.Name+"/"+b.Install)
	}
	if want := []string{"Chrome/native", "Chromium/flatpak", "Brave/native", "Opera/native", "Firefox/snap"}; !slices.Equal(names, want) {
		t.Fatalf("found %q, want %q", names, want)
	}

	chrome := browserNamed(t, bs, "Chrome", Native)
	cdir := filepath.Join(home, ".config/google-chrome")
	want := Browser{Name: "Chrome", Family: Chromium, Install: Native, DataDir: cdir, Version: "156.0.8078.114",
		Built: time.Unix(1795280360, 0).UTC(), Channel: "stable",
		Profiles: []Profile{{Name: "Your Chromium", Dir: filepath.Join(cdir, "Default")}, {Name: "Person 1", Dir: filepath.Join(cdir, "Profile 1")}}}
	if !reflect.DeepEqual(chrome, want) {
		t.Errorf("Chrome\n got %+v\nwant %+v", chrome, want)
	}
	flat := browserNamed(t, bs, "Chromium", Flatpak)
	if !flat.Default || len(flat.Profiles) != 1 || flat.Profiles[0].Name != "Your Chromium" {
		t.Errorf("Flatpak Chromium %+v", flat)
	}
	if e := profileErrors(errs, "Chromium")["Person 1"]; !errors.Is(e, ErrMissing) {
		t.Errorf("the Flatpak's missing profile: %v", e)
	}
	var tooLarge *TooLargeError
	if e := profileErrors(errs, "Brave")[""]; !errors.As(e, &tooLarge) || !strings.HasSuffix(tooLarge.Path, "Local State") {
		t.Errorf("Brave's 50 MB Local State: %v", e)
	}
	if brave := browserNamed(t, bs, "Brave", Native); len(brave.Profiles) != 1 || brave.Profiles[0].Name != "Default" {
		t.Errorf("Brave's profile found by its folder: %+v", brave.Profiles)
	}
	opera := browserNamed(t, bs, "Opera", Native)
	if len(opera.Profiles) != 1 || opera.Profiles[0] != (Profile{Name: "Opera", Dir: opera.DataDir}) {
		t.Errorf("Opera %+v", opera.Profiles)
	}

	ff := browserNamed(t, bs, "Firefox", Snap)
	root := filepath.Join(home, "snap/firefox/common/.mozilla/firefox")
	wantProfiles := []Profile{{Name: "relative", Dir: filepath.Join(root, "rel.default")}, {Name: "absolute", Dir: filepath.Join(home, "elsewhere/abs.work")}}
	if !reflect.DeepEqual(ff.Profiles, wantProfiles) {
		t.Errorf("Firefox profiles %+v, want %+v", ff.Profiles, wantProfiles)
	}
	// The newest build that opened a profile (153 over 128), its channel
	// from the install's channel-prefs.js.
	if ff.Version != "153.8.0" || !ff.Built.Equal(time.Date(2026, 11, 17, 18, 59, 49, 0, time.UTC)) || ff.Channel != "esr" || ff.Default {
		t.Errorf("Firefox %q %v %q default %v", ff.Version, ff.Built, ff.Channel, ff.Default)
	}
	ffErrs := profileErrors(errs, "Firefox")
	if !errors.Is(ffErrs["missing"], ErrMissing) || !errors.Is(ffErrs["loop"], ErrLoopBack) ||
		ffErrs["spin"] == nil || !strings.Contains(ffErrs["spin"].Error(), "symlink loop") {
		t.Errorf("Firefox's bad profiles: %v", ffErrs)
	}
	if len(errs) != 5 {
		t.Errorf("%d errors, want 5: %v", len(errs), errs)
	}
	for _, err := range errs {
		t.Log(err)
	}
}

func TestExtensionsAndSettings(t *testing.T) {
	home := t.TempDir()
	homeTree(t, home)
	bs, _ := discover(context.Background(), testEnv(home, DefaultApp{}))
	chrome := browserNamed(t, bs, "Chrome", Native)
	exts, errs := chrome.Extensions(chrome.Profiles[0])
	if len(errs) != 0 {
		t.Fatal(errs)
	}
	// The unpacked one named from its folder's manifest; the packed one
	// from Secure Preferences, named from its locale's messages.
	unpacked := findExt(t, exts, fixtureID)
	if unpacked.Name != "Clearance Fixture Header Rewriter" || !unpacked.Enabled || !unpacked.Unpacked ||
		!slices.Equal(unpacked.ContentScripts, []string{"<all_urls>"}) {
		t.Errorf("unpacked %+v", unpacked)
	}
	packed := findExt(t, exts, packedID)
	wantDir := filepath.Join(chrome.Profiles[0].Dir, "Extensions", packedID, "2.0_0")
	if packed.Name != "Proxy Switcher" || packed.Path != wantDir || !slices.Equal(packed.Permissions, []string{"proxy"}) || !packed.Enabled || packed.Location != "internal" {
		t.Errorf("packed %+v", packed)
	}
	s, errs := chrome.Settings(chrome.Profiles[0])
	if len(errs) != 0 || s.DNSOverHTTPS.Mode != "secure" || s.Proxy.Mode != "manual" {
		t.Errorf("Chrome's settings %+v %v", s, errs)
	}
	// A 50 MB Preferences is refused, unread, with an error for that
	// profile only.
	bigFile(t, filepath.Join(chrome.Profiles[1].Dir, "Preferences"), 50<<20)
	exts, errs = chrome.Extensions(chrome.Profiles[1])
	var tooLarge *TooLargeError
	if len(errs) != 1 || !errors.As(errs[0], &tooLarge) || !strings.Contains(errs[0].Error(), `profile "Person 1"`) || len(exts) != 0 {
		t.Errorf("50 MB Preferences: %v %+v", errs, exts)
	}

	ff := browserNamed(t, bs, "Firefox", Snap)
	exts, errs = ff.Extensions(ff.Profiles[0])
	if len(errs) != 0 || len(exts) != 12 || !findExt(t, exts, "proxy-fixture@clearance.test").Enabled {
		t.Errorf("Firefox extensions: %d %v", len(exts), errs)
	}
	s, errs = ff.Settings(ff.Profiles[0])
	if len(errs) != 0 || s.DNSOverHTTPS.Mode != "only" || s.Proxy.Mode != "manual" {
		t.Errorf("Firefox settings %+v %v", s, errs)
	}
	// A profile never opened has neither file: nothing, and no error.
	if exts, errs := ff.Extensions(ff.Profiles[1]); len(exts) != 0 || len(errs) != 0 {
		t.Errorf("a profile without extensions.json: %+v %v", exts, errs)
	}
	if s, errs := ff.Settings(ff.Profiles[1]); len(errs) != 0 || s.Proxy.Mode != "system" || s.DNSOverHTTPS.Mode != "off" {
		t.Errorf("a profile without prefs.js: %+v %v", s, errs)
	}
}

// The same folder reached by two paths is one browser; a file where a
// folder should be is none.
func TestDiscoverOnceThroughALink(t *testing.T) {
	home := t.TempDir()
	tree(t, home, map[string][]byte{
		".config/mozilla/firefox/profiles.ini": []byte("[Profile0]\nName=a\nIsRelative=1\nPath=a\n"),
		".config/mozilla/firefox/a/prefs.js":   []byte(""),
		".config/chromium":                     []byte("not a folder"),
	})
	if err := os.Symlink(filepath.Join(home, ".config/mozilla"), filepath.Join(home, ".mozilla")); err != nil {
		t.Fatal(err)
	}
	bs, errs := discover(context.Background(), testEnv(home, DefaultApp{Name: "Firefox", Known: true}))
	if len(bs) != 1 || len(errs) != 0 || !bs[0].Default || len(bs[0].Profiles) != 1 {
		t.Errorf("%+v %v", bs, errs)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, errs := discover(ctx, testEnv(home, DefaultApp{})); len(errs) != 1 || !errors.Is(errs[0], context.Canceled) {
		t.Errorf("a cancelled discovery: %v", errs)
	}
}

func init() { testHelpers["discover"] = discoverHelper }

// discoverReport is what the discover helper prints.
type discoverReport struct {
	Browsers []Browser
	Errors   []string
}

// discoverHelper runs discovery of $CLEARANCE_BROWSER_HOME and prints
// what it found as JSON: run as another uid, it reads what that uid may.
func discoverHelper() int {
	bs, errs := discover(context.Background(), testEnv(os.Getenv("CLEARANCE_BROWSER_HOME"), DefaultApp{}))
	r := discoverReport{Browsers: bs}
	for _, err := range errs {
		r.Errors = append(r.Errors, err.Error())
	}
	if err := json.NewEncoder(os.Stdout).Encode(r); err != nil {
		return 1
	}
	return 0
}

// Discover itself: the places of this OS under the home given, with the
// environment's $XDG_CONFIG_HOME. (Which browser the desktop calls the
// default depends on this machine's xdg-utils, so it is not asserted.)
func TestDiscoverExported(t *testing.T) {
	home := t.TempDir()
	homeTree(t, home)
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(home, ".config"))
	t.Setenv("HOME", home)
	bs, errs := Discover(context.Background(), home)
	var names []string
	for _, b := range bs {
		names = append(names, b.Name+"/"+b.Install)
	}
	want := []string{"Chrome/native", "Chromium/flatpak", "Brave/native", "Opera/native", "Firefox/snap"}
	if goos := places("/h", func(string) string { return "" }); goos[0].DataDir != "/h/.config/google-chrome" {
		t.Skip("this OS keeps its browsers elsewhere: TestDarwinPlaces covers it")
	}
	if !slices.Equal(names, want) || len(errs) != 5 {
		t.Errorf("found %q with %d errors, want %q with 5", names, len(errs), want)
	}
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(home, "elsewhere"))
	bs, _ = Discover(context.Background(), home)
	if len(bs) != 2 || bs[0].Name != "Chromium" || bs[1].Name != "Firefox" {
		t.Errorf("with XDG_CONFIG_HOME elsewhere, only the Flatpak and the Snap: %+v", bs)
	}
}

// With no browser to mark, the desktop is not asked for its default (on
// Linux that is xdg-settings, some thirty processes per run).
func TestDiscoverAsksNoDefaultWithoutBrowsers(t *testing.T) {
	e := testEnv(t.TempDir(), DefaultApp{})
	asked := false
	e.defaultApp = func(context.Context) (DefaultApp, error) { asked = true; return DefaultApp{}, nil }
	if bs, _ := discover(context.Background(), e); len(bs) != 0 || asked {
		t.Errorf("found %d browsers, asked for the default: %v; want none and false", len(bs), asked)
	}
}
