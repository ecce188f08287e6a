package tray

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/clearance-app/clearance/agent/diag/fix"
	"github.com/clearance-app/clearance/platform/browser"
	"github.com/clearance-app/clearance/platform/browser/cookies"
	"github.com/clearance-app/clearance/tray/notify"
)

// What the tray does in the person's browsers, as the person: clear and
// restore ChatGPT's cookies, open a new window after a DNS fix, open the
// page where an extension is turned off. It never edits a profile's
// settings.

const (
	// restoreFor is how long after clearing cookies the menu offers to
	// put them back (the backup itself is kept for a week).
	restoreFor   = 24 * time.Hour
	restoreTitle = "Restore ChatGPT cookies"
	// restoreCookiesKey stands for the restore item in model.confirm,
	// beside the fix ids.
	restoreCookiesKey = "restore-site-cookies"

	clearingCookies  = "Clearing ChatGPT cookies…"
	restoringCookies = "Restoring ChatGPT cookies…"

	// offerNewWindow is how long the menu offers ChatGPT in a new window
	// after a DNS fix: while the person is likely to try again.
	offerNewWindow  = 5 * time.Minute
	newWindowTitle  = "Open ChatGPT in a new window"
	newWindowAction = "open-new-window" // the notification button's key
	browserDNSNote  = "A browser that is already open keeps its own cache of names: open ChatGPT in a new window, or restart the browser if it still fails."
)

// personStores are the cookie stores of the browsers in the person's
// home, and what could not be read there.
func personStores(ctx context.Context) ([]cookies.Store, []error) {
	home, err := os.UserHomeDir()
	if err != nil {
		return nil, []error{err}
	}
	browsers, errs := browser.Discover(ctx, home)
	return cookies.StoresFor(browsers), errs
}

// loadCookieBackup notes when cookies were last cleared, for "Restore
// ChatGPT cookies".
func (a *app) loadCookieBackup() {
	saved := a.latestCookieBackup()
	a.change(func(m *model) { m.cookiesSaved = saved })
	a.offersChanged()
}

func (a *app) latestCookieBackup() time.Time {
	root, err := a.d.cookieBackups()
	if err != nil {
		return time.Time{}
	}
	t, _ := cookies.LatestBackup(root)
	return t
}

// siteCookies clears ChatGPT's cookies (restores them, with undo) off the
// loop, saying so in the menu while it runs, then in the menu's note and
// a notification. Restoring replaces the cookies set since, so its first
// click asks for a second that says so.
func (a *app) siteCookies(ctx context.Context, undo bool) {
	a.mu.Lock()
	if a.m.cookieJob != "" {
		a.m.note = fmt.Sprintf("Wait until “%s” has finished.", a.m.cookieJob)
		a.mu.Unlock()
		a.poke()
		return
	}
	if undo && a.askLocked(restoreCookiesKey) {
		a.mu.Unlock()
		a.poke()
		return
	}
	a.m.cookieJob, a.m.note = clearingCookies, ""
	if undo {
		a.m.cookieJob = restoringCookies
	}
	a.mu.Unlock()
	a.poke()
	a.goDo(func() {
		title, body := a.runCookies(ctx, undo)
		saved := a.latestCookieBackup()
		a.change(func(m *model) { m.cookieJob, m.note, m.cookiesSaved = "", body, saved })
		a.offersChanged()
		a.notify(ctx, notify.Notification{Title: title, Body: body}, "")
	})
}

// runCookies clears or restores, and says what happened: a notification's
// title and a text for a person.
func (a *app) runCookies(ctx context.Context, undo bool) (title, body string) {
	name := fixTitle(fix.ClearSiteCookies)
	if undo {
		name = restoreTitle
	}
	root, err := a.d.cookieBackups()
	if err != nil {
		return "Could not run: " + name, err.Error()
	}
	stores, unread := a.d.cookieStores(ctx)
	for _, err := range unread {
		a.log.Warn("could not read a browser profile; its cookies stay as they are", "err", err)
	}
	opts := cookies.Options{BackupRoot: root}
	var results []cookies.Result
	if undo {
		results, err = cookies.Undo(ctx, stores, opts)
		if errors.Is(err, cookies.ErrNoBackup) {
			return "Nothing to do: " + name, "There is no backup of ChatGPT cookies to put back: Clearance keeps one for a week after clearing them."
		}
		if err != nil {
			return "Could not run: " + name, err.Error()
		}
	} else {
		results = cookies.Clear(ctx, stores, opts)
	}
	var refused, done bool
	for _, r := range results {
		refused = refused || r.Refused()
		done = done || r.Done(undo)
		if r.Err != nil {
			a.log.Warn("cookies not changed", "browser", r.Store.Browser, "profile", r.Store.Profile, "err", r.Err)
		}
	}
	a.log.Info("cookies", "undo", undo, "stores", len(results), "done", done, "refused", refused)
	body = cookies.Describe(results, undo, false)
	switch {
	case refused && done:
		return "Partly done: " + name, body
	case refused:
		return "Not done: " + name, body
	case done:
		return "Done: " + name, body
	}
	return "Nothing to do: " + name, body
}

// offersChanged has the menu drawn again when the first of the items it
// offers for a while (restoring cookies, a new window) goes.
func (a *app) offersChanged() {
	a.mu.Lock()
	defer a.mu.Unlock()
	now := a.d.now()
	next, ok := time.Duration(0), false
	for _, end := range []time.Time{a.m.cookiesSaved.Add(restoreFor), a.m.newWindowUntil} {
		if d := end.Sub(now) + time.Second; end.After(now) && (!ok || d < next) {
			next, ok = d, true
		}
	}
	if !ok {
		return
	}
	if a.offerT == nil {
		a.offerT = time.AfterFunc(next, a.offerEnded)
		return
	}
	a.offerT.Reset(next)
}

func (a *app) offerEnded() {
	a.poke()
	a.offersChanged()
}

// newWindow opens ChatGPT in a new window of the default browser.
func (a *app) newWindow(ctx context.Context) {
	a.goDo(func() {
		if err := a.d.newWindow(ctx, chatGPTURL); err != nil {
			a.log.Warn("could not open a new window", "err", err)
			a.setNote("Could not open a new window: " + err.Error())
		}
	})
}

// extensionsPage opens the extensions page of the browser that holds the
// extension a finding names, where the person turns it off.
func (a *app) extensionsPage(ctx context.Context, findingID string) {
	a.mu.Lock()
	f, ok := a.findingLocked(findingID)
	a.mu.Unlock()
	if !ok {
		a.setNote("That problem has cleared.")
		return
	}
	b, _ := f.Evidence["browser"].(string)
	ext, _ := f.Evidence["extension"].(string)
	id, _ := f.Evidence["extension_id"].(string)
	a.goDo(func() {
		if err := a.d.extensionsPage(ctx, b, id); err != nil {
			a.log.Warn("could not open the extensions page", "browser", b, "err", err)
			a.setNote(fmt.Sprintf("Could not open %s's extensions page: %v", b, err))
			return
		}
		a.setNote(fmt.Sprintf("In %s's extensions page, turn off %s, then try ChatGPT again.", b, ext))
	})
}
