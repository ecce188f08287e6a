package main

import (
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/clearance-app/clearance/agent/diag/config"
	"github.com/clearance-app/clearance/platform/host"
)

// Flag parsing and error reporting shared by every command.

// newFlagSet returns a flag set that leaves error printing to parseFlags.
func newFlagSet(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}

// parseFlags parses the flags of a command that takes no other arguments;
// done is true when the command must end with code (help was asked for, a
// flag was bad, or an argument was left over).
func parseFlags(fs *flag.FlagSet, args []string, stderr io.Writer) (code int, done bool) {
	if code, done := parseFlagsArgs(fs, args, stderr); done {
		return code, done
	}
	if fs.NArg() > 0 {
		return fail(stderr, fmt.Sprintf("unexpected argument %q", fs.Arg(0)), "run 'clearance "+fs.Name()+" -h' for the flags"), true
	}
	return 0, false
}

// parseFlagsArgs is parseFlags for a command that reads its arguments
// itself. Its -h is the command's help from the command table.
func parseFlagsArgs(fs *flag.FlagSet, args []string, stderr io.Writer) (code int, done bool) {
	err := fs.Parse(args)
	if errors.Is(err, flag.ErrHelp) {
		c, _ := lookup(fs.Name())
		printHelp(stderr, c)
		return 0, true
	}
	if err != nil {
		return fail(stderr, err.Error(), "run 'clearance "+fs.Name()+" -h' for the flags"), true
	}
	return 0, false
}

// configHint says what to do about a configuration error.
func configHint(err error) string {
	if ue := (*host.UnsafePathError)(nil); errors.As(err, &ue) {
		return "Clearance reads this file with full rights: only root (the Administrators on Windows) may be able to change it or any directory above it"
	}
	var ce *config.Error
	if errors.As(err, &ce) && ce.Line == 0 && ce.Key == "" {
		return "check the path given by --config or CLEARANCE_CONFIG"
	}
	return "the README lists every key with its default"
}

// fail prints an error with a hint of what to do, and returns exit status 2.
func fail(stderr io.Writer, msg, hint string) int {
	fmt.Fprintf(stderr, "clearance: %s\n", msg)
	if hint != "" {
		fmt.Fprintf(stderr, "  hint: %s\n", hint)
	}
	return 2
}
