package probe

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/clearance-app/clearance/internal/testworld/cftest"
)

// pageServer is an HTTP/2 server (as Cloudflare's edge is) whose every
// answer is a page of size bytes with the given status, and which counts
// what the handler could write: flow control holds back a write the client
// has given no window for, so the count is what the client let through.
type pageServer struct {
	*httptest.Server
	written atomic.Int64
	done    sync.WaitGroup // handlers still writing
}

func newPageServer(t *testing.T, status, size int, header ...string) *pageServer {
	t.Helper()
	s := &pageServer{}
	s.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.done.Add(1)
		defer s.done.Done()
		w.Header().Set("Content-Type", "text/html")
		for i := 0; i+1 < len(header); i += 2 {
			w.Header().Set(header[i], header[i+1])
		}
		w.WriteHeader(status)
		w.(http.Flusher).Flush() // the headers go at once, as a real edge sends them
		chunk := make([]byte, 1024)
		for sent := 0; sent < size; sent += len(chunk) {
			if _, err := w.Write(chunk); err != nil {
				return // the client reset the stream
			}
			s.written.Add(int64(len(chunk)))
		}
	}))
	s.EnableHTTP2 = true
	s.StartTLS()
	t.Cleanup(s.Close)
	return s
}

// writtenWhenDone is what the handler wrote once it has stopped (the
// client's reset ends its writes); a handler still blocked after the
// deadline is stopped by closing the server.
func (s *pageServer) writtenWhenDone(t *testing.T) int64 {
	t.Helper()
	stopped := make(chan struct{})
	go func() { s.done.Wait(); close(stopped) }()
	select {
	case <-stopped:
	case <-time.After(10 * time.Second):
		s.CloseClientConnections()
		<-stopped
	}
	return s.written.Load()
}

func judged(t *testing.T, p *Prober, url string) *Response {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	return p.Do(ctx, Request{URL: url, JudgeOnly: true})
}

// A page that is only judged, and judged well by its status, is not
// downloaded: the request ends at the headers, and the server can have
// sent no more than one stream window of it.
func TestJudgeOnlyLeavesAnOKPageUnread(t *testing.T) {
	const size = 1 << 20
	srv := newPageServer(t, http.StatusOK, size)
	p := &Prober{RootCAs: cftest.Pool(srv.Server)}
	t.Cleanup(p.Close)
	r := judged(t, p, srv.URL+"/")
	if !r.Reached() || r.Status != http.StatusOK || !r.Unread || len(r.Body) != 0 {
		t.Fatalf("reached %v, status %d, unread %v, %d bytes read; want 200, unread, none read", r.Reached(), r.Status, r.Unread, len(r.Body))
	}
	if v := Classify(r); v.Kind != KindOK {
		t.Errorf("verdict %s (%s), want ok", v.Kind, v.Reason)
	}
	// The handler's own buffer holds a few KiB besides the window.
	if got := srv.writtenWhenDone(t); got > judgeWindow+8<<10 {
		t.Errorf("the server sent %d bytes of a page left unread; want at most the window (%d) and its buffer", got, judgeWindow)
	}
	// The stream was reset, not the connection: the next request works.
	if r := judged(t, p, srv.URL+"/again"); !r.Reached() {
		t.Errorf("the next request: %v", r.Err)
	}
}

// An error page is read, only judged or not, because its body says which
// error it is; never past the limit.
func TestErrorPagesAreReadUpToTheLimit(t *testing.T) {
	for _, judgeOnly := range []bool{true, false} {
		srv := newPageServer(t, http.StatusForbidden, 1<<20)
		p := &Prober{RootCAs: cftest.Pool(srv.Server)}
		ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
		r := p.Do(ctx, Request{URL: srv.URL + "/", JudgeOnly: judgeOnly})
		cancel()
		if !r.Reached() || r.Unread || len(r.Body) != PageLimit || !r.Truncated {
			t.Errorf("judge only %v: reached %v, unread %v, read %d, truncated %v; want %d bytes read, truncated",
				judgeOnly, r.Reached(), r.Unread, len(r.Body), r.Truncated, PageLimit)
		}
		window := readWindow
		if judgeOnly {
			window = judgeWindow
		}
		if got := srv.writtenWhenDone(t); got > int64(PageLimit+window+8<<10) {
			t.Errorf("judge only %v: the server sent %d bytes; want at most the limit (%d), a window (%d) and a buffer", judgeOnly, got, PageLimit, window)
		}
		p.Close()
	}
}

// A body that is always read (a trace, the status JSON) is not held to the
// small window of the judged requests: the server may send most of a page
// before the client reads any of it, so a slow link costs it one round
// trip, not one per 2 KiB.
func TestReadBodiesFlowWithoutWaitingForTheReader(t *testing.T) {
	srv := newPageServer(t, http.StatusOK, PageLimit)
	p := &Prober{RootCAs: cftest.Pool(srv.Server)}
	t.Cleanup(p.Close)
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, srv.URL+"/", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := p.transport(readBodies).RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	// Nothing is read: what the server manages to write is what the
	// window lets through.
	deadline := time.Now().Add(20 * time.Second)
	for srv.written.Load() < PageLimit-judgeWindow-8<<10 {
		if time.Now().After(deadline) {
			t.Fatalf("the server could send only %d bytes of a page nobody read yet; want nearly all %d", srv.written.Load(), PageLimit)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// A challenge says itself what it is in its cf-mitigated header: its page,
// tens of KiB, is not read.
func TestJudgeOnlyLeavesAChallengePageUnread(t *testing.T) {
	srv := newPageServer(t, http.StatusForbidden, 1<<20, "Cf-Mitigated", "challenge", "Server", "cloudflare")
	p := &Prober{RootCAs: cftest.Pool(srv.Server)}
	t.Cleanup(p.Close)
	r := judged(t, p, srv.URL+"/")
	if !r.Reached() || !r.Unread || len(r.Body) != 0 {
		t.Fatalf("reached %v, unread %v, %d bytes read; want unread", r.Reached(), r.Unread, len(r.Body))
	}
	if v := Classify(r); v.Kind != KindChallenge {
		t.Errorf("verdict %s (%s), want challenge", v.Kind, v.Reason)
	}
}
