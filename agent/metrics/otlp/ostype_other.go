//go:build !linux && !windows && !darwin

package otlp

// osType is left out where the agent does not run.
const osType = ""
