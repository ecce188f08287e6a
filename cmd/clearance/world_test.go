package main

import (
	"encoding/pem"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/clearance-app/clearance/internal/testworld/cftest"
	"github.com/clearance-app/clearance/internal/testworld/ntptest"
	"github.com/clearance-app/clearance/internal/winegap"
)

// world is every peer a full `clearance check` talks to, on loopback: an
// HTTPS server answering as Cloudflare does (hosts, trace, witness, status
// page), a plain-HTTP captive-portal probe answering 204, and three honest
// NTP servers. The program reaches it through a configuration file and
// trusts its certificate through SSL_CERT_FILE.
type world struct {
	config string   // path of the configuration file
	env    []string // extra environment for the program
}

type worldOptions struct {
	// slow, when set, makes one probed host answer only after this long.
	slow time.Duration
}

const statusOperational = `{"page":{"id":"x","name":"OpenAI","url":"https://status.openai.com"},` +
	`"status":{"indicator":"none","description":"All Systems Operational"},` +
	`"components":[{"id":"01JMXBNJXGV1T5GT2M9XA83XNG","name":"Conversations","status":"operational"},` +
	`{"id":"b","name":"Login","status":"operational"}]}`

func newWorld(tb testing.TB, opts worldOptions) *world {
	tb.Helper()
	mux := cftest.Mux()
	mux.HandleFunc("/api/v2/summary.json", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, statusOperational)
	})
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(opts.slow):
		case <-r.Context().Done():
		}
		fmt.Fprint(w, "ok")
	})
	srv := cftest.NewServer(tb, mux)
	portal := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	}))
	tb.Cleanup(portal.Close)

	var ntp []string
	for range 3 {
		ntp = append(ntp, fmt.Sprintf("%q", ntptest.Serve(tb, ntptest.Options{}).Addr))
	}
	hosts := []string{cftest.URL(srv, cftest.OK), cftest.URL(srv, cftest.Unauthorized), cftest.URL(srv, cftest.OK)}
	if opts.slow > 0 {
		hosts[2] = srv.URL + "/slow"
	}
	quoted := make([]string, len(hosts))
	for i, h := range hosts {
		quoted[i] = fmt.Sprintf("%q", h)
	}
	cfg := writeConfig(tb,
		"[network]",
		fmt.Sprintf("witness = %q", srv.URL+"/cdn-cgi/trace"),
		fmt.Sprintf("captive_portal = %q", portal.URL+"/"),
		"[clock]",
		"ntp_servers = ["+strings.Join(ntp, ", ")+"]",
		"[endpoints]",
		"hosts = ["+strings.Join(quoted, ", ")+"]",
		fmt.Sprintf("trace = %q", srv.URL+"/cdn-cgi/trace"),
		"[status]",
		fmt.Sprintf("url = %q", srv.URL+"/api/v2/summary.json"),
	)
	ca := filepath.Join(winegap.TempDir(tb), "ca.pem")
	pemBytes := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	if err := os.WriteFile(ca, pemBytes, 0o644); err != nil {
		tb.Fatal(err)
	}
	return &world{config: cfg, env: []string{"SSL_CERT_FILE=" + ca}}
}

// check runs `clearance check` against the world.
func (w *world) check(tb testing.TB, args ...string) result {
	tb.Helper()
	cmd := clearanceCmd(tb, nil, append([]string{"check", "--config", w.config}, args...)...)
	cmd.Env = append(withoutProxyEnv(cmd.Env), w.env...)
	return runCmd(tb, cmd)
}

// With every peer healthy, a full check passes: exit 0 and no finding of
// warning level or worse.
func TestAllClearAgainstLoopbackPeers(t *testing.T) {
	w := newWorld(t, worldOptions{})
	r := w.check(t, "--json")
	rep := decodeReport(t, r)
	for _, f := range rep.Findings {
		if f.Severity != "info" {
			t.Errorf("unexpected finding %s (%s): %v", f.Code, f.Severity, f.Evidence)
		}
	}
	if r.code != 0 {
		t.Errorf("exit status %d, want 0\n%s", r.code, r.stdout)
	}
	for _, name := range []string{"network", "clock", "endpoints", "status"} {
		if st := rep.status(name); st != "pass" {
			t.Errorf("%s: status %q, want pass", name, st)
		}
	}
}
