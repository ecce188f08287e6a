package metrics

import (
	"io"
	"sync"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
)

// Exporter holds the latest Snapshot for Prometheus: served on a listener
// (Listen) and written as a textfile (WriteTextfile). The agent makes one
// only when a metrics output is configured. It builds the exposition's
// messages itself, at each scrape or write: nothing is registered
// anywhere, and no metrics library initialises anything when the program
// starts (internal/layering keeps Prometheus' Go client out).
type Exporter struct {
	mu sync.Mutex
	s  Snapshot
}

// New returns an Exporter whose snapshot is empty until Set.
func New() *Exporter { return &Exporter{} }

// Set replaces the snapshot the next scrape and textfile read.
func (e *Exporter) Set(s Snapshot) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.s = s
}

func (e *Exporter) snapshot() Snapshot {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.s
}

// served is what /metrics shows: Clearance's numbers and the agent
// process's own (addProcess).
func (e *Exporter) served() []*dto.MetricFamily {
	s := e.snapshot()
	f := newFamilies()
	s.addTo(f)
	addProcess(f, s.Started)
	return f.sorted()
}

// textfile holds Clearance's numbers only: node_exporter, which reads the
// file, exports its own process's go_ and process_ series, and a second
// copy of one fails its scrape.
func (e *Exporter) textfile() []*dto.MetricFamily {
	f := newFamilies()
	e.snapshot().addTo(f)
	return f.sorted()
}

// encode writes mfs to w in format.
func encode(w io.Writer, format expfmt.Format, mfs []*dto.MetricFamily) error {
	enc := expfmt.NewEncoder(w, format)
	for _, mf := range mfs {
		if err := enc.Encode(mf); err != nil {
			return err
		}
	}
	if c, ok := enc.(expfmt.Closer); ok {
		return c.Close() // OpenMetrics' closing "# EOF"
	}
	return nil
}
