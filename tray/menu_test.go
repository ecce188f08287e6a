package tray

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/clearance-app/clearance/agent/api"
	"github.com/clearance-app/clearance/agent/diag/finding"
	"github.com/clearance-app/clearance/agent/diag/fix"
	"github.com/clearance-app/clearance/assets"
)

var menuNow = time.Date(2026, 11, 27, 14, 30, 0, 0, time.UTC)

// findItem returns the item with that title, searching submenus too.
func findItem(items []item, title string) (item, bool) {
	for _, it := range items {
		if it.Title == title {
			return it, true
		}
		if c, ok := findItem(it.Children, title); ok {
			return c, true
		}
	}
	return item{}, false
}

func titles(items []item) []string {
	var out []string
	for _, it := range items {
		if it.Separator {
			out = append(out, "---")
			continue
		}
		out = append(out, it.Title)
	}
	return out
}

func liveModel(fs ...finding.Finding) *model {
	return &model{
		mode:      modeRemote,
		agent:     api.State{UpdatedAt: menuNow.Add(-5 * time.Minute), Findings: fs},
		settings:  DefaultSettings(),
		autostart: autostartState{known: true, on: true},
		version:   "1.0",
	}
}

func TestViewOfFindings(t *testing.T) {
	m := liveModel(f("clock-skew", finding.Warning), f("dns-failure", finding.Critical), f("dns-public-active", finding.Info))
	m.fixes = map[string]api.FixStatus{fix.DNSRestore: {Info: fix.Info{ID: fix.DNSRestore}, Reason: "Nothing to restore."}}
	v := buildView(m, menuNow)
	if v.Icon != assets.IconCritical {
		t.Errorf("icon %v, want critical", v.Icon)
	}
	want := []string{"2 problems found (1 critical)", "---",
		"OpenAI's names do not resolve", "The clock is wrong", "Public DNS is in use", "---",
		"Check now", "ChatGPT shows an error…", "Open status page", "Restore my DNS", "---",
		"Snooze alerts", "Start at login", "About Clearance", "Quit"}
	if got := titles(v.Menu); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("menu\n%q\nwant\n%q", got, want)
	}
	dns, _ := findItem(v.Menu, "OpenAI's names do not resolve")
	if got := titles(dns.Children); strings.Join(got, "|") != "Flush the DNS cache|Switch to public DNS (Cloudflare, 1.1.1.1)|Details…" {
		t.Fatalf("dns-failure submenu %q", got)
	}
	if a := dns.Children[0].Act; a != (action{kind: actFix, fix: fix.DNSFlush, finding: "dns-failure"}) {
		t.Fatalf("flush action %+v", a)
	}
	restore, _ := findItem(v.Menu, "Restore my DNS")
	if !restore.Disabled || restore.Tooltip != "Nothing to restore." {
		t.Fatalf("an unavailable fix: %+v", restore)
	}
	if !strings.HasPrefix(v.Tooltip, "Clearance: 2 problems found (1 critical)\n• OpenAI's names do not resolve\n• The clock is wrong") || strings.Contains(v.Tooltip, "Public DNS") {
		t.Fatalf("tooltip %q", v.Tooltip)
	}
	if sa, _ := findItem(v.Menu, "Start at login"); !sa.Checkbox || !sa.Checked || sa.Disabled {
		t.Fatalf("start at login %+v", sa)
	}
}

func TestViewStates(t *testing.T) {
	clear := liveModel()
	if v := buildView(clear, menuNow); v.Icon != assets.IconClear || v.Menu[0].Title != "ChatGPT's path is clear (checked 14:25)" {
		t.Errorf("clear: %v %q", v.Icon, v.Menu[0].Title)
	}
	first := liveModel()
	first.agent.UpdatedAt = time.Time{}
	if v := buildView(first, menuNow); v.Icon != assets.IconUnknown || v.Menu[0].Title != "First check running…" {
		t.Errorf("first check: %v %q", v.Icon, v.Menu[0].Title)
	}
	down := liveModel(f("clock-skew", finding.Warning))
	down.mode = modeUnreachable
	down.user = []finding.Finding{f("proxy-configured", finding.Warning)}
	v := buildView(down, menuNow)
	if v.Icon != assets.IconUnknown || v.Menu[0].Title != "The Clearance service is not answering; reconnecting…" {
		t.Errorf("unreachable: %v %q", v.Icon, v.Menu[0].Title)
	}
	if _, ok := findItem(v.Menu, "The clock is wrong"); ok {
		t.Error("an unreachable agent's findings are still listed")
	}
	if _, ok := findItem(v.Menu, "A proxy is configured"); !ok {
		t.Error("the user checks' finding is missing")
	}
	alone := liveModel(f("clock-skew", finding.Warning))
	alone.mode = modeStandalone
	if v := buildView(alone, menuNow); v.Icon != assets.IconWarning || v.Menu[1].Title != "Checking without the Clearance service" || v.Menu[0].Title != "1 warning" {
		t.Errorf("standalone: %v %q", v.Icon, titles(v.Menu))
	}
}

func TestViewOfActions(t *testing.T) {
	m := liveModel(f("dns-failure", finding.Critical))
	m.confirm = fix.DNSPublic
	v := buildView(m, menuNow)
	if it, ok := findItem(v.Menu, "Click again to confirm: switch to public DNS"); !ok || it.Act.fix != fix.DNSPublic {
		t.Fatalf("confirming item missing: %q", titles(v.Menu[2].Children))
	}

	m.confirm, m.busy = "", fix.DNSFlush
	v = buildView(m, menuNow)
	if v.Menu[1].Title != "Flushing the DNS cache…" || !v.Menu[1].Disabled {
		t.Fatalf("progress line %+v", v.Menu[1])
	}
	if it, _ := findItem(v.Menu, "Switch to public DNS (Cloudflare, 1.1.1.1)"); !it.Disabled {
		t.Fatal("another fix can be started while one runs")
	}
	if it, _ := findItem(v.Menu, "Details…"); it.Disabled {
		t.Fatal("details are disabled while a fix runs")
	}

	b := f("browser-side-block", finding.Warning)
	m = liveModel()
	m.browse = &b
	m.checking = true
	until := menuNow.Add(time.Hour)
	m.settings.SnoozeUntil = until
	v = buildView(m, menuNow)
	if it, ok := findItem(v.Menu, "Clear ChatGPT cookies (close the browser first)"); !ok || it.Disabled || it.Act != (action{kind: actFix, fix: fix.ClearSiteCookies, finding: b.ID}) {
		t.Fatalf("cookies item %+v %v", it, ok)
	}
	if it, ok := findItem(v.Menu, "Open ChatGPT in a private window"); !ok || it.Disabled {
		t.Fatalf("private window item %+v", it)
	}
	if _, ok := findItem(v.Menu, "Dismiss"); !ok {
		t.Fatal("no way to dismiss a reported browser error")
	}
	if _, ok := findItem(v.Menu, "ChatGPT shows an error…"); ok {
		t.Fatal("a second report can start while one checks")
	}
	if it, ok := findItem(v.Menu, "Alerts snoozed until 15:30"); !ok || it.Children[0].Act.kind != actResume {
		t.Fatalf("snooze item %q", titles(v.Menu))
	}
	m.settings = Settings{Alerts: false}
	if _, ok := findItem(buildView(m, menuNow).Menu, "Alerts are off in tray.toml"); !ok {
		t.Fatal("alerts switched off is not said")
	}
}

// The browser-side flow offers, in order, clearing cookies (saying to
// close the browser first), the private window, and turning off the
// extension the browser check named, in its browser; the extension's
// own finding offers that too. Restoring cookies is offered for a day
// after they were cleared and asks for a confirming click that says what
// it replaces; a new window is offered for a while after a DNS fix; a
// note of several lines is several entries.
func TestViewOfBrowserFixes(t *testing.T) {
	b := f("browser-side-block", finding.Warning)
	risk := finding.BrowserExtensionRisk.New(menuNow, map[string]any{"browser": "Chrome", "profile": "Person 1",
		"extension": "ModHeader", "extension_id": "idgpnmonknjnojddfkpgkljpfnnfcklj"})
	m := liveModel()
	m.browse = &b
	v := buildView(m, menuNow)
	side, _ := findItem(v.Menu, b.Title)
	if got, want := titles(side.Children), []string{"Clear ChatGPT cookies (close the browser first)", "Open ChatGPT in a private window", "Details…", "Dismiss"}; !slices.Equal(got, want) {
		t.Errorf("without an extension found: %q, want %q", got, want)
	}
	m.user = []finding.Finding{risk}
	v = buildView(m, menuNow)
	side, _ = findItem(v.Menu, b.Title)
	turnOff := "Turn off ModHeader in Chrome…"
	if got, want := titles(side.Children), []string{"Clear ChatGPT cookies (close the browser first)", "Open ChatGPT in a private window", turnOff, "Details…", "Dismiss"}; !slices.Equal(got, want) {
		t.Errorf("with ModHeader found: %q, want %q", got, want)
	}
	if side.Children[2].Act != (action{kind: actExtensions, finding: risk.ID}) {
		t.Errorf("the extension item does %+v", side.Children[2].Act)
	}
	own, _ := findItem(v.Menu, risk.Title)
	if got, want := titles(own.Children), []string{"Open ChatGPT in a private window", turnOff, "Details…"}; !slices.Equal(got, want) {
		t.Errorf("the extension's own finding: %q, want %q", got, want)
	}
	if _, ok := findItem(v.Menu, restoreTitle); ok {
		t.Error("restoring offered although nothing was cleared")
	}

	m.cookieJob = clearingCookies
	m.cookiesSaved = menuNow.Add(-23 * time.Hour)
	m.note = "Removed 3 ChatGPT cookies from 1 profile.\nChrome, profile “Person 1”: 3 cookies removed (chatgpt.com)."
	v = buildView(m, menuNow)
	if it, _ := findItem(v.Menu, "Clear ChatGPT cookies (close the browser first)"); !it.Disabled {
		t.Error("clearing can start again while it runs")
	}
	if got := titles(v.Menu[:4]); !slices.Equal(got[1:], []string{clearingCookies, "Removed 3 ChatGPT cookies from 1 profile.", "Chrome, profile “Person 1”: 3 cookies removed (chatgpt.com)."}) {
		t.Errorf("progress and note: %q", got)
	}
	if it, ok := findItem(v.Menu, restoreTitle); !ok || !it.Disabled || it.Act.kind != actRestoreCookies || it.Tooltip != "Puts back the cookies Clearance removed at 26 Nov 15:30" {
		t.Errorf("restore item while clearing: %+v %v", it, ok)
	}
	m.cookieJob, m.confirm = "", restoreCookiesKey
	if it, ok := findItem(buildView(m, menuNow).Menu, "Click again to restore: cookies set since 26 Nov 15:30 are replaced"); !ok || it.Disabled {
		t.Errorf("confirming restore item: %q", titles(buildView(m, menuNow).Menu))
	}
	if _, ok := findItem(buildView(m, menuNow.Add(time.Hour+time.Minute)).Menu, restoreTitle); ok {
		t.Error("restoring offered more than a day after")
	}

	m.newWindowUntil = menuNow.Add(time.Minute)
	if it, ok := findItem(buildView(m, menuNow).Menu, newWindowTitle); !ok || it.Act.kind != actNewWindow {
		t.Errorf("no new window after a DNS fix: %q", titles(buildView(m, menuNow).Menu))
	}
	if _, ok := findItem(buildView(m, menuNow.Add(2*time.Minute)).Menu, newWindowTitle); ok {
		t.Error("a new window still offered after its time")
	}
}
