package proxy

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"

	"github.com/clearance-app/clearance/platform"
)

// The freedesktop sources (GNOME, KDE) are read by plain functions, untagged,
// so that every OS's tests exercise them; proxy_linux.go wires them in.

// desktopProxySettings reads GNOME's and KDE's proxy settings. Each source
// that cannot be read is joined into the error; the others still count.
func desktopProxySettings(ctx context.Context, run platform.Runner, getenv func(string) string) ([]Setting, error) {
	var (
		all  []Setting
		errs []error
	)
	if s, err := gnomeProxy(ctx, run); err != nil {
		errs = append(errs, err)
	} else {
		all = append(all, s...)
	}
	if s, err := kdeProxy(getenv); err != nil {
		errs = append(errs, err)
	} else {
		all = append(all, s...)
	}
	return all, errors.Join(errs...)
}

// gnomeProxy asks gsettings for the whole proxy schema in one command. It
// must run as the user: the values live in the user's dconf database.
func gnomeProxy(ctx context.Context, run platform.Runner) ([]Setting, error) {
	out, err := run.Run(ctx, "gsettings", "list-recursively", "org.gnome.system.proxy")
	if errors.Is(err, exec.ErrNotFound) {
		return nil, &SourceError{Source: SourceGNOME, Err: errors.New("gsettings is not installed")}
	}
	if err != nil {
		return nil, &SourceError{Source: SourceGNOME, Err: fmt.Errorf("gsettings failed: %w", err)}
	}
	s, err := ParseGSettingsProxy(out)
	if err != nil {
		return nil, &SourceError{Source: SourceGNOME, Err: err}
	}
	return s, nil
}

// kdeProxy reads kioslaverc from the user's configuration directory. No
// file means KDE sets no proxy for this user.
func kdeProxy(getenv func(string) string) ([]Setting, error) {
	path, err := kioslavercPath(getenv)
	if err != nil {
		return nil, &SourceError{Source: SourceKDE, Err: err}
	}
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return []Setting{{Source: SourceKDE, Mode: ModeNone, Note: "no file " + path}}, nil
	}
	if err != nil {
		return nil, &SourceError{Source: SourceKDE, Err: fmt.Errorf("read %s: %w", path, err)}
	}
	return ParseKioslaverc(data), nil
}

// kioslavercPath follows the XDG base directory rule: $XDG_CONFIG_HOME when
// it is an absolute path, else ~/.config.
func kioslavercPath(getenv func(string) string) (string, error) {
	if d := getenv("XDG_CONFIG_HOME"); filepath.IsAbs(d) {
		return filepath.Join(d, "kioslaverc"), nil
	}
	home := getenv("HOME")
	if home == "" {
		return "", errors.New("neither XDG_CONFIG_HOME nor HOME is set")
	}
	return filepath.Join(home, ".config", "kioslaverc"), nil
}
