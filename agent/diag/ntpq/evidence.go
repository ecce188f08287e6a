package ntpq

import "time"

// DateSample turns an HTTP Date header into a sample. The server stamped
// date somewhere between sent and received (local times around the request
// and its first response byte), and Date is cut to the whole second, so
// true time then was within [date, date+1s). Both uncertainties go into the
// error bar; the estimate takes the middle of each.
func DateSample(source string, date, sent, received time.Time) Sample {
	if received.Before(sent) {
		sent, received = received, sent
	}
	half := received.Sub(sent) / 2
	local := sent.Add(half)
	truth := date.Add(500 * time.Millisecond)
	return Sample{
		Source: source,
		Method: MethodHTTPSDate,
		Offset: local.Sub(truth),
		Bound:  half + 500*time.Millisecond,
		RTT:    received.Sub(sent),
	}
}

// CertificateBound reads clock evidence from a certificate refused for its
// dates, assuming the server's certificate is valid at the true time. When
// now is before notBefore the local clock is at least notBefore−now behind:
// the bound is now−notBefore (negative). When now is after notAfter it is at
// least now−notAfter ahead (positive). ok is false when now is within the
// dates: then the dates are not why it was refused.
func CertificateBound(now, notBefore, notAfter time.Time) (bound time.Duration, ok bool) {
	switch {
	case now.Before(notBefore):
		return now.Sub(notBefore), true
	case now.After(notAfter):
		return now.Sub(notAfter), true
	}
	return 0, false
}

// WeakestBound picks, from certificate bounds, the one closest to zero: each
// is a lower limit on how wrong the clock is, and the weakest claim is the
// one every certificate supports (one host's truly expired certificate must
// not inflate it). Bounds pointing both ways contradict each other: no
// conclusion.
func WeakestBound(bounds []time.Duration) (time.Duration, bool) {
	if len(bounds) == 0 {
		return 0, false
	}
	w := bounds[0]
	for _, b := range bounds[1:] {
		if (b < 0) != (w < 0) {
			return 0, false
		}
		if b.Abs() < w.Abs() {
			w = b
		}
	}
	return w, true
}
