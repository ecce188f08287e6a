package check

import "sync"

// concurrently calls f on every item at once and returns the results in
// the order of items.
func concurrently[T, R any](items []T, f func(T) R) []R {
	out := make([]R, len(items))
	var wg sync.WaitGroup
	for i, it := range items {
		wg.Go(func() { out[i] = f(it) })
	}
	wg.Wait()
	return out
}

// nonNil keeps an empty list as [] rather than null in the JSON output.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
