package tray

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/clearance-app/clearance/agent/diag/finding"
	"github.com/clearance-app/clearance/assets"
)

// "ChatGPT shows an error…" asks the agent to check at once; when the new
// state shows a clean path, the tray raises browser-side-block with the
// browser-side fixes, and the private window opens on a click.
func TestTrayChatGPTError(t *testing.T) {
	r := newRig(t, rigOptions{state: stateWith(at(5))})
	r.waitIcon(assets.IconClear)
	r.click("ChatGPT shows an error…")
	select {
	case <-r.agent.checker.calls:
	case <-time.After(patience):
		t.Fatal("the agent was not asked to check")
	}
	r.waitMenu("the check in progress", func(m menuNode) bool { n, ok := m.find("Checking…"); return ok && !n.Enabled })
	r.agent.state.Set(stateWith(time.Now().UTC().Add(time.Second)))

	m := r.waitMenu("the browser-side finding", func(m menuNode) bool {
		return m.has("The problem is in the browser", "Open ChatGPT in a private window") && m.has("ChatGPT shows an error…")
	})
	if n, ok := m.find("The problem is in the browser", "Clear ChatGPT cookies (close the browser first)"); !ok || !n.Enabled {
		t.Fatalf("the cookie fix is not offered:\n%s", m)
	}
	r.waitIcon(assets.IconWarning)
	if c := r.waitNote("The problem is in the browser"); !strings.Contains(strings.Join(c.ActionKeys(), " "), "open-private-window") {
		t.Fatalf("its alert offers %q", c.ActionKeys())
	}
	r.click("The problem is in the browser", "Open ChatGPT in a private window")
	if got := r.tray.expect("private "); got != "https://chatgpt.com/" {
		t.Fatalf("private window for %q", got)
	}
	r.click("The problem is in the browser", "Dismiss")
	r.waitMenu("the dismissed finding gone", func(m menuNode) bool { return !m.has("The problem is in the browser") })
}

// When the agent's check finds a problem on the path, the report is not
// blamed on the browser.
func TestTrayChatGPTErrorOnThePath(t *testing.T) {
	r := newRig(t, rigOptions{state: stateWith(at(5))})
	r.click("ChatGPT shows an error…")
	<-r.agent.checker.calls
	r.agent.state.Set(stateWith(time.Now().UTC().Add(time.Second), findingOf("cloudflare-blocked", "", nil)))
	m := r.waitMenu("the path's problem", func(m menuNode) bool {
		return m.has("Clearance found a problem on this computer's side: see below.")
	})
	if m.has("The problem is in the browser") {
		t.Fatalf("browser-side-block raised although the path is blocked:\n%s", m)
	}
}

// Without an agent the tray checks in-process, says so, runs privileged
// fixes through pkexec, and becomes the agent's client when it appears.
func TestTrayStandalone(t *testing.T) {
	local := stateWith(at(2), findingOf("clock-skew", finding.Warning, nil))
	r := newRig(t, rigOptions{noAgent: true, standalone: &local, state: stateWith(at(1), findingOf("dns-failure", "", nil)), fast: true})
	r.waitMenu("standalone mode", func(m menuNode) bool {
		return m.has("Checking without the Clearance service") && m.has("The clock is wrong", "Sync the clock now")
	})
	r.waitIcon(assets.IconWarning)

	r.click("The clock is wrong", "Sync the clock now")
	if got := r.tray.expect("elevate "); got != "pkexec /usr/bin/clearance fix time-sync --json" {
		t.Fatalf("elevated %q", got)
	}
	r.waitMenu("the elevated fix's outcome", func(m menuNode) bool { return m.has("Done with administrator rights: time-sync.") })
	if runs := r.agent.fixes.Runs(); len(runs) != 0 {
		t.Fatalf("the (absent) agent ran %v", runs)
	}

	r.agent.start()
	m := r.waitMenu("the agent's state", func(m menuNode) bool {
		return m.has("OpenAI's names do not resolve") && !m.has("Checking without the Clearance service")
	})
	if m.has("The clock is wrong") {
		t.Fatalf("the in-process state is still shown:\n%s", m)
	}
	r.waitIcon(assets.IconCritical)
}

// The user checks' findings are merged with the agent's.
func TestTrayMergesUserChecks(t *testing.T) {
	proxy := findingOf("proxy-configured", finding.Warning, map[string]any{"proxy": "http://proxy.example:3128", "source": "environment"})
	r := newRig(t, rigOptions{state: stateWith(at(5), findingOf("clock-skew", finding.Warning, nil)), user: []finding.Finding{proxy}})
	r.waitMenu("both findings", func(m menuNode) bool {
		return m.has("2 warnings") && m.has("A proxy is configured", "Details…") && m.has("The clock is wrong")
	})
}

// Snoozing silences alerts (and is kept in the settings file); "Start at
// login" flips the per-user setting.
func TestTraySnoozeAndStartAtLogin(t *testing.T) {
	r := newRig(t, rigOptions{state: stateWith(at(5))})
	r.click("Snooze alerts", "For 1 hour")
	r.waitMenu("the snooze", func(m menuNode) bool {
		for _, c := range m.Children {
			if strings.HasPrefix(c.Label, "Alerts snoozed until ") && c.has("Resume alerts") {
				return true
			}
		}
		return false
	})
	b, err := os.ReadFile(filepath.Join(r.dir, "config", "tray.toml"))
	if err != nil || !strings.Contains(string(b), "snooze_until = ") {
		t.Fatalf("settings file: %v\n%s", err, b)
	}

	r.agent.state.Set(stateWith(at(4), findingOf("dns-failure", "", nil)))
	r.waitMenu("the new problem", func(m menuNode) bool { return m.has("OpenAI's names do not resolve") })

	r.waitMenu("start at login, checked", func(m menuNode) bool {
		n, ok := m.find("Start at login")
		return ok && n.Toggle == "checkmark" && n.Checked
	})
	r.click("Start at login")
	if got := r.tray.expect("autostart "); got != "false" {
		t.Fatalf("start at login set to %q, want false", got)
	}
	r.waitMenu("start at login, unchecked", func(m menuNode) bool {
		n, ok := m.find("Start at login")
		return ok && !n.Checked
	})
	if calls := r.notes.Calls(); len(calls) != 0 {
		t.Fatalf("%d notifications while snoozed: %+v", len(calls), calls)
	}
}

// A settings file with an error: the tray says so in its log, runs on the
// defaults (alerts on), and keeps a snooze in memory rather than
// overwriting the person's file.
func TestTrayBadSettings(t *testing.T) {
	bad := "alerts = maybe\n"
	r := newRig(t, rigOptions{state: stateWith(at(5), findingOf("clock-skew", finding.Warning, nil)), settings: bad})
	r.waitNote("The clock is wrong") // alerts on, as by default
	r.click("Snooze alerts", "For 1 hour")
	r.waitMenu("the snooze", func(m menuNode) bool {
		for _, c := range m.Children {
			if strings.HasPrefix(c.Label, "Alerts snoozed until ") {
				return true
			}
		}
		return false
	})
	if b, _ := os.ReadFile(filepath.Join(r.dir, "config", "tray.toml")); string(b) != bad {
		t.Fatalf("the file was overwritten:\n%s", b)
	}
	if log := r.tray.stderr.String(); !strings.Contains(log, "tray.toml:1") {
		t.Fatalf("the log does not name the problem:\n%s", log)
	}
}
