package cookies

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/clearance-app/clearance/internal/winegap"
)

// profileMark stands for the profile's folder in the seeds of
// FuzzUndoManifest, so that a manifest the fuzzer makes can name the
// profile Undo is given, wherever the test's folder is.
const profileMark = "@PROFILE@"

// FuzzUndoManifest puts arbitrary bytes where a backup's manifest is
// (store.json, which says what a restore writes where) and undoes the
// clearing of a profile's cookies. The manifest is read from disk, so
// whatever it says, Undo writes nothing but that profile's cookie
// database and its companion files: every other file under the test's
// folder, the backup itself included, is as it was, and nothing new
// appears outside them. A database Undo reports restored holds the bytes
// the manifest vouched for; a manifest it refuses is refused with the
// reason (ErrBadBackup), and the database is then as it was.
//
// Seeds: the manifest a real Clear wrote of a database made from the
// recorded Chromium 156 schema, and the spoilt manifests of
// TestUndoBadBackup.
func FuzzUndoManifest(f *testing.F) {
	dir := winegap.TempDir(f)
	profile := filepath.Join(dir, "profile")
	db := makeDB(f, profile, chromium156, slices.Concat(openAIRows, nearMisses))
	writeFile(f, filepath.Join(profile, "Preferences"), []byte("{}"))
	writeFile(f, filepath.Join(dir, "other", "Cookies"), []byte("another profile's"))
	s := storeFor(chromium156, profile)
	opts := options(filepath.Join(dir, "backups"))
	r := Clear(context.Background(), []Store{s}, opts)[0]
	if r.Err != nil {
		f.Fatal(r.Err)
	}
	cleared, err := os.ReadFile(db)
	if err != nil {
		f.Fatal(err)
	}
	if res, err := Undo(context.Background(), []Store{s}, opts); err != nil || res[0].Err != nil || res[0].Skipped != "" {
		f.Fatalf("Undo with the manifest Clear wrote: %v %+v; the seed would not reach a restore", err, res)
	}
	manifestPath := filepath.Join(r.Backup, manifestName)
	written, err := os.ReadFile(manifestPath)
	if err != nil {
		f.Fatal(err)
	}
	quoted, _ := json.Marshal(profile)
	inJSON := string(quoted[1 : len(quoted)-1])
	seed := bytes.ReplaceAll(written, []byte(inJSON), []byte(profileMark))
	f.Add(seed)
	var m manifest
	if err := json.Unmarshal(written, &m); err != nil {
		f.Fatal(err)
	}
	for _, spoil := range []func(m *manifest){
		func(m *manifest) { m.Database = filepath.Join(m.Dir, "..", "Cookies") },
		func(m *manifest) { m.Files = append(m.Files, saved{Name: "Preferences"}) },
		func(m *manifest) { m.Files = nil },
		func(m *manifest) {
			m.Dir = filepath.Join(m.Dir, "..", "other")
			m.Database = filepath.Join(m.Dir, "Cookies")
		},
	} {
		c := m
		c.Files = slices.Clone(m.Files)
		spoil(&c)
		b, _ := json.Marshal(c)
		f.Add(bytes.ReplaceAll(b, []byte(inJSON), []byte(profileMark)))
	}

	f.Fuzz(func(t *testing.T, content []byte) {
		content = bytes.ReplaceAll(content, []byte(profileMark), []byte(inJSON))
		if err := os.WriteFile(manifestPath, content, 0o600); err != nil {
			t.Fatal(err)
		}
		// Each input starts from the cleared database alone.
		for _, suffix := range companions {
			os.Remove(db + suffix)
		}
		if err := os.WriteFile(db, cleared, 0o600); err != nil {
			t.Fatal(err)
		}
		before := treeSums(t, dir)

		res, err := Undo(context.Background(), []Store{s}, opts)

		after := treeSums(t, dir)
		mayChange := map[string]bool{}
		for _, suffix := range append([]string{""}, companions...) {
			rel, _ := filepath.Rel(dir, db+suffix)
			mayChange[rel] = true
		}
		for _, p := range slices.Sorted(maps.Keys(after)) {
			if after[p] != before[p] && !mayChange[p] {
				t.Fatalf("Undo with the manifest %s changed or made %s", content, p)
			}
		}
		for p := range before {
			if _, ok := after[p]; !ok && !mayChange[p] {
				t.Fatalf("Undo with the manifest %s removed %s", content, p)
			}
		}
		if err != nil {
			if !errors.Is(err, ErrNoBackup) {
				t.Fatalf("Undo: %v", err)
			}
			return
		}
		switch r := res[0]; {
		case r.Err != nil:
			if !errors.Is(r.Err, ErrBadBackup) {
				t.Fatalf("a refused manifest %s: %v, want ErrBadBackup", content, r.Err)
			}
			if b, _ := os.ReadFile(db); !bytes.Equal(b, cleared) {
				t.Fatalf("a refused manifest %s changed the database", content)
			}
		case r.Skipped == "":
			var m manifest
			if err := json.Unmarshal(content, &m); err != nil {
				t.Fatalf("restored from a manifest that does not read: %v", err)
			}
			b, _ := os.ReadFile(db)
			sum := sha256.Sum256(b)
			i := slices.IndexFunc(m.Files, func(f saved) bool { return f.Name == filepath.Base(db) })
			if i < 0 || m.Files[i].SHA256 != hex.EncodeToString(sum[:]) {
				t.Fatalf("the database restored from %s is not what the manifest vouched for", content)
			}
		}
	})
}

// treeSums are the SHA-256 of every file under dir, and "dir" for each
// folder, by path relative to dir.
func treeSums(t *testing.T, dir string) map[string]string {
	t.Helper()
	sums := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if d.IsDir() {
			sums[rel] = "dir"
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		s := sha256.Sum256(b)
		sums[rel] = hex.EncodeToString(s[:])
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return sums
}
