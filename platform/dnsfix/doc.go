// Package dnsfix changes how this machine resolves names, for the fixes:
// flushing the DNS cache of the resolver in use, and switching to public
// DNS and back with the tool that owns the setting (systemd-resolved,
// NetworkManager, resolv.conf, netsh, networksetup). What a switch replaces
// is written to a journal, durably, before anything changes, so that a
// restore is exact and a crash half-way is repaired at the next start.
// Every change goes through platform.Changes.
package dnsfix
