package cookies

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/clearance-app/clearance/internal/winegap"
	"github.com/clearance-app/clearance/platform/browser"
)

// Where backups go, on every OS, from its environment and home.
func TestBackupRoot(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	for _, tc := range []struct {
		goos, home string
		env        map[string]string
		want       string
	}{
		{"linux", "/home/ann", nil, "/home/ann/.local/share/clearance/cookie-backups"},
		{"linux", "/home/ann", map[string]string{"XDG_DATA_HOME": "/data/ann"}, "/data/ann/clearance/cookie-backups"},
		{"linux", "/home/ann", map[string]string{"XDG_DATA_HOME": "relative/data"}, "/home/ann/.local/share/clearance/cookie-backups"},
		{"freebsd", "/usr/home/ann", nil, "/usr/home/ann/.local/share/clearance/cookie-backups"},
		{"linux", "", map[string]string{"XDG_DATA_HOME": "/data/ann"}, "/data/ann/clearance/cookie-backups"},
		{"darwin", "/Users/ann", map[string]string{"XDG_DATA_HOME": "/data/ann"}, "/Users/ann/Library/Application Support/Clearance/cookie-backups"},
		{"windows", `C:\Users\ann`, map[string]string{"LOCALAPPDATA": `D:\Local\`}, `D:\Local\Clearance\cookie-backups`},
		{"windows", `C:\Users\ann`, nil, `C:\Users\ann\AppData\Local\Clearance\cookie-backups`},
		{"windows", `C:\Users\ann`, map[string]string{"LOCALAPPDATA": `Local`}, `C:\Users\ann\AppData\Local\Clearance\cookie-backups`},
	} {
		got, err := backupRoot(tc.goos, env(tc.env), tc.home)
		if err != nil || got != tc.want {
			t.Errorf("%s, home %q, %v: %q %v; want %q", tc.goos, tc.home, tc.env, got, err, tc.want)
		}
	}
	for _, goos := range []string{"linux", "darwin", "windows"} {
		if got, err := backupRoot(goos, env(nil), ""); !errors.Is(err, ErrNoHome) {
			t.Errorf("%s without a home: %q %v; want ErrNoHome", goos, got, err)
		}
	}
}

// Each profile of each browser is a store, named as a person knows the
// browser, asking that browser whether it runs.
func TestStoresFor(t *testing.T) {
	dir := winegap.TempDir(t)
	chromium := browser.Browser{Name: "Chromium", Family: browser.Chromium, Install: browser.Native, Channel: "stable",
		DataDir: filepath.Join(dir, "chromium"),
		Profiles: []browser.Profile{{Name: "Person 1", Dir: filepath.Join(dir, "chromium", "Default")},
			{Name: "Work", Dir: filepath.Join(dir, "chromium", "Profile 1")}}}
	beta := browser.Browser{Name: "Chrome", Family: browser.Chromium, Install: browser.Native, Channel: "beta",
		DataDir: filepath.Join(dir, "beta"), Profiles: []browser.Profile{{Name: "Person 1", Dir: filepath.Join(dir, "beta", "Default")}}}
	firefox := browser.Browser{Name: "Firefox", Family: browser.Firefox, Install: browser.Snap, Channel: "esr",
		DataDir: filepath.Join(dir, "firefox"), Profiles: []browser.Profile{{Name: "default-esr", Dir: filepath.Join(dir, "firefox", "x.default-esr")}}}
	got := StoresFor([]browser.Browser{chromium, beta, firefox, {Name: "Odd", Family: "odd", Profiles: []browser.Profile{{Name: "p", Dir: dir}}}})
	want := []Store{
		{Browser: "Chromium", Family: Chromium, Profile: "Person 1", Dir: chromium.Profiles[0].Dir},
		{Browser: "Chromium", Family: Chromium, Profile: "Work", Dir: chromium.Profiles[1].Dir},
		{Browser: "Chrome Beta", Family: Chromium, Profile: "Person 1", Dir: beta.Profiles[0].Dir},
		{Browser: "Firefox (Snap)", Family: Firefox, Profile: "default-esr", Dir: firefox.Profiles[0].Dir},
	}
	if len(got) != len(want) {
		t.Fatalf("%d stores, want %d: %+v", len(got), len(want), got)
	}
	for i := range want {
		g := got[i]
		if g.Browser != want[i].Browser || g.Family != want[i].Family || g.Profile != want[i].Profile || g.Dir != want[i].Dir {
			t.Errorf("store %d: %+v, want %+v", i, g, want[i])
		}
		if g.Running == nil {
			t.Errorf("store %d asks nobody whether its browser runs", i)
		}
	}
	checkAsksChromiumsLock(t, chromium.DataDir, got[0])
	if running, _, err := got[2].Running(); running || err != nil {
		t.Errorf("Chrome Beta, without a lock: %v %v", running, err)
	}
}

// What Clear and Undo did, told for a person, from real results: counts
// and hosts per profile, the browser to close once, why a profile
// failed; what is refused is what the person must act on, and a profile
// with nothing to do is not.
func TestDescribe(t *testing.T) {
	dir := winegap.TempDir(t)
	opts := options(filepath.Join(dir, "backups"))
	chromeDir := filepath.Join(dir, "chrome")
	makeDB(t, chromeDir, chromium156, slices.Concat(openAIRows, nearMisses))
	ffDir := filepath.Join(dir, "firefox")
	makeDB(t, ffDir, firefox153, slices.Concat(openAIRows[:2], nearMisses))
	broken := filepath.Join(dir, "broken")
	if err := os.MkdirAll(broken, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(broken, "Cookies"), []byte("not a database, not at all, not even close to one"), 0o600); err != nil {
		t.Fatal(err)
	}
	runs := func() (bool, string, error) { return true, "pid 4242", nil }
	stores := []Store{
		{Browser: "Chrome", Family: Chromium, Profile: "Person 1", Dir: chromeDir},
		{Browser: "Firefox", Family: Firefox, Profile: "default-esr", Dir: ffDir},
		{Browser: "Brave", Family: Chromium, Profile: "Default", Dir: filepath.Join(dir, "brave1"), Running: runs},
		{Browser: "Brave", Family: Chromium, Profile: "Work", Dir: filepath.Join(dir, "brave2"), Running: runs},
		{Browser: "Edge", Family: Chromium, Profile: "Default", Dir: filepath.Join(dir, "empty")},
		{Browser: "Vivaldi", Family: Chromium, Profile: "Default", Dir: broken},
	}

	dry := Clear(context.Background(), stores, Options{DryRun: true, BackupRoot: opts.BackupRoot})
	want := []string{
		"Would remove 8 ChatGPT cookies from 2 profiles.",
		"Chrome, profile “Person 1”: 6 cookies would go (auth.openai.com, cdn.oaistatic.com, chatgpt.com, oaistatic.com, openai.com).",
		"Firefox, profile “default-esr”: 2 cookies would go (chatgpt.com).",
		"Brave is running, so its cookies were left alone: close Brave, then try again.",
	}
	lines := strings.Split(describe(dry, false, true, "linux"), "\n")
	if len(lines) != 5 || !slices.Equal(lines[:4], want) || !strings.HasPrefix(lines[4], "Vivaldi, profile “Default”: "+ErrDamaged.Error()) {
		t.Errorf("dry run:\n%s\nwant:\n%s\nand Vivaldi's damage", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
	refused := []bool{false, false, true, true, false, true}
	for i, r := range dry {
		if r.Refused() != refused[i] {
			t.Errorf("%s %s: refused %v, want %v (%+v)", r.Store.Browser, r.Store.Profile, r.Refused(), refused[i], r)
		}
	}

	res := Clear(context.Background(), stores[:2], opts)
	got := describe(res, false, false, "darwin")
	want = []string{
		"Removed 8 ChatGPT cookies from 2 profiles, keeping a backup for a week: sign in to ChatGPT again.",
		"Chrome, profile “Person 1”: 6 cookies removed (auth.openai.com, cdn.oaistatic.com, chatgpt.com, oaistatic.com, openai.com).",
		"Firefox, profile “default-esr”: 2 cookies removed (chatgpt.com).",
		safariAdvice,
	}
	if got != strings.Join(want, "\n") {
		t.Errorf("clear on macOS:\n%s\nwant:\n%s", got, strings.Join(want, "\n"))
	}
	if got := describe(Clear(context.Background(), stores[:2], opts), false, false, "linux"); got != "There were no ChatGPT cookies to remove." {
		t.Errorf("clear again: %q", got)
	}
	if got := describe(Clear(context.Background(), stores[2:4], opts), false, false, "linux"); got != "No ChatGPT cookies were removed.\n"+
		"Brave is running, so its cookies were left alone: close Brave, then try again." {
		t.Errorf("only a running browser: %q", got)
	}

	// Chrome runs now; Brave, never cleared, has no backup to restore.
	chromeRuns := stores[0]
	chromeRuns.Running = runs
	undone, err := Undo(context.Background(), []Store{chromeRuns, stores[1], stores[2]}, opts)
	if err != nil {
		t.Fatal(err)
	}
	got = describe(undone, true, false, "darwin")
	want = []string{
		"Put back the cookies of 1 profile as they were before Clearance cleared them; the cookies set since then were replaced.",
		"Firefox, profile “default-esr”: put back.",
		"Chrome is running, so its cookies were not put back: close Chrome, then try again.",
	}
	if got != strings.Join(want, "\n") {
		t.Errorf("undo:\n%s\nwant:\n%s", got, strings.Join(want, "\n"))
	}
	if undone[0].Done(true) || !undone[0].Refused() || !undone[1].Done(true) || undone[1].Refused() || undone[2].Done(true) || undone[2].Refused() {
		t.Errorf("undo: done/refused wrong: %+v", undone)
	}
	if got := describe(undone[2:], true, false, "linux"); got != "There were no cleared cookies to put back." {
		t.Errorf("undo of a profile never cleared: %q", got)
	}
	if got := describe(nil, false, false, "linux"); !strings.HasPrefix(got, "No Chrome, Chromium") {
		t.Errorf("no profiles: %q", got)
	}
}
