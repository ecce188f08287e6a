//go:build !windows && !darwin

package open

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
)

// What only the desktops of Linux and the BSDs use: the web opener and
// the private window through xdg-open and the default browser's entry.

// xdgOpenURL hands the page to xdg-open, which knows the desktop's default.
func (o *Opener) xdgOpenURL(ctx context.Context, u string) error {
	return o.xdgOpen(ctx, u, "no program to open web pages is set up on this desktop", "the browser did not start")
}

// xdgPrivateWindow runs the default browser's own command line, from its
// desktop file, with its private-window option.
func (o *Opener) xdgPrivateWindow(ctx context.Context, u string) error {
	id, err := o.defaultDesktopID(ctx)
	if err != nil {
		return unknownDefault(err)
	}
	dirs := o.DataDirs
	if dirs == nil {
		home, _ := os.UserHomeDir()
		dirs = xdgDataDirs(os.Getenv, home)
	}
	path, err := findDesktopFile(id, dirs)
	if err != nil {
		return unknownDefault(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return unknownDefault(err)
	}
	entry := parseDesktopEntry(data)
	argv, err := parseExec(entry["Exec"])
	if err != nil {
		return unknownDefault(fmt.Errorf("%s: %w", path, err))
	}
	b, ok := execBrowser(argv, id)
	if !ok {
		name := entry["Name"]
		if name == "" {
			name = strings.TrimSuffix(id, ".desktop")
		}
		return &NoPrivateWindowError{Browser: name}
	}
	argv = append(argv, privateArgs(b, u)...)
	if err := o.Launch.Start(ctx, argv[0], argv[1:]...); err != nil {
		return fmt.Errorf("could not open a private window of %s: %w", b.Name, err)
	}
	return nil
}

// defaultDesktopID asks xdg-utils for the default browser's desktop file
// ID: xdg-settings first (it knows each desktop's own setting), then the
// https scheme handler from the MIME database.
func (o *Opener) defaultDesktopID(ctx context.Context) (string, error) {
	out, err := o.Run.Run(ctx, "xdg-settings", "get", "default-web-browser")
	if id, ok := parseDesktopID(out); err == nil && ok {
		return id, nil
	}
	out, err2 := o.Run.Run(ctx, "xdg-mime", "query", "default", "x-scheme-handler/https")
	if id, ok := parseDesktopID(out); err2 == nil && ok {
		return id, nil
	}
	if err == nil {
		err = errors.New("xdg-settings names no default browser")
	}
	return "", err
}
