//go:build !windows && !darwin

package open

import (
	"context"
	"errors"
	"os/exec"
	"strings"

	"github.com/clearance-app/clearance/platform/browser"
)

func (o *Opener) openURL(ctx context.Context, u string) error { return o.xdgOpenURL(ctx, u) }

func (o *Opener) openFile(ctx context.Context, path string) error { return o.xdgOpenFile(ctx, path) }

func (o *Opener) privateWindow(ctx context.Context, u string) error {
	return o.xdgPrivateWindow(ctx, u)
}

// startBrowser runs the browser's own command with args.
func (o *Opener) startBrowser(ctx context.Context, d browser.DefaultApp, args []string, what string) error {
	return o.launchCommand(ctx, d, args, what)
}

// findBrowser finds the browser named name among the programs on PATH.
func (o *Opener) findBrowser(name string) (browser.DefaultApp, error) {
	progs := browserApps[name].programs
	for _, p := range progs {
		if path, err := exec.LookPath(p); err == nil {
			return browser.DefaultApp{ID: p, Name: name, Known: true, Command: []string{path}}, nil
		}
	}
	if len(progs) == 0 {
		return browser.DefaultApp{}, errors.New("no program is known for it")
	}
	return browser.DefaultApp{}, errors.New("no " + strings.Join(progs, " or ") + " on PATH")
}
