package tray

import (
	"fmt"
	"strings"
	"time"

	"github.com/clearance-app/clearance/agent/diag/finding"
	"github.com/clearance-app/clearance/agent/diag/fix"
	"github.com/clearance-app/clearance/assets"
)

// actKind is what a click asks for.
type actKind int

const (
	actNone actKind = iota
	actFix
	actDetails
	actDismiss
	actCheckNow
	actChatGPTError
	actStatusPage
	actSnoozeHour
	actSnoozeTomorrow
	actResume
	actAutostart
	actAbout
	actQuit
	actRestoreCookies
	actNewWindow
	actExtensions
)

// action is a click's meaning: comparable, so that views compare.
type action struct {
	kind    actKind
	fix     string // actFix
	finding string // the finding it was offered for (actFix, actDetails, actDismiss, actExtensions)
}

// item is one menu entry. A zero action means the item only informs.
type item struct {
	Title     string
	Tooltip   string
	Disabled  bool
	Separator bool
	Checkbox  bool
	Checked   bool
	Act       action
	Children  []item
}

// view is everything the tray shows: the icon, its tooltip and the menu.
type view struct {
	Icon    assets.IconState
	Tooltip string
	Menu    []item
}

func info(title string) item            { return item{Title: title, Disabled: true} }
func separator() item                   { return item{Separator: true} }
func click(title string, a action) item { return item{Title: title, Act: a} }

// buildView draws the model. It is pure: the same model and time give the
// same view, which is how the renderer knows when nothing changed.
func buildView(m *model, now time.Time) view {
	v := view{Icon: m.icon(), Tooltip: m.tooltip(now)}
	menu := []item{info(m.status(now))}
	if m.mode == modeStandalone {
		menu = append(menu, info("Checking without the Clearance service"))
	}
	if m.busy != "" {
		menu = append(menu, info(progressTitle(m.busy)))
	}
	if m.cookieJob != "" {
		menu = append(menu, info(m.cookieJob))
	}
	if m.note != "" {
		for _, line := range strings.Split(m.note, "\n") {
			menu = append(menu, info(line))
		}
	}
	if now.Before(m.newWindowUntil) {
		menu = append(menu, click(newWindowTitle, action{kind: actNewWindow}))
	}
	visible := m.visible()
	if len(visible) > 0 {
		menu = append(menu, separator())
		for _, f := range visible {
			menu = append(menu, findingItem(m, f))
		}
	}
	menu = append(menu, separator())
	if m.checking {
		menu = append(menu, info("Checking…"))
	} else {
		menu = append(menu,
			click("Check now", action{kind: actCheckNow}),
			click("ChatGPT shows an error…", action{kind: actChatGPTError}))
	}
	menu = append(menu, click("Open status page", action{kind: actStatusPage}))
	for _, f := range visible {
		if f.Code == finding.DNSPublicActive.Code {
			it := fixItem(m, fix.DNSRestore, f.ID)
			it.Title = "Restore my DNS"
			menu = append(menu, it)
			break
		}
	}
	if restoreOffered(m, now) {
		menu = append(menu, restoreItem(m, now))
	}
	menu = append(menu, separator(), snoozeItem(m, now))
	autostart := item{Title: "Start at login", Checkbox: true, Checked: m.autostart.on, Act: action{kind: actAutostart}}
	if !m.autostart.known {
		autostart.Disabled = true
		autostart.Tooltip = "Could not read whether the tray starts at login"
	}
	menu = append(menu, autostart,
		click("About Clearance", action{kind: actAbout}),
		click("Quit", action{kind: actQuit}))
	v.Menu = menu
	return v
}

// findingItem is a finding's entry: its title, and a submenu of its fixes
// and its details.
func findingItem(m *model, f finding.Finding) item {
	it := item{Title: f.Title, Tooltip: severityLabel(f.Severity)}
	for _, id := range f.Fixes {
		it.Children = append(it.Children, fixItem(m, id, f.ID))
	}
	if f.Code == finding.BrowserSideBlock.Code || f.Code == finding.BrowserExtensionRisk.Code {
		if ext, ok := extensionItem(m); ok {
			it.Children = append(it.Children, ext)
		}
	}
	it.Children = append(it.Children, click("Details…", action{kind: actDetails, finding: f.ID}))
	if f.Code == finding.BrowserSideBlock.Code {
		it.Children = append(it.Children, click("Dismiss", action{kind: actDismiss, finding: f.ID}))
	}
	return it
}

// fixItem offers one fix, disabled while another runs or when the agent
// says it cannot run here (its reason is the tooltip).
func fixItem(m *model, id, findingID string) item {
	it := click(fixTitle(id), action{kind: actFix, fix: id, finding: findingID})
	if t, ok := itemTitles[id]; ok {
		it.Title = t
	}
	if m.confirm == id {
		it.Title = needsConfirm[id]
	}
	switch userFixes[id] {
	case userClearCookies:
		it.Disabled = m.cookieJob != ""
	case notUserFix:
		if m.busy != "" {
			it.Disabled = true
		} else if st, ok := m.fixes[id]; ok && !st.Available {
			it.Disabled = true
			it.Tooltip = st.Reason
		}
	}
	return it
}

// extensionItem offers to open the extensions page of the browser where
// the browser check found an extension that changes requests or pages,
// for the person to turn it off there: Clearance never edits a profile.
// ok is false when no such extension is named.
func extensionItem(m *model) (it item, ok bool) {
	for _, f := range m.visible() {
		if f.Code != finding.BrowserExtensionRisk.Code {
			continue
		}
		ext, _ := f.Evidence["extension"].(string)
		b, _ := f.Evidence["browser"].(string)
		if ext == "" || b == "" {
			return item{}, false
		}
		return click(fmt.Sprintf("Turn off %s in %s…", ext, b), action{kind: actExtensions, finding: f.ID}), true
	}
	return item{}, false
}

// restoreOffered says whether the menu offers to put back the cookies
// cleared last: for a day after, as long as the backup is there.
func restoreOffered(m *model, now time.Time) bool {
	return !m.cookiesSaved.IsZero() && now.Before(m.cookiesSaved.Add(restoreFor))
}

// restoreItem is "Restore ChatGPT cookies"; its first click asks for a
// second, saying what restoring replaces.
func restoreItem(m *model, now time.Time) item {
	it := click(restoreTitle, action{kind: actRestoreCookies})
	it.Tooltip = "Puts back the cookies Clearance removed at " + clock(m.cookiesSaved, now)
	if m.confirm == restoreCookiesKey {
		it.Title = "Click again to restore: cookies set since " + clock(m.cookiesSaved, now) + " are replaced"
	}
	it.Disabled = m.cookieJob != ""
	return it
}

// snoozeItem is "Snooze alerts" with its choices, or what silences them.
func snoozeItem(m *model, now time.Time) item {
	it := item{Title: "Snooze alerts"}
	switch {
	case !m.settings.Alerts:
		it.Children = []item{info("Alerts are off in tray.toml")}
	case m.settings.Snoozed(now):
		it.Title = "Alerts snoozed until " + clock(m.settings.SnoozeUntil, now)
		it.Children = []item{click("Resume alerts", action{kind: actResume})}
	default:
		it.Children = []item{
			click("For 1 hour", action{kind: actSnoozeHour}),
			click("Until tomorrow morning", action{kind: actSnoozeTomorrow}),
		}
	}
	return it
}

func severityLabel(s finding.Severity) string {
	switch s {
	case finding.Critical:
		return "Critical"
	case finding.Warning:
		return "Warning"
	}
	return "For your information"
}
