package cftest

import (
	"crypto/tls"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
)

// Handshakes counts the TLS handshakes a server completed, and how many of
// them resumed an earlier session: what a client's session cache saves
// shows here, at the peer.
type Handshakes struct {
	full, resumed atomic.Int64
}

// Count makes the server configuration cfg count its handshakes in h,
// through VerifyConnection, which a server calls on every handshake,
// resumed or not (a VerifyConnection cfg had still runs).
func (h *Handshakes) Count(cfg *tls.Config) {
	prev := cfg.VerifyConnection
	cfg.VerifyConnection = func(cs tls.ConnectionState) error {
		if cs.DidResume {
			h.resumed.Add(1)
		} else {
			h.full.Add(1)
		}
		if prev != nil {
			return prev(cs)
		}
		return nil
	}
}

// Full is the number of full handshakes so far.
func (h *Handshakes) Full() int64 { return h.full.Load() }

// Resumed is the number of resumed handshakes so far.
func (h *Handshakes) Resumed() int64 { return h.resumed.Load() }

// NewServerTLS is NewServer with the server's TLS configuration set up by
// configure before it starts (to count its handshakes, say).
func NewServerTLS(tb testing.TB, h http.Handler, configure func(*tls.Config)) *httptest.Server {
	tb.Helper()
	srv := httptest.NewUnstartedServer(h)
	srv.TLS = &tls.Config{}
	configure(srv.TLS)
	quiet(srv)
	srv.StartTLS()
	tb.Cleanup(srv.Close)
	return srv
}
