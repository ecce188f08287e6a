package open

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const lsRead = "defaults read com.apple.LaunchServices/com.apple.launchservices.secure LSHandlers"

func TestMacPrivateWindow(t *testing.T) {
	noApps := []string{filepath.Join(t.TempDir(), "Applications")}
	for _, tc := range []struct {
		name    string
		answer  fakeAnswer
		appDirs func(t *testing.T) []string
		want    []string
		noPriv  string // the browser named by NoPrivateWindowError
	}{
		{
			name:   "Chrome is the default",
			answer: fakeAnswer{out: string(readFixture(t, "launchservices-chrome.txt"))},
			want:   []string{"open", "-n", "-b", "com.google.chrome", "--args", "--incognito", page},
		},
		{
			name:   "Firefox, not found in the application folders",
			answer: fakeAnswer{out: string(readFixture(t, "launchservices-firefox-http-only.txt"))},
			want:   []string{"open", "-n", "-b", "org.mozilla.firefox", "--args", "--private-window", page},
		},
		{
			name:   "Firefox, run from inside its bundle",
			answer: fakeAnswer{out: string(readFixture(t, "launchservices-firefox-http-only.txt"))},
			appDirs: func(t *testing.T) []string {
				dir := t.TempDir()
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
			name:   "no web handler recorded: Safari",
			answer: fakeAnswer{out: string(readFixture(t, "launchservices-no-browser.txt"))},
			noPriv: "Safari",
		},
		{
			name:   "the domain does not exist: Safari",
			answer: fakeAnswer{code: 1},
			noPriv: "Safari",
		},
		{
			name:   "an unknown browser",
			answer: fakeAnswer{out: "(\n    {\n        LSHandlerRoleAll = \"com.operasoftware.opera\";\n        LSHandlerURLScheme = https;\n    }\n)\n"},
			noPriv: "com.operasoftware.opera",
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
			o := &Opener{Run: &fakeRunner{t: t, answers: map[string]fakeAnswer{lsRead: tc.answer}}, Launch: launch, AppDirs: dirs}
			err := o.macPrivateWindow(context.Background(), page)
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

func TestWindowsPrivateWindow(t *testing.T) {
	launch := &fakeLauncher{}
	o := &Opener{Launch: launch}
	cmd := `"C:\Program Files (x86)\Microsoft\Edge\Application\msedge.exe" --single-argument %1`
	if err := o.windowsPrivateWindow(context.Background(), "MSEdgeHTM", cmd, page); err != nil {
		t.Fatal(err)
	}
	// Edge's own arguments are not passed: --single-argument would take
	// --inprivate as part of the address.
	want := []string{`C:\Program Files (x86)\Microsoft\Edge\Application\msedge.exe`, "--inprivate", page}
	if len(launch.launched) != 1 || !slices.Equal(launch.launched[0], want) {
		t.Errorf("launched %q, want %q", launch.launched, want)
	}

	err := o.windowsPrivateWindow(context.Background(), "OperaStable", `"C:\Users\ann\AppData\Local\Programs\Opera\launcher.exe" -noautoupdate -- "%1"`, page)
	if !errors.Is(err, ErrNoPrivateWindow) || !strings.Contains(err.Error(), "(launcher)") {
		t.Errorf("Opera: %v", err)
	}
	if err := o.windowsPrivateWindow(context.Background(), "Broken", "", page); err == nil || !strings.Contains(err.Error(), "could not tell") {
		t.Errorf("empty command: %v", err)
	}
}
