package ntpq

import (
	"cmp"
	"fmt"
	"slices"
	"time"

	"github.com/beevik/ntp"
)

// Methods of measurement, as evidence.method names them.
const (
	MethodNTP         = "ntp"
	MethodHTTPSDate   = "https-date"
	MethodCertificate = "certificate"
)

// Sample is one source's measurement of the local clock.
type Sample struct {
	Source string
	Method string // MethodNTP or MethodHTTPSDate
	// Offset is local − true: positive when the local clock is ahead
	// (the opposite sign of beevik/ntp's ClockOffset).
	Offset time.Duration
	// Bound is the error bar: true time lies within Offset ± Bound.
	Bound   time.Duration
	RTT     time.Duration
	Stratum uint8 // NTP only
}

// FromResponse validates an NTP answer (kiss-of-death, stratum, leap,
// dispersion, freshness) and turns it into a sample whose error bar is the
// root distance: half the round trip plus the server's own distance from
// its reference clock.
func FromResponse(server string, r *ntp.Response) (Sample, error) {
	if r == nil {
		return Sample{}, fmt.Errorf("%s: no answer", server)
	}
	if err := r.Validate(); err != nil {
		return Sample{}, fmt.Errorf("answer from %s not usable: %w", server, err)
	}
	return Sample{
		Source:  server,
		Method:  MethodNTP,
		Offset:  -r.ClockOffset,
		Bound:   r.RootDistance,
		RTT:     r.RTT,
		Stratum: r.Stratum,
	}, nil
}

// Tolerance is the least error bar Combine gives any sample. Answers
// within a second of each other agree for Clearance's purpose (warnings
// start at 15 s), and it absorbs an answer up to 64 s old and scheduling
// noise on a busy machine, which a root distance of milliseconds does not.
const Tolerance = time.Second

// Estimate is the combined measurement.
type Estimate struct {
	// Offset is the median offset of Used (local − true).
	Offset time.Duration
	// Used are the samples of the majority that agrees (truechimers).
	Used []Sample
	// Falsetickers disagree with that majority.
	Falsetickers []Sample
	// Split is set when no majority agrees: Used is then empty and every
	// sample is in Falsetickers.
	Split bool
}

// Combine picks the samples that agree and reports their median offset.
//
// The rule is Marzullo's interval intersection, as NTP's own selection
// does: each sample says true time is within Offset ± max(Bound,
// Tolerance); the point covered by the most intervals is found, and if
// more than half of the samples cover it, those are used and the rest are
// falsetickers. Otherwise no majority agrees and nothing is used: with two
// servers 40 s apart there is no telling which is right, and a median of
// the two would be wrong either way.
func Combine(samples []Sample) Estimate {
	if len(samples) == 0 {
		return Estimate{}
	}
	at, count := bestPoint(samples)
	if 2*count <= len(samples) {
		return Estimate{Split: true, Falsetickers: slices.Clone(samples)}
	}
	var e Estimate
	for _, s := range samples {
		lo, hi := interval(s)
		if lo <= at && at <= hi {
			e.Used = append(e.Used, s)
		} else {
			e.Falsetickers = append(e.Falsetickers, s)
		}
	}
	e.Offset = Median(e.Used)
	return e
}

// Setting the clock needs a stricter quorum than reporting it: at least
// StepMinAgreeing samples within StepAgreement of each other, so that
// neither one wrong or hostile server nor two that agree can set the clock,
// and the step is as exact as the servers.
const (
	StepMinAgreeing = 3
	StepAgreement   = 100 * time.Millisecond
)

// StepQuorum is the rule for stepping the clock, beside Combine's for
// measuring it. It finds the largest group of samples whose offsets lie
// within StepAgreement of each other (of groups as large, the one with the
// lowest offsets) and, when it has at least StepMinAgreeing members,
// returns it as Used, with its median as the offset, the other samples as
// Falsetickers, and true. Otherwise it returns every sample as a
// falseticker, Split, and false.
func StepQuorum(samples []Sample) (Estimate, bool) {
	sorted := slices.SortedStableFunc(slices.Values(samples), func(a, b Sample) int {
		return cmp.Compare(a.Offset, b.Offset)
	})
	bestLo, bestN := 0, 0
	hi := 0
	for lo := range sorted {
		for hi < len(sorted) && sorted[hi].Offset-sorted[lo].Offset <= StepAgreement {
			hi++
		}
		if n := hi - lo; n > bestN {
			bestLo, bestN = lo, n
		}
	}
	if bestN < StepMinAgreeing {
		return Estimate{Split: true, Falsetickers: slices.Clone(samples)}, false
	}
	e := Estimate{Used: sorted[bestLo : bestLo+bestN : bestLo+bestN]}
	e.Falsetickers = append(slices.Clone(sorted[:bestLo]), sorted[bestLo+bestN:]...)
	e.Offset = Median(e.Used)
	return e, true
}

func interval(s Sample) (lo, hi time.Duration) {
	b := max(s.Bound, Tolerance)
	return s.Offset - b, s.Offset + b
}

// bestPoint sweeps the interval ends and returns the middle of the first
// stretch covered by the most intervals, and how many cover it.
func bestPoint(samples []Sample) (time.Duration, int) {
	type edge struct {
		at    time.Duration
		delta int // +1 an interval starts, -1 it ends
	}
	edges := make([]edge, 0, 2*len(samples))
	for _, s := range samples {
		lo, hi := interval(s)
		edges = append(edges, edge{lo, +1}, edge{hi, -1})
	}
	// Starts before ends at the same point: touching intervals overlap.
	slices.SortFunc(edges, func(a, b edge) int {
		if a.at != b.at {
			return cmp.Compare(a.at, b.at)
		}
		return b.delta - a.delta
	})
	var best, n int
	var at time.Duration
	for i, e := range edges {
		n += e.delta
		if n > best {
			best = n
			at = e.at + (edges[i+1].at-e.at)/2 // a start is always followed by an end
		}
	}
	return at, best
}

// Median returns the median offset of the samples (the mean of the middle
// two for an even count), or 0 for none.
func Median(samples []Sample) time.Duration {
	if len(samples) == 0 {
		return 0
	}
	offs := make([]time.Duration, len(samples))
	for i, s := range samples {
		offs[i] = s.Offset
	}
	slices.Sort(offs)
	m := len(offs) / 2
	if len(offs)%2 == 1 {
		return offs[m]
	}
	return offs[m-1] + (offs[m]-offs[m-1])/2
}
