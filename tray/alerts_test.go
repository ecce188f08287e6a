package tray

import (
	"fmt"
	"testing"
	"time"

	"github.com/clearance-app/clearance/agent/diag/finding"
)

// f makes a visible finding of code c at severity s.
func f(c finding.Code, s finding.Severity) finding.Finding {
	x := finding.Lookup(c).New(time.Date(2026, 11, 27, 14, 0, 0, 0, time.UTC), nil)
	x.Severity = s
	return x
}

func kinds(as []alert) string {
	out := ""
	for _, a := range as {
		out += fmt.Sprintf("%s:%d ", a.finding.ID, a.kind)
	}
	return out
}

func TestAlertRules(t *testing.T) {
	skew := f("clock-skew", finding.Warning)
	skewCrit := f("clock-skew", finding.Critical)
	dns := f("dns-failure", finding.Critical)
	proxy := f("proxy-configured", finding.Info)

	steps := []struct {
		name     string
		visible  []finding.Finding
		quiet    bool
		resolved bool
		want     string
	}{
		{"a new warning alerts once", []finding.Finding{skew}, false, false, "clock-skew:0 "},
		{"the same state again: no second alert", []finding.Finding{skew}, false, false, ""},
		{"an info finding never alerts", []finding.Finding{skew, proxy}, false, false, ""},
		{"escalation alerts again", []finding.Finding{skewCrit, proxy}, false, false, "clock-skew:1 "},
		{"dropping back does not", []finding.Finding{skew, proxy}, false, false, ""},
		{"nor rising to the old peak", []finding.Finding{skewCrit, proxy}, false, false, ""},
		{"snoozed: a new finding is recorded, not alerted", []finding.Finding{skewCrit, dns}, true, false, ""},
		{"after the snooze it is not replayed", []finding.Finding{skewCrit, dns}, false, false, ""},
		{"resolved notice only for what was alerted", []finding.Finding{}, false, true, "clock-skew:2 "},
		{"a finding that comes back alerts anew", []finding.Finding{skew}, false, true, "clock-skew:0 "},
	}
	a := newAlerter()
	for _, s := range steps {
		if got := kinds(a.update(s.visible, s.quiet, s.resolved)); got != s.want {
			t.Fatalf("%s: alerts %q, want %q", s.name, got, s.want)
		}
	}
}

func TestAlertInfoRisingToWarning(t *testing.T) {
	a := newAlerter()
	if got := a.update([]finding.Finding{f("proxy-configured", finding.Info)}, false, true); len(got) != 0 {
		t.Fatalf("info alerted: %v", kinds(got))
	}
	// An info finding that becomes a warning (the proxied path differs) is
	// news: a first alert, not an escalation of one never sent.
	if got := kinds(a.update([]finding.Finding{f("proxy-configured", finding.Warning)}, false, true)); got != "proxy-configured:0 " {
		t.Fatalf("info to warning: %q", got)
	}
	// An info finding that clears gives no resolved notice.
	b := newAlerter()
	b.update([]finding.Finding{f("dns-public-active", finding.Info)}, false, true)
	if got := b.update(nil, false, true); len(got) != 0 {
		t.Fatalf("resolved notice for info: %v", kinds(got))
	}
}
