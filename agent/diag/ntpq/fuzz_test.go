package ntpq

import (
	"context"
	"errors"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/clearance-app/clearance/internal/testworld/ntptest"
)

// fuzzServers is how many NTP servers FuzzNTPConsensus asks: enough for a
// majority, a falseticker and a step quorum.
const fuzzServers = 4

// FuzzNTPConsensus sends arbitrary answers from real UDP responders on
// loopback, one 48-byte slice of the input per server, through the client,
// validation and both consensus rules. What may come off the wire must
// not panic the check, a kiss-of-death is never counted as an answer, and
// the estimates keep their promises: every sample is used or a
// falseticker, a majority is a majority, the offset lies among the used
// samples, and a step quorum is StepMinAgreeing samples within
// StepAgreement.
//
// Each responder copies the query's transmit timestamp into the answer's
// origin field, as a real server does, unless the first input byte's low
// bit is set: without the echo every answer would be refused as a
// mismatch, and fuzzing would never reach the consensus.
func FuzzNTPConsensus(f *testing.F) {
	var answers [fuzzServers]atomic.Pointer[[]byte]
	var addrs []string
	for i := range fuzzServers {
		srv := ntptest.Serve(f, ntptest.Options{Reply: func(query []byte) []byte {
			p := slices.Clone(*answers[i].Load())
			if len(p) >= 32 && len(query) >= 48 && p[0]&1 == 0 {
				copy(p[24:32], query[40:48])
			}
			return p
		}})
		addrs = append(addrs, srv.Addr)
	}
	query := make([]byte, 48)
	query[0] = 4<<3 | 3 // NTPv4, client
	packet := func(o ntptest.Options) []byte { return ntptest.Packet(query, o) }
	f.Add(slices.Concat(packet(ntptest.Options{}), packet(ntptest.Options{}), packet(ntptest.Options{Offset: time.Hour}), packet(ntptest.Options{})))
	f.Add(slices.Concat(packet(ntptest.Options{Kiss: "RATE", Poll: 10}), packet(ntptest.Options{Kiss: "DENY"}), packet(ntptest.Options{}), packet(ntptest.Options{})))
	f.Add(slices.Concat(packet(ntptest.Options{Offset: 40 * time.Second}), packet(ntptest.Options{Offset: 40 * time.Second}), packet(ntptest.Options{}), packet(ntptest.Options{})))
	f.Add(slices.Concat(packet(ntptest.Options{Leap: 3}), packet(ntptest.Options{RootDispersion: 20 * time.Second}), packet(ntptest.Options{Stratum: 16}), []byte("not NTP")))

	f.Fuzz(func(t *testing.T, data []byte) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		c := Client{Timeout: 2 * time.Second} // a new client: no memory of the last input's answers
		var samples []Sample
		for i, addr := range addrs {
			p := data[min(i*48, len(data)):min((i+1)*48, len(data))]
			answers[i].Store(&p)
			resp, err := c.Query(ctx, addr)
			if errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("%s: %v", addr, err) // every responder answers at once
			}
			if err != nil {
				continue
			}
			if resp.IsKissOfDeath() {
				t.Fatalf("a kiss-of-death (%q) returned as an answer", resp.KissCode)
			}
			s, err := FromResponse(addr, resp)
			if err != nil {
				continue
			}
			if len(p) < 2 || p[1] == 0 {
				t.Fatalf("answer %x of stratum 0 (a kiss-of-death) counted: %+v", p, s)
			}
			if s.Bound < 0 || s.RTT < 0 {
				t.Fatalf("sample %+v", s)
			}
			samples = append(samples, s)
		}
		checkEstimate(t, samples, Combine(samples), !Combine(samples).Split)
		e, ok := StepQuorum(samples)
		checkEstimate(t, samples, e, ok)
		if ok && (len(e.Used) < StepMinAgreeing || e.Used[len(e.Used)-1].Offset-e.Used[0].Offset > StepAgreement) {
			t.Fatalf("step quorum of %+v", e.Used)
		}
	})
}

// checkEstimate: every sample is used or a falseticker; a majority or a
// quorum has samples and an offset among them; a split uses none.
func checkEstimate(t *testing.T, samples []Sample, e Estimate, agreed bool) {
	t.Helper()
	if len(e.Used)+len(e.Falsetickers) != len(samples) {
		t.Fatalf("%d used and %d falsetickers of %d samples", len(e.Used), len(e.Falsetickers), len(samples))
	}
	if !agreed {
		if len(e.Used) != 0 && len(samples) > 0 {
			t.Fatalf("no agreement, yet %d used", len(e.Used))
		}
		return
	}
	if len(samples) == 0 {
		return
	}
	if 2*len(e.Used) <= len(samples) && len(e.Used) < StepMinAgreeing {
		t.Fatalf("%d of %d samples are no majority", len(e.Used), len(samples))
	}
	lo, hi := e.Used[0].Offset, e.Used[0].Offset
	for _, s := range e.Used {
		lo, hi = min(lo, s.Offset), max(hi, s.Offset)
	}
	if e.Offset < lo || e.Offset > hi {
		t.Fatalf("offset %v outside the used samples' %v..%v", e.Offset, lo, hi)
	}
}
