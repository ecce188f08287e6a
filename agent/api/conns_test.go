package api

import (
	"strings"
	"testing"

	"github.com/clearance-app/clearance/platform/host"
)

// The rules, on every OS: a user holds at most maxConnsPerUser; the last
// reservedConns are for root and the fix group; root is bounded only by
// the total; a caller the OS could not name at accept (Windows) by the
// total only.
func TestConnCounter(t *testing.T) {
	const total = 100
	c := newConnCounter(total, maxConnsPerUser)
	alice := host.PeerCred{UID: 1000, GID: 1000}
	root := host.PeerCred{UID: 0, Admin: true}
	never := func() bool { t.Fatal("the group database was asked while under the reserve"); return false }
	no := func() bool { return false }
	yes := func() bool { return true }

	var releases []func()
	admit := func(cred host.PeerCred, known bool, privileged func() bool) string {
		t.Helper()
		release, why := c.admit(cred, known, privileged)
		if why == "" {
			releases = append(releases, release)
		}
		return why
	}
	for i := range maxConnsPerUser {
		if why := admit(alice, true, never); why != "" {
			t.Fatalf("connection %d of uid 1000 refused: %s", i+1, why)
		}
	}
	if why := admit(alice, true, yes); !strings.Contains(why, "uid 1000 has 64 connections open") {
		t.Fatalf("connection 65 of one user, even of the fix group: %q", why)
	}
	// Others fill up to the reserve.
	for uid := 2000; c.open < total-reservedConns; uid++ {
		if why := admit(host.PeerCred{UID: uid}, true, never); why != "" {
			t.Fatalf("uid %d refused at %d open: %s", uid, c.open, why)
		}
	}
	if why := admit(host.PeerCred{UID: 3000}, true, no); !strings.Contains(why, "too many connections open (68)") {
		t.Fatalf("a user outside the group in the reserve: %q", why)
	}
	if why := admit(host.PeerCred{UID: 3001}, true, yes); why != "" {
		t.Fatalf("a member of the fix group in the reserve: %s", why)
	}
	if why := admit(host.PeerCred{}, false, never); why != "" {
		t.Fatalf("an unnamed caller under the total: %s", why)
	}
	for c.open < total {
		if why := admit(root, true, never); why != "" {
			t.Fatalf("root refused at %d open: %s", c.open, why)
		}
	}
	if why := admit(root, true, never); !strings.Contains(why, "too many connections open (100)") {
		t.Fatalf("root over the total: %q", why)
	}
	// Closing gives places back, once however often it is called.
	releases[0]()
	releases[0]()
	if c.open != total-1 || c.byUser[1000] != maxConnsPerUser-1 {
		t.Fatalf("after one close: %d open, uid 1000 has %d", c.open, c.byUser[1000])
	}
	if why := admit(alice, true, yes); why != "" {
		t.Fatalf("uid 1000 after closing one: %s", why)
	}
	for _, r := range releases {
		r()
	}
	if c.open != 0 || len(c.byUser) != 0 {
		t.Fatalf("all closed: %d open, per user %v", c.open, c.byUser)
	}
}
