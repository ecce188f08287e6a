package open

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/clearance-app/clearance/platform"
)

// page is the address the tests open.
const page = "https://chatgpt.com/"

// fakeRunner answers the exact argv it was given answers for, and fails
// the test on any other.
type fakeRunner struct {
	t       *testing.T
	answers map[string]fakeAnswer
	mu      sync.Mutex
	calls   []string
}

type fakeAnswer struct {
	out  string
	code int // non-zero: exits with this status
}

func (f *fakeRunner) Run(_ context.Context, name string, args ...string) ([]byte, error) {
	argv := strings.Join(append([]string{name}, args...), " ")
	f.mu.Lock()
	f.calls = append(f.calls, argv)
	f.mu.Unlock()
	a, ok := f.answers[argv]
	if !ok {
		f.t.Errorf("unexpected command: %s", argv)
		return nil, fmt.Errorf("unexpected command %s", argv)
	}
	if a.code != 0 {
		return []byte(a.out), &platform.ExitError{Argv: append([]string{name}, args...), Code: a.code}
	}
	return []byte(a.out), nil
}

// fakeLauncher records what would be started.
type fakeLauncher struct {
	mu       sync.Mutex
	launched [][]string
	err      error
}

func (f *fakeLauncher) Start(_ context.Context, name string, args ...string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.launched = append(f.launched, append([]string{name}, args...))
	return f.err
}
