package cookies

import (
	"bufio"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"io/fs"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/clearance-app/clearance/platform/internal/platformtest"
)

// testHelpers are the modes in which the test binary, re-executed as a
// child, plays another program that has a cookie database open.
var testHelpers = map[string]func() int{holdHelper: runHold}

func TestMain(m *testing.M) { platformtest.Main(m, testHelpers) }

// A schema the tests build databases from: a file in testdata, where the
// database lies in a profile, and the rows of Chromium's meta table.
type schema struct {
	name   string
	family string
	file   string
	db     string
	meta   [][2]string
	wal    bool // the browser keeps it in WAL mode (Firefox)
}

var (
	chromium156 = schema{name: "chromium-156", family: Chromium, file: "chromium.schema.sql", db: "Cookies",
		meta: [][2]string{{"mmap_status", "-1"}, {"version", "24"}, {"last_compatible_version", "24"}}}
	chromium156Network = schema{name: "chromium-156-network", family: Chromium, file: "chromium.schema.sql",
		db: filepath.Join("Network", "Cookies"), meta: chromium156.meta}
	chromiumV9 = schema{name: "chromium-v9", family: Chromium, file: "chromium-v9.schema.sql", db: "Cookies",
		meta: [][2]string{{"version", "9"}, {"last_compatible_version", "5"}}}
	firefox153 = schema{name: "firefox-153", family: Firefox, file: "firefox.schema.sql", db: "cookies.sqlite", wal: true}

	recordedSchemas = []schema{chromium156, chromium156Network, chromiumV9, firefox153}
)

// row is a cookie the tests store: its host as a database holds it, its
// name, and (Firefox) its originAttributes.
type row struct {
	Host, Name, OA string
}

func (r row) String() string { return r.Host + " " + r.Name + " " + r.OA }

// openAIRows go; nearMisses stay. The Cloudflare cookies are among both.
var (
	openAIRows = []row{
		{Host: ".chatgpt.com", Name: "__cf_bm"},
		{Host: "chatgpt.com", Name: "cf_clearance"},
		{Host: ".openai.com", Name: "_cfuvid"},
		{Host: "auth.openai.com", Name: "__Secure-next-auth.session-token"},
		{Host: "cdn.oaistatic.com", Name: "__cf_bm"},
		{Host: ".oaistatic.com", Name: "_cfuvid"},
	}
	nearMisses = []row{
		{Host: "chatgpt.com.evil.net", Name: "cf_clearance"},
		{Host: ".notopenai.com", Name: "__cf_bm"},
		{Host: "openai.com.cn", Name: "_cfuvid"},
		{Host: "xchatgpt.com", Name: "cf_clearance"},
		{Host: ".chatgpt.co", Name: "a"},
		{Host: "example.com", Name: "cf_clearance"},
	}
	// Firefox keeps a cookie once per container and partition: every one
	// of OpenAI's goes. The partition is the one Firefox 153 recorded
	// (testdata/firefox.rows.txt); containers are userContextId.
	firefoxPartitions = []row{
		{Host: ".chatgpt.com", Name: "__cf_bm", OA: "^userContextId=1"},
		{Host: "chatgpt.com", Name: "framed", OA: "^partitionKey=%28http%2Cnotopenai.com%29"},
		{Host: ".openai.com", Name: "_cfuvid", OA: "^userContextId=2&partitionKey=%28https%2Cexample.com%29"},
	}
	firefoxPartitionMisses = []row{
		{Host: "notopenai.com", Name: "keep", OA: "^userContextId=1"},
	}
)

// layoutOf is the table and host column the tests fill.
func layoutOf(family string) layout {
	if family == Firefox {
		return firefoxLayout
	}
	return chromiumLayout
}

// makeDB creates the database of sc under profile, with rows.
func makeDB(t testing.TB, profile string, sc schema, rows []row) string {
	t.Helper()
	path := filepath.Join(profile, sc.db)
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	ddl, err := os.ReadFile(sc.file)
	if !filepath.IsAbs(sc.file) {
		ddl, err = os.ReadFile(filepath.Join("testdata", sc.file))
	}
	if err != nil {
		t.Fatal(err)
	}
	// No fsync per row: the machine is shared, and a crash loses only a
	// fixture.
	db, err := sql.Open("sqlite", testURI(path, "_pragma=synchronous(off)"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(string(ddl)); err != nil {
		t.Fatalf("%s: %v", sc.file, err)
	}
	for _, kv := range sc.meta {
		if _, err := db.Exec("INSERT INTO meta(key, value) VALUES(?, ?)", kv[0], kv[1]); err != nil {
			t.Fatal(err)
		}
	}
	if sc.wal {
		if _, err := db.Exec("PRAGMA journal_mode=WAL"); err != nil {
			t.Fatal(err)
		}
	}
	if err := insertRows(context.Background(), db, sc.family, rows); err != nil {
		t.Fatal(err)
	}
	return path
}

// testURI is an SQLite URI for a test's database, which may not exist yet.
func testURI(path, query string) string {
	p := filepath.ToSlash(path)
	if !strings.HasPrefix(p, "/") { // a Windows path: file:///C:/…, as databaseURI writes it
		p = "/" + p
	}
	return (&url.URL{Scheme: "file", Path: p, RawQuery: query}).String()
}

type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// insertRows stores rows in a database of family, every column filled as
// its declared type asks, so that the NOT NULL columns of each layout
// are satisfied.
func insertRows(ctx context.Context, db execer, family string, rows []row) error {
	l := layoutOf(family)
	q, err := db.QueryContext(ctx, "SELECT name, type, pk FROM pragma_table_info(?)", l.table)
	if err != nil {
		return err
	}
	type col struct {
		name, typ string
		pk        int
	}
	var cols []col
	for q.Next() {
		var c col
		if err := q.Scan(&c.name, &c.typ, &c.pk); err != nil {
			q.Close()
			return err
		}
		if !(c.pk == 1 && c.typ == "INTEGER" && c.name != "creation_utc") { // Firefox's id numbers itself
			cols = append(cols, c)
		}
	}
	q.Close()
	for _, r := range rows {
		var names, marks []string
		var vals []any
		for _, c := range cols {
			var v any
			switch {
			case c.name == l.host:
				v = r.Host
			case c.name == "name":
				v = r.Name
			case c.name == "originAttributes":
				v = r.OA
			case c.name == "creation_utc" || c.name == "creationTime":
				h := fnv.New64a() // unique per cookie: creation_utc was the key until version 10
				h.Write([]byte(r.String()))
				v = int64(h.Sum64() >> 2)
			case strings.Contains(c.typ, "INT"):
				v = 0
			case c.typ == "BLOB":
				v = []byte{}
			default:
				v = ""
			}
			names = append(names, c.name)
			marks = append(marks, "?")
			vals = append(vals, v)
		}
		stmt := fmt.Sprintf("INSERT INTO %s(%s) VALUES(%s)", l.table, strings.Join(names, ","), strings.Join(marks, ","))
		if _, err := db.ExecContext(ctx, stmt, vals...); err != nil {
			return fmt.Errorf("%s: %w", r, err)
		}
	}
	return nil
}

// rowsIn reads the cookies a database holds, sorted, through a connection
// of its own that only reads.
func rowsIn(t testing.TB, path, family string) []string {
	t.Helper()
	db, err := sql.Open("sqlite", testURI(path, "mode=ro"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	got, err := listRows(context.Background(), db, family)
	if err != nil {
		t.Fatalf("reading %s: %v", path, err)
	}
	return got
}

func listRows(ctx context.Context, db execer, family string) ([]string, error) {
	l := layoutOf(family)
	oa := "''"
	if family == Firefox {
		oa = "originAttributes"
	}
	q, err := db.QueryContext(ctx, fmt.Sprintf("SELECT %s, name, %s FROM %s", l.host, oa, l.table))
	if err != nil {
		return nil, err
	}
	defer q.Close()
	var out []string
	for q.Next() {
		var r row
		if err := q.Scan(&r.Host, &r.Name, &r.OA); err != nil {
			return nil, err
		}
		out = append(out, r.String())
	}
	slices.Sort(out)
	return out, q.Err()
}

func rowStrings(rows ...[]row) []string {
	var out []string
	for _, rs := range rows {
		for _, r := range rs {
			out = append(out, r.String())
		}
	}
	slices.Sort(out)
	return out
}

// fileSums are the SHA-256 of a database and of each companion file that
// exists, by name.
func fileSums(t testing.TB, db string) map[string]string {
	t.Helper()
	sums := map[string]string{}
	for _, suffix := range append([]string{""}, companions...) {
		b, err := os.ReadFile(db + suffix)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		s := sha256.Sum256(b)
		sums[filepath.Base(db)+suffix] = hex.EncodeToString(s[:])
	}
	return sums
}

// holdHelper is a program that keeps a cookie database open, as a browser
// does: it opens CLEARANCE_COOKIES_DB (if set), turns off automatic
// checkpoints so that what it writes stays in the write-ahead log, stores
// the rows in CLEARANCE_COOKIES_ROWS, says "ready", and then answers each
// "rows" line with the cookies its own connection sees, until its input
// ends.
const holdHelper = "cookies-hold"

func runHold() int {
	if err := hold(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

func hold() error {
	path, family := os.Getenv("CLEARANCE_COOKIES_DB"), os.Getenv("CLEARANCE_COOKIES_FAMILY")
	in := bufio.NewScanner(os.Stdin)
	if path == "" {
		fmt.Println("ready")
		for in.Scan() {
		}
		return nil
	}
	var rows []row
	if err := json.Unmarshal([]byte(os.Getenv("CLEARANCE_COOKIES_ROWS")), &rows); err != nil {
		return err
	}
	ctx := context.Background()
	db, err := sql.Open("sqlite", databaseURI(path))
	if err != nil {
		return err
	}
	defer db.Close()
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	for _, p := range []string{"PRAGMA journal_mode=WAL", "PRAGMA wal_autocheckpoint=0"} {
		if _, err := conn.ExecContext(ctx, p); err != nil {
			return err
		}
	}
	if err := insertRows(ctx, conn, family, rows); err != nil {
		return err
	}
	fmt.Println("ready")
	for in.Scan() {
		got, err := listRows(ctx, conn, family)
		if err != nil {
			return err
		}
		fmt.Println(strings.Join(got, "|"))
	}
	return nil
}

// holder is a running holdHelper.
type holder struct {
	cmd *exec.Cmd
	in  io.WriteCloser
	out *bufio.Scanner
}

// startHolder starts a program holding db (none when db is "") open with
// rows added, and waits until it has written them.
func startHolder(t testing.TB, db, family string, rows []row) *holder {
	t.Helper()
	enc, err := json.Marshal(rows)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), platformtest.HelperEnv+"="+holdHelper,
		"CLEARANCE_COOKIES_DB="+db, "CLEARANCE_COOKIES_FAMILY="+family, "CLEARANCE_COOKIES_ROWS="+string(enc))
	cmd.Stderr = os.Stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	h := &holder{cmd: cmd, in: in, out: bufio.NewScanner(out)}
	t.Cleanup(func() { h.kill(t) })
	if !h.out.Scan() || h.out.Text() != "ready" {
		t.Fatalf("the program holding %s did not start: %q %v", db, h.out.Text(), h.out.Err())
	}
	return h
}

// rows asks the holder which cookies its connection sees.
func (h *holder) rows(t testing.TB) []string {
	t.Helper()
	if _, err := io.WriteString(h.in, "rows\n"); err != nil {
		t.Fatal(err)
	}
	if !h.out.Scan() {
		t.Fatalf("the holder did not answer: %v", h.out.Err())
	}
	if h.out.Text() == "" {
		return nil
	}
	return strings.Split(h.out.Text(), "|")
}

// kill ends the holder as a crash would, leaving its -wal and -shm files
// behind with what it wrote, and reaps it, so that its pid is gone.
func (h *holder) kill(t testing.TB) {
	t.Helper()
	if h.cmd.ProcessState != nil {
		return
	}
	h.cmd.Process.Kill()
	h.cmd.Wait()
}
