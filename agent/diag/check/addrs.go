package check

import (
	"maps"
	"net/netip"
	"slices"
	"sync"
	"time"

	"github.com/clearance-app/clearance/agent/diag/statefile"
)

// AddrMemory remembers the address at which each probed host last
// answered. When no name resolves in time, the network check connects to
// these addresses directly: an answer proves the uplink works and the
// resolver is what is broken. It is kept next to the NTP memory, per user
// for `clearance check` and in the state directory for the agent. A nil
// AddrMemory remembers nothing.
type AddrMemory struct {
	// Path is the file shared with later runs; "" keeps the memory in this
	// process only.
	Path string

	mu     sync.Mutex
	loaded bool
	hosts  map[string]knownAddr
}

type knownAddr struct {
	Addr netip.AddrPort `json:"addr"`
	Seen time.Time      `json:"seen"`
}

type addrFile struct {
	Version int                  `json:"version"`
	Hosts   map[string]knownAddr `json:"hosts"`
}

const (
	addrFileVersion = 1
	// addrMaxHosts bounds the file against a configuration that lists
	// hosts by the hundred; the least recently seen go first.
	addrMaxHosts = 32
	// addrForget: an address not seen for this long may belong to someone
	// else by now.
	addrForget = 30 * 24 * time.Hour
	// addrRefresh is how stale a remembered time may get before an
	// unchanged address is written again: a run that only confirms what is
	// known does not touch the disk.
	addrRefresh = 24 * time.Hour
)

// UserAddrMemory keeps the memory in the user's cache directory, beside
// the NTP memory; in this process only when the user has none.
func UserAddrMemory() *AddrMemory { return &AddrMemory{Path: statefile.UserPath("addrs.json")} }

// Remember records that host answered at remote ("ip:port", as a probe
// reports it). Writing the file is best effort: a memory that cannot be
// kept costs a fallback later, never this run.
func (m *AddrMemory) Remember(host, remote string, now time.Time) {
	if m == nil || host == "" {
		return
	}
	ap, err := netip.ParseAddrPort(remote)
	if err != nil {
		return
	}
	ap = netip.AddrPortFrom(ap.Addr().Unmap().WithZone(""), ap.Port())
	m.mu.Lock()
	defer m.mu.Unlock()
	m.load()
	old, had := m.hosts[host]
	m.hosts[host] = knownAddr{Addr: ap, Seen: now.UTC()}
	if had && old.Addr == ap && now.Sub(old.Seen) < addrRefresh {
		return
	}
	m.prune(now)
	if m.Path != "" {
		statefile.Save(m.Path, addrFile{Version: addrFileVersion, Hosts: m.hosts})
	}
}

// Recall returns up to n remembered addresses, most recently seen first,
// without repeats.
func (m *AddrMemory) Recall(n int, now time.Time) []netip.AddrPort {
	if m == nil {
		return nil
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.load()
	m.prune(now)
	known := slices.SortedFunc(maps.Values(m.hosts), func(a, b knownAddr) int { return b.Seen.Compare(a.Seen) })
	var out []netip.AddrPort
	for _, k := range known {
		if len(out) < n && !slices.Contains(out, k.Addr) {
			out = append(out, k.Addr)
		}
	}
	return out
}

// load reads the file once. A damaged or foreign file is nothing
// remembered; the next change replaces it.
func (m *AddrMemory) load() {
	if m.loaded {
		return
	}
	m.loaded = true
	var f addrFile
	if m.Path != "" {
		if _, err := statefile.Load(m.Path, 64<<10, &f); err != nil || f.Version != addrFileVersion {
			f.Hosts = nil
		}
	}
	m.hosts = map[string]knownAddr{}
	for h, k := range f.Hosts {
		if k.Addr.IsValid() {
			m.hosts[h] = k
		}
	}
}

// prune forgets old addresses and keeps the most recent addrMaxHosts.
func (m *AddrMemory) prune(now time.Time) {
	for h, k := range m.hosts {
		if now.Sub(k.Seen) > addrForget {
			delete(m.hosts, h)
		}
	}
	statefile.Trim(m.hosts, addrMaxHosts, func(k knownAddr) time.Time { return k.Seen })
}
