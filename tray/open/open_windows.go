package open

import (
	"context"

	"golang.org/x/sys/windows"

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
