package dnsconf

import "net"

// The OS resolver answers here, with retries of its own; Go's resolver
// would bypass it (and its VPN split-DNS rules).
func systemResolver() *net.Resolver { return net.DefaultResolver }
