package main

import (
	"context"
	"testing"
	"time"

	"github.com/clearance-app/clearance/internal/testworld/otlptest"
)

// `clearance agent` with [otlp] endpoint set pushes its metrics after each
// run to an OTLP/HTTP receiver on loopback, which decodes them as a
// collector does: the resource names the service, each check's status is
// there, and the run counter rises from one push to the next. The agent
// runs against the fault suite's healthy loopback world. Needs root (the
// agent's socket directory); mandatory in CI.
func TestAgentPushesOTLP(t *testing.T) {
	r := otlptest.NewReceiver(t, false)
	w := newFaultWorld(t)
	cfg := w.config(t, "[agent]", `interval = "1h"`, `active_interval = "1h"`,
		"[otlp]", "endpoint = '"+r.Srv.URL+"'")
	a := startAgent(t, nil, cfg, "SSL_CERT_FILE="+w.trustFile)

	first := r.Next(t)
	if first.Path != "/v1/metrics" {
		t.Errorf("pushed to %q, want /v1/metrics", first.Path)
	}
	byName, res := otlptest.MetricsOf(t, first.Body)
	if res["service.name"] != "clearance" || res["os.type"] != "linux" || res["host.name"] == "" {
		t.Errorf("resource attributes %v, want service.name clearance, os.type linux and a host.name", res)
	}
	for _, name := range []string{"clearance_runs_total", "clearance_build_info", "clearance_check_status", "clearance_check_duration_seconds", "clearance_probe_http_status"} {
		if byName[name] == nil {
			t.Errorf("%s not pushed; got %d metrics", name, len(byName))
		}
	}
	if k := otlptest.Kind(byName["clearance_runs_total"]); k != "counter" {
		t.Errorf("clearance_runs_total is a %s, want a counter", k)
	}
	status := otlptest.Points(t, byName["clearance_check_status"])
	for _, check := range []string{"network", "clock", "dns", "endpoints", "status", "vpn"} {
		if status["check="+check+",status=pass"] != 1 {
			t.Errorf("clearance_check_status for %s: %v, want pass = 1 in the healthy world", check, status)
		}
	}
	runs := otlptest.Points(t, byName["clearance_runs_total"])[""]

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := a.client.CheckNow(ctx); err != nil {
		t.Fatalf("POST /v1/check: %v", err)
	}
	byName, _ = otlptest.MetricsOf(t, r.Next(t).Body)
	if again := otlptest.Points(t, byName["clearance_runs_total"])[""]; again <= runs {
		t.Errorf("clearance_runs_total %v after another run, was %v", again, runs)
	}
}
