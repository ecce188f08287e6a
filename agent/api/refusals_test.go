package api

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/clearance-app/clearance/internal/testbuf"
	"github.com/clearance-app/clearance/platform/host"
)

func TestClientText(t *testing.T) {
	long := strings.Repeat("A", 16000)
	for in, want := range map[string]string{
		"dns-flush":                   `"dns-flush"`,
		"x\nlevel=ERROR msg=forged":   `"x\nlevel=ERROR msg=forged"`,
		long:                          `"` + long[:maxClientText] + `"… (16000 bytes)`,
		strings.Repeat("é", 40):       `"` + strings.Repeat("é", 32) + `"… (80 bytes)`,
		"A" + strings.Repeat("é", 40): `"A` + strings.Repeat("é", 31) + `"… (81 bytes)`,
		"":                            `""`,
	} {
		if got := clientText(in); got != want {
			t.Errorf("clientText(%.20q…) = %.90s, want %.90s", in, got, want)
		}
	}
}

// serveAs answers one request from cred, as if it came on a connection whose
// peer the kernel named.
func serveAs(h *Handler, cred host.PeerCred, method, path, body string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, path, strings.NewReader(body))
	r = r.WithContext(context.WithValue(r.Context(), callerKey{}, func() (host.PeerCred, error) { return cred, nil }))
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// A user who may not fix, asking again and again, with ids of 16,000
// bytes, fills no disk: unknown ids are answered before anything is logged,
// and the refusals of known ones are logged once a minute, with a count.
func TestSecurityRefusedFixesAreLoggedBounded(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var logs testbuf.Buffer
		h := New(Config{State: newFakeState(State{}), Checker: &fakeChecker{}, Fixes: newFakeFixes(), Log: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
			LookupMember: func(int, string) (string, bool, error) { return "nobody", false, nil },
			IsPerson:     func(int) bool { return false }})
		nobody := host.PeerCred{UID: 65534, GID: 65534, PID: 99}
		long := strings.Repeat("A", 16000)

		for range 1000 {
			w := serveAs(h, nobody, "POST", "/v1/fixes/"+long, `{}`)
			wantErrorBody(t, w.Code, w.Header(), w.Body.Bytes(), 404, `there is no fix "AAAA`)
			if w.Body.Len() > 512 {
				t.Fatalf("the answer repeats the whole id: %d bytes", w.Body.Len())
			}
		}
		if n := len(logs.String()); n != 0 {
			t.Fatalf("unknown ids were logged: %d bytes, starting %.300s", n, logs.Lines()[0])
		}

		for range 1000 {
			w := serveAs(h, nobody, "POST", "/v1/fixes/dns-flush", `{}`)
			wantErrorBody(t, w.Code, w.Header(), w.Body.Bytes(), 403, "fixes are not allowed for this account")
		}
		lines := logs.Lines()
		if len(lines) != 1 || !strings.Contains(lines[0], `msg="fix refused" fix=dns-flush caller="uid 65534 gid 65534 pid 99"`) {
			t.Fatalf("1000 refusals in a moment logged as %d lines, want 1:\n%s", len(lines), strings.Join(lines, "\n"))
		}
		// Another user's refusals are their own.
		serveAs(h, host.PeerCred{UID: 4242, GID: 4242}, "POST", "/v1/fixes/dns-flush", `{}`)
		if lines := logs.Lines(); len(lines) != 2 || !strings.Contains(lines[1], "uid 4242") {
			t.Fatalf("another user's refusal: %q", lines)
		}

		time.Sleep(refusalLogEvery)
		synctest.Wait()
		lines = logs.Lines()
		if len(lines) != 3 || !strings.Contains(lines[2], `msg="fix refused" caller="uid 65534" suppressed=999 within=1m0s`) {
			t.Fatalf("after a minute, want one line counting the 999 others:\n%s", strings.Join(lines, "\n"))
		}
		// A quiet minute says nothing and forgets the caller, whose next
		// refusal is logged in full again.
		time.Sleep(2 * refusalLogEvery)
		synctest.Wait()
		if n := len(logs.Lines()); n != 3 {
			t.Fatalf("quiet minutes logged: %q", logs.Lines()[3:])
		}
		if w := serveAs(h, nobody, "POST", "/v1/fixes/time-sync", `{}`); w.Code != http.StatusForbidden {
			t.Fatalf("status %d", w.Code)
		}
		if lines := logs.Lines(); len(lines) != 4 || !strings.Contains(lines[3], "fix=time-sync") {
			t.Fatalf("the next refusal: %q", lines)
		}
		if n := len(logs.String()); n > 2048 {
			t.Fatalf("%d bytes of log for 2,002 refusals", n)
		}
		time.Sleep(refusalLogEvery) // let the last minute end inside the bubble
	})
}
