package tray

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"github.com/clearance-app/clearance/agent/api"
	"github.com/clearance-app/clearance/agent/diag/config"
	"github.com/clearance-app/clearance/agent/diag/health"
	"github.com/clearance-app/clearance/assets"
	"github.com/clearance-app/clearance/platform"
	"github.com/clearance-app/clearance/platform/browser/cookies"
	"github.com/clearance-app/clearance/tray/autostart"
	"github.com/clearance-app/clearance/tray/notify"
	"github.com/clearance-app/clearance/tray/open"
)

// Options configure the tray.
type Options struct {
	// Version is the program's, for "About Clearance".
	Version string
	// Address is the agent's socket or pipe; api.DefaultAddress when empty.
	Address string
	// Config is the configuration the user checks run with (the proxy
	// check's timeout) and where the status and captive-portal pages are;
	// config.Default() when nil.
	Config *config.Config
	// Standalone starts the in-process agent for when no agent answers;
	// nil leaves the tray waiting for the agent instead.
	Standalone Standalone
	// SettingsPath is the per-user settings file; SettingsPath() when empty.
	SettingsPath string
	// Log receives the tray's log; nothing is logged when nil.
	Log *slog.Logger
}

// Run shows the tray until ctx ends or the person chooses Quit, and then
// returns nil. It must be called from the main goroutine (macOS draws the
// menu bar there). It returns ErrAlreadyRunning when another tray holds
// this session, and an error wrapping ErrNoSessionBus on Linux when there
// is no desktop session bus; both before anything is shown.
func Run(ctx context.Context, o Options) error {
	d, err := defaultDeps(&o)
	if err != nil {
		return err
	}
	return run(ctx, o, d)
}

// deps are the tray's connections to the world. Tests replace some.
type deps struct {
	now              func() time.Time
	newUI            func(clicks chan<- action, icon func(assets.IconState) []byte) ui
	icon             func(assets.IconState) []byte
	newNotifier      func(ctx context.Context) (notify.Notifier, error)
	openURL          func(ctx context.Context, url string) error
	openFile         func(ctx context.Context, path string) error
	privateWindow    func(ctx context.Context, url string) error
	newWindow        func(ctx context.Context, url string) error
	extensionsPage   func(ctx context.Context, browser, extensionID string) error
	cookieStores     func(ctx context.Context) ([]cookies.Store, []error)
	cookieBackups    func() (string, error)
	autostartEnabled func() (bool, error)
	setAutostart     func(on bool) error
	userChecks       func(ctx context.Context) []health.Result
	elevate          elevator
	claim            func() (release func(), err error)
	remote           remoteAgent

	minBackoff, maxBackoff, standaloneAfter time.Duration
	confirmWindow                           time.Duration
	confirmAfter                            time.Duration // of the user checks' findings

	settingsPath string
	detailsDir   string
	statusPage   string
	captivePage  string
}

// defaultDeps are the real ones, from the options.
func defaultDeps(o *Options) (deps, error) {
	log := o.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	cfg := o.Config
	if cfg == nil {
		c := config.Default()
		cfg = &c
	}
	settings := o.SettingsPath
	if settings == "" {
		p, err := SettingsPath()
		if err != nil {
			return deps{}, err
		}
		settings = p
	}
	details, err := detailsDir()
	if err != nil {
		details = filepath.Join(os.TempDir(), "clearance", "details")
	}
	exe, err := os.Executable()
	if err != nil {
		return deps{}, fmt.Errorf("find this program, to run fixes with administrator rights: %w", err)
	}
	runner := platform.ExecRunner{Timeout: elevationTimeout, Log: log}
	client := api.NewAgentClient(o.Address)
	env := newUserCheckEnv(cfg, log)
	return deps{
		now:              time.Now,
		newUI:            newSystrayUI,
		icon:             assets.Icon,
		newNotifier:      notify.New,
		openURL:          open.URL,
		openFile:         open.File,
		privateWindow:    open.PrivateWindow,
		newWindow:        open.NewWindow,
		extensionsPage:   open.ExtensionsPage,
		cookieStores:     personStores,
		cookieBackups:    cookies.BackupRoot,
		autostartEnabled: autostart.Enabled,
		setAutostart:     autostart.SetEnabled,
		userChecks:       runUserChecks(env),
		elevate: func(ctx context.Context, id string, opts api.FixOptions) (api.FixResult, error) {
			return elevate(ctx, runner, exe, id, opts)
		},
		claim:           claimSession,
		remote:          client,
		minBackoff:      time.Second,
		maxBackoff:      30 * time.Second,
		standaloneAfter: 60 * time.Second,
		confirmWindow:   10 * time.Second,
		confirmAfter:    cfg.Agent.ConfirmAfter.D(),
		settingsPath:    settings,
		detailsDir:      details,
		statusPage:      statusPage(cfg.Status.URL),
		captivePage:     cfg.Network.CaptivePortal,
	}, nil
}

// statusPage is the human status page beside the status API: its scheme
// and host (https://status.openai.com/ for the default).
func statusPage(api string) string {
	u, err := url.Parse(api)
	if err != nil || u.Host == "" {
		return "https://status.openai.com/"
	}
	return u.Scheme + "://" + u.Host + "/"
}

// shutdownWait bounds the wait for requests in flight when the tray quits.
const shutdownWait = 5 * time.Second

// run is Run with its dependencies.
func run(ctx context.Context, o Options, d deps) error {
	log := o.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	release, err := d.claim()
	if err != nil {
		return err
	}
	defer release()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	settings, serr := LoadSettings(d.settingsPath)
	if serr != nil {
		log.Warn("the tray settings file has an error", "err", serr)
	}
	notifier, err := d.newNotifier(ctx)
	if err != nil {
		log.Warn("desktop notifications are not available; the menu still shows every problem", "err", err)
		notifier = nopNotifier{}
	}
	defer notifier.Close()

	clicks := make(chan action)
	a := &app{
		d:          d,
		log:        log,
		ui:         d.newUI(clicks, d.icon),
		notifier:   notifier,
		alerts:     newAlerter(),
		rebuild:    make(chan struct{}, 1),
		clicks:     clicks,
		stateSeen:  make(chan struct{}),
		sent:       map[uint32]string{},
		lastSent:   map[string]uint32{},
		windowSent: map[uint32]bool{},
		m: model{
			mode:     modeConnecting,
			settings: settings,
			version:  o.Version,
		},
		settingsOK: serr == nil,
	}
	on, aerr := d.autostartEnabled()
	if aerr != nil {
		log.Warn("could not read whether the tray starts at login", "err", aerr)
	}
	a.m.autostart = autostartState{known: aerr == nil, on: on}
	if settings.Snoozed(d.now()) {
		a.snoozeT = time.AfterFunc(settings.SnoozeUntil.Sub(d.now()), a.poke)
	}
	a.users = newUserChecks(d.userChecks, d.confirmAfter, a.setUserFindings)
	l := &link{
		remote: d.remote, standalone: o.Standalone, elevate: d.elevate,
		publish: a.setSource, log: log,
		minBackoff: d.minBackoff, maxBackoff: d.maxBackoff, standaloneAfter: d.standaloneAfter,
	}

	ready := func() {
		// onReady must return at once: the Linux menu is served only after.
		a.goDo(func() { a.loop(ctx) })
		a.goDo(func() { l.run(ctx) })
		a.goDo(func() { a.users.loop(ctx) })
		a.goDo(a.loadCookieBackup)
		a.users.kick()
	}
	err = a.ui.run(ctx, ready)
	cancel()
	done := make(chan struct{})
	go func() { a.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(shutdownWait):
		log.Warn("quit before every request in flight had finished")
	}
	if err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	return nil
}

// nopNotifier stands in when the desktop has no notification service.
type nopNotifier struct{}

func (nopNotifier) Send(context.Context, notify.Notification) (uint32, error) {
	return 0, errors.New("no notification service")
}
func (nopNotifier) Invoked() <-chan notify.Invoked { return nil }
func (nopNotifier) Close() error                   { return nil }
