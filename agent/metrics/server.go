package metrics

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/common/expfmt"
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
// until Close. What goes wrong with the server itself goes to log (nil:
// nowhere); report (nil: nobody) hears of every scrape, with the error
// when the metrics could not be encoded and nil when they were, for the
// agent to log a failure once until it changes. A client that goes away
// mid-answer is its own business and reported to nobody: anyone who can
// reach the port could otherwise fill root's log.
func (e *Exporter) Listen(addr string, log *slog.Logger, report func(error)) (*Server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	return e.serve(ln, log, report, nil), nil
}

// serve answers on ln; connState, when set, hears of every connection's
// changes (the tests count them).
func (e *Exporter) serve(ln net.Listener, log *slog.Logger, report func(error), connState func(net.Conn, http.ConnState)) *Server {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if report == nil {
		report = func(error) {}
	}
	errLog := slog.NewLogLogger(log.Handler(), slog.LevelWarn)
	s := &Server{
		srv: &http.Server{
			Handler: e.handler(report),
			// "OPTIONS *" would otherwise be answered 200 by net/http
			// itself; here it reaches the handler, which allows GET
			// and HEAD only.
			DisableGeneralOptionsHandler: true,
			ReadHeaderTimeout:            readHeaderTimeout,
			ReadTimeout:                  readTimeout,
			WriteTimeout:                 writeTimeout,
			IdleTimeout:                  idleTimeout,
			MaxHeaderBytes:               maxHeaderBytes,
			ErrorLog:                     errLog,
			ConnState:                    connState,
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

// handler answers GET and HEAD on /metrics, in the format the scraper
// asks for (the text format unless it asks for another Prometheus reads);
// any other path is 404, any other method 405, as is "OPTIONS *". The
// answer is encoded whole before a byte is sent, so that a failure is a
// 500 rather than a cut-off exposition.
func (e *Exporter) handler(report func(error)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.RequestURI == "*":
			notAllowed(w)
			return
		case r.URL.Path != "/metrics":
			http.NotFound(w, r)
			return
		case r.Method != http.MethodGet && r.Method != http.MethodHead:
			notAllowed(w)
			return
		}
		format := expfmt.NegotiateAccept(r.Header, expfmt.DefaultAcceptedFormats()...)
		var buf bytes.Buffer
		err := encode(&buf, format, e.served())
		report(err)
		if err != nil {
			http.Error(w, "the metrics could not be encoded; the agent's log says why", http.StatusInternalServerError)
			return
		}
		h := w.Header()
		h.Set("Content-Type", string(format))
		h.Set("Content-Length", strconv.Itoa(buf.Len()))
		if r.Method == http.MethodHead {
			return
		}
		w.Write(buf.Bytes()) // an error is the client's going away: see Listen
	})
}

func notAllowed(w http.ResponseWriter) {
	w.Header().Set("Allow", "GET, HEAD")
	http.Error(w, "only GET and HEAD are served here: the metrics are read-only", http.StatusMethodNotAllowed)
}
