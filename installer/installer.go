package installer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/clearance-app/clearance/platform"
	"github.com/clearance-app/clearance/platform/dnsfix"
	"github.com/clearance-app/clearance/platform/host"
)

// DefaultGroup is the group whose members may run fixes through the agent
// (the agent's api.DefaultFixGroup).
const DefaultGroup = "clearance"

// Options for Install and Uninstall.
type Options struct {
	// Executable is the absolute path of the clearance binary to register
	// (os.Executable() when empty).
	Executable string
	// User is the person to add to Group: --user, else $SUDO_USER; "" when
	// unknown (Install then says how to add someone).
	User string
	// Group may run fixes without a password (DefaultGroup when empty).
	Group string
	// ConfigPath is passed to the agent as --config when not empty.
	ConfigPath string
	// ConfigDir is the directory of the system's configuration file, made
	// changeable by administrators only at install and removed at
	// uninstall when empty; "" leaves it alone.
	ConfigDir string
	// Run runs groupadd, usermod, dseditgroup (platform.System when nil).
	Run platform.Runner
	// Root prefixes the files this package writes itself (the tray's
	// autostart entry): "" in production, a temporary directory in tests.
	// The service manager's own files are where the manager wants them.
	Root string
	Log  *slog.Logger
	// BeforeUninstall runs first of all, while the agent still runs (main
	// restores DNS if dns-public is in effect). A non-empty answer is
	// reported as a step; an error stops the uninstallation with nothing
	// removed, so that Clearance is not gone while the machine still
	// depends on a change only Clearance can undo.
	BeforeUninstall func(ctx context.Context) (string, error)
}

// Step is one thing Install or Uninstall did, or found already done, in
// words for the person who ran it.
type Step struct {
	Done    string
	Changed bool
}

func (o Options) withDefaults() (Options, error) {
	if o.Executable == "" {
		exe, err := os.Executable()
		if err != nil {
			return o, fmt.Errorf("find this program's path: %w", err)
		}
		o.Executable = exe
	}
	if !filepath.IsAbs(o.Executable) {
		abs, err := filepath.Abs(o.Executable)
		if err != nil {
			return o, fmt.Errorf("find the absolute path of %s: %w", o.Executable, err)
		}
		o.Executable = abs
	}
	if o.Group == "" {
		o.Group = DefaultGroup
	}
	if o.Run == nil {
		o.Run = platform.System
	}
	if o.Log == nil {
		o.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return o, nil
}

// Install registers the service to start at boot, sets the tray to start at
// every login for everyone, creates the fix group and adds o.User to it,
// and starts the service; it returns once the agent answers. Run again, it
// changes nothing and says so; a registration that runs another binary or
// configuration is replaced.
func Install(ctx context.Context, o Options) ([]Step, error) {
	o, err := o.withDefaults()
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(o.Executable); err != nil {
		return nil, fmt.Errorf("the program to register: %w", err)
	}
	m, err := newManager(o)
	if err != nil {
		return nil, err
	}
	return newSetup(o, m).install(ctx)
}

// Uninstall stops and removes the service and the tray's autostart entry,
// after o.BeforeUninstall. It keeps the fix group: its members were chosen
// by an administrator, a group id may still own files, and a later install
// would need them added again; the step says how to remove it. Run again,
// it says there is nothing to remove.
func Uninstall(ctx context.Context, o Options) ([]Step, error) {
	o, err := o.withDefaults()
	if err != nil {
		return nil, err
	}
	m, err := newManager(o)
	if err != nil {
		return nil, err
	}
	return newSetup(o, m).uninstall(ctx)
}

// setup is one Install or Uninstall, with its seams to the machine.
type setup struct {
	o      Options
	svc    manager
	auto   autostarter
	groups []groupTool // tried in order until one's commands exist; none on Windows
	db     groupDB
	// ready waits until the started agent answers, or fails saying why.
	ready func(ctx context.Context, m manager) error
	// exeRisk says why someone other than an administrator could replace
	// the binary (nil if nobody could).
	exeRisk func(path string) *host.UnsafePathError
	// packaged says which package installed Clearance, if one did: then
	// Install and Uninstall leave it to the package manager (nil: none).
	packaged func(ctx context.Context, op string) *PackagedError

	steps []Step
}

func newSetup(o Options, m manager) *setup {
	return &setup{
		o:       o,
		svc:     m,
		auto:    trayAutostart(o.Executable),
		groups:  hostGroupTools,
		db:      osGroupDB{},
		ready:   waitReady,
		exeRisk: exeRisk,
		packaged: func(ctx context.Context, op string) *PackagedError {
			return packagedBy(ctx, o.Run, op)
		},
	}
}

// refusePackaged is the PackagedError for op, or nil.
func (s *setup) refusePackaged(ctx context.Context, op string) error {
	if s.packaged == nil {
		return nil
	}
	if p := s.packaged(ctx, op); p != nil {
		return p
	}
	return nil
}

func (s *setup) add(done string, changed bool) {
	s.steps = append(s.steps, Step{Done: done, Changed: changed})
	s.o.Log.Debug("install step", "done", done, "changed", changed)
}

func (s *setup) install(ctx context.Context) ([]Step, error) {
	if err := s.refusePackaged(ctx, "install"); err != nil {
		return nil, err
	}
	// Checked before anything changes: a typo in --user must not leave a
	// half-done installation.
	if err := s.checkUser(); err != nil {
		return nil, err
	}
	if ue := s.exeRisk(s.o.Executable); ue != nil {
		s.add(fmt.Sprintf("Warning: the service runs %s with full rights, and %s %s, so someone other than an administrator could replace it; install it where only an administrator can write, such as %s",
			s.o.Executable, ue.Path, ue.Problem, programHome), false)
	}
	if err := s.makeConfigDir(); err != nil {
		return s.steps, err
	}
	st, err := s.svc.status()
	if err != nil {
		return s.steps, fmt.Errorf("read the state of the service %s: %w", ServiceName, err)
	}
	what := s.svc.describe()
	switch {
	case !st.installed:
		if err := s.svc.install(); err != nil {
			return s.steps, fmt.Errorf("register the service %s: %w", ServiceName, err)
		}
		s.add(fmt.Sprintf("Registered the service %s (%s): it starts at boot", ServiceName, what), true)
		s.afterInstall()
	case !s.upToDate():
		if st.running {
			if err := s.svc.stop(); err != nil {
				return s.steps, fmt.Errorf("stop the service %s to update it: %w", ServiceName, err)
			}
			st.running = false
		}
		if err := s.svc.uninstall(); err != nil {
			return s.steps, fmt.Errorf("remove the old registration of the service %s: %w", ServiceName, err)
		}
		if err := waitUnregistered(ctx, s.svc); err != nil {
			return s.steps, fmt.Errorf("the old registration of the service %s is still being removed (%w): close the Services window and anything else using the service, then install again", ServiceName, err)
		}
		if err := s.svc.install(); err != nil {
			return s.steps, fmt.Errorf("register the service %s: %w", ServiceName, err)
		}
		s.add(fmt.Sprintf("Updated the service %s (%s) to run %s", ServiceName, what, commandLine(s.o)), true)
		s.afterInstall()
	default:
		s.add(fmt.Sprintf("Already registered: the service %s (%s)", ServiceName, what), false)
	}

	step, err := s.auto.install(s.o.Root)
	if err != nil {
		return s.steps, err
	}
	s.steps = append(s.steps, step)

	if err := s.joinGroup(ctx); err != nil {
		return s.steps, err
	}

	if st.running {
		s.add(fmt.Sprintf("Already running: the service %s", ServiceName), false)
		return s.steps, nil
	}
	if err := s.svc.start(); err != nil {
		return s.steps, fmt.Errorf("start the service %s: %w; %s", ServiceName, err, s.svc.logHint())
	}
	if err := s.ready(ctx, s.svc); err != nil {
		return s.steps, err
	}
	s.add(fmt.Sprintf("Started the service %s: the agent answers on %s", ServiceName, agentAddress), true)
	return s.steps, nil
}

// afterInstall completes a new registration. The service is registered and
// will run without what this adds, so a failure is a warning and the
// installation goes on (Wine, for one, cannot set every recovery action).
func (s *setup) afterInstall() {
	if err := s.svc.afterInstall(); err != nil {
		s.add(fmt.Sprintf("Warning: %v; the service is registered all the same: if 'clearance status' shows it stopped, run 'clearance install' again as an administrator", err), false)
	}
}

// upToDate says whether the registered service runs this binary with this
// configuration. When the registration cannot be read it is left alone.
func (s *setup) upToDate() bool {
	reg, err := s.svc.registration()
	if err != nil || reg == "" {
		if err != nil {
			s.o.Log.Debug("read the service's registration", "err", err)
		}
		return true
	}
	return registrationRuns(reg, s.o.Executable, s.o.ConfigPath)
}

func (s *setup) uninstall(ctx context.Context) ([]Step, error) {
	if err := s.refusePackaged(ctx, "uninstall"); err != nil {
		return nil, err
	}
	if s.o.BeforeUninstall != nil {
		done, err := s.o.BeforeUninstall(ctx)
		if err != nil {
			return s.steps, fmt.Errorf("nothing was removed: %w", err)
		}
		if done != "" {
			s.add(done, true)
		}
	}
	st, err := s.svc.status()
	if err != nil {
		return s.steps, fmt.Errorf("read the state of the service %s: %w", ServiceName, err)
	}
	if st.running {
		if err := s.svc.stop(); err != nil {
			return s.steps, fmt.Errorf("stop the service %s: %w", ServiceName, err)
		}
		s.add(fmt.Sprintf("Stopped the service %s", ServiceName), true)
	}
	if st.installed {
		if err := s.svc.uninstall(); err != nil {
			return s.steps, fmt.Errorf("remove the service %s: %w", ServiceName, err)
		}
		s.add(fmt.Sprintf("Removed the service %s (%s)", ServiceName, s.svc.describe()), true)
	} else {
		s.add(fmt.Sprintf("Not installed: the service %s", ServiceName), false)
	}
	// Whether or not it was registered: a manager's removal leaves some
	// files behind (SysV's runlevel links), and a crash leaves a pid file
	// and a socket.
	removed, err := s.svc.leftovers()
	if len(removed) > 0 {
		s.add("Removed what the service left behind: "+strings.Join(removed, ", "), true)
	}
	if err != nil {
		return s.steps, err
	}

	step, err := s.auto.remove(s.o.Root)
	if err != nil {
		return s.steps, err
	}
	s.steps = append(s.steps, step)

	if len(s.groups) > 0 {
		exists, err := s.db.groupExists(s.o.Group)
		if err != nil {
			return s.steps, fmt.Errorf("look up the group %s: %w", s.o.Group, err)
		}
		if exists {
			s.add(fmt.Sprintf("Kept the group %s and its members; to remove it: %s", s.o.Group, s.groups[0].removeHint(s.o.Group)), false)
		}
	}
	if err := s.removeState(); err != nil {
		return s.steps, err
	}
	if err := s.removeConfigDir(); err != nil {
		return s.steps, err
	}
	if logs := s.svc.logFiles(); len(logs) > 0 {
		s.add("Kept the service's logs: "+strings.Join(logs, ", "), false)
	}
	return s.steps, nil
}

// removeState removes the agent's state directory (its memory of time
// servers, the fix lock), unless it still holds a record of a DNS switch:
// that record is the only way back to the person's own DNS settings.
func (s *setup) removeState() error {
	dir := host.StateDir()
	if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if _, err := os.Stat(dnsfix.JournalPath()); err == nil {
		s.add("Kept "+dir+": it records DNS settings that Clearance changed and could not put back; 'clearance fix dns-restore' needs it", false)
		return nil
	}
	if err := os.RemoveAll(dir); err != nil {
		return fmt.Errorf("remove the agent's state %s: %w", dir, err)
	}
	s.add("Removed the agent's state ("+dir+")", true)
	return nil
}

// ServiceStatus is the service's state as the service manager reports it.
func ServiceStatus(ctx context.Context) (Status, error) {
	m, err := defaultManager()
	if err != nil {
		return Status{}, err
	}
	return statusOf(m)
}

func statusOf(m manager) (Status, error) {
	st, err := m.status()
	if err != nil {
		return Status{Backend: m.backend()}, fmt.Errorf("read the state of the service %s: %w", ServiceName, err)
	}
	return Status{Installed: st.installed, Running: st.running, Backend: m.backend(), Detail: st.detail}, nil
}

// Start starts the installed service and returns once the agent answers.
// A running service is left as it is.
func Start(ctx context.Context) error {
	m, err := defaultManager()
	if err != nil {
		return err
	}
	return start(ctx, m, waitReady)
}

func start(ctx context.Context, m manager, ready func(context.Context, manager) error) error {
	st, err := m.status()
	if err != nil {
		return fmt.Errorf("read the state of the service %s: %w", ServiceName, err)
	}
	if !st.installed {
		return ErrNotInstalled
	}
	if st.running {
		return nil
	}
	if err := m.start(); err != nil {
		return fmt.Errorf("start the service %s: %w; %s", ServiceName, err, m.logHint())
	}
	return ready(ctx, m)
}

// Stop stops the installed service; a stopped one is left as it is.
func Stop(ctx context.Context) error {
	m, err := defaultManager()
	if err != nil {
		return err
	}
	return stop(m)
}

func stop(m manager) error {
	st, err := m.status()
	if err != nil {
		return fmt.Errorf("read the state of the service %s: %w", ServiceName, err)
	}
	if !st.installed {
		return ErrNotInstalled
	}
	if !st.running {
		return nil
	}
	if err := m.stop(); err != nil {
		return fmt.Errorf("stop the service %s: %w", ServiceName, err)
	}
	return nil
}

// Restart stops the service if it runs, starts it, and returns once the
// agent answers.
func Restart(ctx context.Context) error {
	m, err := defaultManager()
	if err != nil {
		return err
	}
	if err := stop(m); err != nil {
		return err
	}
	return start(ctx, m, waitReady)
}

func defaultManager() (manager, error) {
	o, err := Options{}.withDefaults()
	if err != nil {
		return nil, err
	}
	return newManager(o)
}

// waitUnregistered waits until the service manager has really removed the
// service. Windows only marks a service for deletion while any handle to
// it is open (the Services window, an agent still exiting), and a new
// registration under the same name fails until it is gone.
func waitUnregistered(ctx context.Context, m manager) error {
	deadline := time.Now().Add(15 * time.Second)
	for {
		st, err := m.status()
		if err == nil && !st.installed {
			return nil
		}
		if time.Now().After(deadline) {
			if err != nil {
				return err
			}
			return errors.New("it is still registered after 15 s")
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
}
