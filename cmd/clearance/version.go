package main

import (
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
)

// runVersion is `clearance version`: the version set at build time, the
// commit the Go toolchain stamped (and whether the tree had changes), and
// the Go version, which a bug report needs.
func runVersion(args []string, stdout, stderr io.Writer) int {
	if code, done := parseFlags(newFlagSet("version"), args, stderr); done {
		return code
	}
	info, _ := debug.ReadBuildInfo()
	fmt.Fprintf(stdout, "clearance %s\ncommit %s\n%s\n", version, commitOf(info), runtime.Version())
	return 0
}

// commitOf is the VCS revision in info, with "+changes" when the tree
// differed from it; "unknown" when the build recorded none (go test, or a
// build outside the repository).
func commitOf(info *debug.BuildInfo) string {
	if info == nil {
		return "unknown"
	}
	var rev, modified string
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			modified = s.Value
		}
	}
	if rev == "" {
		return "unknown"
	}
	if modified == "true" {
		rev += "+changes"
	}
	return rev
}
