package main

import (
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"maps"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/clearance-app/clearance/internal/roottest"
	"github.com/clearance-app/clearance/platform/browser/cookies/cookiestest"
)

// clear-site-cookies and its --undo killed at each crash point (each file
// of the backup copied, the backup complete, the rows deleted but not
// committed, committed; each file put back) and at random moments, run as a
// person on a home of the test's with a Chromium and a Firefox profile.
// After a kill each profile holds every cookie, or has lost OpenAI's only
// and has a complete backup that gives back its database byte for byte.
// The person then runs the fix again, then --undo: each profile is back
// byte for byte (but for SQLite's journal or log of a kill mid-deletion,
// see restart), and nothing half-written is left in the profiles or the
// backups.

// cookieCrashWorld is a home and the program run as its owner.
type cookieCrashWorld struct {
	bin, public string
	h           cookieHome
	original    map[string]map[string]string // profile folder → file → SHA-256
	all, others map[string][]string          // profile folder → its rows, all or without OpenAI's
	family      map[string]string
	unkilled    map[string][][]tracePoint
}

func newCookieCrashWorld(t *testing.T, bin string) *cookieCrashWorld {
	t.Helper()
	if _, err := exec.LookPath("setpriv"); err != nil {
		roottest.Need(t, "needs setpriv(1) from util-linux, to run as a person rather than root")
	}
	if os.Geteuid() != 0 {
		roottest.Need(t, "needs root, to run the program as a second user")
	}
	public, err := os.MkdirTemp("/tmp", "clr-crash-cookies-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(public) })
	if err := os.Chmod(public, 0o755); err != nil {
		t.Fatal(err)
	}
	return &cookieCrashWorld{bin: bin, public: public, unkilled: map[string][][]tracePoint{}}
}

// fresh makes a new home with both profiles.
func (w *cookieCrashWorld) fresh(t *testing.T) {
	t.Helper()
	os.RemoveAll(filepath.Join(w.public, "home"))
	w.h = newCookieHome(t, w.public)
	if err := filepath.Walk(w.h.home, func(p string, _ os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(p, 65534, 65534)
	}); err != nil {
		t.Fatal(err)
	}
	w.original = map[string]map[string]string{w.h.chromium: cookiestest.Sums(t, w.h.chromium), w.h.firefox: cookiestest.Sums(t, w.h.firefox)}
	w.family = map[string]string{w.h.chromium: "chromium", w.h.firefox: "firefox"}
	w.all = map[string][]string{
		w.h.chromium: cookiestest.Strings(openAICookies, otherCookies),
		w.h.firefox:  cookiestest.Strings(openAICookies, firefoxContainerCookies, otherCookies),
	}
	w.others = map[string][]string{w.h.chromium: cookiestest.Strings(otherCookies), w.h.firefox: cookiestest.Strings(otherCookies)}
}

func (w *cookieCrashWorld) db(profile string) string {
	if profile == w.h.chromium {
		return w.h.chromiumDB
	}
	return w.h.ffDB
}

func (w *cookieCrashWorld) start(t *testing.T, at string, args ...string) *crashRun {
	t.Helper()
	argv := append([]string{"setpriv", "--reuid", "65534", "--regid", "65534", "--clear-groups", "--", w.bin, "fix", "clear-site-cookies"}, args...)
	return startCrashRun(t, argv, w.h.env(), at, w.public)
}

// fix runs the fix to its end, which must be a success.
func (w *cookieCrashWorld) fix(t *testing.T, args ...string) []tracePoint {
	t.Helper()
	r := w.start(t, "", args...)
	if killed, code := r.wait(); killed || code != 0 {
		t.Fatalf("clear-site-cookies %v: killed %v, exit %d\nstdout:\n%s\nstderr:\n%s", args, killed, code, r.stdout.String(), r.stderr.String())
	}
	return r.points(t)
}

// rows reads a profile's cookies as the browser would find them: the
// database with its write-ahead log and its rollback journal, which
// SQLite replays or rolls back on opening (in a copy: the check changes
// nothing).
// copyDB copies the profile's cookie database with its write-ahead log
// and rollback journal, if any, to a folder of the test's, and returns
// the copy's path: opening it may change it.
func (w *cookieCrashWorld) copyDB(t *testing.T, profile string) string {
	t.Helper()
	db := w.db(profile)
	cp := filepath.Join(t.TempDir(), filepath.Base(db))
	for _, suffix := range []string{"", "-wal", "-journal"} {
		b, err := os.ReadFile(db + suffix)
		if os.IsNotExist(err) && suffix != "" {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(cp+suffix, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return cp
}

// settledSum is the SHA-256 of the profile's cookie database as SQLite
// will find it once it rolls back a journal that a kill between the
// deletion and its commit left: a copy is opened and read, which rolls it
// back, and the copy is summed.
func (w *cookieCrashWorld) settledSum(t *testing.T, profile string) string {
	t.Helper()
	cp := w.copyDB(t, profile)
	conn, err := sql.Open("sqlite", (&url.URL{Scheme: "file", Path: cp}).String())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec("PRAGMA quick_check"); err != nil {
		t.Fatal(err)
	}
	conn.Close()
	b, err := os.ReadFile(cp)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

func (w *cookieCrashWorld) rows(t *testing.T, profile string) []string {
	t.Helper()
	cp := w.copyDB(t, profile)
	conn, err := sql.Open("sqlite", (&url.URL{Scheme: "file", Path: cp}).String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	q := "SELECT host_key, name, '' FROM cookies"
	if w.family[profile] == "firefox" {
		q = "SELECT host, name, originAttributes FROM moz_cookies"
	}
	res, err := conn.Query(q)
	if err != nil {
		t.Fatalf("%s is not readable after the kill: %v", w.db(profile), err)
	}
	defer res.Close()
	var out []string
	for res.Next() {
		var r cookiestest.Row
		if err := res.Scan(&r.Host, &r.Name, &r.OA); err != nil {
			t.Fatal(err)
		}
		out = append(out, r.String())
	}
	slices.Sort(out)
	return out
}

// completeBackup says whether a backup of profile holds its original
// database byte for byte, with a manifest that says so.
func (w *cookieCrashWorld) completeBackup(t *testing.T, profile string) bool {
	t.Helper()
	manifests, _ := filepath.Glob(filepath.Join(w.h.data, "clearance", "cookie-backups", "*", "*", "store.json"))
	for _, m := range manifests {
		var man struct {
			Dir   string `json:"profile_dir"`
			Files []struct {
				Name   string `json:"name"`
				SHA256 string `json:"sha256"`
			} `json:"files"`
		}
		b, err := os.ReadFile(m)
		if err != nil || json.Unmarshal(b, &man) != nil || man.Dir != profile {
			continue
		}
		ok := len(man.Files) > 0
		for _, f := range man.Files {
			data, err := os.ReadFile(filepath.Join(filepath.Dir(m), f.Name))
			sum := sha256.Sum256(data)
			ok = ok && err == nil && hex.EncodeToString(sum[:]) == f.SHA256 && w.original[profile][f.Name] == f.SHA256
		}
		if ok {
			return true
		}
	}
	return false
}

// afterKill checks each profile after a kill and names what it found.
func (w *cookieCrashWorld) afterKill(t *testing.T) string {
	t.Helper()
	var found []string
	for _, p := range []string{w.h.chromium, w.h.firefox} {
		got := w.rows(t, p)
		switch {
		case slices.Equal(got, w.all[p]):
			found = append(found, w.family[p]+" all")
		case slices.Equal(got, w.others[p]) && w.completeBackup(t, p):
			found = append(found, w.family[p]+" cleared+backup")
		default:
			t.Fatalf("after the kill %s holds %q; want all its cookies, or all but OpenAI's and a complete backup (found one: %v)", p, got, w.completeBackup(t, p))
		}
	}
	return strings.Join(found, ", ")
}

// restart is what the person does next: the fix again, which must clear
// every OpenAI cookie and keep the others, then --undo, which must give
// back every profile byte for byte; and nothing half-written is left.
func (w *cookieCrashWorld) restart(t *testing.T) {
	t.Helper()
	w.fix(t)
	for _, p := range []string{w.h.chromium, w.h.firefox} {
		if got := w.rows(t, p); !slices.Equal(got, w.others[p]) {
			t.Fatalf("after the fix was run again %s holds %q, want %q", p, got, w.others[p])
		}
	}
	w.fix(t, "--undo")
	for p, sums := range w.original {
		// A kill between the deletion and its commit leaves SQLite's
		// rollback journal (or write-ahead log and its index); the fix run
		// again backs them up with the database, as it backs up every
		// companion file, and --undo puts them back: SQLite rolls them
		// back, or finds nothing committed in them. Besides those, every
		// file is as it was once SQLite has rolled back (the database's
		// bytes, from a copy opened as the browser would), and the rows
		// are all there.
		got := cookiestest.Sums(t, p)
		if _, err := os.Stat(w.db(p) + "-journal"); err == nil {
			// The database's own bytes, too, are as SQLite will find them.
			got[filepath.Base(w.db(p))] = w.settledSum(t, p)
		}
		maps.DeleteFunc(got, func(name, _ string) bool {
			_, was := sums[name]
			suffix, ok := strings.CutPrefix(name, filepath.Base(w.db(p)))
			return !was && ok && slices.Contains([]string{"-journal", "-wal", "-shm"}, suffix)
		})
		if !maps.Equal(got, sums) || !slices.Equal(w.rows(t, p), w.all[p]) {
			t.Fatalf("after --undo %s holds %v, want what it held before: %v", p, got, sums)
		}
		if left := tempLeft(t, p); len(left) > 0 {
			t.Fatalf("left in the profile: %v", left)
		}
	}
	root := filepath.Join(w.h.data, "clearance", "cookie-backups")
	runs, _ := os.ReadDir(root)
	for _, run := range runs {
		stores, _ := os.ReadDir(filepath.Join(root, run.Name()))
		if len(stores) == 0 {
			t.Fatalf("an empty backup folder is left: %s", run.Name())
		}
		for _, s := range stores {
			dir := filepath.Join(root, run.Name(), s.Name())
			if _, err := os.Stat(filepath.Join(dir, "store.json")); err != nil {
				names, _ := os.ReadDir(dir)
				t.Fatalf("a backup without its manifest is left: %s (%d files)", dir, len(names))
			}
			if left := tempLeft(t, dir); len(left) > 0 {
				t.Fatalf("left in a backup: %v", left)
			}
		}
	}
}

var cookieCrashOps = []crashOp{
	{"clear", nil, []string{}},
	{"undo", []string{}, []string{"--undo"}},
}

// learn runs op unkilled three times and returns its crash points.
func (w *cookieCrashWorld) learn(t *testing.T, op crashOp) []string {
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
	}
	if len(ids) == 0 {
		t.Fatalf("clear-site-cookies %v reached no crash point", op.args)
	}
	return ids
}

// Killed at each crash point of clear-site-cookies and its --undo, then
// at random moments, 30 runs each (CLEARANCE_CRASH_RUNS for more).
func TestCrashClearSiteCookies(t *testing.T) {
	bin := crashBinary(t)
	w := newCookieCrashWorld(t, bin)
	delays := newRandomDelays(t)
	runs := crashRuns(t)
	for _, op := range cookieCrashOps {
		t.Run(op.name, func(t *testing.T) {
			ids := w.learn(t, op)
			t.Logf("crash points: %q", ids)
			killAtEachPoint(t, w, op, ids)

			killAtRandom(t, w, op, stepSpan(t, w.unkilled[op.name]), runs, delays)
		})
	}
}
