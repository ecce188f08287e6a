package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/clearance-app/clearance/internal/roottest"
)

// dns-public and dns-restore killed at every crash point and at random
// moments, on both of the ways /etc/resolv.conf is written: replaced by a
// rename (it is a link to a file in a directory of its own, as resolvconf
// and NetworkManager make it) and rewritten in place (it is a mount point,
// as in a container or under `ip netns exec`, where a rename fails with
// EBUSY). Each run of the program is alone in a network namespace with
// only loopback, and in a mount namespace where /etc is an overlay whose
// writes go to the test's folder: neither the machine's /etc nor its
// resolv.conf is ever written.

// dnsCrashScript prepares the namespaces' /etc, then becomes the program
// (exec: the pid the test kills is the program's).
const dnsCrashScript = `set -e
ip link set lo up
mount -t overlay overlay -o "lowerdir=/etc,upperdir=$CRASH_UPPER,workdir=$CRASH_WORK" /etc
if [ -n "$CRASH_BIND" ]; then mount --bind "$CRASH_BIND" /etc/resolv.conf; fi
exec "$@"`

const dnsCrashOriginal = "# Written by the test, as dhclient would\nsearch corp.example\nnameserver 10.1.2.3\nnameserver fd00::53\noptions edns0 trust-ad\n"

// The owner and mode the file has, which every write must keep.
const (
	dnsCrashGID  = 65534
	dnsCrashMode = 0o644
)

// dnsCrashWorld is one way of writing resolv.conf, in a folder of its own.
type dnsCrashWorld struct {
	path                    string // "rename" or "in-place"
	bin                     string
	dir                     string
	upper, work, run, state string
	file                    string // the file written: run/resolv.conf
	public                  []byte // what dns-public makes of the original
	journal                 string
	unkilled                map[string][][]tracePoint
}

func newDNSCrashWorld(t *testing.T, bin, path string) *dnsCrashWorld {
	t.Helper()
	w := &dnsCrashWorld{path: path, bin: bin, dir: roottest.Dir(t), unkilled: map[string][][]tracePoint{}}
	w.upper, w.work = filepath.Join(w.dir, "upper"), filepath.Join(w.dir, "work")
	w.run, w.state = filepath.Join(w.dir, "run"), filepath.Join(w.dir, "state")
	w.file, w.journal = filepath.Join(w.run, "resolv.conf"), filepath.Join(w.state, "dns-journal.json")
	return w
}

// fresh puts the original file in place, and empties the rest.
func (w *dnsCrashWorld) fresh(t *testing.T) {
	t.Helper()
	for _, d := range []string{w.upper, w.work, w.run, w.state} {
		if err := os.RemoveAll(d); err != nil {
			t.Fatal(err)
		}
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(w.file, []byte(dnsCrashOriginal), dnsCrashMode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(w.file, 0, dnsCrashGID); err != nil {
		t.Fatal(err)
	}
	mountPoint := filepath.Join(w.upper, "resolv.conf")
	var err error
	if w.path == "rename" {
		err = os.Symlink(w.file, mountPoint)
	} else {
		err = os.WriteFile(mountPoint, nil, 0o644)
	}
	if err != nil {
		t.Fatal(err)
	}
}

// start runs `clearance fix ARGS… --local --json` in the namespaces.
func (w *dnsCrashWorld) start(t *testing.T, at string, args ...string) *crashRun {
	t.Helper()
	argv := append([]string{"unshare", "--net", "--mount", "--propagation", "private", "sh", "-c", dnsCrashScript, "sh", w.bin, "fix"},
		append(args, "--local", "--json")...)
	env := append(os.Environ(), "NO_COLOR=1", "CLEARANCE_STATE_DIR="+w.state, "XDG_CACHE_HOME="+filepath.Join(w.dir, "cache"),
		"CRASH_UPPER="+w.upper, "CRASH_WORK="+w.work)
	if w.path == "in-place" {
		env = append(env, "CRASH_BIND="+w.file)
	}
	return startCrashRun(t, argv, env, at, "")
}

// fixChanged is the crash point after which a fix has made its whole
// change: what follows is its verification, a check run after six seconds
// for the change to settle. Runs that must complete are stopped there, to
// keep the suite short; their change is as complete as a finished run's.
const fixChanged = "fix:changed#1"

// fix runs a fix to its end (fixChanged), which must not be a crash
// elsewhere, and returns its crash points.
func (w *dnsCrashWorld) fix(t *testing.T, args ...string) []tracePoint {
	t.Helper()
	r := w.start(t, fixChanged, args...)
	killed, code := r.wait()
	if killed && r.lastPoint(t) == fixChanged {
		return r.points(t)
	}
	if killed || code != 0 {
		t.Fatalf("fix %v: killed %v, exit %d\nstdout:\n%s\nstderr:\n%s", args, killed, code, r.stdout.String(), r.stderr.String())
	}
	return r.points(t)
}

var dnsCrashOps = []crashOp{
	{"dns-public", nil, []string{"dns-public", "--confirm"}},
	{"dns-restore", []string{"dns-public", "--confirm"}, []string{"dns-restore"}},
}

// learn runs op unkilled three times: its crash points, their times, and
// what dns-public writes. The written file must be on the path the world
// is for.
func (w *dnsCrashWorld) learn(t *testing.T, op crashOp) []string {
	t.Helper()
	var ids []string
	for range 3 {
		w.fresh(t)
		if op.setup != nil {
			w.fix(t, op.setup...)
		}
		pts := w.fix(t, op.args...)
		w.unkilled[op.name] = append(w.unkilled[op.name], pts)
		ids = ids[:0]
		for _, p := range pts {
			ids = append(ids, p.id)
		}
		if op.name == "dns-public" {
			w.public, _ = os.ReadFile(w.file)
		}
	}
	renamed := slices.Contains(ids, "dns:file-renamed#1")
	if renamed != (w.path == "rename") || !slices.Contains(ids, "dns:journal-removed#1") && op.name == "dns-restore" {
		t.Fatalf("%s on the %s path reached %q", op.name, w.path, ids)
	}
	if !bytes.Contains(w.public, []byte("nameserver 1.1.1.1")) {
		t.Fatalf("dns-public wrote:\n%s", w.public)
	}
	return ids
}

// afterKill checks what a killed fix left: the file the original or the
// public version, whole (in place possibly with the padding the next step
// cuts off), with its owner and mode, as the journal's phase allows. It
// names what it found.
func (w *dnsCrashWorld) afterKill(t *testing.T) string {
	t.Helper()
	got, err := os.ReadFile(w.file)
	if err != nil {
		t.Fatal(err)
	}
	w.ownerAndMode(t)
	phase := "none"
	b, err := os.ReadFile(w.journal)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		t.Fatal(err)
	default:
		var j struct {
			Phase      string `json:"phase"`
			ResolvConf struct {
				Content []byte `json:"content"`
			} `json:"resolv_conf"`
		}
		if err := json.Unmarshal(b, &j); err != nil {
			t.Fatalf("the journal is damaged after the kill: %v\n%s", err, b)
		}
		if string(j.ResolvConf.Content) != dnsCrashOriginal {
			t.Fatalf("the journal does not hold the original file: %q", j.ResolvConf.Content)
		}
		phase = j.Phase
	}
	content := "a mix"
	switch {
	case string(got) == dnsCrashOriginal:
		content = "original"
	case bytes.Equal(got, w.public):
		content = "public"
	case padded(got, []byte(dnsCrashOriginal)):
		content = "original+padding"
	case padded(got, w.public):
		content = "public+padding"
	}
	allowed := map[string][]string{
		"none":      {"original"},
		"applying":  {"original", "public", "public+padding"},
		"active":    {"public"},
		"restoring": {"public", "original", "original+padding"},
	}
	if !slices.Contains(allowed[phase], content) {
		t.Fatalf("after the kill: journal %s, file %s:\n%s", phase, content, got)
	}
	return phase + "/" + content
}

// padded says got is want followed by comment lines only.
func padded(got, want []byte) bool {
	rest, ok := bytes.CutPrefix(got, want)
	if !ok || len(rest) == 0 {
		return false
	}
	for line := range strings.Lines(string(rest)) {
		if !strings.HasPrefix(line, "# ") {
			return false
		}
	}
	return true
}

func (w *dnsCrashWorld) ownerAndMode(t *testing.T) {
	t.Helper()
	fi, err := os.Lstat(w.file)
	if err != nil {
		t.Fatal(err)
	}
	st := fi.Sys().(*syscall.Stat_t)
	if !fi.Mode().IsRegular() || fi.Mode().Perm() != dnsCrashMode || st.Uid != 0 || st.Gid != dnsCrashGID {
		t.Fatalf("%s is %v, owner %d:%d; want a file %v, owner 0:%d", w.file, fi.Mode(), st.Uid, st.Gid, os.FileMode(dnsCrashMode), dnsCrashGID)
	}
}

// restart is the next start after the kill: a dns-restore, which (like a
// restarted agent) first repairs what an interrupted change left, then
// undoes a switch that completed. The original must be back byte for byte,
// with its owner and mode, no journal, no temporary file anywhere.
func (w *dnsCrashWorld) restart(t *testing.T) {
	t.Helper()
	w.fix(t, "dns-restore")
	if got, _ := os.ReadFile(w.file); string(got) != dnsCrashOriginal {
		t.Fatalf("after the restart the file is not the original:\n%s", got)
	}
	w.ownerAndMode(t)
	if _, err := os.Stat(w.journal); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("after the restart the journal is still there: %v", err)
	}
	for dir, want := range map[string][]string{w.upper: {"resolv.conf"}, w.run: {"resolv.conf"}} {
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			if !slices.Contains(want, e.Name()) {
				t.Fatalf("left in %s after the restart: %s", dir, e.Name())
			}
		}
	}
	if left := tempLeft(t, w.state); len(left) > 0 {
		t.Fatalf("left after the restart: %v", left)
	}
}

// hostUntouched fails the test when the machine's /etc/resolv.conf changed,
// or /etc holds a temporary file of Clearance's.
func hostUntouched(t *testing.T) {
	t.Helper()
	before, _ := os.ReadFile("/etc/resolv.conf")
	info, _ := os.Lstat("/etc/resolv.conf")
	t.Cleanup(func() {
		after, _ := os.ReadFile("/etc/resolv.conf")
		afterInfo, _ := os.Lstat("/etc/resolv.conf")
		if !bytes.Equal(after, before) || (info == nil) != (afterInfo == nil) || info != nil && !os.SameFile(info, afterInfo) {
			t.Errorf("the machine's /etc/resolv.conf changed")
		}
		if left := tempLeft(t, "/etc"); len(left) > 0 {
			t.Errorf("temporary files in the machine's /etc: %v", left)
		}
	})
}

func dnsCrashNeeds(t *testing.T) {
	t.Helper()
	why := netnsMissing()
	for _, tool := range []string{"unshare", "mount"} {
		if _, err := exec.LookPath(tool); err != nil && why == "" {
			why = "needs " + tool + "(8) from util-linux"
		}
	}
	if b, _ := os.ReadFile("/proc/filesystems"); why == "" && !bytes.Contains(b, []byte("\toverlay\n")) {
		why = "needs the overlay file system, for an /etc of the test's own"
	}
	roottest.Need(t, why)
}

var dnsCrashPaths = []string{"rename", "in-place"}

// Killed at each crash point of dns-public and dns-restore, on both paths:
// each journal write and its temporary file, the temporary resolv.conf
// before and after it gets the old owner, the rename, the in-place write,
// its fsync, the cut of the padding, the journal's removal.
func TestCrashDNSAtEachPoint(t *testing.T) {
	dnsCrashNeeds(t)
	hostUntouched(t)
	bin := crashBinary(t)
	for _, path := range dnsCrashPaths {
		w := newDNSCrashWorld(t, bin, path)
		for _, op := range dnsCrashOps {
			t.Run(path+"/"+op.name, func(t *testing.T) {
				ids := w.learn(t, op)
				t.Logf("crash points: %q", ids)
				killAtEachPoint(t, w, op, ids)
			})
		}
	}
}

// kill -9 at random moments of dns-public and dns-restore, on both paths,
// 30 runs each (CLEARANCE_CRASH_RUNS for more).
func TestCrashDNSRandomKill(t *testing.T) {
	dnsCrashNeeds(t)
	hostUntouched(t)
	bin := crashBinary(t)
	delays := newRandomDelays(t)
	runs := crashRuns(t)
	for _, path := range dnsCrashPaths {
		w := newDNSCrashWorld(t, bin, path)
		for _, op := range dnsCrashOps {
			t.Run(path+"/"+op.name, func(t *testing.T) {
				w.learn(t, op)
				killAtRandom(t, w, op, stepSpan(t, w.unkilled[op.name]), runs, delays)
			})
		}
	}
}

// crashRuns is the number of random kills per fix: 30, or
// CLEARANCE_CRASH_RUNS.
func crashRuns(t *testing.T) int {
	t.Helper()
	n := 30
	if s := os.Getenv("CLEARANCE_CRASH_RUNS"); s != "" {
		var err error
		if n, err = strconv.Atoi(s); err != nil {
			t.Fatalf("CLEARANCE_CRASH_RUNS: %v", err)
		}
	}
	return n
}
