package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
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
	"github.com/clearance-app/clearance/platform/browser"
	"github.com/clearance-app/clearance/platform/browser/cookies"
	"github.com/clearance-app/clearance/platform/host"
)

// fixOptions are the flags of `clearance fix`.
type fixOptions struct {
	api.FixOptions
	json       bool
	local      bool
	undo       bool     // clear-site-cookies: put the newest backup back
	result     string   // --result: the token
	resultFile *os.File // where the result goes, when --result gave a token
	out        string   // refused: see runFix
	socket     string
	configPath string
}

func fixFlags(o *fixOptions) *flag.FlagSet {
	fs := newFlagSet("fix")
	fs.BoolVar(&o.DryRun, "dry-run", false, "print the exact commands the fix would run (clear-site-cookies: the cookies that would go),\nand change nothing")
	fs.BoolVar(&o.Confirm, "confirm", false, "agree to a fix that needs it (dns-public)")
	fs.BoolVar(&o.json, "json", false, "print the result as JSON, also when the fix could not run")
	fs.StringVar(&o.result, "result", "", "leave the JSON result as fix-`TOKEN`.json in "+host.ResultsDir()+", which only administrators\ncan write, for a caller that cannot read the output of a process it started with\nadministrator rights (TOKEN: 16 to 64 letters and digits)")
	fs.StringVar(&o.out, "out", "", "no longer accepted: a `FILE` named by the caller could be a link to anywhere, written with\nadministrator rights; use --json and read standard output, or --result")
	fs.StringVar(&o.socket, "socket", "", "the agent's socket or pipe (default "+api.DefaultAddress+")")
	fs.StringVar(&o.configPath, "config", "", "configuration file, when the fix runs here")
	fs.BoolVar(&o.local, "local", false, "run the fix in this process, not through the agent (needs administrator rights)")
	fs.BoolVar(&o.undo, "undo", false, "with clear-site-cookies: put back the cookies as the newest backup holds them\n(the cookies set since then are replaced)")
	return fs
}

// runFix runs one fix: through the agent when one answers (it holds the
// rights and the current state), else in this process when it runs as an
// administrator; otherwise it says how to get the rights.
func runFix(args []string, stdout, stderr io.Writer) int {
	var o fixOptions
	fs := fixFlags(&o)
	// The id may come before, between or after the flags:
	// `clearance fix dns-public --confirm`, `clearance fix --dry-run dns-flush`.
	var id string
	for {
		if code, done := parseFlagsArgs(fs, args, stderr); done {
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
	if o.undo && id != fix.ClearSiteCookies {
		return o.fail(stdout, stderr, id, "--undo is only for clear-site-cookies", "leave --undo out")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if id == fix.ClearSiteCookies {
		return clearSiteCookies(ctx, o, stdout, stderr)
	}
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
				"run "+asAdmin("clearance fix "+id)+", or install the agent once with "+asAdmin("clearance install"))
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
// agent to check now (open to everyone); the others open pages, which is
// the tray's, as the person.
func userFix(ctx context.Context, o fixOptions, id string, stdout, stderr io.Writer) int {
	if id != fix.Recheck {
		return o.fail(stdout, stderr, id, fmt.Sprintf("%s is done by the tray, as you (it opens a page)", id),
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
	a.RepairBeforeFix()
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

func fixIDs() string { return strings.Join(fixIDList(), ", ") }

// cookieFixResult is clear-site-cookies' --json output: a fix's result,
// with what happened to each browser profile.
type cookieFixResult struct {
	api.FixResult
	Undo   bool          `json:"undo"`
	DryRun bool          `json:"dry_run"`
	Stores []cookieStore `json:"stores"`
	// Unread are the browsers and profiles that could not be read, whose
	// cookies were therefore not looked at.
	Unread []string `json:"unread"`
}

type cookieStore struct {
	Browser  string   `json:"browser"`
	Profile  string   `json:"profile"`
	Database string   `json:"database,omitempty"`
	Removed  int      `json:"removed"`
	Hosts    []string `json:"hosts"`
	Backup   string   `json:"backup,omitempty"`
	Skipped  string   `json:"skipped,omitempty"`
	Error    string   `json:"error,omitempty"`
}

// clearSiteCookies removes OpenAI's cookies from the browsers of the
// person running it, or with --undo puts the newest backup back. It runs
// here, as that person: as an administrator it would find the
// administrator's browsers, and leave files the person cannot change in
// their profiles. Exit 0 when it did what was asked or nothing needed
// doing, 1 when a profile failed or its browser runs.
func clearSiteCookies(ctx context.Context, o fixOptions, stdout, stderr io.Writer) int {
	id := fix.ClearSiteCookies
	if host.IsAdmin() {
		return o.fail(stdout, stderr, id, "the cookies are yours: run it "+wording.asYourself,
			"as an administrator, Clearance would look for the administrator's browsers, not yours")
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return o.fail(stdout, stderr, id, "could not find your home folder, where your browsers keep their cookies", "set HOME")
	}
	root, err := cookies.BackupRoot()
	if err != nil {
		return o.fail(stdout, stderr, id, err.Error(), "set HOME")
	}
	browsers, unread := browser.Discover(ctx, home)
	stores := cookies.StoresFor(browsers)
	opts := cookies.Options{DryRun: o.DryRun, BackupRoot: root}
	var results []cookies.Result
	if o.undo {
		// Said before anything is restored: what restoring costs.
		if when, ok := cookies.LatestBackup(root); ok {
			w := stdout
			if o.json {
				w = stderr
			}
			verb, replaced := "Restoring", "are"
			if o.DryRun {
				verb, replaced = "Would restore", "would be"
			}
			fmt.Fprintf(w, "%s your cookies from Clearance's backups (the newest from %s): in each profile restored, the cookies set since its backup %s replaced.\n",
				verb, when.Local().Format("Jan 2 at 15:04"), replaced)
		}
		results, err = cookies.Undo(ctx, stores, opts)
		if errors.Is(err, cookies.ErrNoBackup) {
			res := api.FixResult{Fix: id, Result: api.NotNeeded, Commands: []string{},
				Message: "There is no backup of ChatGPT cookies to put back: Clearance keeps one for a week after it clears them."}
			return o.reportCookies(stdout, stderr, res, results, unread)
		}
		if err != nil {
			return o.fail(stdout, stderr, id, err.Error(), "")
		}
	} else {
		results = cookies.Clear(ctx, stores, opts)
	}
	res := api.FixResult{Fix: id, Result: api.NotNeeded, Message: cookies.Describe(results, o.undo, o.DryRun), Commands: []string{}}
	for _, r := range results {
		switch {
		case r.Refused():
			res.Result = api.Failed
		case r.Done(o.undo) && res.Result == api.NotNeeded:
			res.Result = api.Fixed
		}
	}
	return o.reportCookies(stdout, stderr, res, results, unread)
}

// reportCookies prints clear-site-cookies' outcome and returns its exit
// status.
func (o fixOptions) reportCookies(stdout, stderr io.Writer, res api.FixResult, results []cookies.Result, unread []error) int {
	out := cookieFixResult{FixResult: res, Undo: o.undo, DryRun: o.DryRun, Stores: []cookieStore{}, Unread: []string{}}
	for _, r := range results {
		s := cookieStore{Browser: r.Store.Browser, Profile: r.Store.Profile, Database: r.DB, Removed: r.Removed,
			Hosts: r.Hosts, Backup: r.Backup, Skipped: r.Skipped}
		if s.Hosts == nil {
			s.Hosts = []string{}
		}
		if r.Err != nil {
			s.Error = r.Err.Error()
		}
		out.Stores = append(out.Stores, s)
	}
	for _, e := range unread {
		out.Unread = append(out.Unread, e.Error())
	}
	if o.json {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(out); err != nil {
			return fail(stderr, err.Error(), "")
		}
	} else {
		fmt.Fprintln(stdout, res.Message)
		for _, u := range out.Unread {
			fmt.Fprintf(stderr, "clearance: %s\n", u)
		}
	}
	if res.Result == api.Failed {
		return 1
	}
	return 0
}
