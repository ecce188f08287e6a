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

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		printUsage(stderr)
		return 2
	}
	name := args[0]
	switch name {
	case "--version":
		name = "version"
	case "-h", "--help":
		name = "help"
	}
	if c, ok := lookup(name); ok {
		return c.run(args[1:], stdout, stderr)
	}
	return fail(stderr, fmt.Sprintf("unknown command %q", args[0]), "run 'clearance help' to see the commands")
}
