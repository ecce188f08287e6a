// Package ntptest runs a small NTP server on 127.0.0.1 for tests: an honest
// one, a skewed one, one that sends a kiss-of-death, garbage or nothing at
// all. It answers on loopback (or, through ServeConn, on a socket a test
// opened inside a network namespace of its own) and never touches the
// machine's clock.
package ntptest

import (
	"encoding/binary"
	"errors"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/clearance-app/clearance/internal/winegap"
)

// Options shape the server's answers. The zero value is an honest,
// synchronized stratum-2 server.
type Options struct {
	// Offset is how far the server's clock is from this machine's: a server
	// 42 s ahead has Offset 42 s.
	Offset time.Duration
	// Kiss, when set, makes every answer a kiss-of-death with this code
	// ("RATE", "DENY", "RSTR").
	Kiss string
	// Poll is the poll exponent (log2 seconds) in answers; a RATE kiss uses
	// it to ask for a longer interval. Default 6 (64 s).
	Poll int8
	// Stratum of the answers; 0 means 2. Ignored with Kiss (always 0).
	Stratum uint8
	// Leap is the leap indicator; 3 means "not synchronized".
	Leap uint8
	// RootDelay and RootDispersion are the server's claimed error budget.
	RootDelay, RootDispersion time.Duration
	// Garbage answers every query with bytes that are not NTP.
	Garbage bool
	// Silent receives queries but never answers (UDP 123 dropped on the way).
	Silent bool
	// Reply, when set, builds the answer to a query instead; nil sends nothing.
	Reply func(query []byte) []byte
	// Now is the server's reference clock before Offset; default time.Now.
	Now func() time.Time
}

// Server is a running responder.
type Server struct {
	// Addr is "127.0.0.1:port", ready for the NTP client.
	Addr    string
	queries atomic.Int64
}

// Queries returns how many datagrams the server has received.
func (s *Server) Queries() int { return int(s.queries.Load()) }

// Serve starts a responder on 127.0.0.1:0 and stops it when the test ends.
func Serve(t testing.TB, opts Options) *Server {
	t.Helper()
	winegap.SkipIfNo(t, winegap.UDP)
	pc, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("ntptest: listen: %v", err)
	}
	s, wait := ServeConn(pc, opts)
	t.Cleanup(func() {
		pc.Close()
		wait()
	})
	return s
}

// ServeConn answers on pc until it is closed, for a program that is not a
// test (a helper serving inside a network namespace); wait returns once it
// has stopped.
func ServeConn(pc net.PacketConn, opts Options) (s *Server, wait func()) {
	s = &Server{Addr: pc.LocalAddr().String()}
	var wg sync.WaitGroup
	wg.Go(func() { s.serve(pc, opts) })
	return s, wg.Wait
}

func (s *Server) serve(pc net.PacketConn, opts Options) {
	buf := make([]byte, 2048)
	for {
		n, from, err := pc.ReadFrom(buf)
		if errors.Is(err, net.ErrClosed) {
			return
		}
		if err != nil {
			continue
		}
		s.queries.Add(1)
		if reply := answer(buf[:n], opts); reply != nil {
			pc.WriteTo(reply, from) // a lost answer is what UDP does; the client times out
		}
	}
}

func answer(query []byte, opts Options) []byte {
	switch {
	case opts.Silent:
		return nil
	case opts.Reply != nil:
		return opts.Reply(query)
	case opts.Garbage:
		return []byte("this is not an NTP packet")
	case len(query) < packetSize:
		return nil
	}
	return Packet(query, opts)
}

// packetSize is the length of an NTP header without extensions.
const packetSize = 48

// Packet builds the server's answer to query, as Serve would send it.
// Exported so that tests can mangle a well-formed answer.
func Packet(query []byte, opts Options) []byte {
	now := time.Now
	if opts.Now != nil {
		now = opts.Now
	}
	received := now().Add(opts.Offset)
	version := uint8(4)
	if len(query) > 0 {
		version = (query[0] >> 3) & 7
	}
	stratum, refID, leap := opts.Stratum, []byte("LOCL"), opts.Leap&3
	if stratum == 0 {
		stratum = 2
	}
	if opts.Kiss != "" {
		stratum, leap = 0, 3
		refID = []byte((opts.Kiss + "    ")[:4])
	}
	poll := opts.Poll
	if poll == 0 {
		poll = 6
	}
	p := make([]byte, packetSize)
	p[0] = leap<<6 | version<<3 | 4 // mode 4: server
	p[1] = stratum
	p[2] = byte(poll)
	p[3] = 0xec // precision 2^-20 s, about 1 µs
	binary.BigEndian.PutUint32(p[4:], short(opts.RootDelay))
	binary.BigEndian.PutUint32(p[8:], short(opts.RootDispersion))
	copy(p[12:16], refID)
	binary.BigEndian.PutUint64(p[16:], stamp(received.Add(-16*time.Second))) // last synced 16 s ago
	if len(query) >= packetSize {
		copy(p[24:32], query[40:48]) // origin: the client's transmit timestamp, echoed
	}
	binary.BigEndian.PutUint64(p[32:], stamp(received))
	binary.BigEndian.PutUint64(p[40:], stamp(now().Add(opts.Offset)))
	return p
}

// ntpEpochOffset is the number of seconds from 1900 (NTP era 0) to 1970.
const ntpEpochOffset = 2208988800

// stamp encodes t as a 64-bit NTP timestamp (era 0, valid until 2036).
func stamp(t time.Time) uint64 {
	secs := uint64(t.Unix() + ntpEpochOffset)
	frac := uint64(t.Nanosecond()) << 32 / uint64(time.Second)
	return secs<<32 | frac
}

// short encodes d as NTP's 32-bit 16.16 fixed-point seconds.
func short(d time.Duration) uint32 {
	if d <= 0 {
		return 0
	}
	return uint32(uint64(d) << 16 / uint64(time.Second))
}
