package installer

import (
	"encoding/xml"
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"
)

// The macOS packaging files (installer/packaging/macos) name what this
// package names: they are shell and plist, so these tests hold them to
// the constants here, and parse them as macOS would.
const macPackaging = "packaging/macos"

// macAppDir is the app bundle, relative to the root of the payload.
var macAppDir = strings.TrimPrefix(path.Dir(path.Dir(path.Dir(MacAppExecutable))), "/")

// The app's Info.plist parses, names the binary and the icon the layout
// puts in the bundle, and is the tray's: the LaunchAgent's label as its
// identifier, no Dock icon (LSUIElement), and Go's own minimum macOS,
// which Go's linker writes into the binary.
func TestMacInfoPlist(t *testing.T) {
	text := readPackaging(t, "Info.plist")
	xmllintPlist(t, text)
	p := decodePlist(t, text)
	for k, want := range map[string]any{
		"CFBundleIdentifier":         launchAgentLabel,
		"CFBundleExecutable":         path.Base(MacAppExecutable),
		"CFBundleIconFile":           "clearance.icns",
		"CFBundlePackageType":        "APPL",
		"CFBundleShortVersionString": "@SHORTVERSION@",
		"CFBundleVersion":            "@PKGVERSION@",
		"LSUIElement":                true,
		"LSMinimumSystemVersion":     "12.0",
	} {
		if p[k] != want {
			t.Errorf("%s = %v, want %v", k, p[k], want)
		}
	}
	if s, _ := p["NSHumanReadableCopyright"].(string); s == "" {
		t.Error("no NSHumanReadableCopyright")
	}
	layout := readPackaging(t, "layout.sh")
	for _, want := range []string{
		"appdir=" + macAppDir + "\n",
		`"$repo/assets/icns/clearance.icns" "$contents/Resources/clearance.icns"`,
		"macos_min=12.0\n",
	} {
		if !strings.Contains(layout, want) {
			t.Errorf("layout.sh lacks %q", want)
		}
	}
}

// pkgbuild installs the app where the LaunchDaemon and LaunchAgent look
// for it, even if a person moved an earlier copy (not relocatable).
func TestMacComponentPlist(t *testing.T) {
	text := readPackaging(t, "component.plist")
	xmllintPlist(t, text)
	list, _ := decodePlistValue(t, text).([]any)
	if len(list) != 1 {
		t.Fatalf("component.plist holds %d bundles, want 1", len(list))
	}
	b, _ := list[0].(map[string]any)
	if b["RootRelativeBundlePath"] != macAppDir || b["BundleIsRelocatable"] != false {
		t.Errorf("component.plist: %v, want %s, not relocatable", b, macAppDir)
	}
}

// The distribution names the component package by the identifier whose
// receipt packagedBy asks pkgutil about.
func TestMacDistribution(t *testing.T) {
	text := readPackaging(t, "distribution.xml")
	var dist struct {
		PkgRefs []struct {
			ID      string `xml:"id,attr"`
			Version string `xml:"version,attr"`
			File    string `xml:",chardata"`
		} `xml:"pkg-ref"`
		Options struct {
			HostArchitectures string `xml:"hostArchitectures,attr"`
		} `xml:"options"`
	}
	d := xml.NewDecoder(strings.NewReader(text))
	d.Strict = true
	if err := d.Decode(&dist); err != nil {
		t.Fatal(err)
	}
	// The top-level pkg-ref, which names the file; the choice's refers to it.
	if len(dist.PkgRefs) != 1 || dist.PkgRefs[0].ID != MacPackageID || dist.PkgRefs[0].File != "Clearance-component.pkg" || dist.PkgRefs[0].Version != "@PKGVERSION@" {
		t.Errorf("pkg-refs %+v, want %s, Clearance-component.pkg, @PKGVERSION@", dist.PkgRefs, MacPackageID)
	}
	if dist.Options.HostArchitectures != "@HOSTARCH@" {
		t.Errorf("hostArchitectures %q", dist.Options.HostArchitectures)
	}
	if !strings.Contains(readPackaging(t, "build-pkg.sh"), `"$work/Clearance-component.pkg"`) {
		t.Error("build-pkg.sh does not build Clearance-component.pkg")
	}
	if !strings.Contains(readPackaging(t, "distribution.xml"), `<pkg-ref id="`+MacPackageID+`"/>`) {
		t.Errorf("the choice does not install %s", MacPackageID)
	}
	if !strings.Contains(readPackaging(t, "layout.sh"), "IDENTIFIER="+MacPackageID+"\n") {
		t.Errorf("layout.sh does not give build-pkg.sh the identifier %s", MacPackageID)
	}
}

// The scripts start and stop what this package registers, and the
// uninstall script is where packagedBy tells a person to find it.
func TestMacScriptsNameTheInstallersFiles(t *testing.T) {
	launchd := readPackaging(t, "scripts/launchd.sh")
	for _, want := range []string{
		"daemon_label=" + ServiceName + "\n",
		"daemon_plist=" + launchDaemonPath + "\n",
		"tray_label=" + launchAgentLabel + "\n",
		"tray_plist=" + launchAgentPath + "\n",
	} {
		if !strings.Contains(launchd, want) {
			t.Errorf("scripts/launchd.sh lacks %q", want)
		}
	}
	if !strings.Contains(readPackaging(t, "scripts/postinstall"), darwinGroups.create(DefaultGroup)[0]+" -o create -r Clearance "+DefaultGroup) {
		t.Errorf("postinstall does not create the group as clearance install does: %q", darwinGroups.create(DefaultGroup))
	}
	uninstall := readPackaging(t, "uninstall.sh")
	for _, want := range []string{
		"app=/" + macAppDir + "\n",
		"pkgid=" + MacPackageID + "\n",
		"tray_label=" + launchAgentLabel + "\n",
		"sudo " + MacUninstallScript,
	} {
		if !strings.Contains(uninstall, want) {
			t.Errorf("uninstall.sh lacks %q", want)
		}
	}
	if want := "/" + macAppDir + "/Contents/Resources/uninstall.sh"; MacUninstallScript != want {
		t.Errorf("MacUninstallScript %s, but the layout puts it at %s", MacUninstallScript, want)
	}
}

func readPackaging(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(macPackaging, filepath.FromSlash(name)))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
