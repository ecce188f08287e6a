//go:build crashpoints

package crashpoint

import (
	"fmt"
	"os"
	"strconv"
	"sync"
	"time"
)

var (
	mu      sync.Mutex
	counts  = map[string]int{}
	dieAt   = os.Getenv(EnvAt)
	tracing = os.Getenv(EnvTrace)
)

// Here counts the point, traces it, and kills the process with SIGKILL
// (as kill -9 or the OOM killer would) when it is the one chosen: no
// deferred function, no flush, no handler runs.
func Here(name string) {
	mu.Lock()
	defer mu.Unlock()
	counts[name]++
	id := name + "#" + strconv.Itoa(counts[name])
	if tracing != "" {
		// Opened and closed each time, unbuffered: the line is in the file
		// before the kill.
		if f, err := os.OpenFile(tracing, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644); err == nil {
			fmt.Fprintf(f, "%s\t%d\n", id, time.Now().UnixNano())
			f.Close()
		}
	}
	if dieAt != id && (dieAt != name || counts[name] != 1) {
		return
	}
	fmt.Fprintf(os.Stderr, "crashpoint: killed at %s\n", id)
	p, err := os.FindProcess(os.Getpid())
	if err == nil {
		p.Kill()
	}
	for { // the signal is on its way; nothing more may run
		time.Sleep(time.Hour)
	}
}
