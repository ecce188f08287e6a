package api

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/clearance-app/clearance/agent/diag/check"
	"github.com/clearance-app/clearance/agent/diag/finding"
	"github.com/clearance-app/clearance/platform/host"
)

// historyState is a state source that also keeps a history.
type historyState struct {
	*fakeState
	runs []RunSummary
}

func (h historyState) History() []RunSummary { return h.runs }

func sampleRuns() []RunSummary {
	at := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	return []RunSummary{
		{At: at, DurationMS: 812, Checks: []CheckSummary{{Name: "clock", Status: check.Pass, Summary: "off by 0.1 s"}}, Findings: []finding.Code{}},
		{At: at.Add(time.Minute), DurationMS: 95, Checks: []CheckSummary{{Name: "dns", Status: check.Fail, Summary: "no answer"}}, Findings: []finding.Code{"dns-failure"}},
	}
}

// The history is read as the state is: by every local user, GET only; its
// document has the contract's keys, and a source without history answers
// an empty list, not null.
func TestHistoryRoute(t *testing.T) {
	nobody := host.PeerCred{UID: 65534, GID: 65534}
	h := New(Config{State: historyState{newFakeState(State{}), sampleRuns()}, Checker: &fakeChecker{}, Fixes: newFakeFixes(),
		IsPerson: func(int) bool { return false }})
	w := serveAs(h, nobody, "GET", "/v1/history", "")
	if w.Code != http.StatusOK {
		t.Fatalf("GET /v1/history as uid 65534: %d %s", w.Code, w.Body)
	}
	var doc struct {
		Version int              `json:"version"`
		Runs    []map[string]any `json:"runs"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"at", "duration_ms", "checks", "findings"} {
		if _, ok := doc.Runs[1][k]; !ok {
			t.Errorf("a run lacks %q: %s", k, w.Body)
		}
	}
	chk := doc.Runs[1]["checks"].([]any)[0].(map[string]any)
	if len(chk) != 3 || chk["name"] != "dns" || chk["status"] != "fail" || chk["summary"] != "no answer" {
		t.Errorf("a run's check %v, want name, status and summary only", chk)
	}

	w = serveAs(h, nobody, "POST", "/v1/history", "")
	wantErrorBody(t, w.Code, w.Header(), w.Body.Bytes(), http.StatusMethodNotAllowed, "answers GET")

	plain := New(Config{State: newFakeState(State{}), Checker: &fakeChecker{}, Fixes: newFakeFixes()})
	w = serveAs(plain, nobody, "GET", "/v1/history", "")
	if got, want := w.Body.String(), `{"version":1,"runs":[]}`+"\n"; w.Code != http.StatusOK || got != want {
		t.Fatalf("a source without history: %d %q, want 200 %q", w.Code, got, want)
	}
}
