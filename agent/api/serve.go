package api

import (
	"cmp"
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"time"
)

// shutdownGrace is how long a stopping server lets requests in progress (a
// running fix) finish before it drops their connections.
const shutdownGrace = 30 * time.Second

// Serve answers the API on ln (see Listen) until ctx ends, then stops:
// event streams end at once, other requests get a grace period. It returns
// nil after a stop that ctx asked for, or the listener's error.
//
// Connections over the limits (see connCounter) are answered 503 as they
// are accepted.
func (h *Handler) Serve(ctx context.Context, ln net.Listener) error {
	ln = newLimitListener(ln, h, cmp.Or(h.cfg.connLimit, connLimit()), cmp.Or(h.cfg.connsPerUser, maxConnsPerUser))
	srv := &http.Server{
		Handler:           h,
		ConnContext:       ConnContext,
		BaseContext:       func(net.Listener) context.Context { return ctx }, // ends the streams
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    16 << 10,
		ErrorLog:          slog.NewLogLogger(h.cfg.Log.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	err := srv.Shutdown(sctx)
	if err != nil {
		srv.Close()
	}
	if serr := <-errc; !errors.Is(serr, http.ErrServerClosed) && err == nil {
		err = serr
	}
	h.streams.Wait() // Shutdown does not see them; they end with ctx
	return err
}
