package installer

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/clearance-app/clearance/internal/winegap"
	"github.com/clearance-app/clearance/platform/dnsfix"
	"github.com/clearance-app/clearance/platform/host"
)

const testExe = "/usr/local/bin/clearance"

// A first install registers, sets the autostart entry, creates the group,
// adds the user and starts the service last, once everything is in place;
// it says so in that order.
func TestInstallFresh(t *testing.T) {
	var ev events
	m := &fakeManager{ev: &ev}
	run := &fakeRunner{t: t, ev: &ev, want: []call{
		{argv: "groupadd --system clearance"},
		{argv: "usermod -aG clearance alice"},
	}}
	db := &fakeDB{users: map[string]bool{"alice": true}}
	s := testSetup(t, Options{Executable: testExe, User: "alice"}, m, run, db)

	steps, err := s.install(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	run.done()
	want := `* Registered the service clearance (sysv, /etc/init.d/clearance): it starts at boot
* Set the tray to start at every login, for everyone, from the next login on (/etc/xdg/autostart/clearance-tray.desktop)
* Created the group clearance: its members may run Clearance's fixes without a password
* Added alice to the group clearance: they may run fixes from the tray
* Started the service clearance: the agent answers on ` + agentAddress + `
`
	if got := doneTexts(steps); got != want {
		t.Errorf("steps:\n%s\nwant:\n%s", got, want)
	}
	if wantEv := []string{"install", "groupadd --system clearance", "usermod -aG clearance alice", "start", "ready"}; !slices.Equal(ev, wantEv) {
		t.Errorf("events %q, want %q", ev, wantEv)
	}
	b, err := os.ReadFile(filepath.Join(s.o.Root, desktopEntryPath))
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != desktopEntry(testExe) {
		t.Errorf("autostart entry:\n%s", b)
	}
	if !m.installed || !m.running || !registrationRuns(m.reg, testExe, "") {
		t.Errorf("service after install: %+v", m)
	}
}

// A second install finds everything done: every step says "already", no
// command runs and the service manager is not asked to change anything.
func TestInstallTwiceChangesNothing(t *testing.T) {
	var ev events
	m := &fakeManager{ev: &ev}
	db := &fakeDB{users: map[string]bool{"alice": true}}
	first := testSetup(t, Options{Executable: testExe, User: "alice"}, m,
		&fakeRunner{t: t, ev: &ev, want: []call{{argv: "groupadd --system clearance"}, {argv: "usermod -aG clearance alice"}}}, db)
	if _, err := first.install(context.Background()); err != nil {
		t.Fatal(err)
	}
	db.groups = map[string]bool{"clearance": true}
	db.members = map[string]bool{"alice:clearance": true}
	ev = nil

	run := &fakeRunner{t: t, ev: &ev}
	second := testSetup(t, Options{Executable: testExe, User: "alice", Root: first.o.Root}, m, run, db)
	steps, err := second.install(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := `  Already registered: the service clearance (sysv, /etc/init.d/clearance)
  Already set: the tray starts at every login, for everyone (/etc/xdg/autostart/clearance-tray.desktop)
  Already there: the group clearance
  Already in the group clearance: alice
  Already running: the service clearance
`
	if got := doneTexts(steps); got != want {
		t.Errorf("steps:\n%s\nwant:\n%s", got, want)
	}
	if len(ev) != 0 {
		t.Errorf("a second install did %q", ev)
	}
}

// A registration that runs another binary (moved, or an older copy) or
// another configuration is replaced, and the service restarted on it.
func TestInstallReplacesOutdatedRegistration(t *testing.T) {
	for _, c := range []struct {
		name string
		reg  string
	}{
		{"other binary", `cmd="/opt/old/clearance \"agent\""`},
		{"other config", `cmd="` + testExe + ` \"agent\" \"--config\" \"/etc/old.toml\""`},
	} {
		t.Run(c.name, func(t *testing.T) {
			var ev events
			m := &fakeManager{ev: &ev, installed: true, running: true}
			db := &fakeDB{users: map[string]bool{"alice": true}, groups: map[string]bool{"clearance": true}, members: map[string]bool{"alice:clearance": true}}
			s := testSetup(t, Options{Executable: testExe, User: "alice"}, m, &fakeRunner{t: t, ev: &ev}, db)
			m.reg = c.reg
			steps, err := s.install(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if wantEv := []string{"stop", "uninstall", "install", "start", "ready"}; !slices.Equal(ev, wantEv) {
				t.Errorf("events %q, want %q", ev, wantEv)
			}
			if steps[0].Done != "Updated the service clearance (sysv, /etc/init.d/clearance) to run "+testExe+" agent" || !steps[0].Changed {
				t.Errorf("first step %+v", steps[0])
			}
			if last := steps[len(steps)-1]; !strings.HasPrefix(last.Done, "Started the service clearance") {
				t.Errorf("last step %+v", last)
			}
		})
	}
}

// A --user that names nobody fails before anything changes.
func TestInstallUnknownUserChangesNothing(t *testing.T) {
	var ev events
	m := &fakeManager{ev: &ev}
	s := testSetup(t, Options{Executable: testExe, User: "alcie"}, m, &fakeRunner{t: t, ev: &ev}, &fakeDB{})
	steps, err := s.install(context.Background())
	if !errors.Is(err, errUserUnknown) || !strings.Contains(err.Error(), `"alcie"`) {
		t.Errorf("err = %v", err)
	}
	if len(steps) != 0 || len(ev) != 0 {
		t.Errorf("steps %q, events %q", doneTexts(steps), ev)
	}
	if _, err := os.Stat(filepath.Join(s.o.Root, desktopEntryPath)); err == nil {
		t.Error("autostart entry written")
	}
}

// Without a user (no --user, no SUDO_USER) and for root, nobody is added,
// and the step says how to add a person.
func TestInstallWithoutUserSaysHow(t *testing.T) {
	for _, user := range []string{"", "root"} {
		var ev events
		m := &fakeManager{ev: &ev}
		db := &fakeDB{users: map[string]bool{"root": true}, groups: map[string]bool{"clearance": true}}
		s := testSetup(t, Options{Executable: testExe, User: user}, m, &fakeRunner{t: t, ev: &ev}, db)
		steps, err := s.install(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		got := doneTexts(steps)
		if !strings.Contains(got, "to let a person run") || !strings.Contains(got, ": sudo usermod -aG clearance NAME\n") {
			t.Errorf("user %q, steps:\n%s", user, got)
		}
		if slices.ContainsFunc(ev, func(e string) bool { return strings.HasPrefix(e, "usermod") }) {
			t.Errorf("user %q: ran %q", user, ev)
		}
	}
}

// Where shadow-utils is missing (Alpine), BusyBox's commands are used.
func TestInstallFallsBackToBusyBox(t *testing.T) {
	var ev events
	run := &fakeRunner{t: t, ev: &ev, want: []call{
		{argv: "groupadd --system clearance", err: notFound("groupadd")},
		{argv: "addgroup -S clearance"},
		{argv: "usermod -aG clearance alice", err: notFound("usermod")},
		{argv: "addgroup alice clearance"},
	}}
	s := testSetup(t, Options{Executable: testExe, User: "alice"}, &fakeManager{ev: &ev}, run, &fakeDB{users: map[string]bool{"alice": true}})
	if _, err := s.install(context.Background()); err != nil {
		t.Fatal(err)
	}
	run.done()
}

// macOS's commands, checked on every OS.
func TestInstallMacOSGroupCommands(t *testing.T) {
	var ev events
	run := &fakeRunner{t: t, ev: &ev, want: []call{
		{argv: "dseditgroup -o create -r Clearance clearance"},
		{argv: "dseditgroup -o edit -a alice -t user clearance"},
	}}
	s := testSetup(t, Options{Executable: testExe, User: "alice"}, &fakeManager{ev: &ev}, run, &fakeDB{users: map[string]bool{"alice": true}})
	s.groups = []groupTool{darwinGroups}
	if _, err := s.install(context.Background()); err != nil {
		t.Fatal(err)
	}
	run.done()
}

// A failing command is an error that names what failed, and the service is
// not started.
func TestInstallGroupFailureStopsBeforeStart(t *testing.T) {
	var ev events
	run := &fakeRunner{t: t, ev: &ev, want: []call{{argv: "groupadd --system clearance", err: errors.New("groupadd: exit status 10")}}}
	s := testSetup(t, Options{Executable: testExe, User: "alice"}, &fakeManager{ev: &ev}, run, &fakeDB{users: map[string]bool{"alice": true}})
	_, err := s.install(context.Background())
	if err == nil || !strings.Contains(err.Error(), "create the group clearance") {
		t.Errorf("err = %v", err)
	}
	if slices.Contains(ev, "start") {
		t.Errorf("started anyway: %q", ev)
	}
}

// Uninstall runs BeforeUninstall while the agent still runs, then stops and
// removes the service and the autostart entry, and keeps the group, saying
// how to remove it; a second uninstall finds nothing to remove.
func TestUninstallThenAgain(t *testing.T) {
	winegap.SkipIfNo(t, winegap.RemoveAll) // uninstall removes the state folder so
	state := filepath.Join(winegap.TempDir(t), "state")
	if err := os.MkdirAll(state, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(state, "ntp.json"), []byte("{}"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv(host.StateDirEnv, state)
	var ev events
	m := &fakeManager{ev: &ev, installed: true, running: true, left: []string{"/etc/rc2.d/S50clearance"}}
	db := &fakeDB{groups: map[string]bool{"clearance": true}}
	o := Options{Executable: testExe, BeforeUninstall: func(context.Context) (string, error) {
		ev.add("before")
		return "Restored the DNS servers this computer had before (dns-restore)", nil
	}}
	s := testSetup(t, o, m, &fakeRunner{t: t, ev: &ev}, db)
	if _, err := s.auto.install(s.o.Root); err != nil {
		t.Fatal(err)
	}
	steps, err := s.uninstall(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := `* Restored the DNS servers this computer had before (dns-restore)
* Stopped the service clearance
* Removed the service clearance (sysv, /etc/init.d/clearance)
* Removed what the service left behind: /etc/rc2.d/S50clearance
* Removed the tray's start at login (/etc/xdg/autostart/clearance-tray.desktop)
  Kept the group clearance and its members; to remove it: sudo groupdel clearance
* Removed the agent's state (` + state + `)
  Kept the service's logs: /var/log/clearance.err
`
	if got := doneTexts(steps); got != want {
		t.Errorf("steps:\n%s\nwant:\n%s", got, want)
	}
	if _, err := os.Stat(state); !os.IsNotExist(err) {
		t.Errorf("the state directory is still there: %v", err)
	}
	if wantEv := []string{"before", "stop", "uninstall"}; !slices.Equal(ev, wantEv) {
		t.Errorf("events %q, want %q", ev, wantEv)
	}
	if _, err := os.Stat(filepath.Join(s.o.Root, desktopEntryPath)); err == nil {
		t.Error("autostart entry left")
	}

	ev = nil
	s.o.BeforeUninstall = func(context.Context) (string, error) { return "", nil }
	s.steps = nil
	steps, err = s.uninstall(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want = `  Not installed: the service clearance
  Nothing to remove: the tray was not set to start at login
  Kept the group clearance and its members; to remove it: sudo groupdel clearance
  Kept the service's logs: /var/log/clearance.err
`
	if got := doneTexts(steps); got != want {
		t.Errorf("second uninstall:\n%s\nwant:\n%s", got, want)
	}
	if len(ev) != 0 {
		t.Errorf("second uninstall did %q", ev)
	}
}

// When BeforeUninstall fails (DNS could not be restored), nothing is
// removed: Clearance stays, able to undo its change.
func TestUninstallStopsWhenBeforeUninstallFails(t *testing.T) {
	var ev events
	m := &fakeManager{ev: &ev, installed: true, running: true}
	o := Options{Executable: testExe, BeforeUninstall: func(context.Context) (string, error) {
		return "", errors.New("restore DNS: the journal is unreadable")
	}}
	s := testSetup(t, o, m, &fakeRunner{t: t, ev: &ev}, &fakeDB{})
	if _, err := s.auto.install(s.o.Root); err != nil {
		t.Fatal(err)
	}
	_, err := s.uninstall(context.Background())
	if err == nil || !strings.Contains(err.Error(), "nothing was removed: restore DNS") {
		t.Errorf("err = %v", err)
	}
	if len(ev) != 0 || !m.installed || !m.running {
		t.Errorf("events %q, service %+v", ev, m)
	}
	if _, err := os.Stat(filepath.Join(s.o.Root, desktopEntryPath)); err != nil {
		t.Errorf("autostart entry removed: %v", err)
	}
}

// Start and stop leave a service that is already in the wanted state
// alone, and refuse one that is not installed.
func TestStartStopAreIdempotent(t *testing.T) {
	var ev events
	ready := func(context.Context, manager) error { ev.add("ready"); return nil }
	m := &fakeManager{ev: &ev}
	if err := start(context.Background(), m, ready); !errors.Is(err, ErrNotInstalled) {
		t.Errorf("start, not installed: %v", err)
	}
	if err := stop(m); !errors.Is(err, ErrNotInstalled) {
		t.Errorf("stop, not installed: %v", err)
	}
	m.installed = true
	if err := stop(m); err != nil || len(ev) != 0 {
		t.Errorf("stop, stopped: %v %q", err, ev)
	}
	if err := start(context.Background(), m, ready); err != nil || !slices.Equal(ev, []string{"start", "ready"}) {
		t.Errorf("start, stopped: %v %q", err, ev)
	}
	ev = nil
	if err := start(context.Background(), m, ready); err != nil || len(ev) != 0 {
		t.Errorf("start, running: %v %q", err, ev)
	}
	if err := stop(m); err != nil || !slices.Equal(ev, []string{"stop"}) {
		t.Errorf("stop, running: %v %q", err, ev)
	}
}

func TestStatusOf(t *testing.T) {
	st, err := statusOf(&fakeManager{installed: true, running: true})
	if err != nil {
		t.Fatal(err)
	}
	if want := (Status{Installed: true, Running: true, Backend: "sysv", Detail: "sysv, /etc/init.d/clearance"}); st != want {
		t.Errorf("status %+v, want %+v", st, want)
	}
}

// A binary that someone else could replace is installed all the same, but
// the first step warns who could, since the service runs it as root.
func TestInstallWarnsOfReplaceableBinary(t *testing.T) {
	var ev events
	s := testSetup(t, Options{Executable: "/home/alice/clearance"}, &fakeManager{ev: &ev}, &fakeRunner{t: t, ev: &ev},
		&fakeDB{groups: map[string]bool{"clearance": true}})
	s.exeRisk = func(string) *host.UnsafePathError {
		return &host.UnsafePathError{Path: "/home/alice", Problem: "belongs to the user alice, not root"}
	}
	steps, err := s.install(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := "Warning: the service runs /home/alice/clearance with full rights, and /home/alice belongs to the user alice, not root, so someone other than an administrator could replace it; install it where only an administrator can write, such as " + programHome
	if steps[0].Done != want || steps[0].Changed {
		t.Errorf("first step %+v", steps[0])
	}
	if !slices.Contains(ev, "start") {
		t.Errorf("not installed: %q", ev)
	}
}

// A DNS switch that could not be put back keeps the state directory: its
// journal is the only way back to the person's own settings.
func TestUninstallKeepsAnUnrestoredDNSJournal(t *testing.T) {
	state := filepath.Join(winegap.TempDir(t), "state")
	t.Setenv(host.StateDirEnv, state)
	if err := os.MkdirAll(state, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dnsfix.JournalPath(), []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	var ev events
	m := &fakeManager{ev: &ev}
	s := testSetup(t, Options{Executable: testExe}, m, &fakeRunner{t: t, ev: &ev}, &fakeDB{groups: map[string]bool{}})
	steps, err := s.uninstall(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(doneTexts(steps), "Kept "+state) {
		t.Errorf("steps:\n%s", doneTexts(steps))
	}
	if _, err := os.Stat(dnsfix.JournalPath()); err != nil {
		t.Fatalf("the journal was removed: %v", err)
	}
}

// A manager that registers the service but refuses what completes the
// registration (Windows' recovery actions for a service that stops with an
// error, which Wine does not implement) gets a warning, and the install
// goes on to start the service: it works without them.
func TestInstallWarnsWhenRecoveryActionsFail(t *testing.T) {
	var ev events
	m := &fakeManager{ev: &ev, afterInstallErr: errors.New("could not have Windows restart the service when it stops with an error (Invalid level.)")}
	run := &fakeRunner{t: t, ev: &ev, want: []call{
		{argv: "groupadd --system clearance"},
		{argv: "usermod -aG clearance alice"},
	}}
	db := &fakeDB{users: map[string]bool{"alice": true}}
	s := testSetup(t, Options{Executable: testExe, User: "alice"}, m, run, db)

	steps, err := s.install(context.Background())
	if err != nil {
		t.Fatalf("install failed: %v", err)
	}
	run.done()
	want := "  Warning: could not have Windows restart the service when it stops with an error (Invalid level.); the service is registered all the same: if 'clearance status' shows it stopped, run 'clearance install' again as an administrator\n"
	if got := doneTexts(steps); !strings.Contains(got, want) {
		t.Errorf("steps:\n%s\nwant among them:\n%s", got, want)
	}
	if !m.installed || !m.running {
		t.Errorf("service after install: %+v", m)
	}
}
