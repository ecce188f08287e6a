package browser

import (
	"slices"
	"testing"
)

// dataDirs lists the places' folders of one browser and install kind.
func dataDirs(ps []place, name, install string) []string {
	var out []string
	for _, p := range ps {
		if p.Name == name && p.Install == install {
			out = append(out, p.DataDir)
		}
	}
	return out
}

func envOf(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestLinuxPlaces(t *testing.T) {
	ps := linuxPlaces("/home/ann", envOf(nil))
	for _, tc := range []struct {
		name, install string
		want          []string
	}{
		{"Chrome", Native, []string{"/home/ann/.config/google-chrome", "/home/ann/.config/google-chrome-beta", "/home/ann/.config/google-chrome-unstable"}},
		{"Chrome", Flatpak, []string{"/home/ann/.var/app/com.google.Chrome/config/google-chrome"}},
		{"Chromium", Native, []string{"/home/ann/.config/chromium"}},
		{"Chromium", Flatpak, []string{"/home/ann/.var/app/org.chromium.Chromium/config/chromium"}},
		{"Chromium", Snap, []string{"/home/ann/snap/chromium/common/chromium", "/home/ann/snap/chromium/common/.config/chromium", "/home/ann/snap/chromium/current/.config/chromium"}},
		{"Edge", Native, []string{"/home/ann/.config/microsoft-edge", "/home/ann/.config/microsoft-edge-beta", "/home/ann/.config/microsoft-edge-dev"}},
		{"Edge", Snap, nil},
		{"Brave", Native, []string{"/home/ann/.config/BraveSoftware/Brave-Browser", "/home/ann/.config/BraveSoftware/Brave-Browser-Beta", "/home/ann/.config/BraveSoftware/Brave-Browser-Nightly"}},
		{"Brave", Flatpak, []string{"/home/ann/.var/app/com.brave.Browser/config/BraveSoftware/Brave-Browser"}},
		{"Vivaldi", Native, []string{"/home/ann/.config/vivaldi", "/home/ann/.config/vivaldi-snapshot"}},
		{"Opera", Native, []string{"/home/ann/.config/opera", "/home/ann/.config/opera-beta", "/home/ann/.config/opera-developer"}},
		{"Firefox", Native, []string{"/home/ann/.config/mozilla/firefox", "/home/ann/.mozilla/firefox"}},
		{"Firefox", Flatpak, []string{"/home/ann/.var/app/org.mozilla.firefox/config/mozilla/firefox", "/home/ann/.var/app/org.mozilla.firefox/.mozilla/firefox"}},
		{"Firefox", Snap, []string{"/home/ann/snap/firefox/common/.mozilla/firefox", "/home/ann/snap/firefox/current/.mozilla/firefox"}},
	} {
		if got := dataDirs(ps, tc.name, tc.install); !slices.Equal(got, tc.want) {
			t.Errorf("%s %s: %q, want %q", tc.name, tc.install, got, tc.want)
		}
	}
	// $XDG_CONFIG_HOME moves the native folders; a relative one is
	// ignored, as the XDG Base Directory Specification says.
	ps = linuxPlaces("/home/ann", envOf(map[string]string{"XDG_CONFIG_HOME": "/cfg"}))
	if got := dataDirs(ps, "Firefox", Native); !slices.Equal(got, []string{"/cfg/mozilla/firefox", "/home/ann/.mozilla/firefox"}) {
		t.Errorf("XDG_CONFIG_HOME: %q", got)
	}
	ps = linuxPlaces("/home/ann", envOf(map[string]string{"XDG_CONFIG_HOME": "cfg"}))
	if got := dataDirs(ps, "Chromium", Native); !slices.Equal(got, []string{"/home/ann/.config/chromium"}) {
		t.Errorf("relative XDG_CONFIG_HOME: %q", got)
	}
	for _, p := range ps {
		if p.Name == "Chrome" && p.Channel == "stable" && p.Install == Native && !slices.Equal(p.Programs, []string{"/opt/google/chrome/chrome"}) {
			t.Errorf("Chrome's program: %q", p.Programs)
		}
	}
}

func TestWindowsPlaces(t *testing.T) {
	env := map[string]string{
		"LOCALAPPDATA": `C:\Users\ann\AppData\Local`, "APPDATA": `C:\Users\ann\AppData\Roaming`,
		"ProgramFiles": `C:\Program Files`, "ProgramFiles(x86)": `C:\Program Files (x86)`,
	}
	ps := windowsPlaces(`C:\Users\ann`, envOf(env))
	for _, tc := range []struct {
		name string
		want []string
	}{
		{"Chrome", []string{`C:\Users\ann\AppData\Local\Google\Chrome\User Data`, `C:\Users\ann\AppData\Local\Google\Chrome Beta\User Data`,
			`C:\Users\ann\AppData\Local\Google\Chrome Dev\User Data`, `C:\Users\ann\AppData\Local\Google\Chrome SxS\User Data`}},
		{"Chromium", []string{`C:\Users\ann\AppData\Local\Chromium\User Data`}},
		{"Edge", []string{`C:\Users\ann\AppData\Local\Microsoft\Edge\User Data`, `C:\Users\ann\AppData\Local\Microsoft\Edge Beta\User Data`, `C:\Users\ann\AppData\Local\Microsoft\Edge Dev\User Data`}},
		{"Brave", []string{`C:\Users\ann\AppData\Local\BraveSoftware\Brave-Browser\User Data`, `C:\Users\ann\AppData\Local\BraveSoftware\Brave-Browser-Beta\User Data`, `C:\Users\ann\AppData\Local\BraveSoftware\Brave-Browser-Nightly\User Data`}},
		{"Vivaldi", []string{`C:\Users\ann\AppData\Local\Vivaldi\User Data`}},
		{"Opera", []string{`C:\Users\ann\AppData\Roaming\Opera Software\Opera Stable`}},
		{"Firefox", []string{`C:\Users\ann\AppData\Roaming\Mozilla\Firefox`,
			`C:\Users\ann\AppData\Local\Packages\Mozilla.Firefox_n80bbvh6b1yt2\LocalCache\Roaming\Mozilla\Firefox`}},
	} {
		if got := dataDirs(ps, tc.name, Native); !slices.Equal(got, tc.want) {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
	for _, p := range ps {
		if p.Name == "Chrome" && p.Channel == "stable" {
			want := []string{`C:\Program Files\Google\Chrome\Application\chrome.exe`, `C:\Program Files (x86)\Google\Chrome\Application\chrome.exe`,
				`C:\Users\ann\AppData\Local\Google\Chrome\Application\chrome.exe`}
			if !slices.Equal(p.Programs, want) {
				t.Errorf("Chrome's programs %q", p.Programs)
			}
		}
	}
	// Without the variables (or with ones that are not absolute), the
	// profile's defaults.
	ps = windowsPlaces(`C:\Users\ann\`, envOf(map[string]string{"APPDATA": `%USERPROFILE%\x`}))
	if got := dataDirs(ps, "Firefox", Native); got[0] != `C:\Users\ann\AppData\Roaming\Mozilla\Firefox` {
		t.Errorf("default APPDATA: %q", got)
	}
	if got := dataDirs(ps, "Chromium", Native); !slices.Equal(got, []string{`C:\Users\ann\AppData\Local\Chromium\User Data`}) {
		t.Errorf("default LOCALAPPDATA: %q", got)
	}
	for p, want := range map[string]bool{`C:\x`: true, `c:/x`: true, `\\server\share`: true, `C:x`: false, `\x`: false, "": false, `%APPDATA%`: false} {
		if isWindowsAbs(p) != want {
			t.Errorf("isWindowsAbs(%q) = %v", p, !want)
		}
	}
}

func TestDarwinPlaces(t *testing.T) {
	ps := darwinPlaces("/Users/ann")
	for _, tc := range []struct {
		name string
		want []string
	}{
		{"Chrome", []string{"/Users/ann/Library/Application Support/Google/Chrome", "/Users/ann/Library/Application Support/Google/Chrome Beta",
			"/Users/ann/Library/Application Support/Google/Chrome Dev", "/Users/ann/Library/Application Support/Google/Chrome Canary"}},
		{"Chromium", []string{"/Users/ann/Library/Application Support/Chromium"}},
		{"Edge", []string{"/Users/ann/Library/Application Support/Microsoft Edge", "/Users/ann/Library/Application Support/Microsoft Edge Beta", "/Users/ann/Library/Application Support/Microsoft Edge Dev"}},
		{"Brave", []string{"/Users/ann/Library/Application Support/BraveSoftware/Brave-Browser", "/Users/ann/Library/Application Support/BraveSoftware/Brave-Browser-Beta", "/Users/ann/Library/Application Support/BraveSoftware/Brave-Browser-Nightly"}},
		{"Vivaldi", []string{"/Users/ann/Library/Application Support/Vivaldi"}},
		{"Opera", []string{"/Users/ann/Library/Application Support/com.operasoftware.Opera", "/Users/ann/Library/Application Support/com.operasoftware.OperaNext", "/Users/ann/Library/Application Support/com.operasoftware.OperaDeveloper"}},
		{"Firefox", []string{"/Users/ann/Library/Application Support/Firefox"}},
	} {
		if got := dataDirs(ps, tc.name, Native); !slices.Equal(got, tc.want) {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
	for _, p := range ps {
		if p.Name == "Chrome" && p.Channel == "stable" && !slices.Equal(p.Programs, []string{"/Applications/Google Chrome.app/Contents/Info.plist", "/Users/ann/Applications/Google Chrome.app/Contents/Info.plist"}) {
			t.Errorf("Chrome's programs %q", p.Programs)
		}
	}
}
