package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/clearance-app/clearance/internal/roottest"
	"github.com/clearance-app/clearance/platform/crashpoint"
)

// The crash suite: the real program, built with the build tag crashpoints,
// killed (SIGKILL, as kill -9 or the OOM killer) at each step a fix marks
// with crashpoint.Here and at random moments, then started again the way
// a person or a restarted agent would; what it left must be whole, and
// nothing may be lost. The DNS fixes run in a network and mount namespace
// of their own, over a copy-on-write /etc (crash_dns_linux_test.go); the
// cookie fix as a person in a home of the test's (crash_cookies_linux_test.go).

// crashBinary builds the program with its crash points, into a folder
// everyone may read (the cookie fix runs as a person), and returns it.
func crashBinary(t *testing.T) string { return taggedBinary(t, "crashpoints") }

// taggedBinary builds the program with a test build tag (crashpoints,
// fakeclock), into a folder everyone may read, once per test process, and
// returns it. TestMain removes the folders.
func taggedBinary(t *testing.T, tag string) string {
	t.Helper()
	taggedMu.Lock()
	defer taggedMu.Unlock()
	if bin, ok := taggedBins[tag]; ok {
		return bin
	}
	gobin, err := exec.LookPath("go")
	if err != nil {
		roottest.Need(t, "needs the go command, to build the program with the build tag "+tag)
	}
	dir, err := os.MkdirTemp("/tmp", "clr-"+tag+"-")
	if err != nil {
		t.Fatal(err)
	}
	cleanups = append(cleanups, func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "clearance")
	start := time.Now()
	out, err := exec.Command(gobin, "build", "-tags", tag, "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build -tags %s: %v\n%s", tag, err, out)
	}
	t.Logf("built the program with the build tag %s in %v", tag, time.Since(start).Round(time.Millisecond))
	taggedBins[tag] = bin
	return bin
}

var (
	taggedMu   sync.Mutex
	taggedBins = map[string]string{}
)

// crashRun is one run of the program that may be killed.
type crashRun struct {
	argv    []string
	env     []string
	trace   string // crashpoint.EnvTrace's file
	cmd     *exec.Cmd
	started time.Time
	stdout  bytes.Buffer
	stderr  bytes.Buffer
}

// start runs argv with env, tracing its crash points into a file in
// traceDir ("": the temporary directory), and dying at at ("" for none).
func startCrashRun(t *testing.T, argv, env []string, at, traceDir string) *crashRun {
	t.Helper()
	tf, err := os.CreateTemp(traceDir, "clr-crash-trace-")
	if err != nil {
		t.Fatal(err)
	}
	tf.Close()
	os.Chmod(tf.Name(), 0o666) // the cookie fix runs as a person
	t.Cleanup(func() { os.Remove(tf.Name()) })
	r := &crashRun{argv: argv, trace: tf.Name()}
	r.env = append(slices.Clone(env), crashpoint.EnvTrace+"="+tf.Name())
	if at != "" {
		r.env = append(r.env, crashpoint.EnvAt+"="+at)
	}
	r.cmd = exec.Command(argv[0], argv[1:]...)
	r.cmd.Env = r.env
	r.cmd.Stdout, r.cmd.Stderr = &r.stdout, &r.stderr
	r.started = time.Now()
	if err := r.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return r
}

// wait waits for the run's end and says whether SIGKILL ended it.
func (r *crashRun) wait() (killed bool, code int) {
	err := r.cmd.Wait()
	if ws, ok := r.cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() && ws.Signal() == syscall.SIGKILL {
		return true, -1
	}
	if err != nil {
		return false, r.cmd.ProcessState.ExitCode()
	}
	return false, 0
}

// tracePoint is a crash point a run reached, and when.
type tracePoint struct {
	id string        // "NAME#N"
	at time.Duration // since the run was started
}

// points reads the crash points the run reached, in order.
func (r *crashRun) points(t *testing.T) []tracePoint {
	t.Helper()
	b, err := os.ReadFile(r.trace)
	if err != nil {
		t.Fatal(err)
	}
	var out []tracePoint
	for line := range strings.Lines(string(b)) {
		id, ns, ok := strings.Cut(strings.TrimSpace(line), "\t")
		n, err := strconv.ParseInt(ns, 10, 64)
		if !ok || err != nil {
			t.Fatalf("trace line %q", line)
		}
		out = append(out, tracePoint{id, time.Unix(0, n).Sub(r.started)})
	}
	return out
}

// lastPoint names the last crash point the run reached, or "start".
func (r *crashRun) lastPoint(t *testing.T) string {
	t.Helper()
	p := r.points(t)
	if len(p) == 0 {
		return "start"
	}
	return p[len(p)-1].id
}

// killInSteps waits for the run's first crash point, then kills it with
// SIGKILL after d (at once if it has ended), and waits for it. Timed from
// the first step rather than from the start, the kills fall within the
// fix's few milliseconds of steps, whatever the start of the process cost
// on a loaded machine.
func (r *crashRun) killInSteps(d time.Duration) (killed bool) {
	done := make(chan struct{})
	go func() {
		killed, _ = r.wait()
		close(done)
	}()
	tick := time.NewTicker(100 * time.Microsecond)
	defer tick.Stop()
wait:
	for {
		select {
		case <-done:
			return killed
		case <-tick.C:
			if fi, err := os.Stat(r.trace); err == nil && fi.Size() > 0 {
				break wait
			}
		}
	}
	time.Sleep(d)
	r.cmd.Process.Signal(syscall.SIGKILL)
	<-done
	return killed
}

// randomDelays is how long after its first crash point a run is killed,
// uniform over a stepSpan; the seed is in the log, and CLEARANCE_CRASH_SEED
// replays it.
type randomDelays struct {
	seed uint64
	x    uint64
}

func newRandomDelays(t *testing.T) *randomDelays {
	t.Helper()
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("CLEARANCE_CRASH_SEED"); s != "" {
		var err error
		if seed, err = strconv.ParseUint(s, 10, 64); err != nil {
			t.Fatalf("CLEARANCE_CRASH_SEED: %v", err)
		}
	}
	t.Logf("seed %d (CLEARANCE_CRASH_SEED=%d replays it)", seed, seed)
	return &randomDelays{seed: seed, x: seed}
}

// next is a delay in [0, max], from splitmix64: one sequence per seed.
func (d *randomDelays) next(max time.Duration) time.Duration {
	d.x += 0x9e3779b97f4a7c15
	z := d.x
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	z ^= z >> 31
	return time.Duration(z % uint64(max+1))
}

// stepSpan is how long, in unkilled runs, the fix's steps take from the
// first crash point to the last (the median), and a quarter more: random
// kills are spread over it (killInSteps).
func stepSpan(t *testing.T, runs [][]tracePoint) time.Duration {
	t.Helper()
	var d []time.Duration
	for _, p := range runs {
		if len(p) == 0 {
			t.Fatal("an unkilled run reached no crash point")
		}
		d = append(d, p[len(p)-1].at-p[0].at)
	}
	slices.Sort(d)
	return d[len(d)/2] * 5 / 4
}

// tally counts what the kills found, for the log.
type tally map[string]int

func (ta tally) String() string {
	keys := make([]string, 0, len(ta))
	for k := range ta {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var out []string
	for _, k := range keys {
		out = append(out, fmt.Sprintf("%s ×%d", k, ta[k]))
	}
	return strings.Join(out, ", ")
}

// tempLeft lists what in dir looks like a temporary file of Clearance's
// (".NAME.clearance-DIGITS", platform.TempPattern).
func tempLeft(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") && strings.Contains(e.Name(), ".clearance-") {
			out = append(out, filepath.Join(dir, e.Name()))
		}
	}
	return out
}

// crashOp is a watched fix (its arguments to `clearance fix`), and what
// runs before it (nil: nothing).
type crashOp struct {
	name  string
	setup []string
	args  []string
}

// crashWorld is where a crash test runs a fix: made fresh, the fix run
// whole or started to be killed, what a kill left, and the restart that
// must repair it.
type crashWorld interface {
	fresh(t *testing.T)
	fix(t *testing.T, args ...string) []tracePoint
	start(t *testing.T, at string, args ...string) *crashRun
	afterKill(t *testing.T) string
	restart(t *testing.T)
}

// killAtRandom runs op runs times in w, each killed at a random moment
// within span after its first crash point, checks what each kill left and
// restarts; it logs where the kills fell and what they left.
func killAtRandom(t *testing.T, w crashWorld, op crashOp, span time.Duration, runs int, delays *randomDelays) {
	t.Helper()
	t.Logf("kills spread over %v after the first crash point (the steps' time in 3 unkilled runs, and a quarter)", span)
	where, found := tally{}, tally{}
	for range runs {
		w.fresh(t)
		if op.setup != nil {
			w.fix(t, op.setup...)
		}
		r := w.start(t, "", op.args...)
		if !r.killInSteps(delays.next(span)) {
			where["after the end"]++
		} else {
			where[r.lastPoint(t)]++
		}
		found[w.afterKill(t)]++
		w.restart(t)
	}
	t.Logf("%d random kills; the last crash point each reached: %v", runs, where)
	t.Logf("found: %v", found)
}

// killAtEachPoint runs op in w once per crash point in ids, killed there,
// checks what each kill left and restarts; it logs what each left.
func killAtEachPoint(t *testing.T, w crashWorld, op crashOp, ids []string) {
	t.Helper()
	seen := tally{}
	for _, id := range ids {
		w.fresh(t)
		if op.setup != nil {
			w.fix(t, op.setup...)
		}
		r := w.start(t, id, op.args...)
		if killed, _ := r.wait(); !killed || !strings.Contains(r.stderr.String(), "crashpoint: killed at "+id) {
			t.Fatalf("%s: not killed there (killed %v)\nstderr:\n%s", id, killed, r.stderr.String())
		}
		state := w.afterKill(t)
		seen[state]++
		t.Logf("killed at %-32s → %s", id, state)
		w.restart(t)
	}
	t.Logf("at each point, found: %v", seen)
}
