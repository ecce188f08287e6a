//go:build unix

package api

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/clearance-app/clearance/agent/diag/finding"
)

func newTestClient(t *testing.T, s *testServer) *Client {
	t.Helper()
	c := NewAgentClient(s.addr)
	t.Cleanup(c.Close)
	return c
}

func TestClientStateETag(t *testing.T) {
	s := startServer(t, nil)
	c := newTestClient(t, s)
	ctx, cancel := context.WithTimeout(context.Background(), patience)
	defer cancel()

	st, tag, changed, err := c.State(ctx, "")
	if err != nil || !changed || tag == "" {
		t.Fatalf("first: %v changed=%v tag=%q", err, changed, tag)
	}
	if !st.UpdatedAt.Equal(time.Date(2026, 11, 27, 14, 0, 0, 0, time.UTC)) || len(st.Checks) != 1 || st.Checks[0].Duration != 12*time.Millisecond {
		t.Fatalf("state %+v", st)
	}
	if _, tag2, changed, err := c.State(ctx, tag); err != nil || changed || tag2 != tag {
		t.Fatalf("unchanged: %v changed=%v tag %q→%q", err, changed, tag, tag2)
	}
	s.state.Set(sampleState(time.Date(2026, 11, 27, 14, 5, 0, 0, time.UTC), "clock-skew"))
	st, tag2, changed, err := c.State(ctx, tag)
	if err != nil || !changed || tag2 == tag || len(st.Findings) != 1 || st.Findings[0].Code != "clock-skew" || st.Findings[0].Evidence["offset_s"] != 92.0 {
		t.Fatalf("after a change: %v changed=%v %+v", err, changed, st)
	}
}

func TestClientFollow(t *testing.T) {
	s := startServer(t, nil)
	c := newTestClient(t, s)
	ctx, cancel := context.WithTimeout(context.Background(), patience)
	defer cancel()
	states := make(chan State, 4)
	done := make(chan error, 1)
	go func() {
		done <- c.Follow(ctx, func(st State) error { states <- st; return nil })
	}()
	next := func() State {
		t.Helper()
		select {
		case st := <-states:
			return st
		case err := <-done:
			t.Fatalf("follow ended: %v", err)
		case <-ctx.Done():
			t.Fatal("no state arrived")
		}
		return State{}
	}
	if st := next(); len(st.Findings) != 0 || st.UpdatedAt.IsZero() {
		t.Fatalf("first state %+v", st)
	}
	s.state.Set(sampleState(time.Date(2026, 11, 27, 14, 5, 0, 0, time.UTC), finding.Code("dns-failure")))
	if st := next(); len(st.Findings) != 1 || st.Findings[0].Severity != finding.Critical {
		t.Fatalf("pushed state %+v", st)
	}
	s.stop()
	select {
	case err := <-done:
		if !errors.Is(err, ErrEventsEnded) {
			t.Fatalf("after the server stopped: %v, want ErrEventsEnded", err)
		}
	case <-ctx.Done():
		t.Fatal("follow went on after the server stopped")
	}
	if err := c.Follow(ctx, func(State) error { return nil }); err == nil {
		t.Fatal("following a stopped agent succeeded")
	}
}

func TestClientFollowStopsOnCallerError(t *testing.T) {
	s := startServer(t, nil)
	c := newTestClient(t, s)
	ctx, cancel := context.WithTimeout(context.Background(), patience)
	defer cancel()
	mine := errors.New("enough")
	if err := c.Follow(ctx, func(State) error { return mine }); err != mine {
		t.Fatalf("follow returned %v, want the callback's error", err)
	}
	cctx, ccancel := context.WithCancel(ctx)
	err := c.Follow(cctx, func(State) error { ccancel(); return nil })
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("after cancel: %v", err)
	}
}

func TestClientFixes(t *testing.T) {
	s := startServer(t, nil)
	c := newTestClient(t, s)
	ctx, cancel := context.WithTimeout(context.Background(), patience)
	defer cancel()

	list, err := c.Fixes(ctx)
	if err != nil || len(list) != len(s.fixes.list) {
		t.Fatalf("fixes: %v %+v", err, list)
	}
	if f := list[2]; f.ID != "dns-restore" || !f.Privileged || f.Available || !strings.HasPrefix(f.Reason, "Nothing to restore") || f.Title != "Restore my DNS settings" {
		t.Fatalf("fix decoded as %+v", f)
	}
	res, err := c.RunFix(ctx, "dns-flush", FixOptions{Confirm: true})
	if err != nil || res.Fix != "dns-flush" || res.Result != Fixed || res.Message != "Flushed the DNS cache." || len(res.Commands) != 1 {
		t.Fatalf("run: %v %+v", err, res)
	}
	if runs := s.fixes.Runs(); len(runs) != 1 || runs[0] != (fakeRun{"dns-flush", FixOptions{Confirm: true}}) {
		t.Fatalf("runs %+v", runs)
	}
	_, err = c.RunFix(ctx, "nope", FixOptions{})
	var ae *Error
	if !errors.As(err, &ae) || ae.Status != http.StatusNotFound || !strings.Contains(ae.Message, `no fix "nope"`) {
		t.Fatalf("unknown fix: %v", err)
	}
	if err := c.CheckNow(ctx); err != nil {
		t.Fatal(err)
	}
	select {
	case <-s.checker.calls:
	default:
		t.Fatal("check now did not reach the agent")
	}
	if h, err := c.Health(ctx); err != nil || h.Version != "1.2.3" {
		t.Fatalf("health %+v %v", h, err)
	}
}
