package cookies

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/clearance-app/clearance/internal/winegap"
)

// fixedNow is the clock the tests' backups are named by.
var fixedNow = time.Date(2026, 3, 14, 15, 9, 26, 0, time.UTC)

func options(root string) Options {
	return Options{BackupRoot: root, Now: func() time.Time { return fixedNow }}
}

func storeFor(sc schema, profile string) Store {
	browser := "Chromium"
	if sc.family == Firefox {
		browser = "Firefox"
	}
	return Store{Browser: browser, Family: sc.family, Profile: sc.name, Dir: profile}
}

// TestClearRecordedSchemas clears databases of each recorded layout, and
// of Chromium's version 9 one: OpenAI's cookies go, in every Firefox
// container and partition, and the near misses stay; the database was
// backed up first, privately, and the result names what went.
func TestClearRecordedSchemas(t *testing.T) {
	for _, sc := range recordedSchemas {
		t.Run(sc.name, func(t *testing.T) {
			dir := winegap.TempDir(t)
			profile := filepath.Join(dir, "profile")
			rows := slices.Concat(openAIRows, nearMisses)
			gone, kept := openAIRows, nearMisses
			if sc.family == Firefox {
				rows = slices.Concat(rows, firefoxPartitions, firefoxPartitionMisses)
				gone, kept = slices.Concat(openAIRows, firefoxPartitions), slices.Concat(nearMisses, firefoxPartitionMisses)
			}
			db := makeDB(t, profile, sc, rows)
			before := fileSums(t, db)
			root := filepath.Join(dir, "cookie-backups")

			res := Clear(context.Background(), []Store{storeFor(sc, profile)}, options(root))

			r := res[0]
			if r.Err != nil || r.Skipped != "" {
				t.Fatalf("Clear: err %v, skipped %q", r.Err, r.Skipped)
			}
			if r.DB != db || r.Removed != len(gone) {
				t.Errorf("Clear removed %d from %s, want %d from %s", r.Removed, r.DB, len(gone), db)
			}
			wantHosts := []string{"auth.openai.com", "cdn.oaistatic.com", "chatgpt.com", "oaistatic.com", "openai.com"}
			if !slices.Equal(r.Hosts, wantHosts) {
				t.Errorf("hosts %v, want %v", r.Hosts, wantHosts)
			}
			if got, want := rowsIn(t, db, sc.family), rowStrings(kept); !slices.Equal(got, want) {
				t.Errorf("left\n%v\nwant\n%v", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
			checkBackup(t, root, r, before)
			if when, ok := LatestBackup(root); !ok || !when.Equal(fixedNow) {
				t.Errorf("LatestBackup = %v, %v; want %v", when, ok, fixedNow)
			}
		})
	}
}

// checkBackup checks that r's backup holds the files whose sums were
// before, with a manifest, all the person's alone.
func checkBackup(t *testing.T, root string, r Result, before map[string]string) {
	t.Helper()
	if r.Backup == "" || !strings.HasPrefix(r.Backup, root+string(filepath.Separator)) {
		t.Fatalf("backup %q is not under %s", r.Backup, root)
	}
	for d := r.Backup; d != filepath.Dir(root); d = filepath.Dir(d) {
		checkPrivate(t, d, true)
	}
	got := fileSums(t, filepath.Join(r.Backup, filepath.Base(r.DB)))
	if !mapsEqual(got, before) {
		t.Errorf("the backup holds %v, the database was %v", got, before)
	}
	entries, err := os.ReadDir(r.Backup)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		checkPrivate(t, filepath.Join(r.Backup, e.Name()), false)
	}
	var m manifest
	b, err := os.ReadFile(filepath.Join(r.Backup, manifestName))
	if err != nil || json.Unmarshal(b, &m) != nil || m.Database != r.DB || len(m.Files) != len(before) {
		t.Errorf("manifest %s (%v): %+v", b, err, m)
	}
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// TestDryRun finds what would go and changes nothing: no byte of the
// database or of the write-ahead log a crashed browser left, and no backup.
func TestDryRun(t *testing.T) {
	dir := winegap.TempDir(t)
	profile := filepath.Join(dir, "profile")
	db := makeDB(t, profile, firefox153, nearMisses)
	startHolder(t, db, Firefox, slices.Concat(openAIRows, firefoxPartitions)).kill(t)
	before := fileSums(t, db)
	if _, ok := before["cookies.sqlite-wal"]; !ok {
		t.Fatalf("no write-ahead log to leave alone: %v", before)
	}
	root := filepath.Join(dir, "cookie-backups")
	opts := options(root)
	opts.DryRun = true

	r := Clear(context.Background(), []Store{storeFor(firefox153, profile)}, opts)[0]

	if r.Err != nil || r.Removed != len(openAIRows)+len(firefoxPartitions) || r.Backup != "" {
		t.Errorf("dry run: %+v", r)
	}
	if after := fileSums(t, db); !mapsEqual(after, before) {
		t.Errorf("a dry run changed the files: %v, were %v", after, before)
	}
	if _, err := os.Stat(root); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a dry run made %s: %v", root, err)
	}
}

// TestClearWALOnlyRows clears cookies that exist only in the write-ahead
// log of a database another program holds open, as a running Firefox
// keeps recent cookies: they are found and deleted, and that program's
// own connection sees them gone.
func TestClearWALOnlyRows(t *testing.T) {
	dir := winegap.TempDir(t)
	profile := filepath.Join(dir, "profile")
	db := makeDB(t, profile, firefox153, nearMisses)
	h := startHolder(t, db, Firefox, slices.Concat(openAIRows, firefoxPartitions, firefoxPartitionMisses))

	// The rows are in the log only: the database file by itself lacks them.
	alone := filepath.Join(dir, "alone.sqlite")
	b, err := os.ReadFile(db)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(alone, b, 0o600); err != nil {
		t.Fatal(err)
	}
	if got, want := rowsIn(t, alone, Firefox), rowStrings(nearMisses); !slices.Equal(got, want) {
		t.Fatalf("the database file alone holds %v; the new rows should be only in its log", got)
	}

	r := Clear(context.Background(), []Store{storeFor(firefox153, profile)}, options(filepath.Join(dir, "backups")))[0]

	if r.Err != nil || r.Removed != len(openAIRows)+len(firefoxPartitions) {
		t.Fatalf("Clear: %+v", r)
	}
	want := rowStrings(nearMisses, firefoxPartitionMisses)
	if got := h.rows(t); !slices.Equal(got, want) {
		t.Errorf("the other program sees\n%v\nwant\n%v", got, want)
	}
	if got := rowsIn(t, db, Firefox); !slices.Equal(got, want) {
		t.Errorf("a new connection sees %v, want %v", got, want)
	}
	if _, err := os.Stat(filepath.Join(r.Backup, "cookies.sqlite-wal")); err != nil {
		t.Errorf("the backup lacks the write-ahead log: %v", err)
	}
}

// TestUndoRoundTrip clears and restores a database a crashed browser left
// with rows in its write-ahead log, and a Chromium one with a rollback
// journal: the database, -wal and -shm files come back byte for byte, and a
// journal written after the backup does not survive.
func TestUndoRoundTrip(t *testing.T) {
	t.Run("firefox-wal", func(t *testing.T) {
		dir := winegap.TempDir(t)
		profile := filepath.Join(dir, "profile")
		db := makeDB(t, profile, firefox153, nearMisses)
		startHolder(t, db, Firefox, slices.Concat(openAIRows, firefoxPartitions)).kill(t)
		roundTrip(t, dir, storeFor(firefox153, profile), db, []string{"cookies.sqlite", "cookies.sqlite-shm", "cookies.sqlite-wal"})
	})
	t.Run("chromium-journal", func(t *testing.T) {
		dir := winegap.TempDir(t)
		profile := filepath.Join(dir, "profile")
		db := makeDB(t, profile, chromium156, slices.Concat(openAIRows, nearMisses))
		roundTrip(t, dir, storeFor(chromium156, profile), db, []string{"Cookies"})
	})
}

func roundTrip(t *testing.T, dir string, s Store, db string, files []string) {
	t.Helper()
	// Read from a copy: SQLite rewrites the -shm index of the database it
	// reads, and these files must stay as the browser left them.
	rowsBefore := rowsOfCopy(t, db, s.Family)
	before := fileSums(t, db)
	if got := slices.Sorted(mapKeys(before)); !slices.Equal(got, files) {
		t.Fatalf("the database's files are %v, want %v", got, files)
	}
	opts := options(filepath.Join(dir, "backups"))
	if _, err := Undo(context.Background(), []Store{s}, opts); !errors.Is(err, ErrNoBackup) {
		t.Errorf("Undo before any Clear: %v, want ErrNoBackup", err)
	}
	if r := Clear(context.Background(), []Store{s}, opts)[0]; r.Err != nil || r.Removed == 0 {
		t.Fatalf("Clear: %+v", r)
	}
	if mapsEqual(fileSums(t, db), before) {
		t.Fatal("Clear changed nothing")
	}
	// What a browser started since would leave: a rollback journal.
	if err := os.WriteFile(db+"-journal", []byte("a later session's journal"), 0o600); err != nil {
		t.Fatal(err)
	}

	res, err := Undo(context.Background(), []Store{s}, opts)

	if err != nil || res[0].Err != nil || res[0].Skipped != "" {
		t.Fatalf("Undo: %v, %+v", err, res)
	}
	if after := fileSums(t, db); !mapsEqual(after, before) {
		t.Errorf("after Undo the files are\n%v\nwere\n%v", after, before)
	}
	if got := rowsIn(t, db, s.Family); !slices.Equal(got, rowsBefore) {
		t.Errorf("after Undo the database holds %v, held %v", got, rowsBefore)
	}
}

// rowsOfCopy reads the cookies of a copy of db and its companion files.
func rowsOfCopy(t testing.TB, db, family string) []string {
	t.Helper()
	dir := winegap.TempDir(t)
	if _, err := copyDatabase(db, dir); err != nil {
		t.Fatal(err)
	}
	return rowsIn(t, filepath.Join(dir, filepath.Base(db)), family)
}

func mapKeys(m map[string]string) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// TestClearBadInput hands Clear databases it must refuse — not SQLite,
// truncated, a layout no browser documents, a link — among good ones:
// each refused one gets its own clear error and keeps every byte and no
// backup, and the good ones are still cleared; nothing panics.
func TestClearBadInput(t *testing.T) {
	dir := winegap.TempDir(t)
	root := filepath.Join(dir, "backups")
	rows := slices.Concat(openAIRows, nearMisses)
	type bad struct {
		name string
		make func(profile string) // builds the profile
		want error                // nil: cleared
	}
	chromiumWith := func(ddl string, meta ...[2]string) func(string) {
		return func(profile string) {
			custom := filepath.Join(dir, filepath.Base(profile)+".sql")
			if err := os.WriteFile(custom, []byte(ddl), 0o600); err != nil {
				t.Fatal(err)
			}
			sc := chromium156
			sc.file, sc.meta = custom, meta
			makeDB(t, profile, sc, nil)
		}
	}
	cases := []bad{
		{"not-sqlite", func(p string) { writeFile(t, filepath.Join(p, "Cookies"), pseudoRandom(8192)) }, ErrDamaged},
		{"truncated", func(p string) { truncateHalf(t, makeDB(t, p, chromium156, manyRows(400))) }, ErrDamaged},
		// The table reads well; only its index, which deleting changes, is
		// damaged.
		{"index-damaged", func(p string) { damageIndex(t, makeDB(t, p, chromium156, rows), "cookies_unique_index") }, ErrDamaged},
		{"chromium-too-new", func(p string) {
			sc := chromium156
			sc.meta = [][2]string{{"version", "99"}, {"last_compatible_version", "99"}}
			makeDB(t, p, sc, rows)
		}, ErrUnknownSchema},
		{"chromium-too-old", func(p string) {
			sc := chromium156
			sc.meta = [][2]string{{"version", "2"}, {"last_compatible_version", "2"}}
			makeDB(t, p, sc, rows)
		}, ErrUnknownSchema},
		{"chromium-no-meta", chromiumWith("CREATE TABLE cookies(host_key TEXT NOT NULL, name TEXT NOT NULL);"), ErrUnknownSchema},
		{"chromium-meta-no-version", chromiumWith("CREATE TABLE meta(key LONGVARCHAR NOT NULL UNIQUE PRIMARY KEY, value LONGVARCHAR); CREATE TABLE cookies(host_key TEXT NOT NULL, name TEXT NOT NULL);"), ErrUnknownSchema},
		{"chromium-no-host-key", chromiumWith("CREATE TABLE meta(key LONGVARCHAR NOT NULL UNIQUE PRIMARY KEY, value LONGVARCHAR); CREATE TABLE cookies(host TEXT NOT NULL, name TEXT NOT NULL);",
			[2]string{"version", "24"}, [2]string{"last_compatible_version", "24"}), ErrUnknownSchema},
		{"chromium-without-rowid", chromiumWith("CREATE TABLE meta(key LONGVARCHAR NOT NULL UNIQUE PRIMARY KEY, value LONGVARCHAR); CREATE TABLE cookies(host_key TEXT NOT NULL, name TEXT NOT NULL, PRIMARY KEY(host_key, name)) WITHOUT ROWID;",
			[2]string{"version", "24"}, [2]string{"last_compatible_version", "24"}), ErrUnknownSchema},
		{"chromium-no-cookies-table", chromiumWith("CREATE TABLE meta(key LONGVARCHAR NOT NULL UNIQUE PRIMARY KEY, value LONGVARCHAR);",
			[2]string{"version", "24"}, [2]string{"last_compatible_version", "24"}), ErrUnknownSchema},
		{"cookies-is-a-link-loop", func(p string) {
			winegap.SkipIfNo(t, winegap.Symlinks)
			mkdir(t, p)
			if err := os.Symlink("Cookies", filepath.Join(p, "Cookies")); err != nil {
				t.Fatal(err)
			}
		}, ErrDamaged},
		// A newer Chromium whose database an older one may still use, by
		// Chromium's own rule: cleared.
		{"chromium-newer-but-compatible", func(p string) {
			sc := chromium156
			sc.meta = [][2]string{{"version", "30"}, {"last_compatible_version", "24"}}
			makeDB(t, p, sc, rows)
		}, nil},
		{"chromium-156", func(p string) { makeDB(t, p, chromium156, rows) }, nil},
	}
	var stores []Store
	sums := map[string]map[string]string{}
	paths := map[string]string{}
	for _, c := range cases {
		profile := filepath.Join(dir, c.name)
		c.make(profile)
		stores = append(stores, Store{Browser: "Chromium", Family: Chromium, Profile: c.name, Dir: profile})
		paths[c.name] = filepath.Join(profile, "Cookies")
		if fi, err := os.Lstat(paths[c.name]); err == nil && fi.Mode().IsRegular() {
			sums[c.name] = fileSums(t, paths[c.name])
		}
	}
	// Firefox's own: no host column, and an id that is not the key; and
	// a schema version Firefox 153 does not know whose columns are there,
	// usable by Firefox's rule.
	ffBad := func(name, ddl string, want error) {
		profile := filepath.Join(dir, name)
		mkdir(t, profile)
		db := filepath.Join(profile, "cookies.sqlite")
		execSQL(t, db, ddl)
		sums[name] = fileSums(t, db)
		paths[name] = db
		stores = append(stores, Store{Browser: "Firefox", Family: Firefox, Profile: name, Dir: profile})
		cases = append(cases, bad{name: name, want: want})
	}
	ffBad("firefox-no-host", "CREATE TABLE moz_cookies(id INTEGER PRIMARY KEY, name TEXT, baseDomain TEXT); INSERT INTO moz_cookies(name, baseDomain) VALUES('a', 'chatgpt.com');", ErrUnknownSchema)
	ffBad("firefox-text-id", "CREATE TABLE moz_cookies(id TEXT PRIMARY KEY, name TEXT, host TEXT); INSERT INTO moz_cookies VALUES('1', 'a', 'chatgpt.com');", ErrUnknownSchema)
	ffBad("firefox-future", "CREATE TABLE moz_cookies(id INTEGER PRIMARY KEY, name TEXT, host TEXT, originAttributes TEXT, somethingNew BLOB); INSERT INTO moz_cookies(name, host, originAttributes) VALUES('a', '.chatgpt.com', ''), ('b', 'notopenai.com', ''); PRAGMA user_version=99;", nil)
	stores = append(stores,
		Store{Browser: "Chromium", Family: Chromium, Profile: "never-used", Dir: filepath.Join(dir, "never-used")},
		Store{Browser: "Safari", Family: "safari", Profile: "default", Dir: dir})

	res := Clear(context.Background(), stores, options(root))

	for i, c := range cases {
		r := res[i]
		if r.Store.Profile != c.name {
			t.Fatalf("result %d is for %q, want %q", i, r.Store.Profile, c.name)
		}
		if c.want == nil {
			if r.Err != nil || r.Removed == 0 || r.Backup == "" {
				t.Errorf("%s: want cleared, got %+v", c.name, r)
			}
			continue
		}
		if !errors.Is(r.Err, c.want) || r.Removed != 0 || r.Backup != "" {
			t.Errorf("%s: got err %v, removed %d, backup %q; want %v, nothing removed, no backup", c.name, r.Err, r.Removed, r.Backup, c.want)
		}
		if r.Err != nil && !strings.Contains(r.Err.Error(), "left alone") {
			t.Errorf("%s: the error does not say the cookies were left alone: %v", c.name, r.Err)
		}
		if before := sums[c.name]; before != nil {
			if after := fileSums(t, paths[c.name]); !mapsEqual(after, before) {
				t.Errorf("%s: the refused database changed: %v, was %v", c.name, after, before)
			}
		} else if target, err := os.Readlink(paths[c.name]); err != nil || target != "Cookies" {
			t.Errorf("%s: the link changed: %q, %v", c.name, target, err)
		}
		t.Logf("%s: %v", c.name, r.Err)
	}
	never, safari := res[len(res)-2], res[len(res)-1]
	if never.Err != nil || never.Skipped == "" {
		t.Errorf("a profile without a cookie database: %+v", never)
	}
	if safari.Err == nil {
		t.Errorf("an unknown family: %+v", safari)
	}
	backups, err := listBackups(root)
	if err != nil || len(backups) != 1 || len(backups[0].stores) != 3 {
		t.Fatalf("backups: %v, %+v; want one run with the three cleared stores", err, backups)
	}
}

func mkdir(t testing.TB, dir string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
}

func writeFile(t testing.TB, path string, b []byte) {
	t.Helper()
	mkdir(t, filepath.Dir(path))
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// pseudoRandom is n bytes that are not an SQLite database.
func pseudoRandom(n int) []byte {
	b := make([]byte, n)
	x := uint32(2463534242)
	for i := range b {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		b[i] = byte(x)
	}
	return b
}

// manyRows are enough cookies to spread a database over many pages.
func manyRows(n int) []row {
	rows := slices.Clone(openAIRows)
	for i := range n {
		rows = append(rows, row{Host: fmt.Sprintf("host%d.example.com", i), Name: strings.Repeat("n", 100)})
	}
	return rows
}

// truncateHalf cuts a database file to half its pages, as a full disk or a
// crash of a copy might.
func truncateHalf(t testing.TB, path string) {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(path, fi.Size()/2/4096*4096); err != nil {
		t.Fatal(err)
	}
}

// execSQL creates a database with the statements in ddl.
func execSQL(t testing.TB, path, ddl string) {
	t.Helper()
	db, err := sql.Open("sqlite", testURI(path, ""))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(ddl); err != nil {
		t.Fatal(err)
	}
}

// damageIndex overwrites the page header of an index's root page, leaving
// the table's own pages intact.
func damageIndex(t testing.TB, path, index string) {
	t.Helper()
	db, err := sql.Open("sqlite", testURI(path, ""))
	if err != nil {
		t.Fatal(err)
	}
	var root, pageSize int64
	err = db.QueryRow("SELECT rootpage FROM sqlite_schema WHERE name = ?", index).Scan(&root)
	if err == nil {
		err = db.QueryRow("PRAGMA page_size").Scan(&pageSize)
	}
	db.Close()
	if err != nil || root < 2 {
		t.Fatalf("the root page of %s: %d, %v", index, root, err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteAt([]byte{0x00, 0xff, 0xff, 0xff}, (root-1)*pageSize); err != nil {
		t.Fatal(err)
	}
}
