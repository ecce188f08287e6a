package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/clearance-app/clearance/agent/api"
)

// The local API under a hostile local user: floods sent from a child run as
// uid 65534 (setpriv), so that the server judges the kernel's peer
// credentials, and root's own requests made meanwhile. Needs root;
// mandatory in CI.

func init() { testHelpers["api-flood"] = apiFloodHelper }

// floodResult is what api-flood prints: how many answers had each status,
// and the last body.
type floodResult struct {
	Statuses map[int]int `json:"statuses"`
	Last     string      `json:"last"`
}

// apiFloodHelper sends the same request N times over one kept-alive
// connection: args are the socket, method, path, body and N.
func apiFloodHelper(args []string) int {
	if len(args) != 5 {
		fmt.Fprintln(os.Stderr, "usage: api-flood SOCKET METHOD PATH BODY N")
		return 3
	}
	n, err := strconv.Atoi(args[4])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 3
	}
	hc := api.NewClient(args[0])
	send := func() (int, string, error) {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		req, err := http.NewRequestWithContext(ctx, args[1], api.BaseURL+args[2], strings.NewReader(args[3]))
		if err != nil {
			return 0, "", err
		}
		resp, err := hc.Do(req)
		if err != nil {
			return 0, "", err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b), err
	}
	res := floodResult{Statuses: map[int]int{}}
	for range n {
		status, body, err := send()
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 2
		}
		res.Statuses[status]++
		res.Last = body
	}
	json.NewEncoder(os.Stdout).Encode(res)
	return 0
}

// flood sends the request n times as uid.
func (s *apiPeerServer) flood(t *testing.T, uid int, method, path, body string, n int) floodResult {
	t.Helper()
	id := strconv.Itoa(uid)
	cmd := exec.Command("setpriv", "--reuid", id, "--regid", id, "--clear-groups", "--",
		s.bin, "api-flood", s.addr, method, path, body, strconv.Itoa(n))
	cmd.Env = append(os.Environ(), "CLEARANCE_RUN_MAIN=helper")
	r := runCmd(t, cmd)
	if r.code != 0 {
		t.Fatalf("flood as uid %d: exit %d\n%s", uid, r.code, r.stderr)
	}
	var res floodResult
	if err := json.Unmarshal([]byte(r.stdout), &res); err != nil {
		t.Fatalf("flood as uid %d printed %q: %v", uid, r.stdout, err)
	}
	return res
}

// lockedBuffer is a log sink that handlers may write to from any goroutine.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// A user who may not fix, sending thousands of fix requests with ids of
// 16,000 bytes (which once wrote 261 MiB of log in 5 s), leaves a line or
// two in the log.
func TestAPIFixRefusalFloodLogsLittle(t *testing.T) {
	s := startAPIPeerServer(t, nil)
	const n = 2000
	long := "/v1/fixes/" + strings.Repeat("A", 16000)
	if res := s.flood(t, 65534, "POST", long, `{}`, n); res.Statuses[http.StatusNotFound] != n {
		t.Fatalf("unknown ids: %v, want %d × 404; last %s", res.Statuses, n, res.Last)
	}
	if res := s.flood(t, 65534, "POST", "/v1/fixes/dns-flush", `{}`, n); res.Statuses[http.StatusForbidden] != n {
		t.Fatalf("a known fix: %v, want %d × 403; last %s", res.Statuses, n, res.Last)
	}
	logged := s.log.String()
	t.Logf("%d refused fix requests as uid 65534: %d bytes of log", 2*n, len(logged))
	if lines := strings.Count(logged, "\n"); lines != 1 || !strings.Contains(logged, `msg="fix refused" fix=dns-flush caller="uid 65534 gid 65534`) {
		t.Fatalf("%d lines of log for %d refusals in a moment, want the first refusal only:\n%.2000s", lines, 2*n, logged)
	}
	if runs := s.fixes.runs(); len(runs) != 0 {
		t.Fatalf("refused requests reached the fixes: %v", runs)
	}
}
