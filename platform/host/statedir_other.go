//go:build !linux && !windows && !darwin

package host

// stateDir on other Unix-like systems follows the Linux layout.
func stateDir() string { return "/var/lib/clearance" }
