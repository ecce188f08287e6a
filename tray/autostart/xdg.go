package autostart

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/clearance-app/clearance/platform"
)

// XDG is autostart by the freedesktop.org Desktop Application Autostart
// Specification (specifications.freedesktop.org/autostart-spec): entries
// in $XDG_CONFIG_DIRS/autostart (machine-wide, the installer's) are
// overridden by one of the same name in $XDG_CONFIG_HOME/autostart
// (the user's), and an entry with Hidden=true means "do not start".
// Untagged, so that every OS tests it; Linux and the BSDs use it.
type XDG struct {
	ConfigHome string   // the user's configuration directory (~/.config)
	ConfigDirs []string // the system's, most important first (/etc/xdg)
}

// XDGFromEnv reads the directories from the environment, with the
// specification's defaults.
func XDGFromEnv() (XDG, error) {
	x := XDG{ConfigHome: os.Getenv("XDG_CONFIG_HOME")}
	if !filepath.IsAbs(x.ConfigHome) {
		home, err := os.UserHomeDir()
		if err != nil {
			return XDG{}, fmt.Errorf("find your home directory: %w", err)
		}
		x.ConfigHome = filepath.Join(home, ".config")
	}
	dirs := os.Getenv("XDG_CONFIG_DIRS")
	if dirs == "" {
		dirs = "/etc/xdg"
	}
	for _, d := range strings.Split(dirs, ":") {
		if filepath.IsAbs(d) {
			x.ConfigDirs = append(x.ConfigDirs, d)
		}
	}
	return x, nil
}

// UserEntry is the path of the user's entry, the opt-out.
func (x XDG) UserEntry() string { return filepath.Join(x.ConfigHome, "autostart", DesktopFile) }

// systemEntry is the machine-wide entry, or "" when there is none (or an
// administrator hid it).
func (x XDG) systemEntry() (string, error) {
	for _, d := range x.ConfigDirs {
		p := filepath.Join(d, "autostart", DesktopFile)
		data, err := os.ReadFile(p)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return "", fmt.Errorf("read %s: %w", p, err)
		}
		if entryDisabled(data) {
			return "", nil
		}
		return p, nil
	}
	return "", nil
}

// Enabled reports whether the tray starts at login for this user.
func (x XDG) Enabled() (bool, error) {
	sys, err := x.systemEntry()
	if err != nil || sys == "" {
		return false, err
	}
	data, err := os.ReadFile(x.UserEntry())
	if errors.Is(err, fs.ErrNotExist) {
		return true, nil
	}
	if err != nil {
		return false, fmt.Errorf("read %s: %w", x.UserEntry(), err)
	}
	return !entryDisabled(data), nil
}

// optOut is the user's entry that hides the machine-wide one.
const optOut = `[Desktop Entry]
Type=Application
Name=Clearance
Comment=Written by Clearance's tray: you turned off "Start at login". Delete this file to turn it back on.
Hidden=true
`

// SetEnabled writes or removes the user's opt-out entry.
func (x XDG) SetEnabled(on bool) error {
	p := x.UserEntry()
	if !on {
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return fmt.Errorf("create %s: %w", filepath.Dir(p), err)
		}
		return writeFileAtomic(p, []byte(optOut))
	}
	// Only an opt-out is removed: an entry the person wrote themselves
	// that starts the tray is theirs to keep.
	data, err := os.ReadFile(p)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return fmt.Errorf("read %s: %w", p, err)
	case entryDisabled(data):
		if err := os.Remove(p); err != nil {
			return fmt.Errorf("remove %s: %w", p, err)
		}
	}
	sys, err := x.systemEntry()
	if err != nil {
		return err
	}
	if sys == "" {
		return ErrNotInstalled
	}
	return nil
}

// entryDisabled reports whether a desktop entry says not to start:
// Hidden=true (the specification), or X-GNOME-Autostart-enabled=false,
// which GNOME's startup-applications settings write instead.
func entryDisabled(data []byte) bool {
	in := false
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if strings.HasPrefix(line, "[") {
			in = line == "[Desktop Entry]"
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !in || !ok {
			continue
		}
		switch strings.TrimSpace(k) {
		case "Hidden":
			if strings.TrimSpace(v) == "true" {
				return true
			}
		case "X-GNOME-Autostart-enabled":
			if strings.TrimSpace(v) == "false" {
				return true
			}
		}
	}
	return false
}

// writeFileAtomic replaces p with data so that no reader sees half a file,
// durably: the person's choice must survive a power cut.
func writeFileAtomic(p string, data []byte) error {
	if err := platform.WriteFileAtomic(p, data, 0o644, true); err != nil {
		return fmt.Errorf("write %s: %w", p, err)
	}
	return nil
}
