package cookies

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/clearance-app/clearance/internal/winegap"
)

// TestBackupFailsMidway makes a backup fail after the database itself was
// copied (its journal is a folder): that store keeps every byte and no
// partial backup is left, and the next store is backed up and cleared.
func TestBackupFailsMidway(t *testing.T) {
	winegap.SkipIfNo(t, winegap.RemoveAll) // a failed backup is removed so
	dir := winegap.TempDir(t)
	broken := filepath.Join(dir, "broken")
	db := makeDB(t, broken, chromium156, slices.Concat(openAIRows, nearMisses))
	before := fileSums(t, db)
	mkdir(t, db+"-journal")
	good := filepath.Join(dir, "good")
	makeDB(t, good, firefox153, slices.Concat(openAIRows, nearMisses))
	root := filepath.Join(dir, "backups")

	res := Clear(context.Background(), []Store{storeFor(chromium156, broken), storeFor(firefox153, good)}, options(root))

	if r := res[0]; !errors.Is(r.Err, ErrBackup) || r.Removed != 0 || r.Backup != "" {
		t.Errorf("a failed backup: %+v", r)
	}
	if err := os.Remove(db + "-journal"); err != nil {
		t.Fatal(err)
	}
	if after := fileSums(t, db); !mapsEqual(after, before) {
		t.Errorf("the database whose backup failed changed")
	}
	if r := res[1]; r.Err != nil || r.Removed != len(openAIRows) {
		t.Errorf("the store after it: %+v", r)
	}
	runs, err := os.ReadDir(root)
	if err != nil || len(runs) != 1 {
		t.Fatalf("backup runs: %v %v", runs, err)
	}
	stores, err := os.ReadDir(filepath.Join(root, runs[0].Name()))
	if err != nil || len(stores) != 1 || !strings.Contains(stores[0].Name(), "Firefox") {
		t.Errorf("backups in the run: %v %v; want Firefox's alone", stores, err)
	}
}

// TestLatestBackupAndRetention runs Clear three times — twice in one
// second, then eight days later — with new cookies each time: each run
// keeps its own folder, LatestBackup reports the newest, Undo restores the
// newest, and the week-old runs are removed, nothing else in the folder.
func TestLatestBackupAndRetention(t *testing.T) {
	winegap.SkipIfNo(t, winegap.RemoveAll) // old backups are removed so
	dir := winegap.TempDir(t)
	profile := filepath.Join(dir, "profile")
	db := makeDB(t, profile, chromium156, nearMisses)
	s := storeFor(chromium156, profile)
	root := filepath.Join(dir, "backups")
	if _, ok := LatestBackup(root); ok {
		t.Fatal("a backup before any Clear")
	}
	at := func(now time.Time) Options { return Options{BackupRoot: root, Now: func() time.Time { return now }} }
	clearAt := func(now time.Time, add []row, removed int) Result {
		t.Helper()
		writeRows(t, db, add)
		r := Clear(context.Background(), []Store{s}, at(now))[0]
		if r.Err != nil || r.Removed != removed {
			t.Fatalf("Clear at %v: %+v", now, r)
		}
		return r
	}
	first := clearAt(fixedNow, openAIRows[:2], 2)
	second := clearAt(fixedNow, openAIRows[2:4], 2)
	if filepath.Dir(first.Backup) == filepath.Dir(second.Backup) {
		t.Fatalf("two runs in one second share %s", filepath.Dir(first.Backup))
	}
	if when, ok := LatestBackup(root); !ok || !when.Equal(fixedNow) {
		t.Errorf("LatestBackup = %v %v", when, ok)
	}
	withSecond := rowStrings(nearMisses, openAIRows[2:4])
	res, err := Undo(context.Background(), []Store{s}, at(fixedNow))
	if err != nil || res[0].Backup != second.Backup || !slices.Equal(rowsIn(t, db, Chromium), withSecond) {
		t.Errorf("Undo restored %q (%v), want the newest, %q; rows %v", res[0].Backup, err, second.Backup, rowsIn(t, db, Chromium))
	}

	for _, keep := range []string{"notes", "20200101T000000Zjunk"} {
		mkdir(t, filepath.Join(root, keep))
	}
	later := fixedNow.Add(8 * 24 * time.Hour)
	third := clearAt(later, openAIRows[4:], 4) // and the two Undo put back
	if when, ok := LatestBackup(root); !ok || !when.Equal(later) {
		t.Errorf("LatestBackup = %v %v, want %v", when, ok, later)
	}
	var left []string
	entries, _ := os.ReadDir(root)
	for _, e := range entries {
		left = append(left, e.Name())
	}
	want := []string{"20200101T000000Zjunk", filepath.Base(filepath.Dir(third.Backup)), "notes"}
	if !slices.Equal(left, want) {
		t.Errorf("after a week the backups are %v, want %v", left, want)
	}
}

// writeRows adds cookies to a closed database.
func writeRows(t testing.TB, path string, rows []row) {
	t.Helper()
	db, err := openDatabase(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := insertRows(context.Background(), db, Chromium, rows); err != nil {
		t.Fatal(err)
	}
}

// TestUndoBadBackup restores from backups that are not what Clear saved —
// a file changed since, a manifest naming a file outside the profile —
// and finds each refused, the database untouched.
func TestUndoBadBackup(t *testing.T) {
	for name, spoil := range map[string]func(t *testing.T, folder string){
		"changed": func(t *testing.T, folder string) {
			writeFile(t, filepath.Join(folder, "Cookies"), []byte("not what was saved"))
		},
		"elsewhere": func(t *testing.T, folder string) {
			editManifest(t, folder, func(m *manifest) { m.Database = filepath.Join(m.Dir, "..", "Cookies") })
		},
		"foreign-file": func(t *testing.T, folder string) {
			editManifest(t, folder, func(m *manifest) { m.Files = append(m.Files, saved{Name: "Preferences"}) })
		},
		"no-database": func(t *testing.T, folder string) {
			editManifest(t, folder, func(m *manifest) { m.Files = nil })
		},
	} {
		t.Run(name, func(t *testing.T) {
			dir := winegap.TempDir(t)
			profile := filepath.Join(dir, "profile")
			db := makeDB(t, profile, chromium156, slices.Concat(openAIRows, nearMisses))
			s := storeFor(chromium156, profile)
			opts := options(filepath.Join(dir, "backups"))
			r := Clear(context.Background(), []Store{s}, opts)[0]
			if r.Err != nil {
				t.Fatal(r.Err)
			}
			spoil(t, r.Backup)
			cleared := fileSums(t, db)

			res, err := Undo(context.Background(), []Store{s}, opts)

			if err != nil || !errors.Is(res[0].Err, ErrBadBackup) {
				t.Errorf("Undo from a spoilt backup: %v, %+v", err, res)
			}
			if after := fileSums(t, db); !mapsEqual(after, cleared) {
				t.Errorf("Undo from a spoilt backup changed the database")
			}
		})
	}
}

func editManifest(t *testing.T, folder string, edit func(*manifest)) {
	t.Helper()
	path := filepath.Join(folder, manifestName)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var m manifest
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	edit(&m)
	b, err = json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, path, b)
}

// TestClearEdgeCases: a cancelled context, a Running that panics, and a
// profile whose name holds characters SQLite's URIs give meaning to.
func TestClearEdgeCases(t *testing.T) {
	dir := winegap.TempDir(t)
	odd := filepath.Join(dir, oddProfileName)
	db := makeDB(t, odd, chromium156, slices.Concat(openAIRows, nearMisses))
	before := fileSums(t, db)
	s := storeFor(chromium156, odd)
	opts := options(filepath.Join(dir, "backups"))

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if r := Clear(ctx, []Store{s}, opts)[0]; !errors.Is(r.Err, context.Canceled) || !mapsEqual(fileSums(t, db), before) {
		t.Errorf("Clear with a cancelled context: %+v", r)
	}

	panicky := s
	panicky.Running = func() (bool, string, error) { panic("a discovery bug") }
	res := Clear(context.Background(), []Store{panicky, s}, opts)
	if r := res[0]; r.Err == nil || !strings.Contains(r.Err.Error(), "a discovery bug") {
		t.Errorf("a store whose Running panics: %+v", r)
	}
	if r := res[1]; r.Err != nil || r.Removed != len(openAIRows) || r.DB != db {
		t.Errorf("the store after a panic, in a folder named %q: %+v", filepath.Base(odd), r)
	}
	if got := rowsIn(t, db, Chromium); !slices.Equal(got, rowStrings(nearMisses)) {
		t.Errorf("left %v", got)
	}
}

func TestDatabaseURI(t *testing.T) {
	for path, want := range map[string]string{
		"/home/a b/.config/chromium/Default/Cookies":                               "file:///home/a%20b/.config/chromium/Default/Cookies?mode=rw&_pragma=busy_timeout(2000)",
		"/p/a?b#c%d/cookies.sqlite":                                                "file:///p/a%3Fb%23c%25d/cookies.sqlite?mode=rw&_pragma=busy_timeout(2000)",
		"C:/Users/A/AppData/Local/Google/Chrome/User Data/Default/Network/Cookies": "file:///C:/Users/A/AppData/Local/Google/Chrome/User%20Data/Default/Network/Cookies?mode=rw&_pragma=busy_timeout(2000)",
	} {
		if got := databaseURI(path); got != want {
			t.Errorf("databaseURI(%q) = %q, want %q", path, got, want)
		}
	}
}
