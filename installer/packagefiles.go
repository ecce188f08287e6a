package installer

import "io/fs"

// PackageFile is a file a package installs, with the same content that
// `clearance install` writes, so that a packaged Clearance and an
// installed one are registered alike.
type PackageFile struct {
	// Path is where the file goes on the target system.
	Path    string
	Mode    fs.FileMode
	Content string
}

// The package definitions render for any target OS from any build OS
// (packages are built on Linux), so they live in untagged files named
// for the target: linuxpackage.go, macpackage.go, windowspackage.go.
