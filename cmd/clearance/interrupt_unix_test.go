//go:build unix

package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Ctrl-C during a run gives no verdict: no report, exit status 130.
func TestInterruptGivesNoVerdict(t *testing.T) {
	arrived := make(chan struct{}, 1)
	// The captive-portal probe is plain HTTP: no certificate to trust.
	portal := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case arrived <- struct{}{}:
		default:
		}
		<-r.Context().Done() // hang until the client gives up
	}))
	t.Cleanup(portal.Close)
	cfg := writeConfig(t,
		"[check]", `deadline = "60s"`,
		"[network]", `timeout = "60s"`, fmt.Sprintf("captive_portal = %q", portal.URL+"/"))
	cmd := clearanceCmd(t, nil, "check", "--only", "network", "--config", cfg)
	cmd.Env = withoutProxyEnv(cmd.Env)
	var out, errb strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-arrived:
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		t.Fatal("the program never reached the hanging peer")
	}
	cmd.Process.Signal(os.Interrupt)
	err := cmd.Wait()
	code := cmd.ProcessState.ExitCode()
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		t.Fatalf("killed by the signal instead of handling it: %v", err)
	}
	if code != 130 || out.Len() != 0 || !strings.Contains(errb.String(), "interrupted") {
		t.Fatalf("exit %d, stdout %q, stderr %q; want 130, no report", code, out.String(), errb.String())
	}
}
