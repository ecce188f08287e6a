package main

import (
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/clearance-app/clearance/agent/diag/check"
	"github.com/clearance-app/clearance/agent/diag/fix"
	"github.com/clearance-app/clearance/installer"
)

// command is one `clearance` command. The table is the one list of them:
// run dispatches from it, and the top-level usage, every command's -h and
// the completion scripts are rendered from it.
type command struct {
	name string
	// synopsis are the usage lines after "clearance ", the first naming
	// the command.
	synopsis []string
	summary  string
	// example is a command line to try, as a person types it without
	// administrator rights: admin adds the way to get them.
	example string
	// admin is true when the command needs administrator rights.
	admin bool
	// flags returns the flag set the command parses with; nil: none.
	flags func() *flag.FlagSet
	// arg names the command's argument and args lists its values.
	arg  string
	args func() []string
	// flagValues lists the values a flag takes, for completion.
	flagValues map[string]func() []string
	run        func(args []string, stdout, stderr io.Writer) int
}

var commands []command

// The table is filled in init: the commands' run functions print their
// help from it, which a package variable's initializer may not refer to.
func init() {
	noFlags := func(name string) func() *flag.FlagSet {
		return func() *flag.FlagSet { return newFlagSet(name) }
	}
	control := func(name, summary string) command {
		return command{name: name, synopsis: []string{name}, summary: summary, example: "clearance " + name, admin: true,
			flags: noFlags(name), run: func(args []string, stdout, stderr io.Writer) int {
				return runServiceControl(name, args, stdout, stderr)
			}}
	}
	checkNames := func() []string { return check.Names() }
	commands = []command{
		{name: "check", synopsis: []string{"check [flags]"}, summary: "diagnose now, in this terminal",
			example: "clearance check --only network,clock", flags: func() *flag.FlagSet { return checkFlags(new(checkOptions)) },
			flagValues: map[string]func() []string{"only": checkNames, "skip": checkNames}, run: runCheck},
		{name: "status", synopsis: []string{"status [flags]"}, summary: "what the agent sees now",
			example: "clearance status --json", flags: func() *flag.FlagSet { return statusFlags(new(statusOptions)) }, run: runStatus},
		{name: "fix", synopsis: []string{"fix ID [flags]", "fix clear-site-cookies [--undo] [--dry-run] [--json]"},
			summary: "run one fix (clear-site-cookies: ChatGPT's cookies in your browsers, as you, " + wording.asYourself + ")",
			example: "clearance fix dns-flush --dry-run", flags: func() *flag.FlagSet { return fixFlags(new(fixOptions)) },
			arg: "ID", args: fixIDList, run: runFix},
		{name: "report", synopsis: []string{"report [flags]"}, summary: "write a zip for support: the report, the agent's state and log, names and addresses replaced",
			example: "clearance report --out report.zip", flags: func() *flag.FlagSet { return reportFlags(new(reportOptions)) }, run: runReport},
		{name: "tray", synopsis: []string{"tray [flags]"}, summary: "the status icon (started at login)",
			example: "clearance tray --verbose", flags: func() *flag.FlagSet { return trayFlags(new(trayOptions)) }, run: runTray},
		{name: "agent", synopsis: []string{"agent [flags]"}, summary: "the background service, in the foreground",
			example: "clearance agent --socket /tmp/clearance.sock --verbose", flags: func() *flag.FlagSet { return agentFlags(new(agentOptions)) }, run: runAgent},
		{name: "install", synopsis: []string{"install [flags]"}, summary: "run the agent at boot and the tray at every login",
			example: "clearance install --user alice", admin: true, flags: func() *flag.FlagSet { return installFlags(new(installer.Options)) }, run: runInstall},
		{name: "uninstall", synopsis: []string{"uninstall"}, summary: "remove what install put in place, and undo dns-public first",
			example: "clearance uninstall", admin: true, flags: noFlags("uninstall"), run: runUninstall},
		control("start", "start the agent's service"),
		control("stop", "stop the agent's service"),
		control("restart", "restart the agent's service"),
		{name: "version", synopsis: []string{"version"}, summary: "print the version, the commit and the Go version",
			example: "clearance version", flags: noFlags("version"), run: runVersion},
		{name: "completion", synopsis: []string{"completion bash|zsh|fish|powershell"}, summary: "print a completion script for a shell",
			example: "clearance completion bash", arg: "SHELL", args: func() []string { return shells }, run: runCompletion},
		{name: "help", synopsis: []string{"help"}, summary: "print this help", example: "clearance help",
			run: func(_ []string, stdout, _ io.Writer) int { printUsage(stdout); return 0 }},
	}
}

// lookup finds a command by name.
func lookup(name string) (command, bool) {
	for _, c := range commands {
		if c.name == name {
			return c, true
		}
	}
	return command{}, false
}

// fixIDList is every fix id, in the fix package's order.
func fixIDList() []string {
	ids := make([]string, len(fix.All))
	for i, f := range fix.All {
		ids[i] = f.ID
	}
	return ids
}

// line renders a usage line of c.
func (c command) line(s string) string {
	if c.admin {
		return wording.usage("clearance " + s)
	}
	return "clearance " + s
}

// printHelp is `clearance NAME -h`: the usage lines, what the command
// does, its flags, the values of its argument and an example.
func printHelp(w io.Writer, c command) {
	for i, s := range c.synopsis {
		prefix := "Usage: "
		if i > 0 {
			prefix = "       "
		}
		fmt.Fprintln(w, prefix+c.line(s))
	}
	fmt.Fprintf(w, "\n%s.\n", strings.ToUpper(c.summary[:1])+c.summary[1:])
	if c.flags != nil {
		if fs := c.flags(); hasFlags(fs) {
			fmt.Fprintln(w, "\nFlags:")
			fs.SetOutput(w)
			fs.PrintDefaults()
		}
	}
	if c.args != nil {
		fmt.Fprintf(w, "\n%s is one of: %s\n", c.arg, strings.Join(c.args(), ", "))
	}
	fmt.Fprintf(w, "\nExample:\n  %s\n", c.line(strings.TrimPrefix(c.example, "clearance ")))
}

func hasFlags(fs *flag.FlagSet) bool {
	n := 0
	fs.VisitAll(func(*flag.Flag) { n++ })
	return n > 0
}

// printUsage is the top-level help.
func printUsage(w io.Writer) {
	fmt.Fprint(w, "Clearance finds what stands between this computer and ChatGPT.\n\nUsage:\n")
	for _, c := range commands {
		for i, s := range c.synopsis {
			l := c.line(s)
			if i > 0 || len(l) > 34 {
				fmt.Fprintf(w, "  %s\n", l)
				if i == len(c.synopsis)-1 {
					fmt.Fprintf(w, "  %-36s %s\n", "", c.summary)
				}
				continue
			}
			if len(c.synopsis) > 1 {
				fmt.Fprintf(w, "  %s\n", l)
				continue
			}
			fmt.Fprintf(w, "  %-36s %s\n", l, c.summary)
		}
	}
	fmt.Fprint(w, usageNotes)
}

const usageNotes = `
Run 'clearance COMMAND -h' for a command's flags and an example.

Fixes: time-sync, dns-flush, dns-public (with --confirm), dns-restore, recheck,
clear-site-cookies (with --undo to put them back); the tray runs
open-status-page, open-captive-portal, open-private-window.

Exit status: 2 Clearance could not run (a bad flag, argument or configuration
file, missing rights). check: 0 nothing to fix, 1 a warning or worse was
found. status: 0 all clear, 1 a warning or worse, 3 no agent answers.
fix: 0 fixed or nothing to do, 1 the fix failed (clear-site-cookies: a
profile failed, or its browser runs).
`
