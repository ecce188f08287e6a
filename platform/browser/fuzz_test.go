package browser

import (
	"os"
	"path/filepath"
	"testing"
)

// The readers take files a person's browsers wrote, or anything else
// that sits where those should: none may panic or hang, whatever comes.

// seed adds the recorded files as a fuzz target's first inputs.
func seed(f *testing.F, names ...string) {
	for _, n := range names {
		b, err := os.ReadFile(filepath.Join("testdata", filepath.FromSlash(n)))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
}

func FuzzParseLocalState(f *testing.F) {
	seed(f, "chromium-156/Local State")
	f.Add([]byte(`{"profile":{"info_cache":{"a":{"name":1}},"profiles_order":[{"x":1}]},"user_experience_metrics":{"stability":{"stats_buildtime":1e300}}}`))
	f.Fuzz(func(t *testing.T, data []byte) { ParseLocalState(data) })
}

func FuzzParsePreferences(f *testing.F) {
	seed(f, "chromium-156/Default/Preferences", "chromium-156/Default/Secure Preferences", "chromium-156/Profile 1/Preferences")
	f.Add([]byte(`{"extensions":{"settings":{"a":{"state":0,"disable_reasons":-9007199254740993,"location":4,"manifest":{"permissions":[{"a":1}],"content_scripts":[{"matches":"x"}]}}}},"proxy":{"mode":7}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := ParsePreferences(data)
		if err != nil && (len(p.Extensions) != 0 || p.Proxy != (Proxy{})) {
			t.Fatalf("an error (%v) with a result", err)
		}
	})
}

func FuzzParseManifest(f *testing.F) {
	seed(f, "chromium-fixture-extension/manifest.json", "firefox-fixture-extensions/headers-fixture/manifest.json")
	f.Fuzz(func(t *testing.T, data []byte) { ParseManifest(data) })
}

func FuzzParseExtensionsJSON(f *testing.F) {
	seed(f, "firefox-esr-153/profile/extensions.json")
	f.Add([]byte(`{"addons":[{"id":"a","active":"yes","userPermissions":{"permissions":[null,{"b":2}],"origins":7}}]}`))
	f.Fuzz(func(t *testing.T, data []byte) { ParseExtensionsJSON(data) })
}

func FuzzParsePrefsJS(f *testing.F) {
	seed(f, "firefox-esr-153/profile/prefs.js", "firefox-esr-153/profile/user.js", "firefox-esr-153/install/defaults/pref/channel-prefs.js")
	f.Add([]byte(`pref("a", "\u12", sticky); user_pref('b', -2147483649); /* x`))
	f.Fuzz(func(t *testing.T, data []byte) {
		prefs, _ := ParsePrefsJS(data)
		prefs.DNSOverHTTPS()
		prefs.Proxy()
	})
}

func FuzzParseProfilesINI(f *testing.F) {
	seed(f, "firefox-esr-153/profiles.ini", "firefox-esr-153/installs.ini")
	f.Add([]byte("[Profile0\nPath=\n[Install]\nDefault=\n=x\n"))
	f.Fuzz(func(t *testing.T, data []byte) { ParseProfilesINI(data) })
}

func FuzzParseCompatibilityINI(f *testing.F) {
	seed(f, "firefox-esr-153/profile/compatibility.ini")
	f.Fuzz(func(t *testing.T, data []byte) { ParseCompatibilityINI(data) })
}
