package tray

import (
	"github.com/clearance-app/clearance/agent/diag/fix"
)

// userFix is how the tray treats a fix that belongs to the person rather
// than the machine: it runs in the tray, as the user.
type userFix int

const (
	notUserFix  userFix = iota // privileged: a request to the agent
	userRecheck                // check again now
	userOpenStatus
	userOpenPortal
	userPrivateWindow
	userClearCookies
)

// userFixes are the fixes the tray runs itself: opening pages, and the
// person's browser cookies, which are the person's to change.
var userFixes = map[string]userFix{
	fix.Recheck:           userRecheck,
	fix.OpenStatusPage:    userOpenStatus,
	fix.OpenCaptivePortal: userOpenPortal,
	fix.OpenPrivateWindow: userPrivateWindow,
	fix.ClearSiteCookies:  userClearCookies,
}

// needsConfirm lists the fixes that ask for a second click: switching to
// public DNS bypasses company and home DNS, which a person must choose.
var needsConfirm = map[string]string{
	fix.DNSPublic: "Click again to confirm: switch to public DNS",
}

// progress is what the menu says while a fix runs.
var progress = map[string]string{
	fix.TimeSync:   "Syncing the clock…",
	fix.DNSFlush:   "Flushing the DNS cache…",
	fix.DNSPublic:  "Switching to public DNS…",
	fix.DNSRestore: "Restoring your DNS settings…",
}

// fixTitle is the fix's title for a person, or its id when unknown.
func fixTitle(id string) string {
	if info, ok := fix.Lookup(id); ok {
		return info.Title
	}
	return id
}

// progressTitle is the menu line while id runs.
func progressTitle(id string) string {
	if p, ok := progress[id]; ok {
		return p
	}
	return "Running: " + fixTitle(id) + "…"
}

// chatGPTURL is what a private or a new window opens.
const chatGPTURL = "https://chatgpt.com/"

// itemTitles are the menu's words for a fix where they say more than its
// title: cookies cannot be cleared while the browser runs.
var itemTitles = map[string]string{
	fix.ClearSiteCookies: "Clear ChatGPT cookies (close the browser first)",
}
