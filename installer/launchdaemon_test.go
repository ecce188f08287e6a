package installer

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/clearance-app/clearance/platform"
)

// The agent's LaunchDaemon is the hand-written file, for a path and a
// configuration that need escaping; it parses as a plist and says what
// launchd needs: the label, the program and its arguments, the marker and
// macOS's PATH (even when rendered on Linux), started at boot and kept
// alive, its output where serviceLogFiles looks.
func TestLaunchDaemonPlist(t *testing.T) {
	exe := "/Applications/Clearance & Co/clearance"
	o := Options{Executable: exe, ConfigPath: "/Library/Application Support/Clearance/o'brien <test>.toml"}
	got := launchDaemonPlist(o)
	if want := readTestdata(t, "clearance.plist"); got != want {
		t.Errorf("launchDaemonPlist:\n%s\nwant:\n%s", got, want)
	}
	// kardianos/service runs its template engine over the text: with no
	// action in it, the engine copies it unchanged.
	if strings.Contains(got, "{{") {
		t.Error("the plist holds {{, which kardianos/service would take for a template action")
	}
	xmllintPlist(t, got)
	p := decodePlist(t, got)
	if p["Label"] != ServiceName {
		t.Errorf("Label %v, want %s", p["Label"], ServiceName)
	}
	args, _ := p["ProgramArguments"].([]any)
	if want := []any{exe, "agent", "--config", o.ConfigPath}; !slices.Equal(args, want) {
		t.Errorf("ProgramArguments %q, want %q", args, want)
	}
	env, _ := p["EnvironmentVariables"].(map[string]any)
	if env[markerEnv] != "1" || env["PATH"] != "/usr/bin:/bin:/usr/sbin:/sbin" || len(env) != 2 {
		t.Errorf("EnvironmentVariables %v, want the marker and launchd's default PATH", env)
	}
	for k, want := range map[string]any{
		"RunAtLoad": true, "KeepAlive": true, "Disabled": false,
		"StandardOutPath": launchDaemonOutLog, "StandardErrorPath": launchDaemonErrLog,
	} {
		if p[k] != want {
			t.Errorf("%s = %v, want %v", k, p[k], want)
		}
	}
}

// Install replaces a registration that runs another binary or
// configuration (registrationRuns): it must recognize its own plist,
// whatever the path holds, or it would register again at every install.
func TestLaunchDaemonPlistIsRecognized(t *testing.T) {
	for _, c := range []struct{ exe, config string }{
		{MacAppExecutable, ""},
		{"/Applications/Clearance & Co/clearance", ""},
		{`/Users/o'brien/"bin"/clearance`, "/etc/clearance/<my>.toml"},
	} {
		reg := launchDaemonPlist(Options{Executable: c.exe, ConfigPath: c.config})
		if !registrationRuns(reg, c.exe, c.config) {
			t.Errorf("the plist for %q, %q is not recognized as running them:\n%s", c.exe, c.config, reg)
		}
		if registrationRuns(reg, c.exe+"2", c.config) {
			t.Errorf("the plist for %q is taken for one running %q", c.exe, c.exe+"2")
		}
	}
}

// The macOS package carries the files `clearance install` writes for the
// binary inside the app: the daemon's plist and the tray's LaunchAgent,
// where launchd reads them, readable by all and writable by root only
// (launchd ignores a plist others can write).
func TestMacPackageFiles(t *testing.T) {
	files := MacPackageFiles()
	want := map[string]string{
		"/Library/LaunchDaemons/clearance.plist":         launchDaemonPlist(Options{Executable: MacAppExecutable}),
		"/Library/LaunchAgents/app.clearance.tray.plist": launchAgentPlist(MacAppExecutable),
	}
	if len(files) != len(want) {
		t.Fatalf("%d files, want %d: %v", len(files), len(want), files)
	}
	for _, f := range files {
		w, ok := want[f.Path]
		if !ok {
			t.Errorf("unexpected file %s", f.Path)
			continue
		}
		if f.Content != w {
			t.Errorf("%s differs from what clearance install writes:\n%s\nwant:\n%s", f.Path, f.Content, w)
		}
		if f.Mode != 0o644 {
			t.Errorf("%s has mode %v, want 0644", f.Path, f.Mode)
		}
		xmllintPlist(t, f.Content)
		p := decodePlist(t, f.Content)
		if args, _ := p["ProgramArguments"].([]any); len(args) == 0 || args[0] != MacAppExecutable {
			t.Errorf("%s runs %v, want %s", f.Path, args, MacAppExecutable)
		}
	}
}

// The package's receipt decides: pkgutil exits 0 with one, 1 without; a
// pkgutil that cannot run leaves `clearance uninstall` working. Refused,
// Install and Uninstall name the script that removes the package.
func TestMacPackagedBy(t *testing.T) {
	for _, c := range []struct {
		name string
		err  error
		want bool
	}{
		{"receipt", nil, true},
		{"no receipt", &platform.ExitError{Argv: []string{"pkgutil"}, Code: 1, Stderr: "No receipt for 'app.clearance.pkg' found at '/'."}, false},
		{"no pkgutil", notFound("pkgutil"), false},
	} {
		run := &fakeRunner{t: t, ev: &events{}, want: []call{{argv: "pkgutil --pkg-info app.clearance.pkg", err: c.err}}}
		p := macPackagedBy(context.Background(), run, "uninstall")
		run.done()
		if (p != nil) != c.want {
			t.Errorf("%s: packaged %v, want %v", c.name, p, c.want)
		}
		if p != nil && !strings.Contains(p.Error(), "sudo "+MacUninstallScript) {
			t.Errorf("%s: %q does not say what to run", c.name, p.Error())
		}
	}
}
