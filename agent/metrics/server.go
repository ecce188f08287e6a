package metrics

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"
	"golang.org/x/net/netutil"
)

// The listener's bounds. A scraper makes one request every few seconds;
// anyone else who can reach the port gets at most maxConns connections at
// a time (the others wait in the kernel's queue until one ends), each cut
// off when it sends its headers too slowly, or idles.
const (
	maxConns          = 8
	readHeaderTimeout = 5 * time.Second
	readTimeout       = 10 * time.Second
	writeTimeout      = 30 * time.Second
	idleTimeout       = 30 * time.Second
	maxHeaderBytes    = 8 << 10
	shutdownGrace     = 5 * time.Second
)

// Server serves GET /metrics on one address. It reads the Exporter and
// nothing else: it has no part of the API's authority and runs no fix.
type Server struct {
	srv  *http.Server
	ln   net.Listener
	done chan error
}

// Listen opens addr (host:port) and serves the Exporter's metrics there
// until Close; what goes wrong with a connection goes to log (nil: nowhere).
func (e *Exporter) Listen(addr string, log *slog.Logger) (*Server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	return e.serve(ln, log, nil), nil
}

// serve answers on ln; connState, when set, hears of every connection's
// changes (the tests count them).
func (e *Exporter) serve(ln net.Listener, log *slog.Logger, connState func(net.Conn, http.ConnState)) *Server {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	errLog := slog.NewLogLogger(log.Handler(), slog.LevelWarn)
	s := &Server{
		srv: &http.Server{
			Handler:           e.handler(errLog),
			ReadHeaderTimeout: readHeaderTimeout,
			ReadTimeout:       readTimeout,
			WriteTimeout:      writeTimeout,
			IdleTimeout:       idleTimeout,
			MaxHeaderBytes:    maxHeaderBytes,
			ErrorLog:          errLog,
			ConnState:         connState,
		},
		ln:   ln,
		done: make(chan error, 1),
	}
	go func() { s.done <- s.srv.Serve(netutil.LimitListener(ln, maxConns)) }()
	return s
}

// Addr is the address listened on.
func (s *Server) Addr() net.Addr { return s.ln.Addr() }

// Close stops listening, lets scrapes in progress finish for a moment,
// then drops them.
func (s *Server) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	err := s.srv.Shutdown(ctx)
	if err != nil {
		s.srv.Close()
	}
	if serr := <-s.done; !errors.Is(serr, http.ErrServerClosed) && err == nil {
		err = serr
	}
	return err
}

// handler answers GET and HEAD on /metrics; any other path is 404, any
// other method 405.
func (e *Exporter) handler(errLog promhttp.Logger) http.Handler {
	prom := promhttp.HandlerFor(e.served, promhttp.HandlerOpts{
		ErrorLog:            errLog,
		ErrorHandling:       promhttp.ContinueOnError,
		MaxRequestsInFlight: maxConns,
	})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/metrics" {
			http.NotFound(w, r)
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "only GET and HEAD are served here: the metrics are read-only", http.StatusMethodNotAllowed)
			return
		}
		prom.ServeHTTP(w, r)
	})
}
