// Package cookiestest builds the cookie databases of Chromium and Firefox
// profiles for tests, from the schemas Debian's browsers recorded
// (platform/browser/cookies/testdata: Chromium 156 and Firefox ESR 153),
// and reads them back without leaving a file of its own in the profile.
// It is for tests only.
package cookiestest

import (
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"testing"

	_ "modernc.org/sqlite" // the driver the product uses
)

// Row is a cookie a test stores: its host as a database holds it, its
// name, and (Firefox) its originAttributes.
type Row struct{ Host, Name, OA string }

func (r Row) String() string { return r.Host + " " + r.Name + " " + r.OA }

// Strings lists rows as Hosts does, sorted.
func Strings(rows ...[]Row) []string {
	var out []string
	for _, rs := range rows {
		for _, r := range rs {
			out = append(out, r.String())
		}
	}
	slices.Sort(out)
	return out
}

// schemaFile is the recorded schema of a family ("chromium", "firefox"),
// found beside this package's source, which the tests have.
func schemaFile(family string) string {
	_, self, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(self), "..", "testdata", family+".schema.sql")
}

// MakeDB creates the cookie database of a browser family at path as the
// browser leaves it: Chromium's with its meta table's version 24,
// Firefox's in WAL mode.
func MakeDB(t testing.TB, path, family string, rows []Row) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	ddl, err := os.ReadFile(schemaFile(family))
	if err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", (&url.URL{Scheme: "file", Path: path}).String())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	stmts := []string{string(ddl)}
	if family == "chromium" {
		stmts = append(stmts, "INSERT INTO meta VALUES('mmap_status','-1'),('version','24'),('last_compatible_version','24')")
	} else {
		stmts = append(stmts, "PRAGMA journal_mode=WAL", "PRAGMA user_version=17")
	}
	for _, s := range stmts {
		if _, err := db.Exec(s); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
	}
	for i, r := range rows {
		if family == "chromium" {
			_, err = db.Exec("INSERT INTO cookies VALUES(?, ?, '', ?, 'v', x'', '/', 0, 1, 1, 0, 0, 0, 1, -1, 2, 443, 0, 0, 0)", i+1, r.Host, r.Name)
		} else {
			_, err = db.Exec("INSERT INTO moz_cookies(originAttributes, name, value, host, path, expiry, lastAccessed, creationTime, isSecure, isHttpOnly) "+
				"VALUES(?, ?, 'v', ?, '/', 0, 0, ?, 1, 1)", r.OA, r.Name, r.Host, i+1)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}

// Hosts lists the cookies a database holds, as Row.String, sorted. It
// reads a copy of the database and its write-ahead log: even a read-only
// connection would leave files of its own (-shm) in the profile.
func Hosts(t testing.TB, path, family string) []string {
	t.Helper()
	cp := filepath.Join(t.TempDir(), filepath.Base(path))
	for _, suffix := range []string{"", "-wal"} {
		b, err := os.ReadFile(path + suffix)
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
	db, err := sql.Open("sqlite", (&url.URL{Scheme: "file", Path: cp}).String())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	q := "SELECT host_key, name, '' FROM cookies"
	if family == "firefox" {
		q = "SELECT host, name, originAttributes FROM moz_cookies"
	}
	rows, err := db.Query(q)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var r Row
		if err := rows.Scan(&r.Host, &r.Name, &r.OA); err != nil {
			t.Fatal(err)
		}
		out = append(out, r.String())
	}
	slices.Sort(out)
	return out
}

// Sums are the SHA-256 of every file in a folder, by name.
func Sums(t testing.TB, dir string) map[string]string {
	t.Helper()
	sums := map[string]string{}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !e.Type().IsRegular() {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		s := sha256.Sum256(b)
		sums[e.Name()] = hex.EncodeToString(s[:])
	}
	return sums
}
