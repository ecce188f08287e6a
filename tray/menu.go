package tray

import (
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
)

// action is a click's meaning: comparable, so that views compare.
type action struct {
	kind    actKind
	fix     string // actFix
	finding string // the finding it was offered for (actFix, actDetails, actDismiss)
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
	if m.note != "" {
		menu = append(menu, info(m.note))
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
	if m.confirm == id {
		it.Title = needsConfirm[id]
	}
	switch userFixes[id] {
	case userNotYet:
		it.Title += " (not available yet)"
		it.Disabled = true
		it.Act = action{}
		return it
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
