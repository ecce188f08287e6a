//go:build unix

package api

import (
	"context"
	"slices"
	"testing"
)

// The client reads back the runs the source keeps, over a real socket.
func TestHistoryRoundTrip(t *testing.T) {
	runs := sampleRuns()
	s := startServer(t, func(c *Config) { c.State = historyState{newFakeState(State{}), runs} })
	c := NewAgentClient(s.addr)
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), patience)
	defer cancel()
	got, err := c.History(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got.Version != HistoryVersion || len(got.Runs) != len(runs) {
		t.Fatalf("history %+v, want version %d and %d runs", got, HistoryVersion, len(runs))
	}
	for i, r := range got.Runs {
		w := runs[i]
		if !r.At.Equal(w.At) || r.DurationMS != w.DurationMS || !slices.Equal(r.Checks, w.Checks) || !slices.Equal(r.Findings, w.Findings) {
			t.Fatalf("run %d: %+v, want %+v", i, r, w)
		}
	}
}
