package api

import (
	"encoding/json"
	"log/slog"
	"strings"
	"testing"

	"github.com/clearance-app/clearance/internal/testbuf"
	"github.com/clearance-app/clearance/platform/host"
)

// /v1/debug answers root with the process's numbers and the agent's run
// count; a member of the fix group, who may fix, is still refused, as is
// everyone else, and a flood of refusals is one log line.
func TestDebugIsForAdministratorsOnly(t *testing.T) {
	var logs testbuf.Buffer
	h := New(Config{State: newFakeState(State{}), Checker: &fakeChecker{}, Fixes: newFakeFixes(),
		Log:          slog.New(slog.NewTextHandler(&logs, nil)),
		LookupMember: func(uid int, _ string) (string, bool, error) { return "member", uid == 1000, nil },
		IsPerson:     func(int) bool { return true },
		Runs:         func() uint64 { return 42 }})

	w := serveAs(h, host.PeerCred{UID: 0, Admin: true}, "GET", "/v1/debug", "")
	if w.Code != 200 {
		t.Fatalf("root: %d %s", w.Code, w.Body)
	}
	var d map[string]any
	if err := json.Unmarshal(w.Body.Bytes(), &d); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"goroutines", "open_fds", "heap_alloc_bytes", "heap_sys_bytes", "rss_bytes", "cycles", "uptime_seconds"} {
		if _, ok := d[k]; !ok {
			t.Errorf("no %q in %s", k, w.Body)
		}
	}
	if d["cycles"] != 42.0 || d["goroutines"].(float64) < 1 || d["heap_alloc_bytes"].(float64) <= 0 {
		t.Errorf("implausible: %s", w.Body)
	}

	for _, c := range []host.PeerCred{{UID: 1000, GID: 1000}, {UID: 65534, GID: 65534}} {
		for range 100 {
			w := serveAs(h, c, "GET", "/v1/debug", "")
			wantErrorBody(t, w.Code, w.Header(), w.Body.Bytes(), 403, "root or an administrator only")
		}
	}
	lines := logs.Lines()
	if len(lines) != 2 || !strings.Contains(lines[0], `msg="debug refused" caller="uid 1000 gid 1000`) || !strings.Contains(lines[1], "uid 65534") {
		t.Fatalf("200 refusals from two users logged as %d lines, want 2:\n%s", len(lines), strings.Join(lines, "\n"))
	}
}

// Without a run counter, cycles is null rather than a zero that would
// read as "no run yet".
func TestDebugWithoutRunsSaysNull(t *testing.T) {
	h := New(Config{State: newFakeState(State{}), Checker: &fakeChecker{}, Fixes: newFakeFixes()})
	w := serveAs(h, host.PeerCred{UID: 0, Admin: true}, "GET", "/v1/debug", "")
	if w.Code != 200 || !strings.Contains(w.Body.String(), `"cycles":null`) {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
}
