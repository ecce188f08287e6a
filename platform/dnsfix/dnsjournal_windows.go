package dnsfix

import (
	"context"

	"github.com/clearance-app/clearance/platform"
)

// keepJournalPrivate: who may read the journal is decided by the access
// list it inherits from the state folder, not by mode bits.
func keepJournalPrivate(context.Context, *platform.Changes, string) error { return nil }
