package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/clearance-app/clearance/agent"
	"github.com/clearance-app/clearance/agent/api"
	"github.com/clearance-app/clearance/agent/diag/config"
	"github.com/clearance-app/clearance/agent/diag/fix"
	"github.com/clearance-app/clearance/platform/host"
)

// fixOptions are the flags of `clearance fix`.
type fixOptions struct {
	api.FixOptions
	json       bool
	local      bool
	result     string   // --result: the token
	resultFile *os.File // where the result goes, when --result gave a token
	out        string   // refused: see runFix
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
	fs.BoolVar(&o.json, "json", false, "print the result as JSON, also when the fix could not run")
	fs.StringVar(&o.result, "result", "", "leave the JSON result as fix-`TOKEN`.json in "+host.ResultsDir()+", which only administrators\ncan write, for a caller that cannot read the output of a process it started with\nadministrator rights (TOKEN: 16 to 64 letters and digits)")
	fs.StringVar(&o.out, "out", "", "no longer accepted: a `FILE` named by the caller could be a link to anywhere, written with\nadministrator rights; use --json and read standard output, or --result")
	fs.StringVar(&o.socket, "socket", "", "the agent's socket or pipe (default "+api.DefaultAddress+")")
	fs.StringVar(&o.configPath, "config", "", "configuration file, when the fix runs here")
	fs.BoolVar(&o.local, "local", false, "run the fix in this process, not through the agent (needs administrator rights)")
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
	if o.out != "" {
		return fail(stderr, "--out is no longer accepted: a file named by the caller could be a link to anywhere, and the fix writes with administrator rights",
			"use --json and read standard output; where that is out of reach, pass --result TOKEN and read fix-TOKEN.json in "+host.ResultsDir())
	}
	if o.result != "" {
		if err := host.CheckResultToken(o.result); err != nil {
			return fail(stderr, fmt.Sprintf("--result %v", err), "use 16 to 64 random letters and digits, for example from 'openssl rand -hex 16'")
		}
		// Before the fix, so that a place that will not do changes nothing.
		f, err := host.CreateResult(o.result, time.Now())
		if err != nil {
			return fail(stderr, err.Error(), "")
		}
		defer f.Close()
		o.resultFile = f
	}
	info, ok := fix.Lookup(id)
	if !ok {
		if id == "" {
			return o.fail(stdout, stderr, id, "which fix?", "the fixes are: "+fixIDs())
		}
		return o.fail(stdout, stderr, id, fmt.Sprintf("there is no fix %q", id), "the fixes are: "+fixIDs())
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if !info.Privileged {
		return userFix(ctx, o, id, stdout, stderr)
	}

	var res api.FixResult
	err := errNoAgent // --local: as if none answered
	if !o.local {
		res, err = fixThroughAgent(ctx, o, id)
	}
	var apiErr *api.Error
	switch {
	case errors.As(err, &apiErr):
		return o.fail(stdout, stderr, id, apiErr.Message, "")
	case errors.Is(err, errNoAgent) && o.socket != "" && !o.local:
		return o.fail(stdout, stderr, id, "no agent answers at "+o.socket, "check the path, or leave --socket out to run the fix here")
	case errors.Is(err, errNoAgent):
		if !host.IsAdmin() {
			return o.fail(stdout, stderr, id, "no Clearance agent is running, and this fix changes the system, which needs administrator rights",
				"run 'sudo clearance fix "+id+"', or install the agent once with 'sudo clearance install'")
		}
		if !o.local {
			fmt.Fprintln(stderr, "clearance: no agent answers; running the fix here")
		}
		res, err = fixInProcess(ctx, o, id, stderr)
		if err != nil {
			return o.fail(stdout, stderr, id, err.Error(), configHint(err))
		}
	case err != nil:
		return o.fail(stdout, stderr, id, err.Error(), "")
	}
	if err := o.report(stdout, res); err != nil {
		return fail(stderr, err.Error(), "")
	}
	if res.Result == api.Failed {
		if id == fix.DNSPublic && !o.Confirm && !o.DryRun {
			fmt.Fprintln(stderr, "  hint: run again with --confirm to go ahead")
		}
		return 1
	}
	return 0
}

// userFix answers for the fixes that are not the agent's: recheck asks the
// agent to check now (open to everyone); the others belong to the tray,
// which runs them as the person (opening pages, browser data).
func userFix(ctx context.Context, o fixOptions, id string, stdout, stderr io.Writer) int {
	if id != fix.Recheck {
		return o.fail(stdout, stderr, id, fmt.Sprintf("%s is done by the tray, as you (it opens a page or changes browser data)", id),
			"choose it in the tray's menu; 'clearance tray' starts the tray")
	}
	c := api.NewAgentClient(o.socket)
	defer c.Close()
	cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := c.CheckNow(cctx); err != nil {
		return o.fail(stdout, stderr, id, "no agent answers, so none can check again", "'clearance check' checks now, in this terminal")
	}
	res := api.FixResult{Fix: id, Result: api.Fixed, Message: "Checking again now: 'clearance status' shows the result.", Commands: []string{}}
	if err := o.report(stdout, res); err != nil {
		return fail(stderr, err.Error(), "")
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
	src.Privileged = host.IsAdmin() // as the agent reads it
	load := func() (config.Config, error) { return config.Load(src) }
	if _, err := load(); err != nil && id == fix.DNSRestore {
		// Putting the person's own DNS back must not depend on a typo in
		// the configuration (uninstall needs it too).
		fmt.Fprintf(stderr, "clearance: %v; restoring with the default settings\n", err)
		load = func() (config.Config, error) { return config.Default(), nil }
	}
	a, err := agent.New(agent.Options{
		Config:  load,
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
			return api.FixResult{Fix: id, Result: api.Failed, Message: api.NotAvailable(st.Reason), Commands: []string{}}, nil
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

// report hands the result to the caller: into its file in the results
// directory when --result gave a token, else on standard output.
func (o fixOptions) report(stdout io.Writer, res api.FixResult) error {
	if o.resultFile == nil {
		printFixResult(stdout, res, o)
		return nil
	}
	b, err := json.MarshalIndent(res, "", "  ")
	if err == nil {
		_, err = o.resultFile.Write(append(b, '\n'))
	}
	if cerr := o.resultFile.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("write the result in %s: %w", o.resultFile.Name(), err)
	}
	return nil
}

// fail reports a fix that could not run also as a result, where the caller
// reads one (--json, --result): the elevated process's standard error is
// out of sight of the tray that started it (a hidden console on Windows;
// osascript keeps only the output of a command that succeeded).
func (o fixOptions) fail(stdout, stderr io.Writer, id, msg, hint string) int {
	if o.json || o.resultFile != nil {
		res := api.FixResult{Fix: id, Result: api.Failed, Message: msg, Commands: []string{}}
		if err := o.report(stdout, res); err != nil {
			fmt.Fprintf(stderr, "clearance: %v\n", err)
		}
	}
	return fail(stderr, msg, hint)
}

func fixIDs() string {
	ids := make([]string, len(fix.All))
	for i, f := range fix.All {
		ids[i] = f.ID
	}
	return strings.Join(ids, ", ")
}
