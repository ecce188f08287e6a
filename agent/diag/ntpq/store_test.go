package ntpq

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/beevik/ntp"

	"github.com/clearance-app/clearance/internal/roottest"
	"github.com/clearance-app/clearance/internal/testworld/ntptest"
	"github.com/clearance-app/clearance/internal/winegap"
)

// Two Clients sharing one FileStore stand for two processes of one user:
// they share nothing but the file.

func storePath(t *testing.T) string {
	t.Helper()
	return filepath.Join(roottest.Dir(t), "clearance", "ntp.json") // root keeps memory only where root alone writes
}

// fakeBoot is a boot clock moved by hand, for the tests of clock steps.
type fakeBoot struct {
	mu sync.Mutex
	d  time.Duration
}

func (b *fakeBoot) Uptime() (time.Duration, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.d, true
}

func (b *fakeBoot) Advance(d time.Duration) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.d += d
}

func loadStore(t *testing.T, path string) map[string]Record {
	t.Helper()
	recs, err := FileStore{Path: path}.Load()
	if err != nil {
		t.Fatalf("the store is not readable after a save: %v", err)
	}
	return recs
}

func TestStoreSharesOneQueryBetweenProcesses(t *testing.T) {
	for _, tc := range []struct {
		name string
		boot bool
	}{{"wall clock only", false}, {"with boot clock", true}} {
		t.Run(tc.name, func(t *testing.T) {
			srv := ntptest.Serve(t, ntptest.Options{Offset: 42 * time.Second, RootDispersion: 30 * time.Millisecond})
			path := storePath(t)
			clock := newFakeClock()
			boot := &fakeBoot{d: time.Hour}
			client := func() *Client {
				c := &Client{Now: clock.Now, Store: FileStore{Path: path}}
				if tc.boot {
					c.uptime = boot.Uptime
				}
				return c
			}
			ctx := testCtx(t)
			first, err := client().Query(ctx, srv.Addr)
			if err != nil {
				t.Fatal(err)
			}
			clock.Advance(MinInterval - time.Second)
			boot.Advance(MinInterval - time.Second)
			second, err := client().Query(ctx, srv.Addr)
			if err != nil {
				t.Fatal(err)
			}
			if srv.Queries() != 1 {
				t.Fatalf("two processes within 64 s asked the server %d times, want 1", srv.Queries())
			}
			a, err := FromResponse(srv.Addr, first)
			if err != nil {
				t.Fatal(err)
			}
			b, err := FromResponse(srv.Addr, second)
			if err != nil {
				t.Fatalf("the remembered answer does not validate: %v", err)
			}
			if a != b {
				t.Errorf("remembered sample = %+v, want %+v", b, a)
			}
			if d := b.Offset + 42*time.Second; d.Abs() > 500*time.Millisecond {
				t.Errorf("remembered offset = %v, want about −42s", b.Offset)
			}

			clock.Advance(time.Second)
			boot.Advance(time.Second)
			if _, err := client().Query(ctx, srv.Addr); err != nil {
				t.Fatal(err)
			}
			if srv.Queries() != 2 {
				t.Fatalf("after 64 s: server asked %d times, want 2", srv.Queries())
			}
		})
	}
}

func TestStoreRemembersFailures(t *testing.T) {
	srv := ntptest.Serve(t, ntptest.Options{Garbage: true})
	path := storePath(t)
	clock := newFakeClock()
	ctx := testCtx(t)
	_, err1 := (&Client{Now: clock.Now, Store: FileStore{Path: path}}).Query(ctx, srv.Addr)
	_, err2 := (&Client{Now: clock.Now, Store: FileStore{Path: path}}).Query(ctx, srv.Addr)
	if err1 == nil || err2 == nil {
		t.Fatalf("garbage accepted: %v, %v", err1, err2)
	}
	if srv.Queries() != 1 {
		t.Errorf("server asked %d times, want 1", srv.Queries())
	}
	if Reason(err2) != Reason(err1) {
		t.Errorf("remembered reason %q, want %q", Reason(err2), Reason(err1))
	}
}

func TestStoreKissOfDeathOutlivesTheProcess(t *testing.T) {
	srv := ntptest.Serve(t, ntptest.Options{Kiss: "RATE", Poll: 8})
	path := storePath(t)
	clock := newFakeClock()
	ctx := testCtx(t)
	if _, err := (&Client{Now: clock.Now, Store: FileStore{Path: path}}).Query(ctx, srv.Addr); !errors.Is(err, ntp.ErrKissOfDeath) {
		t.Fatalf("err = %v, want a kiss-of-death", err)
	}

	// Past the 64 s any answer is kept, within the 256 s the server asked for.
	clock.Advance(256*time.Second - time.Second)
	_, err := (&Client{Now: clock.Now, Store: FileStore{Path: path}}).Query(ctx, srv.Addr)
	var kiss *KissError
	if !errors.As(err, &kiss) || kiss.Code != "RATE" {
		t.Fatalf("a new process during the backoff: err = %v, want the RATE kiss", err)
	}
	if got := kiss.Until.Sub(clock.Now()); got != time.Second {
		t.Errorf("kiss ends in %v, want 1s", got)
	}
	if srv.Queries() != 1 {
		t.Fatalf("server asked %d times during its backoff, want 1", srv.Queries())
	}

	clock.Advance(time.Second)
	(&Client{Now: clock.Now, Store: FileStore{Path: path}}).Query(ctx, srv.Addr)
	if srv.Queries() != 2 {
		t.Fatalf("after the backoff: server asked %d times, want 2", srv.Queries())
	}
}

func TestStoreBadFileNeverBreaksTheQuery(t *testing.T) {
	for name, content := range map[string]string{
		"corrupt":         "{\"version\":1,\"servers\":{\"x\":",
		"foreign json":    `{"version": 7, "servers": {"127.0.0.1:1": "yes"}}`,
		"not json at all": "\x00\xffclearance",
		"empty":           "",
	} {
		t.Run(name, func(t *testing.T) {
			srv := ntptest.Serve(t, ntptest.Options{})
			path := storePath(t)
			if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
				t.Fatal(err)
			}
			clock := newFakeClock()
			ctx := testCtx(t)
			if _, err := (&Client{Now: clock.Now, Store: FileStore{Path: path}}).Query(ctx, srv.Addr); err != nil {
				t.Fatalf("with a %s store: %v", name, err)
			}
			// The file was replaced by a good one, which the next process obeys.
			if _, ok := loadStore(t, path)[srv.Addr]; !ok {
				t.Fatalf("the %s file was not replaced by a record of the query", name)
			}
			if _, err := (&Client{Now: clock.Now, Store: FileStore{Path: path}}).Query(ctx, srv.Addr); err != nil {
				t.Fatal(err)
			}
			if srv.Queries() != 1 {
				t.Errorf("server asked %d times, want 1", srv.Queries())
			}
		})
	}
}

func TestStoreUnwritableDirectory(t *testing.T) {
	srv := ntptest.Serve(t, ntptest.Options{})
	// A file where the directory should be: no one, root included, can
	// create the store there.
	blocker := filepath.Join(roottest.Dir(t), "clearance")
	if err := os.WriteFile(blocker, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	store := FileStore{Path: filepath.Join(blocker, "ntp.json")}
	if err := store.Save(map[string]Record{}); err == nil {
		t.Fatal("Save under a file succeeded; the test proves nothing")
	}
	c := Client{Now: newFakeClock().Now, Store: store}
	ctx := testCtx(t)
	for range 2 {
		if _, err := c.Query(ctx, srv.Addr); err != nil {
			t.Fatalf("with an unwritable store: %v", err)
		}
	}
	if srv.Queries() != 1 {
		t.Errorf("server asked %d times, want 1: the process's own memory still holds", srv.Queries())
	}
}

func TestStoreFileIsPrivateAndAtomic(t *testing.T) {
	srv := ntptest.Serve(t, ntptest.Options{})
	path := storePath(t)
	c := Client{Now: newFakeClock().Now, Store: FileStore{Path: path}}
	if _, err := c.Query(testCtx(t), srv.Addr); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600 {
		t.Errorf("store mode = %v, want 0600", fi.Mode().Perm())
	}
	entries, err := os.ReadDir(filepath.Dir(path))
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 {
		t.Errorf("directory holds %d files, want only the store (no temporary files left)", len(entries))
	}
}

func TestStoreTimeInTheFutureHoldsOneInterval(t *testing.T) {
	srv := ntptest.Serve(t, ntptest.Options{})
	path := storePath(t)
	clock := newFakeClock()
	// Written by a process whose clock was an hour ahead, since set back:
	// its answer measured that clock, and how long ago it asked is unknown.
	stale := Record{Asked: clock.Now().Add(time.Hour), Answer: &Answer{ClockOffset: -time.Hour, Version: 4, Stratum: 2}}
	if err := (FileStore{Path: path}).Save(map[string]Record{srv.Addr: stale}); err != nil {
		t.Fatal(err)
	}
	ctx := testCtx(t)
	query := func() error {
		_, err := (&Client{Now: clock.Now, Store: FileStore{Path: path}}).Query(ctx, srv.Addr)
		return err
	}
	if err := query(); !errors.Is(err, ErrClockChanged) {
		t.Fatalf("err = %v, want ErrClockChanged (the stored answer measured another clock)", err)
	}
	clock.Advance(MinInterval - time.Second)
	if err := query(); !errors.Is(err, ErrClockChanged) {
		t.Fatalf("within 64 s of noticing: err = %v, want ErrClockChanged", err)
	}
	if srv.Queries() != 0 {
		t.Fatalf("server asked %d times while its last query's time was unknown, want 0", srv.Queries())
	}
	clock.Advance(time.Second)
	if err := query(); err != nil {
		t.Fatal(err)
	}
	if srv.Queries() != 1 {
		t.Fatalf("64 s after noticing: server asked %d times, want 1", srv.Queries())
	}
}

func TestStoreClockStepSeenByBootClock(t *testing.T) {
	srv := ntptest.Serve(t, ntptest.Options{Offset: -30 * time.Second})
	path := storePath(t)
	clock := newFakeClock()
	boot := &fakeBoot{d: time.Hour}
	ctx := testCtx(t)
	query := func() (*ntp.Response, error) {
		c := &Client{Now: clock.Now, Store: FileStore{Path: path}, uptime: boot.Uptime}
		return c.Query(ctx, srv.Addr)
	}
	if _, err := query(); err != nil {
		t.Fatal(err)
	}
	// 10 s later the clock, 30 s ahead, is set right: a step of −30 s, which
	// the wall clock alone would read as a query 20 s in the future.
	clock.Advance(10*time.Second - 30*time.Second)
	boot.Advance(10 * time.Second)
	if _, err := query(); !errors.Is(err, ErrClockChanged) {
		t.Fatalf("after a step: err = %v, want ErrClockChanged (the answer measured the old clock)", err)
	}
	clock.Advance(MinInterval - 11*time.Second)
	boot.Advance(MinInterval - 11*time.Second)
	if _, err := query(); !errors.Is(err, ErrClockChanged) || srv.Queries() != 1 {
		t.Fatalf("63 s after the query: err = %v, queries = %d; want ErrClockChanged and no new query", err, srv.Queries())
	}
	clock.Advance(time.Second)
	boot.Advance(time.Second)
	if _, err := query(); err != nil {
		t.Fatal(err)
	}
	if srv.Queries() != 2 {
		t.Fatalf("64 s after the query: server asked %d times, want 2", srv.Queries())
	}
}

func TestRecordAge(t *testing.T) {
	t0 := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	rec := Record{Asked: t0, Uptime: time.Hour}
	for _, tc := range []struct {
		name         string
		wall         time.Duration // since the query, by the wall clock
		up           time.Duration // boot clock now
		upOK         bool
		age          time.Duration
		steady, know bool
	}{
		{"same boot", 30 * time.Second, time.Hour + 30*time.Second, true, 30 * time.Second, true, true},
		{"slept: boot clock runs on", 2 * time.Hour, 3 * time.Hour, true, 2 * time.Hour, true, true},
		{"stepped forward", 90 * time.Second, time.Hour + 10*time.Second, true, 10 * time.Second, false, true},
		{"stepped back", -20 * time.Second, time.Hour + 10*time.Second, true, 10 * time.Second, false, true},
		{"rebooted", 5 * time.Minute, 2 * time.Minute, true, 2 * time.Minute, false, true},
		{"rebooted, longer up now", 3 * time.Hour, 2 * time.Hour, true, time.Hour, false, true},
		{"wall only", 30 * time.Second, 0, false, 30 * time.Second, true, true},
		{"wall only, in the future", -time.Second, 0, false, 0, false, false},
	} {
		age, steady, known := rec.age(t0.Add(tc.wall), tc.up, tc.upOK)
		if age != tc.age || steady != tc.steady || known != tc.know {
			t.Errorf("%s: age = %v, %v, %v; want %v, %v, %v", tc.name, age, steady, known, tc.age, tc.steady, tc.know)
		}
	}
}

func TestStoreKeepsEveryServerOfConcurrentQueries(t *testing.T) {
	path := storePath(t)
	c := Client{Now: newFakeClock().Now, Store: FileStore{Path: path}}
	ctx := testCtx(t)
	var srvs []*ntptest.Server
	for range 5 {
		srvs = append(srvs, ntptest.Serve(t, ntptest.Options{}))
	}
	var wg sync.WaitGroup
	for _, s := range srvs {
		wg.Go(func() { c.Query(ctx, s.Addr) })
	}
	wg.Wait()
	recs := loadStore(t, path)
	for _, s := range srvs {
		if r, ok := recs[s.Addr]; !ok || r.Answer == nil {
			t.Errorf("no answer stored for %s: %+v", s.Addr, r)
		}
	}
}

func TestStoreForgetsOldServers(t *testing.T) {
	a := ntptest.Serve(t, ntptest.Options{})
	b := ntptest.Serve(t, ntptest.Options{})
	path := storePath(t)
	clock := newFakeClock()
	c := Client{Now: clock.Now, Store: FileStore{Path: path}}
	ctx := testCtx(t)
	c.Query(ctx, a.Addr)
	clock.Advance(forgetAfter + time.Second)
	c.Query(ctx, b.Addr)
	recs := loadStore(t, path)
	if _, ok := recs[a.Addr]; ok || len(recs) != 1 {
		t.Errorf("after 36 h the store still holds %v, want only %s", recs, b.Addr)
	}
}

func TestPruneBoundsTheStore(t *testing.T) {
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	recs := map[string]Record{}
	for i := range maxRecords + 10 {
		recs[fmt.Sprintf("s%d", i)] = Record{Asked: now.Add(-time.Duration(i) * time.Second)}
	}
	prune(recs, now, 0, false)
	if len(recs) != maxRecords {
		t.Fatalf("%d records kept, want %d", len(recs), maxRecords)
	}
	if _, ok := recs["s0"]; !ok {
		t.Error("the newest record was dropped")
	}
	if _, ok := recs[fmt.Sprintf("s%d", maxRecords+9)]; ok {
		t.Error("the oldest record was kept")
	}
}

func TestUserStore(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", "")
	t.Setenv("HOME", "")
	t.Setenv("LocalAppData", "")
	t.Setenv("home", "")
	if s := UserStore(); s != nil {
		t.Errorf("UserStore() = %#v without a home, want nil (no store)", s)
	}

	home := winegap.TempDir(t)
	t.Setenv("HOME", home)
	t.Setenv("LocalAppData", home)
	t.Setenv("home", home)
	fs, ok := UserStore().(FileStore)
	if !ok || !filepath.IsAbs(fs.Path) || filepath.Base(fs.Path) != "ntp.json" || filepath.Base(filepath.Dir(fs.Path)) != "clearance" {
		t.Errorf("UserStore() = %#v, want a FileStore at <cache>/clearance/ntp.json", fs)
	}
}

func TestStoreWithTheSystemClocks(t *testing.T) {
	// No injected clock: the wall clock and the OS's boot clock must agree
	// that nothing stepped, or every process would see ErrClockChanged.
	srv := ntptest.Serve(t, ntptest.Options{})
	path := storePath(t)
	ctx := testCtx(t)
	for i := range 2 {
		c := Client{Store: FileStore{Path: path}}
		if _, err := c.Query(ctx, srv.Addr); err != nil {
			t.Fatalf("process %d: %v", i+1, err)
		}
	}
	if srv.Queries() != 1 {
		t.Errorf("server asked %d times, want 1", srv.Queries())
	}
	hasBootClock := runtime.GOOS == "linux" || runtime.GOOS == "darwin" || runtime.GOOS == "windows"
	if r := loadStore(t, path)[srv.Addr]; (r.Uptime > 0) != hasBootClock {
		t.Errorf("stored uptime = %v on %s", r.Uptime, runtime.GOOS)
	}
}
