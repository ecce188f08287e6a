package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/clearance-app/clearance/agent/api"
	"github.com/clearance-app/clearance/internal/roottest"
)

// `clearance agent`, as the service runs it, serves its metrics on the
// configured address and writes the textfile, both parsed by Prometheus'
// own parser; a POST is refused. It runs in a network namespace of its
// own, with nothing but loopback: it finds the network offline, and says
// so in its metrics too. The listener is reached inside the namespace by
// this test binary as a helper (metrics-get). Needs root; mandatory in CI.
func TestAgentServesMetrics(t *testing.T) {
	ns := newNetns(t)
	textfile := filepath.Join(roottest.Dir(t), "clearance.prom")
	a := startAgent(t, ns.prefix(), agentTestConfig(t,
		"[metrics]", `listen = "127.0.0.1:9817"`, "textfile = '"+textfile+"'"))
	a.waitState(t, 30*time.Second, "a first run", func(st api.State) bool { return !st.UpdatedAt.IsZero() })

	get := func(method string) (int, string) {
		t.Helper()
		self, err := os.Executable()
		if err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command("ip", "netns", "exec", ns.name, self, "metrics-get", method, "http://127.0.0.1:9817/metrics")
		cmd.Env = append(os.Environ(), "CLEARANCE_RUN_MAIN=helper")
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("%s /metrics inside the namespace: %v", method, err)
		}
		code, body, _ := strings.Cut(string(out), "\n")
		n, _ := strconv.Atoi(code)
		return n, body
	}
	deadline := time.Now().Add(30 * time.Second)
	var body string
	for {
		_, body = get(http.MethodGet)
		// network-offline is visible once confirmed, 5 s after the first run.
		if strings.Contains(body, `clearance_finding{code="network-offline",severity="critical"} 1`) || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	served, err := p.TextToMetricFamilies(strings.NewReader(body))
	if err != nil {
		t.Fatalf("served metrics: %v\n%s", err, body)
	}
	for _, name := range []string{"clearance_build_info", "clearance_runs_total", "clearance_check_status", "clearance_finding", "go_goroutines", "process_open_fds"} {
		if _, ok := served[name]; !ok {
			t.Errorf("the served metrics have no %s:\n%s", name, body)
		}
	}
	if !strings.Contains(body, `clearance_build_info{version="`+version+`"} 1`) {
		t.Errorf("no build info for version %s:\n%s", version, body)
	}
	if !strings.Contains(body, `clearance_check_status{check="network",status="fail"} 1`) {
		t.Errorf("the network check's failure is not in the metrics:\n%s", body)
	}
	if code, _ := get(http.MethodPost); code != http.StatusMethodNotAllowed {
		t.Errorf("POST /metrics: %d, want 405", code)
	}

	f, err := os.Open(textfile)
	if err != nil {
		t.Fatalf("no textfile: %v", err)
	}
	defer f.Close()
	written, err := p.TextToMetricFamilies(f)
	if err != nil {
		t.Fatalf("textfile: %v", err)
	}
	if _, ok := written["clearance_runs_total"]; !ok {
		t.Errorf("the textfile has no clearance_runs_total: %v", written)
	}
	if _, ok := written["go_goroutines"]; ok {
		t.Error("the textfile has go_goroutines, which node_exporter exports itself")
	}
}

func init() { testHelpers["metrics-get"] = metricsGetHelper }

// metricsGetHelper sends one request: args are the method and the URL. It
// prints the status, a newline and the body.
func metricsGetHelper(args []string) int {
	if len(args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: metrics-get METHOD URL")
		return 3
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, args[0], args[1], nil)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	req.Header.Set("Accept", "text/plain;version=0.0.4")
	return printResponse(http.DefaultClient, req)
}
