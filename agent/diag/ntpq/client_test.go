package ntpq

import (
	"context"
	"crypto/rand"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/beevik/ntp"

	"github.com/clearance-app/clearance/internal/testworld/ntptest"
)

// fakeClock is the client's cache clock, moved by hand. Its readings carry
// no monotonic part, like any injected clock.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock { return &fakeClock{t: time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)} }

func (f *fakeClock) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.t
}

func (f *fakeClock) Advance(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.t = f.t.Add(d)
}

// testCtx bounds a test's queries generously: long enough for any loaded
// machine, short enough that a hang fails the test instead of the suite.
func testCtx(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func TestQuerySignOfOffset(t *testing.T) {
	srv := ntptest.Serve(t, ntptest.Options{Offset: 42 * time.Second})
	var c Client
	resp, err := c.Query(testCtx(t), srv.Addr)
	if err != nil {
		t.Fatal(err)
	}
	if d := resp.ClockOffset - 42*time.Second; d.Abs() > 500*time.Millisecond {
		t.Errorf("ClockOffset = %v, want about +42s (beevik: true − local)", resp.ClockOffset)
	}
	s, err := FromResponse(srv.Addr, resp)
	if err != nil {
		t.Fatalf("FromResponse: %v", err)
	}
	// The server is 42 s ahead, so the local clock is 42 s behind.
	if d := s.Offset + 42*time.Second; d.Abs() > 500*time.Millisecond {
		t.Errorf("Offset = %v, want about −42s (local − true)", s.Offset)
	}
	if s.Method != MethodNTP || s.Stratum != 2 || s.Source != srv.Addr {
		t.Errorf("sample = %+v", s)
	}
}

func TestQuerySystemTimeIsInjectable(t *testing.T) {
	srv := ntptest.Serve(t, ntptest.Options{})
	c := Client{SystemTime: func() time.Time { return time.Now().Add(92 * time.Second) }}
	resp, err := c.Query(testCtx(t), srv.Addr)
	if err != nil {
		t.Fatal(err)
	}
	if d := resp.ClockOffset + 92*time.Second; d.Abs() > 500*time.Millisecond {
		t.Errorf("ClockOffset = %v, want about −92s for a local clock 92 s ahead", resp.ClockOffset)
	}
}

// A step of the measured clock (SystemTime) while the process's own clock
// runs on, as under a test build's stepped wall clock: the remembered
// answer measured the old clock and is not returned.
func TestQueryStepOfTheMeasuredClockForgetsTheAnswer(t *testing.T) {
	srv := ntptest.Serve(t, ntptest.Options{})
	var step atomic.Int64
	c := Client{SystemTime: func() time.Time { return time.Now().Add(time.Duration(step.Load())).Round(0) }}
	ctx := testCtx(t)
	if _, err := c.Query(ctx, srv.Addr); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Query(ctx, srv.Addr); err != nil {
		t.Fatalf("unstepped, the answer is remembered: %v", err)
	}
	step.Store(int64(2 * time.Hour))
	if _, err := c.Query(ctx, srv.Addr); !errors.Is(err, ErrClockChanged) {
		t.Fatalf("after a 2 h step: err = %v, want ErrClockChanged", err)
	}
	if srv.Queries() != 1 {
		t.Errorf("server asked %d times, want 1: still not before 64 s", srv.Queries())
	}
}

func TestQueryAsksEachServerOncePerInterval(t *testing.T) {
	a := ntptest.Serve(t, ntptest.Options{})
	b := ntptest.Serve(t, ntptest.Options{})
	clock := newFakeClock()
	c := Client{Now: clock.Now}
	ctx := testCtx(t)
	query := func(addr string) {
		t.Helper()
		if _, err := c.Query(ctx, addr); err != nil {
			t.Fatal(err)
		}
	}
	query(a.Addr)
	query(a.Addr)
	query(b.Addr)
	clock.Advance(MinInterval - time.Second)
	query(a.Addr)
	if a.Queries() != 1 || b.Queries() != 1 {
		t.Fatalf("within 64 s: a asked %d times, b %d; want once each", a.Queries(), b.Queries())
	}
	clock.Advance(time.Second)
	query(a.Addr)
	if a.Queries() != 2 {
		t.Fatalf("after 64 s: a asked %d times, want 2", a.Queries())
	}
}

func TestQueryRemembersFailuresToo(t *testing.T) {
	srv := ntptest.Serve(t, ntptest.Options{Garbage: true})
	c := Client{Now: newFakeClock().Now}
	ctx := testCtx(t)
	for range 3 {
		if _, err := c.Query(ctx, srv.Addr); err == nil {
			t.Fatal("garbage answer accepted")
		}
	}
	if srv.Queries() != 1 {
		t.Errorf("server asked %d times, want 1", srv.Queries())
	}
}

func TestQueryConcurrentCallersShareOneQuery(t *testing.T) {
	srv := ntptest.Serve(t, ntptest.Options{})
	var c Client
	ctx := testCtx(t)
	var wg sync.WaitGroup
	errs := make(chan error, 10)
	for range 10 {
		wg.Go(func() {
			_, err := c.Query(ctx, srv.Addr)
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if srv.Queries() != 1 {
		t.Errorf("server asked %d times by 10 concurrent callers, want 1", srv.Queries())
	}
}

func TestKissOfDeathRateIsObeyed(t *testing.T) {
	for _, tc := range []struct {
		name string
		poll int8
		wait time.Duration // the backoff the server may expect
	}{
		{"short poll: at least 64 s", 4, MinInterval},
		{"poll 2^8 s", 8, 256 * time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := ntptest.Serve(t, ntptest.Options{Kiss: "RATE", Poll: tc.poll})
			clock := newFakeClock()
			c := Client{Now: clock.Now}
			ctx := testCtx(t)

			_, err := c.Query(ctx, srv.Addr)
			var kiss *KissError
			if !errors.As(err, &kiss) || kiss.Code != "RATE" || !errors.Is(err, ntp.ErrKissOfDeath) {
				t.Fatalf("err = %v, want a RATE kiss-of-death", err)
			}
			if got := kiss.Until.Sub(clock.Now()); got != tc.wait {
				t.Errorf("backoff = %v, want %v", got, tc.wait)
			}
			if !strings.Contains(Reason(err), "slow down") {
				t.Errorf("Reason = %q, want it to say the server asked us to slow down", Reason(err))
			}

			clock.Advance(tc.wait - time.Second)
			_, err = c.Query(ctx, srv.Addr)
			if !errors.As(err, &kiss) {
				t.Fatalf("during backoff: err = %v, want the kiss-of-death again", err)
			}
			if srv.Queries() != 1 {
				t.Fatalf("server asked %d times during its backoff, want 1", srv.Queries())
			}

			clock.Advance(time.Second)
			c.Query(ctx, srv.Addr)
			if srv.Queries() != 2 {
				t.Fatalf("after the backoff: server asked %d times, want 2", srv.Queries())
			}
		})
	}
}

func TestKissOfDeathDenyStopsAsking(t *testing.T) {
	srv := ntptest.Serve(t, ntptest.Options{Kiss: "DENY"})
	clock := newFakeClock()
	c := Client{Now: clock.Now}
	ctx := testCtx(t)
	c.Query(ctx, srv.Addr)
	clock.Advance(12 * time.Hour)
	_, err := c.Query(ctx, srv.Addr)
	if !errors.Is(err, ntp.ErrKissOfDeath) || srv.Queries() != 1 {
		t.Fatalf("12 h after DENY: err = %v, queries = %d; want the kiss again and no new query", err, srv.Queries())
	}
}

func TestGarbageNeverPanics(t *testing.T) {
	random := func([]byte) []byte {
		b := make([]byte, 48)
		rand.Read(b)
		return b
	}
	wrongOrigin := func(q []byte) []byte {
		p := ntptest.Packet(q, ntptest.Options{})
		copy(p[24:32], "NOTYOURS")
		return p
	}
	clientMode := func(q []byte) []byte {
		p := ntptest.Packet(q, ntptest.Options{})
		p[0] = p[0]&^7 | 3
		return p
	}
	backwards := func(q []byte) []byte {
		p := ntptest.Packet(q, ntptest.Options{})
		copy(p[32:40], []byte{0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0}) // received after transmitted
		return p
	}
	for _, tc := range []struct {
		name string
		opts ntptest.Options
	}{
		{"text", ntptest.Options{Garbage: true}},
		{"random bytes", ntptest.Options{Reply: random}},
		{"wrong origin", ntptest.Options{Reply: wrongOrigin}},
		{"client mode", ntptest.Options{Reply: clientMode}},
		{"ticked backwards", ntptest.Options{Reply: backwards}},
		{"empty", ntptest.Options{Reply: func([]byte) []byte { return []byte{} }}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := ntptest.Serve(t, tc.opts)
			var c Client
			resp, err := c.Query(testCtx(t), srv.Addr)
			if err == nil {
				// Random bytes may, very rarely, parse; they must then fail validation.
				if _, verr := FromResponse(srv.Addr, resp); verr == nil {
					t.Fatalf("garbage accepted as a valid answer: %+v", resp)
				}
				return
			}
			if r := Reason(err); r == "" {
				t.Errorf("no reason for %v", err)
			}
		})
	}
}

func TestQueryBoundedByContext(t *testing.T) {
	srv := ntptest.Serve(t, ntptest.Options{Silent: true})

	t.Run("deadline", func(t *testing.T) {
		var c Client
		ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
		defer cancel()
		_, err := c.Query(ctx, srv.Addr)
		if err == nil || !strings.Contains(Reason(err), "no answer") {
			t.Fatalf("err = %v (reason %q), want no answer in time", err, Reason(err))
		}
	})

	t.Run("cancel without deadline", func(t *testing.T) {
		// Only the cancellation can end this query: it would wait an hour.
		c := Client{Timeout: time.Hour}
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan error, 1)
		go func() {
			_, err := c.Query(ctx, srv.Addr)
			done <- err
		}()
		time.Sleep(50 * time.Millisecond) // let it send; either way it must return
		cancel()
		select {
		case err := <-done:
			if !errors.Is(err, context.Canceled) {
				t.Errorf("err = %v, want context.Canceled", err)
			}
		case <-time.After(time.Minute):
			t.Fatal("query did not end when its context was cancelled")
		}
	})
}

func TestQueryNotSentIsNotRemembered(t *testing.T) {
	srv := ntptest.Serve(t, ntptest.Options{})
	c := Client{Now: newFakeClock().Now}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := c.Query(ctx, srv.Addr); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if _, err := c.Query(testCtx(t), srv.Addr); err != nil {
		t.Fatalf("after a query that was never sent: %v", err)
	}
	if srv.Queries() != 1 {
		t.Errorf("server asked %d times, want 1", srv.Queries())
	}
}

func TestFromResponseValidates(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts ntptest.Options
		want error
	}{
		{"unsynchronized stratum", ntptest.Options{Stratum: 16}, ntp.ErrInvalidStratum},
		{"leap not in sync", ntptest.Options{Leap: 3}, ntp.ErrInvalidLeapSecond},
		{"root dispersion", ntptest.Options{RootDispersion: 20 * time.Second}, ntp.ErrInvalidDispersion},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := ntptest.Serve(t, tc.opts)
			var c Client
			resp, err := c.Query(testCtx(t), srv.Addr)
			if err != nil {
				t.Fatal(err)
			}
			_, err = FromResponse(srv.Addr, resp)
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			if Reason(err) == err.Error() {
				t.Errorf("Reason(%v) has no plain-language text", err)
			}
		})
	}
}

func TestClockStepped(t *testing.T) {
	for _, tc := range []struct {
		wall, mono time.Duration
		want       bool
	}{
		{10 * time.Second, 10 * time.Second, false},
		{10*time.Second + 100*time.Millisecond, 10 * time.Second, false}, // slewing
		{2*time.Hour + 10*time.Second, 10 * time.Second, true},           // stepped forward, or slept
		{-90 * time.Second, 10 * time.Second, true},                      // stepped back
	} {
		if got := clockStepped(tc.wall, tc.mono); got != tc.want {
			t.Errorf("clockStepped(%v, %v) = %v, want %v", tc.wall, tc.mono, got, tc.want)
		}
	}
}
