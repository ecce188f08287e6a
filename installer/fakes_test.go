package installer

import (
	"context"
	"fmt"
	"log/slog"
	"os/exec"
	"strings"
	"testing"

	"github.com/clearance-app/clearance/internal/winegap"
	"github.com/clearance-app/clearance/platform/host"
)

// events records, in order, what the fakes were asked to do, so that a
// test can check the order across them (DNS restored before the stop).
type events []string

func (e *events) add(s string) { *e = append(*e, s) }

// fakeManager is a service manager that keeps its state in memory.
type fakeManager struct {
	ev                 *events
	installed, running bool
	reg                string // what registration() returns
	regFor             Options
	left               []string // what leftovers() removes, once
	afterInstallErr    error    // what afterInstall() answers
}

func (f *fakeManager) backend() string  { return "sysv" }
func (f *fakeManager) describe() string { return "sysv, /etc/init.d/clearance" }
func (f *fakeManager) status() (svcState, error) {
	return svcState{installed: f.installed, running: f.running, detail: f.describe()}, nil
}
func (f *fakeManager) registration() (string, error) {
	if !f.installed {
		return "", nil
	}
	return f.reg, nil
}
func (f *fakeManager) install() error {
	f.ev.add("install")
	if f.installed {
		return fmt.Errorf("Init already exists: /etc/init.d/clearance")
	}
	f.installed = true
	f.reg = `cmd="` + commandLine(f.regFor) + `"`
	return nil
}
func (f *fakeManager) afterInstall() error { return f.afterInstallErr }
func (f *fakeManager) uninstall() error {
	f.ev.add("uninstall")
	if !f.installed {
		return fmt.Errorf("not installed")
	}
	f.installed, f.reg = false, ""
	return nil
}
func (f *fakeManager) start() error {
	f.ev.add("start")
	f.running = true
	return nil
}
func (f *fakeManager) stop() error {
	f.ev.add("stop")
	f.running = false
	return nil
}
func (f *fakeManager) leftovers() ([]string, error) {
	l := f.left
	f.left = nil
	return l, nil
}
func (f *fakeManager) logFiles() []string { return []string{"/var/log/clearance.err"} }
func (f *fakeManager) logHint() string    { return "see /var/log/clearance.err" }

// fakeRunner checks commands against the expected argv, in order, and
// answers each with its error.
type fakeRunner struct {
	t    *testing.T
	ev   *events
	want []call
}

type call struct {
	argv string
	err  error
}

func (r *fakeRunner) Run(_ context.Context, name string, args ...string) ([]byte, error) {
	r.t.Helper()
	argv := strings.Join(append([]string{name}, args...), " ")
	r.ev.add(argv)
	if len(r.want) == 0 {
		r.t.Errorf("unexpected command %q", argv)
		return nil, fmt.Errorf("unexpected")
	}
	c := r.want[0]
	r.want = r.want[1:]
	if c.argv != argv {
		r.t.Errorf("ran %q, want %q", argv, c.argv)
	}
	return nil, c.err
}

func (r *fakeRunner) done() {
	r.t.Helper()
	for _, c := range r.want {
		r.t.Errorf("command not run: %q", c.argv)
	}
}

// notFound is what the runner returns for a command this system lacks.
func notFound(name string) error {
	return fmt.Errorf("run %s: %w", name, &exec.Error{Name: name, Err: exec.ErrNotFound})
}

// fakeDB is a user and group database; adding is done by the runner's
// commands, so tests set what those commands would have made true.
type fakeDB struct {
	users   map[string]bool
	groups  map[string]bool
	members map[string]bool // "user:group"
}

func (d *fakeDB) groupExists(g string) (bool, error) { return d.groups[g], nil }
func (d *fakeDB) userExists(u string) (bool, error)  { return d.users[u], nil }
func (d *fakeDB) member(u, g string) (bool, error)   { return d.members[u+":"+g], nil }

// testSetup is a setup whose every seam is a fake, writing the autostart
// entry under a temporary root.
func testSetup(t *testing.T, o Options, m *fakeManager, run *fakeRunner, db *fakeDB) *setup {
	t.Helper()
	o.Run = run
	if o.Root == "" {
		o.Root = winegap.TempDir(t)
	}
	// withDefaults but for making Executable absolute, which would put a
	// drive letter before it on Windows.
	if o.Group == "" {
		o.Group = DefaultGroup
	}
	o.Log = slog.New(slog.DiscardHandler)
	m.regFor = o
	return &setup{
		o:      o,
		svc:    m,
		auto:   fileEntry{path: desktopEntryPath, content: desktopEntry(o.Executable)},
		groups: []groupTool{shadowGroups, busyboxGroups},
		db:     db,
		ready: func(context.Context, manager) error {
			m.ev.add("ready")
			return nil
		},
		exeRisk: func(string) *host.UnsafePathError { return nil },
	}
}

func doneTexts(steps []Step) string {
	var b strings.Builder
	for _, s := range steps {
		mark := " "
		if s.Changed {
			mark = "*"
		}
		b.WriteString(mark + " " + s.Done + "\n")
	}
	return b.String()
}
