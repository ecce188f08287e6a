// Command stage writes the files a package installs, rendered by the
// installer package as `clearance install` writes them, into a folder from
// which the package builders (nfpm, wixl, pkgbuild) take them:
//
//	go run ./installer/packaging/stage -target linux -o dist/stage/linux
//	go run ./installer/packaging/stage -target darwin -o dist/stage/darwin
//
// For Windows it renders the .msi's source, clearance.wxs, from a template
// with the package's version (the .msi installs registry values and a
// service, not files of its own):
//
//	go run ./installer/packaging/stage -target windows -version 0.3.0.5 \
//		-template installer/packaging/windows/clearance.wxs.tmpl -o dist/stage/windows
package main

import (
	"bytes"
	"encoding/xml"
	"flag"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/template"

	"github.com/clearance-app/clearance/installer"
)

// targets are the package definitions by target OS.
var targets = map[string]func() []installer.PackageFile{
	"linux":  installer.LinuxPackageFiles,
	"darwin": installer.MacPackageFiles,
}

func main() {
	target := flag.String("target", "", "target OS: "+strings.Join(slices.Sorted(maps.Keys(targets)), ", ")+", windows")
	out := flag.String("o", "", "folder to write the files into (made empty first)")
	version := flag.String("version", "", "windows: the package's version, a.b.c.d")
	tmpl := flag.String("template", "", "windows: the .wxs template")
	flag.Parse()
	if *target == "windows" {
		if *version == "" || *tmpl == "" || *out == "" {
			flag.Usage()
			os.Exit(2)
		}
		if err := stageWindows(*out, *tmpl, *version); err != nil {
			fmt.Fprintln(os.Stderr, "stage:", err)
			os.Exit(1)
		}
		return
	}
	files, ok := targets[*target]
	if !ok || *out == "" {
		flag.Usage()
		os.Exit(2)
	}
	if err := stage(*out, files()); err != nil {
		fmt.Fprintln(os.Stderr, "stage:", err)
		os.Exit(1)
	}
}

func stage(out string, files []installer.PackageFile) error {
	if err := os.RemoveAll(out); err != nil {
		return err
	}
	for _, f := range files {
		p := filepath.Join(out, filepath.FromSlash(f.Path))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, []byte(f.Content), f.Mode); err != nil {
			return err
		}
		// WriteFile's mode is masked by the umask; the package needs it exact.
		if err := os.Chmod(p, f.Mode); err != nil {
			return err
		}
	}
	return nil
}

// stageWindows writes clearance.wxs, the template at tmpl rendered with
// the package's definition for version.
func stageWindows(out, tmpl, version string) error {
	p, err := installer.NewWindowsPackage(version)
	if err != nil {
		return err
	}
	t, err := template.New(filepath.Base(tmpl)).Option("missingkey=error").
		Funcs(template.FuncMap{"xml": escapeXML}).ParseFiles(tmpl)
	if err != nil {
		return err
	}
	var b bytes.Buffer
	if err := t.Execute(&b, p); err != nil {
		return err
	}
	return stage(out, []installer.PackageFile{{Path: "clearance.wxs", Mode: 0o644, Content: b.String()}})
}

// escapeXML makes a value safe inside an XML attribute.
func escapeXML(s string) (string, error) {
	var b strings.Builder
	if err := xml.EscapeText(&b, []byte(s)); err != nil {
		return "", err
	}
	return b.String(), nil
}
