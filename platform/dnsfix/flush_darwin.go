package dnsfix

// systemFlushOps: on macOS every flush is a command (dscacheutil, killall).
func systemFlushOps() flushOps { return flushOps{} }
