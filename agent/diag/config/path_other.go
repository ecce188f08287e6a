//go:build !windows && !darwin

package config

// systemPath is where the machine-wide configuration lives.
func systemPath() string { return "/etc/clearance/config.toml" }
