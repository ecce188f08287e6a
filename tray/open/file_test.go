package open

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/clearance-app/clearance/internal/winegap"
	"github.com/clearance-app/clearance/platform"
)

// File opens documents only: anything else is refused before a program
// is started, whatever the system.
func TestFileRefusesWhatIsNotADocument(t *testing.T) {
	dir := winegap.TempDir(t)
	write := func(name string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	page := write("details.html")
	if err := os.Mkdir(filepath.Join(dir, "folder.html"), 0o700); err != nil {
		t.Fatal(err)
	}
	launch := &fakeLauncher{}
	o := &Opener{Run: &fakeRunner{t: t}, Launch: launch}
	for _, tc := range []struct{ path, says string }{
		{"details.html", "not the full path"},
		{"--help", "not the full path"},
		{"file://" + page, "not the full path"},
		{write("run.sh"), "not a document"},
		{write("app.desktop"), "not a document"},
		{write("setup.exe"), "not a document"},
		{write("noext"), "not a document"},
		{filepath.Join(dir, "missing.html"), "there is no such file"},
		{filepath.Join(dir, "folder.html"), "is not a file"},
	} {
		if err := o.File(context.Background(), tc.path); err == nil || !strings.Contains(err.Error(), tc.says) {
			t.Errorf("File(%q): %v, want an error saying %q", tc.path, err, tc.says)
		}
	}
	if len(launch.launched) != 0 {
		t.Fatalf("started %q for refused paths", launch.launched)
	}
	if p, err := documentPath(page); err != nil || p != page {
		t.Fatalf("a page: %q %v", p, err)
	}
	if p, err := documentPath(write("NOTES.TXT")); err != nil || filepath.Base(p) != "NOTES.TXT" {
		t.Fatalf("a text file: %q %v", p, err)
	}
}

// On Linux and the BSDs the path itself goes to xdg-open, which picks the
// program for the file's type; its failures are said for a person.
func TestXdgOpenFileHandsThePathToXdgOpen(t *testing.T) {
	launch := &fakeLauncher{}
	o := &Opener{Run: &fakeRunner{t: t}, Launch: launch}
	path := "/home/ann/Downloads/Clearance/clock-skew.html"
	if err := o.xdgOpenFile(context.Background(), path); err != nil {
		t.Fatal(err)
	}
	if want := []string{"xdg-open", path}; len(launch.launched) != 1 || !slices.Equal(launch.launched[0], want) {
		t.Errorf("launched %q, want %q", launch.launched, want)
	}
	launch.err = &platform.ExitError{Argv: []string{"xdg-open", path}, Code: 3}
	if err := o.xdgOpenFile(context.Background(), path); err == nil || !strings.Contains(err.Error(), "no program to open this kind of file") {
		t.Errorf("xdg-open exit 3: %v", err)
	}
	launch.err = &platform.ExitError{Argv: []string{"xdg-open", path}, Code: 4}
	if err := o.xdgOpenFile(context.Background(), path); err == nil || !strings.Contains(err.Error(), "did not start") {
		t.Errorf("xdg-open exit 4: %v", err)
	}
}
