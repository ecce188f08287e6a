package cookies

import (
	"errors"
	"fmt"
	"os"
	"path"
	"runtime"
	"slices"
	"strings"

	"github.com/clearance-app/clearance/platform/browser"
)

// What the tray and `clearance fix clear-site-cookies` share: the stores
// of the browsers a person has, where the backups go, and what happened,
// told for a person.

// StoresFor lists the cookie stores of browsers, one per profile, each
// named as the person knows the browser and asking that browser whether
// it runs (Browser.Running) before it is touched.
func StoresFor(browsers []browser.Browser) []Store {
	var out []Store
	for _, b := range browsers {
		var family string
		switch b.Family {
		case browser.Chromium:
			family = Chromium
		case browser.Firefox:
			family = Firefox
		default:
			continue
		}
		name := browserName(b)
		for _, p := range b.Profiles {
			out = append(out, Store{Browser: name, Family: family, Profile: p.Name, Dir: p.Dir, Running: b.Running})
		}
	}
	return out
}

// browserName tells apart two installs of one browser: its channel when
// it is not the usual one ("Chrome Beta"), and a Flatpak or Snap beside
// a native install ("Chromium (Flatpak)").
func browserName(b browser.Browser) string {
	name := b.Name
	switch b.Channel {
	case "", "stable", "esr", "extended":
	default:
		name += " " + strings.ToUpper(b.Channel[:1]) + b.Channel[1:]
	}
	switch b.Install {
	case browser.Flatpak:
		name += " (Flatpak)"
	case browser.Snap:
		name += " (Snap)"
	}
	return name
}

// ErrNoHome is BackupRoot's error when the person's home folder is not
// known.
var ErrNoHome = errors.New("could not find your home folder, where Clearance keeps its backup of your cookies")

// BackupRoot is the folder Clear keeps its backups in and Undo reads:
// cookie-backups in the person's own Clearance data folder, never a
// shared one, since a backup holds every cookie of a profile.
func BackupRoot() (string, error) {
	home, _ := os.UserHomeDir()
	return backupRoot(runtime.GOOS, os.Getenv, home)
}

// backupRoot is BackupRoot on goos, for the environment and home given,
// so that every OS's answer is tested everywhere: $XDG_DATA_HOME (default
// ~/.local/share)/clearance on Linux and the BSDs (XDG Base Directory
// Specification: a relative value is ignored), ~/Library/Application
// Support/Clearance on macOS, %LOCALAPPDATA%\Clearance on Windows (not
// the roaming profile: backups are of this computer's browsers).
func backupRoot(goos string, getenv func(string) string, home string) (string, error) {
	switch goos {
	case "windows":
		local := getenv("LOCALAPPDATA")
		if !windowsAbs(local) {
			if !windowsAbs(home) {
				return "", ErrNoHome
			}
			local = strings.TrimRight(home, `\/`) + `\AppData\Local`
		}
		return strings.TrimRight(local, `\/`) + `\Clearance\cookie-backups`, nil
	case "darwin":
		if !path.IsAbs(home) {
			return "", ErrNoHome
		}
		return path.Join(home, "Library/Application Support/Clearance/cookie-backups"), nil
	}
	data := getenv("XDG_DATA_HOME")
	if !path.IsAbs(data) {
		if !path.IsAbs(home) {
			return "", ErrNoHome
		}
		data = path.Join(home, ".local/share")
	}
	return path.Join(data, "clearance/cookie-backups"), nil
}

// windowsAbs reports whether p is an absolute Windows path: a drive
// letter and a separator, or a UNC path.
func windowsAbs(p string) bool {
	if strings.HasPrefix(p, `\\`) {
		return len(p) > 2
	}
	return len(p) >= 3 && p[1] == ':' && (p[2] == '\\' || p[2] == '/') &&
		('a' <= p[0] && p[0] <= 'z' || 'A' <= p[0] && p[0] <= 'Z')
}

// Refused says whether r's store was left alone for a reason the person
// must act on: an error, or its browser running. A profile without
// cookies to clear, or without a backup to restore, needed nothing.
func (r Result) Refused() bool { return r.Err != nil || r.Running }

// Done says whether r's store was changed (or, in a dry run, would be):
// cookies removed from it, or its backup put back.
func (r Result) Done(undo bool) bool {
	if r.Refused() || r.Skipped != "" {
		return false
	}
	return undo || r.Removed > 0
}

// safariAdvice is for macOS, whose Safari keeps its cookies in a binary
// file of its own that Clearance does not edit.
const safariAdvice = "Safari's cookies are not edited: open Safari's Settings, Privacy, Manage Website Data, and remove openai.com and chatgpt.com."

// Describe tells a person what Clear did (Undo, with undo; what either
// would do, with dryRun): a first line that sums it up, then one line per
// profile changed — with the count and hosts of the cookies removed — one
// per browser to close, and one per profile that failed, saying why. On
// macOS it ends with what to do for Safari.
func Describe(results []Result, undo, dryRun bool) string {
	return describe(results, undo, dryRun, runtime.GOOS)
}

func describe(results []Result, undo, dryRun bool, goos string) string {
	var (
		details, failures []string
		running           []string // browsers to close, once each
		removed, changed  int
	)
	for _, r := range results {
		where := fmt.Sprintf("%s, profile “%s”", r.Store.Browser, r.Store.Profile)
		switch {
		case r.Err != nil:
			failures = append(failures, where+": "+r.Err.Error())
		case r.Running:
			if !slices.Contains(running, r.Store.Browser) {
				running = append(running, r.Store.Browser)
			}
		case !r.Done(undo):
		case undo:
			changed++
			details = append(details, where+": "+pick(dryRun, "would be put back.", "put back."))
		default:
			changed++
			removed += r.Removed
			details = append(details, fmt.Sprintf("%s: %s (%s).", where,
				plural(r.Removed, pick(dryRun, "cookie would go", "cookie removed"), pick(dryRun, "cookies would go", "cookies removed")),
				strings.Join(r.Hosts, ", ")))
		}
	}
	trouble := len(running)+len(failures) > 0
	var summary string
	switch {
	case len(results) == 0:
		summary = "No Chrome, Chromium, Edge, Brave, Vivaldi, Opera or Firefox profile was found for you."
	case undo && changed > 0 && dryRun:
		summary = fmt.Sprintf("Would put back the cookies of %s as they were before Clearance cleared them; the cookies set since then would be replaced.", plural(changed, "profile", "profiles"))
	case undo && changed > 0:
		summary = fmt.Sprintf("Put back the cookies of %s as they were before Clearance cleared them; the cookies set since then were replaced.", plural(changed, "profile", "profiles"))
	case undo && trouble:
		summary = "No cookies were put back."
	case undo:
		summary = "There were no cleared cookies to put back."
	case changed > 0 && dryRun:
		summary = fmt.Sprintf("Would remove %s from %s.", plural(removed, "ChatGPT cookie", "ChatGPT cookies"), plural(changed, "profile", "profiles"))
	case changed > 0:
		summary = fmt.Sprintf("Removed %s from %s, keeping a backup for a week: sign in to ChatGPT again.", plural(removed, "ChatGPT cookie", "ChatGPT cookies"), plural(changed, "profile", "profiles"))
	case trouble:
		summary = "No ChatGPT cookies were removed."
	default:
		summary = "There were no ChatGPT cookies to remove."
	}
	lines := append([]string{summary}, details...)
	for _, b := range running {
		if undo {
			lines = append(lines, fmt.Sprintf("%s is running, so its cookies were not put back: close %s, then try again.", b, b))
		} else {
			lines = append(lines, fmt.Sprintf("%s is running, so its cookies were left alone: close %s, then try again.", b, b))
		}
	}
	lines = append(lines, failures...)
	if goos == "darwin" && !undo {
		lines = append(lines, safariAdvice)
	}
	return strings.Join(lines, "\n")
}

func pick(cond bool, yes, no string) string {
	if cond {
		return yes
	}
	return no
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
