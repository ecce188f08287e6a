//go:build !linux && !windows && !darwin

package platform

// systemFlushOps: Resolver is not supported here, so FlushDNS stops before
// any flush.
func systemFlushOps() flushOps { return flushOps{} }
