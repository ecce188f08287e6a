package browser

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/clearance-app/clearance/platform"
)

// DefaultApp is the browser the desktop opens web pages with.
type DefaultApp struct {
	// ID is how the desktop names it: a desktop file ID (Linux and the
	// BSDs), a ProgId (Windows), a bundle ID (macOS).
	ID string
	// Name is Browser.Name when Known ("Firefox"); otherwise the desktop's
	// own name for it ("Web", "launcher", "Safari").
	Name  string
	Known bool
	// Install is Flatpak or Snap when its command says so, else "".
	Install string
	// Command starts it: its desktop entry's Exec without field codes
	// (Linux and the BSDs), or the program of its open command without
	// arguments (Windows); nil on macOS, where it is opened by bundle ID.
	Command []string
}

// Lookup says where FindDefault looks. The zero value asks the real
// system.
type Lookup struct {
	Run platform.Runner // nil: platform.System
	// DataDirs are the XDG data directories whose applications/
	// subdirectories hold .desktop files, most important first (Linux and
	// the BSDs). Nil: those of the environment.
	DataDirs []string
}

// FindDefault asks the desktop which browser is the default: xdg-settings
// (else the https scheme handler in the MIME database) and that browser's
// desktop file on Linux and the BSDs, the user's UserChoice in the
// registry on Windows, LaunchServices on macOS. Per OS: default_xdg.go,
// default_windows.go, default_darwin.go.
func FindDefault(ctx context.Context, l Lookup) (DefaultApp, error) { return findDefault(ctx, l) }

// xdgDefault is the freedesktop.org way, untagged so that every OS tests
// it: the desktop file ID from xdg-utils, then that file's Exec.
func xdgDefault(ctx context.Context, run platform.Runner, dirs []string) (DefaultApp, error) {
	id, err := defaultDesktopID(ctx, run)
	if err != nil {
		return DefaultApp{}, err
	}
	path, err := findDesktopFile(id, dirs)
	if err != nil {
		return DefaultApp{}, err
	}
	data, err := readFile(path, maxSmall)
	if err != nil {
		return DefaultApp{}, err
	}
	entry := parseDesktopEntry(data)
	argv, err := parseExec(entry["Exec"])
	if err != nil {
		return DefaultApp{}, fmt.Errorf("%s: %w", path, err)
	}
	d := DefaultApp{ID: id, Command: argv}
	d.Name, d.Install, d.Known = execBrowser(argv, id)
	if !d.Known {
		d.Name = entry["Name"]
		if d.Name == "" {
			d.Name = strings.TrimSuffix(id, ".desktop")
		}
	}
	return d, nil
}

// defaultDesktopID asks xdg-utils for the default browser's desktop file
// ID: xdg-settings first (it knows each desktop's own setting), then the
// https scheme handler from the MIME database.
func defaultDesktopID(ctx context.Context, run platform.Runner) (string, error) {
	out, err := run.Run(ctx, "xdg-settings", "get", "default-web-browser")
	if id, ok := parseDesktopID(out); err == nil && ok {
		return id, nil
	}
	out, err2 := run.Run(ctx, "xdg-mime", "query", "default", "x-scheme-handler/https")
	if id, ok := parseDesktopID(out); err2 == nil && ok {
		return id, nil
	}
	if err == nil {
		err = errors.New("xdg-settings names no default browser")
	}
	return "", err
}
