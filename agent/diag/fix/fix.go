// Package fix is the one list of fixes Clearance offers: their ids, titles
// and who may run them. The fixes themselves are implemented by the agent
// (privileged) and the tray (per user); this package only names them, so
// that findings, the API and the tray agree on the same ids.
package fix

// Fix ids are a public contract: never rename one.
const (
	Recheck           = "recheck"
	OpenCaptivePortal = "open-captive-portal"
	TimeSync          = "time-sync"
	DNSFlush          = "dns-flush"
	DNSPublic         = "dns-public"
	DNSRestore        = "dns-restore"
	OpenPrivateWindow = "open-private-window"
	OpenStatusPage    = "open-status-page"
	ClearSiteCookies  = "clear-site-cookies"
)

// Info describes a fix for people and for the API.
type Info struct {
	ID         string `json:"id"`
	Title      string `json:"title"`
	Privileged bool   `json:"privileged"` // runs in the agent as root/SYSTEM
}

// All is the list of fixes, in a stable order.
var All = []Info{
	{Recheck, "Check again", false},
	{OpenCaptivePortal, "Open the network's login page", false},
	{TimeSync, "Sync the clock now", true},
	{DNSFlush, "Flush the DNS cache", true},
	{DNSPublic, "Switch to public DNS (Cloudflare, 1.1.1.1)", true},
	{DNSRestore, "Restore my DNS settings", true},
	{OpenPrivateWindow, "Open ChatGPT in a private window", false},
	{OpenStatusPage, "Open the OpenAI status page", false},
	{ClearSiteCookies, "Clear ChatGPT cookies", false},
}

// Lookup returns the fix with that id.
func Lookup(id string) (Info, bool) {
	for _, f := range All {
		if f.ID == id {
			return f, true
		}
	}
	return Info{}, false
}
