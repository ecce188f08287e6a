package metrics

import (
	"runtime"
	"time"

	"github.com/clearance-app/clearance/platform/host"
	dto "github.com/prometheus/client_model/go"
)

// The agent process's own numbers, read at each scrape, named and
// described as Prometheus' Go client names them so that the usual
// dashboards and rules read them. These few replace its Go and process
// collectors, which would have to be loaded, and registered, by every
// command of the one binary; a number the OS gives no cheap reading of
// (host.Usage) is absent.
var (
	goroutinesDesc = desc{"go_goroutines",
		"Number of goroutines that currently exist.", dto.MetricType_GAUGE, nil}
	heapAllocDesc = desc{"go_memstats_heap_alloc_bytes",
		"Number of heap bytes allocated and currently in use.", dto.MetricType_GAUGE, nil}
	residentDesc = desc{"process_resident_memory_bytes",
		"Resident memory size in bytes.", dto.MetricType_GAUGE, nil}
	openFDsDesc = desc{"process_open_fds",
		"Number of open file descriptors.", dto.MetricType_GAUGE, nil}
	cpuDesc = desc{"process_cpu_seconds_total",
		"Total user and system CPU time spent in seconds.", dto.MetricType_COUNTER, nil}
	startDesc = desc{"process_start_time_seconds",
		"Start time of the process since unix epoch in seconds.", dto.MetricType_GAUGE, nil}
)

// addProcess adds the process's numbers to f, what GET /v1/debug reads.
// started is when the agent started, which is when its process did, give
// or take the moments before main made it; zero leaves the start time out.
func addProcess(f *families, started time.Time) {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms) // stops the world for microseconds, once a scrape
	f.add(goroutinesDesc, float64(runtime.NumGoroutine()))
	f.add(heapAllocDesc, float64(ms.HeapAlloc))
	u := host.ReadUsage()
	if u.ResidentBytesKnown {
		f.add(residentDesc, float64(u.ResidentBytes))
	}
	if u.OpenFilesKnown {
		f.add(openFDsDesc, float64(u.OpenFiles))
	}
	if u.CPUSecondsKnown {
		f.add(cpuDesc, u.CPUSeconds)
	}
	if !started.IsZero() {
		f.add(startDesc, float64(started.UnixNano())/1e9)
	}
}
