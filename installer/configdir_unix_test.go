//go:build unix

package installer

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/clearance-app/clearance/internal/roottest"
	"github.com/clearance-app/clearance/platform/host"
)

// rootOnlyRoot is a root for the files install writes, in a directory that
// only root can write, with an etc/ in it: host.CheckRootOwned refuses
// anything under /tmp, which everyone may write.
func rootOnlyRoot(t *testing.T) string {
	t.Helper()
	if os.Geteuid() != 0 {
		roottest.Need(t, "needs root to make directories only root may change")
	}
	d := roottest.Dir(t)
	if err := os.Mkdir(filepath.Join(d, "etc"), 0o755); err != nil {
		t.Fatal(err)
	}
	return d
}

// Install makes the configuration's directory, 0755 and root's, so that a
// file an administrator puts there later is one the agent accepts; run
// again it says so; uninstall removes it while it is empty and keeps it
// once it holds a file.
func TestInstallMakesConfigDir(t *testing.T) {
	root := rootOnlyRoot(t)
	dir := filepath.Join(root, "etc", "clearance")
	var ev events
	m := &fakeManager{ev: &ev}
	db := &fakeDB{users: map[string]bool{"alice": true}, groups: map[string]bool{"clearance": true}, members: map[string]bool{"alice:clearance": true}}
	o := Options{Executable: testExe, User: "alice", Root: root, ConfigDir: "/etc/clearance"}
	steps, err := testSetup(t, o, m, &fakeRunner{t: t, ev: &ev}, db).install(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if want := "Made " + dir + ", for the agent's configuration file, changeable by administrators only"; steps[0].Done != want || !steps[0].Changed {
		t.Errorf("first step %+v, want %q", steps[0], want)
	}
	if fi, err := os.Stat(dir); err != nil || fi.Mode().Perm() != 0o755 || host.CheckRootOwned(dir) != nil {
		t.Fatalf("%s: %v, %v", dir, fi, err)
	}

	steps, err = testSetup(t, o, m, &fakeRunner{t: t, ev: &ev}, db).install(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if steps[0].Changed || !strings.HasPrefix(steps[0].Done, "Already changeable by administrators only: "+dir) {
		t.Errorf("second install: %+v", steps[0])
	}

	u := testSetup(t, o, m, &fakeRunner{t: t, ev: &ev}, db)
	if err := os.WriteFile(filepath.Join(dir, "config.toml"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := u.uninstall(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "config.toml")); err != nil {
		t.Errorf("uninstall removed the administrator's configuration: %v", err)
	}
	os.Remove(filepath.Join(dir, "config.toml"))
	u.steps = nil
	steps, err = u.uninstall(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(steps, func(s Step) bool { return s.Done == "Removed "+dir+", which held no configuration" && s.Changed }) {
		t.Errorf("uninstall said:\n%s", doneTexts(steps))
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("the empty directory is still there: %v", err)
	}
}

// A configuration directory that another user made first stops the
// installation before anything is registered, and says how to fix it.
func TestInstallRefusesAnotherUsersConfigDir(t *testing.T) {
	root := rootOnlyRoot(t)
	dir := filepath.Join(root, "etc", "clearance")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	os.Chown(dir, 65534, 65534)
	var ev events
	m := &fakeManager{ev: &ev}
	db := &fakeDB{users: map[string]bool{"alice": true}}
	o := Options{Executable: testExe, User: "alice", Root: root, ConfigDir: "/etc/clearance"}
	_, err := testSetup(t, o, m, &fakeRunner{t: t, ev: &ev}, db).install(context.Background())
	if err == nil || !strings.Contains(err.Error(), dir) || !strings.Contains(err.Error(), "sudo chown root "+dir) {
		t.Fatalf("err %v, want one naming %s and how to fix it", err, dir)
	}
	if len(ev) != 0 || m.installed {
		t.Errorf("install went on: %q", ev)
	}
}
