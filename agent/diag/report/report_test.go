package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/clearance-app/clearance/agent/diag/check"
	"github.com/clearance-app/clearance/agent/diag/finding"
)

func sample() check.Report {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	skew := finding.ClockSkew.New(now, map[string]any{"offset_seconds": -92.4, "method": "ntp", "sources": []string{"a", "b"}})
	skew.Severity = finding.Critical
	return check.Report{
		Version: 1, StartedAt: now, Duration: 812 * time.Millisecond,
		Checks: []check.CheckReport{
			{Name: "network", Status: check.Pass, Summary: "online", Duration: 41 * time.Millisecond, Data: map[string]any{}},
			{Name: "endpoints", Status: check.Skip, Summary: "the machine is offline", Data: map[string]any{}},
			{Name: "clock", Status: check.Fail, Summary: "92 s behind", Data: map[string]any{}},
		},
		Findings: []finding.Finding{skew},
	}
}

func TestTextIsAlignedAndPlainWithoutColor(t *testing.T) {
	var b bytes.Buffer
	if err := Text(&b, sample(), false); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if strings.Contains(out, "\x1b[") {
		t.Fatalf("escape codes without colour:\n%s", out)
	}
	// Status columns line up whatever the check name's length.
	var cols []int
	for _, line := range strings.Split(out, "\n") {
		for _, name := range []string{"network ", "endpoints ", "clock "} {
			if strings.HasPrefix(line, "  "+name) {
				cols = append(cols, strings.IndexAny(line, "✔✘–!?"))
			}
		}
	}
	if len(cols) != 3 || cols[0] != cols[1] || cols[1] != cols[2] {
		t.Fatalf("status columns %v not aligned:\n%s", cols, out)
	}
	for _, want := range []string{"CRITICAL", "The clock is 92 seconds behind", "[clock-skew]", "offset seconds: -92.4", "sources: a, b", "Fix: Sync the clock now (time-sync)"} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in:\n%s", want, out)
		}
	}
}

func TestTextColor(t *testing.T) {
	var b bytes.Buffer
	Text(&b, sample(), true)
	if !strings.Contains(b.String(), "\x1b[31") {
		t.Fatalf("no red for a failure:\n%q", b.String())
	}
}

func TestUseColorHonoursNoColorAndPipes(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	if UseColor(w) {
		t.Error("colour into a pipe")
	}
	t.Setenv("NO_COLOR", "1")
	if UseColor(os.Stdout) {
		t.Error("colour with NO_COLOR set")
	}
}

func TestJSONShape(t *testing.T) {
	var b bytes.Buffer
	if err := JSON(&b, sample()); err != nil {
		t.Fatal(err)
	}
	var got struct {
		Version    int    `json:"version"`
		StartedAt  string `json:"started_at"`
		DurationMS int64  `json:"duration_ms"`
		Checks     []struct {
			Name       string         `json:"name"`
			Status     string         `json:"status"`
			DurationMS *int64         `json:"duration_ms"`
			Data       map[string]any `json:"data"`
		} `json:"checks"`
		Findings []map[string]any `json:"findings"`
	}
	if err := json.Unmarshal(b.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if got.Version != 1 || got.DurationMS != 812 || got.StartedAt != "2026-01-01T00:00:00Z" {
		t.Errorf("header %+v", got)
	}
	if got.Checks[0].DurationMS == nil || *got.Checks[0].DurationMS != 41 || got.Checks[1].Data == nil {
		t.Errorf("checks %+v", got.Checks)
	}
	f := got.Findings[0]
	for _, k := range []string{"id", "code", "severity", "check", "title", "detail", "evidence", "fixes", "since"} {
		if _, ok := f[k]; !ok {
			t.Errorf("finding lacks %q", k)
		}
	}
	if _, ok := f["ExplainedBy"]; ok {
		t.Error("internal field leaked into JSON")
	}
}

func TestFindingWithoutFixesHasAnEmptyList(t *testing.T) {
	b, err := json.Marshal(finding.VPNActive.New(time.Now(), nil))
	if err != nil || !strings.Contains(string(b), `"fixes":[]`) || !strings.Contains(string(b), `"evidence":{}`) {
		t.Fatalf("%s %v", b, err)
	}
}

func TestClosingLineClaimsOnlyWhatWasChecked(t *testing.T) {
	all := func(st check.Status) check.Report {
		var r check.Report
		for _, n := range check.Names() {
			r.Checks = append(r.Checks, check.CheckReport{Name: n, Status: st})
		}
		return r
	}
	n := len(check.Names())
	cases := []struct {
		name string
		rep  check.Report
		want string
	}{
		{"everything passed", all(check.Pass), "Nothing on this computer stands between you and ChatGPT."},
		{"a subset passed", check.Report{Checks: []check.CheckReport{{Name: "proxy", Status: check.Pass}}}, "No problem found by the one check that ran."},
		{"a check failed without a finding", func() check.Report { r := all(check.Pass); r.Checks[0].Status = check.Fail; return r }(), fmt.Sprintf("No finding, but 1 of %d checks did not pass", n)},
		{"skips", all(check.Skip), fmt.Sprintf("No finding, but %d of %d checks did not pass", n, n)},
	}
	for _, c := range cases {
		var b bytes.Buffer
		Text(&b, c.rep, false)
		if !strings.Contains(b.String(), c.want) {
			t.Errorf("%s: got\n%s\nwant %q", c.name, b.String(), c.want)
		}
	}
}

type stage string

func TestNamedStringsReadAsWords(t *testing.T) {
	if got := value(stage("connect")); got != "connect" {
		t.Errorf("got %s", got)
	}
}
