package cookies

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// The browser families, as Store.Family names them.
const (
	Chromium = "chromium"
	Firefox  = "firefox"
)

// databaseNames are where a profile keeps its cookie database, relative to
// the profile directory, in the order they are tried. Chrome on Windows
// moved it into Network/ in version 96
// (https://github.com/bertrandom/chrome-cookies-secure/issues/38);
// Debian's Chromium 156 still keeps it in the profile's root
// (testdata/README.md).
var databaseNames = map[string][]string{
	Chromium: {filepath.Join("Network", "Cookies"), "Cookies"},
	Firefox:  {"cookies.sqlite"},
}

// findDatabase returns the path of s's cookie database, or "" when the
// profile has none (a profile never used to browse).
func findDatabase(s Store) (string, error) {
	names, ok := databaseNames[s.Family]
	if !ok {
		return "", fmt.Errorf("%q is not a browser family Clearance can clear cookies of", s.Family)
	}
	for _, n := range names {
		p := filepath.Join(s.Dir, n)
		fi, err := os.Lstat(p)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return "", err
		}
		if !fi.Mode().IsRegular() {
			return "", fmt.Errorf("%w: %s is not a regular file", ErrDamaged, p)
		}
		return p, nil
	}
	return "", nil
}

// layout names the table of cookies, its host column and the column that
// identifies a row, for the statements that read and delete them. They
// are constants: nothing from a database or a person goes into SQL text.
type layout struct {
	table, host, key string
}

var (
	// Chromium's cookies table has host_key in every version below, and
	// is an ordinary rowid table: until version 10 creation_utc was its
	// INTEGER PRIMARY KEY (an alias of rowid), since then it has none.
	chromiumLayout = layout{table: "cookies", host: "host_key", key: "rowid"}
	// Firefox's moz_cookies has had id INTEGER PRIMARY KEY and host since
	// schema version 1.
	firefoxLayout = layout{table: "moz_cookies", host: "host", key: "id"}
)

// Chromium's cookie database versions, from the history above
// kCurrentVersionNumber in Chromium's
// net/extras/sqlite/sqlite_persistent_cookie_store.cc: versions 3 to 24
// (2024; Chromium 156 writes 24, testdata/chromium.rows.txt). A
// database's meta table records its version and last_compatible_version,
// the oldest version of the code that may read and write it
// (sql::MetaTable); Chromium refuses a database whose
// last_compatible_version is above its own version as "too new".
// Clearance does the same, as a Chromium of version 24 would.
const (
	oldestChromiumVersion = 3
	newestChromiumVersion = 24
)

// querier is what the schema checks need of a connection.
type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// checkSchema says how to find and delete the cookies of a database of
// family, or why it cannot: ErrUnknownSchema for a layout its browser's
// source does not document, ErrDamaged for a file SQLite cannot read.
func checkSchema(ctx context.Context, q querier, family string) (layout, error) {
	switch family {
	case Chromium:
		return chromiumLayout, checkChromium(ctx, q)
	case Firefox:
		return firefoxLayout, checkFirefox(ctx, q)
	}
	return layout{}, fmt.Errorf("%q is not a browser family Clearance can clear cookies of", family)
}

func checkChromium(ctx context.Context, q querier) error {
	cols, err := columns(ctx, q, "meta")
	if err != nil {
		return err
	}
	if !cols["key"].present || !cols["value"].present {
		return fmt.Errorf("%w: it has no meta table saying its version, as Chromium's cookie databases do", ErrUnknownSchema)
	}
	version, err := metaInt(ctx, q, "version")
	if err != nil {
		return err
	}
	compatible, err := metaInt(ctx, q, "last_compatible_version")
	if err != nil {
		return err
	}
	switch {
	case version < oldestChromiumVersion:
		return fmt.Errorf("%w: Chromium cookie database version %d is older than any Clearance knows (%d to %d)",
			ErrUnknownSchema, version, oldestChromiumVersion, newestChromiumVersion)
	case compatible > newestChromiumVersion:
		return fmt.Errorf("%w: Chromium cookie database version %d was written by a newer browser than Clearance knows (up to version %d)",
			ErrUnknownSchema, version, newestChromiumVersion)
	}
	return needColumns(ctx, q, chromiumLayout)
}

// checkFirefox follows Firefox's own rule for a database of another schema
// version (CookiePersistentStorage::TryInitDB in Firefox's
// netwerk/cookie/CookiePersistentStorage.cpp): columns may be added but a
// column whose meaning changes is renamed, so the columns it needs being
// there is what makes a moz_cookies table usable, whatever PRAGMA
// user_version says (17 in Firefox 153).
func checkFirefox(ctx context.Context, q querier) error {
	return needColumns(ctx, q, firefoxLayout)
}

// needColumns checks that l's table has its host column and, for a named
// key, that the key is the table's INTEGER PRIMARY KEY.
func needColumns(ctx context.Context, q querier, l layout) error {
	cols, err := columns(ctx, q, l.table)
	if err != nil {
		return err
	}
	if len(cols) == 0 {
		return fmt.Errorf("%w: it has no %s table", ErrUnknownSchema, l.table)
	}
	if !cols[l.host].present {
		return fmt.Errorf("%w: its %s table has no %s column", ErrUnknownSchema, l.table, l.host)
	}
	if l.key != "rowid" {
		if k := cols[l.key]; !k.present || !k.integerKey {
			return fmt.Errorf("%w: %s.%s is not the table's integer primary key", ErrUnknownSchema, l.table, l.key)
		}
		return nil
	}
	// rowid names the row only in a rowid table with no column of that
	// name; in a WITHOUT ROWID table the statement does not compile.
	if cols["rowid"].present {
		return fmt.Errorf("%w: its %s table has a column named rowid", ErrUnknownSchema, l.table)
	}
	rows, err := q.QueryContext(ctx, "SELECT rowid FROM "+l.table+" LIMIT 0")
	if err != nil {
		if e := sqliteError(err); errors.Is(e, ErrDamaged) || errors.Is(e, ErrInUse) {
			return e
		}
		return fmt.Errorf("%w: its %s table has no rowid: %v", ErrUnknownSchema, l.table, err)
	}
	return rows.Close()
}

type column struct {
	present, integerKey bool
}

// columns lists a table's columns (none for a missing table) from PRAGMA
// table_info: the name, the declared type, and whether it is the primary
// key (pk 1 with no second key column).
func columns(ctx context.Context, q querier, table string) (map[string]column, error) {
	rows, err := q.QueryContext(ctx, "SELECT name, type, pk FROM pragma_table_info(?)", table)
	if err != nil {
		return nil, sqliteError(err)
	}
	defer rows.Close()
	cols := map[string]column{}
	pks := 0
	for rows.Next() {
		var name, typ string
		var pk int
		if err := rows.Scan(&name, &typ, &pk); err != nil {
			return nil, sqliteError(err)
		}
		if pk > 0 {
			pks++
		}
		cols[name] = column{present: true, integerKey: pk == 1 && strings.EqualFold(typ, "INTEGER")}
	}
	if err := rows.Err(); err != nil {
		return nil, sqliteError(err)
	}
	if pks > 1 {
		for n, c := range cols {
			c.integerKey = false
			cols[n] = c
		}
	}
	return cols, nil
}

func metaInt(ctx context.Context, q querier, key string) (int, error) {
	var v sql.NullString
	err := q.QueryRowContext(ctx, "SELECT value FROM meta WHERE key = ?", key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) || err == nil && !v.Valid {
		return 0, fmt.Errorf("%w: its meta table has no %s", ErrUnknownSchema, key)
	}
	if err != nil {
		return 0, sqliteError(err)
	}
	n, err := strconv.Atoi(v.String)
	if err != nil {
		return 0, fmt.Errorf("%w: its meta table's %s is %q, not a number", ErrUnknownSchema, key, v.String)
	}
	return n, nil
}
