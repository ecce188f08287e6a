package finding

import (
	"fmt"
	"math"
	"time"
)

// Wording that findings, check summaries and fix messages share, so that
// a person reads one way of saying one thing.

// DescribeOffset says how wrong the clock is (local − true time): "92
// seconds ahead", "about 3 hours behind", "at least 2 days behind" when
// only a lower bound is known.
func DescribeOffset(d time.Duration, atLeast bool) string {
	dir := "ahead"
	if d < 0 {
		dir = "behind"
	}
	a := d.Abs()
	if a < time.Second {
		return fmt.Sprintf("%.2f seconds %s", a.Seconds(), dir)
	}
	// The unit changes at two of the next one: "90 seconds", "3 minutes".
	n, unit := a.Seconds(), "second"
	for _, u := range []struct {
		size time.Duration
		name string
	}{{24 * time.Hour, "day"}, {time.Hour, "hour"}, {time.Minute, "minute"}} {
		if a >= 2*u.size {
			n, unit = a.Seconds()/u.size.Seconds(), u.name
			break
		}
	}
	prefix := ""
	switch {
	case atLeast:
		n, prefix = math.Floor(n), "at least "
	case unit != "second":
		n, prefix = math.Round(n), "about "
	default:
		n = math.Round(n)
	}
	return prefix + Plural(int(n), unit) + " " + dir
}

// Plural counts things: "1 time server", "3 time servers".
func Plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}

// describeClockSkew is clock-skew's title, from its evidence.
func describeClockSkew(ev map[string]any) string {
	sec, ok := ev["offset_seconds"].(float64)
	if !ok {
		return "The clock is wrong"
	}
	lower, _ := ev["lower_bound"].(bool)
	return "The clock is " + DescribeOffset(time.Duration(sec*float64(time.Second)), lower)
}
