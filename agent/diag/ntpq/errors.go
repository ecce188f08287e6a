package ntpq

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"syscall"
	"time"

	"github.com/beevik/ntp"
)

// ErrClockChanged is returned for a server asked less than MinInterval ago
// when the local clock has been stepped since: its answer measured the old
// clock, and asking again so soon would be rude.
var ErrClockChanged = errors.New("the local clock changed since this server last answered; it is asked again once 64 s have passed")

// errForeignStore is a store file that is not ours, or not whole: it is
// ignored and replaced on the next save.
var errForeignStore = errors.New("not a clearance ntp store")

// KissError is a kiss-of-death: the server told us to go away for a while
// (RATE) or for good (DENY, RSTR). Until then the client does not ask it.
// errors.Is(err, ntp.ErrKissOfDeath) holds.
type KissError struct {
	Server string
	Code   string // "RATE", "DENY", "RSTR", …; "" when unreadable
	Until  time.Time
}

func (e *KissError) Error() string {
	when := e.Until.UTC().Format("15:04:05 UTC")
	switch e.Code {
	case "RATE":
		return fmt.Sprintf("%s asked us to slow down (kiss code RATE); not asking it again before %s", e.Server, when)
	case "DENY", "RSTR":
		return fmt.Sprintf("%s refuses to serve us (kiss code %s); not asking it again before %s", e.Server, e.Code, when)
	}
	return fmt.Sprintf("%s sent a kiss-of-death (code %q); not asking it again before %s", e.Server, e.Code, when)
}

func (e *KissError) Unwrap() error { return ntp.ErrKissOfDeath }

// recalledError is a failed query remembered in a Store, perhaps from
// another process: only its reason survives the trip.
type recalledError struct {
	server, reason string
}

func (e *recalledError) Error() string {
	return fmt.Sprintf("ntp query to %s failed less than 64 s ago: %s", e.server, e.reason)
}

// Reason says in plain words why a server's answer was not used, for the
// check's data. Unknown errors keep their own text.
func Reason(err error) string {
	var kiss *KissError
	var dns *net.DNSError
	var recalled *recalledError
	switch {
	case err == nil:
		return ""
	case errors.As(err, &recalled):
		return recalled.reason
	case errors.Is(err, ErrClockChanged):
		return ErrClockChanged.Error()
	case errors.As(err, &kiss):
		return kiss.Error()
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled), errors.Is(err, os.ErrDeadlineExceeded):
		return "no answer in time (UDP port 123 may be blocked)"
	case errors.As(err, &dns):
		return "the server's name does not resolve"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "refused: nothing answers on that port"
	case errors.Is(err, ntp.ErrKissOfDeath):
		return "kiss-of-death: the server refused to give the time"
	case errors.Is(err, ntp.ErrInvalidStratum), errors.Is(err, ntp.ErrServerNotSynchronized):
		return "the server is not synchronized itself (stratum)"
	case errors.Is(err, ntp.ErrInvalidLeapSecond):
		return "the server says its clock is not synchronized (leap indicator)"
	case errors.Is(err, ntp.ErrInvalidDispersion):
		return "the server's own error margin is too large (root dispersion)"
	case errors.Is(err, ntp.ErrServerClockFreshness):
		return "the server has not synchronized for over 36 hours"
	case errors.Is(err, ntp.ErrInvalidMode), errors.Is(err, ntp.ErrServerResponseMismatch),
		errors.Is(err, ntp.ErrInvalidTime), errors.Is(err, ntp.ErrInvalidTransmitTime),
		errors.Is(err, ntp.ErrServerTickedBackwards):
		return "the answer was malformed"
	}
	return err.Error()
}
