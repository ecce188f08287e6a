package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// answer is what the loopback agent of the client's fuzz targets sends:
// a status and a body, the same to every request.
type answer struct {
	status int
	body   []byte
}

// fuzzAgent is an HTTP server on loopback that sends whatever answer
// holds, and a Client whose every request goes to it, as the tray's go to
// the agent's socket: the client reads the bytes off a real connection.
func fuzzAgent(f *testing.F) (*Client, *atomic.Pointer[answer]) {
	var cur atomic.Pointer[answer]
	cur.Store(&answer{status: http.StatusOK})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a := cur.Load()
		w.WriteHeader(a.status)
		w.Write(a.body)
	}))
	f.Cleanup(srv.Close)
	addr := srv.Listener.Addr().String()
	c := &Client{hc: &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "tcp", addr)
		},
	}}}
	f.Cleanup(c.Close)
	return c, &cur
}

// fuzzStatuses are the statuses the fuzzed agent answers with: each call's
// own success and the errors the API gives. net/http's server sends no body
// with 304.
var fuzzStatuses = []int{200, 202, 304, 400, 403, 404, 409, 500, 503}

// sentAnswer is a body the real agent sends, for seeds.
func sentAnswer(f *testing.F, v any) []byte {
	f.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		f.Fatal(err)
	}
	return b
}

// FuzzClientAnswers sends arbitrary answers, with each status the API
// uses, to every call of the client, as a broken or hostile agent could.
// Each call returns within its deadline (the agent closes the answer),
// and keeps its promise: a success only for the status the call expects,
// then a value that the client would read back the same once written
// again; an answer of another status is an *Error with that status and a
// message for a person, short unless the agent wrote it as its error; a
// body the client cannot read says so.
//
// Seeds: the answers of the agent's own types (sampleState, the fix list
// and result of TestClientFixes), and error answers as api.go writes them.
func FuzzClientAnswers(f *testing.F) {
	c, cur := fuzzAgent(f)
	state := sentAnswer(f, sampleState(time.Date(2026, 11, 27, 14, 0, 0, 0, time.UTC), "clock-skew", "dns-failure"))
	f.Add(uint8(0), state)
	f.Add(uint8(0), sentAnswer(f, State{}))
	f.Add(uint8(0), sentAnswer(f, FixResult{Fix: "dns-flush", Result: Fixed, Message: "Flushed the DNS cache.", Commands: []string{"resolvectl flush-caches"}}))
	f.Add(uint8(0), []byte(`[{"id":"dns-restore","title":"Restore my DNS settings","privileged":true,"available":false,"reason":"Nothing to restore"}]`))
	f.Add(uint8(0), []byte(`{"version":"1.2.3","uptime_seconds":7}`))
	f.Add(uint8(0), []byte(`{"goroutines":9,"open_fds":12,"heap_alloc_bytes":1,"heap_sys_bytes":2,"rss_bytes":null,"cycles":3,"uptime_seconds":4}`))
	f.Add(uint8(0), []byte(`{"version":1,"updated_at":"2026-11-27T14:00:00Z","checks":[{"name":"clock","status":"warn","summary":"s","duration_ms":41,"data":{"k":1}}],"findings":[]}`))
	f.Add(uint8(1), []byte{})
	f.Add(uint8(2), state)
	f.Add(uint8(5), []byte(`{"error":"no fix \"nope\""}`))
	f.Add(uint8(4), []byte(strings.Repeat("<html>", 100)))
	f.Fuzz(func(t *testing.T, pick uint8, body []byte) {
		status := fuzzStatuses[int(pick)%len(fuzzStatuses)]
		cur.Store(&answer{status: status, body: body})
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()

		st, _, changed, err := c.State(ctx, `W/"1"`)
		switch {
		case status == http.StatusNotModified:
			if err != nil || changed {
				t.Fatalf("304: changed=%v err=%v", changed, err)
			}
		default:
			checkCall(t, "State", status, http.StatusOK, body, err, st)
		}
		list, err := c.Fixes(ctx)
		checkCall(t, "Fixes", status, http.StatusOK, body, err, list)
		res, err := c.RunFix(ctx, "dns-flush", FixOptions{Confirm: true})
		checkCall(t, "RunFix", status, http.StatusOK, body, err, res)
		h, err := c.Health(ctx)
		checkCall(t, "Health", status, http.StatusOK, body, err, h)
		d, err := c.Debug(ctx)
		checkCall(t, "Debug", status, http.StatusOK, body, err, d)
		err = c.CheckNow(ctx)
		checkCall[any](t, "CheckNow", status, http.StatusAccepted, body, err, nil)
		if ctx.Err() != nil {
			t.Fatalf("the calls took over 10 s for an answer of %d bytes", len(body))
		}
	})
}

// checkCall checks one call's result against the answer it was given.
func checkCall[T any](t *testing.T, call string, status, want int, body []byte, err error, got T) {
	t.Helper()
	if status != want {
		var ae *Error
		if !errors.As(err, &ae) || ae.Status != status || ae.Message == "" {
			t.Fatalf("%s given %d: %v, want an *Error with status %d and a message", call, status, err, status)
		}
		var e struct {
			Error string `json:"error"`
		}
		if (json.Unmarshal(body, &e) != nil || e.Error == "") && len(ae.Message) > 200+len("…") {
			t.Fatalf("%s given %d: a message of %d bytes quoted from an answer that is not the API's error", call, status, len(ae.Message))
		}
		return
	}
	if err != nil {
		if !strings.Contains(err.Error(), "not what this program understands") {
			t.Fatalf("%s given %d and %q: %v, want an error saying the answer is not understood", call, status, body, err)
		}
		return
	}
	if call == "CheckNow" {
		return
	}
	roundTrip(t, call, got)
}

// roundTrip checks that what the client decoded is read back the same
// once written: nothing in it was half understood. A value that cannot be
// written (a time past year 9999 that an answer's time zone moved there) is
// the agent's to send, not the client's.
func roundTrip[T any](t *testing.T, what string, v T) {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		return
	}
	var again T
	if err := json.Unmarshal(b, &again); err != nil {
		t.Fatalf("%s decoded, written as %s, is not read back: %v", what, b, err)
	}
	b2, err := json.Marshal(again)
	if err != nil || !bytes.Equal(b, b2) {
		t.Fatalf("%s decoded is read back changed:\n%s\n%s (%v)", what, b, b2, err)
	}
}

// FuzzFollow sends an arbitrary event stream to Follow, as a broken or
// hostile agent could, on a real connection that the agent closes at the
// stream's end. Follow ends then, with ErrEventsEnded or an error saying
// what was wrong, never by the deadline; each state it passes on is read
// back the same once written.
//
// Seeds: the stream the agent's events handler writes (a state, a
// keep-alive comment, another state), and TestReadSSE's oddities.
func FuzzFollow(f *testing.F) {
	c, cur := fuzzAgent(f)
	state := sentAnswer(f, sampleState(time.Date(2026, 11, 27, 14, 0, 0, 0, time.UTC), "clock-skew"))
	f.Add([]byte("event: state\ndata: " + string(state) + "\n\n: keep-alive\n\nevent: state\ndata: " + string(sentAnswer(f, State{})) + "\n\n"))
	f.Add([]byte(": a comment\n\nevent: state\ndata: {\"a\":1}\n\ndata: first\r\ndata: second\r\nid: 7\r\n\r\nevent: state\ndata: cut"))
	f.Add([]byte("event: state\ndata: {\"version\":1,\n\ndata: \"checks\":[]}\n\n"))
	f.Add([]byte("event: ping\ndata: x\n\nevent: state\ndata: {\"version\":2}\n\n"))
	f.Fuzz(func(t *testing.T, stream []byte) {
		cur.Store(&answer{status: http.StatusOK, body: stream})
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		err := c.Follow(ctx, func(st State) error {
			roundTrip(t, "a state event", st)
			return nil
		})
		if ctx.Err() != nil || err == nil {
			t.Fatalf("Follow on a stream of %d bytes that ends: %v", len(stream), err)
		}
		if !errors.Is(err, ErrEventsEnded) && !strings.Contains(err.Error(), "agent's") {
			t.Fatalf("Follow: %v, want the stream's end or an error about the agent's events", err)
		}
	})
}
