package main

import (
	"cmp"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/clearance-app/clearance/agent/api"
	"github.com/clearance-app/clearance/agent/diag/finding"
	"github.com/clearance-app/clearance/installer"
)

// runStatus shows the service's state and the findings the agent shows.
// Exit status: 0 nothing of warning or above, 1 such findings, 3 no agent
// answers (so that scripts can tell "fine" from "not watching").
func runStatus(args []string, stdout, stderr io.Writer) int {
	var o statusOptions
	if code, done := parseFlags(statusFlags(&o), args, stderr); done {
		return code
	}
	asJSON, socket := o.json, o.socket
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	svc, svcErr := installer.ServiceStatus(ctx)
	c := api.NewAgentClient(socket)
	defer c.Close()
	h, herr := c.Health(ctx)
	var st api.State
	var serr error
	if herr == nil {
		st, _, _, serr = c.State(ctx, "")
	}
	if asJSON {
		if herr != nil || serr != nil {
			return notWatching(stderr, svc, svcErr, cmp.Or(herr, serr))
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		enc.Encode(st)
		return statusExit(st)
	}

	fmt.Fprintf(stdout, "Service:  %s\n", describeService(svc, svcErr, herr == nil))
	if herr != nil || serr != nil {
		return notWatching(stderr, svc, svcErr, cmp.Or(herr, serr))
	}
	fmt.Fprintf(stdout, "Agent:    answering, version %s, up %s\n", h.Version, (time.Duration(h.UptimeSeconds) * time.Second).String())
	if st.UpdatedAt.IsZero() {
		fmt.Fprintln(stdout, "Checked:  not yet (the first check is running)")
	} else {
		fmt.Fprintf(stdout, "Checked:  %s (%s ago)\n", st.UpdatedAt.Local().Format("15:04:05"), time.Since(st.UpdatedAt).Round(time.Second))
	}
	if len(st.Findings) == 0 {
		fmt.Fprintln(stdout, "\nNothing stands between this computer and ChatGPT.")
		return statusExit(st)
	}
	fmt.Fprintln(stdout)
	for _, f := range st.Findings {
		fmt.Fprintf(stdout, "%-8s  %s (since %s)\n", f.Severity, f.Title, f.Since.Local().Format("Jan 2 15:04"))
		if len(f.Fixes) > 0 {
			fmt.Fprintf(stdout, "          fix: clearance fix %s\n", f.Fixes[0])
		} else if e, ok := f.Evidence["error"].(string); ok {
			fmt.Fprintf(stdout, "          %s\n", e) // config-invalid: the file, line and key
		}
	}
	return statusExit(st)
}

// statusOptions are the flags of `clearance status`.
type statusOptions struct {
	json   bool
	socket string
}

func statusFlags(o *statusOptions) *flag.FlagSet {
	fs := newFlagSet("status")
	fs.BoolVar(&o.json, "json", false, "print the agent's state as JSON (the API's /v1/state)")
	fs.StringVar(&o.socket, "socket", "", "the agent's socket or pipe (default "+api.DefaultAddress+")")
	return fs
}

func describeService(s installer.Status, err error, answering bool) string {
	switch {
	case answering && (err != nil || !s.Running):
		// The agent answers, so it runs; the manager's own state may not be
		// readable without administrator rights (launchd's system domain).
		return "running (the agent answers)"
	case err != nil:
		return "unknown (" + err.Error() + ")"
	case !s.Installed:
		return "not installed (run " + asAdmin("clearance install") + ")"
	case s.Running:
		return "running (" + s.Backend + ")"
	}
	return "installed, not running (" + s.Backend + "; run " + asAdmin("clearance start") + ")"
}

func notWatching(stderr io.Writer, s installer.Status, svcErr, err error) int {
	hint := "start it with " + asAdmin("clearance start")
	if svcErr == nil && !s.Installed {
		hint = "install it with " + asAdmin("clearance install") + ", or run 'clearance check' once"
	}
	fmt.Fprintf(stderr, "clearance: no agent answers: %v\n  hint: %s\n", err, hint)
	return 3
}

func statusExit(st api.State) int {
	if finding.Worst(st.Findings).Rank() >= finding.Warning.Rank() {
		return 1
	}
	return 0
}
