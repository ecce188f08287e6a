//go:build !windows && !darwin

package browser

// Linux and the BSDs follow the XDG base directories.
func places(home string, getenv func(string) string) []place { return linuxPlaces(home, getenv) }
