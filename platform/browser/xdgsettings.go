package browser

import "strings"

// parseDesktopID reads the desktop file ID that `xdg-settings get
// default-web-browser` and `xdg-mime query default` print (e.g.
// "firefox-esr.desktop"); ok is false when they print none.
func parseDesktopID(out []byte) (string, bool) {
	line, _, _ := strings.Cut(strings.TrimSpace(string(out)), "\n")
	line = strings.TrimSpace(line)
	if !strings.HasSuffix(line, ".desktop") || strings.ContainsAny(line, " /\\") {
		return "", false
	}
	return line, true
}
