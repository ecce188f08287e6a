package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/clearance-app/clearance/platform/host"
)

// The policy is pure: every OS runs it on every kind of caller.
func TestPolicy(t *testing.T) {
	type ask struct {
		uid   int
		group string
	}
	members := map[int]string{1000: "alice"} // uid → name, in group clearance
	names := map[int]string{1000: "alice", 1001: "bob", 65534: "nobody"}
	people := map[int]bool{1000: true, 1001: true}
	cases := []struct {
		name       string
		cred       host.PeerCred
		lookupErr  error
		wantStatus int // 0: allowed
		wantMsg    string
		wantAsked  bool
	}{
		{name: "root", cred: host.PeerCred{UID: 0, GID: 0, Admin: true}},
		{name: "member", cred: host.PeerCred{UID: 1000, GID: 1000}, wantAsked: true},
		{name: "not a member", cred: host.PeerCred{UID: 1001, GID: 1001}, wantAsked: true,
			wantStatus: 403, wantMsg: "fixes need root or membership of the group clearance; add yourself with: " + fmt.Sprintf(joinGroupCommand, "bob", "clearance")},
		{name: "no account", cred: host.PeerCred{UID: 4242, GID: 4242}, wantAsked: true,
			wantStatus: 403, wantMsg: "fixes are not allowed for this account"},
		// nobody cannot join a group; telling it to would only tell a
		// hostile local user the group's name.
		{name: "not a person", cred: host.PeerCred{UID: 65534, GID: 65534}, wantAsked: true,
			wantStatus: 403, wantMsg: "fixes are not allowed for this account"},
		{name: "group database broken", cred: host.PeerCred{UID: 1001}, lookupErr: errors.New("nss down"), wantAsked: true,
			wantStatus: 500, wantMsg: "could not read the group database"},
		{name: "windows administrator", cred: host.PeerCred{UID: -1, GID: -1, SID: "S-1-5-18", User: `NT AUTHORITY\SYSTEM`, Admin: true}},
		{name: "windows interactive user", cred: host.PeerCred{UID: -1, GID: -1, SID: "S-1-5-21-1-2-3-1001", User: `PC\alice`, Interactive: true}},
		{name: "windows service account", cred: host.PeerCred{UID: -1, GID: -1, SID: "S-1-5-20", User: `NT AUTHORITY\NETWORK SERVICE`},
			wantStatus: 403, wantMsg: `fixes need an administrator or the person signed in at this computer, and NT AUTHORITY\NETWORK SERVICE is neither`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var asked []ask
			h := New(Config{State: newFakeState(State{}), Checker: &fakeChecker{}, Fixes: newFakeFixes(),
				LookupMember: func(uid int, group string) (string, bool, error) {
					asked = append(asked, ask{uid, group})
					_, member := members[uid]
					return names[uid], member, tc.lookupErr
				},
				IsPerson: func(uid int) bool { return people[uid] }})
			e := h.mayFix(tc.cred)
			switch {
			case tc.wantStatus == 0 && e != nil:
				t.Fatalf("refused: %d %s", e.status, e.msg)
			case tc.wantStatus != 0 && e == nil:
				t.Fatal("allowed, want refused")
			case e != nil && (e.status != tc.wantStatus || !strings.Contains(e.msg, tc.wantMsg)):
				t.Fatalf("got %d %q, want %d containing %q", e.status, e.msg, tc.wantStatus, tc.wantMsg)
			}
			if e != nil && !people[tc.cred.UID] && (strings.Contains(e.msg, "clearance") || strings.Contains(e.msg, "sudo")) {
				t.Fatalf("the refusal of an account that is not a person's names the group or a command: %q", e.msg)
			}
			if tc.wantAsked != (len(asked) > 0) {
				t.Fatalf("group database asked %v, want asked: %v", asked, tc.wantAsked)
			}
			if len(asked) > 0 && (asked[0] != ask{tc.cred.UID, "clearance"}) {
				t.Fatalf("asked about %+v, want uid %d in clearance", asked[0], tc.cred.UID)
			}
		})
	}
}

func TestFixGroupConfigurable(t *testing.T) {
	var group string
	h := New(Config{FixGroup: "netadmins", LookupMember: func(_ int, g string) (string, bool, error) { group = g; return "bob", false, nil },
		IsPerson: func(int) bool { return true }})
	e := h.mayFix(host.PeerCred{UID: 1001})
	if e == nil || !strings.Contains(e.msg, "group netadmins") || group != "netadmins" {
		t.Fatalf("got %+v asking about %q", e, group)
	}
}

// A request that did not come through a connection whose peer is known is
// refused, with the error shape.
func TestUnknownCallerRefused(t *testing.T) {
	h := New(Config{State: newFakeState(State{}), Checker: &fakeChecker{}, Fixes: newFakeFixes()})
	for _, r := range []*http.Request{
		httptest.NewRequest("GET", "/v1/state", nil),
		httptest.NewRequest("POST", "/v1/fixes/dns-flush", strings.NewReader(`{}`)),
	} {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		wantErrorBody(t, w.Code, w.Header(), w.Body.Bytes(), 403, "could not tell who is calling")
	}
}

func TestETagMatches(t *testing.T) {
	tag := `"abc"`
	for header, want := range map[string]bool{
		`"abc"`:          true,
		`W/"abc"`:        true,
		`"x", "abc"`:     true,
		`*`:              true,
		`"abd"`:          false,
		``:               false,
		`abc`:            false,
		`"x",W/"abc" , `: true,
	} {
		if got := etagMatches(header, tag); got != want {
			t.Errorf("If-None-Match %q: %v, want %v", header, got, want)
		}
	}
}

func TestStateJSONShape(t *testing.T) {
	b, err := json.Marshal(State{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(b), `{"version":1,"updated_at":null,"checks":[],"findings":[]}`; got != want {
		t.Fatalf("empty state: %s, want %s", got, want)
	}
	at := time.Date(2026, 11, 27, 14, 0, 0, 0, time.FixedZone("x", 3600))
	var m map[string]any
	b, _ = json.Marshal(sampleState(at, "clock-skew"))
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	if m["updated_at"] != "2026-11-27T13:00:00Z" {
		t.Errorf("updated_at %v, want UTC", m["updated_at"])
	}
	chk := m["checks"].([]any)[0].(map[string]any)
	if chk["duration_ms"] != 12.0 || chk["name"] != "clock" || chk["status"] != "pass" {
		t.Errorf("check not in the check --json shape: %v", chk)
	}
	f := m["findings"].([]any)[0].(map[string]any)
	for _, k := range []string{"id", "code", "severity", "check", "title", "detail", "evidence", "fixes", "since"} {
		if _, ok := f[k]; !ok {
			t.Errorf("finding lacks %q: %v", k, f)
		}
	}
}

// wantErrorBody checks the one error shape: JSON, {"error": "…"} and
// nothing else, the message containing want.
func wantErrorBody(t *testing.T, code int, hdr http.Header, body []byte, wantCode int, want string) {
	t.Helper()
	if code != wantCode {
		t.Fatalf("status %d, want %d; body %s", code, wantCode, body)
	}
	if ct := hdr.Get("Content-Type"); ct != "application/json" {
		t.Fatalf("error Content-Type %q, want application/json", ct)
	}
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatalf("error body is not JSON: %v: %s", err, body)
	}
	msg, ok := m["error"].(string)
	if !ok || len(m) != 1 || msg == "" {
		t.Fatalf("error body %s, want only a non-empty \"error\"", body)
	}
	if !strings.Contains(msg, want) {
		t.Fatalf("error %q does not say %q", msg, want)
	}
}

// listingFixes counts how often the agent's list of fixes, which reads the
// configuration, is asked for.
type listingFixes struct {
	*fakeFixes
	listed atomic.Int64
}

func (f *listingFixes) Fixes(ctx context.Context) []FixStatus {
	f.listed.Add(1)
	return f.fakeFixes.Fixes(ctx)
}

// A fix request is checked against the program's own list of fixes and the
// caller's right before the agent is asked for its list, which reads the
// configuration from disk: a flood of requests from someone who may not
// fix, or for fixes that do not exist, costs no disk read.
func TestRunFixAuthorizesBeforeListing(t *testing.T) {
	fixes := &listingFixes{fakeFixes: newFakeFixes()}
	h := New(Config{State: newFakeState(State{}), Checker: &fakeChecker{}, Fixes: fixes,
		LookupMember: func(uid int, _ string) (string, bool, error) { return "u", uid == 1000, nil },
		IsPerson:     func(int) bool { return false }})
	nobody := host.PeerCred{UID: 65534, GID: 65534}
	for range 100 {
		if w := serveAs(h, nobody, "POST", "/v1/fixes/dns-flush", `{}`); w.Code != http.StatusForbidden {
			t.Fatalf("a user who may not fix: %d %s", w.Code, w.Body)
		}
		if w := serveAs(h, nobody, "POST", "/v1/fixes/no-such-fix", `{}`); w.Code != http.StatusNotFound {
			t.Fatalf("an unknown fix: %d %s", w.Code, w.Body)
		}
	}
	if n := fixes.listed.Load(); n != 0 {
		t.Fatalf("200 requests that are refused listed the agent's fixes %d times", n)
	}
	if w := serveAs(h, host.PeerCred{UID: 1000, GID: 1000}, "POST", "/v1/fixes/dns-flush", `{}`); w.Code != http.StatusOK || fixes.listed.Load() != 1 {
		t.Fatalf("a member's request: %d %s, the list asked %d times", w.Code, w.Body, fixes.listed.Load())
	}
}

// busyFixes answers every fix that something else holds what it changes.
type busyFixes struct{ *fakeFixes }

func (busyFixes) RunFix(context.Context, string, FixOptions) (FixResult, error) {
	return FixResult{}, fmt.Errorf("take the lock: %w", &BusyError{Message: "another process is changing the settings; try again when it has finished"})
}

// A fix that cannot start for now is answered 409 with the runner's words,
// and leaves no fix marked running.
func TestRunFixBusy(t *testing.T) {
	h := New(Config{State: newFakeState(State{}), Checker: &fakeChecker{}, Fixes: busyFixes{newFakeFixes()}})
	root := host.PeerCred{UID: 0, Admin: true}
	for range 2 {
		w := serveAs(h, root, "POST", "/v1/fixes/dns-flush", `{}`)
		wantErrorBody(t, w.Code, w.Header(), w.Body.Bytes(), http.StatusConflict, "another process is changing the settings; try again when it has finished")
	}
}
