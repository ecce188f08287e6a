package open

import (
	"context"
	"errors"
	"strings"

	"golang.org/x/sys/windows"
	"golang.org/x/sys/windows/registry"

	"github.com/clearance-app/clearance/platform/browser"
)

// openURL hands the page to the shell, which starts the default browser.
// Not `cmd /c start`: an & in the URL would end the command there.
func (o *Opener) openURL(_ context.Context, u string) error { return shellOpen(u) }

// openFile opens a document with the program its type is associated with,
// as a double click in Explorer would.
func (o *Opener) openFile(_ context.Context, path string) error { return shellOpen(path) }

// shellOpen runs the shell's "open" verb on a URL or a path.
func shellOpen(target string) error {
	t, err := windows.UTF16PtrFromString(target)
	if err != nil {
		return err
	}
	return windows.ShellExecute(0, windows.StringToUTF16Ptr("open"), t, nil, nil, windows.SW_SHOWNORMAL)
}

// privateWindow starts the program of the default browser's open command
// (from the registry) with its private-window option.
func (o *Opener) privateWindow(ctx context.Context, u string) error {
	d, err := browser.FindDefault(ctx, o.lookup())
	if err != nil {
		return unknownDefault(err)
	}
	return o.launchPrivate(ctx, d, u)
}

// startBrowser runs the browser's program with args.
func (o *Opener) startBrowser(ctx context.Context, d browser.DefaultApp, args []string, what string) error {
	return o.launchCommand(ctx, d, args, what)
}

// findBrowser finds the browser's program where its installer registers
// it for the shell: App Paths, the person's first, then the machine's.
func (o *Opener) findBrowser(name string) (browser.DefaultApp, error) {
	exe := browserApps[name].exe
	if exe == "" {
		return browser.DefaultApp{}, errors.New("no program is known for it")
	}
	for _, root := range []registry.Key{registry.CURRENT_USER, registry.LOCAL_MACHINE} {
		k, err := registry.OpenKey(root, `SOFTWARE\Microsoft\Windows\CurrentVersion\App Paths\`+exe, registry.QUERY_VALUE)
		if err != nil {
			continue
		}
		path, kind, err := k.GetStringValue("")
		k.Close()
		if err != nil {
			continue
		}
		if kind == registry.EXPAND_SZ {
			if s, err := registry.ExpandString(path); err == nil {
				path = s
			}
		}
		if path = strings.Trim(path, `"`); path != "" {
			return browser.DefaultApp{ID: exe, Name: name, Known: true, Command: []string{path}}, nil
		}
	}
	return browser.DefaultApp{}, errors.New(exe + " is not registered under App Paths")
}
