package main

import (
	"context"
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
	"github.com/clearance-app/clearance/agent/metrics/otlp"
	"github.com/clearance-app/clearance/installer"
	"github.com/clearance-app/clearance/platform"
	"github.com/clearance-app/clearance/platform/host"
)

// freshConnectionsEnv set to 1 makes every full run of the agent dial
// afresh (agent.Options.FreshConnections): the benchmarks' stand-in for the
// minutes between scheduled runs. It only ever costs the agent more work.
const freshConnectionsEnv = "CLEARANCE_BENCH_FRESH_CONNECTIONS"

// agentOptions are the flags of `clearance agent`.
type agentOptions struct {
	configPath string
	socket     string
	verbose    bool
}

func agentFlags(o *agentOptions) *flag.FlagSet {
	fs := newFlagSet("agent")
	fs.StringVar(&o.configPath, "config", "", "configuration file (default: CLEARANCE_CONFIG, else the system file)")
	fs.StringVar(&o.socket, "socket", "", "the API's socket or pipe (default "+api.DefaultAddress+")")
	fs.BoolVar(&o.verbose, "verbose", false, "log every run and command")
	return fs
}

func runAgent(args []string, _, stderr io.Writer) int {
	var o agentOptions
	if code, done := parseFlags(agentFlags(&o), args, stderr); done {
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

	a, err := agent.New(agent.Options{
		Config: load, Log: log, Version: version, Address: o.socket,
		FreshConnections: os.Getenv(freshConnectionsEnv) == "1",
		NewPusher: func(endpoint string) (agent.Pusher, error) {
			return otlp.New(endpoint, version)
		},
	})
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
