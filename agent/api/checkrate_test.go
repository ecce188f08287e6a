package api

import (
	"encoding/json"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/clearance-app/clearance/platform/host"
)

// countingChecker counts the runs asked for.
type countingChecker struct{ n atomic.Int64 }

func (c *countingChecker) CheckNow() { c.n.Add(1) }

// checkAnswer is the body of a 202 to POST /v1/check.
type checkAnswer struct {
	Message  string    `json:"message"`
	StartsAt time.Time `json:"starts_at"`
}

func askCheck(t *testing.T, h *Handler, cred host.PeerCred) checkAnswer {
	t.Helper()
	w := serveAs(h, cred, "POST", "/v1/check", "")
	var a checkAnswer
	if err := json.Unmarshal(w.Body.Bytes(), &a); w.Code != http.StatusAccepted || err != nil || a.Message == "" {
		t.Fatalf("POST /v1/check: %d %s (%v)", w.Code, w.Body, err)
	}
	return a
}

// Callers other than root and the fix group start at most one run every
// 10 s, however often they ask; a request inside the gap is told when the
// run it joins starts. Root and members are never delayed. Time is
// synctest's.
func TestSecurityCheckRateForOthers(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		runs := &countingChecker{}
		h := New(Config{State: newFakeState(State{}), Checker: runs, Fixes: newFakeFixes(),
			LookupMember: func(uid int, _ string) (string, bool, error) { return "u", uid == 1000, nil }})
		nobody := host.PeerCred{UID: 65534, GID: 65534}
		member := host.PeerCred{UID: 1000, GID: 1000}
		root := host.PeerCred{UID: 0, Admin: true}
		t0 := time.Now()
		want := func(n int64, when string) {
			t.Helper()
			synctest.Wait()
			if got := runs.n.Load(); got != n {
				t.Fatalf("%s: %d runs asked for, want %d", when, got, n)
			}
		}

		if a := askCheck(t, h, nobody); !a.StartsAt.Equal(t0) || a.Message != "checking now; the new state follows on /v1/events" {
			t.Fatalf("the first request: %+v, want a start now", a)
		}
		want(1, "the first request")
		time.Sleep(time.Second)
		for range 1000 {
			a := askCheck(t, h, nobody)
			if !a.StartsAt.Equal(t0.Add(checkGap)) || !strings.Contains(a.Message, "a check starts at ") {
				t.Fatalf("a request inside the gap: %+v, want a start at %v", a, t0.Add(checkGap))
			}
		}
		want(1, "1,000 requests inside the gap")
		if a := askCheck(t, h, root); !a.StartsAt.Equal(time.Now()) {
			t.Fatalf("root: %+v, want a start now", a)
		}
		want(2, "root inside the gap")
		if a := askCheck(t, h, member); !a.StartsAt.Equal(time.Now()) {
			t.Fatalf("a member of the fix group: %+v, want a start now", a)
		}
		want(3, "a member inside the gap")

		time.Sleep(checkGap - time.Second - time.Nanosecond)
		want(3, "just before the gap ends")
		time.Sleep(time.Nanosecond)
		want(4, "when the gap ends: the queued run")
		// That run starts a new gap.
		if a := askCheck(t, h, nobody); !a.StartsAt.Equal(time.Now().Add(checkGap)) {
			t.Fatalf("right after the queued run: %+v, want a start %v later", a, checkGap)
		}
		time.Sleep(checkGap)
		want(5, "the next gap's end")
		time.Sleep(checkGap)
		askCheck(t, h, nobody)
		want(6, "a request after a quiet gap")
	})
}

// The pace of others is theirs alone: a member of the fix group, who
// starts a run at once, does not use up the gap that a user outside it
// then starts one in.
func TestCheckPaceNotUsedByMembers(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		runs := &countingChecker{}
		h := New(Config{State: newFakeState(State{}), Checker: runs, Fixes: newFakeFixes(),
			LookupMember: func(uid int, _ string) (string, bool, error) { return "u", uid == 1000, nil }})
		member := host.PeerCred{UID: 1000, GID: 1000}
		nobody := host.PeerCred{UID: 65534, GID: 65534}
		askCheck(t, h, member)
		time.Sleep(time.Second)
		if a := askCheck(t, h, nobody); !a.StartsAt.Equal(time.Now()) {
			t.Fatalf("a user outside the group after a member's run: %+v, want a start now", a)
		}
		synctest.Wait()
		if got := runs.n.Load(); got != 2 {
			t.Fatalf("%d runs asked for, want 2", got)
		}
	})
}

// A user outside the fix group asking for checks in a loop costs one
// lookup in the group database every few seconds, not one per request.
func TestCheckFloodAsksTheGroupDatabaseRarely(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var lookups atomic.Int64
		h := New(Config{State: newFakeState(State{}), Checker: &countingChecker{}, Fixes: newFakeFixes(),
			LookupMember: func(int, string) (string, bool, error) { lookups.Add(1); return "nobody", false, nil }})
		nobody := host.PeerCred{UID: 65534, GID: 65534}
		for range 1000 {
			askCheck(t, h, nobody)
		}
		if n := lookups.Load(); n != 1 {
			t.Fatalf("1,000 requests asked the group database %d times, want once", n)
		}
		time.Sleep(exemptFor)
		askCheck(t, h, nobody)
		if n := lookups.Load(); n != 2 {
			t.Fatalf("after %v the group database was asked %d times in all, want twice: an answer is kept only that long", exemptFor, n)
		}
		synctest.Wait()
	})
}

// The kept answers are bounded however many users ask.
func TestExemptCacheBounded(t *testing.T) {
	var c exemptCache
	now := time.Date(2026, 11, 27, 14, 0, 0, 0, time.UTC)
	for uid := range 3 * maxExemptUsers {
		c.put(uid, uid%2 == 0, now)
	}
	if len(c.m) > maxExemptUsers {
		t.Fatalf("%d answers kept, want at most %d", len(c.m), maxExemptUsers)
	}
	last := 3*maxExemptUsers - 1
	if exempt, known := c.get(last, now); !known || exempt {
		t.Fatalf("the latest answer: exempt %v, known %v", exempt, known)
	}
	if _, known := c.get(last, now.Add(exemptFor)); known {
		t.Fatalf("an answer is still used %v later", exemptFor)
	}
	// Expired answers make room first.
	later := now.Add(exemptFor)
	c.put(-5, true, later)
	if exempt, known := c.get(-5, later); !known || !exempt || len(c.m) != 1 {
		t.Fatalf("after the others expired: exempt %v, known %v, %d kept", exempt, known, len(c.m))
	}
}
