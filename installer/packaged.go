package installer

import "fmt"

// PackagedError is Install's or Uninstall's refusal on a machine where a
// package installed Clearance: the package manager owns those files and
// keeps records of them, which must stay true.
type PackagedError struct {
	// Op is "install" or "uninstall".
	Op string
	// Package names the package and its manager ("the Debian package
	// clearance").
	Package string
	// Remove is the command that removes it.
	Remove string
}

func (e *PackagedError) Error() string {
	if e.Op == "install" {
		return fmt.Sprintf("Clearance is already installed, by %s, and nothing was changed: install a newer package to upgrade it, or remove it with: %s", e.Package, e.Remove)
	}
	return fmt.Sprintf("Clearance was installed by %s, and nothing was changed: remove it the package's way, so that its records stay true: %s", e.Package, e.Remove)
}
