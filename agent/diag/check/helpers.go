package check

// nonNil keeps an empty list as [] rather than null in the JSON output.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
