package dnsfix

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/clearance-app/clearance/internal/roottest"
	"github.com/clearance-app/clearance/platform"
	"github.com/clearance-app/clearance/platform/internal/platformtest"
)

// Crashes of dns-public and dns-restore where /etc/resolv.conf is a bind
// mount and so rewritten in place: a child process, alone in its mount
// namespace, is killed (SIGKILL, as kill -9) at every step the code marks
// with dnsStep, and at random moments; after each kill the file must hold
// the original or the public version, as the journal says, and the next
// start (Repair, in a new child) must put the original back.

const dnsCrashHelper = "dnsset-crash"

func init() {
	testHelpers[dnsCrashHelper] = runDNSCrashHelper
}

// dnsCrashReport is what a child that was not killed tells the parent.
type dnsCrashReport struct {
	Steps    []string      `json:"steps"`    // the dnsStep marks of the last operation, in order
	Duration time.Duration `json:"duration"` // of the last operation
	Repaired bool          `json:"repaired"`
	Commands []string      `json:"commands"` // of the last operation
	Error    string        `json:"error,omitempty"`
}

// runDNSCrashHelper runs the operations named in CLEARANCE_DNSSET_OPS
// ("public", "restore", "repair"; comma-separated) against /etc/resolv.conf
// inside the test's bind mounts. Only the last is watched: with
// CLEARANCE_DNSSET_CRASH_AT=N the process kills itself at its Nth step; with
// CLEARANCE_DNSSET_WAIT set it prints "ready" and waits for a line on stdin
// before starting it, so that the parent can kill it at a moment of its
// choosing.
func runDNSCrashHelper() int {
	var rep dnsCrashReport
	err := dnsCrashHelperRun(&rep)
	if err != nil {
		rep.Error = err.Error()
	}
	if err := json.NewEncoder(os.Stdout).Encode(rep); err != nil || rep.Error != "" {
		return 1
	}
	return 0
}

func dnsCrashHelperRun(rep *dnsCrashReport) error {
	dir := os.Getenv("CLEARANCE_DNSSET_DIR")
	if err := enterTestEtc(dir); err != nil {
		return err
	}
	ops := strings.Split(os.Getenv("CLEARANCE_DNSSET_OPS"), ",")
	crashAt := 0
	if s := os.Getenv("CLEARANCE_DNSSET_CRASH_AT"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			return err
		}
		crashAt = n
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	journal := filepath.Join(dir, "state", "dns-journal.json")
	for i, op := range ops {
		last := i == len(ops)-1
		if last {
			dnsStepHook = func(step string) {
				rep.Steps = append(rep.Steps, step)
				if len(rep.Steps) == crashAt {
					// Unbuffered: the parent checks where the kill fell.
					fmt.Fprintf(os.Stderr, "crash at %s\n", step)
					syscall.Kill(os.Getpid(), syscall.SIGKILL)
					select {} // the signal is on its way; nothing more may run
				}
			}
			if os.Getenv("CLEARANCE_DNSSET_WAIT") != "" {
				fmt.Println("ready")
				if _, err := bufio.NewReader(os.Stdin).ReadString('\n'); err != nil {
					return fmt.Errorf("wait for the go: %w", err)
				}
			}
		}
		ch := platform.NewChanges(platform.System, false)
		start := time.Now()
		var err error
		switch op {
		case "public":
			_, err = SwitchToPublic(ctx, platform.System, ch, journal)
		case "restore":
			_, err = Restore(ctx, platform.System, ch, journal)
		case "repair":
			rep.Repaired, err = Repair(ctx, platform.System, ch, journal)
		default:
			err = fmt.Errorf("unknown operation %q", op)
		}
		rep.Duration, rep.Commands = time.Since(start), ch.Commands()
		if err != nil {
			return fmt.Errorf("%s: %w", op, err)
		}
	}
	return nil
}

// dnsCrashCase is one resolv.conf and what dns-public makes of it.
type dnsCrashCase struct {
	name           string
	original, pub  []byte
	dir            string // of the run: resolv.conf, etc/, state/
	file, journal  string
	etc, stateDir  string
	originalLonger bool
}

func newDNSCrashCase(t *testing.T, fixture string) *dnsCrashCase {
	t.Helper()
	orig := platformtest.ReadFixture(t, "dnsset", fixture)
	c := &dnsCrashCase{name: fixture, original: orig, pub: rewriteResolvConf(orig, publicDNSResolvConf)}
	c.originalLonger = len(c.original) > len(c.pub)
	return c
}

// fresh gives the case a new directory holding the original file.
func (c *dnsCrashCase) fresh(t *testing.T) {
	t.Helper()
	c.dir = roottest.Dir(t)
	c.file = filepath.Join(c.dir, "resolv.conf")
	c.etc, c.stateDir = filepath.Join(c.dir, "etc"), filepath.Join(c.dir, "state")
	c.journal = filepath.Join(c.stateDir, "dns-journal.json")
	if err := os.WriteFile(c.file, c.original, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(c.etc, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(c.etc, "resolv.conf"), nil, 0o644); err != nil { // the mount point
		t.Fatal(err)
	}
}

// dnsChild is a started helper child.
type dnsChild struct {
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	stdout *bufio.Reader
	stderr bytes.Buffer
}

func (c *dnsCrashCase) start(t *testing.T, ctx context.Context, ops string, crashAt int, wait bool) *dnsChild {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	ch := &dnsChild{}
	// unshare execs the test binary in its place (no --fork): the pid is
	// the child's own, and a kill of it is a kill of the helper.
	ch.cmd = exec.CommandContext(ctx, "unshare", "--mount", "--propagation", "private", exe, "-test.run=^$")
	ch.cmd.Env = append(helperEnv(), platformtest.HelperEnv+"="+dnsCrashHelper, "CLEARANCE_DNSSET_DIR="+c.dir,
		"CLEARANCE_DNSSET_OPS="+ops)
	if crashAt > 0 {
		ch.cmd.Env = append(ch.cmd.Env, "CLEARANCE_DNSSET_CRASH_AT="+strconv.Itoa(crashAt))
	}
	if wait {
		ch.cmd.Env = append(ch.cmd.Env, "CLEARANCE_DNSSET_WAIT=1")
		if ch.stdin, err = ch.cmd.StdinPipe(); err != nil {
			t.Fatal(err)
		}
	}
	out, err := ch.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	ch.stdout = bufio.NewReader(out)
	ch.cmd.Stderr = &ch.stderr
	if err := ch.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	if wait {
		line, err := ch.stdout.ReadString('\n')
		if err != nil || line != "ready\n" {
			rest, _ := io.ReadAll(ch.stdout)
			ch.cmd.Wait()
			t.Fatalf("helper did not get ready: %q %v; stdout %q, stderr %q", line, err, rest, ch.stderr.String())
		}
	}
	return ch
}

// finish reads the child's report and waits for it; killed says whether it
// died of SIGKILL (then it has no report).
func (ch *dnsChild) finish(t *testing.T) (rep dnsCrashReport, killed bool) {
	t.Helper()
	out, _ := io.ReadAll(ch.stdout)
	err := ch.cmd.Wait()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() && ws.Signal() == syscall.SIGKILL {
			return rep, true
		}
	}
	if jerr := json.Unmarshal(out, &rep); jerr != nil || err != nil || rep.Error != "" {
		t.Fatalf("helper: %v: %s; stdout %q, stderr %q", err, rep.Error, out, ch.stderr.String())
	}
	return rep, false
}

// run runs a child to its end, which must not be a crash.
func (c *dnsCrashCase) run(t *testing.T, ctx context.Context, ops string) dnsCrashReport {
	t.Helper()
	rep, killed := c.start(t, ctx, ops, 0, false).finish(t)
	if killed {
		t.Fatalf("%s: the helper was killed", ops)
	}
	return rep
}

// check asserts what must hold whenever the process died: the file is the
// original or the public version, each only with the journal's matching
// phase, possibly followed by writeInPlace's padding; never empty, never a
// mix. It names what it found, for the test's tally.
func (c *dnsCrashCase) check(t *testing.T) string {
	t.Helper()
	got, err := os.ReadFile(c.file)
	if err != nil {
		t.Fatal(err)
	}
	phase := "none"
	j, err := readDNSJournal(c.journal)
	switch {
	case errors.Is(err, ErrNoJournal):
	case err != nil:
		t.Fatalf("journal unreadable after the crash: %v", err)
	default:
		phase = j.Phase
		if r := j.ResolvConf; r == nil || r.Target != "/etc/resolv.conf" || !bytes.Equal(r.Content, c.original) {
			t.Fatalf("the journal does not hold the original file: %+v", j.ResolvConf)
		}
	}
	content := "a mix"
	switch {
	case bytes.Equal(got, c.original):
		content = "original"
	case bytes.Equal(got, c.pub):
		content = "public"
	case isPadded(got, c.original):
		content = "original+padding"
	case isPadded(got, c.pub):
		content = "public+padding"
	}
	allowed := map[string][]string{
		"none":            {"original"},
		dnsPhaseApplying:  {"original", "public", "public+padding"},
		dnsPhaseActive:    {"public"},
		dnsPhaseRestoring: {"public", "original", "original+padding"},
	}
	if !slices.Contains(allowed[phase], content) {
		t.Fatalf("after the crash: journal %s, file %s (%d bytes):\n%s", phase, content, len(got), got)
	}
	return phase + "/" + content
}

// isPadded says got is want followed by writeInPlace's padding lines.
func isPadded(got, want []byte) bool {
	rest, ok := bytes.CutPrefix(got, want)
	if !ok {
		return false
	}
	if len(want) > 0 && want[len(want)-1] != '\n' {
		if rest, ok = bytes.CutPrefix(rest, []byte("\n")); !ok {
			return false
		}
	}
	pad := []byte(inPlacePadding)
	return len(rest) > 0 && len(rest)%len(pad) == 0 && bytes.Equal(rest, bytes.Repeat(pad, len(rest)/len(pad)))
}

// repair is the next start: Repair in a new child. Afterwards the file is
// the original and the journal gone — unless the switch had completed
// ("active"), which the repair leaves alone and a dns-restore then undoes.
// No temporary file of Clearance's is left anywhere.
func (c *dnsCrashCase) repair(t *testing.T, ctx context.Context) {
	t.Helper()
	c.run(t, ctx, "repair")
	got, _ := os.ReadFile(c.file)
	if j, err := readDNSJournal(c.journal); err == nil {
		if j.Phase != dnsPhaseActive || !bytes.Equal(got, c.pub) {
			t.Fatalf("after the repair: journal %s, file:\n%s", j.Phase, got)
		}
		c.noLeftovers(t, "dns-journal.json")
		c.run(t, ctx, "restore")
		got, _ = os.ReadFile(c.file)
	}
	if !bytes.Equal(got, c.original) {
		t.Fatalf("after the repair the file is not the original:\n%s", got)
	}
	assertNoJournal(t, c.journal)
	c.noLeftovers(t)
}

// noLeftovers fails when etc/ holds anything but the mount point or the
// state directory anything but the files named.
func (c *dnsCrashCase) noLeftovers(t *testing.T, keep ...string) {
	t.Helper()
	for dir, want := range map[string][]string{c.etc: {"resolv.conf"}, c.stateDir: keep} {
		entries, err := os.ReadDir(dir)
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			t.Fatal(err)
		}
		for _, e := range entries {
			if !slices.Contains(want, e.Name()) {
				t.Fatalf("left in %s: %s", dir, e.Name())
			}
		}
	}
}

// The two sides of padding: the dhclient file is shorter than its public
// version (dns-restore pads), NetworkManager's is longer (dns-public pads).
var dnsCrashFixtures = []string{"resolv.conf-dhcp-constructed", "resolv.conf-networkmanager-many-constructed"}

// dnsCrashOps: what runs before the watched operation, and the operation.
var dnsCrashOps = []struct{ name, setup, op string }{
	{"dns-public", "", "public"},
	{"dns-restore", "public,", "restore"},
}

// A kill -9 at every step dns-public and dns-restore mark — each journal
// write and its temporary file, the temporary resolv.conf, the in-place
// write, its fsync, the cut of the padding, the journal's removal — leaves
// the original or the public file with a matching journal, and the next
// start restores the original byte for byte.
func TestResolvConfInPlaceCrashAtEachStep(t *testing.T) {
	dnssetNeedsRoot(t)
	hostResolvConfUnchanged(t)
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer cancel()
	for _, fixture := range dnsCrashFixtures {
		c := newDNSCrashCase(t, fixture)
		for _, o := range dnsCrashOps {
			t.Run(fixture+"/"+o.name, func(t *testing.T) {
				// Where the steps are, from a run that is not killed.
				c.fresh(t)
				steps := c.run(t, ctx, o.setup+o.op).Steps
				t.Logf("steps: %q", steps)
				if !slices.Contains(steps, stepInPlaceWritten) || !slices.Contains(steps, stepFileTemp) {
					t.Fatalf("the file was not written through the in-place path: steps %q", steps)
				}
				// The padded side really pads, and cuts the padding.
				if pads := (o.op == "public") == c.originalLonger; pads != slices.Contains(steps, stepInPlaceTrimmed) {
					t.Fatalf("padding cut %v, want %v: steps %q", !pads, pads, steps)
				}
				seen := map[string]int{}
				for i, step := range steps {
					c.fresh(t)
					ch := c.start(t, ctx, o.setup+o.op, i+1, false)
					if _, killed := ch.finish(t); !killed {
						t.Fatalf("step %d (%s): the helper was not killed", i+1, step)
					}
					if got := strings.TrimSpace(ch.stderr.String()); got != "crash at "+step {
						t.Fatalf("step %d: the helper said %q, want a crash at %s", i+1, got, step)
					}
					state := c.check(t)
					seen[state]++
					t.Logf("killed after step %d %-24s → %s", i+1, step, state)
					c.repair(t, ctx)
				}
				t.Logf("states: %v", seen)
			})
		}
	}
}

// kill -9 at random moments of dns-public and dns-restore on the in-place
// path: 40 runs of each, the fixtures alternating. The child signals when
// it is about to start the operation; the kill follows after a delay drawn
// uniformly over the operation's own duration (the median of three unkilled
// runs) and a quarter beyond, so that kills fall throughout it rather than
// mostly before it starts. Every kill must leave the invariant of check,
// and every next start the original. The log tallies what the kills found.
func TestResolvConfInPlaceRandomKill(t *testing.T) {
	dnssetNeedsRoot(t)
	hostResolvConfUnchanged(t)
	const runs = 40
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer cancel()
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, seed>>32))
	cases := []*dnsCrashCase{}
	for _, f := range dnsCrashFixtures {
		cases = append(cases, newDNSCrashCase(t, f))
	}
	for _, o := range dnsCrashOps {
		t.Run(o.name, func(t *testing.T) {
			took := map[*dnsCrashCase]time.Duration{}
			for _, c := range cases {
				var d []time.Duration
				for range 3 {
					c.fresh(t)
					d = append(d, c.run(t, ctx, o.setup+o.op).Duration)
				}
				slices.Sort(d)
				took[c] = d[1]
				t.Logf("%s takes %v unkilled (median of %v)", c.name, took[c], d)
			}
			seen, finished := map[string]int{}, 0
			for i := range runs {
				c := cases[i%len(cases)]
				c.fresh(t)
				ch := c.start(t, ctx, o.setup+o.op, 0, true)
				delay := time.Duration(rng.Int64N(int64(took[c]*5/4) + 1))
				if _, err := io.WriteString(ch.stdin, "go\n"); err != nil {
					t.Fatal(err)
				}
				time.Sleep(delay)
				ch.cmd.Process.Signal(syscall.SIGKILL)
				if _, killed := ch.finish(t); !killed {
					finished++
				}
				state := c.check(t)
				seen[state]++
				c.repair(t, ctx)
			}
			keys := make([]string, 0, len(seen))
			for k := range seen {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			var tally []string
			for _, k := range keys {
				tally = append(tally, fmt.Sprintf("%s ×%d", k, seen[k]))
			}
			t.Logf("%d kills, %d after the operation had finished; found: %s", runs, finished, strings.Join(tally, ", "))
		})
	}
}
