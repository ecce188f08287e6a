package open

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/clearance-app/clearance/platform/browser"
)

// privateOptions are the options that open their argument in a private
// window, by browser (browser.Browser's Name). Firefox takes the URL as
// the option's argument (manpages.ubuntu.com, firefox(1):
// --private-window URL).
var privateOptions = map[string]string{
	"Chrome":   "--incognito",
	"Chromium": "--incognito",
	"Brave":    "--incognito",
	"Edge":     "--inprivate",
	"Firefox":  "--private-window",
}

// privateArgs are the arguments that open url in a private window of the
// default browser d; ok is false for a browser without a known option.
func privateArgs(d browser.DefaultApp, url string) (args []string, ok bool) {
	opt, ok := privateOptions[d.Name]
	if !d.Known || !ok {
		return nil, false
	}
	return []string{opt, url}, true
}

// lookup is where the desktop's default browser is looked for.
func (o *Opener) lookup() browser.Lookup {
	return browser.Lookup{Run: o.Run, DataDirs: o.DataDirs}
}

// launchPrivate runs the default browser's own command (its desktop
// entry's, or its open command's program on Windows) with its
// private-window option.
func (o *Opener) launchPrivate(ctx context.Context, d browser.DefaultApp, u string) error {
	args, ok := privateArgs(d, u)
	if !ok {
		return &NoPrivateWindowError{Browser: d.Name}
	}
	return o.launchCommand(ctx, d, args, "a private window")
}

// launchCommand runs a browser's own command with args: d's desktop
// entry's command (Linux and the BSDs), or its program (Windows). what
// names what it opens, for the error.
func (o *Opener) launchCommand(ctx context.Context, d browser.DefaultApp, args []string, what string) error {
	if len(d.Command) == 0 {
		return unknownDefault(fmt.Errorf("no command starts %s", d.Name))
	}
	argv := append(append([]string{}, d.Command...), args...)
	if err := o.Launch.Start(ctx, argv[0], argv[1:]...); err != nil {
		return fmt.Errorf("could not open %s of %s: %w", what, d.Name, err)
	}
	return nil
}

// macPrivateWindow opens a private window of the default browser by its
// bundle ID.
func (o *Opener) macPrivateWindow(ctx context.Context, d browser.DefaultApp, u string) error {
	args, ok := privateArgs(d, u)
	if !ok {
		return &NoPrivateWindowError{Browser: d.Name}
	}
	return o.macLaunch(ctx, d, args, "a private window")
}

// macLaunch starts the macOS browser d (by its bundle ID) with args.
func (o *Opener) macLaunch(ctx context.Context, d browser.DefaultApp, args []string, what string) error {
	var argv []string
	if bin := o.firefoxBinary(); d.Name == "Firefox" && bin != "" {
		// `open -a Firefox --args --private-window URL` has been reported
		// to open an empty private window; the binary itself does not.
		argv = append([]string{bin}, args...)
	} else {
		// -n: a new instance, which hands the URL to the running browser.
		argv = append([]string{"open", "-n", "-b", d.ID, "--args"}, args...)
	}
	if err := o.Launch.Start(ctx, argv[0], argv[1:]...); err != nil {
		return fmt.Errorf("could not open %s of %s: %w", what, d.Name, err)
	}
	return nil
}

func (o *Opener) firefoxBinary() string {
	dirs := o.AppDirs
	if dirs == nil {
		dirs = []string{"/Applications"}
		if home, err := os.UserHomeDir(); err == nil {
			dirs = append(dirs, filepath.Join(home, "Applications"))
		}
	}
	for _, d := range dirs {
		p := filepath.Join(d, "Firefox.app", "Contents", "MacOS", "firefox")
		if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() {
			return p
		}
	}
	return ""
}
