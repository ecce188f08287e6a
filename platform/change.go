package platform

import (
	"context"
	"strings"
	"sync"
)

// Changes is how a fix changes the system. Every change a fix makes goes
// through it — a command, or an in-process step (a D-Bus call, a signal, a
// file write) described as a command-like line — so that a dry run lists
// exactly what would happen and changes nothing, and a real run can say
// afterwards what it did. Reads (asking a tool for the current settings) go
// through a plain Runner and run on a dry run too.
type Changes struct {
	run Runner
	dry bool

	mu   sync.Mutex
	cmds []string
}

// NewChanges returns a Changes that runs commands with run, or only records
// them when dryRun is set.
func NewChanges(run Runner, dryRun bool) *Changes {
	return &Changes{run: run, dry: dryRun}
}

// DryRun says whether changes are only recorded.
func (c *Changes) DryRun() bool { return c.dry }

// Run records the command and, unless this is a dry run, runs it.
func (c *Changes) Run(ctx context.Context, name string, args ...string) ([]byte, error) {
	c.record(QuoteArgv(append([]string{name}, args...)))
	if c.dry {
		return nil, nil
	}
	return c.run.Run(ctx, name, args...)
}

// Do records desc (written like a command a person could run to the same
// effect, e.g. "kill -HUP 812" or "write /etc/resolv.conf") and, unless
// this is a dry run, calls fn.
func (c *Changes) Do(ctx context.Context, desc string, fn func(context.Context) error) error {
	c.record(desc)
	if c.dry {
		return nil
	}
	return fn(ctx)
}

// Commands returns what ran, or would run, in order.
func (c *Changes) Commands() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string{}, c.cmds...)
}

func (c *Changes) record(s string) {
	c.mu.Lock()
	c.cmds = append(c.cmds, s)
	c.mu.Unlock()
}

// QuoteArgv renders argv as a shell would need it typed.
func QuoteArgv(argv []string) string {
	out := make([]string, len(argv))
	for i, a := range argv {
		if a == "" || strings.ContainsAny(a, " \t\n\"'\\$`&|;<>()*?[]{}~#!") {
			a = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
		out[i] = a
	}
	return strings.Join(out, " ")
}
