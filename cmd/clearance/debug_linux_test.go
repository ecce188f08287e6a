package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/clearance-app/clearance/agent/api"
)

// The real agent's GET /v1/debug over its real socket: root gets numbers
// that agree with what the kernel says of the agent's process; another
// uid (setpriv, so the kernel's SO_PEERCRED says so) gets 403.
func TestAPIDebugRootOnly(t *testing.T) {
	ns := newNetns(t)
	dir, bin := sharedDir(t)
	pid, sock := startAgentForFloods(t, ns, dir, bin)
	a := &apiPeerServer{addr: sock, bin: bin}

	d := agentDebug(t, sock)
	t.Logf("debug: %d goroutines, %d fds, heap %d of %d bytes, rss %d bytes, %d cycles",
		d.Goroutines, *d.OpenFDs, d.HeapAllocBytes, d.HeapSysBytes, *d.RSSBytes, *d.Cycles)
	if d.Goroutines < 1 || d.HeapAllocBytes == 0 || d.HeapSysBytes < d.HeapAllocBytes {
		t.Errorf("implausible goroutines or heap: %+v", d)
	}
	if *d.Cycles < 1 {
		t.Errorf("cycles %d after the first run", *d.Cycles)
	}
	// The kernel's own word, read from outside: the agent's request is
	// answered on one more descriptor than it holds idle, and its resident
	// set moves a little between two readings.
	entries, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	if err != nil {
		t.Fatal(err)
	}
	if fds := *d.OpenFDs; fds < 3 || fds > len(entries)+2 || fds < len(entries)-2 {
		t.Errorf("open_fds %d; /proc/%d/fd lists %d", fds, pid, len(entries))
	}
	if rss, kernel := *d.RSSBytes, int64(procStatus(t, pid, "VmRSS"))*1024; rss < kernel/2 || rss > kernel*2 {
		t.Errorf("rss_bytes %d; VmRSS says %d", rss, kernel)
	}

	for _, uid := range []int{65534, 4242} {
		code, body := a.as(t, uid, "GET", "/v1/debug", "")
		if code != http.StatusForbidden {
			t.Fatalf("uid %d GET /v1/debug: %d %s, want 403", uid, code, body)
		}
		t.Logf("uid %d: %s", uid, apiErrorMessage(t, body))
	}
}

// agentDebug asks the agent at sock for its debug numbers, as root, and
// fails the test unless Linux's are all there.
func agentDebug(t testing.TB, sock string) api.Debug {
	t.Helper()
	c := api.NewAgentClient(sock)
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	d, err := c.Debug(ctx)
	if err != nil {
		t.Fatalf("GET /v1/debug as root: %v", err)
	}
	if d.OpenFDs == nil || d.RSSBytes == nil || d.Cycles == nil {
		t.Fatalf("GET /v1/debug left Linux's numbers null: %+v", d)
	}
	return d
}
