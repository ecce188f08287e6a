//go:build !windows && !darwin

package open

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// The default browser's own command gets its extensions page when it is
// the browser named; another browser is found on PATH; one found nowhere
// is said, with the page to open by hand. Nothing goes to xdg-open, which
// takes web addresses only.
func TestExtensionsPageStartsThatBrowser(t *testing.T) {
	bin := t.TempDir()
	ff := filepath.Join(bin, "firefox-esr")
	if err := os.WriteFile(ff, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin)
	data := xdgFixture(t, map[string]string{
		"com.google.Chrome.desktop": "[Desktop Entry]\nName=Google Chrome\nExec=/usr/bin/flatpak run --branch=stable --arch=x86_64 --command=chrome --file-forwarding com.google.Chrome @@u %U @@\n",
	})
	const id = "idgpnmonknjnojddfkpgkljpfnnfcklj"
	for _, tc := range []struct {
		def, browser string
		want         []string
		says         string
	}{
		{def: "chromium.desktop", browser: "Chromium", want: []string{"/usr/bin/chromium", "chrome://extensions/?id=" + id}},
		{def: "com.google.Chrome.desktop", browser: "Chrome",
			want: []string{"/usr/bin/flatpak", "run", "--branch=stable", "--arch=x86_64", "--command=chrome", "--file-forwarding", "com.google.Chrome", "chrome://extensions/?id=" + id}},
		{def: "chromium.desktop", browser: "Firefox", want: []string{ff, "about:addons"}},
		{def: "chromium.desktop", browser: "Brave", says: "could not find Brave on this computer (no brave-browser or brave on PATH): open brave://extensions/ in Brave yourself"},
		{def: "chromium.desktop", browser: "Safari", says: "where Safari lists its extensions is not known to Clearance"},
	} {
		run := &fakeRunner{t: t, answers: map[string]fakeAnswer{"xdg-settings get default-web-browser": {out: tc.def + "\n"}}}
		launch := &fakeLauncher{}
		o := &Opener{Run: run, Launch: launch, DataDirs: []string{data}}
		err := o.ExtensionsPage(context.Background(), tc.browser, id)
		if tc.says != "" {
			if err == nil || !strings.Contains(err.Error(), tc.says) || len(launch.launched) != 0 {
				t.Errorf("%s: %v, launched %q; want an error saying %q", tc.browser, err, launch.launched, tc.says)
			}
			continue
		}
		if err != nil || len(launch.launched) != 1 || !slices.Equal(launch.launched[0], tc.want) {
			t.Errorf("%s with %s the default: %v, launched %q; want %q", tc.browser, tc.def, err, launch.launched, tc.want)
		}
	}
}

// A new window of the default browser, by its own option; a browser
// without a known one gets the page from xdg-open.
func TestNewWindow(t *testing.T) {
	data := xdgFixture(t, map[string]string{
		"org.gnome.Epiphany.desktop": "[Desktop Entry]\nName=Web\nExec=epiphany %U\n",
	})
	for _, tc := range []struct {
		def  string
		want []string
	}{
		{"chromium.desktop", []string{"/usr/bin/chromium", "--new-window", page}},
		{"firefox-esr.desktop", []string{"/usr/lib/firefox-esr/firefox-esr", "--new-window", page}},
		{"org.gnome.Epiphany.desktop", []string{"xdg-open", page}},
	} {
		run := &fakeRunner{t: t, answers: map[string]fakeAnswer{"xdg-settings get default-web-browser": {out: tc.def + "\n"}}}
		launch := &fakeLauncher{}
		o := &Opener{Run: run, Launch: launch, DataDirs: []string{data}}
		if err := o.NewWindow(context.Background(), page); err != nil || len(launch.launched) != 1 || !slices.Equal(launch.launched[0], tc.want) {
			t.Errorf("%s: %v, launched %q; want %q", tc.def, err, launch.launched, tc.want)
		}
	}
	o := &Opener{Run: &fakeRunner{t: t}, Launch: &fakeLauncher{}}
	if err := o.NewWindow(context.Background(), "chrome://settings"); err == nil {
		t.Error("NewWindow took a page that is not a web address")
	}
}
