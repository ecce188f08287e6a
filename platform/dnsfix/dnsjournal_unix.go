//go:build unix

package dnsfix

import (
	"context"
	"fmt"
	"os"

	"github.com/clearance-app/clearance/platform"
)

// keepJournalPrivate makes the journal at path readable by root only,
// when it is not: it holds a copy of the person's own DNS settings (a
// whole resolv.conf, with its search domains), and a journal left 0644 by
// an older Clearance would otherwise stay so until its next write, which
// may be months away.
func keepJournalPrivate(ctx context.Context, ch *platform.Changes, path string) error {
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm()&0o077 == 0 {
		return err
	}
	return ch.Do(ctx, fmt.Sprintf("make %s readable by root only (it holds a copy of the DNS settings)", path), func(context.Context) error {
		return os.Chmod(path, 0o600)
	})
}
