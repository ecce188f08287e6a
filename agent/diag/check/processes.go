package check

import (
	"context"
	"sync"

	"github.com/clearance-app/clearance/platform/host"
)

// processMemo is one run's reading of the running processes. The vpn check
// names a tunnel's client by them, and on Linux the dns and clock checks
// name the resolver and the time service: listing processes costs a few
// system calls per process, so a run reads them once, on first use, and
// every check of the run gets that reading. It lives for one run (runWith
// makes it) rather than for a time: a run's checks start together but may
// ask seconds apart (dns waits for network), and the next run, minutes
// later, must see processes started or stopped since.
type processMemo struct {
	mu    sync.Mutex
	done  bool
	procs host.Processes
	err   error
}

// processes returns the run's reading of the processes, reading them on
// first use. A check called outside a run (a test's Env) reads afresh. It
// is a host.ProcessReader, handed to Host.Resolver and Host.TimeSync.
func (e *Env) processes(ctx context.Context) (host.Processes, error) {
	if e.procs == nil {
		return e.Host.Processes(ctx)
	}
	return e.procs.get(ctx, e.Host)
}

func (m *processMemo) get(ctx context.Context, h Host) (host.Processes, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.done {
		p, err := h.Processes(ctx)
		if err != nil && ctx.Err() != nil {
			// Cut short by this caller's own deadline: another check of the
			// run may still have time to read them.
			return p, err
		}
		m.procs, m.err, m.done = p, err, true
	}
	return m.procs, m.err
}
