package api

import (
	"strconv"
	"strings"
	"testing"

	"github.com/clearance-app/clearance/platform/host"
)

// The rules, on every OS: a user holds at most maxConnsPerUser; the last
// reservedConns are for root and the fix group; root is bounded only by
// the total; callers the OS could not name at accept share one user's
// share, outside the reserve.
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
	if why := admit(host.PeerCred{}, false, never); !strings.Contains(why, "too many connections open (69)") {
		t.Fatalf("an unnamed caller in the reserve: %q", why)
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
	if c.open != total-1 || c.byUser["uid 1000"] != maxConnsPerUser-1 {
		t.Fatalf("after one close: %d open, uid 1000 has %d", c.open, c.byUser["uid 1000"])
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

// Callers the OS could not name are counted together, as one user who may
// not fix: however many processes they are, they cannot take more than one
// user's share, nor the reserve.
func TestConnCounterUnknownCallers(t *testing.T) {
	c := newConnCounter(1000, maxConnsPerUser)
	never := func() bool { t.Fatal("the group database was asked about an unknown caller"); return true }
	for i := range maxConnsPerUser {
		if _, why := c.admit(host.PeerCred{PID: i}, false, never); why != "" {
			t.Fatalf("unknown caller %d: %s", i+1, why)
		}
	}
	// Even one whose (unverified) fields say root.
	if _, why := c.admit(host.PeerCred{UID: 0, Admin: true}, false, never); !strings.Contains(why, "an unknown caller has 64 connections open") {
		t.Fatalf("unknown caller 65: %q", why)
	}
}

// On Windows, callers are told apart by their SID: a standard user is held
// to its share however many connections it opens, while an administrator
// and SYSTEM still get in, through the reserve too, and the person at the
// computer (who may fix) gets into the reserve.
func TestConnCounterWindowsUsers(t *testing.T) {
	const total = 100
	c := newConnCounter(total, maxConnsPerUser)
	h := New(Config{State: newFakeState(State{}), Checker: &fakeChecker{}, Fixes: newFakeFixes(),
		LookupMember: func(int, string) (string, bool, error) {
			t.Fatal("the group database was asked about a Windows user")
			return "", false, nil
		}})
	standard := tokenCaller("S-1-5-21-1-2-3-1002", []tokenGroup{{sidUsers, seGroupEnabled}, {sidIntegrity + "8192", seGroupIntegrity}})
	person := tokenCaller("S-1-5-21-1-2-3-1001", []tokenGroup{{sidInteractive, seGroupEnabled}, {sidIntegrity + "8192", seGroupIntegrity}})
	system := tokenCaller(sidLocalSystem, nil)
	admit := func(cred host.PeerCred) string {
		_, why := c.admit(cred, true, func() bool { return h.exempt(cred) })
		return why
	}
	for i := range maxConnsPerUser {
		if why := admit(standard); why != "" {
			t.Fatalf("connection %d of a standard user: %s", i+1, why)
		}
	}
	if why := admit(standard); !strings.Contains(why, "S-1-5-21-1-2-3-1002 has 64 connections open") {
		t.Fatalf("connection 65 of a standard user: %q", why)
	}
	// Other standard users fill up to the reserve.
	for rid := 2000; c.open < total-reservedConns; rid++ {
		other := standard
		other.SID = "S-1-5-21-1-2-3-" + strconv.Itoa(rid)
		if why := admit(other); why != "" {
			t.Fatalf("%s refused at %d open: %s", other.SID, c.open, why)
		}
	}
	other := standard
	other.SID = "S-1-5-21-1-2-3-3000"
	if why := admit(other); !strings.Contains(why, "too many connections open (68)") {
		t.Fatalf("a standard user in the reserve: %q", why)
	}
	if why := admit(person); why != "" {
		t.Fatalf("the person at the computer in the reserve: %s", why)
	}
	for c.open < total {
		if why := admit(system); why != "" {
			t.Fatalf("SYSTEM refused at %d open: %s", c.open, why)
		}
	}
}

// sidUsers is BUILTIN\Users, which every standard user's token holds.
const sidUsers = "S-1-5-32-545"

// tokenCaller judges a process token as host.PeerCredOf judges a pipe
// client's: tokens as `whoami /groups` shows them for each kind of caller.
func TestTokenCaller(t *testing.T) {
	const (
		mandatory = 0x7 // SE_GROUP_MANDATORY | ENABLED_BY_DEFAULT | ENABLED
		denyOnly  = 0x10
		label     = 0x60 // SE_GROUP_INTEGRITY | SE_GROUP_INTEGRITY_ENABLED
	)
	person := "S-1-5-21-1004336348-1177238915-682003330-1001"
	cases := []struct {
		name               string
		user               string
		groups             []tokenGroup
		admin, interactive bool
	}{
		{"SYSTEM", sidLocalSystem, []tokenGroup{{sidAdministrators, 0xe}, {sidIntegrity + "16384", label}}, true, false},
		{"an elevated administrator", person, []tokenGroup{{sidAdministrators, 0xf}, {sidInteractive, mandatory}, {sidIntegrity + "12288", label}}, true, true},
		{"an administrator under UAC, unelevated", person, []tokenGroup{{sidAdministrators, denyOnly}, {sidInteractive, mandatory}, {sidIntegrity + "8192", label}}, false, true},
		{"a standard user at the computer", person, []tokenGroup{{sidUsers, mandatory}, {sidInteractive, mandatory}, {sidIntegrity + "8192", label}}, false, true},
		{"the person's sandboxed process", person, []tokenGroup{{sidInteractive, mandatory}, {sidIntegrity + "4096", label}}, false, false},
		{"a service", "S-1-5-20", []tokenGroup{{"S-1-5-6", mandatory}, {sidIntegrity + "16384", label}}, false, false},
		{"a token without a label", person, []tokenGroup{{sidInteractive, mandatory}}, false, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := tokenCaller(tc.user, tc.groups)
			if c.SID != tc.user || c.UID != -1 || c.Admin != tc.admin || c.Interactive != tc.interactive {
				t.Fatalf("%+v, want SID %s, admin %v, interactive %v", c, tc.user, tc.admin, tc.interactive)
			}
		})
	}
}
