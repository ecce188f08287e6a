package tray

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/clearance-app/clearance/agent/api"
	"github.com/clearance-app/clearance/agent/diag/finding"
	"github.com/clearance-app/clearance/agent/diag/fix"
	"github.com/clearance-app/clearance/assets"
)

// A pushed state change rebuilds the menu and switches the icon.
func TestTrayFollowsPushedState(t *testing.T) {
	skew := findingOf("clock-skew", finding.Warning, map[string]any{"offset_seconds": 20.5})
	r := newRig(t, rigOptions{state: stateWith(at(5), skew)})

	m := r.waitMenu("the clock finding", func(m menuNode) bool {
		return m.has("1 warning") && m.has("The clock is 21 seconds ahead", "Sync the clock now") && m.has("The clock is 21 seconds ahead", "Details…")
	})
	for _, want := range []string{"Check now", "ChatGPT shows an error…", "Open status page", "Snooze alerts", "Start at login", "About Clearance", "Quit"} {
		if !m.has(want) {
			t.Errorf("the menu lacks %q:\n%s", want, m)
		}
	}
	if m.has("Restore my DNS") {
		t.Errorf("Restore my DNS without public DNS in effect:\n%s", m)
	}
	r.waitIcon(assets.IconWarning)
	if tip := r.tooltip(); !strings.Contains(tip, "1 warning") || !strings.Contains(tip, "The clock is 21 seconds ahead") {
		t.Errorf("tooltip %q", tip)
	}

	dns := findingOf("dns-failure", "", nil)
	r.agent.state.Set(stateWith(at(4), dns, skew))
	r.waitMenu("the DNS failure", func(m menuNode) bool {
		return m.has("2 problems found (1 critical)") && m.has("OpenAI's names do not resolve", "Flush the DNS cache")
	})
	r.waitIcon(assets.IconCritical)

	r.agent.state.Set(stateWith(at(3)))
	m = r.waitMenu("a clear path", func(m menuNode) bool {
		return len(m.Children) > 0 && strings.HasPrefix(m.Children[0].Label, "ChatGPT's path is clear")
	})
	if m.has("The clock is 21 seconds ahead") {
		t.Errorf("a cleared finding is still listed:\n%s", m)
	}
	r.waitIcon(assets.IconClear)
}

// Clicking a fix sends exactly that request to the agent; dns-public asks
// for a second click and then goes with confirm set; the outcome is shown
// in the menu and as a notification.
func TestTrayFixClicks(t *testing.T) {
	st := stateWith(at(5), findingOf("dns-failure", "", nil), findingOf("dns-public-active", "", nil))
	r := newRig(t, rigOptions{state: st})

	r.click("OpenAI's names do not resolve", "Flush the DNS cache")
	if run := r.waitRun(); run != (fixRun{ID: fix.DNSFlush}) {
		t.Fatalf("the agent ran %+v, want dns-flush without options", run)
	}
	r.waitMenu("the fix's outcome", func(m menuNode) bool { return m.has("Done by the test agent: dns-flush.") })
	if c := r.waitNote("Done: Flush the DNS cache"); c.Body != "Done by the test agent: dns-flush.\n"+browserDNSNote || slices.ContainsFunc(c.ActionKeys(), func(k string) bool { return k != "default" && k != newWindowAction }) {
		t.Fatalf("outcome notification %q %q %q", c.Summary, c.Body, c.Actions)
	}

	public := fix.All[4].Title
	r.click("OpenAI's names do not resolve", public)
	r.waitMenu("the confirming item", func(m menuNode) bool {
		return m.has("OpenAI's names do not resolve", "Click again to confirm: switch to public DNS")
	})
	r.click("OpenAI's names do not resolve", "Click again to confirm: switch to public DNS")
	// Had the first click sent a request, it would arrive first, unconfirmed.
	if run := r.waitRun(); run != (fixRun{ID: fix.DNSPublic, Opts: api.FixOptions{Confirm: true}}) {
		t.Fatalf("the agent ran %+v, want dns-public confirmed", run)
	}

	// While a fix runs the menu says so and offers no other.
	release := make(chan struct{})
	r.agent.fixes.mu.Lock()
	r.agent.fixes.release = release
	r.agent.fixes.mu.Unlock()
	r.click("Restore my DNS")
	if run := r.waitRun(); run.ID != fix.DNSRestore {
		t.Fatalf("the agent ran %+v, want dns-restore", run)
	}
	m := r.waitMenu("the progress line", func(m menuNode) bool {
		n, ok := m.find("Restoring your DNS settings…")
		return ok && !n.Enabled
	})
	if n, _ := m.find("OpenAI's names do not resolve", "Flush the DNS cache"); n.Enabled {
		t.Fatalf("a second fix is offered while one runs:\n%s", m)
	}
	close(release)
	r.waitMenu("the end of the fix", func(m menuNode) bool {
		n, ok := m.find("OpenAI's names do not resolve", "Flush the DNS cache")
		return ok && n.Enabled && m.has("Done by the test agent: dns-restore.") && !m.has("Restoring your DNS settings…")
	})
}

// A finding that becomes visible alerts once with its fixes as buttons; the
// same problem again does not; escalation does; the buttons request the
// fix and the body opens the details.
func TestTrayAlerts(t *testing.T) {
	skew := findingOf("clock-skew", finding.Warning, map[string]any{"offset_seconds": 20.5, "method": "ntp"})
	r := newRig(t, rigOptions{state: stateWith(at(5), skew)})

	first := r.notes.WaitCall(t)
	if first.Summary != "The clock is 21 seconds ahead" || !slices.Contains(first.ActionKeys(), fix.TimeSync) || !slices.Contains(first.ActionKeys(), "default") {
		t.Fatalf("alert %q with actions %q", first.Summary, first.Actions)
	}
	if u, _ := first.Urgency(); u != 1 {
		t.Errorf("a warning's urgency %d, want normal (1)", u)
	}

	// The agent runs again: the same problem, and an info finding, which
	// never alerts. The menu shows the new state, and no notification came.
	r.agent.state.Set(stateWith(at(4), skew, findingOf("dns-public-active", "", nil)))
	r.waitMenu("the second state", func(m menuNode) bool { return m.has("Public DNS is in use") })
	if calls := r.notes.Calls(); len(calls) != 1 {
		t.Fatalf("%d notifications after an unchanged problem, want 1: %+v", len(calls), calls)
	}

	worse := skew
	worse.Severity = finding.Critical
	r.agent.state.Set(stateWith(at(3), worse))
	second := r.notes.WaitCall(t)
	if second.Summary != "Worse now: The clock is 21 seconds ahead" || second.ReplacesID != first.ID {
		t.Fatalf("escalation %q replacing %d, want the first (%d)", second.Summary, second.ReplacesID, first.ID)
	}
	if u, _ := second.Urgency(); u != 2 {
		t.Errorf("a critical alert's urgency %d, want 2", u)
	}

	r.notes.EmitAction(t, second.ID, fix.TimeSync)
	if run := r.waitRun(); run != (fixRun{ID: fix.TimeSync}) {
		t.Fatalf("the button asked for %+v, want time-sync", run)
	}
	r.notes.EmitAction(t, second.ID, "default")
	b := r.detailsOpened()
	p := checkPage(t, b, "The clock is 21 seconds ahead", skew.Detail,
		map[string]string{"offset_seconds": "20.5", "method": "ntp"}, []string{"Sync the clock now"})
	if !strings.Contains(p.text, "Critical") {
		t.Errorf("the page does not give the severity now (Critical):\n%s", p.text)
	}
}

// "Details…" shows the finding as a page: the tray writes a self-contained
// HTML file in a private folder of the download directory, where a snap or
// Flatpak browser can read it, and hands its path (not a URL) to the
// desktop's opener, xdg-open, here the rig's recorder. What the agent
// reported is shown as text, never as markup.
func TestTrayDetails(t *testing.T) {
	evidence := map[string]any{"location": "http://login.hotel.example/", "probe": `<script>alert("x")</script>`, "hops": []int{1, 2}}
	portal := findingOf("captive-portal", "", evidence)
	r := newRig(t, rigOptions{state: stateWith(at(5), portal)})
	r.click("A network login page is in the way", "Details…")
	b := r.detailsOpened()
	if !bytes.Contains(b, []byte("&lt;script&gt;")) {
		t.Errorf("the planted script is not escaped:\n%s", b)
	}
	p := checkPage(t, b, portal.Title, portal.Detail,
		map[string]string{"location": "http://login.hotel.example/", "probe": `<script>alert("x")</script>`, "hops": "[1,2]"},
		[]string{"Open the network's login page"})
	if !strings.Contains(p.text, "Seen since") {
		t.Errorf("the page does not say since when:\n%s", p.text)
	}

	// Pages go to the same opener, as web addresses: the portal's own page,
	// from the evidence, and the status page.
	r.click("A network login page is in the way", "Open the network's login page")
	if got := r.opened(); !slices.Equal(got, []string{"http://login.hotel.example/"}) {
		t.Fatalf("opened %q, want the portal's login page", got)
	}
	r.click("Open status page")
	if got := r.opened(); !slices.Equal(got, []string{"https://status.openai.com/"}) {
		t.Fatalf("opened %q", got)
	}
}

// detailsOpened waits for the tray to open a details page and returns its
// content, after checking how it was opened: one argument, the absolute
// path of an .html file in the Clearance folder of the download directory
// that user-dirs.dirs names, with no hidden directory on the way from the
// home (a snap browser reads nothing under ~/.cache), which only the
// person can read (0700 directory, 0600 file).
func (r *rig) detailsOpened() []byte {
	r.t.Helper()
	argv := r.opened()
	home := filepath.Join(r.dir, "home")
	dir := filepath.Join(home, "Téléchargements", "Clearance")
	if len(argv) != 1 || !filepath.IsAbs(argv[0]) || filepath.Ext(argv[0]) != ".html" {
		r.t.Fatalf("xdg-open got %q, want the path of an .html file", argv)
	}
	if rel, err := filepath.Rel(home, argv[0]); err != nil || strings.HasPrefix(rel, ".") || strings.Contains(rel, string(filepath.Separator)+".") {
		r.t.Errorf("the page %s is not below the home %s, or in a hidden directory there: a snap browser could not read it", argv[0], home)
	}
	if filepath.Dir(argv[0]) != dir {
		r.t.Fatalf("xdg-open got %s, want a page in %s", argv[0], dir)
	}
	for path, want := range map[string]os.FileMode{dir: 0o700, argv[0]: 0o600} {
		st, err := os.Stat(path)
		if err != nil {
			r.t.Fatal(err)
		}
		if st.Mode().Perm() != want {
			r.t.Errorf("%s: mode %v, want %v", path, st.Mode().Perm(), want)
		}
	}
	b, err := os.ReadFile(argv[0])
	if err != nil {
		r.t.Fatal(err)
	}
	return b
}

// The agent's socket disappears and returns: grey while it is away, the
// agent's state again once it is back.
func TestTrayReconnects(t *testing.T) {
	r := newRig(t, rigOptions{state: stateWith(at(5), findingOf("clock-skew", finding.Warning, nil)), fast: true})
	r.waitIcon(assets.IconWarning)

	r.agent.stop()
	if _, err := os.Stat(r.agent.addr); !os.IsNotExist(err) {
		t.Fatalf("the socket is still there: %v", err)
	}
	m := r.waitMenu("the unreachable agent", func(m menuNode) bool {
		return m.has("The Clearance service is not answering; reconnecting…")
	})
	if m.has("The clock is wrong") {
		t.Errorf("a stale finding is listed while the agent is away:\n%s", m)
	}
	r.waitIcon(assets.IconUnknown)

	r.agent.state.Set(stateWith(at(1), findingOf("dns-failure", "", nil)))
	r.agent.start()
	r.waitMenu("the returned agent's state", func(m menuNode) bool {
		return m.has("OpenAI's names do not resolve") && !m.has("The Clearance service is not answering; reconnecting…")
	})
	r.waitIcon(assets.IconCritical)
}
