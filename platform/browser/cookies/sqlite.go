package cookies

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/clearance-app/clearance/platform/crashpoint"
)

// busyTimeout is how long a statement waits for a lock another program
// holds before failing with ErrInUse: long enough for a browser's
// periodic commit to finish, short enough that a person is not kept
// waiting by one that holds its database for good.
const busyTimeout = "2000" // milliseconds

// openDatabase opens the SQLite database at path in place, so that SQLite
// reads its -wal and -journal files as the browser would, and never
// creates it.
func openDatabase(path string) (*sql.DB, error) {
	db, err := sql.Open("sqlite", databaseURI(path))
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	return db, nil
}

// databaseURI is SQLite's URI for path (https://sqlite.org/uri.html):
// mode=rw opens an existing file for writing and never creates one. The
// path is escaped, so that a '?', '#' or '%' in a profile's name is part
// of the name; a Windows path gets the leading slash its drive letter
// needs ("file:///C:/Users/…").
func databaseURI(path string) string {
	p := filepath.ToSlash(path)
	if !strings.HasPrefix(p, "/") {
		p = "/" + p
	}
	u := url.URL{Scheme: "file", Path: p, RawQuery: "mode=rw&_pragma=busy_timeout(" + busyTimeout + ")"}
	return u.String()
}

// sqliteError tells a locked database (ErrInUse) and an unreadable one
// (ErrDamaged) from other failures, keeping SQLite's words for the detail.
func sqliteError(err error) error {
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return err
	}
	switch se.Code() & 0xff { // the primary result code
	case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
		return fmt.Errorf("%w (%v)", ErrInUse, err)
	case sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB:
		return fmt.Errorf("%w (%v)", ErrDamaged, err)
	}
	return err
}

// cookie is one row of OpenAI's: its key in its table and its host.
type cookie struct {
	key  int64
	host string
}

// removeCookies finds OpenAI's cookies in the database at path and, unless
// dryRun, deletes them, all in one transaction: the database's layout is
// checked, SQLite's quick_check must pass, every row's host is read and
// judged by IsOpenAIHost, and the rows chosen are deleted by their key.
// wrote says whether a change was committed or attempted, after which the
// database's backup must be kept; on any earlier error nothing was
// changed. A dry run reads a private copy of the database and its
// companion files: SQLite rewrites the -shm index of a database in WAL
// mode even for a connection that only reads, and a dry run changes no
// byte.
func removeCookies(ctx context.Context, path, family string, dryRun bool) (found []cookie, wrote bool, err error) {
	if dryRun {
		tmp, err := os.MkdirTemp("", "clearance-cookies-")
		if err != nil {
			return nil, false, err
		}
		defer os.RemoveAll(tmp)
		if _, err := copyDatabase(path, tmp); err != nil {
			return nil, false, err
		}
		path = filepath.Join(tmp, filepath.Base(path))
	}
	db, err := openDatabase(path)
	if err != nil {
		return nil, false, err
	}
	defer db.Close()
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, false, sqliteError(err)
	}
	defer conn.Close()

	// IMMEDIATE takes the write lock at once: no other writer can add or
	// change a row between reading the hosts and deleting the rows.
	if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		return nil, false, sqliteError(err)
	}
	done := false
	defer func() {
		if !done {
			// Not ctx: the rollback must run when ctx is what ended the work.
			conn.ExecContext(context.Background(), "ROLLBACK")
		}
	}()

	l, err := checkSchema(ctx, conn, family)
	if err != nil {
		return nil, false, err
	}
	if err := quickCheck(ctx, conn); err != nil {
		return nil, false, err
	}
	found, err = findCookies(ctx, conn, l)
	if err != nil || dryRun || len(found) == 0 {
		return found, false, err
	}

	del, err := conn.PrepareContext(ctx, "DELETE FROM "+l.table+" WHERE "+l.key+" = ?")
	if err != nil {
		return nil, false, sqliteError(err)
	}
	defer del.Close()
	for _, c := range found {
		if _, err := del.ExecContext(ctx, c.key); err != nil {
			return nil, false, sqliteError(err)
		}
	}
	crashpoint.Here("cookies:rows-deleted") // not yet committed
	done = true
	if _, err := conn.ExecContext(ctx, "COMMIT"); err != nil {
		// A failed COMMIT leaves the transaction open or rolled back;
		// roll back, and keep the backup all the same.
		conn.ExecContext(context.Background(), "ROLLBACK")
		return nil, true, sqliteError(err)
	}
	crashpoint.Here("cookies:committed")
	return found, true, nil
}

// quickCheck runs SQLite's quick_check: a truncated or damaged file is
// refused before a row of it is deleted, which could make it worse.
func quickCheck(ctx context.Context, conn *sql.Conn) error {
	rows, err := conn.QueryContext(ctx, "PRAGMA quick_check")
	if err != nil {
		return sqliteError(err)
	}
	defer rows.Close()
	var problems []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			return sqliteError(err)
		}
		if line != "ok" {
			problems = append(problems, line)
		}
	}
	if err := rows.Err(); err != nil {
		return sqliteError(err)
	}
	if len(problems) > 0 {
		// "*** in database main ***" heads the list; say what follows it.
		i := slices.IndexFunc(problems, func(p string) bool { return !strings.HasPrefix(p, "*** ") })
		return fmt.Errorf("%w (SQLite's check: %s)", ErrDamaged, problems[max(i, 0)])
	}
	return nil
}

// findCookies reads every row's key and host and keeps OpenAI's: the
// decision is IsOpenAIHost's, in Go, never a pattern in SQL.
func findCookies(ctx context.Context, conn *sql.Conn, l layout) ([]cookie, error) {
	rows, err := conn.QueryContext(ctx, "SELECT "+l.key+", "+l.host+" FROM "+l.table)
	if err != nil {
		return nil, sqliteError(err)
	}
	defer rows.Close()
	var found []cookie
	for rows.Next() {
		var key int64
		var host sql.NullString
		if err := rows.Scan(&key, &host); err != nil {
			return nil, sqliteError(err)
		}
		if IsOpenAIHost(host.String) {
			found = append(found, cookie{key: key, host: host.String})
		}
	}
	if err := rows.Err(); err != nil {
		return nil, sqliteError(err)
	}
	return found, nil
}
