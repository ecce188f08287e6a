//go:build unix

package timesync

import (
	"context"
	"strings"
	"testing"

	"github.com/clearance-app/clearance/platform"
	"github.com/clearance-app/clearance/platform/internal/platformtest"
)

// scriptedRunner answers commands from fixtures, keyed by the full argv,
// and fails a test that runs a command it was not given.
type scriptedRunner struct {
	t       *testing.T
	answers map[string]scriptedAnswer
}

type scriptedAnswer struct {
	fixture string // file in testdata/timesync; "" for empty output
	err     error
}

func (r scriptedRunner) Run(_ context.Context, name string, args ...string) ([]byte, error) {
	argv := strings.Join(append([]string{name}, args...), " ")
	a, ok := r.answers[argv]
	if !ok {
		r.t.Errorf("unexpected command %q", argv)
		return nil, &platform.ExitError{Argv: append([]string{name}, args...), Code: 127}
	}
	var out []byte
	if a.fixture != "" {
		out = platformtest.ReadFixture(r.t, "timesync", a.fixture)
	}
	return out, a.err
}
