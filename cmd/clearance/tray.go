package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/clearance-app/clearance/agent"
	"github.com/clearance-app/clearance/agent/api"
	"github.com/clearance-app/clearance/agent/diag/check"
	"github.com/clearance-app/clearance/agent/diag/config"
	"github.com/clearance-app/clearance/platform/host"
	"github.com/clearance-app/clearance/tray"
	"github.com/clearance-app/clearance/tray/autostart"
)

// trayOptions are the flags of `clearance tray`.
type trayOptions struct {
	configPath, socket string
	verbose, atLogin   bool
}

func trayFlags(o *trayOptions) *flag.FlagSet {
	fs := newFlagSet("tray")
	fs.BoolVar(&o.atLogin, "autostart", false, "started at login by the machine-wide entry: end at once if this person switched \"Start at login\" off")
	fs.StringVar(&o.configPath, "config", "", "configuration file (default: CLEARANCE_CONFIG, else the system file)")
	fs.StringVar(&o.socket, "socket", "", "the agent's socket or pipe (default "+api.DefaultAddress+")")
	fs.BoolVar(&o.verbose, "verbose", false, "log what the tray does to standard error")
	return fs
}

// runTray shows the status icon. It never dies of a bad configuration
// file: the person would lose the icon that tells them so.
func runTray(args []string, _, stderr io.Writer) int {
	var o trayOptions
	if code, done := parseFlags(trayFlags(&o), args, stderr); done {
		return code
	}
	configPath, addr, verbose, atLogin := o.configPath, o.socket, o.verbose, o.atLogin
	if atLogin {
		host.DetachConsole() // no console window for the session on Windows
	}
	level := slog.LevelWarn
	if verbose {
		level = slog.LevelDebug
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	if atLogin {
		if on, err := autostart.Enabled(); err == nil && !on {
			log.Info("not starting: this person switched Start at login off")
			return 0
		}
	}
	src := config.Locate(configPath, os.Getenv)
	cfg, err := config.Load(src)
	if err != nil {
		log.Warn("configuration refused; using the defaults", "err", err)
		cfg = config.Default()
	}
	load := func() (config.Config, error) { return config.Load(src) }

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err = tray.Run(ctx, tray.Options{
		Version:    version,
		Address:    addr,
		Config:     &cfg,
		Standalone: standaloneAgent(load, log),
		Log:        log,
	})
	switch {
	case errors.Is(err, tray.ErrAlreadyRunning):
		fmt.Fprintln(stderr, "clearance:", err)
		return 0
	case errors.Is(err, tray.ErrNoTray) && atLogin:
		// A failure at login would only make launchd start it again and again.
		log.Warn("no tray in this build", "err", err)
		return 0
	case err != nil:
		return fail(stderr, err.Error(), "")
	}
	return 0
}

// standaloneAgent runs the machine checks inside the tray while no agent
// answers: the same scheduler and confirmation, as the person, with no API
// and no privileges (privileged fixes go through elevation).
func standaloneAgent(load func() (config.Config, error), log *slog.Logger) tray.Standalone {
	return func(ctx context.Context) (api.StateSource, api.Checker, api.FixRunner, error) {
		// A bad file at start means the defaults; later loads report it
		// as config-invalid, as the agent does.
		started := false
		cfgLoad := func() (config.Config, error) {
			c, err := load()
			if err != nil && !started {
				c, err = config.Default(), nil
			}
			started = true
			return c, err
		}
		a, err := agent.New(agent.Options{
			Config:  cfgLoad,
			Log:     log,
			Version: version,
			Address: "-",
			Env:     check.NewEnv, // the person's own NTP memory, in their cache directory
		})
		if err != nil {
			return nil, nil, nil, err
		}
		go a.Run(ctx)
		return a, a, a, nil
	}
}
