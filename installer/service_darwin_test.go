package installer

import (
	"context"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/clearance-app/clearance/platform"
)

// clearance install hands kardianos/service the plist the macOS package
// carries, as its LaunchdConfig template, so a packaged and an installed
// Clearance are registered alike. Compiled for macOS only (GOOS=darwin go
// vet); the plist itself is tested everywhere (launchdaemon_test.go).
func TestInstallUsesThePackagesLaunchDaemon(t *testing.T) {
	o := Options{Executable: MacAppExecutable}
	got, _ := serviceConfig(o).Option["LaunchdConfig"].(string)
	var want string
	for _, f := range MacPackageFiles() {
		if f.Path == registrationFile("darwin-launchd") {
			want = f.Content
		}
	}
	if want == "" || got != want {
		t.Errorf("clearance install's launchd plist:\n%s\nthe package's:\n%s", got, want)
	}
	o.ConfigPath = "/etc/clearance/other.toml"
	if got, _ := serviceConfig(o).Option["LaunchdConfig"].(string); !strings.Contains(got, "<string>--config</string>\n\t\t<string>"+o.ConfigPath+"</string>\n") {
		t.Errorf("with a configuration file, clearance install registers:\n%s", got)
	}
}

// packagedBy agrees with the receipts macOS lists.
func TestPackagedByAgreesWithPkgutil(t *testing.T) {
	out, err := exec.Command("/usr/sbin/pkgutil", "--pkgs").Output()
	if err != nil {
		t.Fatalf("pkgutil --pkgs: %v", err)
	}
	listed := slices.Contains(strings.Fields(string(out)), MacPackageID)
	if p := packagedBy(context.Background(), platform.System, "uninstall"); (p != nil) != listed {
		t.Errorf("packagedBy says %v, pkgutil --pkgs lists %s: %v", p, MacPackageID, listed)
	}
}
