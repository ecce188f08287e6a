package browser

import (
	"path"
	"strings"
)

// place is where one browser may keep its data. The lists below are pure
// functions of the home and the environment, one per OS, untagged so that
// every OS tests all of them; locate_*.go picks this OS's.
type place struct {
	Name    string
	Family  Family
	Install string
	Channel string
	DataDir string
	// Programs are the installed program files whose modification time
	// dates the build when the profile records none; the first found wins.
	Programs []string
}

// chromiumApp is a Chromium-family browser's folder names on each OS and
// its Flatpak and Snap IDs.
type chromiumApp struct {
	name    string
	channel string
	linux   string   // under $XDG_CONFIG_HOME
	flatpak string   // Flatpak app ID; "" if none
	snap    string   // Snap name; "" if none
	windows string   // under %LOCALAPPDATA%, the user-data dir
	darwin  string   // under ~/Library/Application Support
	progs   []string // Linux programs
	winProg string   // under Program Files (both) and %LOCALAPPDATA%
	macApp  string   // the .app in /Applications or ~/Applications
}

// The folders are the browsers' defaults (yt-dlp, yt_dlp/cookies.py,
// _get_chromium_based_browser_settings; the vendors' Linux packages for
// the programs). Channels other than stable keep their own folders.
var chromiumApps = []chromiumApp{
	{name: "Chrome", channel: "stable", linux: "google-chrome", flatpak: "com.google.Chrome",
		windows: `Google\Chrome\User Data`, darwin: "Google/Chrome",
		progs: []string{"/opt/google/chrome/chrome"}, winProg: `Google\Chrome\Application\chrome.exe`, macApp: "Google Chrome.app"},
	{name: "Chrome", channel: "beta", linux: "google-chrome-beta",
		windows: `Google\Chrome Beta\User Data`, darwin: "Google/Chrome Beta",
		progs: []string{"/opt/google/chrome-beta/chrome"}, winProg: `Google\Chrome Beta\Application\chrome.exe`, macApp: "Google Chrome Beta.app"},
	{name: "Chrome", channel: "dev", linux: "google-chrome-unstable",
		windows: `Google\Chrome Dev\User Data`, darwin: "Google/Chrome Dev",
		progs: []string{"/opt/google/chrome-unstable/chrome"}, winProg: `Google\Chrome Dev\Application\chrome.exe`, macApp: "Google Chrome Dev.app"},
	{name: "Chrome", channel: "canary", windows: `Google\Chrome SxS\User Data`, darwin: "Google/Chrome Canary",
		winProg: `Google\Chrome SxS\Application\chrome.exe`, macApp: "Google Chrome Canary.app"},
	{name: "Chromium", channel: "stable", linux: "chromium", flatpak: "org.chromium.Chromium", snap: "chromium",
		windows: `Chromium\User Data`, darwin: "Chromium",
		progs:   []string{"/usr/lib/chromium/chromium", "/usr/lib/chromium-browser/chromium-browser", "/usr/lib64/chromium-browser/chromium-browser", "/snap/chromium/current/usr/lib/chromium-browser/chrome"},
		winProg: `Chromium\Application\chrome.exe`, macApp: "Chromium.app"},
	{name: "Edge", channel: "stable", linux: "microsoft-edge", flatpak: "com.microsoft.Edge",
		windows: `Microsoft\Edge\User Data`, darwin: "Microsoft Edge",
		progs: []string{"/opt/microsoft/msedge/msedge"}, winProg: `Microsoft\Edge\Application\msedge.exe`, macApp: "Microsoft Edge.app"},
	{name: "Edge", channel: "beta", linux: "microsoft-edge-beta",
		windows: `Microsoft\Edge Beta\User Data`, darwin: "Microsoft Edge Beta",
		progs: []string{"/opt/microsoft/msedge-beta/msedge"}, winProg: `Microsoft\Edge Beta\Application\msedge.exe`, macApp: "Microsoft Edge Beta.app"},
	{name: "Edge", channel: "dev", linux: "microsoft-edge-dev",
		windows: `Microsoft\Edge Dev\User Data`, darwin: "Microsoft Edge Dev",
		progs: []string{"/opt/microsoft/msedge-dev/msedge"}, winProg: `Microsoft\Edge Dev\Application\msedge.exe`, macApp: "Microsoft Edge Dev.app"},
	{name: "Brave", channel: "stable", linux: "BraveSoftware/Brave-Browser", flatpak: "com.brave.Browser", snap: "brave",
		windows: `BraveSoftware\Brave-Browser\User Data`, darwin: "BraveSoftware/Brave-Browser",
		progs: []string{"/opt/brave.com/brave/brave", "/snap/brave/current/opt/brave.com/brave/brave"}, winProg: `BraveSoftware\Brave-Browser\Application\brave.exe`, macApp: "Brave Browser.app"},
	{name: "Brave", channel: "beta", linux: "BraveSoftware/Brave-Browser-Beta",
		windows: `BraveSoftware\Brave-Browser-Beta\User Data`, darwin: "BraveSoftware/Brave-Browser-Beta",
		progs: []string{"/opt/brave.com/brave-beta/brave"}, macApp: "Brave Browser Beta.app"},
	{name: "Brave", channel: "nightly", linux: "BraveSoftware/Brave-Browser-Nightly",
		windows: `BraveSoftware\Brave-Browser-Nightly\User Data`, darwin: "BraveSoftware/Brave-Browser-Nightly",
		progs: []string{"/opt/brave.com/brave-nightly/brave"}, macApp: "Brave Browser Nightly.app"},
	{name: "Vivaldi", channel: "stable", linux: "vivaldi", flatpak: "com.vivaldi.Vivaldi", snap: "vivaldi",
		windows: `Vivaldi\User Data`, darwin: "Vivaldi",
		progs: []string{"/opt/vivaldi/vivaldi-bin"}, winProg: `Vivaldi\Application\vivaldi.exe`, macApp: "Vivaldi.app"},
	{name: "Vivaldi", channel: "snapshot", linux: "vivaldi-snapshot",
		progs: []string{"/opt/vivaldi-snapshot/vivaldi-bin"}},
	// Opera keeps its data in the user-data dir itself (no Default
	// folder), in %APPDATA% on Windows: see windowsPlaces.
	{name: "Opera", channel: "stable", linux: "opera", flatpak: "com.opera.Opera", snap: "opera",
		darwin: "com.operasoftware.Opera",
		progs:  []string{"/usr/lib/x86_64-linux-gnu/opera/opera", "/usr/lib/opera/opera"}, macApp: "Opera.app"},
	{name: "Opera", channel: "beta", linux: "opera-beta", darwin: "com.operasoftware.OperaNext",
		progs: []string{"/usr/lib/x86_64-linux-gnu/opera-beta/opera-beta"}, macApp: "Opera Beta.app"},
	{name: "Opera", channel: "developer", linux: "opera-developer", darwin: "com.operasoftware.OperaDeveloper",
		progs: []string{"/usr/lib/x86_64-linux-gnu/opera-developer/opera-developer"}, macApp: "Opera Developer.app"},
}

// linuxPlaces lists where browsers keep their data on Linux (and the BSDs):
// natively under $XDG_CONFIG_HOME (default ~/.config), in a Flatpak's
// own home ~/.var/app/<app ID>/config, in a Snap's ~/snap/<name>/common
// or current. Firefox keeps its profiles root in
// $XDG_CONFIG_HOME/mozilla/firefox since version 147 for new installs, in
// ~/.mozilla/firefox before.
func linuxPlaces(home string, getenv func(string) string) []place {
	config := getenv("XDG_CONFIG_HOME")
	if !path.IsAbs(config) {
		config = path.Join(home, ".config")
	}
	var out []place
	for _, a := range chromiumApps {
		if a.linux == "" {
			continue
		}
		out = append(out, place{Name: a.name, Family: Chromium, Install: Native, Channel: a.channel,
			DataDir: path.Join(config, a.linux), Programs: a.progs})
		if a.flatpak != "" {
			out = append(out, place{Name: a.name, Family: Chromium, Install: Flatpak, Channel: a.channel,
				DataDir: path.Join(home, ".var/app", a.flatpak, "config", a.linux)})
		}
		if a.snap != "" {
			// Snapped Chromium keeps its user-data dir in common/; other
			// snaps see $SNAP_USER_DATA (current/) as their home.
			for _, d := range []string{"common/" + a.linux, "common/.config/" + a.linux, "current/.config/" + a.linux} {
				out = append(out, place{Name: a.name, Family: Chromium, Install: Snap, Channel: a.channel,
					DataDir: path.Join(home, "snap", a.snap, d), Programs: snapPrograms(a)})
			}
		}
	}
	ff := func(install, dir string) place {
		return place{Name: "Firefox", Family: Firefox, Install: install, DataDir: dir}
	}
	out = append(out,
		ff(Native, path.Join(config, "mozilla/firefox")),
		ff(Native, path.Join(home, ".mozilla/firefox")),
		ff(Flatpak, path.Join(home, ".var/app/org.mozilla.firefox/config/mozilla/firefox")),
		ff(Flatpak, path.Join(home, ".var/app/org.mozilla.firefox/.mozilla/firefox")),
		ff(Snap, path.Join(home, "snap/firefox/common/.mozilla/firefox")),
		ff(Snap, path.Join(home, "snap/firefox/current/.mozilla/firefox")),
	)
	return out
}

func snapPrograms(a chromiumApp) []string {
	var out []string
	for _, p := range a.progs {
		if strings.HasPrefix(p, "/snap/") {
			out = append(out, p)
		}
	}
	return out
}

// windowsPlaces lists where browsers keep their data on Windows: the
// Chromium family in %LOCALAPPDATA% (default <home>\AppData\Local),
// Opera and Firefox in %APPDATA% (default <home>\AppData\Roaming), and
// Firefox from the Microsoft Store in its package's folder.
func windowsPlaces(home string, getenv func(string) string) []place {
	local := getenv("LOCALAPPDATA")
	if !isWindowsAbs(local) {
		local = winJoin(home, `AppData\Local`)
	}
	roaming := getenv("APPDATA")
	if !isWindowsAbs(roaming) {
		roaming = winJoin(home, `AppData\Roaming`)
	}
	var progDirs []string
	for _, v := range []string{"ProgramFiles", "ProgramFiles(x86)"} {
		if d := getenv(v); isWindowsAbs(d) {
			progDirs = append(progDirs, d)
		}
	}
	progDirs = append(progDirs, local)
	var out []place
	for _, a := range chromiumApps {
		if a.windows == "" {
			continue
		}
		p := place{Name: a.name, Family: Chromium, Install: Native, Channel: a.channel, DataDir: winJoin(local, a.windows)}
		if a.winProg != "" {
			for _, d := range progDirs {
				p.Programs = append(p.Programs, winJoin(d, a.winProg))
			}
		}
		out = append(out, p)
	}
	out = append(out,
		place{Name: "Opera", Family: Chromium, Install: Native, Channel: "stable", DataDir: winJoin(roaming, `Opera Software\Opera Stable`),
			Programs: []string{winJoin(local, `Programs\Opera\opera.exe`)}},
		place{Name: "Firefox", Family: Firefox, Install: Native, DataDir: winJoin(roaming, `Mozilla\Firefox`)},
		place{Name: "Firefox", Family: Firefox, Install: Native, DataDir: winJoin(local, `Packages\Mozilla.Firefox_n80bbvh6b1yt2\LocalCache\Roaming\Mozilla\Firefox`)},
	)
	return out
}

// darwinPlaces lists where browsers keep their data on macOS: under
// ~/Library/Application Support.
func darwinPlaces(home string) []place {
	support := path.Join(home, "Library/Application Support")
	var out []place
	for _, a := range chromiumApps {
		if a.darwin == "" {
			continue
		}
		p := place{Name: a.name, Family: Chromium, Install: Native, Channel: a.channel, DataDir: path.Join(support, a.darwin)}
		if a.macApp != "" {
			// Info.plist is rewritten by every update of the bundle.
			p.Programs = []string{
				path.Join("/Applications", a.macApp, "Contents/Info.plist"),
				path.Join(home, "Applications", a.macApp, "Contents/Info.plist"),
			}
		}
		out = append(out, p)
	}
	return append(out, place{Name: "Firefox", Family: Firefox, Install: Native, DataDir: path.Join(support, "Firefox")})
}

// winJoin joins Windows path elements with backslashes, on any OS.
func winJoin(elem ...string) string {
	var parts []string
	for i, e := range elem {
		if i > 0 {
			e = strings.TrimLeft(e, `\/`)
		}
		if i < len(elem)-1 {
			e = strings.TrimRight(e, `\/`)
		}
		if e != "" {
			parts = append(parts, e)
		}
	}
	return strings.Join(parts, `\`)
}

// isWindowsAbs reports whether p is an absolute Windows path: a drive
// letter and a separator, or a UNC path.
func isWindowsAbs(p string) bool {
	if strings.HasPrefix(p, `\\`) {
		return len(p) > 2
	}
	return len(p) >= 3 && p[1] == ':' && (p[2] == '\\' || p[2] == '/') &&
		('a' <= p[0] && p[0] <= 'z' || 'A' <= p[0] && p[0] <= 'Z')
}
