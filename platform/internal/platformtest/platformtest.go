// Package platformtest holds what the tests of platform's packages share:
// recorded OS output read from testdata, a runner that answers commands
// from a script, the test binary re-executed as a helper inside a
// namespace, and waiting on the OS watches. It is for tests only, and
// imports nothing of platform's, so that platform's own tests can use it.
package platformtest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
)

// ReadFixture reads testdata/PARTS….
func ReadFixture(t testing.TB, parts ...string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(append([]string{"testdata"}, parts...)...))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Fixture reads a testdata file without its leading "#" provenance lines.
func Fixture(t testing.TB, parts ...string) []byte {
	t.Helper()
	return withoutProvenance(ReadFixture(t, parts...))
}

// SiblingFixture is Fixture for recorded output that another of platform's
// packages parses and keeps in its testdata (pkg is its directory), for a
// test that decides from the parsed result: one recording, one place.
func SiblingFixture(t testing.TB, pkg string, parts ...string) []byte {
	t.Helper()
	return withoutProvenance(ReadFixture(t, append([]string{"..", "..", pkg, "testdata"}, parts...)...))
}

// Seed adds each file that matches testdata/PATTERN (filepath.Glob
// patterns) to a fuzz target's corpus, so that fuzzing starts from the
// shapes real programs print. A pattern that matches no file fails the
// target: a renamed fixture must not leave it seedless unnoticed.
func Seed(f *testing.F, patterns ...string) {
	f.Helper()
	for _, p := range patterns {
		names, err := filepath.Glob(filepath.Join("testdata", filepath.FromSlash(p)))
		if err != nil || len(names) == 0 {
			f.Fatalf("no seed matches testdata/%s (%v)", p, err)
		}
		for _, n := range names {
			if fi, err := os.Stat(n); err != nil || !fi.Mode().IsRegular() {
				continue
			}
			b, err := os.ReadFile(n)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(b)
		}
	}
}

func withoutProvenance(b []byte) []byte {
	lines := strings.SplitAfter(string(b), "\n")
	for len(lines) > 0 && strings.HasPrefix(lines[0], "#") {
		lines = lines[1:]
	}
	return []byte(strings.Join(lines, ""))
}

// Runner answers commands by their exact argv ("name arg arg") and records
// them; a command it has no answer for fails the test.
type Runner struct {
	T       testing.TB
	Answers map[string]Answer
	Calls   []string
}

// Answer is what a command prints and how it ends.
type Answer struct {
	Out []byte
	Err error
}

// Run implements platform.Runner.
func (r *Runner) Run(_ context.Context, name string, args ...string) ([]byte, error) {
	argv := strings.Join(append([]string{name}, args...), " ")
	r.Calls = append(r.Calls, argv)
	a, ok := r.Answers[argv]
	if !ok {
		r.T.Errorf("unexpected command %q", argv)
		return nil, fmt.Errorf("%s: no answer scripted for it", argv)
	}
	return a.Out, a.Err
}

// HelperEnv selects, in a re-executed test binary, the helper to run.
const HelperEnv = "CLEARANCE_PLATFORM_HELPER"

// Main runs the tests, or, in a test binary re-executed as a child (under
// `ip netns exec` or `unshare --mount`), the helper that HelperEnv names:
// a test process never moves its own threads into a namespace.
func Main(m *testing.M, helpers map[string]func() int) {
	if name := os.Getenv(HelperEnv); name != "" {
		fn, ok := helpers[name]
		if !ok {
			fmt.Fprintf(os.Stderr, "no test helper %q\n", name)
			os.Exit(2)
		}
		os.Exit(fn())
	}
	os.Exit(m.Run())
}

// Wait is how long a test waits for something the operating system does
// at once: generous, because the machine is shared.
const Wait = 20 * time.Second

// WaitClosed drains ch until it is closed.
func WaitClosed(t testing.TB, ch <-chan struct{}) {
	t.Helper()
	deadline := time.After(Wait)
	for {
		select {
		case _, ok := <-ch:
			if !ok {
				return
			}
		case <-deadline:
			t.Fatalf("the channel was not closed within %v of cancelling", Wait)
		}
	}
}

// WaitFor polls cond until it holds, failing after a generous deadline.
func WaitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(Wait); !cond(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("waited %v for %s", Wait, what)
		}
	}
}

// WatchCancel starts a watch and checks that it runs one goroutine and
// one descriptor, and that cancelling its context closes its channel and
// leaves neither behind.
func WatchCancel(t *testing.T, watch func(context.Context) (<-chan struct{}, error)) {
	t.Helper()
	// Go's netpoller opens its own descriptors on first use: have that
	// happen before counting.
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	r.Close()
	w.Close()
	// A watch the test ended just before may still be returning: its
	// channel closes before its goroutine is gone.
	WaitFor(t, "earlier watches to end", func() bool { return watchers() == 0 })
	before := OpenFDs(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ch, err := watch(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if n := watchers(); n != 1 {
		t.Errorf("%d goroutines watch, want 1", n)
	}
	var added []string
	for _, fd := range OpenFDs(t) {
		if !slices.Contains(before, fd) {
			added = append(added, fd)
		}
	}
	if len(added) != 1 {
		t.Errorf("the watch opened %d descriptors (%v), want 1", len(added), added)
	}
	cancel()
	WaitClosed(t, ch)
	WaitFor(t, "the watching goroutine to end", func() bool { return watchers() == 0 })
	for _, fd := range OpenFDs(t) {
		if slices.Contains(added, fd) {
			t.Errorf("descriptor %s still open after the watch ended", fd)
		}
	}
}

// watchers counts the goroutines running platform.WatchFile's loop.
func watchers() int {
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	n := 0
	for _, g := range strings.Split(string(buf), "\n\n") {
		if strings.Contains(g, "platform.WatchFile.func") {
			n++
		}
	}
	return n
}

// OpenFDs lists this process's open descriptors with what they are.
func OpenFDs(t testing.TB) []string {
	t.Helper()
	entries, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	var fds []string
	for _, e := range entries {
		target, err := os.Readlink("/proc/self/fd/" + e.Name())
		if err != nil {
			continue // the descriptor ReadDir itself used
		}
		fds = append(fds, e.Name()+" "+target)
	}
	return fds
}
