// Command stage writes the files a package installs, rendered by the
// installer package as `clearance install` writes them, into a folder from
// which the package builders (nfpm, wixl, pkgbuild) take them:
//
//	go run ./installer/packaging/stage -target linux -o dist/stage/linux
//	go run ./installer/packaging/stage -target darwin -o dist/stage/darwin
package main

import (
	"flag"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/clearance-app/clearance/installer"
)

// targets are the package definitions by target OS.
var targets = map[string]func() []installer.PackageFile{
	"linux":  installer.LinuxPackageFiles,
	"darwin": installer.MacPackageFiles,
}

func main() {
	target := flag.String("target", "", "target OS: "+strings.Join(slices.Sorted(maps.Keys(targets)), ", "))
	out := flag.String("o", "", "folder to write the files into (made empty first)")
	flag.Parse()
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
