package agent

import (
	"cmp"
	"context"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/clearance-app/clearance/agent/api"
	"github.com/clearance-app/clearance/agent/diag/config"
	"github.com/clearance-app/clearance/agent/metrics"
)

// Pusher sends a Snapshot to a metrics collector after each run (the OTLP
// exporter). Push is bounded by its context; Shutdown flushes and releases
// it.
type Pusher interface {
	Push(ctx context.Context, s metrics.Snapshot) error
	Shutdown(ctx context.Context) error
}

// pushTimeout bounds one push, which the run loop waits for: a collector
// that does not answer delays the next check by this much at most.
const pushTimeout = 10 * time.Second

// outputs are the agent's metrics outputs (README, Metrics): the
// Prometheus listener, the node_exporter textfile and the pusher, each
// following the configuration at every run. All are off by default, and
// then nothing is made: no registry, no listener, no pusher.
type outputs struct {
	mu     sync.Mutex // publish, and close, one at a time
	exp    *metrics.Exporter
	srv    *metrics.Server
	listen string // the address srv serves; "" with none
	pusher Pusher
	target string // the endpoint pusher pushes to
	// The last failure of each, logged once until it changes or ends.
	listenErr, textErr, pushErr string
	// The last scrape's failure to encode, from the listener's
	// goroutines, logged the same way.
	scrapeMu  sync.Mutex
	scrapeErr string

	fixMu   sync.Mutex
	fixRuns map[[2]string]uint64 // by fix id and result
}

// countFix counts a fix that ran to a result.
func (o *outputs) countFix(id string, result api.Outcome) {
	o.fixMu.Lock()
	defer o.fixMu.Unlock()
	if o.fixRuns == nil {
		o.fixRuns = map[[2]string]uint64{}
	}
	o.fixRuns[[2]string{id, string(result)}]++
}

// fixCounts are the counts of every fix the agent runs with every result,
// those that never happened as 0: a counter's series that first appears
// at 1 shows no increase to Prometheus' increase() and rate().
func (o *outputs) fixCounts() []metrics.FixRuns {
	o.fixMu.Lock()
	defer o.fixMu.Unlock()
	counts := maps.Clone(o.fixRuns)
	if counts == nil {
		counts = map[[2]string]uint64{}
	}
	for id := range privileged {
		for _, r := range api.Outcomes {
			if k := [2]string{id, string(r)}; counts[k] == 0 {
				counts[k] = 0
			}
		}
	}
	out := make([]metrics.FixRuns, 0, len(counts))
	for k, n := range counts {
		out = append(out, metrics.FixRuns{Fix: k[0], Result: k[1], Count: n})
	}
	slices.SortFunc(out, func(a, b metrics.FixRuns) int {
		return cmp.Or(strings.Compare(a.Fix, b.Fix), strings.Compare(a.Result, b.Result))
	})
	return out
}

// publish brings the outputs in line with cfg and hands them the state
// after a run.
func (a *Agent) publish(ctx context.Context, cfg config.Config) {
	o := &a.out
	o.mu.Lock()
	defer o.mu.Unlock()
	m := cfg.Metrics
	if m.Listen != o.listen {
		o.closeServer(a)
	}
	if m.Listen == "" && m.Textfile == "" && cfg.OTLP.Endpoint == "" && o.pusher == nil {
		return
	}
	s := metrics.FromState(a.State(), a.opts.Version, o.fixCounts(), a.runs.Load())
	s.Started = a.started
	if m.Listen != "" || m.Textfile != "" {
		if o.exp == nil {
			o.exp = metrics.New()
		}
		o.exp.Set(s)
	}
	if m.Listen != "" && o.srv == nil {
		addr := m.Listen
		srv, err := o.exp.Listen(addr, a.log, func(failure error) {
			o.scrapeMu.Lock()
			defer o.scrapeMu.Unlock()
			o.scrapeErr = a.logChange(o.scrapeErr, failure, "could not answer a metrics scrape", "answering metrics scrapes", "address", addr)
		})
		o.listenErr = a.logChange(o.listenErr, err, "could not serve the metrics; trying again at the next run", "serving the metrics", "address", m.Listen)
		if err == nil {
			o.srv, o.listen = srv, m.Listen
		}
	}
	if m.Textfile != "" {
		err := o.exp.WriteTextfile(m.Textfile)
		o.textErr = a.logChange(o.textErr, err, "could not write the metrics textfile", "writing the metrics textfile", "path", m.Textfile)
	}
	a.push(ctx, cfg.OTLP.Endpoint, s)
}

// push hands s to the pusher for endpoint, made anew when the endpoint
// changes, and shut down when it is taken out of the configuration.
func (a *Agent) push(ctx context.Context, endpoint string, s metrics.Snapshot) {
	o := &a.out
	if o.pusher != nil && o.target != endpoint {
		a.shutdownPusher()
	}
	if endpoint == "" || a.opts.NewPusher == nil {
		return
	}
	// The endpoint may carry a collector's credentials: they are the
	// pusher's to send, and the log shows them redacted.
	shown := config.RedactURL(endpoint)
	if o.pusher == nil {
		p, err := a.opts.NewPusher(endpoint)
		o.pushErr = a.logChange(o.pushErr, err, "could not push the metrics; trying again at the next run", "pushing the metrics", "endpoint", shown)
		if err != nil {
			return
		}
		o.pusher, o.target = p, endpoint
	}
	pctx, cancel := context.WithTimeout(ctx, pushTimeout)
	defer cancel()
	err := o.pusher.Push(pctx, s)
	o.pushErr = a.logChange(o.pushErr, err, "could not push the metrics; trying again at the next run", "pushing the metrics", "endpoint", shown)
}

// logChange logs err when it differs from the last one logged (prev), and
// the end of a failure once; it returns what to remember. A failure that
// lasts is one line, not one per run.
func (a *Agent) logChange(prev string, err error, failing, working string, args ...any) string {
	switch {
	case err == nil && prev != "":
		a.log.Info(working+" again", args...)
		return ""
	case err == nil:
		return ""
	case err.Error() != prev:
		a.log.Warn(failing, append(args, "err", err)...)
	}
	return err.Error()
}

func (o *outputs) closeServer(a *Agent) {
	if o.srv == nil {
		return
	}
	if err := o.srv.Close(); err != nil {
		a.log.Warn("the metrics listener did not stop cleanly", "address", o.listen, "err", err)
	}
	o.srv, o.listen = nil, ""
}

func (a *Agent) shutdownPusher() {
	o := &a.out
	ctx, cancel := context.WithTimeout(context.Background(), pushTimeout)
	defer cancel()
	if err := o.pusher.Shutdown(ctx); err != nil {
		a.log.Warn("the metrics pusher did not stop cleanly", "endpoint", config.RedactURL(o.target), "err", err)
	}
	o.pusher, o.target, o.pushErr = nil, "", ""
}

// closeOutputs stops the listener and the pusher when the agent stops.
func (a *Agent) closeOutputs() {
	o := &a.out
	o.mu.Lock()
	defer o.mu.Unlock()
	o.closeServer(a)
	if o.pusher != nil {
		a.shutdownPusher()
	}
}

// metricsAddr is the address the metrics are served on, "" when none.
func (a *Agent) metricsAddr() string {
	a.out.mu.Lock()
	defer a.out.mu.Unlock()
	if a.out.srv == nil {
		return ""
	}
	return a.out.srv.Addr().String()
}
