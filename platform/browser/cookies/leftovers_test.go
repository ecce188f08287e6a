package cookies

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/clearance-app/clearance/internal/winegap"
)

// A Clear killed while it saved a backup leaves a store's folder without
// its manifest (the manifest is written last), beside complete ones or
// alone in its run's folder. The next Clear removes those folders, and a
// run left empty, before it starts; Undo and LatestBackup offer only the
// complete backup.
func TestPruneRemovesBackupsKilledMidway(t *testing.T) {
	winegap.SkipIfNo(t, winegap.RemoveAll) // what pruning removes, it removes so
	dir := winegap.TempDir(t)
	profile := filepath.Join(dir, "profile")
	db := makeDB(t, profile, chromium156, slices.Concat(openAIRows, nearMisses))
	s := storeFor(chromium156, profile)
	root := filepath.Join(dir, "backups")
	at := func(now time.Time) Options { return Options{BackupRoot: root, Now: func() time.Time { return now }} }
	complete := Clear(context.Background(), []Store{s}, at(fixedNow))[0]
	if complete.Err != nil {
		t.Fatal(complete.Err)
	}
	copied, err := os.ReadFile(filepath.Join(complete.Backup, "Cookies"))
	if err != nil {
		t.Fatal(err)
	}
	// What a kill leaves: a copy cut short, a manifest not yet renamed
	// into place; in the complete run, and in a newer run of its own.
	killed := func(folder string) string {
		writeFile(t, filepath.Join(folder, "Cookies"), copied[:len(copied)/2])
		writeFile(t, filepath.Join(folder, ".store.json.clearance-2674182236"), []byte(`{"browser":`))
		return folder
	}
	beside := killed(filepath.Join(filepath.Dir(complete.Backup), "2-Chromium-Other"))
	newerRun := filepath.Join(root, fixedNow.Add(time.Minute).Format(stampLayout))
	alone := killed(filepath.Join(newerRun, "1-"+filepath.Base(complete.Backup)[2:]))

	later := fixedNow.Add(2 * time.Minute)
	if r := Clear(context.Background(), []Store{s}, at(later))[0]; r.Err != nil || r.Removed != 0 {
		t.Fatalf("the second Clear, with nothing left to clear: %+v", r)
	}

	for _, gone := range []string{beside, alone, newerRun} {
		if _, err := os.Lstat(gone); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s, left by a killed backup, is still there (%v)", gone, err)
		}
	}
	if _, err := os.Lstat(filepath.Join(complete.Backup, manifestName)); err != nil {
		t.Errorf("the complete backup was pruned: %v", err)
	}
	if when, ok := LatestBackup(root); !ok || !when.Equal(fixedNow) {
		t.Errorf("LatestBackup = %v %v, want the complete backup's %v", when, ok, fixedNow)
	}
	res, err := Undo(context.Background(), []Store{s}, at(later))
	if err != nil || res[0].Err != nil || res[0].Backup != complete.Backup {
		t.Fatalf("Undo restored from %q (%v %v), want %q", res[0].Backup, err, res[0].Err, complete.Backup)
	}
	if got := rowsIn(t, db, Chromium); !slices.Equal(got, rowStrings(openAIRows, nearMisses)) {
		t.Errorf("after Undo the rows are %v", got)
	}
}

// An Undo killed between writing a file and renaming it leaves its
// temporary file, a copy of every cookie of the profile, beside the
// database. The next restore removes those of the database and its
// companions first, and nothing else that only looks like them.
func TestRestoreRemovesTempsOfAKilledUndo(t *testing.T) {
	dir := winegap.TempDir(t)
	profile := filepath.Join(dir, "profile")
	db := makeDB(t, profile, chromium156, slices.Concat(openAIRows, nearMisses))
	s := storeFor(chromium156, profile)
	opts := options(filepath.Join(dir, "backups"))
	if r := Clear(context.Background(), []Store{s}, opts)[0]; r.Err != nil {
		t.Fatal(r.Err)
	}
	whole, err := os.ReadFile(db)
	if err != nil {
		t.Fatal(err)
	}
	var left, kept []string
	for _, name := range []string{".Cookies.clearance-2674182236", ".Cookies-journal.clearance-1", ".Cookies-wal.clearance-77"} {
		left = append(left, filepath.Join(profile, name))
		writeFile(t, left[len(left)-1], whole)
	}
	for _, name := range []string{".Cookies.clearance-1.orig", ".Preferences.clearance-1", "Cookies.clearance-1"} {
		kept = append(kept, filepath.Join(profile, name))
		writeFile(t, kept[len(kept)-1], []byte("a person's"))
	}
	notAFile := filepath.Join(profile, ".Cookies.clearance-9")
	mkdir(t, notAFile)
	kept = append(kept, notAFile)

	res, err := Undo(context.Background(), []Store{s}, opts)
	if err != nil || res[0].Err != nil || res[0].Skipped != "" {
		t.Fatalf("Undo: %v %+v", err, res)
	}

	for _, p := range left {
		if _, err := os.Lstat(p); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s, left by a killed Undo, is still there (%v)", filepath.Base(p), err)
		}
	}
	for _, p := range kept {
		if _, err := os.Lstat(p); err != nil {
			t.Errorf("%s, not a restore's temporary file, was removed (%v)", filepath.Base(p), err)
		}
	}
	if got := rowsIn(t, db, Chromium); !slices.Equal(got, rowStrings(openAIRows, nearMisses)) {
		t.Errorf("after Undo the rows are %v", got)
	}
}
