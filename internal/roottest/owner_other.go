//go:build !unix

package roottest

import "io/fs"

// ownedByRoot: there is no root here (Dir is never run as root).
func ownedByRoot(fs.FileInfo) bool { return false }
