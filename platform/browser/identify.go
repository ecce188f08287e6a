package browser

import (
	"path"
	"strings"
)

// apps maps what identifies a browser — the base name of its program
// (Linux, Windows), its desktop file ID, Flatpak app ID or Snap name, its
// macOS bundle ID — lower-cased, to its Name.
var apps = map[string]string{
	"google-chrome": "Chrome", "google-chrome-stable": "Chrome", "google-chrome-beta": "Chrome",
	"google-chrome-unstable": "Chrome", "chrome": "Chrome", "chrome.exe": "Chrome",
	"com.google.chrome": "Chrome",

	"chromium": "Chromium", "chromium-browser": "Chromium", "org.chromium.chromium": "Chromium",

	"brave-browser": "Brave", "brave-browser-stable": "Brave", "brave-browser-beta": "Brave",
	"brave": "Brave", "brave.exe": "Brave", "com.brave.browser": "Brave",

	"microsoft-edge": "Edge", "microsoft-edge-stable": "Edge", "microsoft-edge-beta": "Edge",
	"microsoft-edge-dev": "Edge", "msedge": "Edge", "msedge.exe": "Edge",
	"com.microsoft.edge": "Edge", "com.microsoft.edgemac": "Edge",

	"vivaldi": "Vivaldi", "vivaldi-stable": "Vivaldi", "vivaldi-snapshot": "Vivaldi",
	"vivaldi.exe": "Vivaldi", "com.vivaldi.vivaldi": "Vivaldi",

	"opera": "Opera", "opera.exe": "Opera", "opera-beta": "Opera", "opera-developer": "Opera",
	"com.opera.opera": "Opera", "com.operasoftware.opera": "Opera",

	"firefox": "Firefox", "firefox-esr": "Firefox", "firefox.exe": "Firefox", "org.mozilla.firefox": "Firefox",
}

// Identify names the browser that a program (path or name), a desktop
// file ID, a Flatpak app ID, a Snap name or a macOS bundle ID stands for,
// as Browser.Name does; ok is false for one this package does not know.
func Identify(id string) (name string, ok bool) {
	id = strings.ToLower(strings.TrimSpace(id))
	id = strings.TrimSuffix(id, ".desktop")
	if n, ok := apps[id]; ok {
		return n, true
	}
	n, ok := apps[path.Base(strings.ReplaceAll(id, `\`, "/"))]
	return n, ok
}
