package open

import (
	"context"
	"fmt"

	"github.com/clearance-app/clearance/platform/browser"
)

// NewWindow opens url in a new window of the default browser.
func NewWindow(ctx context.Context, url string) error { return Default.NewWindow(ctx, url) }

// ExtensionsPage opens the page of the browser named name (as
// browser.Browser names it) where a person turns its extensions off,
// showing extensionID where the browser can.
func ExtensionsPage(ctx context.Context, name, extensionID string) error {
	return Default.ExtensionsPage(ctx, name, extensionID)
}

// newWindowOptions are the options that open their argument in a new
// window, by browser: a tab of a window that was open before a DNS fix
// may still use the browser's own cache of names.
var newWindowOptions = map[string]string{
	"Chrome":   "--new-window",
	"Chromium": "--new-window",
	"Brave":    "--new-window",
	"Edge":     "--new-window",
	"Vivaldi":  "--new-window",
	"Opera":    "--new-window",
	"Firefox":  "--new-window",
}

// NewWindow opens rawURL in a new window of the default browser; a
// browser without a known option for it gets the page the usual way.
func (o *Opener) NewWindow(ctx context.Context, rawURL string) error {
	u, err := webURL(rawURL)
	if err != nil {
		return err
	}
	if d, err := browser.FindDefault(ctx, o.lookup()); err == nil && d.Known {
		if opt, ok := newWindowOptions[d.Name]; ok {
			return o.startBrowser(ctx, d, []string{opt, u}, "a new window")
		}
	}
	return o.URL(ctx, u)
}

// ExtensionsPage opens name's extensions page in that browser. Those
// pages (chrome://extensions, about:addons) are the browser's own: no
// desktop opener takes them, so they go to the browser's program as an
// argument — the default browser's command when it is that browser, else
// the program this OS installs it as (findBrowser).
func (o *Opener) ExtensionsPage(ctx context.Context, name, extensionID string) error {
	page, ok := extensionsPage(name, extensionID)
	if !ok {
		return fmt.Errorf("where %s lists its extensions is not known to Clearance: open them from %s's menu", name, name)
	}
	d, err := browser.FindDefault(ctx, o.lookup())
	if err != nil || !d.Known || d.Name != name {
		if d, err = o.findBrowser(name); err != nil {
			return fmt.Errorf("could not find %s on this computer (%w): open %s in %s yourself", name, err, page, name)
		}
	}
	return o.startBrowser(ctx, d, []string{page}, "the extensions page")
}

// extensionsPage is the page of a browser where a person turns
// extensions off. Chrome's and Chromium's show one extension's details
// for ?id= (chrome/browser/resources/extensions: the navigation helper
// reads it); a Chromium extension ID is 32 letters a to p, and anything
// else is left out.
func extensionsPage(name, extensionID string) (string, bool) {
	switch name {
	case "Chrome", "Chromium":
		if chromiumExtensionID(extensionID) {
			return "chrome://extensions/?id=" + extensionID, true
		}
		return "chrome://extensions/", true
	case "Edge":
		return "edge://extensions/", true
	case "Brave":
		return "brave://extensions/", true
	case "Vivaldi":
		return "vivaldi://extensions/", true
	case "Opera":
		return "opera://extensions/", true
	case "Firefox":
		return "about:addons", true
	}
	return "", false
}

func chromiumExtensionID(id string) bool {
	if len(id) != 32 {
		return false
	}
	for _, c := range id {
		if c < 'a' || c > 'p' {
			return false
		}
	}
	return true
}

// browserApps are how each browser is installed as a program, for
// starting one that is not the default: its programs on PATH (Linux and
// the BSDs, as the vendors' packages and Snap install them), its program
// registered under App Paths (Windows), its bundle ID (macOS).
var browserApps = map[string]struct {
	programs []string
	exe      string
	bundle   string
}{
	"Chrome":   {programs: []string{"google-chrome", "google-chrome-stable"}, exe: "chrome.exe", bundle: "com.google.Chrome"},
	"Chromium": {programs: []string{"chromium", "chromium-browser"}, bundle: "org.chromium.Chromium"},
	"Edge":     {programs: []string{"microsoft-edge", "microsoft-edge-stable"}, exe: "msedge.exe", bundle: "com.microsoft.edgemac"},
	"Brave":    {programs: []string{"brave-browser", "brave"}, exe: "brave.exe", bundle: "com.brave.Browser"},
	"Vivaldi":  {programs: []string{"vivaldi", "vivaldi-stable"}, exe: "vivaldi.exe", bundle: "com.vivaldi.Vivaldi"},
	"Opera":    {programs: []string{"opera"}, exe: "opera.exe", bundle: "com.operasoftware.Opera"},
	"Firefox":  {programs: []string{"firefox", "firefox-esr"}, exe: "firefox.exe", bundle: "org.mozilla.firefox"},
}
