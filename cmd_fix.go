package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/clearance-app/clearance/agent"
	"github.com/clearance-app/clearance/agent/api"
	"github.com/clearance-app/clearance/agent/config"
	"github.com/clearance-app/clearance/agent/fix"
	"github.com/clearance-app/clearance/platform"
)

// fixOptions are the flags of `clearance fix`.
type fixOptions struct {
	api.FixOptions
	json       bool
	out        string
	socket     string
	configPath string
}

// runFix runs one fix: through the agent when one answers (it holds the
// rights and the current state), else in this process when it runs as an
// administrator; otherwise it says how to get the rights.
func runFix(args []string, stdout, stderr io.Writer) int {
	var o fixOptions
	fs := newFlagSet("fix", stderr)
	fs.BoolVar(&o.DryRun, "dry-run", false, "print the exact commands the fix would run, and change nothing")
	fs.BoolVar(&o.Confirm, "confirm", false, "agree to a fix that needs it (dns-public)")
	fs.BoolVar(&o.json, "json", false, "print the result as JSON")
	fs.StringVar(&o.out, "out", "", "write the JSON result to this file (for a caller that cannot read an elevated process's output)")
	fs.StringVar(&o.socket, "socket", "", "the agent's socket or pipe (default "+api.DefaultAddress+")")
	fs.StringVar(&o.configPath, "config", "", "configuration file, when no agent runs")
	// The id may come before, between or after the flags:
	// `clearance fix dns-public --confirm`, `clearance fix --dry-run dns-flush`.
	var id string
	for {
		if code, done := parseFlagsArgs(fs, args, stderr, "Usage: clearance fix ID [flags]\n\nIDs: "+fixIDs()); done {
			return code
		}
		if fs.NArg() == 0 {
			break
		}
		if id != "" {
			return fail(stderr, fmt.Sprintf("unexpected argument %q", fs.Arg(0)), "give one fix id")
		}
		id, args = fs.Arg(0), fs.Args()[1:]
	}
	if _, ok := fix.Lookup(id); !ok {
		if id == "" {
			return fail(stderr, "which fix?", "the fixes are: "+fixIDs())
		}
		return fail(stderr, fmt.Sprintf("there is no fix %q", id), "the fixes are: "+fixIDs())
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	res, err := fixThroughAgent(ctx, o, id)
	var apiErr *api.Error
	switch {
	case errors.As(err, &apiErr) && apiErr.Status == http.StatusForbidden:
		return o.fail(stderr, id, apiErr.Message, "an administrator can let you run fixes: sudo usermod -aG "+api.DefaultFixGroup+" "+currentUser())
	case errors.As(err, &apiErr):
		return o.fail(stderr, id, apiErr.Message, "")
	case errors.Is(err, errNoAgent):
		if !platform.IsAdmin() {
			return o.fail(stderr, id, "no Clearance agent is running, and this fix changes the system, which needs administrator rights",
				"run 'sudo clearance fix "+id+"', or install the agent once with 'sudo clearance install'")
		}
		res, err = fixInProcess(ctx, o, id, stderr)
		if err != nil {
			return o.fail(stderr, id, err.Error(), configHint(err))
		}
	case err != nil:
		return o.fail(stderr, id, err.Error(), "")
	}
	if o.out != "" {
		if err := writeFixResult(o.out, res); err != nil {
			return o.fail(stderr, id, err.Error(), "")
		}
	} else {
		printFixResult(stdout, res, o)
	}
	if res.Result == api.Failed {
		return 1
	}
	return 0
}

var errNoAgent = errors.New("no agent answers")

// fixThroughAgent asks the running agent; errNoAgent when none answers.
func fixThroughAgent(ctx context.Context, o fixOptions, id string) (api.FixResult, error) {
	c := api.NewAgentClient(o.socket)
	defer c.Close()
	hctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	_, err := c.Health(hctx)
	cancel()
	if err != nil {
		var apiErr *api.Error
		if errors.As(err, &apiErr) {
			return api.FixResult{}, err
		}
		return api.FixResult{}, fmt.Errorf("%w: %w", errNoAgent, err)
	}
	return c.RunFix(ctx, id, o.FixOptions)
}

// fixInProcess runs the fix here, as the agent would.
func fixInProcess(ctx context.Context, o fixOptions, id string, stderr io.Writer) (api.FixResult, error) {
	src := config.Locate(o.configPath, os.Getenv)
	a, err := agent.New(agent.Options{
		Config:  func() (config.Config, error) { return config.Load(src) },
		Log:     slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn})),
		Version: version,
		Address: "-",
	})
	if err != nil {
		return api.FixResult{}, err
	}
	defer a.Close()
	for _, st := range a.Fixes(ctx) {
		if st.ID == id && !st.Available {
			return api.FixResult{Fix: id, Result: api.Failed, Message: "Not available: " + st.Reason + "."}, nil
		}
	}
	return a.RunFix(ctx, id, o.FixOptions)
}

func printFixResult(w io.Writer, res api.FixResult, o fixOptions) {
	if o.json {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		enc.Encode(res)
		return
	}
	fmt.Fprintln(w, res.Message)
	if len(res.Commands) == 0 {
		return
	}
	verb := "ran"
	if o.DryRun {
		verb = "would run"
	}
	for _, c := range res.Commands {
		fmt.Fprintf(w, "  %s: %s\n", verb, c)
	}
}

// fail reports a fix that could not run, also in the --out file when one
// was asked for: the elevated process's standard error is out of sight of
// the tray that started it (a hidden console on Windows).
func (o fixOptions) fail(stderr io.Writer, id, msg, hint string) int {
	if o.out != "" {
		writeFixResult(o.out, api.FixResult{Fix: id, Result: api.Failed, Message: msg, Commands: []string{}})
	}
	return fail(stderr, msg, hint)
}

func writeFixResult(path string, res api.FixResult) error {
	b, err := json.MarshalIndent(res, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("write the result: %w", err)
	}
	return nil
}

func fixIDs() string {
	ids := make([]string, len(fix.All))
	for i, f := range fix.All {
		ids[i] = f.ID
	}
	return strings.Join(ids, ", ")
}

// currentUser names the person running this, for hints.
func currentUser() string {
	for _, k := range []string{"SUDO_USER", "USER", "USERNAME"} {
		if v := os.Getenv(k); v != "" {
			return v
		}
	}
	return "YOUR-NAME"
}
