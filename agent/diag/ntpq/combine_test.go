package ntpq

import (
	"slices"
	"testing"
	"time"
)

func ms(n int) time.Duration { return time.Duration(n) * time.Millisecond }

func sample(src string, off, bound time.Duration) Sample {
	return Sample{Source: src, Method: MethodNTP, Offset: off, Bound: bound}
}

func sources(ss []Sample) []string {
	var out []string
	for _, s := range ss {
		out = append(out, s.Source)
	}
	return out
}

func TestCombine(t *testing.T) {
	for _, tc := range []struct {
		name    string
		in      []Sample
		want    time.Duration
		used    []string
		falsies []string
		split   bool
	}{
		{
			name: "none",
		},
		{
			name: "one",
			in:   []Sample{sample("a", 92*time.Second, ms(20))},
			want: 92 * time.Second, used: []string{"a"},
		},
		{
			name: "one falseticker among three honest",
			in: []Sample{
				sample("a", ms(-42010), ms(15)), sample("liar", ms(300), ms(5)),
				sample("b", ms(-42000), ms(20)), sample("c", ms(-41990), ms(30)),
			},
			want: -42 * time.Second, used: []string{"a", "b", "c"}, falsies: []string{"liar"},
		},
		{
			name:  "two that disagree: no majority",
			in:    []Sample{sample("a", 0, ms(10)), sample("b", 40*time.Second, ms(10))},
			split: true, falsies: []string{"a", "b"},
		},
		{
			name: "even count: mean of the middle two",
			in: []Sample{
				sample("a", ms(100), ms(1)), sample("b", ms(200), ms(1)),
				sample("c", ms(300), ms(1)), sample("d", ms(400), ms(1)),
			},
			want: ms(250), used: []string{"a", "b", "c", "d"},
		},
		{
			name: "small differences agree: the tolerance is a second",
			in:   []Sample{sample("a", 0, ms(1)), sample("b", ms(1500), ms(1)), sample("c", ms(700), ms(1))},
			want: ms(700), used: []string{"a", "b", "c"},
		},
		{
			name: "a wide error bar reaches further",
			in: []Sample{
				sample("a", 10*time.Second, ms(1)), sample("b", 10*time.Second, ms(1)),
				sample("slow", 13*time.Second, 4*time.Second), sample("off", 30*time.Second, ms(1)),
			},
			want: 10 * time.Second, used: []string{"a", "b", "slow"}, falsies: []string{"off"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := Combine(tc.in)
			if e.Offset != tc.want || e.Split != tc.split ||
				!slices.Equal(sources(e.Used), tc.used) || !slices.Equal(sources(e.Falsetickers), tc.falsies) {
				t.Errorf("Combine = offset %v, used %v, falsetickers %v, split %v; want %v, %v, %v, %v",
					e.Offset, sources(e.Used), sources(e.Falsetickers), e.Split, tc.want, tc.used, tc.falsies, tc.split)
			}
		})
	}
}

// The quorum for stepping the clock, over samples as the servers in the
// comments would give them: the largest group within 100 ms wins when it
// has three members, whatever else answered.
func TestStepQuorum(t *testing.T) {
	at := func(pairs ...any) []Sample {
		var out []Sample
		for i := 0; i < len(pairs); i += 2 {
			out = append(out, sample(pairs[i].(string), ms(pairs[i+1].(int)), ms(10)))
		}
		return out
	}
	for _, tc := range []struct {
		name    string
		in      []Sample
		ok      bool
		want    time.Duration
		used    []string
		falsies []string
	}{
		{name: "none"},
		{name: "two agree: too few", in: at("a", 0, "b", 50), falsies: []string{"a", "b"}},
		{name: "three within 100 ms, inclusive", in: at("a", 0, "b", 50, "c", 100), ok: true, want: ms(50), used: []string{"a", "b", "c"}},
		{name: "three spread over 101 ms", in: at("a", 0, "b", 50, "c", 101), falsies: []string{"a", "b", "c"}},
		{
			name: "a falseticker and two groups that disagree: the larger sets the clock",
			// Three servers say the clock is 92 s ahead, two say 5 s behind,
			// and one is an hour off.
			in: at("a", 92000, "x", -5000, "b", 92060, "liar", 3600000, "y", -4990, "c", 92090),
			ok: true, want: ms(92060), used: []string{"a", "b", "c"}, falsies: []string{"x", "y", "liar"},
		},
		{
			name:    "a falseticker and two groups of two: no quorum",
			in:      at("a", 92000, "b", 92060, "x", -5000, "y", -4990, "liar", 3600000),
			falsies: []string{"a", "b", "x", "y", "liar"},
		},
		{
			name: "two groups of three: the lower offsets win",
			in:   at("a", 5000, "x", 0, "y", 40, "b", 5050, "z", 80, "c", 5090),
			ok:   true, want: ms(40), used: []string{"x", "y", "z"}, falsies: []string{"a", "b", "c"},
		},
		{name: "even group: mean of the middle two", in: at("a", 0, "b", 10, "c", 20, "d", 30, "liar", 9000), ok: true, want: ms(15), used: []string{"a", "b", "c", "d"}, falsies: []string{"liar"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e, ok := StepQuorum(tc.in)
			if ok != tc.ok || e.Offset != tc.want || !slices.Equal(sources(e.Used), tc.used) || !slices.Equal(sources(e.Falsetickers), tc.falsies) || e.Split == ok {
				t.Errorf("StepQuorum = %v, %v, used %v, falsetickers %v, split %v; want %v, %v, used %v, falsetickers %v",
					ok, e.Offset, sources(e.Used), sources(e.Falsetickers), e.Split, tc.ok, tc.want, tc.used, tc.falsies)
			}
		})
	}
}

func TestDateSample(t *testing.T) {
	local := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	// The server's clock reads 12:01:32.x while ours reads 12:00:00.2 at the
	// middle of a 400 ms exchange: we are about 92 s behind.
	s := DateSample("h", local.Add(92*time.Second), local, local.Add(ms(400)))
	if s.Offset != ms(-92300) || s.Bound != ms(700) || s.Method != MethodHTTPSDate {
		t.Errorf("DateSample = %+v, want offset −92.3s, bound 0.7s", s)
	}
}

func TestCertificateBound(t *testing.T) {
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name          string
		before, after time.Time
		want          time.Duration
		ok            bool
	}{
		{"not yet valid: at least 2 h behind", now.Add(2 * time.Hour), now.Add(90 * 24 * time.Hour), -2 * time.Hour, true},
		{"expired: at least 3 days ahead", now.Add(-90 * 24 * time.Hour), now.Add(-72 * time.Hour), 72 * time.Hour, true},
		{"valid dates: no evidence", now.Add(-time.Hour), now.Add(time.Hour), 0, false},
	} {
		got, ok := CertificateBound(now, tc.before, tc.after)
		if got != tc.want || ok != tc.ok {
			t.Errorf("%s: got %v %v, want %v %v", tc.name, got, ok, tc.want, tc.ok)
		}
	}
}

func TestWeakestBound(t *testing.T) {
	if b, ok := WeakestBound([]time.Duration{-3 * time.Hour, -2 * time.Hour, -5 * time.Hour}); !ok || b != -2*time.Hour {
		t.Errorf("got %v %v, want −2h", b, ok)
	}
	if _, ok := WeakestBound([]time.Duration{-time.Hour, time.Hour}); ok {
		t.Error("contradicting bounds gave a conclusion")
	}
	if _, ok := WeakestBound(nil); ok {
		t.Error("no bounds gave a conclusion")
	}
}
