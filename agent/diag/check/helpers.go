package check

import (
	"math"
	"time"
)

// NonNil keeps an empty list as [] rather than null in the JSON output:
// the contract (docs/contracts.md) never has null for a list.
func NonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// roundSeconds gives d in seconds, rounded to unit (a power of ten of a
// second). Dividing by the power of ten keeps the JSON short: 42.001, not
// 42.00100000000001.
func roundSeconds(d, unit time.Duration) float64 {
	return math.Round(float64(d)/float64(unit)) / (float64(time.Second) / float64(unit))
}

// floatMillis gives d in milliseconds, to the microsecond.
func floatMillis(d time.Duration) float64 { return math.Round(float64(d)/1e3) / 1e3 }

// truncSeconds gives d in whole seconds, towards zero.
func truncSeconds(d time.Duration) float64 { return d.Truncate(time.Second).Seconds() }

// unique keeps the first of items with the same key, and drops empty ones:
// a server listed twice must not vote twice.
func unique(items []string, key func(string) string) []string {
	seen := map[string]bool{}
	var out []string
	for _, it := range items {
		if k := key(it); it != "" && !seen[k] {
			seen[k] = true
			out = append(out, it)
		}
	}
	return out
}

// compact keeps the values of the non-nil pointers, in order.
func compact[T any](ps []*T) []T {
	var out []T
	for _, p := range ps {
		if p != nil {
			out = append(out, *p)
		}
	}
	return out
}
