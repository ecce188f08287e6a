package metrics

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// Exporter holds the latest Snapshot for Prometheus: served on a listener
// (Listen) and written as a textfile (WriteTextfile). The agent makes one
// only when a metrics output is configured; nothing here is registered
// anywhere global.
type Exporter struct {
	c *collector
	// served is what /metrics shows: Clearance's numbers and the agent
	// process's own (Go runtime, CPU, memory, file descriptors).
	served *prometheus.Registry
	// textfile holds Clearance's numbers only: node_exporter, which reads
	// the file, exports its own process's go_ and process_ series, and a
	// second copy of one fails its scrape.
	textfile *prometheus.Registry
}

// New returns an Exporter whose snapshot is empty until Set.
func New() *Exporter {
	c := &collector{}
	served := prometheus.NewRegistry()
	served.MustRegister(c, collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	textfile := prometheus.NewRegistry()
	textfile.MustRegister(c)
	return &Exporter{c: c, served: served, textfile: textfile}
}

// Set replaces the snapshot the next scrape and textfile read.
func (e *Exporter) Set(s Snapshot) { e.c.set(s) }
