package check

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/clearance-app/clearance/agent/diag/config"
	"github.com/clearance-app/clearance/agent/diag/finding"
	"github.com/clearance-app/clearance/agent/diag/probe"
)

// statusPage answers like status.openai.com's summary.json. The bodies
// follow Atlassian Statuspage's v2 summary.json shape, as status.openai.com
// serves it; component names are OpenAI's.
func statusPage(t *testing.T, code int, contentType, body string) *httptest.Server {
	t.Helper()
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/api/v2/summary.json" {
			http.NotFound(w, r)
			return
		}
		if got := r.Header.Get("Accept"); got != "application/json" {
			t.Errorf("Accept = %q, want application/json", got)
		}
		w.Header().Set("Content-Type", contentType)
		w.WriteHeader(code)
		_, _ = w.Write([]byte(body))
	}))
	t.Cleanup(srv.Close)
	return srv
}

// runStatusAgainst runs the status check against a loopback status page.
func runStatusAgainst(t *testing.T, code int, contentType, body string) Result {
	t.Helper()
	srv := statusPage(t, code, contentType, body)
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	cfg := config.Default()
	cfg.Status.URL = srv.URL + "/api/v2/summary.json"
	env := &Env{Config: &cfg, Now: time.Now, Probe: &probe.Prober{RootCAs: pool}}
	t.Cleanup(env.Probe.Close)
	ctx, cancel := context.WithTimeout(context.Background(), cfg.Status.Timeout.D())
	defer cancel()
	res := statusCheck.Run(ctx, env)
	if _, err := json.Marshal(res.Data); err != nil {
		t.Fatalf("data does not marshal: %v", err)
	}
	return res
}

func statusSummaryJSON(indicator, description string, components ...[2]string) string {
	type comp struct {
		ID     string `json:"id"`
		Name   string `json:"name"`
		Status string `json:"status"`
	}
	var cs []comp
	for i, c := range components {
		cs = append(cs, comp{ID: string(rune('A' + i)), Name: c[0], Status: c[1]})
	}
	b, _ := json.Marshal(map[string]any{
		"page":       map[string]any{"id": "01JMXBRMFE6N2NNT7DG6XZQ6PW", "name": "OpenAI", "url": "https://status.openai.com"},
		"status":     map[string]any{"indicator": indicator, "description": description},
		"components": cs,
	})
	return string(b)
}

var statusAllUp = [][2]string{
	{"Conversations", "operational"}, {"Login", "operational"}, {"Voice mode", "operational"},
	{"Fine-tuning", "operational"}, {"Batch", "operational"},
}

func statusWith(base [][2]string, name, status string) [][2]string {
	out := append([][2]string(nil), base...)
	for i := range out {
		if out[i][0] == name {
			out[i][1] = status
		}
	}
	return out
}

func TestStatusVerdicts(t *testing.T) {
	tests := []struct {
		name       string
		body       string
		wantStatus Status
		severity   finding.Severity // "" when no finding
		components []string
	}{
		{"operational", statusSummaryJSON("none", "All Systems Operational", statusAllUp...), Pass, "", nil},
		{"minor, Conversations degraded", statusSummaryJSON("minor", "Partially Degraded Service",
			statusWith(statusWith(statusAllUp, "Conversations", "degraded_performance"), "Fine-tuning", "partial_outage")...),
			Warn, finding.Warning, []string{"Conversations"}},
		{"major, Login down", statusSummaryJSON("major", "Partial System Outage", statusWith(statusAllUp, "Login", "major_outage")...),
			Fail, finding.Critical, []string{"Login"}},
		{"critical, only API parts listed", statusSummaryJSON("critical", "Major System Outage", statusWith(statusAllUp, "Batch", "major_outage")...),
			Fail, finding.Critical, []string{"Batch"}},
		{"minor without components", `{"status":{"indicator":"minor","description":"Minor Service Outage"}}`,
			Warn, finding.Warning, []string{}},
		{"maintenance", statusSummaryJSON("maintenance", "Service Under Maintenance", statusWith(statusAllUp, "Voice mode", "under_maintenance")...), Pass, "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := runStatusAgainst(t, 200, "application/json; charset=utf-8", tt.body)
			status := res.Status
			if status == "" {
				status = statusOf(res.Findings)
			}
			if status != tt.wantStatus {
				t.Errorf("status = %s (%s), want %s", status, res.Summary, tt.wantStatus)
			}
			if tt.severity == "" {
				if len(res.Findings) != 0 {
					t.Fatalf("findings = %+v, want none", res.Findings)
				}
				return
			}
			if len(res.Findings) != 1 {
				t.Fatalf("findings = %+v, want one", res.Findings)
			}
			f := res.Findings[0]
			if f.Code != finding.OpenAIOutage.Code || f.ID != "openai-outage" || f.Severity != tt.severity {
				t.Errorf("finding %s/%s severity %s, want openai-outage %s", f.ID, f.Code, f.Severity, tt.severity)
			}
			if got := f.Evidence["components"]; !reflect.DeepEqual(got, tt.components) {
				t.Errorf("evidence.components = %#v, want %#v", got, tt.components)
			}
			var want struct {
				Status struct{ Indicator, Description string }
			}
			_ = json.Unmarshal([]byte(tt.body), &want)
			if f.Evidence["indicator"] != want.Status.Indicator || f.Evidence["description"] != want.Status.Description {
				t.Errorf("evidence = %v, want indicator %q and description %q", f.Evidence, want.Status.Indicator, want.Status.Description)
			}
		})
	}
}

// A status page that does not answer with its JSON is tolerated: the check
// is an error with a plain reason, and raises nothing.
func TestStatusPageOddAnswers(t *testing.T) {
	huge := `{"status":{"indicator":"minor","description":"` + strings.Repeat("x", probe.JSONLimit) + `"}}`
	tests := []struct {
		name, contentType, body string
		code                    int
		summary                 string
	}{
		{"missing fields", "application/json", `{"page":{"id":"x","name":"OpenAI"}}`, 200, "no overall status indicator"},
		{"status without indicator", "application/json", `{"status":{"description":"All Systems Operational"},"components":[]}`, 200, "no overall status indicator"},
		{"HTML page", "text/html; charset=utf-8", "<!DOCTYPE html><html><body>OpenAI Status</body></html>", 200, "answered with HTML, not its JSON"},
		{"HTML labelled JSON", "application/json", "\n<html><body>maintenance</body></html>", 200, "answered with HTML, not its JSON"},
		{"404", "text/html", "<html>Not Found</html>", 404, "answered HTTP 404 instead of its JSON"},
		{"malformed JSON", "application/json", `{"status": {"indicator": "minor"`, 200, "could not be read (it is malformed)"},
		{"JSON of the wrong shape", "application/json", `["none"]`, 200, "could not be read (it is malformed)"},
		{"over 1 MiB", "application/json", huge, 200, "larger than 1024 KiB"},
		{"unknown indicator", "application/json", `{"status":{"indicator":"purple"}}`, 200, `unknown status "purple"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := runStatusAgainst(t, tt.code, tt.contentType, tt.body)
			if res.Status != Error {
				t.Errorf("status = %q, want error", res.Status)
			}
			if !strings.Contains(res.Summary, tt.summary) {
				t.Errorf("summary = %q, want it to say %q", res.Summary, tt.summary)
			}
			if len(res.Findings) != 0 {
				t.Errorf("findings = %+v, want none", res.Findings)
			}
		})
	}
}

func TestStatusPageUnreachable(t *testing.T) {
	srv := statusPage(t, 200, "application/json", "{}")
	cfg := config.Default()
	cfg.Status.URL = srv.URL + "/api/v2/summary.json"
	// No RootCAs: the loopback certificate is not trusted, so TLS fails.
	env := &Env{Config: &cfg, Now: time.Now, Probe: &probe.Prober{}}
	res := statusCheck.Run(context.Background(), env)
	if res.Status != Error || !strings.Contains(res.Summary, "could not be reached: the connection is signed by") || len(res.Findings) != 0 {
		t.Fatalf("got %s %q %+v, want an error saying the certificate is not trusted, and no finding", res.Status, res.Summary, res.Findings)
	}
}

func TestStatusCheckDeclaration(t *testing.T) {
	cfg := config.Default()
	if statusCheck.Name != "status" || !reflect.DeepEqual(statusCheck.Needs, []string{"network"}) || statusCheck.Timeout(&cfg) != cfg.Status.Timeout.D() {
		t.Fatalf("statusCheck = %s needs %v timeout %v", statusCheck.Name, statusCheck.Needs, statusCheck.Timeout(&cfg))
	}
}

// Text from the page reaches a terminal: control sequences are dropped.
func TestStatusTextFromThePageIsBounded(t *testing.T) {
	body := `{"status":{"indicator":"minor","description":"\u001b[2J\u001b[31mDegraded — partially\u001b[0m"},` +
		`"components":[{"name":"Conversations\u0007","status":"degraded_performance"}]}`
	res := runStatusAgainst(t, 200, "application/json", body)
	out, _ := json.Marshal(res.Findings)
	if strings.ContainsAny(res.Summary+string(out), "\x1b\x07") || !strings.Contains(res.Summary, "Degraded — partially") {
		t.Fatalf("summary %q, findings %s", res.Summary, out)
	}
}
