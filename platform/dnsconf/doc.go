// Package dnsconf reads how this machine resolves names: the system
// resolver, resolv.conf and nsswitch.conf, and which resolver software
// answers or caches queries (systemd-resolved, dnsmasq, unbound, nscd, the
// Windows DNS Client, mDNSResponder). It only reads: it never sends a
// query to learn this and never changes a setting.
package dnsconf
