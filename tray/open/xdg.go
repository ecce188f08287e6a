package open

import (
	"context"
	"errors"
	"fmt"

	"github.com/clearance-app/clearance/platform"
)

// The freedesktop.org way (Linux, the BSDs), untagged so that every OS
// tests it.

// xdgOpenFile hands a document's path (not a file:// URL, which some
// desktops' handlers refuse) to xdg-open, which opens it with the
// desktop's program for its type.
func (o *Opener) xdgOpenFile(ctx context.Context, path string) error {
	return o.xdgOpen(ctx, path, "no program to open this kind of file is set up on this desktop", "the program for it did not start")
}

// xdgOpen runs xdg-open and says what its failures mean for a person.
func (o *Opener) xdgOpen(ctx context.Context, target, noProgram, failed string) error {
	err := o.Launch.Start(ctx, "xdg-open", target)
	var ee *platform.ExitError
	if errors.As(err, &ee) {
		// xdg-open(1): 3 a required tool could not be found, 4 the action failed.
		switch ee.Code {
		case 3:
			return fmt.Errorf("%s: %w", noProgram, err)
		case 4:
			return fmt.Errorf("%s: %w", failed, err)
		}
	}
	return err
}
