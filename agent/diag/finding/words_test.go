package finding

import (
	"testing"
	"time"
)

func TestDescribeOffset(t *testing.T) {
	for _, tc := range []struct {
		d       time.Duration
		atLeast bool
		want    string
	}{
		{92 * time.Second, false, "92 seconds ahead"},
		{-time.Second, false, "1 second behind"},
		{-250 * time.Millisecond, false, "0.25 seconds behind"},
		{15 * time.Minute, false, "about 15 minutes ahead"},
		{-(2*time.Hour + 50*time.Minute), false, "about 3 hours behind"},
		{-(2*time.Hour + 50*time.Minute), true, "at least 2 hours behind"},
		{5 * 24 * time.Hour, true, "at least 5 days ahead"},
	} {
		if got := DescribeOffset(tc.d, tc.atLeast); got != tc.want {
			t.Errorf("DescribeOffset(%v, %v) = %q, want %q", tc.d, tc.atLeast, got, tc.want)
		}
	}
}

// clock-skew's title is written from its evidence, the same words as the
// check's summary and the time-sync fix's message.
func TestClockSkewTitle(t *testing.T) {
	for _, tc := range []struct {
		ev   map[string]any
		want string
	}{
		{map[string]any{"offset_seconds": 92.004}, "The clock is 92 seconds ahead"},
		{map[string]any{"offset_seconds": -7200.0, "lower_bound": true}, "The clock is at least 2 hours behind"},
		{map[string]any{}, "The clock is wrong"},
	} {
		if got := ClockSkew.New(time.Now(), tc.ev).Title; got != tc.want {
			t.Errorf("evidence %v: title %q, want %q", tc.ev, got, tc.want)
		}
	}
}
