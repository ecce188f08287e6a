package installer

import (
	"encoding/xml"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/clearance-app/clearance/internal/roottest"
	"github.com/clearance-app/clearance/internal/winegap"
)

func readTestdata(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestDesktopEntry(t *testing.T) {
	for _, c := range []struct{ exe, file string }{
		{"/usr/local/bin/clearance", "clearance-tray.desktop"},
		// A space, a field-code %, a $ and a backslash: quoted, %%, and
		// the backslash escaped twice (quoting, then the key file).
		{`/opt/My Apps/50%$off\/clearance`, "clearance-tray-quoted.desktop"},
	} {
		if got, want := desktopEntry(c.exe), readTestdata(t, c.file); got != want {
			t.Errorf("desktopEntry(%q):\n%s\nwant (testdata/%s):\n%s", c.exe, got, c.file, want)
		}
	}
}

// Exec arguments decode back to the path: undo the key-file escapes, then
// the quoting, as a desktop reads them.
func TestExecArgRoundTrip(t *testing.T) {
	for _, p := range []string{"/usr/bin/clearance", "/opt/a b/c", `/x/"q"/y`, "/x/`id`/$HOME", `C:\odd\path`, "/tmp/100%/c", "/x/it's"} {
		line := escapeKeyFile(execArg(p))
		if got := unquoteExec(t, unescapeKeyFile(line)); got != strings.ReplaceAll(p, "%", "%%") {
			t.Errorf("%q: Exec value %q decodes to %q", p, line, got)
		}
	}
}

func unescapeKeyFile(s string) string {
	return strings.NewReplacer(`\\`, `\`, `\n`, "\n", `\t`, "\t", `\r`, "\r", `\s`, " ").Replace(s)
}

// unquoteExec undoes the Exec quoting of a single argument.
func unquoteExec(t *testing.T, s string) string {
	t.Helper()
	if !strings.HasPrefix(s, `"`) {
		return s
	}
	if !strings.HasSuffix(s, `"`) || len(s) < 2 {
		t.Fatalf("unbalanced quotes in %q", s)
	}
	var b strings.Builder
	in := s[1 : len(s)-1]
	for i := 0; i < len(in); i++ {
		if in[i] == '\\' && i+1 < len(in) && strings.ContainsRune("\"`$\\", rune(in[i+1])) {
			i++
		} else if strings.ContainsRune("\"`$\\", rune(in[i])) {
			t.Fatalf("unescaped %q in %q", in[i], s)
		}
		b.WriteByte(in[i])
	}
	return b.String()
}

func TestLaunchAgentPlist(t *testing.T) {
	exe := "/Applications/Clearance & Co/clearance"
	got := launchAgentPlist(exe)
	if want := readTestdata(t, "app.clearance.tray.plist"); got != want {
		t.Errorf("launchAgentPlist:\n%s\nwant:\n%s", got, want)
	}
	// Well-formed, and the program's arguments decode to exe and tray.
	var args []string
	d := xml.NewDecoder(strings.NewReader(got))
	d.Strict = true
	inArray := false
	for {
		tok, err := d.Token()
		if err != nil {
			break
		}
		switch el := tok.(type) {
		case xml.StartElement:
			if el.Name.Local == "array" {
				inArray = true
			}
			if inArray && el.Name.Local == "string" {
				var s string
				if err := d.DecodeElement(&s, &el); err != nil {
					t.Fatal(err)
				}
				args = append(args, s)
			}
		case xml.EndElement:
			if el.Name.Local == "array" {
				inArray = false
			}
		}
	}
	if len(args) != 3 || args[0] != exe || args[1] != "tray" || args[2] != "--autostart" {
		t.Errorf("ProgramArguments decode to %q", args)
	}
}

func TestRunKeyValue(t *testing.T) {
	if got, want := runKeyValue(`C:\Program Files\Clearance\clearance.exe`), `"C:\Program Files\Clearance\clearance.exe" tray --autostart`; got != want {
		t.Errorf("runKeyValue = %s, want %s", got, want)
	}
}

// The file entry is written under Root, 0644, replaced when different, and
// removed; each step says which.
func TestFileEntry(t *testing.T) {
	root := winegap.TempDir(t)
	e := fileEntry{path: desktopEntryPath, content: desktopEntry("/usr/bin/clearance")}
	p := filepath.Join(root, desktopEntryPath)
	for i, want := range []Step{
		{Done: "Set the tray to start at every login, for everyone, from the next login on (" + desktopEntryPath + ")", Changed: true},
		{Done: "Already set: the tray starts at every login, for everyone (" + desktopEntryPath + ")"},
	} {
		st, err := e.install(root)
		if err != nil || st != want {
			t.Errorf("install %d: %+v, %v; want %+v", i, st, err, want)
		}
	}
	fi, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS != "windows" && fi.Mode().Perm() != 0o644 { // Windows keeps no such bits
		t.Errorf("mode %v, want 0644", fi.Mode().Perm())
	}
	moved := fileEntry{path: desktopEntryPath, content: desktopEntry("/opt/clearance/clearance")}
	if st, err := moved.install(root); err != nil || st.Done != "Updated the tray's start at login ("+desktopEntryPath+")" || !st.Changed {
		t.Errorf("update: %+v, %v", st, err)
	}
	if b, _ := os.ReadFile(p); string(b) != moved.content {
		t.Errorf("after update:\n%s", b)
	}
	if st, err := e.remove(root); err != nil || !st.Changed {
		t.Errorf("remove: %+v, %v", st, err)
	}
	if st, err := e.remove(root); err != nil || st.Changed || st.Done != "Nothing to remove: the tray was not set to start at login" {
		t.Errorf("remove again: %+v, %v", st, err)
	}
	left, _ := os.ReadDir(filepath.Dir(p))
	if len(left) != 0 {
		t.Errorf("left in the directory: %v", left)
	}
}

// desktop-file-validate (package desktop-file-utils), where installed,
// accepts the entries, quoting included.
func TestDesktopEntryValidates(t *testing.T) {
	validate, err := exec.LookPath("desktop-file-validate")
	if err != nil {
		roottest.Need(t, "needs desktop-file-validate (package desktop-file-utils)")
	}
	for _, exe := range []string{"/usr/local/bin/clearance", `/opt/My Apps/50%$off\/clearance`, "/opt/it's (x86)/clearance"} {
		p := filepath.Join(winegap.TempDir(t), "clearance-tray.desktop")
		if err := os.WriteFile(p, []byte(desktopEntry(exe)), 0o644); err != nil {
			t.Fatal(err)
		}
		if out, err := exec.Command(validate, p).CombinedOutput(); err != nil || len(out) != 0 {
			t.Errorf("%q: %v\n%s", exe, err, out)
		}
	}
}
