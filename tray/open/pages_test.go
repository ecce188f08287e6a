package open

import (
	"testing"

	"github.com/clearance-app/clearance/platform/browser"
)

// Each browser's own extensions page; a Chromium extension ID goes into
// the address only when it is one.
func TestExtensionsPageAddress(t *testing.T) {
	const id = "idgpnmonknjnojddfkpgkljpfnnfcklj" // ModHeader's, in the Chrome Web Store
	for _, tc := range []struct{ browser, id, want string }{
		{"Chrome", id, "chrome://extensions/?id=" + id},
		{"Chromium", id, "chrome://extensions/?id=" + id},
		{"Chrome", "", "chrome://extensions/"},
		{"Chrome", "IDGPNMONKNJNOJDDFKPGKLJPFNNFCKLJ", "chrome://extensions/"},
		{"Chrome", id + "&x=1", "chrome://extensions/"},
		{"Chrome", "zdgpnmonknjnojddfkpgkljpfnnfcklj", "chrome://extensions/"},
		{"Edge", id, "edge://extensions/"},
		{"Brave", id, "brave://extensions/"},
		{"Vivaldi", id, "vivaldi://extensions/"},
		{"Opera", id, "opera://extensions/"},
		{"Firefox", "uBlock0@raymondhill.net", "about:addons"},
	} {
		if got, ok := extensionsPage(tc.browser, tc.id); !ok || got != tc.want {
			t.Errorf("%s, %q: %q %v; want %q", tc.browser, tc.id, got, ok, tc.want)
		}
	}
	if got, ok := extensionsPage("Safari", id); ok {
		t.Errorf("Safari: %q", got)
	}
}

// The programs, App Paths names and bundle IDs by which a browser is
// started are ones platform/browser names as that browser, and every
// browser it knows has an extensions page and a new-window option.
func TestBrowserAppsAreThoseBrowsers(t *testing.T) {
	for name, a := range browserApps {
		ids := append([]string{a.bundle}, a.programs...)
		if a.exe != "" {
			ids = append(ids, a.exe)
		}
		for _, id := range ids {
			if got, ok := browser.Identify(id); !ok || got != name {
				t.Errorf("%s: %q is %q (%v) to platform/browser", name, id, got, ok)
			}
		}
		if _, ok := extensionsPage(name, ""); !ok {
			t.Errorf("%s has no extensions page", name)
		}
		if _, ok := newWindowOptions[name]; !ok {
			t.Errorf("%s has no new-window option", name)
		}
	}
	if len(browserApps) != 7 {
		t.Errorf("%d browsers, want Chrome, Chromium, Edge, Brave, Vivaldi, Opera and Firefox", len(browserApps))
	}
}
