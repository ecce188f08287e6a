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
	"github.com/clearance-app/clearance/agent/diag/config"
	"github.com/clearance-app/clearance/agent/logging"
	"github.com/clearance-app/clearance/installer"
	"github.com/clearance-app/clearance/platform"
	"github.com/clearance-app/clearance/platform/host"
)

// agentOptions are the flags of `clearance agent`.
type agentOptions struct {
	configPath string
	socket     string
	verbose    bool
}

func runAgent(args []string, _, stderr io.Writer) int {
	var o agentOptions
	fs := newFlagSet("agent", stderr)
	fs.StringVar(&o.configPath, "config", "", "configuration file (default: CLEARANCE_CONFIG, else the system file)")
	fs.StringVar(&o.socket, "socket", "", "the API's socket or pipe (default "+api.DefaultAddress+")")
	fs.BoolVar(&o.verbose, "verbose", false, "log every run and command")
	if code, done := parseFlags(fs, args, stderr, "Usage: clearance agent [flags]"); done {
		return code
	}
	// As root, whoever started the agent (a SysV script passes on the
	// environment of the person who ran it) must not choose the programs
	// it runs nor the file that steers it.
	admin := host.IsAdmin()
	var envErr error
	if admin {
		envErr = platform.ResetEnv()
	}
	src := config.Locate(o.configPath, os.Getenv)
	src.Privileged = admin
	load := func() (config.Config, error) { return config.Load(src) }
	if _, err := load(); err != nil {
		return fail(stderr, err.Error(), configHint(err))
	}
	level := slog.LevelInfo
	if o.verbose {
		level = slog.LevelDebug
	}
	log, closeLog := logging.New(installer.UnderServiceManager(), level, stderr)
	defer closeLog()
	if envErr != nil {
		log.Warn("could not restart with the service's environment; reset it in place", "err", envErr)
	}

	a, err := agent.New(agent.Options{Config: load, Log: log, Version: version, Address: o.socket})
	if err != nil {
		return fail(stderr, err.Error(), configHint(err))
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := installer.RunService(ctx, a.Run); err != nil {
		log.Error("the agent stopped", "err", err)
		fmt.Fprintf(stderr, "clearance: %v\n", err)
		return 1
	}
	return 0
}

// newFlagSet returns a flag set that leaves error printing to parseFlags.
func newFlagSet(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}

// parseFlags parses the flags of a command that takes no other arguments;
// done is true when the command must end with code (help was asked for, a
// flag was bad, or an argument was left over).
func parseFlags(fs *flag.FlagSet, args []string, stderr io.Writer, usage string) (code int, done bool) {
	if code, done := parseFlagsArgs(fs, args, stderr, usage); done {
		return code, done
	}
	if fs.NArg() > 0 {
		return fail(stderr, fmt.Sprintf("unexpected argument %q", fs.Arg(0)), "run 'clearance "+fs.Name()+" -h' for the flags"), true
	}
	return 0, false
}

// parseFlagsArgs is parseFlags for a command that reads its arguments
// itself.
func parseFlagsArgs(fs *flag.FlagSet, args []string, stderr io.Writer, usage string) (code int, done bool) {
	err := fs.Parse(args)
	if errors.Is(err, flag.ErrHelp) {
		fs.SetOutput(stderr)
		fmt.Fprintln(stderr, usage)
		fs.PrintDefaults()
		return 0, true
	}
	if err != nil {
		return fail(stderr, err.Error(), "run 'clearance "+fs.Name()+" -h' for the flags"), true
	}
	return 0, false
}
