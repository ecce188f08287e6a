package installer

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/clearance-app/clearance/platform"
)

// autostartArgs is what the entries run: `tray --autostart`, with which
// the tray ends at once for a person who switched "Start at login" off.
// That makes the per-user opt-out hold on every OS, even where the OS's
// own per-user switch does not cover a machine-wide entry (Windows'
// StartupApproved for an HKLM Run value is not documented to).
const autostartArgs = "tray --autostart"

// The tray's autostart entries, machine-wide: every person who logs in
// gets the tray; one opts out in their own session (a Hidden=true entry of
// the same name in ~/.config/autostart, the StartupApproved key on Windows,
// `launchctl disable` on macOS).
const (
	desktopEntryPath = "/etc/xdg/autostart/clearance-tray.desktop"
	launchAgentLabel = "app.clearance.tray"
	launchAgentPath  = "/Library/LaunchAgents/" + launchAgentLabel + ".plist"
	runKeyPath       = `Software\Microsoft\Windows\CurrentVersion\Run`
	runValueName     = "Clearance"
)

// autostarter registers the tray to start at login.
type autostarter interface {
	install(root string) (Step, error)
	remove(root string) (Step, error)
}

// desktopEntry is the XDG autostart entry (Desktop Entry Specification
// 1.5) that starts `exe tray` in every desktop session. It has no
// NoDisplay, so that desktops' "startup applications" settings list it and
// a person can switch it off; KDE starts it after the panel, which hosts
// the tray icon.
func desktopEntry(exe string) string {
	return "[Desktop Entry]\n" +
		"Type=Application\n" +
		"Name=Clearance\n" +
		"Comment=Shows whether anything on this computer stands between you and ChatGPT, and fixes it\n" +
		"Exec=" + escapeKeyFile(execArg(exe)+" "+autostartArgs) + "\n" +
		"TryExec=" + escapeKeyFile(exe) + "\n" +
		"Terminal=false\n" +
		"StartupNotify=false\n" +
		"Categories=Network;\n" +
		"X-GNOME-Autostart-enabled=true\n" +
		"X-KDE-autostart-after=panel\n"
}

// execArg quotes one argument of an Exec key as the specification asks:
// inside double quotes when it holds a reserved character, with ", `, $
// and \ escaped by a backslash; and % doubled, since %x is a field code.
func execArg(s string) string {
	s = strings.ReplaceAll(s, "%", "%%")
	if !strings.ContainsAny(s, " \t\n\"'\\><~|&;$*?#()`") {
		return s
	}
	return `"` + strings.NewReplacer(`"`, `\"`, "`", "\\`", `$`, `\$`, `\`, `\\`).Replace(s) + `"`
}

// escapeKeyFile escapes a string value of a desktop file, which is read
// before an Exec line is split into arguments.
func escapeKeyFile(s string) string {
	return strings.NewReplacer(`\`, `\\`, "\n", `\n`, "\t", `\t`, "\r", `\r`).Replace(s)
}

// launchAgentPlist is the macOS LaunchAgent that starts `exe tray` in
// every graphical login (Aqua sessions only, not ssh), and again if it
// crashes — not when the person quits it.
func launchAgentPlist(exe string) string {
	return `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
	<key>Label</key>
	<string>` + launchAgentLabel + `</string>
	<key>ProgramArguments</key>
	<array>
		<string>` + escapeXML(exe) + `</string>
		<string>tray</string>
		<string>--autostart</string>
	</array>
	<key>LimitLoadToSessionType</key>
	<string>Aqua</string>
	<key>ProcessType</key>
	<string>Interactive</string>
	<key>RunAtLoad</key>
	<true/>
	<key>KeepAlive</key>
	<dict>
		<key>SuccessfulExit</key>
		<false/>
	</dict>
</dict>
</plist>
`
}

func escapeXML(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "'", "&apos;").Replace(s)
}

// runKeyValue is the HKLM Run value: the path quoted, since it may hold
// spaces ("C:\Program Files\…"), then the command.
func runKeyValue(exe string) string {
	return `"` + exe + `" ` + autostartArgs
}

// fileEntry is an autostart entry kept in a file.
type fileEntry struct {
	path    string // absolute, before Options.Root
	content string
}

func (e fileEntry) install(root string) (Step, error) {
	p := filepath.Join(root, e.path)
	old, err := os.ReadFile(p)
	if err == nil && string(old) == e.content {
		return Step{Done: "Already set: the tray starts at every login, for everyone (" + e.path + ")"}, nil
	}
	existed := err == nil
	if err := writeFileAtomic(p, []byte(e.content)); err != nil {
		return Step{}, fmt.Errorf("set the tray to start at login: %w", err)
	}
	if existed {
		return Step{Done: "Updated the tray's start at login (" + e.path + ")", Changed: true}, nil
	}
	return Step{Done: "Set the tray to start at every login, for everyone, from the next login on (" + e.path + ")", Changed: true}, nil
}

func (e fileEntry) remove(root string) (Step, error) {
	err := os.Remove(filepath.Join(root, e.path))
	if errors.Is(err, fs.ErrNotExist) {
		return Step{Done: "Nothing to remove: the tray was not set to start at login"}, nil
	}
	if err != nil {
		return Step{}, fmt.Errorf("remove the tray's start at login: %w", err)
	}
	return Step{Done: "Removed the tray's start at login (" + e.path + ")", Changed: true}, nil
}

// writeFileAtomic replaces path with data, readable by all: a desktop
// session reading it meanwhile sees the old file or the new, never half;
// and durably, as a machine is often restarted right after an install.
func writeFileAtomic(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return platform.WriteFileAtomic(path, data, 0o644, true)
}
