package check

import (
	"context"
	"sync"
	"sync/atomic"

	"github.com/clearance-app/clearance/platform/netstate"
)

// NetworkFacts is the Host of a process that watches the network (the
// agent): it keeps the facts that only a network change can alter — the
// interfaces with their addresses and state, and the routing table — from
// one run to the next, until Forget. Env.Forget calls it on every network
// change, clock step and resume, so the run after any of them reads
// afresh; between them a scheduled run reads neither.
//
// Everything else is read on every call, because it can change without
// the network monitor (netstate.WatchNetwork: links, addresses and routes)
// seeing it: the resolver (resolv.conf is rewritten without any netlink
// event, and its daemons start and stop), the processes (a VPN client
// starts or quits without touching a route), the time service, the route
// to a host (it follows policy rules the monitor does not watch, towards
// an address that changes with DNS), Tailscale's exit node (its peer comes
// and goes behind an unchanged route), proxy settings and the environment.
// docs/architecture.md lists them.
//
// The facts are kept only while Watched is on: without a monitor — none
// on this OS, or its watch ended — nothing would call Forget, and every
// read reads afresh.
type NetworkFacts struct {
	Host
	watched atomic.Bool
	// gen counts Forget calls: a reading is kept for the generation it
	// started in, so that one finished after a Forget is not taken for
	// newer than the change.
	gen    atomic.Uint64
	ifaces kept[[]netstate.Interface]
	routes kept[[]netstate.Route]
}

// KeepNetworkFacts wraps h (this machine when nil); it keeps nothing until
// Watched(true).
func KeepNetworkFacts(h Host) *NetworkFacts {
	if h == nil {
		h = systemHost{}
	}
	return &NetworkFacts{Host: h}
}

// Watched says whether a network monitor now reports every change by a
// call to Forget (through Env.Forget). Either way the kept facts are
// dropped.
func (n *NetworkFacts) Watched(on bool) {
	n.watched.Store(on)
	n.Forget()
}

// Forget drops the kept facts: the next read reads afresh.
func (n *NetworkFacts) Forget() { n.gen.Add(1) }

// Interfaces are kept: links coming and going, going up or down, and
// addresses added, removed or made (un)usable are what the monitor
// reports.
func (n *NetworkFacts) Interfaces(ctx context.Context) ([]netstate.Interface, error) {
	return n.ifaces.get(n, func() ([]netstate.Interface, error) { return n.Host.Interfaces(ctx) })
}

// Routes are kept: routes added or removed outside the kernel's local
// table are what the monitor reports.
func (n *NetworkFacts) Routes(ctx context.Context) ([]netstate.Route, error) {
	return n.routes.get(n, func() ([]netstate.Route, error) { return n.Host.Routes(ctx) })
}

// kept is one fact and the generation it was read in. Its callers share
// the value and must not change it.
type kept[T any] struct {
	mu  sync.Mutex // held while reading: the checks of a run that ask together wait for one reading
	val T
	gen uint64 // 0: nothing kept
}

func (k *kept[T]) get(n *NetworkFacts, read func() (T, error)) (T, error) {
	if !n.watched.Load() {
		return read() // nothing is kept: the checks need not wait for each other
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	gen := n.gen.Load()
	if k.gen == gen {
		return k.val, nil
	}
	v, err := read()
	if err != nil {
		return v, err // a failed reading is tried again next time
	}
	k.val, k.gen = v, gen
	return v, nil
}
