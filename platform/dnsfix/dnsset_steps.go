package dnsfix

import "github.com/clearance-app/clearance/platform/crashpoint"

// The steps of dns-public and dns-restore after which a crash leaves
// something for the next start to finish. Each is marked in the code with
// dnsStep, so that a test can kill the process at exactly that point and
// check what the next start makes of it (dnsset_crash_linux_test.go).
const (
	stepJournalTemp    = "journal-temp"     // a journal's temporary file is written, not yet renamed
	stepJournalWritten = "journal-written"  // the journal is in place; ":" and its phase follow
	stepJournalRemoved = "journal-removed"  // the journal is gone
	stepFileTemp       = "file-temp"        // the new resolv.conf is in a temporary file beside it
	stepFileTempOwned  = "file-temp-owned"  // … which has the old file's owner, and is not yet renamed
	stepFileRenamed    = "file-renamed"     // … renamed over the old file, and the directory synced
	stepInPlaceWritten = "in-place-written" // resolv.conf rewritten in place, not yet synced
	stepInPlaceSynced  = "in-place-synced"  // … and synced, with its padding
	stepInPlaceTrimmed = "in-place-trimmed" // … and the padding cut off and synced
)

// dnsStepHook is nil outside tests. A test's child process sets it to kill
// itself at a chosen step.
var dnsStepHook func(step string)

// dnsStep marks that step of a DNS change as done, as a crash point of the
// binary ("dns:" and the step) too, for the tests that kill the program.
func dnsStep(step string) {
	crashpoint.Here("dns:" + step)
	if dnsStepHook != nil {
		dnsStepHook(step)
	}
}
