//go:build unix

package api

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/clearance-app/clearance/internal/roottest"
)

// patience bounds every wait in these tests: generous, because only the
// outcome is under test, never the speed.
const patience = 30 * time.Second

// testServer is the handler answering on a real Unix socket.
type testServer struct {
	addr    string
	client  *http.Client
	state   *fakeState
	checker *fakeChecker
	fixes   *fakeFixes
	stop    func()
}

// startServer serves the API on a socket in a temporary directory until the
// test ends. The injected group database makes the test's own uid a member,
// so that the tests pass as any user; TestRootMayFix covers root.
func startServer(t testing.TB, configure func(*Config)) *testServer {
	t.Helper()
	s := &testServer{
		addr:    filepath.Join(shortTempDir(t), "agent.sock"),
		state:   newFakeState(sampleState(time.Date(2026, 11, 27, 14, 0, 0, 0, time.UTC))),
		checker: &fakeChecker{calls: make(chan struct{}, 16)},
		fixes:   newFakeFixes(),
	}
	ln, err := Listen(s.addr)
	if err != nil {
		t.Fatal(err)
	}
	cfg := Config{State: s.state, Checker: s.checker, Fixes: s.fixes, Version: "1.2.3",
		LookupMember: func(uid int, _ string) (string, bool, error) { return "tester", uid == os.Geteuid(), nil },
		heartbeat:    100 * time.Millisecond, // a client that went away is noticed soon
	}
	if configure != nil {
		configure(&cfg)
	}
	h := New(cfg)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- h.Serve(ctx, ln) }()
	stopped := false
	s.stop = func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	}
	t.Cleanup(s.stop)
	s.client = NewClient(s.addr)
	t.Cleanup(s.client.CloseIdleConnections)
	return s
}

// shortTempDir is a temporary directory with a short path: a socket's path
// must fit in sun_path (104 bytes on macOS, whose TMPDIR is long). Listen
// asks that only root (or, run by another user, that user) can change it
// or any directory above it, which nothing under /tmp is.
func shortTempDir(t testing.TB) string {
	t.Helper()
	return roottest.Dir(t)
}

// do sends one request and reads the whole answer.
func (s *testServer) do(t *testing.T, method, path, body string, header ...string) (*http.Response, []byte) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), patience)
	defer cancel()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, BaseURL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := s.client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: reading the answer: %v", method, path, err)
	}
	return resp, b
}

func (s *testServer) wantError(t *testing.T, method, path, body string, wantCode int, want string) {
	t.Helper()
	resp, b := s.do(t, method, path, body)
	wantErrorBody(t, resp.StatusCode, resp.Header, b, wantCode, want)
}

func TestStateETag(t *testing.T) {
	s := startServer(t, nil)
	resp, body := s.do(t, "GET", "/v1/state", "")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("GET /v1/state: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	var st map[string]any
	if err := json.Unmarshal(body, &st); err != nil {
		t.Fatalf("state is not JSON: %v", err)
	}
	if st["version"] != 1.0 || st["updated_at"] != "2026-11-27T14:00:00Z" || len(st["checks"].([]any)) != 1 || len(st["findings"].([]any)) != 0 {
		t.Fatalf("state %s", body)
	}
	tag := resp.Header.Get("ETag")
	if !strings.HasPrefix(tag, `"`) || len(tag) < 10 {
		t.Fatalf("ETag %q", tag)
	}

	resp, body = s.do(t, "GET", "/v1/state", "", "If-None-Match", tag)
	if resp.StatusCode != http.StatusNotModified || len(body) != 0 || resp.Header.Get("ETag") != tag {
		t.Fatalf("matching If-None-Match: %d %q etag %q, want 304, no body, same tag", resp.StatusCode, body, resp.Header.Get("ETag"))
	}

	s.state.Set(sampleState(time.Date(2026, 11, 27, 14, 5, 0, 0, time.UTC), "clock-skew"))
	resp, body = s.do(t, "GET", "/v1/state", "", "If-None-Match", tag)
	if resp.StatusCode != 200 || resp.Header.Get("ETag") == tag || !strings.Contains(string(body), `"code":"clock-skew"`) {
		t.Fatalf("after a change: %d etag %q body %s", resp.StatusCode, resp.Header.Get("ETag"), body)
	}
}

// readEvent reads one server-sent event.
func readEvent(t *testing.T, r *bufio.Reader) (name, data string) {
	t.Helper()
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			t.Fatalf("event stream: %v", err)
		}
		line = strings.TrimRight(line, "\n")
		switch {
		case line == "":
			if name != "" || data != "" {
				return name, data
			}
		case strings.HasPrefix(line, "event: "):
			name = strings.TrimPrefix(line, "event: ")
		case strings.HasPrefix(line, "data: "):
			data += strings.TrimPrefix(line, "data: ")
		}
	}
}

// openEvents opens the event stream; cancel ends it from the client side.
func (s *testServer) openEvents(t *testing.T) (r *bufio.Reader, body io.ReadCloser, cancel func()) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), patience)
	t.Cleanup(cancel)
	req, _ := http.NewRequestWithContext(ctx, "GET", BaseURL+"/v1/events", nil)
	resp, err := s.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("GET /v1/events: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	return bufio.NewReader(resp.Body), resp.Body, cancel
}

func TestEventsDeliverChange(t *testing.T) {
	s := startServer(t, nil)
	r, _, _ := s.openEvents(t)
	name, data := readEvent(t, r)
	_, state := s.do(t, "GET", "/v1/state", "")
	if name != "state" || data+"\n" != string(state) {
		t.Fatalf("first event %q %s, want the state %s", name, data, state)
	}

	s.state.Set(sampleState(time.Date(2026, 11, 27, 14, 5, 0, 0, time.UTC), "clock-skew"))
	name, data = readEvent(t, r)
	if name != "state" || !strings.Contains(data, `"code":"clock-skew"`) {
		t.Fatalf("after a change: %q %s", name, data)
	}

	// A notification without a change sends nothing: the next event is
	// the next change, not a repeat.
	s.state.Notify()
	s.state.Set(sampleState(time.Date(2026, 11, 27, 14, 10, 0, 0, time.UTC)))
	name, data = readEvent(t, r)
	if name != "state" || strings.Contains(data, "clock-skew") || !strings.Contains(data, "14:10:00Z") {
		t.Fatalf("after notify and a change: %q %s", name, data)
	}
}

func TestEventsEndWhenClientGoes(t *testing.T) {
	s := startServer(t, nil)
	r, body, _ := s.openEvents(t)
	readEvent(t, r)
	body.Close()
	select {
	case <-s.state.gone:
	case <-time.After(patience):
		t.Fatal("the subscription outlived its client")
	}
}

func TestEventsEndWhenServerStops(t *testing.T) {
	s := startServer(t, nil)
	r, _, _ := s.openEvents(t)
	readEvent(t, r)
	s.stop() // returns only once the server has stopped: the stream did not hold it
	if _, err := r.ReadString('\n'); err == nil {
		t.Fatal("the stream went on after the server stopped")
	}
	select {
	case <-s.state.gone:
	default:
		t.Fatal("the subscription outlived the server")
	}
}

// An idle stream carries a comment line now and then, which SSE readers
// skip, so that a client that went away is noticed.
func TestEventsHeartbeat(t *testing.T) {
	s := startServer(t, nil) // a heartbeat every 100 ms
	r, _, _ := s.openEvents(t)
	readEvent(t, r)
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			t.Fatalf("no heartbeat on an idle stream: %v", err)
		}
		if line == ": ping\n" {
			break
		}
	}
	if blank, err := r.ReadString('\n'); err != nil || blank != "\n" {
		t.Fatalf("after the comment: %q %v", blank, err)
	}
}

// A client that reads keeps its stream across many heartbeats.
func TestEventsKeepAClientThatReads(t *testing.T) {
	s := startServer(t, nil) // a heartbeat every 100 ms
	r, _, _ := s.openEvents(t)
	readEvent(t, r)
	for pings := 0; pings < 20; {
		line, err := r.ReadString('\n')
		if err != nil {
			t.Fatalf("the stream ended after %d heartbeats: %v", pings, err)
		}
		if line == ": ping\n" {
			pings++
		}
	}
	select {
	case <-s.state.gone:
		t.Fatal("a client that reads was dropped")
	default:
	}
}

// A client that stops reading is dropped, with nothing but heartbeats
// sent: the socket's buffer takes hundreds of them before a write would
// wait, so the write timeout alone would keep it for as long as they take.
func TestEventsDropAClientThatDoesNotRead(t *testing.T) {
	const beat = 500 * time.Millisecond
	s := startServer(t, func(c *Config) { c.heartbeat = beat })
	start := time.Now()
	_, resp := openStream(t, s.addr) // and never read again
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /v1/events: %s", resp.Status)
	}
	select {
	case <-s.state.gone:
		took := time.Since(start)
		t.Logf("a client that reads nothing was dropped after %v, %.1f heartbeats", took.Round(time.Millisecond), float64(took)/float64(beat))
	case <-time.After(patience):
		t.Fatalf("a client that reads nothing is still served after %v, %d heartbeats", patience, patience/beat)
	}
}

// Where the OS does not say what is unread, a client that stops reading is
// dropped when a write to it does not finish in time.
func TestEventsDropAClientWhoseWriteWaits(t *testing.T) {
	s := startServer(t, func(c *Config) { c.heartbeat, c.writeTimeout = time.Hour, 200*time.Millisecond })
	_, resp := openStream(t, s.addr) // and never read again
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /v1/events: %s", resp.Status)
	}
	big := strings.Repeat("x", 64<<10)
	deadline := time.Now().Add(patience)
	for i := 0; ; i++ {
		st := sampleState(time.Date(2026, 11, 27, 14, 0, i, 0, time.UTC))
		st.Checks[0].Data = map[string]any{"padding": big}
		s.state.Set(st) // each a change, until the socket's buffer is full
		select {
		case <-s.state.gone:
			t.Logf("dropped after %d states of 64 KiB", i+1)
			return
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("a client that reads nothing is still served after %d changes", i+1)
		}
	}
}

func TestCheckNow(t *testing.T) {
	s := startServer(t, nil)
	resp, body := s.do(t, "POST", "/v1/check", "")
	if resp.StatusCode != http.StatusAccepted || !json.Valid(body) {
		t.Fatalf("POST /v1/check: %d %s", resp.StatusCode, body)
	}
	select {
	case <-s.checker.calls:
	default:
		t.Fatal("the checker was not asked")
	}
}

func TestFixesList(t *testing.T) {
	s := startServer(t, nil)
	resp, body := s.do(t, "GET", "/v1/fixes", "")
	if resp.StatusCode != 200 {
		t.Fatalf("GET /v1/fixes: %d %s", resp.StatusCode, body)
	}
	var list []map[string]any
	if err := json.Unmarshal(body, &list); err != nil {
		t.Fatal(err)
	}
	if len(list) != len(s.fixes.list) {
		t.Fatalf("%d fixes, want %d", len(list), len(s.fixes.list))
	}
	want := map[string]any{"id": "dns-restore", "title": "Restore my DNS settings", "privileged": true, "available": false,
		"reason": "Nothing to restore: Clearance has not changed the DNS settings."}
	got := list[2]
	if len(got) != len(want) {
		t.Fatalf("fix %v, want exactly the keys of %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %v, want %v", k, got[k], v)
		}
	}
}

func TestRunFix(t *testing.T) {
	s := startServer(t, nil)
	resp, body := s.do(t, "POST", "/v1/fixes/dns-flush", `{"dry_run": false, "confirm": true}`)
	if resp.StatusCode != 200 {
		t.Fatalf("run: %d %s", resp.StatusCode, body)
	}
	var res map[string]any
	json.Unmarshal(body, &res)
	if res["fix"] != "dns-flush" || res["result"] != "fixed" || res["message"] != "Flushed the DNS cache." || len(res) != 4 {
		t.Fatalf("result %s", body)
	}
	if cmds, _ := res["commands"].([]any); len(cmds) != 1 || cmds[0] != "resolvectl flush-caches" {
		t.Fatalf("commands %v", res["commands"])
	}

	_, body = s.do(t, "POST", "/v1/fixes/time-sync", `{"dry_run":true}`)
	if !strings.Contains(string(body), `"result":"not-needed"`) {
		t.Fatalf("dry run: %s", body)
	}
	_, body = s.do(t, "POST", "/v1/fixes/time-sync", "") // an empty body takes the defaults
	if !strings.Contains(string(body), `"result":"fixed"`) {
		t.Fatalf("empty body: %s", body)
	}
	runs := s.fixes.Runs()
	want := []fakeRun{{"dns-flush", FixOptions{Confirm: true}}, {"time-sync", FixOptions{DryRun: true}}, {"time-sync", FixOptions{}}}
	if len(runs) != len(want) {
		t.Fatalf("runs %+v, want %+v", runs, want)
	}
	for i := range want {
		if runs[i] != want[i] {
			t.Fatalf("runs %+v, want %+v", runs, want)
		}
	}
}

func TestUnavailableFixIsNotRun(t *testing.T) {
	s := startServer(t, nil)
	resp, body := s.do(t, "POST", "/v1/fixes/dns-restore", `{}`)
	var res FixResult
	json.Unmarshal(body, &res)
	if resp.StatusCode != 200 || res.Result != Failed || !strings.Contains(res.Message, "Nothing to restore") || res.Commands == nil {
		t.Fatalf("unavailable fix: %d %s", resp.StatusCode, body)
	}
	if runs := s.fixes.Runs(); len(runs) != 0 {
		t.Fatalf("the runner was asked: %+v", runs)
	}
}

func TestFixConflict(t *testing.T) {
	s := startServer(t, nil)
	release := make(chan struct{})
	s.fixes.block["dns-flush"] = release
	first := make(chan []byte, 1)
	go func() {
		// Not s.do: t.Fatal belongs to the test's goroutine.
		resp, err := s.client.Post(BaseURL+"/v1/fixes/dns-flush", "application/json", strings.NewReader(`{}`))
		if err != nil {
			first <- []byte(err.Error())
			return
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		first <- b
	}()
	select {
	case <-s.fixes.started:
	case <-time.After(patience):
		t.Fatal("the first fix did not start")
	}
	s.wantError(t, "POST", "/v1/fixes/time-sync", `{}`, http.StatusConflict, "the fix dns-flush is running")
	s.wantError(t, "POST", "/v1/fixes/dns-flush", `{"dry_run":true}`, http.StatusConflict, "the fix dns-flush is running")
	close(release)
	select {
	case b := <-first:
		if !strings.Contains(string(b), `"result":"fixed"`) {
			t.Fatalf("the first fix: %s", b)
		}
	case <-time.After(patience):
		t.Fatal("the first fix did not finish")
	}
	// Once it is done, the next may run.
	if resp, body := s.do(t, "POST", "/v1/fixes/time-sync", `{}`); resp.StatusCode != 200 {
		t.Fatalf("after the first: %d %s", resp.StatusCode, body)
	}
}

func TestFixErrors(t *testing.T) {
	s := startServer(t, nil)
	big := `{"dry_run": true` + strings.Repeat(" ", MaxBodyBytes) + `}`
	cases := []struct {
		name, path, body string
		code             int
		want             string
	}{
		{"unknown fix", "/v1/fixes/x", `{}`, 404, `there is no fix "x"`},
		{"oversized", "/v1/fixes/dns-flush", big, 413, "larger than 4096 bytes"},
		{"far oversized", "/v1/fixes/dns-flush", strings.Repeat("x", 1<<20), 413, "larger than 4096 bytes"},
		{"malformed", "/v1/fixes/dns-flush", `{"dry_run": tru`, 400, "not valid JSON"},
		{"cut short", "/v1/fixes/dns-flush", `{"dry_run": true`, 400, "not valid JSON"},
		{"unknown field", "/v1/fixes/dns-flush", `{"dry_run": true, "force": true}`, 400, `unknown field "force"; it takes dry_run and confirm`},
		{"wrong type", "/v1/fixes/dns-flush", `{"confirm": "yes"}`, 400, `"confirm" must be a JSON boolean`},
		{"not an object", "/v1/fixes/dns-flush", `[true]`, 400, "must be a JSON object"},
		{"two values", "/v1/fixes/dns-flush", `{} {}`, 400, "more than one JSON value"},
		{"runner error", "/v1/fixes/dns-public", `{}`, 500, "the fix dns-public could not run: the runner is broken"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s.wantError(t, "POST", tc.path, tc.body, tc.code, tc.want)
		})
	}
	// A body of unknown length (chunked) is cut off as it is read.
	ctx, cancel := context.WithTimeout(context.Background(), patience)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "POST", BaseURL+"/v1/fixes/dns-flush", struct{ io.Reader }{strings.NewReader(big)})
	if req.ContentLength != 0 {
		t.Fatalf("the request has a length (%d); it must be sent chunked", req.ContentLength)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	wantErrorBody(t, resp.StatusCode, resp.Header, b, 413, "larger than 4096 bytes")

	if runs := s.fixes.Runs(); len(runs) != 1 || runs[0].id != "dns-public" {
		t.Fatalf("bad requests reached the runner: %+v", runs)
	}
}

func TestRouteErrors(t *testing.T) {
	s := startServer(t, nil)
	s.wantError(t, "GET", "/v1/nothing", "", 404, `no such route: "GET /v1/nothing"`)
	s.wantError(t, "GET", "/", "", 404, "no such route")
	s.wantError(t, "GET", "/v1/fixes/", "", 404, "no such route")
	for path, allow := range map[string]string{"/v1/state": "GET", "/v1/check": "POST", "/v1/fixes/dns-flush": "POST", "/v1/health": "GET"} {
		method := "DELETE"
		resp, body := s.do(t, method, path, "")
		wantErrorBody(t, resp.StatusCode, resp.Header, body, 405, strconv.Quote(path)+" answers "+allow)
		if resp.Header.Get("Allow") != allow {
			t.Errorf("%s: Allow %q, want %s", path, resp.Header.Get("Allow"), allow)
		}
	}
	s.wantError(t, "GET", "/v1/fixes/dns-flush", "", 405, `answers POST, not "GET"`)
}

func TestHealth(t *testing.T) {
	start := time.Date(2026, 11, 27, 14, 0, 0, 0, time.UTC)
	now := start
	s := startServer(t, func(c *Config) {
		c.Now = func() time.Time { n := now; now = now.Add(90*time.Second + 500*time.Millisecond); return n }
	})
	resp, body := s.do(t, "GET", "/v1/health", "")
	if resp.StatusCode != 200 || strings.TrimSpace(string(body)) != `{"version":"1.2.3","uptime_seconds":90}` {
		t.Fatalf("health: %d %s", resp.StatusCode, body)
	}
}

// This test process's own credentials reach the policy: as root it may
// fix without the group database being asked.
func TestRootMayFix(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root: the caller is this test process")
	}
	s := startServer(t, func(c *Config) {
		c.LookupMember = func(uid int, _ string) (string, bool, error) {
			t.Errorf("the group database was asked about uid %d for root", uid)
			return "", false, nil
		}
	})
	if resp, body := s.do(t, "POST", "/v1/fixes/dns-flush", `{}`); resp.StatusCode != 200 {
		t.Fatalf("root: %d %s", resp.StatusCode, body)
	}
}

// The caller's uid, as the kernel reports it, is what the group database is
// asked about; a non-member is refused with a hint.
func TestPeerUIDReachesGroupLookup(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root may always fix; the root-level API tests run a client as another uid")
	}
	var asked atomic.Int64
	asked.Store(-1)
	s := startServer(t, func(c *Config) {
		c.LookupMember = func(uid int, _ string) (string, bool, error) { asked.Store(int64(uid)); return "tester", false, nil }
		c.IsPerson = func(int) bool { return true }
	})
	s.wantError(t, "POST", "/v1/fixes/dns-flush", `{}`, 403, "add yourself with")
	if got := asked.Load(); got != int64(os.Geteuid()) {
		t.Fatalf("asked about uid %d, want %d", got, os.Geteuid())
	}
}
