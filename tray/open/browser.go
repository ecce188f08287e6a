package open

import (
	"path"
	"strings"
)

// browser is a browser family Clearance can open a private window of.
type browser struct {
	Name    string // for people
	Private string // the option that opens its argument in a private window
}

var (
	chrome   = browser{"Google Chrome", "--incognito"}
	chromium = browser{"Chromium", "--incognito"}
	brave    = browser{"Brave", "--incognito"}
	edge     = browser{"Microsoft Edge", "--inprivate"}
	// Firefox takes the URL as the option's argument
	// (manpages.ubuntu.com, firefox(1): --private-window URL).
	firefox = browser{"Firefox", "--private-window"}
)

// browsers maps what identifies a browser — the base name of its program
// (Linux, Windows), its desktop file ID or Flatpak app ID, its macOS
// bundle ID — lower-cased, to its family.
var browsers = map[string]browser{
	"google-chrome": chrome, "google-chrome-stable": chrome, "google-chrome-beta": chrome,
	"google-chrome-unstable": chrome, "chrome": chrome, "chrome.exe": chrome, "com.google.chrome": chrome,

	"chromium": chromium, "chromium-browser": chromium, "org.chromium.chromium": chromium,

	"brave-browser": brave, "brave-browser-stable": brave, "brave-browser-beta": brave,
	"brave": brave, "brave.exe": brave, "com.brave.browser": brave,

	"microsoft-edge": edge, "microsoft-edge-stable": edge, "microsoft-edge-beta": edge,
	"microsoft-edge-dev": edge, "msedge": edge, "msedge.exe": edge,
	"com.microsoft.edge": edge, "com.microsoft.edgemac": edge,

	"firefox": firefox, "firefox-esr": firefox, "firefox.exe": firefox, "org.mozilla.firefox": firefox,
}

// lookupBrowser identifies a browser by any of the names above; a
// program path is reduced to its base name first.
func lookupBrowser(name string) (browser, bool) {
	name = strings.ToLower(strings.TrimSpace(name))
	name = strings.TrimSuffix(name, ".desktop")
	if b, ok := browsers[name]; ok {
		return b, true
	}
	b, ok := browsers[path.Base(strings.ReplaceAll(name, `\`, "/"))]
	return b, ok
}

// privateArgs are the arguments that open url in a private window of b.
func privateArgs(b browser, url string) []string {
	return []string{b.Private, url}
}
