package browser

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/clearance-app/clearance/platform"
)

// fakeRunner answers the exact argv it was given answers for, and fails
// the test on any other: the desktop's tools (xdg-settings, defaults)
// are recorded output here, not run.
type fakeRunner struct {
	t       *testing.T
	answers map[string]fakeAnswer
}

type fakeAnswer struct {
	out  string
	code int // non-zero: exits with this status
	err  error
}

func (f *fakeRunner) Run(_ context.Context, name string, args ...string) ([]byte, error) {
	argv := strings.Join(append([]string{name}, args...), " ")
	a, ok := f.answers[argv]
	if !ok {
		f.t.Errorf("unexpected command: %s", argv)
		return nil, fmt.Errorf("unexpected command %s", argv)
	}
	if a.err != nil {
		return nil, a.err
	}
	if a.code != 0 {
		return []byte(a.out), &platform.ExitError{Argv: append([]string{name}, args...), Code: a.code}
	}
	return []byte(a.out), nil
}
