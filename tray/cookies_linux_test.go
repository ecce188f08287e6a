package tray

import (
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"maps"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"github.com/clearance-app/clearance/agent/diag/finding"
	"github.com/clearance-app/clearance/agent/diag/fix"
)

// The browser-side fixes in the real tray: clearing and restoring
// ChatGPT's cookies in a HOME with real cookie databases, the order of
// the browser-side flow, the extensions page of the browser that holds a
// risky extension, and a new window after a DNS fix. Browsers are the
// rig's recorder (fakeDefaultBrowser): no real one runs.

// testCookie is a cookie the tests store: its host as a database holds
// it, its name, and (Firefox) its originAttributes.
type testCookie struct{ host, name, oa string }

var (
	openAITestCookies = []testCookie{
		{host: ".chatgpt.com", name: "__cf_bm"},
		{host: "chatgpt.com", name: "cf_clearance"},
		{host: "auth.openai.com", name: "__Secure-next-auth.session-token"},
	}
	otherTestCookies = []testCookie{
		{host: "chatgpt.com.evil.net", name: "cf_clearance"},
		{host: "example.com", name: "sid"},
	}
)

// makeCookieDB creates the cookie database of a browser family at path
// from the schema that browser recorded (platform/browser/cookies/testdata:
// Debian's Chromium 156 and Firefox ESR 153), as the browser leaves it:
// Chromium's with its meta table's version 24, Firefox's in WAL mode.
func makeCookieDB(t testing.TB, path, family string, rows []testCookie) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	ddl, err := os.ReadFile(filepath.Join("..", "platform", "browser", "cookies", "testdata", family+".schema.sql"))
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
			_, err = db.Exec("INSERT INTO cookies VALUES(?, ?, '', ?, 'v', x'', '/', 0, 1, 1, 0, 0, 0, 1, -1, 2, 443, 0, 0, 0)", i+1, r.host, r.name)
		} else {
			_, err = db.Exec("INSERT INTO moz_cookies(originAttributes, name, value, host, path, expiry, lastAccessed, creationTime, isSecure, isHttpOnly) "+
				"VALUES(?, ?, 'v', ?, '/', 0, 0, ?, 1, 1)", r.oa, r.name, r.host, i+1)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}

// cookieHosts lists the hosts and names of a database's cookies, sorted,
// read from a copy (a connection of the test's own would leave a -shm
// file in the profile).
func cookieHosts(t testing.TB, path, family string) []string {
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
	q := "SELECT host_key || ' ' || name FROM cookies"
	if family == "firefox" {
		q = "SELECT host || ' ' || name FROM moz_cookies"
	}
	rows, err := db.Query(q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	slices.Sort(out)
	return out
}

func cookieNames(rows ...[]testCookie) []string {
	var out []string
	for _, rs := range rows {
		for _, r := range rs {
			out = append(out, r.host+" "+r.name)
		}
	}
	slices.Sort(out)
	return out
}

// folderSums are the SHA-256 of every file in a folder, by name.
func folderSums(t testing.TB, dir string) map[string]string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	sums := map[string]string{}
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

// browserProfiles gives the rig's HOME a Chromium profile (in
// $XDG_CONFIG_HOME) and a Firefox one, with cookie databases; it returns
// the two profile folders.
func (r *rig) browserProfiles() (chromium, firefox string) {
	r.t.Helper()
	chromium = filepath.Join(r.dir, "config", "chromium", "Default")
	firefox = filepath.Join(r.home, ".mozilla", "firefox", "k3x9.default-esr")
	for path, content := range map[string]string{
		filepath.Join(chromium, "Preferences"): "{}",
		filepath.Join(r.home, ".mozilla", "firefox", "profiles.ini"): "[Profile0]\nName=default-esr\nIsRelative=1\nPath=k3x9.default-esr\nDefault=1\n\n" +
			"[General]\nStartWithLastProfile=1\nVersion=2\n",
	} {
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			r.t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			r.t.Fatal(err)
		}
	}
	makeCookieDB(r.t, filepath.Join(chromium, "Cookies"), "chromium", slices.Concat(openAITestCookies, otherTestCookies))
	makeCookieDB(r.t, filepath.Join(firefox, "cookies.sqlite"), "firefox", slices.Concat(openAITestCookies, otherTestCookies))
	return chromium, firefox
}

// reportBrowserError clicks "ChatGPT shows an error…" and lets the agent's
// new state show a clean path, so that the tray raises browser-side-block.
func (r *rig) reportBrowserError() menuNode {
	r.t.Helper()
	r.click("ChatGPT shows an error…")
	select {
	case <-r.agent.checker.calls:
	case <-time.After(patience):
		r.t.Fatal("the agent was not asked to check")
	}
	r.agent.state.Set(stateWith(time.Now().UTC().Add(time.Second)))
	return r.waitMenu("the browser-side finding", func(m menuNode) bool {
		return m.has("The problem is in the browser", "Details…")
	})
}

// childLabels are the labels of an item's submenu.
func childLabels(n menuNode) []string {
	var out []string
	for _, c := range n.Children {
		out = append(out, c.Label)
	}
	return out
}

// Clearing from the browser-side flow: a running Chromium is named and
// left alone while Firefox's cookies go, then Chromium's once it is
// closed; the menu's note and a notification say what went; "Restore
// ChatGPT cookies" then appears, asks for a confirming click that says
// what it replaces, and puts both databases back byte for byte.
func TestTrayClearsAndRestoresCookies(t *testing.T) {
	r := newRig(t, rigOptions{state: stateWith(at(5))})
	chromium, firefox := r.browserProfiles()
	original := map[string]map[string]string{chromium: folderSums(t, chromium), firefox: folderSums(t, firefox)}
	m := r.waitMenu("the clear path", func(m menuNode) bool { return m.has("ChatGPT shows an error…") })
	if m.has("Restore ChatGPT cookies") {
		t.Fatalf("restoring offered before anything was cleared:\n%s", m)
	}

	// Chromium runs: its lock names a live process of this computer.
	browser := exec.Command("sleep", "600")
	if err := browser.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { browser.Process.Kill(); browser.Wait() })
	hostname, err := os.Hostname()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(hostname+"-"+strconv.Itoa(browser.Process.Pid), filepath.Join(r.dir, "config", "chromium", "SingletonLock")); err != nil {
		t.Fatal(err)
	}

	r.reportBrowserError()
	r.click("The problem is in the browser", "Clear ChatGPT cookies (close the browser first)")
	close := "Chromium is running, so its cookies were left alone: close Chromium, then try again."
	m = r.waitMenu("the outcome with Chromium running", func(m menuNode) bool { return m.has(close) })
	if !m.has("Firefox, profile “default-esr”: 3 cookies removed (auth.openai.com, chatgpt.com).") {
		t.Errorf("the note does not say what went from Firefox:\n%s", m)
	}
	if c := r.waitNote("Partly done: Clear ChatGPT cookies"); !strings.Contains(c.Body, close) || !strings.HasPrefix(c.Body, "Removed 3 ChatGPT cookies from 1 profile") {
		t.Errorf("notification body %q", c.Body)
	}
	if got := folderSums(t, chromium); !maps.Equal(got, original[chromium]) {
		t.Errorf("Chromium's profile changed while it ran")
	}
	if got, want := cookieHosts(t, filepath.Join(firefox, "cookies.sqlite"), "firefox"), cookieNames(otherTestCookies); !slices.Equal(got, want) {
		t.Errorf("Firefox's cookies: %q, want %q", got, want)
	}

	browser.Process.Kill()
	browser.Wait()
	r.click("The problem is in the browser", "Clear ChatGPT cookies (close the browser first)")
	r.waitMenu("Chromium's cookies gone", func(m menuNode) bool {
		return m.has("Chromium, profile “Default”: 3 cookies removed (auth.openai.com, chatgpt.com).") && !m.has(close)
	})
	if c := r.waitNote("Done: Clear ChatGPT cookies"); !strings.HasPrefix(c.Body, "Removed 3 ChatGPT cookies from 1 profile, keeping a backup for a week") {
		t.Errorf("notification body %q", c.Body)
	}
	if got, want := cookieHosts(t, filepath.Join(chromium, "Cookies"), "chromium"), cookieNames(otherTestCookies); !slices.Equal(got, want) {
		t.Errorf("Chromium's cookies: %q, want %q", got, want)
	}
	backups, err := os.ReadDir(filepath.Join(r.home, ".local", "share", "clearance", "cookie-backups"))
	if err != nil || len(backups) != 2 {
		t.Errorf("backups %v %v, want one folder per clear", backups, err)
	}

	r.click("Restore ChatGPT cookies")
	m = r.waitMenu("the confirming restore item", func(m menuNode) bool {
		for _, c := range m.Children {
			if strings.HasPrefix(c.Label, "Click again to restore: cookies set since ") && strings.HasSuffix(c.Label, " are replaced") {
				return true
			}
		}
		return false
	})
	if got := folderSums(t, chromium); maps.Equal(got, original[chromium]) {
		t.Fatal("the first click restored already")
	}
	for _, c := range m.Children {
		if strings.HasPrefix(c.Label, "Click again to restore") {
			r.click(c.Label)
		}
	}
	r.waitMenu("the restore's outcome", func(m menuNode) bool {
		return m.has("Put back the cookies of 2 profiles as they were before Clearance cleared them; the cookies set since then were replaced.")
	})
	r.waitNote("Done: Restore ChatGPT cookies")
	for dir, sums := range original {
		if got := folderSums(t, dir); !maps.Equal(got, sums) {
			t.Errorf("after restoring, %s holds %v, want what it held before: %v", dir, got, sums)
		}
	}
}

// The browser-side flow offers, in order: clearing cookies (close the
// browser first), the private window, and turning off the extension the
// browser check named, which opens that browser's extensions page by
// starting the browser's own program with it — never through xdg-open.
func TestTrayBrowserSideFlow(t *testing.T) {
	const id = "idgpnmonknjnojddfkpgkljpfnnfcklj"
	risk := findingOf(finding.BrowserExtensionRisk.Code, "", map[string]any{"browser": "Chrome", "profile": "Person 1",
		"extension": "ModHeader", "extension_id": id, "why": "known to rewrite requests or pages"})
	r := newRig(t, rigOptions{state: stateWith(at(5)), user: []finding.Finding{risk}})
	r.waitMenu("the extension's finding", func(m menuNode) bool {
		return m.has("A browser extension changes web requests", "Turn off ModHeader in Chrome…")
	})
	m := r.reportBrowserError()
	side, _ := m.find("The problem is in the browser")
	want := []string{"Clear ChatGPT cookies (close the browser first)", "Open ChatGPT in a private window", "Turn off ModHeader in Chrome…", "Details…", "Dismiss"}
	if got := childLabels(side); !slices.Equal(got, want) {
		t.Fatalf("the browser-side flow offers %q, want %q", got, want)
	}
	r.click("The problem is in the browser", "Turn off ModHeader in Chrome…")
	if got := r.browser.next(r.tray); !slices.Equal(got, []string{"chrome://extensions/?id=" + id}) {
		t.Fatalf("Chrome was started with %q", got)
	}
	r.waitMenu("what to do there", func(m menuNode) bool {
		return m.has("In Chrome's extensions page, turn off ModHeader, then try ChatGPT again.")
	})
	if b, _ := os.ReadFile(r.opens.log); len(b) != 0 {
		t.Errorf("xdg-open was given %q", b)
	}
}

// After a DNS flush the tray says that a running browser keeps its own
// cache of names, and offers ChatGPT in a new window of the default
// browser: a button on its notice, and an item in the menu.
func TestTrayDNSFixOffersNewWindow(t *testing.T) {
	r := newRig(t, rigOptions{state: stateWith(at(5), findingOf("dns-failure", "", nil))})
	r.click("OpenAI's names do not resolve", "Flush the DNS cache")
	if run := r.waitRun(); run.ID != fix.DNSFlush {
		t.Fatalf("the agent ran %+v", run)
	}
	c := r.waitNote("Done: Flush the DNS cache")
	if !strings.Contains(c.Body, browserDNSNote) || !slices.Contains(c.ActionKeys(), newWindowAction) {
		t.Fatalf("the notice says %q with buttons %q", c.Body, c.Actions)
	}
	r.waitMenu("the notice in the menu", func(m menuNode) bool { return m.has(browserDNSNote) && m.has(newWindowTitle) })

	r.notes.EmitAction(t, c.ID, newWindowAction)
	if got := r.browser.next(r.tray); !slices.Equal(got, []string{"--new-window", chatGPTURL}) {
		t.Fatalf("the button started the browser with %q", got)
	}
	r.click(newWindowTitle)
	if got := r.browser.next(r.tray); !slices.Equal(got, []string{"--new-window", chatGPTURL}) {
		t.Fatalf("the menu item started the browser with %q", got)
	}
}
