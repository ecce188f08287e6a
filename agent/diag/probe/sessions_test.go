package probe

import (
	"crypto/tls"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/clearance-app/clearance/internal/testworld/cftest"
)

// sessionPeer is a loopback HTTPS server that counts its handshakes, full
// and resumed, and the bytes each connection carried both ways.
type sessionPeer struct {
	srv   *httptest.Server
	hs    cftest.Handshakes
	mu    sync.Mutex
	bytes []*atomic.Int64 // per connection, in the order accepted
	// hold, when set, is called as each ClientHello arrives: it can keep a
	// handshake from finishing.
	hold atomic.Pointer[func()]
}

func newSessionPeer(t testing.TB) *sessionPeer {
	t.Helper()
	p := &sessionPeer{}
	p.srv = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Write([]byte("ok"))
	}))
	p.srv.TLS = &tls.Config{GetConfigForClient: func(*tls.ClientHelloInfo) (*tls.Config, error) {
		if hold := p.hold.Load(); hold != nil {
			(*hold)()
		}
		return nil, nil
	}}
	p.hs.Count(p.srv.TLS)
	p.srv.Listener = &countingListener{Listener: p.srv.Listener, peer: p}
	p.srv.StartTLS()
	t.Cleanup(p.srv.Close)
	return p
}

// prober returns a Prober that trusts the peer and keeps its sessions in c.
func (p *sessionPeer) prober(t testing.TB, c *SessionCache) *Prober {
	t.Helper()
	pr := &Prober{RootCAs: cftest.Pool(p.srv), Sessions: c}
	t.Cleanup(pr.Close)
	return pr
}

// get makes one request on a new connection (the prober's idle ones are
// closed first, as between two scheduled runs) and reports whether the
// peer resumed its session, and how many bytes the connection carried.
func (p *sessionPeer) get(t testing.TB, pr *Prober) (resumed bool, bytes int64) {
	t.Helper()
	pr.Close()
	full, res := p.hs.Full(), p.hs.Resumed()
	if r := do(t, pr, p.srv.URL+"/", 30*time.Second); !r.Reached() {
		t.Fatalf("request: %v", r.Err)
	}
	pr.Close() // the connection ends, so its byte count is complete
	df, dr := p.hs.Full()-full, p.hs.Resumed()-res
	if df+dr != 1 {
		t.Fatalf("%d full and %d resumed handshakes, want one new connection", df, dr)
	}
	p.mu.Lock()
	last := p.bytes[len(p.bytes)-1]
	p.mu.Unlock()
	// The server counts what it reads; the client's last bytes (its
	// close_notify) may arrive a moment after Close returns.
	deadline := time.Now().Add(10 * time.Second)
	for n := int64(-1); n != last.Load() && time.Now().Before(deadline); {
		n = last.Load()
		time.Sleep(20 * time.Millisecond)
	}
	return dr == 1, last.Load()
}

type countingListener struct {
	net.Listener
	peer *sessionPeer
}

func (l *countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	n := new(atomic.Int64)
	l.peer.mu.Lock()
	l.peer.bytes = append(l.peer.bytes, n)
	l.peer.mu.Unlock()
	return &countingConn{Conn: c, n: n}, nil
}

type countingConn struct {
	net.Conn
	n *atomic.Int64
}

func (c *countingConn) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	c.n.Add(int64(n))
	return n, err
}

func (c *countingConn) Write(b []byte) (int, error) {
	n, err := c.Conn.Write(b)
	c.n.Add(int64(n))
	return n, err
}

// Two Probers sharing one cache, as the agent's runs share one: the second
// resumes the session the first made, on a new connection. Without a
// cache every connection pays a full handshake. The bytes of a full and a
// resumed connection are logged (one small request each): the difference
// is mostly the server's certificate chain, which is larger on the real
// internet than this one self-signed certificate.
func TestSessionsResumeAcrossProbers(t *testing.T) {
	peer := newSessionPeer(t)
	cache := &SessionCache{}
	if resumed, n := peer.get(t, peer.prober(t, cache)); resumed {
		t.Fatal("the first connection resumed a session: there was none")
	} else {
		t.Logf("full handshake: %d bytes on the wire", n)
	}
	if resumed, n := peer.get(t, peer.prober(t, cache)); !resumed {
		t.Fatal("a second Prober sharing the cache did a full handshake, want the session resumed")
	} else {
		t.Logf("resumed handshake: %d bytes on the wire", n)
	}
	if resumed, _ := peer.get(t, peer.prober(t, nil)); resumed {
		t.Fatal("a Prober without a cache resumed a session")
	}
}

// After Reset (a network change), the next connection does a full
// handshake: the sessions made before it are forgotten.
func TestResetForgetsSessions(t *testing.T) {
	peer := newSessionPeer(t)
	pr := peer.prober(t, &SessionCache{})
	peer.get(t, pr)
	if resumed, _ := peer.get(t, pr); !resumed {
		t.Fatal("the second connection did a full handshake; the test needs it resumed")
	}
	pr.Reset()
	if resumed, _ := peer.get(t, pr); resumed {
		t.Fatal("the first connection after Reset resumed a session from before it")
	}
	if resumed, _ := peer.get(t, pr); !resumed {
		t.Fatal("the cache remembers nothing after Reset")
	}
}

// A handshake that was under way when Reset was called finishes on the
// old network, and its session arrives after the sessions were
// forgotten: it is not kept either.
func TestResetForgetsSessionsArrivingLater(t *testing.T) {
	peer := newSessionPeer(t)
	pr := peer.prober(t, &SessionCache{})
	arrived, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	hold := func() {
		once.Do(func() {
			close(arrived)
			<-release
		})
	}
	peer.hold.Store(&hold)
	done := make(chan *Response, 1)
	go func() { done <- do(t, pr, peer.srv.URL+"/", 30*time.Second) }()
	select {
	case <-arrived:
	case <-time.After(30 * time.Second):
		t.Fatal("the handshake never reached the server")
	}
	pr.Reset() // while the handshake waits for the server
	close(release)
	if r := <-done; !r.Reached() {
		t.Fatalf("the request under way: %v", r.Err)
	}
	if resumed, _ := peer.get(t, pr); resumed {
		t.Fatal("the connection after Reset resumed the session a connection from before it brought in")
	}
}

// The cache holds at most maxSessions hosts, the most recent, and drops a
// session past its age or dated in the future (the clock was set back).
func TestSessionCacheBounds(t *testing.T) {
	peer := newSessionPeer(t)
	now := time.Now()
	c := &SessionCache{Now: func() time.Time { return now }}
	pr := peer.prober(t, c)
	peer.get(t, pr)
	view := c.forTransport()
	cs, ok := view.Get("127.0.0.1")
	if !ok {
		t.Fatal("no session remembered for 127.0.0.1")
	}
	for i := range maxSessions + 5 {
		now = now.Add(time.Second)
		view.Put("host"+string(rune('a'+i)), cs)
	}
	if n := len(c.sessions); n != maxSessions {
		t.Errorf("%d sessions kept, want %d", n, maxSessions)
	}
	if _, ok := view.Get("127.0.0.1"); ok {
		t.Error("the oldest session outlived newer ones past the bound")
	}
	if _, ok := view.Get("hostz"); !ok {
		t.Error("a recent session was dropped")
	}
	now = now.Add(sessionMaxAge + time.Minute)
	if _, ok := view.Get("hostz"); ok {
		t.Error("a session past its age was offered")
	}
	view.Put("back", cs)
	now = now.Add(-time.Hour)
	if _, ok := view.Get("back"); ok {
		t.Error("a session made in the future of the clock was offered")
	}
}

// OnNetwork forgets the sessions when the network is not the one they
// were made on, and keeps them when it is: a process that no watch tells
// of a change (the tray) still offers no session on another network.
func TestOnNetworkForgetsTheSessionsOfAnother(t *testing.T) {
	peer := newSessionPeer(t)
	cache := &SessionCache{}
	pr := peer.prober(t, cache)
	cache.OnNetwork("home")
	peer.get(t, pr)
	cache.OnNetwork("home")
	if resumed, _ := peer.get(t, pr); !resumed {
		t.Fatal("on the same network the session was not resumed")
	}
	cache.OnNetwork("café")
	if resumed, _ := peer.get(t, pr); resumed {
		t.Fatal("a session made on another network was offered")
	}
}
