//go:build unix

package installer

import (
	"context"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
)

// Install and Start return once the agent answers on its socket.
func TestWaitReadyAnswers(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "agent.sock")
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v1/health" {
			http.NotFound(w, r)
			return
		}
		w.Write([]byte(`{"version":"test","uptime_seconds":1}`))
	})}
	go srv.Serve(ln)
	defer srv.Close()
	if err := waitReadyAt(context.Background(), &fakeManager{installed: true, running: true}, sock); err != nil {
		t.Errorf("waitReady: %v", err)
	}
}

// An agent that dies at start is reported at once, with where to look,
// not after the whole wait.
func TestWaitReadyServiceDied(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "agent.sock")
	err := waitReadyAt(context.Background(), &fakeManager{installed: true}, sock)
	if err == nil || !strings.Contains(err.Error(), "stopped right after it started; see /var/log/clearance.err") {
		t.Errorf("waitReady: %v", err)
	}
}
