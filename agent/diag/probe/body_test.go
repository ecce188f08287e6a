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

func newPageServer(t *testing.T, status, size int) *pageServer {
	t.Helper()
	s := &pageServer{}
	s.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.done.Add(1)
		defer s.done.Done()
		w.Header().Set("Content-Type", "text/html")
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

func judgeOnly(t *testing.T, p *Prober, url string) *Response {
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
	r := judgeOnly(t, p, srv.URL+"/")
	if !r.Reached() || r.Status != http.StatusOK || !r.Unread || len(r.Body) != 0 {
		t.Fatalf("reached %v, status %d, unread %v, %d bytes read; want 200, unread, none read", r.Reached(), r.Status, r.Unread, len(r.Body))
	}
	if v := Classify(r); v.Kind != KindOK {
		t.Errorf("verdict %s (%s), want ok", v.Kind, v.Reason)
	}
	// The handler's own buffer holds a few KiB besides the window.
	if got := srv.writtenWhenDone(t); got > streamWindow+8<<10 {
		t.Errorf("the server sent %d bytes of a page left unread; want at most the window (%d) and its buffer", got, streamWindow)
	}
	// The stream was reset, not the connection: the next request works.
	if r := judgeOnly(t, p, srv.URL+"/again"); !r.Reached() {
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
		if got := srv.writtenWhenDone(t); got > PageLimit+streamWindow+8<<10 {
			t.Errorf("judge only %v: the server sent %d bytes; want at most the limit (%d), a window and a buffer", judgeOnly, got, PageLimit)
		}
		p.Close()
	}
}
