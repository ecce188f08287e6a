// Package open opens web pages for the person at the desktop: in the
// default browser (URL), in a private window of it (PrivateWindow), the
// test that tells a browser extension or stale site data from a network
// problem, or in a new window of it (NewWindow); a browser's own
// extensions page, where the person turns an extension off
// (ExtensionsPage); and documents the tray wrote, with the desktop's
// program for their type (File). Only web addresses go to the desktop's
// opener; a browser's own pages go to that browser's program. It runs in the user's tray process, never in the
// agent: a browser started by root or SYSTEM would run as them and write
// into the user's profile.
//
// Programs are found through a platform.Runner (reads: which browser is
// the default) and started through a Launcher, which never waits for a
// browser to exit; tests replace both.
package open

import (
	"context"
	"errors"
	"fmt"
	"net/url"

	"github.com/clearance-app/clearance/platform"
)

// Opener opens pages. The zero value is not ready; use Default or fill
// every field.
type Opener struct {
	Run    platform.Runner // asks the system which browser is the default
	Launch Launcher        // starts programs
	// DataDirs are the XDG data directories whose applications/
	// subdirectories hold .desktop files (Linux and the BSDs), most
	// important first. Nil means those of the environment.
	DataDirs []string
	// AppDirs are where macOS applications are looked for. Nil means
	// /Applications and ~/Applications.
	AppDirs []string
}

// Default opens pages with the real system.
var Default = &Opener{Run: platform.System, Launch: ExecLauncher{}}

// URL opens url in the default browser.
func URL(ctx context.Context, url string) error { return Default.URL(ctx, url) }

// PrivateWindow opens url in a private window of the default browser.
func PrivateWindow(ctx context.Context, url string) error { return Default.PrivateWindow(ctx, url) }

// URL opens rawURL in the default browser.
func (o *Opener) URL(ctx context.Context, rawURL string) error {
	u, err := webURL(rawURL)
	if err != nil {
		return err
	}
	if err := o.openURL(ctx, u); err != nil {
		return fmt.Errorf("could not open %s in your browser: %w", u, err)
	}
	return nil
}

// PrivateWindow opens rawURL in a private window of the default browser,
// or says why it cannot (ErrNoPrivateWindow for a browser without a
// known option).
func (o *Opener) PrivateWindow(ctx context.Context, rawURL string) error {
	u, err := webURL(rawURL)
	if err != nil {
		return err
	}
	return o.privateWindow(ctx, u)
}

// webURL accepts only http and https addresses: anything else handed to
// xdg-open or ShellExecute could open a file or run a program, and an
// argument starting with "-" would be read as an option.
func webURL(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("%q is not a web address (http or https)", raw)
	}
	return u.String(), nil
}

// ErrNoPrivateWindow is matched (errors.Is) by the error of a default
// browser that has no known private-window option.
var ErrNoPrivateWindow = errors.New("no known private-window option")

// NoPrivateWindowError names the default browser that has no known
// private-window option.
type NoPrivateWindowError struct{ Browser string }

func (e *NoPrivateWindowError) Error() string {
	return fmt.Sprintf("Your default browser (%s) has no known private-window option: open a private window yourself", e.Browser)
}

func (e *NoPrivateWindowError) Is(target error) bool { return target == ErrNoPrivateWindow }

// unknownDefault is the error when the default browser cannot be found.
func unknownDefault(err error) error {
	return fmt.Errorf("could not tell which browser is your default (%w): open a private window yourself", err)
}
