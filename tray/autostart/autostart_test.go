package autostart

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/clearance-app/clearance/internal/winegap"
	"github.com/clearance-app/clearance/platform"
)

// xdgFixture is a user config home and two system config dirs; system
// says whether the installer's entry is in the second.
func xdgFixture(t *testing.T, system bool) XDG {
	t.Helper()
	x := XDG{ConfigHome: filepath.Join(winegap.TempDir(t), "config"), ConfigDirs: []string{winegap.TempDir(t), winegap.TempDir(t)}}
	if system {
		writeFile(t, filepath.Join(x.ConfigDirs[1], "autostart", DesktopFile),
			"[Desktop Entry]\nType=Application\nName=Clearance\nExec=/usr/bin/clearance tray\n")
	}
	return x
}

func writeFile(t *testing.T, p, s string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

func mustEnabled(t *testing.T, x XDG, want bool) {
	t.Helper()
	got, err := x.Enabled()
	if err != nil || got != want {
		t.Fatalf("Enabled() = %v, %v; want %v", got, err, want)
	}
}

func TestXDGOptOutAndBack(t *testing.T) {
	x := xdgFixture(t, true)
	mustEnabled(t, x, true)

	if err := x.SetEnabled(false); err != nil {
		t.Fatal(err)
	}
	mustEnabled(t, x, false)
	data, err := os.ReadFile(filepath.Join(x.ConfigHome, "autostart", DesktopFile))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), "\nHidden=true\n") || !strings.HasPrefix(string(data), "[Desktop Entry]\n") {
		t.Errorf("opt-out entry:\n%s", data)
	}
	if err := x.SetEnabled(false); err != nil { // again: no change, no error
		t.Fatal(err)
	}
	// The machine-wide entry is never touched.
	if _, err := os.Stat(filepath.Join(x.ConfigDirs[1], "autostart", DesktopFile)); err != nil {
		t.Fatal(err)
	}

	if err := x.SetEnabled(true); err != nil {
		t.Fatal(err)
	}
	mustEnabled(t, x, true)
	if _, err := os.Stat(x.UserEntry()); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("opting back in left the user entry: %v", err)
	}
	if err := x.SetEnabled(true); err != nil { // again
		t.Fatal(err)
	}
}

func TestXDGWithoutTheMachineWideEntry(t *testing.T) {
	x := xdgFixture(t, false)
	mustEnabled(t, x, false)
	if err := x.SetEnabled(true); !errors.Is(err, ErrNotInstalled) {
		t.Errorf("SetEnabled(true) = %v, want ErrNotInstalled", err)
	}
	// Opting out still works, so the choice holds after an install.
	if err := x.SetEnabled(false); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(x.ConfigDirs[0], "autostart", DesktopFile), "[Desktop Entry]\nExec=clearance tray\n")
	mustEnabled(t, x, false)
}

// Entries that already exist: GNOME's way of turning an entry off, an
// administrator hiding the machine-wide one, and a user's own entry.
func TestXDGExistingEntries(t *testing.T) {
	x := xdgFixture(t, true)
	writeFile(t, x.UserEntry(), "[Desktop Entry]\nType=Application\nExec=/usr/bin/clearance tray\nX-GNOME-Autostart-enabled=false\n")
	mustEnabled(t, x, false)
	if err := x.SetEnabled(true); err != nil {
		t.Fatal(err)
	}
	mustEnabled(t, x, true)

	own := "[Desktop Entry]\nType=Application\nExec=/usr/bin/clearance tray --verbose\n[Desktop Action x]\nHidden=true\n"
	writeFile(t, x.UserEntry(), own)
	mustEnabled(t, x, true) // Hidden in another group does not count
	if err := x.SetEnabled(true); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(x.UserEntry()); err != nil || string(b) != own {
		t.Errorf("the person's own entry was changed: %q, %v", b, err)
	}

	hidden := xdgFixture(t, false)
	writeFile(t, filepath.Join(hidden.ConfigDirs[0], "autostart", DesktopFile), "[Desktop Entry]\nHidden=true\n")
	writeFile(t, filepath.Join(hidden.ConfigDirs[1], "autostart", DesktopFile), "[Desktop Entry]\nExec=clearance tray\n")
	mustEnabled(t, hidden, false) // the more important system dir hides it
}

func TestStartupApprovedValues(t *testing.T) {
	// superuser.com question 1766797: Task Manager's values.
	recorded := map[string]bool{
		"02 00 00 00 00 00 00 00 00 00 00 00": true,
		"03 00 00 00 d4 0d 43 8d c8 3b d9 01": false,
		"63 60 60 60 62 F9 8C 76 C5 3B D9 91": false,
	}
	for hexs, want := range recorded {
		var v []byte
		for _, h := range strings.Fields(hexs) {
			var b byte
			fmt.Sscanf(h, "%x", &b)
			v = append(v, b)
		}
		if got := startupApproved(v); got != want {
			t.Errorf("startupApproved(%s) = %v, want %v", hexs, got, want)
		}
	}
	if !startupApproved(nil) {
		t.Error("a missing value turned the entry off")
	}

	on := startupApprovedValue(true, time.Now())
	if len(on) != 12 || on[0] != 0x02 || !startupApproved(on) || strings.Trim(string(on[1:]), "\x00") != "" {
		t.Errorf("enabled value % x", on)
	}
	// A disabled value carries when it was turned off, little-endian in
	// bytes 4-11.
	at := time.Date(2023, 2, 20, 13, 42, 0, 0, time.UTC)
	off := startupApprovedValue(false, at)
	if len(off) != 12 || off[0] != 0x03 || startupApproved(off) || binary.LittleEndian.Uint64(off[4:]) != filetime(at) {
		t.Errorf("disabled value % x", off)
	}
	// A FILETIME is 100 ns since 1601: 1970-01-01 is 116444736000000000.
	if filetime(time.Unix(0, 0)) != 116444736000000000 {
		t.Errorf("filetime(1970) = %d", filetime(time.Unix(0, 0)))
	}
	// The recorded value decodes to a date in February 2023, when the
	// question was asked.
	ft := binary.LittleEndian.Uint64([]byte{0xd4, 0x0d, 0x43, 0x8d, 0xc8, 0x3b, 0xd9, 0x01})
	when := time.Unix(0, int64(ft-116444736000000000)*100).UTC()
	if when.Year() != 2023 || when.Month() != time.February {
		t.Errorf("recorded FILETIME decodes to %v", when)
	}
}

func readFixture(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestParsePrintDisabled(t *testing.T) {
	for file, want := range map[string]bool{
		"print-disabled-bool.txt":  true,
		"print-disabled-words.txt": false,
		"print-disabled-empty.txt": false,
	} {
		got, err := parsePrintDisabled(readFixture(t, file))
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		if got[LaunchdLabel] != want {
			t.Errorf("%s: %s disabled = %v, want %v (all: %v)", file, LaunchdLabel, got[LaunchdLabel], want, got)
		}
	}
	words, _ := parsePrintDisabled(readFixture(t, "print-disabled-words.txt"))
	if !words["com.apple.Siri.agent"] || len(words) != 2 {
		t.Errorf("words: %v", words)
	}
	for _, bad := range []string{"", "Usage: launchctl print-disabled <domain-target>\n", "disabled services = {\n\t\"x\" => maybe\n}\n", "disabled services = {\n\t\"x\" => true\n"} {
		if got, err := parsePrintDisabled(bad); err == nil {
			t.Errorf("parsePrintDisabled(%q) = %v, want an error", bad, got)
		}
	}
}

type fakeRunner struct {
	t       *testing.T
	answers map[string]string
	fail    map[string]int
	calls   []string
}

func (f *fakeRunner) Run(_ context.Context, name string, args ...string) ([]byte, error) {
	argv := strings.Join(append([]string{name}, args...), " ")
	f.calls = append(f.calls, argv)
	if code, ok := f.fail[argv]; ok {
		return nil, &platform.ExitError{Argv: append([]string{name}, args...), Code: code}
	}
	out, ok := f.answers[argv]
	if !ok {
		f.t.Errorf("unexpected command: %s", argv)
		return nil, fmt.Errorf("unexpected command %s", argv)
	}
	return []byte(out), nil
}

func TestLaunchd(t *testing.T) {
	plist := filepath.Join(winegap.TempDir(t), LaunchdLabel+".plist")
	writeFile(t, plist, "<plist/>")
	ctx := context.Background()
	run := &fakeRunner{t: t, answers: map[string]string{
		"launchctl print-disabled gui/501":             readFixture(t, "print-disabled-bool.txt"),
		"launchctl enable gui/501/app.clearance.tray":  "",
		"launchctl disable gui/501/app.clearance.tray": "",
	}}
	l := Launchd{Run: run, UID: 501, Plists: []string{filepath.Join(winegap.TempDir(t), "missing.plist"), plist}}
	if on, err := l.Enabled(ctx); err != nil || on {
		t.Errorf("disabled in the fixture: Enabled = %v, %v", on, err)
	}
	run.answers["launchctl print-disabled gui/501"] = readFixture(t, "print-disabled-words.txt")
	if on, err := l.Enabled(ctx); err != nil || !on {
		t.Errorf("enabled in the fixture: Enabled = %v, %v", on, err)
	}
	run.calls = nil
	if err := l.SetEnabled(ctx, false); err != nil {
		t.Fatal(err)
	}
	if err := l.SetEnabled(ctx, true); err != nil {
		t.Fatal(err)
	}
	if want := "launchctl disable gui/501/app.clearance.tray,launchctl enable gui/501/app.clearance.tray"; strings.Join(run.calls, ",") != want {
		t.Errorf("commands %q", run.calls)
	}

	run.fail = map[string]int{"launchctl print-disabled gui/501": 113}
	if _, err := l.Enabled(ctx); err == nil {
		t.Error("a failing launchctl was read as an answer")
	}

	// Not installed: not enabled, without asking launchd; enabling says why.
	gone := Launchd{Run: run, UID: 501, Plists: []string{filepath.Join(winegap.TempDir(t), "missing.plist")}}
	run.calls = nil
	if on, err := gone.Enabled(ctx); err != nil || on || len(run.calls) != 0 {
		t.Errorf("not installed: %v, %v, calls %q", on, err, run.calls)
	}
	if err := gone.SetEnabled(ctx, true); !errors.Is(err, ErrNotInstalled) {
		t.Errorf("enable without the agent: %v", err)
	}
}
