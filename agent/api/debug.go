package api

import (
	"net/http"
	"runtime"
	"time"

	"github.com/clearance-app/clearance/platform/host"
)

// Debug is the answer to GET /v1/debug: what the agent holds now,
// for the soak and fault tests and for a person chasing a leak. A number
// the OS gives no cheap, current reading of is null (see host.Usage), as
// is cycles when the agent does not count its runs.
type Debug struct {
	Goroutines     int     `json:"goroutines"`
	OpenFDs        *int    `json:"open_fds"`
	HeapAllocBytes uint64  `json:"heap_alloc_bytes"`
	HeapSysBytes   uint64  `json:"heap_sys_bytes"`
	RSSBytes       *int64  `json:"rss_bytes"`
	Cycles         *uint64 `json:"cycles"`
	UptimeSeconds  int64   `json:"uptime_seconds"`
}

// debug answers GET /v1/debug, to root and administrators only: how much
// memory the agent holds and how many descriptors it has open tells
// another user when it works and what it is doing. A refusal is logged as
// fixes' are, boundedly.
func (h *Handler) debug(w http.ResponseWriter, r *http.Request) {
	caller, _ := callerOf(r.Context()) // ServeHTTP has checked it
	if !caller.Admin {
		h.refusals.note(userKey(caller), "debug refused", "caller", caller.String())
		writeError(w, http.StatusForbidden, "the debug numbers are for root or an administrator only; run the request as root (sudo) or from an elevated prompt")
		return
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms) // stops the world for microseconds; only root asks
	u := host.ReadUsage()
	d := Debug{
		Goroutines:     runtime.NumGoroutine(),
		HeapAllocBytes: ms.HeapAlloc,
		HeapSysBytes:   ms.HeapSys,
		UptimeSeconds:  int64(h.cfg.Now().Sub(h.started) / time.Second),
	}
	if u.OpenFilesKnown {
		d.OpenFDs = &u.OpenFiles
	}
	if u.ResidentBytesKnown {
		d.RSSBytes = &u.ResidentBytes
	}
	if h.cfg.Runs != nil {
		n := h.cfg.Runs()
		d.Cycles = &n
	}
	writeJSON(w, http.StatusOK, d)
}
