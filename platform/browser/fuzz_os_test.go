package browser

import (
	"slices"
	"strings"
	"testing"
)

// What the desktops say about the default browser, and the lock links
// browsers leave in their profiles, come from files and commands a person
// (or anything running as them) controls.

func isBlank(r rune) bool { return r == ' ' || r == '\t' }

// FuzzDesktopEntry reads a .desktop file and splits its Exec line. Keys
// are unlocalized and trimmed. An Exec line without quotes, escapes,
// field codes or Flatpak markers splits at blanks and nowhere else.
func FuzzDesktopEntry(f *testing.F) {
	seed(f, "desktop/chromium.desktop", "desktop/firefox-esr.desktop")
	f.Add([]byte("[Desktop Entry]\nExec=\"/opt/my browser/run\" --a \"x\\\\\\\"y\" %U @@u %f @@\nName[de]=x\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		m := parseDesktopEntry(data)
		for k := range m {
			if strings.Contains(k, "[") || strings.TrimSpace(k) != k {
				t.Fatalf("key %q", k)
			}
		}
		exec := m["Exec"]
		argv, err := parseExec(exec)
		if err != nil {
			return
		}
		if !strings.ContainsAny(exec, "\"\\%@") && !slices.Equal(argv, strings.FieldsFunc(exec, isBlank)) {
			t.Fatalf("Exec %q split as %q", exec, argv)
		}
	})
}

// FuzzWindowsCommand: a URL handler's shell\open\command value, from the
// registry. A command without quotes or backslashes splits at blanks; a
// default read from any other has a name.
func FuzzWindowsCommand(f *testing.F) {
	f.Add("MSEdgeHTML", `"C:\Program Files (x86)\Microsoft\Edge\Application\msedge.exe" --single-argument %1`)
	f.Add("FirefoxURL-308046B0AF4A39CB", `"C:\Program Files\Mozilla Firefox\firefox.exe" -osint -url "%1"`)
	f.Add("x", `C:\a\b.exe "a\\\"b" c\\"d e" f\`)
	f.Add("", ` "unterminated`)
	f.Fuzz(func(t *testing.T, progID, command string) {
		argv := splitWindowsCommand(command)
		if !strings.ContainsAny(command, "\"\\") && !slices.Equal(argv, strings.FieldsFunc(command, isBlank)) {
			t.Fatalf("%q split as %q", command, argv)
		}
		d, err := windowsDefault(progID, command)
		if err == nil && (d.Name == "" && progID != "" || len(d.Command) != 1) {
			t.Fatalf("default %+v from %q, %q", d, progID, command)
		}
	})
}

// FuzzDefaultBrowserBundle: `defaults read
// com.apple.LaunchServices/com.apple.launchservices.secure LSHandlers` on
// macOS. A bundle found is one word of the output.
func FuzzDefaultBrowserBundle(f *testing.F) {
	seed(f, "launchservices-chrome.txt", "launchservices-firefox-http-only.txt", "launchservices-no-browser.txt")
	f.Fuzz(func(t *testing.T, data []byte) {
		out := string(data)
		b, ok := defaultBrowserBundle(out)
		if ok && (b == "" || !strings.Contains(out, b)) {
			t.Fatalf("bundle %q from %q", b, out)
		}
		if !ok && b != "" {
			t.Fatalf("bundle %q, not ok", b)
		}
	})
}

// FuzzLockTargets reads a string as a Chromium SingletonLock target, a
// Firefox lock target and xdg-settings' answer. A process found has a
// positive pid; a desktop ID is one file name.
func FuzzLockTargets(f *testing.F) {
	f.Add("laptop.local-4242")
	f.Add("127.0.1.1:+31337")
	f.Add("firefox-esr.desktop\n")
	f.Add("a-b-c--1")
	f.Fuzz(func(t *testing.T, s string) {
		if host, pid, ok := parseSingletonLock(s); ok && (pid <= 0 || host == "" || !strings.HasPrefix(s, host+"-")) {
			t.Fatalf("SingletonLock %q: %q, %d", s, host, pid)
		}
		if ip, pid, ok := parseFirefoxLock(s); ok && (pid <= 0 || !strings.HasPrefix(s, ip+":+")) {
			t.Fatalf("Firefox lock %q: %q, %d", s, ip, pid)
		}
		if id, ok := parseDesktopID([]byte(s)); ok && (!strings.HasSuffix(id, ".desktop") || strings.ContainsAny(id, " /\\\n")) {
			t.Fatalf("desktop ID %q from %q", id, s)
		}
	})
}
