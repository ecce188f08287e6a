//go:build unix

package api

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/clearance-app/clearance/agent/diag/fix"
)

// maxErrorAnswer bounds an error answer: a sentence for a person, with at
// most clientText's share of what the client sent.
const maxErrorAnswer = 1 << 10

// FuzzRequest sends arbitrary requests — method, path, headers and body —
// as bytes on a real connection to the API served on a Unix socket, as any
// local user can. Whatever arrives, the agent keeps answering: no 5xx, an
// answer in JSON where it says JSON, and an error answer that stays short
// however long the request. The caller may run fixes, so that the fix
// request body is decoded too; the fixes only say what they did.
func FuzzRequest(f *testing.F) {
	s := startServer(f, func(c *Config) {
		c.Fixes = fuzzFixes{}
		c.connLimit, c.connsPerUser = 1<<12, 1<<12 // one connection per input, closing behind
	})
	f.Add("GET", "/v1/state", "If-None-Match: W/\"x\", *", "")
	f.Add("GET", "/v1/events", "Accept: text/event-stream", "")
	f.Add("POST", "/v1/check", "", "")
	f.Add("GET", "/v1/fixes", "", "")
	f.Add("POST", "/v1/fixes/dns-flush", "Content-Type: application/json", `{"dry_run":true}`)
	f.Add("POST", "/v1/fixes/time-sync", "", `{"confirm":"x","dry_run":1}`)
	f.Add("POST", "/v1/fixes/dns-restore", "", `{} {}`)
	f.Add("POST", "/v1/fixes/"+strings.Repeat("%e2%80%ae", 40), "", "")
	f.Add("DELETE", "/v1/state/../fixes", "", `{"unknown":[1,2]}`)
	f.Add("GET", "/v1/health?x=1", "Transfer-Encoding: chunked", "0\r\n\r\n")
	f.Fuzz(func(t *testing.T, method, path, header, body string) {
		req := fmt.Sprintf("%s %s HTTP/1.1\r\nHost: clearance\r\nConnection: close\r\nContent-Length: %d\r\n%s\r\n\r\n%s",
			method, path, len(body), header, body)
		ctx, cancel := context.WithTimeout(context.Background(), patience)
		defer cancel()
		conn, err := Dial(ctx, s.addr)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		conn.SetDeadline(time.Now().Add(patience))
		if _, err := io.WriteString(conn, req); err != nil {
			return // the server may close on a malformed request before reading it all
		}
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			if ne, ok := err.(net.Error); ok && ne.Timeout() {
				t.Fatalf("no answer within %v to %q", patience, req)
			}
			return // closed without an answer: Go's server does so for some garbage
		}
		defer resp.Body.Close()
		if resp.StatusCode >= 500 {
			b, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorAnswer))
			t.Fatalf("%s to %q: %s", resp.Status, req, b)
		}
		if resp.Header.Get("Content-Type") == "text/event-stream" {
			return // a stream: it does not end
		}
		b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		if err != nil {
			t.Fatalf("reading the answer to %q: %v", req, err)
		}
		if resp.StatusCode >= 400 && len(b) > maxErrorAnswer {
			t.Fatalf("%s of %d bytes to a request of %d bytes: %.200s…", resp.Status, len(b), len(req), b)
		}
		if resp.Header.Get("Content-Type") == "application/json" && !json.Valid(b) {
			t.Fatalf("%s to %q is not JSON: %s", resp.Status, req, b)
		}
		if r := bytes.TrimSpace(b); resp.StatusCode == http.StatusOK && len(r) == 0 && method != "HEAD" {
			t.Fatalf("an empty 200 to %q", req)
		}
	})
}

// fuzzFixes offers the fixes and runs them as a no-op.
type fuzzFixes struct{}

func (fuzzFixes) Fixes(context.Context) []FixStatus {
	var out []FixStatus
	for _, id := range []string{fix.DNSFlush, fix.TimeSync, fix.DNSRestore} {
		i, _ := fix.Lookup(id)
		out = append(out, FixStatus{Info: i, Available: id != fix.DNSRestore, Reason: "Nothing to restore."})
	}
	return out
}

func (fuzzFixes) RunFix(_ context.Context, id string, opts FixOptions) (FixResult, error) {
	return FixResult{Result: Fixed, Message: "Done: " + id, Commands: []string{}}, nil
}
