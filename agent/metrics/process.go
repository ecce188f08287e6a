package metrics

import (
	"runtime"
	"time"

	"github.com/clearance-app/clearance/platform/host"
)

// The agent process's own numbers, read at each scrape, named and
// described as Prometheus' Go client names them so that the usual
// dashboards and rules read them. These few replace its Go and process
// collectors, which would have to be loaded, and registered, by every
// command of the one binary; a number the OS gives no cheap reading of
// (host.Usage) is absent.
var (
	goroutinesDesc = Desc{Name: "go_goroutines",
		Help: "Number of goroutines that currently exist."}
	heapAllocDesc = Desc{Name: "go_memstats_heap_alloc_bytes",
		Help: "Number of heap bytes allocated and currently in use."}
	residentDesc = Desc{Name: "process_resident_memory_bytes",
		Help: "Resident memory size in bytes."}
	openFDsDesc = Desc{Name: "process_open_fds",
		Help: "Number of open file descriptors."}
	cpuDesc = Desc{Name: "process_cpu_seconds_total",
		Help: "Total user and system CPU time spent in seconds.", Unit: "s", Counter: true}
	startDesc = Desc{Name: "process_start_time_seconds",
		Help: "Start time of the process since unix epoch in seconds.", Unit: "s"}
)

// addProcess adds the process's numbers to f, what GET /v1/debug reads.
// started is when the agent started, which is when its process did, give
// or take the moments before main made it; zero leaves the start time out.
func addProcess(f *families, started time.Time) {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms) // stops the world for microseconds, once a scrape
	f.add(&goroutinesDesc, float64(runtime.NumGoroutine()))
	f.add(&heapAllocDesc, float64(ms.HeapAlloc))
	u := host.ReadUsage()
	if u.ResidentBytesKnown {
		f.add(&residentDesc, float64(u.ResidentBytes))
	}
	if u.OpenFilesKnown {
		f.add(&openFDsDesc, float64(u.OpenFiles))
	}
	if u.CPUSecondsKnown {
		f.add(&cpuDesc, u.CPUSeconds)
	}
	if !started.IsZero() {
		f.add(&startDesc, float64(started.UnixNano())/1e9)
	}
}
