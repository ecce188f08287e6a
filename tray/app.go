package tray

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"slices"
	"sync"
	"time"

	"github.com/clearance-app/clearance/agent/api"
	"github.com/clearance-app/clearance/agent/diag/finding"
	"github.com/clearance-app/clearance/agent/diag/fix"
	"github.com/clearance-app/clearance/tray/notify"
)

// app is the running tray. Producers (the link, the user checks, finished
// requests) change the model under mu and poke rebuild; one loop draws the
// model and handles clicks and notification actions. Nothing that waits on
// the network or another process runs in the loop.
type app struct {
	d        deps
	log      *slog.Logger
	ui       ui
	notifier notify.Notifier
	alerts   *alerter
	users    *userChecks

	rebuild chan struct{} // size 1: "the model changed"
	clicks  chan action
	wg      sync.WaitGroup

	mu         sync.Mutex
	m          model
	backend    backend       // where requests go; nil while nothing answers
	stateSeen  chan struct{} // closed and replaced at each machine state
	confirmGen int
	browseGen  int
	snoozeT    *time.Timer
	settingsOK bool              // the settings file was read, or is absent: the tray may write it
	sent       map[uint32]string // notification id → the finding it alerted
	lastSent   map[string]uint32 // finding id → its latest alert
	windowSent map[uint32]bool   // notifications offering "Open ChatGPT in a new window"
	offerT     *time.Timer       // redraws when the restore or new-window item goes
}

// poke asks the loop to draw the model again; pokes coalesce.
func (a *app) poke() {
	select {
	case a.rebuild <- struct{}{}:
	default:
	}
}

// goDo runs fn in a goroutine the app waits for at exit.
func (a *app) goDo(fn func()) {
	a.wg.Add(1)
	go func() {
		defer a.wg.Done()
		fn()
	}()
}

// loop is the tray's one select loop.
func (a *app) loop(ctx context.Context) {
	invoked := a.notifier.Invoked()
	a.render(ctx)
	for {
		select {
		case <-ctx.Done():
			return
		case <-a.rebuild:
			a.render(ctx)
		case act := <-a.clicks:
			a.handle(ctx, act)
		case inv, ok := <-invoked:
			if !ok {
				invoked = nil
				continue
			}
			a.invoked(ctx, inv)
		}
	}
}

// render draws the model and sends the alerts it calls for. Alerts follow
// only real machine states: while the agent does not answer, what is known
// is stale, and a finding that seems gone must not count as resolved.
func (a *app) render(ctx context.Context) {
	now := a.d.now()
	a.mu.Lock()
	v := buildView(&a.m, now)
	var due []alert
	if a.m.checked() {
		due = a.alerts.update(a.m.visible(), a.m.settings.Quiet(now), a.m.settings.NotifyResolved)
	}
	a.mu.Unlock()
	a.ui.show(v)
	for _, al := range due {
		a.sendAlert(ctx, al)
	}
}

// setSource takes the link's news.
func (a *app) setSource(u update) {
	a.mu.Lock()
	a.m.mode, a.backend = u.mode, u.backend
	if a.m.live() {
		a.m.agent = u.state
		a.m.fixes = map[string]api.FixStatus{}
		for _, f := range u.fixes {
			a.m.fixes[f.ID] = f
		}
		if a.m.note == checkingNote {
			a.m.note = ""
		}
		// A problem on the path explains an error in the browser better
		// than the browser does.
		if a.m.browse != nil && pathProblem(u.state.Findings) {
			a.m.browse = nil
		}
	} else {
		a.m.agent, a.m.fixes = api.State{}, nil
	}
	close(a.stateSeen)
	a.stateSeen = make(chan struct{})
	live := a.m.live()
	a.mu.Unlock()
	if live {
		a.users.kick() // the user checks follow the agent's schedule
	}
	a.poke()
}

// setUserFindings takes the user checks' confirmed findings.
func (a *app) setUserFindings(fs []finding.Finding) {
	a.change(func(m *model) { m.user = fs })
}

// pathProblem reports whether a finding of warning or above lies on this
// computer's path to ChatGPT rather than in the browser.
func pathProblem(fs []finding.Finding) bool {
	for _, f := range fs {
		if f.Check != "browser" && f.Severity.Rank() >= finding.Warning.Rank() {
			return true
		}
	}
	return false
}

// setNote shows a line of outcome in the menu.
func (a *app) setNote(note string) {
	a.change(func(m *model) { m.note = note })
}

// change applies f to the model under the lock, then has the menu rebuilt.
func (a *app) change(f func(m *model)) {
	a.mu.Lock()
	f(&a.m)
	a.mu.Unlock()
	a.poke()
}

// handle carries out a click.
func (a *app) handle(ctx context.Context, act action) {
	switch act.kind {
	case actFix:
		a.requestFix(ctx, act.fix, act.finding)
	case actDetails:
		a.details(ctx, act.finding)
	case actDismiss:
		a.change(func(m *model) { m.browse = nil })
	case actCheckNow:
		a.checkNow(ctx)
	case actChatGPTError:
		a.chatGPTError(ctx)
	case actStatusPage:
		a.open(ctx, a.d.statusPage)
	case actSnoozeHour:
		a.snooze(snoozeHour(a.d.now()))
	case actSnoozeTomorrow:
		a.snooze(snoozeTomorrow(a.d.now()))
	case actResume:
		a.snooze(time.Time{})
	case actAutostart:
		a.toggleAutostart()
	case actAbout:
		a.about(ctx)
	case actRestoreCookies:
		a.siteCookies(ctx, true)
	case actNewWindow:
		a.newWindow(ctx)
	case actExtensions:
		a.extensionsPage(ctx, act.finding)
	case actQuit:
		a.ui.quit()
	}
}

// invoked carries out a notification's action: the body opens the details,
// a button runs the fix it names, or opens the new window a DNS fix's
// notice offers.
func (a *app) invoked(ctx context.Context, inv notify.Invoked) {
	a.mu.Lock()
	fid, ok := a.sent[inv.ID]
	window := a.windowSent[inv.ID]
	a.mu.Unlock()
	if window && inv.Key == newWindowAction {
		a.newWindow(ctx)
		return
	}
	if !ok {
		return
	}
	if inv.Key == notify.DefaultAction {
		a.details(ctx, fid)
		return
	}
	a.requestFix(ctx, inv.Key, fid)
}

// findingLocked returns the visible finding with that id.
func (a *app) findingLocked(id string) (finding.Finding, bool) {
	for _, f := range a.m.visible() {
		if f.ID == id {
			return f, true
		}
	}
	return finding.Finding{}, false
}

// askLocked makes key's item ask for a confirming click for a while and
// reports true when this click is the first; the confirming click ends
// the wait and reports false. The caller holds a.mu.
func (a *app) askLocked(key string) bool {
	if a.m.confirm != key {
		a.m.confirm = key
		a.confirmGen++
		gen := a.confirmGen
		time.AfterFunc(a.d.confirmWindow, func() { a.confirmGone(gen) })
		return true
	}
	a.m.confirm = ""
	a.confirmGen++
	return false
}

// confirmGone ends a pending confirmation that nobody gave.
func (a *app) confirmGone(gen int) {
	a.change(func(m *model) {
		if a.confirmGen == gen {
			m.confirm = ""
		}
	})
}

// requestFix runs a fix: a user fix here, a privileged one by a request to
// the agent (or with elevation in standalone mode). A fix that needs
// confirmation first turns its item into a confirming one for a while.
func (a *app) requestFix(ctx context.Context, id, findingID string) {
	a.mu.Lock()
	_, confirmed := needsConfirm[id]
	if confirmed && a.askLocked(id) {
		a.mu.Unlock()
		a.poke()
		return
	}
	if !confirmed { // any other click drops a pending confirmation
		a.m.confirm = ""
		a.confirmGen++
	}
	f, _ := a.findingLocked(findingID)
	if kind := userFixes[id]; kind != notUserFix {
		a.mu.Unlock()
		a.poke()
		a.userFix(ctx, kind, id, f)
		return
	}
	if a.m.busy != "" {
		a.m.note = fmt.Sprintf("Wait until “%s” has finished.", fixTitle(a.m.busy))
		a.mu.Unlock()
		a.poke()
		return
	}
	b := a.backend
	if b == nil {
		a.m.note = "The Clearance service is not answering, so the fix cannot run now."
		a.mu.Unlock()
		a.poke()
		return
	}
	a.m.busy, a.m.note = id, ""
	a.mu.Unlock()
	a.poke()
	a.log.Info("fix requested", "fix", id, "confirm", confirmed)
	a.goDo(func() {
		res, err := b.RunFix(ctx, id, api.FixOptions{Confirm: confirmed})
		a.fixDone(ctx, id, res, err)
	})
}

// fixDone shows a fix's outcome in the menu and as a notification. After
// the DNS cache was flushed or the servers changed, a browser that is
// already open still answers from its own cache of names (Chromium's
// survives a system flush): the notice says so, and offers ChatGPT in a
// new window, as a button and for a few minutes in the menu.
func (a *app) fixDone(ctx context.Context, id string, res api.FixResult, err error) {
	title, body := fixOutcome(id, res, err)
	if err != nil {
		a.log.Warn("fix did not run", "fix", id, "err", err)
	} else {
		a.log.Info("fix finished", "fix", id, "result", string(res.Result))
	}
	n := notify.Notification{Title: title}
	dnsChanged := err == nil && res.Result == api.Fixed && (id == fix.DNSFlush || id == fix.DNSPublic)
	if dnsChanged {
		body += "\n" + browserDNSNote
		n.Actions = []notify.Action{{Key: newWindowAction, Label: newWindowTitle}}
	}
	n.Body = body
	until := a.d.now().Add(offerNewWindow)
	a.change(func(m *model) {
		m.busy, m.note = "", body
		if dnsChanged {
			m.newWindowUntil = until
		}
	})
	a.offersChanged()
	a.notify(ctx, n, "")
}

// fixOutcome is a fix's result for a person: a notification's title and a
// line that serves as its body and as the menu's note.
func fixOutcome(id string, res api.FixResult, err error) (title, body string) {
	name := fixTitle(id)
	var ae *api.Error
	switch {
	case errors.As(err, &ae):
		return "Could not run: " + name, ae.Message
	case err != nil:
		return "Could not run: " + name, "It did not run: " + err.Error()
	}
	msg := res.Message
	switch res.Result {
	case api.Fixed:
		return "Done: " + name, or(msg, "Done.")
	case api.NotNeeded:
		return "Nothing to do: " + name, or(msg, "Nothing needed changing.")
	}
	return "Not fixed: " + name, or(msg, "The fix did not work.")
}

func or(s, alt string) string {
	if s == "" {
		return alt
	}
	return s
}

// userFix runs a fix that belongs to the person, in the tray.
func (a *app) userFix(ctx context.Context, kind userFix, id string, f finding.Finding) {
	switch kind {
	case userRecheck:
		a.checkNow(ctx)
	case userOpenStatus:
		a.open(ctx, a.d.statusPage)
	case userOpenPortal:
		a.open(ctx, portalURL(f, a.d.captivePage))
	case userPrivateWindow:
		a.goDo(func() {
			if err := a.d.privateWindow(ctx, chatGPTURL); err != nil {
				a.log.Warn("could not open a private window", "err", err)
				a.setNote("Could not open a private window: " + err.Error())
			}
		})
	case userClearCookies:
		a.siteCookies(ctx, false)
	}
}

// portalURL is the captive portal's login page when the network check saw
// where it redirects, else the plain-HTTP probe page that a portal
// intercepts.
func portalURL(f finding.Finding, fallback string) string {
	if loc, ok := f.Evidence["location"].(string); ok {
		if u, err := url.Parse(loc); err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" {
			return loc
		}
	}
	return fallback
}

// open opens a page in the default browser.
func (a *app) open(ctx context.Context, u string) {
	a.goDo(func() {
		if err := a.d.openURL(ctx, u); err != nil {
			a.log.Warn("could not open a page", "url", u, "err", err)
			a.setNote("Could not open " + u + ": " + err.Error())
		}
	})
}

// checkingNote is the note while a requested check runs.
const checkingNote = "Checking now…"

// checkNow asks for all checks at once: the agent's and the user's.
func (a *app) checkNow(ctx context.Context) {
	a.mu.Lock()
	b := a.backend
	if b == nil {
		a.m.note = "The Clearance service is not answering; it is checked again as soon as it is back."
	} else {
		a.m.note = checkingNote
	}
	a.mu.Unlock()
	a.poke()
	a.users.kick()
	if b == nil {
		return
	}
	a.goDo(func() {
		cctx, cancel := context.WithTimeout(ctx, requestTimeout)
		defer cancel()
		if err := b.CheckNow(cctx); err != nil {
			a.log.Warn("could not ask for a check", "err", err)
			a.setNote("Could not ask for a check: " + err.Error())
		}
	})
}

// chatGPTWait bounds the wait for the check that "ChatGPT shows an
// error…" asks for: a run's deadline, with room for a run in progress.
const chatGPTWait = time.Minute

// chatGPTError answers "ChatGPT shows an error…": it checks at once and,
// when Clearance's own path to ChatGPT is clean, raises browser-side-block,
// whose fixes are the browser-side ones.
func (a *app) chatGPTError(ctx context.Context) {
	a.mu.Lock()
	b := a.backend
	if a.m.checking || b == nil {
		if b == nil {
			a.m.note = "The Clearance service is not answering, so Clearance cannot check now."
		}
		a.mu.Unlock()
		a.poke()
		return
	}
	a.m.checking, a.m.note = true, ""
	a.mu.Unlock()
	a.poke()
	since := a.d.now()
	a.users.kick()
	a.goDo(func() {
		cctx, cancel := context.WithTimeout(ctx, requestTimeout)
		err := b.CheckNow(cctx)
		cancel()
		fresh := err == nil && a.waitState(ctx, since, chatGPTWait)
		now := a.d.now()
		a.mu.Lock()
		a.m.checking = false
		switch {
		case err != nil:
			a.m.note = "Could not ask for a check: " + err.Error()
		case !fresh:
			a.m.note = "The check did not finish in time; try again in a minute."
		case pathProblem(a.m.agent.Findings) || pathProblem(a.m.user):
			a.m.note = "Clearance found a problem on this computer's side: see below."
		default:
			f := finding.BrowserSideBlock.New(now, map[string]any{
				"reported_at":   now.UTC().Format(time.RFC3339),
				"path_clean_at": a.m.agent.UpdatedAt.UTC().Format(time.RFC3339),
			})
			a.m.browse = &f
			a.browseGen++
			gen := a.browseGen
			time.AfterFunc(browseLifetime, func() { a.browseGone(gen) })
			a.m.note = "Clearance reaches ChatGPT from this computer: the problem is in the browser."
		}
		a.mu.Unlock()
		a.poke()
	})
}

// browseLifetime is how long a reported browser error stays raised without
// being dismissed: long enough to try its fixes, short enough not to
// linger past the session.
const browseLifetime = time.Hour

func (a *app) browseGone(gen int) {
	a.change(func(m *model) {
		if a.browseGen == gen {
			m.browse = nil
		}
	})
}

// waitState waits until a machine state newer than since has arrived.
func (a *app) waitState(ctx context.Context, since time.Time, limit time.Duration) bool {
	t := time.NewTimer(limit)
	defer t.Stop()
	for {
		a.mu.Lock()
		fresh := a.m.live() && a.m.agent.UpdatedAt.After(since)
		seen := a.stateSeen
		a.mu.Unlock()
		if fresh {
			return true
		}
		select {
		case <-seen:
		case <-t.C:
			return false
		case <-ctx.Done():
			return false
		}
	}
}

// details writes a finding's details page and opens it as a local file.
func (a *app) details(ctx context.Context, id string) {
	a.mu.Lock()
	f, ok := a.findingLocked(id)
	a.mu.Unlock()
	if !ok {
		a.setNote("That problem has cleared.")
		return
	}
	now := a.d.now()
	a.goDo(func() {
		path, err := writeDetails(a.d.detailsDir, f, now)
		if err == nil {
			err = a.d.openFile(ctx, path)
		}
		if err != nil {
			a.log.Warn("could not show the details", "finding", id, "err", err)
			a.setNote("Could not show the details: " + err.Error())
		}
	})
}

// snooze silences alerts until the time given (zero resumes them), and
// remembers it in the settings file.
func (a *app) snooze(until time.Time) {
	a.mu.Lock()
	a.m.settings.SnoozeUntil = until
	s, canSave := a.m.settings, a.settingsOK
	if a.snoozeT != nil {
		a.snoozeT.Stop()
	}
	if !until.IsZero() {
		// Redraw when it ends, so the menu stops saying "snoozed".
		a.snoozeT = time.AfterFunc(max(until.Sub(a.d.now()), 0), a.poke)
	}
	a.mu.Unlock()
	a.poke()
	if !canSave {
		a.log.Warn("the snooze is kept until the tray stops: the settings file has an error, so it is not overwritten", "file", a.d.settingsPath)
		return
	}
	if err := SaveSettings(a.d.settingsPath, s); err != nil {
		a.log.Warn("could not save the snooze", "err", err)
	}
}

// toggleAutostart flips "Start at login" and shows what is now true.
func (a *app) toggleAutostart() {
	a.mu.Lock()
	want := !a.m.autostart.on
	a.mu.Unlock()
	a.goDo(func() {
		err := a.d.setAutostart(want)
		on, rerr := a.d.autostartEnabled()
		a.mu.Lock()
		a.m.autostart = autostartState{known: rerr == nil, on: on}
		if err != nil {
			a.m.note = "Could not change “Start at login”: " + err.Error()
		}
		a.mu.Unlock()
		if err != nil {
			a.log.Warn("could not change start at login", "want", want, "err", err)
		}
		a.poke()
	})
}

// about says which Clearance this is and how it runs.
func (a *app) about(ctx context.Context) {
	a.mu.Lock()
	var how string
	switch a.m.mode {
	case modeRemote:
		how = "Connected to the Clearance service."
	case modeStandalone:
		how = "The Clearance service is not running: this app runs the checks itself."
	default:
		how = "The Clearance service is not answering."
	}
	version := a.m.version
	a.mu.Unlock()
	a.notify(ctx, notify.Notification{
		Title: "Clearance " + version,
		Body:  "Keeps your path to ChatGPT clear: it finds what blocks ChatGPT on this computer and offers the fix. " + how,
	}, "")
}

// sendAlert notifies a person of a finding, with its fixes as buttons
// where the desktop supports them.
func (a *app) sendAlert(ctx context.Context, al alert) {
	f := al.finding
	n := notify.Notification{Title: f.Title, Body: f.Detail, Critical: f.Severity == finding.Critical}
	switch al.kind {
	case alertEscalated:
		n.Title = "Worse now: " + f.Title
	case alertResolved:
		n = notify.Notification{Title: "Resolved: " + f.Title, Body: "Clearance no longer sees this problem."}
		a.notify(ctx, n, "")
		return
	}
	n.Actions = alertActions(f)
	a.mu.Lock()
	n.ReplacesID = a.lastSent[f.ID]
	a.mu.Unlock()
	a.log.Info("alert", "finding", f.ID, "severity", string(f.Severity))
	a.notify(ctx, n, f.ID)
}

// alertActions are a finding's notification buttons: its fixes, except
// those that ask for confirmation (the menu asks for it); a click on the
// body shows the details.
func alertActions(f finding.Finding) []notify.Action {
	acts := []notify.Action{{Key: notify.DefaultAction, Label: "Details"}}
	for _, id := range f.Fixes {
		if _, ask := needsConfirm[id]; ask {
			continue
		}
		acts = append(acts, notify.Action{Key: id, Label: fixTitle(id)})
	}
	return acts
}

// notify sends a notification without holding up the loop, remembering
// which finding it is about (none when findingID is "").
func (a *app) notify(ctx context.Context, n notify.Notification, findingID string) {
	a.goDo(func() {
		id, err := a.notifier.Send(ctx, n)
		if err != nil {
			a.log.Warn("could not show a notification", "title", n.Title, "err", err)
			return
		}
		if slices.ContainsFunc(n.Actions, func(act notify.Action) bool { return act.Key == newWindowAction }) {
			a.mu.Lock()
			if len(a.windowSent) > 64 { // old notices: their buttons no longer matter
				clear(a.windowSent)
			}
			a.windowSent[id] = true
			a.mu.Unlock()
		}
		if findingID == "" {
			return
		}
		a.mu.Lock()
		a.sent[id] = findingID
		a.lastSent[findingID] = id
		if len(a.sent) > 256 { // old notifications: their buttons no longer matter
			for k, v := range a.sent {
				if a.lastSent[v] != k {
					delete(a.sent, k)
				}
			}
		}
		a.mu.Unlock()
	})
}
