//go:build !linux && !windows && !darwin

package dnsfix

// systemFlushOps: Resolver is not supported here, so Flush stops before
// any flush.
func systemFlushOps() flushOps { return flushOps{} }
