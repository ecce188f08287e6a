package main

import (
	"encoding/json"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	_ "modernc.org/sqlite"

	"github.com/clearance-app/clearance/agent/api"
	"github.com/clearance-app/clearance/internal/roottest"
	"github.com/clearance-app/clearance/platform/browser/cookies/cookiestest"
)

// The cookies of the tests: OpenAI's go, Cloudflare's among them, in
// every Firefox container; the near misses stay.
var (
	openAICookies = []cookiestest.Row{
		{Host: ".chatgpt.com", Name: "__cf_bm"},
		{Host: "chatgpt.com", Name: "cf_clearance"},
		{Host: ".openai.com", Name: "_cfuvid"},
		{Host: "auth.openai.com", Name: "__Secure-next-auth.session-token"},
		{Host: "cdn.oaistatic.com", Name: "__cf_bm"},
	}
	otherCookies = []cookiestest.Row{
		{Host: "chatgpt.com.evil.net", Name: "cf_clearance"},
		{Host: ".notopenai.com", Name: "__cf_bm"},
		{Host: "example.com", Name: "sid"},
	}
	firefoxContainerCookies = []cookiestest.Row{
		{Host: ".chatgpt.com", Name: "__cf_bm", OA: "^userContextId=1"},
		{Host: "chatgpt.com", Name: "framed", OA: "^partitionKey=%28http%2Cnotopenai.com%29"},
	}
)

// cookieHome is a person's home with a Chromium profile and a Firefox
// one, each with a cookie database, in the places Clearance looks on
// Linux.
type cookieHome struct {
	home, config, data string
	chromium, firefox  string // the profile folders
	chromiumDB, ffDB   string
}

func newCookieHome(t testing.TB, parent string) cookieHome {
	t.Helper()
	h := cookieHome{home: filepath.Join(parent, "home")}
	h.config, h.data = filepath.Join(h.home, ".config"), filepath.Join(h.home, ".local", "share")
	h.chromium = filepath.Join(h.config, "chromium", "Default")
	h.firefox = filepath.Join(h.home, ".mozilla", "firefox", "k3x9.default-esr")
	for path, content := range map[string]string{
		filepath.Join(h.chromium, "Preferences"): "{}",
		filepath.Join(h.home, ".mozilla", "firefox", "profiles.ini"): "[Profile0]\nName=default-esr\nIsRelative=1\nPath=k3x9.default-esr\nDefault=1\n\n" +
			"[General]\nStartWithLastProfile=1\nVersion=2\n",
	} {
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	h.chromiumDB, h.ffDB = filepath.Join(h.chromium, "Cookies"), filepath.Join(h.firefox, "cookies.sqlite")
	cookiestest.MakeDB(t, h.chromiumDB, "chromium", slices.Concat(openAICookies, otherCookies))
	cookiestest.MakeDB(t, h.ffDB, "firefox", slices.Concat(openAICookies, firefoxContainerCookies, otherCookies))
	return h
}

// env is the environment of a person with this home.
func (h cookieHome) env() []string {
	return append(os.Environ(), "CLEARANCE_RUN_MAIN=1", "NO_COLOR=1", "HOME="+h.home, "XDG_CONFIG_HOME="+h.config,
		"XDG_DATA_HOME="+h.data, "XDG_CACHE_HOME="+filepath.Join(h.home, ".cache"))
}

// backups lists the folders of the backup runs.
func (h cookieHome) backups(t testing.TB) []string {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(h.data, "clearance", "cookie-backups"))
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		out = append(out, e.Name())
	}
	return out
}

// cookieFixJSON is clear-site-cookies' --json output, as a script reads it.
type cookieFixJSON struct {
	api.FixResult
	Undo   bool `json:"undo"`
	DryRun bool `json:"dry_run"`
	Stores []struct {
		Browser, Profile, Database, Backup, Skipped, Error string
		Removed                                            int
		Hosts                                              []string
	} `json:"stores"`
}

func decodeCookieFix(t testing.TB, r result) cookieFixJSON {
	t.Helper()
	var out cookieFixJSON
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
		t.Fatalf("not the JSON result: %v\nstdout:\n%s\nstderr:\n%s", err, r.stdout, r.stderr)
	}
	return out
}

// removedBy maps "browser/profile" to the count removed.
func (c cookieFixJSON) removedBy() map[string]int {
	m := map[string]int{}
	for _, s := range c.Stores {
		m[s.Browser+"/"+s.Profile] = s.Removed
	}
	return m
}

// TestFixClearSiteCookies runs `clearance fix clear-site-cookies` as a
// person (uid 65534 when the test is root) on a home holding a Chromium
// and a Firefox profile whose cookie databases have the browsers' own
// schemas: a dry run lists what would go and changes nothing; a running
// Chromium is refused, named, and keeps every byte while Firefox is
// cleared; once it is closed its cookies go; --undo puts both databases
// back byte for byte; as root it is refused.
func TestFixClearSiteCookies(t *testing.T) {
	public, err := os.MkdirTemp("/tmp", "clr-cookies-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(public) })
	if err := os.Chmod(public, 0o755); err != nil {
		t.Fatal(err)
	}
	h := newCookieHome(t, public)
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	var asPerson []string // runs the program as the person
	if os.Geteuid() == 0 {
		if _, err := exec.LookPath("setpriv"); err != nil {
			roottest.Need(t, "needs setpriv(1) from util-linux, to run as a person rather than root")
		}
		_, self = sharedDirAsRoot(t)
		if err := filepath.Walk(h.home, func(p string, _ os.FileInfo, err error) error {
			if err != nil {
				return err
			}
			return os.Lchown(p, 65534, 65534)
		}); err != nil {
			t.Fatal(err)
		}
		asPerson = []string{"setpriv", "--reuid", "65534", "--regid", "65534", "--clear-groups", "--"}
	}
	fixCookies := func(args ...string) result {
		t.Helper()
		argv := slices.Concat(asPerson, []string{self, "fix", "clear-site-cookies"}, args)
		cmd := exec.Command(argv[0], argv[1:]...)
		cmd.Env = h.env()
		return runCmd(t, cmd)
	}
	original := map[string]map[string]string{h.chromium: cookiestest.Sums(t, h.chromium), h.firefox: cookiestest.Sums(t, h.firefox)}
	chromiumRows, ffRows := cookiestest.Strings(openAICookies, otherCookies), cookiestest.Strings(openAICookies, firefoxContainerCookies, otherCookies)

	// A dry run: what would go, and nothing changed, not even a backup.
	r := fixCookies("--dry-run", "--json")
	dry := decodeCookieFix(t, r)
	wantCounts := map[string]int{"Chromium/Default": len(openAICookies), "Firefox/default-esr": len(openAICookies) + len(firefoxContainerCookies)}
	if r.code != 0 || dry.Result != api.Fixed || !dry.DryRun || !maps.Equal(dry.removedBy(), wantCounts) {
		t.Fatalf("dry run: exit %d, %+v; want 0 and %v\nstderr:\n%s", r.code, dry, wantCounts, r.stderr)
	}
	if !strings.HasPrefix(dry.Message, "Would remove 12 ChatGPT cookies from 2 profiles.") {
		t.Errorf("dry run says %q", dry.Message)
	}
	for dir, sums := range original {
		if got := cookiestest.Sums(t, dir); !maps.Equal(got, sums) {
			t.Errorf("the dry run changed %s: %v, was %v", dir, got, sums)
		}
	}
	if b := h.backups(t); len(b) != 0 {
		t.Errorf("the dry run left backups: %v", b)
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
	lock := filepath.Join(h.config, "chromium", "SingletonLock")
	if err := os.Symlink(hostname+"-"+strconv.Itoa(browser.Process.Pid), lock); err != nil {
		t.Fatal(err)
	}
	r = fixCookies()
	t.Logf("with Chromium running:\n%s", r.stdout)
	if r.code != 1 || !strings.Contains(r.stdout, "Chromium is running, so its cookies were left alone: close Chromium, then try again.") ||
		!strings.Contains(r.stdout, "Firefox, profile “default-esr”: 7 cookies removed (auth.openai.com, cdn.oaistatic.com, chatgpt.com, openai.com).") {
		t.Fatalf("with Chromium running: exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
	if got := cookiestest.Sums(t, h.chromium); !maps.Equal(got, original[h.chromium]) {
		t.Errorf("Chromium's profile changed while it ran")
	}
	if got, want := cookiestest.Hosts(t, h.ffDB, "firefox"), cookiestest.Strings(otherCookies); !slices.Equal(got, want) {
		t.Errorf("Firefox's cookies beside a running Chromium: %q, want %q", got, want)
	}

	// Closed (its lock stays, naming a process gone), Chromium's go.
	browser.Process.Kill()
	browser.Wait()
	r = fixCookies("--json")
	res := decodeCookieFix(t, r)
	if r.code != 0 || res.Result != api.Fixed || !maps.Equal(res.removedBy(), map[string]int{"Chromium/Default": len(openAICookies), "Firefox/default-esr": 0}) {
		t.Fatalf("Chromium closed: exit %d, %+v\nstderr:\n%s", r.code, res, r.stderr)
	}
	if got, want := cookiestest.Hosts(t, h.chromiumDB, "chromium"), cookiestest.Strings(otherCookies); !slices.Equal(got, want) {
		t.Errorf("Chromium's cookies: %q, want %q", got, want)
	}
	if b := h.backups(t); len(b) != 2 {
		t.Errorf("backup runs %v, want one per clear that removed something", b)
	}
	for _, s := range res.Stores {
		if s.Browser == "Chromium" && (s.Backup == "" || !strings.HasPrefix(s.Backup, filepath.Join(h.data, "clearance", "cookie-backups")+"/")) {
			t.Errorf("Chromium's backup is %q, want a folder in the person's data folder", s.Backup)
		}
	}

	// Nothing left to remove: that is no failure.
	if r := fixCookies(); r.code != 0 || !strings.HasPrefix(r.stdout, "There were no ChatGPT cookies to remove.") {
		t.Errorf("nothing to remove: exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}

	// --undo says what it replaces, then puts both back byte for byte.
	r = fixCookies("--undo")
	t.Logf("--undo:\n%s", r.stdout)
	if r.code != 0 || !strings.HasPrefix(r.stdout, "Restoring your cookies from Clearance's backups (the newest from ") ||
		!strings.Contains(r.stdout, "the cookies set since its backup are replaced.\nPut back the cookies of 2 profiles") {
		t.Fatalf("undo: exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
	for dir, sums := range original {
		if got := cookiestest.Sums(t, dir); !maps.Equal(got, sums) {
			t.Errorf("after --undo %s holds %v, want what it held before: %v", dir, got, sums)
		}
	}
	if got := cookiestest.Hosts(t, h.chromiumDB, "chromium"); !slices.Equal(got, chromiumRows) {
		t.Errorf("Chromium after --undo: %q", got)
	}
	if got := cookiestest.Hosts(t, h.ffDB, "firefox"); !slices.Equal(got, ffRows) {
		t.Errorf("Firefox after --undo: %q", got)
	}

	// As root: refused, before anything is looked at.
	if os.Geteuid() != 0 {
		roottest.Need(t, "needs root to check that root is refused")
		return
	}
	cmd := exec.Command(self, "fix", "clear-site-cookies")
	cmd.Env = h.env()
	r = runCmd(t, cmd)
	if r.code != 2 || !strings.Contains(r.stderr, "the cookies are yours: run it without sudo") {
		t.Errorf("as root: exit %d, stderr %q", r.code, r.stderr)
	}
	for dir, sums := range original {
		if got := cookiestest.Sums(t, dir); !maps.Equal(got, sums) {
			t.Errorf("root's refused run changed %s", dir)
		}
	}
}

// The fix's --help and the program's usage name it, with its flags.
func TestClearSiteCookiesInTheHelp(t *testing.T) {
	const line = "clearance fix clear-site-cookies [--undo] [--dry-run] [--json]"
	if r := runCmd(t, clearanceCmd(t, nil, "fix", "--help")); r.code != 0 || !strings.Contains(r.stderr, line) || !strings.Contains(r.stderr, "-undo") {
		t.Errorf("fix --help: exit %d\n%s", r.code, r.stderr)
	}
	if r := runCmd(t, clearanceCmd(t, nil, "help")); r.code != 0 || !strings.Contains(r.stdout, line) {
		t.Errorf("help: exit %d\n%s", r.code, r.stdout)
	}
}
