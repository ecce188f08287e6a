// Package crashpoint marks the steps of a fix after which a crash leaves
// something for the next start to finish, so that a test can kill the
// process at exactly that point (cmd/clearance/crash_linux_test.go).
//
// Only a binary built with the build tag crashpoints can be killed this
// way: in any other build Here is an empty function, and the program reads
// no environment variable for it and holds no code that could kill it.
package crashpoint

// The environment of a crashpoints build.
const (
	// EnvAt names the point to die at: "NAME", its first time, or
	// "NAME#N", its Nth.
	EnvAt = "CLEARANCE_CRASH_AT"
	// EnvTrace is a file that each point reached is appended to, one line
	// "NAME#N<tab>Unix time in nanoseconds", written before
	// the point may kill the process: the test learns the points of an
	// operation, and how far a killed one got.
	EnvTrace = "CLEARANCE_CRASH_TRACE"
)
