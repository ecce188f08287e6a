package metrics

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/clearance-app/clearance/internal/roottest"
	"github.com/clearance-app/clearance/platform/host"
)

// The textfile holds Clearance's own numbers, parsed as node_exporter does
// (no go_ or process_ series, which would clash with node_exporter's
// own), replaced in one step with no temporary file left, mode 0644.
func TestTextfileIsWrittenWhole(t *testing.T) {
	dir := roottest.Dir(t)
	path := filepath.Join(dir, "clearance.prom")
	if err := os.WriteFile(path, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	e := New()
	e.Set(known)
	for range 3 {
		if err := e.WriteTextfile(path); err != nil {
			t.Fatal(err)
		}
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	mfs := parse(t, f)
	if v, ok := series(mfs, "clearance_finding", "code", "clock-skew", "severity", "warning"); !ok || v != 1 {
		t.Errorf("clock-skew finding %v %v", v, ok)
	}
	if v, ok := series(mfs, "clearance_clock_offset_seconds"); !ok || v != -92.5 {
		t.Errorf("offset %v %v", v, ok)
	}
	for name := range mfs {
		if !bytes.HasPrefix([]byte(name), []byte("clearance_")) {
			t.Errorf("the textfile has %s, which node_exporter exports itself", name)
		}
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o644 {
		t.Errorf("mode %v, want 0644", fi.Mode().Perm())
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("the directory holds %v; want only clearance.prom", names)
	}
}

// A directory others may write is refused: they could replace the file
// with a link between two runs. Nothing is written there.
func TestSecurityTextfileRefusesADirectoryOthersMayWrite(t *testing.T) {
	roottest.NeedRoot(t, "to tell a directory others may write from root's own")
	dir := filepath.Join(roottest.Dir(t), "open")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o777); err != nil {
		t.Fatal(err)
	}
	e := New()
	e.Set(known)
	err := e.WriteTextfile(filepath.Join(dir, "clearance.prom"))
	var unsafe *host.UnsafePathError
	if !errors.As(err, &unsafe) || unsafe.Path != dir {
		t.Fatalf("err %v, want an UnsafePathError naming %s", err, dir)
	}
	t.Logf("refused: %v", err)
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Fatalf("written into it anyway: %v", entries)
	}
}

// A link is never followed: planted at the file's name, it is refused and
// what it points at is left alone; a directory reached through a link
// that another user owns is refused.
func TestSecurityTextfileRefusesLinks(t *testing.T) {
	roottest.NeedRoot(t, "to plant links that another user owns")
	dir := roottest.Dir(t)
	e := New()
	e.Set(known)

	victim := filepath.Join(dir, "shadow")
	if err := os.WriteFile(victim, []byte("root:x:0:0\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "clearance.prom")
	if err := os.Symlink(victim, path); err != nil {
		t.Fatal(err)
	}
	if err := e.WriteTextfile(path); err == nil {
		t.Fatal("wrote through a link planted at the file's name")
	} else {
		t.Logf("refused: %v", err)
	}
	if b, _ := os.ReadFile(victim); string(b) != "root:x:0:0\n" {
		t.Fatalf("the link's target changed: %q", b)
	}
	if fi, err := os.Lstat(path); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Fatalf("the link was replaced: %v %v", fi, err)
	}

	real := filepath.Join(dir, "real")
	if err := os.Mkdir(real, 0o755); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "via")
	if err := os.Symlink(real, link); err != nil {
		t.Fatal(err)
	}
	if err := os.Lchown(link, 65534, 65534); err != nil {
		t.Fatal(err)
	}
	err := e.WriteTextfile(filepath.Join(link, "clearance.prom"))
	var unsafe *host.UnsafePathError
	if !errors.As(err, &unsafe) || unsafe.Path != link {
		t.Fatalf("err %v, want an UnsafePathError naming the link %s", err, link)
	}
	if entries, _ := os.ReadDir(real); len(entries) != 0 {
		t.Fatalf("written through the link: %v", entries)
	}
}

// The textfile of a known snapshot is exactly testdata/known.prom, at
// every write: families by name, series by labels, the help texts as the
// README shows them. (Written first by Prometheus' Go client's registry,
// which this package no longer loads: the same bytes but two help texts.)
func TestTextfileOfAKnownSnapshotIsStable(t *testing.T) {
	want, err := os.ReadFile("testdata/known.prom")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(roottest.Dir(t), "clearance.prom")
	e := New()
	e.Set(known)
	for range 3 {
		if err := e.WriteTextfile(path); err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("the textfile differs from testdata/known.prom:\n%s", got)
		}
	}
}
