//go:build !windows && !darwin

package dnsconf

import "net"

// Here Go resolves names itself (the binaries are built without cgo).
func systemResolver() *net.Resolver { return goResolver() }
