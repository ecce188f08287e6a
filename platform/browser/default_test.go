package browser

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/clearance-app/clearance/internal/winegap"
)

func readFixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", filepath.FromSlash(name)))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestParseDesktopEntryRecorded(t *testing.T) {
	for _, tc := range []struct {
		file, name, exec string
		argv             []string
		browser          string
	}{
		{"desktop/firefox-esr.desktop", "Firefox ESR", "/usr/lib/firefox-esr/firefox-esr %u", []string{"/usr/lib/firefox-esr/firefox-esr"}, "Firefox"},
		{"desktop/chromium.desktop", "Chromium Web Browser", "/usr/bin/chromium %U", []string{"/usr/bin/chromium"}, "Chromium"},
	} {
		e := parseDesktopEntry(readFixture(t, tc.file))
		if e["Name"] != tc.name || e["Exec"] != tc.exec {
			t.Errorf("%s: Name %q Exec %q", tc.file, e["Name"], e["Exec"])
		}
		argv, err := parseExec(e["Exec"])
		if err != nil || !slices.Equal(argv, tc.argv) {
			t.Errorf("%s: argv %q, %v", tc.file, argv, err)
		}
		if b, install, ok := execBrowser(argv, filepath.Base(tc.file)); !ok || b != tc.browser || install != "" {
			t.Errorf("%s: browser %q %q (%v)", tc.file, b, install, ok)
		}
	}
}

func TestParseDesktopEntryGroupsAndEscapes(t *testing.T) {
	// spec rule: only [Desktop Entry] counts, localized keys are not the
	// key, \s \n \t \\ are undone, the first of a repeated key wins.
	e := parseDesktopEntry([]byte("# c\n[Desktop Action new-window]\nExec=wrong\n[Desktop Entry]\nName[de]=Netz\nName=Web\\sBrowser\nExec=a\\\\b %u\nExec=second\n[Other]\nName=other\n"))
	if e["Name"] != "Web Browser" || e["Exec"] != `a\b %u` || len(e) != 2 {
		t.Errorf("entry = %q", e)
	}
}

func TestParseExec(t *testing.T) {
	for _, tc := range []struct {
		exec string
		want []string
	}{
		// Vendors' packages (testdata/README.md).
		{"/usr/bin/google-chrome-stable %U", []string{"/usr/bin/google-chrome-stable"}},
		{"/usr/bin/brave-browser-stable %U", []string{"/usr/bin/brave-browser-stable"}},
		{"/usr/bin/microsoft-edge-stable %U", []string{"/usr/bin/microsoft-edge-stable"}},
		{"/usr/bin/flatpak run --branch=stable --arch=x86_64 --command=firefox --file-forwarding org.mozilla.firefox @@u %u @@",
			[]string{"/usr/bin/flatpak", "run", "--branch=stable", "--arch=x86_64", "--command=firefox", "--file-forwarding", "org.mozilla.firefox"}},
		{"env BAMF_DESKTOP_FILE_HINT=/var/lib/snapd/desktop/applications/firefox_firefox.desktop /snap/bin/firefox %u",
			[]string{"env", "BAMF_DESKTOP_FILE_HINT=/var/lib/snapd/desktop/applications/firefox_firefox.desktop", "/snap/bin/firefox"}},
		// spec rule: quotes group, \" \` \$ \\ escape inside them, field
		// codes go, %% is %, a code inside an argument is removed.
		{`"/opt/My Browser/browser" --name="a \"b\" \$HOME \\ \` + "`x`" + `" %i %c %k %F`, []string{"/opt/My Browser/browser", `--name=a "b" $HOME \ ` + "`x`"}},
		{"browser --progress=100%% --file=%f", []string{"browser", "--progress=100%", "--file="}},
		{`browser ""`, []string{"browser", ""}},
		{"  browser\t--new-window  ", []string{"browser", "--new-window"}},
	} {
		got, err := parseExec(tc.exec)
		if err != nil || !slices.Equal(got, tc.want) {
			t.Errorf("parseExec(%q) = %q, %v; want %q", tc.exec, got, err, tc.want)
		}
	}
	for _, bad := range []string{"", "   ", `"unterminated`, "%u"} {
		if got, err := parseExec(bad); err == nil {
			t.Errorf("parseExec(%q) = %q, want an error", bad, got)
		}
	}
}

func TestExecBrowser(t *testing.T) {
	for _, tc := range []struct {
		exec, id      string
		want, install string
		known         bool
	}{
		{"/usr/bin/google-chrome-stable %U", "google-chrome.desktop", "Chrome", "", true},
		{"/usr/bin/brave-browser-stable %U", "brave-browser.desktop", "Brave", "", true},
		{"/usr/bin/microsoft-edge-stable %U", "microsoft-edge.desktop", "Edge", "", true},
		{"/usr/bin/flatpak run --branch=stable --arch=x86_64 --command=firefox --file-forwarding org.mozilla.firefox @@u %u @@", "org.mozilla.firefox.desktop", "Firefox", Flatpak, true},
		{"env BAMF_DESKTOP_FILE_HINT=/var/lib/snapd/desktop/applications/firefox_firefox.desktop /snap/bin/firefox %u", "firefox_firefox.desktop", "Firefox", Snap, true},
		{"/opt/wrapper.sh %u", "chromium.desktop", "Chromium", "", true}, // the desktop ID as last resort
		{"/opt/wrapper.sh %u", "chromium_chromium.desktop", "Chromium", Snap, true},
		{"epiphany %U", "org.gnome.Epiphany.desktop", "", "", false},
		{"/usr/bin/flatpak run org.gnome.Epiphany @@u %u @@", "org.gnome.Epiphany.desktop", "", "", false},
	} {
		argv, err := parseExec(tc.exec)
		if err != nil {
			t.Fatal(err)
		}
		if got, install, ok := execBrowser(argv, tc.id); ok != tc.known || got != tc.want || install != tc.install {
			t.Errorf("execBrowser(%q) = %q, %q, %v", tc.exec, got, install, ok)
		}
	}
}

func TestFindDesktopFile(t *testing.T) {
	home, sys := winegap.TempDir(t), winegap.TempDir(t)
	write := func(dir, rel string) string {
		p := filepath.Join(dir, "applications", filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("[Desktop Entry]\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	userFF := write(home, "firefox.desktop")
	write(sys, "firefox.desktop")
	konq := write(sys, "kde4/konqbrowser.desktop")
	dirs := []string{home, filepath.Join(winegap.TempDir(t), "missing"), sys}
	for id, want := range map[string]string{"firefox.desktop": userFF, "kde4-konqbrowser.desktop": konq} {
		if got, err := findDesktopFile(id, dirs); err != nil || got != want {
			t.Errorf("findDesktopFile(%q) = %q, %v; want %q", id, got, err, want)
		}
	}
	for _, id := range []string{"chromium.desktop", "../firefox.desktop", "firefox", ""} {
		if got, err := findDesktopFile(id, dirs); err == nil {
			t.Errorf("findDesktopFile(%q) = %q, want an error", id, got)
		}
	}
}

func TestParseDesktopID(t *testing.T) {
	for out, want := range map[string]string{
		"firefox-esr.desktop\n":           "firefox-esr.desktop",
		"org.mozilla.firefox.desktop\n\n": "org.mozilla.firefox.desktop",
		"":                                "",
		"xdg-settings: unknown desktop environment\n": "",
		"/usr/share/applications/x.desktop\n":         "",
	} {
		got, ok := parseDesktopID([]byte(out))
		if got != want || ok != (want != "") {
			t.Errorf("parseDesktopID(%q) = %q, %v", out, got, ok)
		}
	}
}

func TestSplitWindowsCommand(t *testing.T) {
	for _, tc := range []struct {
		cmd  string
		want []string
	}{
		// Recorded values (testdata/README.md).
		{`"C:\Program Files\Google\Chrome\Application\chrome.exe" --single-argument %1`,
			[]string{`C:\Program Files\Google\Chrome\Application\chrome.exe`, "--single-argument", "%1"}},
		{`"C:\Program Files (x86)\Microsoft\Edge\Application\msedge.exe" --single-argument %1`,
			[]string{`C:\Program Files (x86)\Microsoft\Edge\Application\msedge.exe`, "--single-argument", "%1"}},
		{`"C:\Program Files\Mozilla Firefox\firefox.exe" -osint -url "%1"`,
			[]string{`C:\Program Files\Mozilla Firefox\firefox.exe`, "-osint", "-url", "%1"}},
		{`"C:\Program Files\BraveSoftware\Brave-Browser\Application\brave.exe" --single-argument %1`,
			[]string{`C:\Program Files\BraveSoftware\Brave-Browser\Application\brave.exe`, "--single-argument", "%1"}},
		// doc rule: an unquoted program name ends at a space; backslashes
		// are literal unless before a quote; 2n+1 before a quote escape it.
		{`C:\Tools\browser.exe --new-window`, []string{`C:\Tools\browser.exe`, "--new-window"}},
		{`x.exe a\\b "c d" e\"f "g\\" h`, []string{"x.exe", `a\\b`, "c d", `e"f`, `g\`, "h"}},
		{`x.exe "a ""quoted"" word"`, []string{"x.exe", `a "quoted" word`}},
		{`"C:\no end`, []string{`C:\no end`}},
		{"", nil},
	} {
		if got := splitWindowsCommand(tc.cmd); !slices.Equal(got, tc.want) {
			t.Errorf("splitWindowsCommand(%q) = %q, want %q", tc.cmd, got, tc.want)
		}
	}
}

func TestWindowsDefault(t *testing.T) {
	for cmd, want := range map[string]string{
		`"C:\Program Files\Google\Chrome\Application\chrome.exe" --single-argument %1`:              "Chrome",
		`"C:\Program Files (x86)\Microsoft\Edge\Application\msedge.exe" --single-argument %1`:       "Edge",
		`"C:\Program Files\Mozilla Firefox\firefox.exe" -osint -url "%1"`:                           "Firefox",
		`"C:\Program Files\BraveSoftware\Brave-Browser\Application\brave.exe" --single-argument %1`: "Brave",
	} {
		d, err := windowsDefault("Prog", cmd)
		if err != nil || !d.Known || d.Name != want || len(d.Command) != 1 || strings.Contains(d.Command[0], `"`) || !strings.HasSuffix(d.Command[0], ".exe") || d.ID != "Prog" {
			t.Errorf("windowsDefault(%q) = %+v, %v", cmd, d, err)
		}
	}
	// Opera's open command starts its launcher, which names no browser.
	d, err := windowsDefault("OperaStable", `"C:\Users\ann\AppData\Local\Programs\Opera\launcher.exe" -noautoupdate -- "%1"`)
	if err != nil || d.Known || d.Name != "launcher" {
		t.Errorf("Opera: %+v, %v; want an unknown browser named launcher", d, err)
	}
	if d, err := windowsDefault("Odd", `"C:\x\.exe"`); err != nil || d.Known || d.Name != "Odd" {
		t.Errorf("a program without a name: %+v, %v; want it named by its ProgId", d, err)
	}
	if _, err := windowsDefault("Broken", "  "); err == nil {
		t.Error("an empty command was accepted")
	}
}

func TestDefaultBrowserBundle(t *testing.T) {
	for file, want := range map[string]string{
		"launchservices-chrome.txt":            "com.google.chrome",
		"launchservices-firefox-http-only.txt": "org.mozilla.firefox",
		"launchservices-no-browser.txt":        "",
	} {
		got, ok := defaultBrowserBundle(string(readFixture(t, file)))
		if got != want || ok != (want != "") {
			t.Errorf("%s: %q, %v; want %q", file, got, ok, want)
		}
	}
	if b, ok := Identify("com.google.chrome"); !ok || b != "Chrome" {
		t.Error("Chrome's bundle ID as LaunchServices records it (lower case) is not Chrome")
	}
	for _, id := range []string{"com.microsoft.edgemac", "org.mozilla.firefox", "com.brave.Browser", "org.chromium.Chromium"} {
		if _, ok := Identify(id); !ok {
			t.Errorf("bundle ID %s unknown", id)
		}
	}
}

const lsRead = "defaults read com.apple.LaunchServices/com.apple.launchservices.secure LSHandlers"

func TestMacDefault(t *testing.T) {
	for _, tc := range []struct {
		name   string
		answer fakeAnswer
		want   DefaultApp
		err    bool
	}{
		{"Chrome", fakeAnswer{out: string(readFixture(t, "launchservices-chrome.txt"))},
			DefaultApp{ID: "com.google.chrome", Name: "Chrome", Known: true}, false},
		{"Firefox for http only", fakeAnswer{out: string(readFixture(t, "launchservices-firefox-http-only.txt"))},
			DefaultApp{ID: "org.mozilla.firefox", Name: "Firefox", Known: true}, false},
		{"no web handler recorded: Safari", fakeAnswer{out: string(readFixture(t, "launchservices-no-browser.txt"))},
			DefaultApp{ID: "com.apple.safari", Name: "Safari"}, false},
		{"the domain does not exist: Safari", fakeAnswer{code: 1}, DefaultApp{ID: "com.apple.safari", Name: "Safari"}, false},
		{"a browser this package does not know", fakeAnswer{out: "(\n    {\n        LSHandlerRoleAll = \"org.gnome.epiphany\";\n        LSHandlerURLScheme = https;\n    }\n)\n"},
			DefaultApp{ID: "org.gnome.epiphany", Name: "org.gnome.epiphany"}, false},
		{"defaults cannot run", fakeAnswer{err: errors.New("no defaults")}, DefaultApp{}, true},
	} {
		d, err := macDefault(context.Background(), &fakeRunner{t: t, answers: map[string]fakeAnswer{lsRead: tc.answer}})
		if (err != nil) != tc.err || !reflect.DeepEqual(d, tc.want) {
			t.Errorf("%s: %+v, %v; want %+v", tc.name, d, err, tc.want)
		}
	}
}

func TestXDGDefault(t *testing.T) {
	data := winegap.TempDir(t)
	apps := filepath.Join(data, "applications")
	if err := os.MkdirAll(apps, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, body := range map[string]string{
		"firefox-esr.desktop":         string(readFixture(t, "desktop/firefox-esr.desktop")),
		"chromium.desktop":            string(readFixture(t, "desktop/chromium.desktop")),
		"org.mozilla.firefox.desktop": "[Desktop Entry]\nName=Firefox\nExec=/usr/bin/flatpak run --branch=stable --arch=x86_64 --command=firefox --file-forwarding org.mozilla.firefox @@u %u @@\n",
		"org.gnome.Epiphany.desktop":  "[Desktop Entry]\nName=Web\nName[de]=Web\nExec=epiphany %U\n",
		"broken.desktop":              "[Desktop Entry]\nName=Broken\nExec=\"unterminated\n",
	} {
		if err := os.WriteFile(filepath.Join(apps, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	settings := "xdg-settings get default-web-browser"
	mime := "xdg-mime query default x-scheme-handler/https"
	for _, tc := range []struct {
		name    string
		answers map[string]fakeAnswer
		want    DefaultApp
		err     string
	}{
		{"Firefox ESR", map[string]fakeAnswer{settings: {out: "firefox-esr.desktop\n"}},
			DefaultApp{ID: "firefox-esr.desktop", Name: "Firefox", Known: true, Command: []string{"/usr/lib/firefox-esr/firefox-esr"}}, ""},
		{"a Flatpak", map[string]fakeAnswer{settings: {out: "org.mozilla.firefox.desktop\n"}},
			DefaultApp{ID: "org.mozilla.firefox.desktop", Name: "Firefox", Known: true, Install: Flatpak,
				Command: []string{"/usr/bin/flatpak", "run", "--branch=stable", "--arch=x86_64", "--command=firefox", "--file-forwarding", "org.mozilla.firefox"}}, ""},
		{"xdg-settings fails: the scheme handler", map[string]fakeAnswer{
			settings: {out: "xdg-settings: unknown desktop environment\n", code: 1}, mime: {out: "chromium.desktop\n"}},
			DefaultApp{ID: "chromium.desktop", Name: "Chromium", Known: true, Command: []string{"/usr/bin/chromium"}}, ""},
		{"an unknown browser is named as its entry names it", map[string]fakeAnswer{settings: {out: "org.gnome.Epiphany.desktop\n"}},
			DefaultApp{ID: "org.gnome.Epiphany.desktop", Name: "Web", Command: []string{"epiphany"}}, ""},
		{"no default", map[string]fakeAnswer{settings: {out: "\n"}, mime: {out: ""}}, DefaultApp{}, "names no default browser"},
		{"a desktop file that is nowhere", map[string]fakeAnswer{settings: {out: "vivaldi-stable.desktop\n"}}, DefaultApp{}, "vivaldi-stable.desktop"},
		{"a broken Exec", map[string]fakeAnswer{settings: {out: "broken.desktop\n"}}, DefaultApp{}, "unterminated quote"},
	} {
		d, err := xdgDefault(context.Background(), &fakeRunner{t: t, answers: tc.answers}, []string{data})
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s: %+v, %v; want an error saying %q", tc.name, d, err, tc.err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(d, tc.want) {
			t.Errorf("%s: %+v, %v; want %+v", tc.name, d, err, tc.want)
		}
	}
}
