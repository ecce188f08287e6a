package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/clearance-app/clearance/agent/api"
	"github.com/clearance-app/clearance/agent/diag/fix"
	"github.com/clearance-app/clearance/internal/roottest"
	"github.com/clearance-app/clearance/internal/testbuf"
)

// The local API's authorization against real peers: a client run as another,
// unprivileged numeric uid (setpriv; no account needed) over a real Unix
// socket, so that the uid the server judges is the kernel's SO_PEERCRED.

func init() { testHelpers["api-client"] = apiClientHelper }

// apiClientHelper sends one request to the API: args are the socket,
// method, path and body. It prints the status, a newline and the body.
func apiClientHelper(args []string) int {
	if len(args) != 4 {
		fmt.Fprintln(os.Stderr, "usage: api-client SOCKET METHOD PATH BODY")
		return 3
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var body io.Reader
	if args[3] != "" {
		body = strings.NewReader(args[3])
	}
	req, err := http.NewRequestWithContext(ctx, args[1], api.BaseURL+args[2], body)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	return printResponse(api.NewClient(args[0]), req)
}

// printResponse sends req with c and prints the status, a newline and
// the body, for a helper run inside a namespace; 2 when it failed.
func printResponse(c *http.Client, req *http.Request) int {
	resp, err := c.Do(req)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	fmt.Printf("%d\n%s", resp.StatusCode, b)
	return 0
}

// apiPeerServer is the API on a socket that every uid can reach, with
// simple stand-ins for the agent behind it.
type apiPeerServer struct {
	addr   string
	bin    string // this test binary, where every uid may run it
	fixes  *apiFakeFixes
	checks *apiFakeChecker
	log    *testbuf.Buffer // what the handler logged
}

// startAPIPeerServer serves the API; configure, when not nil, may replace
// what the handler is built from (the group database, for one).
func startAPIPeerServer(t *testing.T, configure func(*api.Config)) *apiPeerServer {
	t.Helper()
	dir, bin := sharedDir(t)
	s := &apiPeerServer{addr: filepath.Join(dir, "agent.sock"), bin: bin, fixes: &apiFakeFixes{}, checks: &apiFakeChecker{}, log: &testbuf.Buffer{}}
	ln, err := api.Listen(s.addr)
	if err != nil {
		t.Fatal(err)
	}
	cfg := api.Config{State: apiFakeState{}, Checker: s.checks, Fixes: s.fixes, Version: "test",
		Log: slog.New(slog.NewTextHandler(s.log, nil))}
	if configure != nil {
		configure(&cfg)
	}
	h := api.New(cfg)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- h.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	return s
}

// sharedDir returns a directory for the API's socket that any uid can
// reach and only root can change, as the agent asks (roottest), and a copy
// of this test binary that any uid can run (go test's own build directory
// is private). It needs root, and setpriv(1) to run the copy as another
// uid.
func sharedDir(t *testing.T) (dir, bin string) {
	t.Helper()
	requireRoot(t)
	return sharedDirAsRoot(t)
}

// sharedDirAsRoot is sharedDir for a caller that has made sure it runs as
// root (a benchmark).
func sharedDirAsRoot(t testing.TB) (dir, bin string) {
	t.Helper()
	if _, err := exec.LookPath("setpriv"); err != nil {
		roottest.Need(t, "needs setpriv(1) from util-linux")
	}
	bins, err := os.MkdirTemp("/tmp", "clr-api-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(bins) })
	if err := os.Chmod(bins, 0o755); err != nil {
		t.Fatal(err)
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(self)
	if err != nil {
		t.Fatal(err)
	}
	bin = filepath.Join(bins, "clearance.test")
	if err := os.WriteFile(bin, b, 0o755); err != nil {
		t.Fatal(err)
	}
	return roottest.Dir(t), bin
}

// as sends one request from a child running as uid (and gid uid) with no
// supplementary groups, and returns the status and body.
func (s *apiPeerServer) as(t *testing.T, uid int, method, path, body string) (int, string) {
	t.Helper()
	id := strconv.Itoa(uid)
	cmd := exec.Command("setpriv", "--reuid", id, "--regid", id, "--clear-groups", "--",
		s.bin, "api-client", s.addr, method, path, body)
	cmd.Env = append(os.Environ(), "CLEARANCE_RUN_MAIN=helper")
	r := runCmd(t, cmd)
	if r.code != 0 {
		t.Fatalf("client as uid %d: exit %d\n%s", uid, r.code, r.stderr)
	}
	status, rest, _ := strings.Cut(r.stdout, "\n")
	code, err := strconv.Atoi(status)
	if err != nil {
		t.Fatalf("client as uid %d printed %q", uid, r.stdout)
	}
	return code, rest
}

// apiErrorMessage returns the message of an error body, failing the test
// when the body is not {"error": "…"}.
func apiErrorMessage(t *testing.T, body string) string {
	t.Helper()
	var m map[string]string
	if err := json.Unmarshal([]byte(body), &m); err != nil || len(m) != 1 || m["error"] == "" {
		t.Fatalf("not an error body: %s (%v)", body, err)
	}
	return m["error"]
}

func TestSecurityAPIUnprivilegedUIDReadsButMayNotFix(t *testing.T) {
	s := startAPIPeerServer(t, nil) // the real group database
	for _, uid := range []int{65534, 4242} {
		code, body := s.as(t, uid, "GET", "/v1/state", "")
		var st struct {
			Version int `json:"version"`
		}
		if code != 200 || json.Unmarshal([]byte(body), &st) != nil || st.Version != 1 {
			t.Fatalf("uid %d GET /v1/state: %d %s", uid, code, body)
		}
		if code, body := s.as(t, uid, "GET", "/v1/fixes", ""); code != 200 || !strings.Contains(body, `"id":"dns-flush"`) {
			t.Fatalf("uid %d GET /v1/fixes: %d %s", uid, code, body)
		}
		// The list of fixes is open to all: an unknown one is answered
		// as such, before the caller's right is looked at.
		if code, body := s.as(t, uid, "POST", "/v1/fixes/x", `{}`); code != http.StatusNotFound {
			t.Fatalf("uid %d POST /v1/fixes/x: %d %s, want 404", uid, code, body)
		}
		code, body = s.as(t, uid, "POST", "/v1/fixes/dns-flush", `{}`)
		if code != http.StatusForbidden {
			t.Fatalf("uid %d POST /v1/fixes/dns-flush: %d %s, want 403", uid, code, body)
		}
		// Neither nobody nor a uid without an account can join a group:
		// they are not told of one.
		if msg := apiErrorMessage(t, body); msg != "fixes are not allowed for this account" {
			t.Fatalf("uid %d: %q, want only that fixes are not allowed", uid, msg)
		}
	}
	if runs := s.fixes.runs(); len(runs) != 0 {
		t.Fatalf("refused requests reached the fixes: %v", runs)
	}

	// This test process is root: it may.
	resp, err := api.NewClient(s.addr).Post(api.BaseURL+"/v1/fixes/dns-flush", "application/json", strings.NewReader(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(b), `"result":"fixed"`) {
		t.Fatalf("root: %d %s", resp.StatusCode, b)
	}
}

// Membership comes from the group database as it is now, not from the
// caller's process groups (setpriv clears them): someone just added to the
// group may fix without logging in again.
func TestSecurityAPIGroupMemberMayFix(t *testing.T) {
	var mu sync.Mutex
	var asked []int
	s := startAPIPeerServer(t, func(c *api.Config) {
		c.LookupMember = func(uid int, group string) (string, bool, error) {
			mu.Lock()
			asked = append(asked, uid)
			mu.Unlock()
			return "member" + strconv.Itoa(uid), uid == 65534 && group == "clearance", nil
		}
		c.IsPerson = func(int) bool { return true }
	})
	code, body := s.as(t, 65534, "POST", "/v1/fixes/dns-flush", `{"dry_run":false,"confirm":false}`)
	if code != 200 || !strings.Contains(body, `"result":"fixed"`) {
		t.Fatalf("member: %d %s", code, body)
	}
	code, body = s.as(t, 65533, "POST", "/v1/fixes/dns-flush", `{}`)
	if code != 403 || !strings.Contains(apiErrorMessage(t, body), "sudo usermod -aG clearance member65533") {
		t.Fatalf("non-member: %d %s", code, body)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(asked) != 2 || asked[0] != 65534 || asked[1] != 65533 {
		t.Fatalf("the group database was asked about %v, want the callers' uids [65534 65533]", asked)
	}
	if runs := s.fixes.runs(); len(runs) != 1 || runs[0] != fix.DNSFlush {
		t.Fatalf("fixes run: %v", runs)
	}
}

// apiFakeState is a state that never changes.
type apiFakeState struct{}

func (apiFakeState) State() api.State {
	return api.State{UpdatedAt: time.Date(2026, 11, 27, 14, 0, 0, 0, time.UTC)}
}

func (apiFakeState) Subscribe() (<-chan struct{}, func()) { return make(chan struct{}), func() {} }

// apiFakeChecker counts the runs asked for.
type apiFakeChecker struct{ n atomic.Int64 }

func (c *apiFakeChecker) CheckNow() { c.n.Add(1) }

// apiFakeFixes offers dns-flush and records what ran.
type apiFakeFixes struct {
	mu  sync.Mutex
	ran []string
}

func (f *apiFakeFixes) Fixes(context.Context) []api.FixStatus {
	info, _ := fix.Lookup(fix.DNSFlush)
	return []api.FixStatus{{Info: info, Available: true}}
}

func (f *apiFakeFixes) RunFix(_ context.Context, id string, _ api.FixOptions) (api.FixResult, error) {
	f.mu.Lock()
	f.ran = append(f.ran, id)
	f.mu.Unlock()
	return api.FixResult{Result: api.Fixed, Message: "Flushed the DNS cache."}, nil
}

func (f *apiFakeFixes) runs() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.ran...)
}
