package metrics

import "testing"

// On Linux every process number is known: the served exposition has
// them all.
func TestProcessMetricsLinux(t *testing.T) {
	e := New()
	e.Set(known)
	srv := e.serve(listenLoopback(t), quietLog(), nil, nil)
	t.Cleanup(func() { srv.Close() })
	mfs := scrape(t, "http://"+srv.Addr().String()+"/metrics")
	for _, name := range []string{"go_goroutines", "go_memstats_heap_alloc_bytes", "process_resident_memory_bytes",
		"process_open_fds", "process_cpu_seconds_total", "process_start_time_seconds"} {
		v, ok := series(mfs, name)
		if !ok || v <= 0 {
			t.Errorf("%s = %v (present %v), want a positive number", name, v, ok)
		}
		t.Logf("%s %v", name, v)
	}
	if v, _ := series(mfs, "process_resident_memory_bytes"); v < 1<<20 {
		t.Errorf("resident %v bytes: implausibly small for a Go test", v)
	}
}
