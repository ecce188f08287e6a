//go:build !windows && !darwin

package open

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/clearance-app/clearance/internal/winegap"
	"github.com/clearance-app/clearance/platform"
)

// recordedEntries are the Name and Exec lines of Debian 12's desktop
// files, recorded whole in platform/browser/testdata/desktop.
var recordedEntries = map[string]string{
	"firefox-esr.desktop": "[Desktop Entry]\nName=Firefox ESR\nExec=/usr/lib/firefox-esr/firefox-esr %u\n",
	"chromium.desktop":    "[Desktop Entry]\nName=Chromium Web Browser\nExec=/usr/bin/chromium %U\n",
}

// xdgFixture is a data directory holding those desktop files and any
// extra ones a test writes.
func xdgFixture(t *testing.T, extra map[string]string) string {
	t.Helper()
	dir := winegap.TempDir(t)
	apps := filepath.Join(dir, "applications")
	if err := os.MkdirAll(apps, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, files := range []map[string]string{recordedEntries, extra} {
		for name, body := range files {
			if err := os.WriteFile(filepath.Join(apps, name), []byte(body), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	return dir
}

func TestPrivateWindowRunsTheDefaultBrowsersOwnCommand(t *testing.T) {
	data := xdgFixture(t, map[string]string{
		"org.mozilla.firefox.desktop": "[Desktop Entry]\nName=Firefox\nExec=/usr/bin/flatpak run --branch=stable --arch=x86_64 --command=firefox --file-forwarding org.mozilla.firefox @@u %u @@\n",
		"microsoft-edge.desktop":      "[Desktop Entry]\nName=Microsoft Edge\nExec=/usr/bin/microsoft-edge-stable %U\n",
	})
	for _, tc := range []struct {
		id   string
		want []string
	}{
		{"firefox-esr.desktop", []string{"/usr/lib/firefox-esr/firefox-esr", "--private-window", page}},
		{"chromium.desktop", []string{"/usr/bin/chromium", "--incognito", page}},
		{"microsoft-edge.desktop", []string{"/usr/bin/microsoft-edge-stable", "--inprivate", page}},
		{"org.mozilla.firefox.desktop", []string{"/usr/bin/flatpak", "run", "--branch=stable", "--arch=x86_64", "--command=firefox", "--file-forwarding", "org.mozilla.firefox", "--private-window", page}},
	} {
		run := &fakeRunner{t: t, answers: map[string]fakeAnswer{
			"xdg-settings get default-web-browser": {out: tc.id + "\n"},
		}}
		launch := &fakeLauncher{}
		o := &Opener{Run: run, Launch: launch, DataDirs: []string{data}}
		if err := o.PrivateWindow(context.Background(), page); err != nil {
			t.Errorf("%s: %v", tc.id, err)
			continue
		}
		if len(launch.launched) != 1 || !slices.Equal(launch.launched[0], tc.want) {
			t.Errorf("%s: launched %q, want %q", tc.id, launch.launched, tc.want)
		}
	}
}

// xdg-settings cannot answer on some desktops; the https scheme handler
// from the MIME database is the fallback.
func TestPrivateWindowFallsBackToTheSchemeHandler(t *testing.T) {
	run := &fakeRunner{t: t, answers: map[string]fakeAnswer{
		"xdg-settings get default-web-browser":          {out: "xdg-settings: unknown desktop environment\n", code: 1},
		"xdg-mime query default x-scheme-handler/https": {out: "chromium.desktop\n"},
	}}
	launch := &fakeLauncher{}
	o := &Opener{Run: run, Launch: launch, DataDirs: []string{xdgFixture(t, nil)}}
	if err := o.PrivateWindow(context.Background(), page); err != nil {
		t.Fatal(err)
	}
	if want := []string{"/usr/bin/chromium", "--incognito", page}; len(launch.launched) != 1 || !slices.Equal(launch.launched[0], want) {
		t.Errorf("launched %q", launch.launched)
	}
}

func TestPrivateWindowUnknownBrowserSaysWhatToDo(t *testing.T) {
	run := &fakeRunner{t: t, answers: map[string]fakeAnswer{
		"xdg-settings get default-web-browser": {out: "org.gnome.Epiphany.desktop\n"},
	}}
	launch := &fakeLauncher{}
	data := xdgFixture(t, map[string]string{
		"org.gnome.Epiphany.desktop": "[Desktop Entry]\nName=Web\nName[de]=Web\nExec=epiphany %U\n",
	})
	o := &Opener{Run: run, Launch: launch, DataDirs: []string{data}}
	err := o.PrivateWindow(context.Background(), page)
	if !errors.Is(err, ErrNoPrivateWindow) {
		t.Fatalf("error = %v, want ErrNoPrivateWindow", err)
	}
	if want := "Your default browser (Web) has no known private-window option: open a private window yourself"; err.Error() != want {
		t.Errorf("message %q", err)
	}
	if len(launch.launched) != 0 {
		t.Errorf("launched %q for an unknown browser", launch.launched)
	}
}

func TestPrivateWindowWithoutADefaultBrowser(t *testing.T) {
	run := &fakeRunner{t: t, answers: map[string]fakeAnswer{
		"xdg-settings get default-web-browser":          {out: "\n"},
		"xdg-mime query default x-scheme-handler/https": {out: ""},
	}}
	launch := &fakeLauncher{}
	o := &Opener{Run: run, Launch: launch, DataDirs: []string{xdgFixture(t, nil)}}
	err := o.PrivateWindow(context.Background(), page)
	if err == nil || !strings.Contains(err.Error(), "could not tell which browser is your default") || len(launch.launched) != 0 {
		t.Errorf("error %v, launched %q", err, launch.launched)
	}
	// A default whose desktop file is nowhere: the same, naming it.
	run.answers["xdg-settings get default-web-browser"] = fakeAnswer{out: "vivaldi-stable.desktop\n"}
	if err := o.PrivateWindow(context.Background(), page); err == nil || !strings.Contains(err.Error(), "vivaldi-stable.desktop") {
		t.Errorf("missing desktop file: %v", err)
	}
}

func TestURLHandsTheAddressToXdgOpen(t *testing.T) {
	launch := &fakeLauncher{}
	o := &Opener{Run: &fakeRunner{t: t}, Launch: launch}
	if err := o.URL(context.Background(), "https://status.openai.com/"); err != nil {
		t.Fatal(err)
	}
	if want := []string{"xdg-open", "https://status.openai.com/"}; len(launch.launched) != 1 || !slices.Equal(launch.launched[0], want) {
		t.Errorf("launched %q", launch.launched)
	}
	if err := o.URL(context.Background(), "--help"); err == nil || len(launch.launched) != 1 {
		t.Errorf("a non-URL was handed over: %v, %q", err, launch.launched)
	}
	launch.err = &platform.ExitError{Argv: []string{"xdg-open", page}, Code: 3}
	err := o.URL(context.Background(), page)
	if err == nil || !strings.Contains(err.Error(), "no program to open web pages is set up") {
		t.Errorf("xdg-open exit 3: %v", err)
	}
}
