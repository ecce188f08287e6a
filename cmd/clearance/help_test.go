package main

import (
	"flag"
	"slices"
	"strings"
	"testing"
)

// Every command's -h and --help print its usage line, every flag it
// parses, and an example; and exit 0.
func TestHelpEveryCommand(t *testing.T) {
	for _, c := range commands {
		if c.name == "help" {
			continue
		}
		for _, h := range []string{"-h", "--help"} {
			r := runCmd(t, clearanceCmd(t, nil, c.name, h))
			out := r.stderr
			if r.code != 0 || !strings.Contains(out, "Usage: "+c.line(c.synopsis[0])) {
				t.Errorf("clearance %s %s: exit %d, want 0 and the usage line:\n%s", c.name, h, r.code, out)
				continue
			}
			if !strings.Contains(out, "Example:\n  "+c.line(strings.TrimPrefix(c.example, "clearance "))) {
				t.Errorf("clearance %s %s has no example:\n%s", c.name, h, out)
			}
			if c.flags != nil {
				c.flags().VisitAll(func(f *flag.Flag) {
					if !strings.Contains(out, "  -"+f.Name) {
						t.Errorf("clearance %s %s does not name -%s:\n%s", c.name, h, f.Name, out)
					}
				})
			}
		}
	}
}

// An example that the command would refuse teaches the wrong thing.
func TestHelpExamplesParse(t *testing.T) {
	for _, c := range commands {
		words := strings.Fields(c.example)
		if len(words) < 2 || words[0] != "clearance" || words[1] != c.name {
			t.Errorf("%s: example %q does not run clearance %s", c.name, c.example, c.name)
			continue
		}
		if c.flags == nil {
			continue
		}
		// As runFix does, the argument may stand among the flags.
		fs, rest := c.flags(), words[2:]
		for len(rest) > 0 {
			if err := fs.Parse(rest); err != nil {
				t.Errorf("%s: example %q: %v", c.name, c.example, err)
				break
			}
			if fs.NArg() == 0 {
				break
			}
			if a := fs.Arg(0); c.args == nil || !slices.Contains(c.args(), a) {
				t.Errorf("%s: example %q: argument %q is not one of the command's", c.name, c.example, a)
			}
			rest = fs.Args()[1:]
		}
	}
}

// The top-level help names every command, and so does running with no
// command (exit 2, on standard error).
func TestUsageNamesEveryCommand(t *testing.T) {
	help := runCmd(t, clearanceCmd(t, nil, "help"))
	none := runCmd(t, clearanceCmd(t, nil))
	if help.code != 0 || none.code != 2 {
		t.Fatalf("help: exit %d, none: exit %d; want 0 and 2", help.code, none.code)
	}
	for _, c := range commands {
		for _, out := range []string{help.stdout, none.stderr} {
			if !strings.Contains(out, c.line(c.synopsis[0])) || !strings.Contains(out, c.summary) {
				t.Errorf("usage does not list %s:\n%s", c.name, out)
			}
		}
	}
}
