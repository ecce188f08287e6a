package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"time"

	"github.com/clearance-app/clearance/agent/api"
	"github.com/clearance-app/clearance/agent/diag/config"
	"github.com/clearance-app/clearance/agent/diag/fix"
	"github.com/clearance-app/clearance/installer"
	"github.com/clearance-app/clearance/platform/dnsfix"
	"github.com/clearance-app/clearance/platform/host"
)

func installFlags(o *installer.Options) *flag.FlagSet {
	fs := newFlagSet("install")
	fs.StringVar(&o.User, "user", "", "the person allowed to run fixes without a password (default: "+wording.installingPerson+")")
	fs.StringVar(&o.ConfigPath, "config", "", "configuration file for the agent (default: the system file)")
	return fs
}

// runInstall registers the agent as a service that starts at boot, the
// tray at every login, and the fix group.
func runInstall(args []string, stdout, stderr io.Writer) int {
	var o installer.Options
	if code, done := parseFlags(installFlags(&o), args, stderr); done {
		return code
	}
	if !host.IsAdmin() {
		return fail(stderr, "installing a service needs administrator rights", "run "+asAdmin("clearance install"))
	}
	src := config.Locate(o.ConfigPath, os.Getenv)
	src.Privileged = true // the agent will read it as root
	if _, err := config.Load(src); err != nil {
		return fail(stderr, err.Error(), configHint(err))
	}
	o.ConfigDir = config.SystemDir()
	if o.ConfigPath != "" {
		// The service starts in another directory: it needs the full path.
		abs, err := filepath.Abs(o.ConfigPath)
		if err != nil {
			return fail(stderr, err.Error(), "")
		}
		o.ConfigPath = abs
	}
	if o.User == "" {
		o.User = os.Getenv("SUDO_USER")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	steps, err := installer.Install(ctx, o)
	printSteps(stdout, steps)
	if err != nil {
		return fail(stderr, err.Error(), "run 'clearance status' to see what is in place; "+asAdmin("clearance uninstall")+" removes it")
	}
	if !anyChanged(steps) {
		fmt.Fprintln(stdout, "Clearance was already installed; nothing changed.")
		return 0
	}
	fmt.Fprintln(stdout, "Clearance is installed: 'clearance status' shows what it sees.")
	return 0
}

// runUninstall removes everything install did, restoring DNS first if
// Clearance switched it.
func runUninstall(args []string, stdout, stderr io.Writer) int {
	if code, done := parseFlags(newFlagSet("uninstall"), args, stderr); done {
		return code
	}
	if !host.IsAdmin() {
		return fail(stderr, "removing a service needs administrator rights", "run "+asAdmin("clearance uninstall"))
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	steps, err := installer.Uninstall(ctx, installer.Options{BeforeUninstall: restoreDNSBeforeUninstall(stderr), ConfigDir: config.SystemDir()})
	printSteps(stdout, steps)
	if err != nil {
		return fail(stderr, err.Error(), "")
	}
	if anyChanged(steps) {
		fmt.Fprintln(stdout, "Clearance is uninstalled.")
	} else {
		fmt.Fprintln(stdout, "Clearance was not installed; nothing changed.")
	}
	return 0
}

func anyChanged(steps []installer.Step) bool {
	for _, s := range steps {
		if s.Changed {
			return true
		}
	}
	return false
}

// restoreDNSBeforeUninstall undoes dns-public while the agent still runs:
// nobody could undo it once Clearance is gone.
func restoreDNSBeforeUninstall(stderr io.Writer) func(context.Context) (string, error) {
	return func(ctx context.Context) (string, error) {
		on, _, err := dnsfix.PublicActive(dnsfix.JournalPath())
		if err != nil {
			return "", fmt.Errorf("read the record of the DNS switch, so nothing was removed: %w", err)
		}
		if !on {
			return "", nil
		}
		o := fixOptions{}
		res, err := fixThroughAgent(ctx, o, fix.DNSRestore)
		if errors.Is(err, errNoAgent) {
			res, err = fixInProcess(ctx, o, fix.DNSRestore, stderr)
		}
		if err != nil {
			return "", fmt.Errorf("restore the DNS settings Clearance changed, so nothing was removed: %w", err)
		}
		if res.Result == api.Failed {
			return "", fmt.Errorf("restore the DNS settings Clearance changed, so nothing was removed: %s", res.Message)
		}
		return res.Message, nil
	}
}

// runServiceControl is start, stop and restart.
func runServiceControl(cmd string, args []string, stdout, stderr io.Writer) int {
	if code, done := parseFlags(newFlagSet(cmd), args, stderr); done {
		return code
	}
	if !host.IsAdmin() {
		return fail(stderr, cmd+" needs administrator rights", "run "+asAdmin("clearance "+cmd))
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	do := map[string]func(context.Context) error{"start": installer.Start, "stop": installer.Stop, "restart": installer.Restart}[cmd]
	if err := do(ctx); err != nil {
		if errors.Is(err, installer.ErrNotInstalled) {
			return fail(stderr, err.Error(), "run "+asAdmin("clearance install"))
		}
		return fail(stderr, err.Error(), "'clearance status' shows the service's state")
	}
	past := map[string]string{"start": "started", "stop": "stopped", "restart": "restarted"}[cmd]
	fmt.Fprintf(stdout, "The Clearance agent is %s.\n", past)
	return 0
}

func printSteps(w io.Writer, steps []installer.Step) {
	for _, s := range steps {
		mark := "·"
		if s.Changed {
			mark = "✓"
		}
		fmt.Fprintf(w, "%s %s\n", mark, s.Done)
	}
}
