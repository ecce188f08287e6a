// Command clearance keeps a person's path to ChatGPT clear: it diagnoses the
// local causes of "Access denied (Error 1020)", "Too many requests" and
// network errors, and offers the fix. This file only wires the command line
// to the packages that do the work.
package main

import (
	"fmt"
	"io"
	"os"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

var usage = `Clearance finds what stands between this computer and ChatGPT.

Usage:
  clearance check [--json] [--only NAMES] [--skip NAMES] [--config FILE] [--verbose]
  clearance status [--json] [--socket PATH]
                                       what the agent sees now
  clearance fix ID [--dry-run] [--confirm] [--json] [--local] [--socket PATH] [--config FILE] [--result TOKEN]
  clearance fix clear-site-cookies [--undo] [--dry-run] [--json]
                                       ChatGPT's cookies in your browsers (as you, ` + wording.asYourself + `)
  clearance tray [--socket PATH] [--config FILE] [--verbose]
                                       the status icon (started at login)
  clearance agent [--config FILE] [--socket PATH] [--verbose]
                                       the background service, in the foreground
  ` + wording.usage("clearance install [--user NAME] [--config FILE]") + `
  ` + wording.usage("clearance uninstall | start | stop | restart") + `
  clearance version

Fixes: time-sync, dns-flush, dns-public (with --confirm), dns-restore, recheck,
clear-site-cookies (with --undo to put them back); the tray runs
open-status-page, open-captive-portal, open-private-window.

Exit status: 2 Clearance could not run (a bad flag, argument or configuration
file, missing rights). check: 0 nothing to fix, 1 a warning or worse was
found. status: 0 all clear, 1 a warning or worse, 3 no agent answers.
fix: 0 fixed or nothing to do, 1 the fix failed (clear-site-cookies: a
profile failed, or its browser runs).
`

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	switch args[0] {
	case "check":
		return runCheck(args[1:], stdout, stderr)
	case "agent":
		return runAgent(args[1:], stdout, stderr)
	case "fix":
		return runFix(args[1:], stdout, stderr)
	case "status":
		return runStatus(args[1:], stdout, stderr)
	case "tray":
		return runTray(args[1:], stdout, stderr)
	case "install":
		return runInstall(args[1:], stdout, stderr)
	case "uninstall":
		return runUninstall(args[1:], stdout, stderr)
	case "start", "stop", "restart":
		return runServiceControl(args[0], args[1:], stdout, stderr)
	case "version", "--version":
		fmt.Fprintf(stdout, "clearance %s\n", version)
		return 0
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	}
	return fail(stderr, fmt.Sprintf("unknown command %q", args[0]), "run 'clearance help' to see the commands")
}
