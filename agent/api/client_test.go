package api

import (
	"bufio"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"
	"time"
)

// What the agent writes, the client reads back unchanged: the zero time for
// null, durations from milliseconds, evidence and fixes as sent.
func TestStateJSONRoundTrip(t *testing.T) {
	for _, st := range []State{
		{}, // before the first run: updated_at null
		sampleState(time.Date(2026, 11, 27, 14, 0, 0, 0, time.UTC), "clock-skew", "dns-failure"),
	} {
		b, err := json.Marshal(st)
		if err != nil {
			t.Fatal(err)
		}
		var got State
		if err := json.Unmarshal(b, &got); err != nil {
			t.Fatalf("decode %s: %v", b, err)
		}
		again, _ := json.Marshal(got)
		if string(again) != string(b) {
			t.Fatalf("round trip changed the document:\n%s\n%s", b, again)
		}
		if !got.UpdatedAt.Equal(st.UpdatedAt) || len(got.Checks) != len(st.Checks) || len(got.Findings) != len(st.Findings) {
			t.Fatalf("decoded %+v, want %+v", got, st)
		}
	}
	var got State
	json.Unmarshal([]byte(`{"version":1,"updated_at":"2026-11-27T14:00:00Z","checks":[{"name":"clock","status":"warn","summary":"s","duration_ms":41,"data":{"k":1}}],"findings":[]}`), &got)
	if c := got.Checks[0]; c.Duration != 41*time.Millisecond || c.Status != "warn" || c.Data["k"] != 1.0 {
		t.Fatalf("check decoded as %+v", c)
	}
	err := json.Unmarshal([]byte(`{"version":2,"updated_at":null,"checks":[],"findings":[]}`), &got)
	if err == nil || !strings.Contains(err.Error(), "version 2") {
		t.Fatalf("a newer document: %v", err)
	}
}

func TestReadSSE(t *testing.T) {
	stream := ": a comment\n\n" +
		"event: state\ndata: {\"a\":1}\n\n" +
		"data: first\r\ndata: second\r\nid: 7\r\n\r\n" +
		"event: state\ndata: cut"
	r := bufio.NewReader(strings.NewReader(stream))
	for _, want := range [][2]string{{"state", `{"a":1}`}, {"message", "first\nsecond"}} {
		name, data, err := readSSE(r, 1<<10)
		if err != nil || name != want[0] || data != want[1] {
			t.Fatalf("event %q %q %v, want %q", name, data, err, want)
		}
	}
	if _, _, err := readSSE(r, 1<<10); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("an event cut off: %v, want unexpected EOF", err)
	}
	if _, _, err := readSSE(bufio.NewReader(strings.NewReader("\n")), 1<<10); !errors.Is(err, io.EOF) {
		t.Fatalf("end between events: %v, want EOF", err)
	}
	long := "data: " + strings.Repeat("x", 100) + "\n\n"
	if _, _, err := readSSE(bufio.NewReader(strings.NewReader(long)), 50); err == nil || !strings.Contains(err.Error(), "longer than 50") {
		t.Fatalf("an oversized event: %v", err)
	}
}

// endlessLine reads as "data: xxx…" without a line break, as a broken or
// hostile agent may send, and counts what was read of it.
type endlessLine struct{ n int }

func (e *endlessLine) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'x'
	}
	if e.n == 0 {
		copy(p, "data: ")
	}
	e.n += len(p)
	return len(p), nil
}

// A line without end is refused once it passes the event's bound, having
// read no more than the bound and a buffer's worth beyond: the tray and
// the CLI do not hold a hostile agent's line in memory. (64 MiB of it is
// sent, so that a reader without the bound ends, and fails.)
func TestReadSSEEndlessLine(t *testing.T) {
	const max = 1 << 16
	src := &endlessLine{}
	r := bufio.NewReader(io.LimitReader(src, 64<<20))
	_, _, err := readSSE(r, max)
	if err == nil || !strings.Contains(err.Error(), "longer than") {
		t.Fatalf("an endless line: %v, want an event over the bound", err)
	}
	if slack := r.Size() + 4096; src.n > max+slack {
		t.Fatalf("read %d bytes of an endless line, want at most %d (the bound and a buffer)", src.n, max+slack)
	}
	t.Logf("read %d bytes of an endless line against a bound of %d", src.n, max)
}
