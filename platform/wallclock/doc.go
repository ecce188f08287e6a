// Package wallclock is the wall clock the clock check measures, and the
// watch that says when it was set.
//
// In the product, Now is time.Now and WatchSteps is the operating system's
// watch (timesync.WatchJumps). A binary built with the build tag fakeclock
// reads instead an offset from the file named by EnvOffset, so that a test
// can step the wall clock under a running agent without touching the
// machine's own clock (Linux time namespaces move only the monotonic and
// boot clocks): cmd/clearance/faults_clock_linux_test.go. Outside such a
// build the program reads no environment variable for it.
package wallclock

// EnvOffset names, in a fakeclock build, a file holding the offset added to
// the real wall clock, as a Go duration ("2h", "-90s"); a missing or empty
// file is no offset. WatchSteps reports each change of the file.
const EnvOffset = "CLEARANCE_FAKE_CLOCK"
