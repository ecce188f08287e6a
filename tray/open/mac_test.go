package open

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/clearance-app/clearance/internal/winegap"
	"github.com/clearance-app/clearance/platform/browser"
)

// Which browser LaunchServices names is platform/browser's to find (its
// tests read the recorded answers); here, what is started for it.
func TestMacPrivateWindow(t *testing.T) {
	noApps := []string{filepath.Join(winegap.TempDir(t), "Applications")}
	chrome := browser.DefaultApp{ID: "com.google.chrome", Name: "Chrome", Known: true}
	firefox := browser.DefaultApp{ID: "org.mozilla.firefox", Name: "Firefox", Known: true}
	for _, tc := range []struct {
		name    string
		d       browser.DefaultApp
		appDirs func(t *testing.T) []string
		want    []string
		noPriv  string // the browser named by NoPrivateWindowError
	}{
		{
			name: "Chrome is the default",
			d:    chrome,
			want: []string{"open", "-n", "-b", "com.google.chrome", "--args", "--incognito", page},
		},
		{
			name: "Firefox, not found in the application folders",
			d:    firefox,
			want: []string{"open", "-n", "-b", "org.mozilla.firefox", "--args", "--private-window", page},
		},
		{
			name: "Firefox, run from inside its bundle",
			d:    firefox,
			appDirs: func(t *testing.T) []string {
				dir := winegap.TempDir(t)
				bin := filepath.Join(dir, "Firefox.app", "Contents", "MacOS", "firefox")
				if err := os.MkdirAll(filepath.Dir(bin), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(bin, nil, 0o755); err != nil {
					t.Fatal(err)
				}
				return []string{noApps[0], dir}
			},
			want: nil, // filled below: the binary's path
		},
		{
			name:   "Safari",
			d:      browser.DefaultApp{ID: "com.apple.safari", Name: "Safari"},
			noPriv: "Safari",
		},
		{
			name:   "a browser without a known private-window option",
			d:      browser.DefaultApp{ID: "com.operasoftware.opera", Name: "Opera", Known: true},
			noPriv: "Opera",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dirs := noApps
			if tc.appDirs != nil {
				dirs = tc.appDirs(t)
			}
			want := tc.want
			if tc.appDirs != nil {
				want = []string{filepath.Join(dirs[1], "Firefox.app", "Contents", "MacOS", "firefox"), "--private-window", page}
			}
			launch := &fakeLauncher{}
			o := &Opener{Run: &fakeRunner{t: t}, Launch: launch, AppDirs: dirs}
			err := o.macPrivateWindow(context.Background(), tc.d, page)
			if tc.noPriv != "" {
				var npe *NoPrivateWindowError
				if !errors.As(err, &npe) || npe.Browser != tc.noPriv || len(launch.launched) != 0 {
					t.Errorf("err %v, launched %q; want no private window for %s", err, launch.launched, tc.noPriv)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(launch.launched) != 1 || !slices.Equal(launch.launched[0], want) {
				t.Errorf("launched %q, want %q", launch.launched, want)
			}
		})
	}
}

// On Windows the default browser's program comes with no arguments of its
// own: Edge's --single-argument would take --inprivate as part of the
// address (platform/browser's windowsDefault drops them).
func TestLaunchPrivateWindows(t *testing.T) {
	launch := &fakeLauncher{}
	o := &Opener{Launch: launch}
	edge := `C:\Program Files (x86)\Microsoft\Edge\Application\msedge.exe`
	d := browser.DefaultApp{ID: "MSEdgeHTM", Name: "Edge", Known: true, Command: []string{edge}}
	if err := o.launchPrivate(context.Background(), d, page); err != nil {
		t.Fatal(err)
	}
	if want := []string{edge, "--inprivate", page}; len(launch.launched) != 1 || !slices.Equal(launch.launched[0], want) {
		t.Errorf("launched %q, want %q", launch.launched, want)
	}
	opera := browser.DefaultApp{ID: "OperaStable", Name: "launcher", Command: []string{`C:\Users\ann\AppData\Local\Programs\Opera\launcher.exe`}}
	if err := o.launchPrivate(context.Background(), opera, page); !errors.Is(err, ErrNoPrivateWindow) || !strings.Contains(err.Error(), "(launcher)") {
		t.Errorf("Opera: %v", err)
	}
	if err := o.launchPrivate(context.Background(), browser.DefaultApp{Name: "Edge", Known: true}, page); err == nil || !strings.Contains(err.Error(), "could not tell") {
		t.Errorf("no command: %v", err)
	}
	if len(launch.launched) != 1 {
		t.Errorf("launched %q for refused defaults", launch.launched)
	}
}
