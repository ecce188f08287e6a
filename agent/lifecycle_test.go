package agent

import (
	"context"
	"encoding/json"
	"net/http"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/clearance-app/clearance/agent/api"
	"github.com/clearance-app/clearance/agent/diag/check"
	"github.com/clearance-app/clearance/agent/diag/finding"
	"github.com/clearance-app/clearance/internal/roottest"
)

// TestLifecycle runs the agent in-process with its API on a real Unix
// socket: it answers, it stops within a deadline when asked, and it leaves
// no goroutine behind.
func TestLifecycle(t *testing.T) {
	before := runtime.NumGoroutine()
	vpn := newScript("vpn")
	vpn.set(check.Warn, finding.VPNActive)
	opts := testOptions(t, vpn)
	opts.Address = filepath.Join(roottest.Dir(t), "agent.sock") // a directory only root can change, as api.Listen asks
	a, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()

	client := api.NewClient(opts.Address)
	var st struct {
		UpdatedAt *time.Time        `json:"updated_at"`
		Checks    []json.RawMessage `json:"checks"`
	}
	deadline := time.Now().Add(20 * time.Second)
	for st.UpdatedAt == nil {
		if time.Now().After(deadline) {
			t.Fatal("the agent never served a state with a run in it")
		}
		resp, err := client.Get(api.BaseURL + "/v1/state")
		if err == nil {
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("GET /v1/state: %s", resp.Status)
			}
			err = json.NewDecoder(resp.Body).Decode(&st)
			resp.Body.Close()
			if err != nil {
				t.Fatal(err)
			}
		}
		if st.UpdatedAt == nil {
			time.Sleep(20 * time.Millisecond)
		}
	}
	if len(st.Checks) != 1 {
		t.Fatalf("the state has %d checks, want the one machine check", len(st.Checks))
	}
	// An open event stream must not hold the agent up.
	stream, err := client.Get(api.BaseURL + "/v1/events")
	if err != nil {
		t.Fatal(err)
	}
	defer stream.Body.Close()
	client.CloseIdleConnections()

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the agent did not stop within 10 s of being asked")
	}
	stream.Body.Close()
	client.CloseIdleConnections()
	deadline = time.Now().Add(10 * time.Second)
	for runtime.NumGoroutine() > before {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<16)
			t.Fatalf("%d goroutines before, %d after stopping:\n%s", before, runtime.NumGoroutine(), buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestRunFailsWhenTheSocketCannotBeMade(t *testing.T) {
	opts := testOptions(t)
	opts.Address = filepath.Join(roottest.Dir(t), "missing", "deeper", "\x00bad")
	a, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Run(t.Context()); err == nil {
		t.Fatal("Run started without its API")
	}
}
