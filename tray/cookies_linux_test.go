package tray

import (
	"maps"
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
	"github.com/clearance-app/clearance/platform/browser/cookies/cookiestest"
)

// The browser-side fixes in the real tray: clearing and restoring
// ChatGPT's cookies in a HOME with real cookie databases, the order of
// the browser-side flow, the extensions page of the browser that holds a
// risky extension, and a new window after a DNS fix. Browsers are the
// rig's recorder (fakeDefaultBrowser): no real one runs.

var (
	openAITestCookies = []cookiestest.Row{
		{Host: ".chatgpt.com", Name: "__cf_bm"},
		{Host: "chatgpt.com", Name: "cf_clearance"},
		{Host: "auth.openai.com", Name: "__Secure-next-auth.session-token"},
	}
	otherTestCookies = []cookiestest.Row{
		{Host: "chatgpt.com.evil.net", Name: "cf_clearance"},
		{Host: "example.com", Name: "sid"},
	}
)

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
	cookiestest.MakeDB(r.t, filepath.Join(chromium, "Cookies"), "chromium", slices.Concat(openAITestCookies, otherTestCookies))
	cookiestest.MakeDB(r.t, filepath.Join(firefox, "cookies.sqlite"), "firefox", slices.Concat(openAITestCookies, otherTestCookies))
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
	original := map[string]map[string]string{chromium: cookiestest.Sums(t, chromium), firefox: cookiestest.Sums(t, firefox)}
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
	if got := cookiestest.Sums(t, chromium); !maps.Equal(got, original[chromium]) {
		t.Errorf("Chromium's profile changed while it ran")
	}
	if got, want := cookiestest.Hosts(t, filepath.Join(firefox, "cookies.sqlite"), "firefox"), cookiestest.Strings(otherTestCookies); !slices.Equal(got, want) {
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
	if got, want := cookiestest.Hosts(t, filepath.Join(chromium, "Cookies"), "chromium"), cookiestest.Strings(otherTestCookies); !slices.Equal(got, want) {
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
	if got := cookiestest.Sums(t, chromium); maps.Equal(got, original[chromium]) {
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
		if got := cookiestest.Sums(t, dir); !maps.Equal(got, sums) {
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
