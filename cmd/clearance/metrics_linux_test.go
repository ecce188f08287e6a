package main

import (
	"os"
	"os/exec"
	"path/filepath"
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
// curl. Needs root; mandatory in CI.
func TestAgentServesMetrics(t *testing.T) {
	ns := newNetns(t)
	curl, err := exec.LookPath("curl")
	if err != nil {
		roottest.Need(t, "needs curl to reach the agent's metrics inside its network namespace")
	}
	textfile := filepath.Join(roottest.Dir(t), "clearance.prom")
	a := startAgent(t, ns.prefix(), agentTestConfig(t,
		"[metrics]", `listen = "127.0.0.1:9817"`, "textfile = '"+textfile+"'"))
	a.waitState(t, 30*time.Second, "a first run", func(st api.State) bool { return !st.UpdatedAt.IsZero() })

	get := func(args ...string) string {
		t.Helper()
		cmd := exec.Command("ip", append([]string{"netns", "exec", ns.name, curl, "-sS", "--max-time", "20"}, args...)...)
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("curl %v: %v", args, err)
		}
		return string(out)
	}
	deadline := time.Now().Add(30 * time.Second)
	var body string
	for {
		body = get("http://127.0.0.1:9817/metrics")
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
	if code := get("-o", "/dev/null", "-w", "%{http_code}", "-X", "POST", "http://127.0.0.1:9817/metrics"); code != "405" {
		t.Errorf("POST /metrics: %s, want 405", code)
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
