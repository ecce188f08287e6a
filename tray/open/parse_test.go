package open

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
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
		browser          browser
	}{
		{"desktop/firefox-esr.desktop", "Firefox ESR", "/usr/lib/firefox-esr/firefox-esr %u", []string{"/usr/lib/firefox-esr/firefox-esr"}, firefox},
		{"desktop/chromium.desktop", "Chromium Web Browser", "/usr/bin/chromium %U", []string{"/usr/bin/chromium"}, chromium},
	} {
		e := parseDesktopEntry(readFixture(t, tc.file))
		if e["Name"] != tc.name || e["Exec"] != tc.exec {
			t.Errorf("%s: Name %q Exec %q", tc.file, e["Name"], e["Exec"])
		}
		argv, err := parseExec(e["Exec"])
		if err != nil || !slices.Equal(argv, tc.argv) {
			t.Errorf("%s: argv %q, %v", tc.file, argv, err)
		}
		if b, ok := execBrowser(argv, filepath.Base(tc.file)); !ok || b != tc.browser {
			t.Errorf("%s: browser %+v (%v)", tc.file, b, ok)
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
		exec, id string
		want     browser
		known    bool
	}{
		{"/usr/bin/google-chrome-stable %U", "google-chrome.desktop", chrome, true},
		{"/usr/bin/brave-browser-stable %U", "brave-browser.desktop", brave, true},
		{"/usr/bin/microsoft-edge-stable %U", "microsoft-edge.desktop", edge, true},
		{"/usr/bin/flatpak run --branch=stable --arch=x86_64 --command=firefox --file-forwarding org.mozilla.firefox @@u %u @@", "org.mozilla.firefox.desktop", firefox, true},
		{"env BAMF_DESKTOP_FILE_HINT=/var/lib/snapd/desktop/applications/firefox_firefox.desktop /snap/bin/firefox %u", "firefox_firefox.desktop", firefox, true},
		{"/opt/wrapper.sh %u", "chromium.desktop", chromium, true}, // the desktop ID as last resort
		{"epiphany %U", "org.gnome.Epiphany.desktop", browser{}, false},
		{"/usr/bin/flatpak run org.gnome.Epiphany @@u %u @@", "org.gnome.Epiphany.desktop", browser{}, false},
	} {
		argv, err := parseExec(tc.exec)
		if err != nil {
			t.Fatal(err)
		}
		if got, ok := execBrowser(argv, tc.id); ok != tc.known || got != tc.want {
			t.Errorf("execBrowser(%q) = %+v, %v", tc.exec, got, ok)
		}
	}
}

func TestFindDesktopFile(t *testing.T) {
	home, sys := t.TempDir(), t.TempDir()
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
	dirs := []string{home, filepath.Join(t.TempDir(), "missing"), sys}
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

func TestXDGDataDirs(t *testing.T) {
	env := map[string]string{}
	get := func(k string) string { return env[k] }
	if got := xdgDataDirs(get, "/home/ann"); !slices.Equal(got, []string{"/home/ann/.local/share", "/usr/local/share", "/usr/share"}) {
		t.Errorf("defaults: %q", got)
	}
	env["XDG_DATA_HOME"] = "/x/data"
	env["XDG_DATA_DIRS"] = "/var/lib/flatpak/exports/share:relative:/usr/share"
	if got := xdgDataDirs(get, "/home/ann"); !slices.Equal(got, []string{"/x/data", "/var/lib/flatpak/exports/share", "/usr/share"}) {
		t.Errorf("from the environment: %q", got)
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

func TestWindowsBrowser(t *testing.T) {
	for cmd, want := range map[string]browser{
		`"C:\Program Files\Google\Chrome\Application\chrome.exe" --single-argument %1`:              chrome,
		`"C:\Program Files (x86)\Microsoft\Edge\Application\msedge.exe" --single-argument %1`:       edge,
		`"C:\Program Files\Mozilla Firefox\firefox.exe" -osint -url "%1"`:                           firefox,
		`"C:\Program Files\BraveSoftware\Brave-Browser\Application\brave.exe" --single-argument %1`: brave,
	} {
		exe, b, known, err := windowsBrowser(cmd)
		if err != nil || !known || b != want || strings.Contains(exe, `"`) || !strings.HasSuffix(exe, ".exe") {
			t.Errorf("windowsBrowser(%q) = %q, %+v, %v, %v", cmd, exe, b, known, err)
		}
	}
	if _, _, known, err := windowsBrowser(`"C:\Program Files\Opera\launcher.exe" -noautoupdate -- "%1"`); err != nil || known {
		t.Errorf("Opera: known %v, %v; want unknown", known, err)
	}
	if _, _, _, err := windowsBrowser("  "); err == nil {
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
	if b, ok := lookupBrowser("com.google.chrome"); !ok || b != chrome {
		t.Error("Chrome's bundle ID as LaunchServices records it (lower case) is not Chrome")
	}
	for _, id := range []string{"com.microsoft.edgemac", "org.mozilla.firefox", "com.brave.Browser", "org.chromium.Chromium"} {
		if _, ok := lookupBrowser(id); !ok {
			t.Errorf("bundle ID %s unknown", id)
		}
	}
}

func TestWebURL(t *testing.T) {
	if u, err := webURL("https://chatgpt.com/a b?q=1&r=2"); err != nil || u != "https://chatgpt.com/a%20b?q=1&r=2" {
		t.Errorf("webURL = %q, %v", u, err)
	}
	for _, bad := range []string{"", "--incognito", "file:///etc/passwd", "javascript:alert(1)", "chatgpt.com", "https://", "calc.exe"} {
		if _, err := webURL(bad); err == nil {
			t.Errorf("webURL(%q) accepted", bad)
		}
	}
}

func TestNoPrivateWindowError(t *testing.T) {
	err := error(&NoPrivateWindowError{Browser: "Safari"})
	if !errors.Is(err, ErrNoPrivateWindow) {
		t.Error("errors.Is(ErrNoPrivateWindow) is false")
	}
	if want := "Your default browser (Safari) has no known private-window option: open a private window yourself"; err.Error() != want {
		t.Errorf("message %q", err)
	}
}
