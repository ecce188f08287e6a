package installer

import (
	"context"
	"strings"

	"github.com/clearance-app/clearance/platform"
)

// packagedBy says which package, if any, installed the binary the
// packages install (dpkg-query --search, rpm --query --file): a machine's
// own `clearance install` of a binary elsewhere is no package's.
func packagedBy(ctx context.Context, run platform.Runner, op string) *PackagedError {
	if out, err := run.Run(ctx, "dpkg-query", "--search", PackagedExecutable); err == nil {
		// "clearance: /usr/bin/clearance"
		if name, _, ok := strings.Cut(strings.TrimSpace(string(out)), ": "); ok && name != "" {
			return &PackagedError{Op: op, Package: "the Debian package " + name, Remove: "sudo apt remove " + name}
		}
	}
	if out, err := run.Run(ctx, "rpm", "--query", "--file", "--queryformat", "%{NAME}", PackagedExecutable); err == nil {
		if name := strings.TrimSpace(string(out)); name != "" {
			return &PackagedError{Op: op, Package: "the RPM package " + name, Remove: "sudo dnf remove " + name}
		}
	}
	return nil
}
