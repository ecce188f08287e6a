package agent

import (
	"fmt"
	"slices"
	"testing"
	"testing/synctest"
	"time"

	"github.com/clearance-app/clearance/agent/api"
	"github.com/clearance-app/clearance/agent/diag/check"
	"github.com/clearance-app/clearance/agent/diag/finding"
)

// The ring keeps the last historyLen runs, oldest first, in storage that
// never grows past them however many runs there are.
func TestRunHistoryIsBounded(t *testing.T) {
	var h runHistory
	if got := h.list(); len(got) != 0 {
		t.Fatalf("empty ring lists %d runs", len(got))
	}
	t0 := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	for i := range 1000 {
		h.add(api.RunSummary{At: t0.Add(time.Duration(i) * time.Second), DurationMS: int64(i)})
		if len(h.runs) > historyLen || cap(h.runs) > historyLen {
			t.Fatalf("after %d runs the ring holds %d (capacity %d), want at most %d", i+1, len(h.runs), cap(h.runs), historyLen)
		}
		got := h.list()
		want := min(i+1, historyLen)
		if len(got) != want || got[len(got)-1].DurationMS != int64(i) || got[0].DurationMS != int64(i+1-want) {
			t.Fatalf("after %d runs: %d listed, from %d to %d; want %d, from %d to %d",
				i+1, len(got), got[0].DurationMS, got[len(got)-1].DurationMS, want, i+1-want, i)
		}
	}
	// list's slice is the caller's: changing it leaves the ring as it was.
	got := h.list()
	got[0].DurationMS = -1
	if h.list()[0].DurationMS == -1 {
		t.Fatal("list returned the ring's own storage")
	}
}

// Each run the agent records, scheduled or asked for, lands in its history
// with its checks and the findings visible after it; after more runs than
// the ring holds, the newest historyLen are there, oldest first.
func TestAgentRecordsHistory(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		dns := newScript("dns")
		a := start(t, testOptions(t, dns))
		synctest.Wait()
		runs := a.History()
		if len(runs) != 1 {
			t.Fatalf("after the first run: %d runs in the history, want 1", len(runs))
		}
		if r := runs[0]; !slices.Equal(r.Checks, []api.CheckSummary{{Name: "dns", Status: check.Pass, Summary: "scripted"}}) || len(r.Findings) != 0 {
			t.Fatalf("first run %+v, want dns pass and no findings", r)
		}

		dns.set(check.Fail, finding.DNSFailure)
		for range 2 * historyLen {
			a.CheckNow()
			synctest.Wait()
			time.Sleep(time.Second)
		}
		runs = a.History()
		if len(runs) != historyLen {
			t.Fatalf("after %d runs: %d in the history, want %d", 2*historyLen+1, len(runs), historyLen)
		}
		for i := 1; i < len(runs); i++ {
			if !runs[i].At.After(runs[i-1].At) {
				t.Fatalf("runs not oldest first: %v then %v", runs[i-1].At, runs[i].At)
			}
		}
		last := runs[len(runs)-1]
		if last.Checks[0].Status != check.Fail {
			t.Fatalf("last run %+v, want dns failed", last)
		}
		if got, want := fmt.Sprint(last.Findings), fmt.Sprint(visibleCodes(a)); got != want {
			t.Fatalf("last run's findings %s, want the visible ones %s", got, want)
		}
		if len(last.Findings) == 0 {
			t.Fatalf("dns-failure not visible after %d failed runs", 2*historyLen)
		}
	})
}
