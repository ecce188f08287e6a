//go:build unix

package installer

import (
	"os/exec"
	"path/filepath"
	"testing"
)

// Every script parses as POSIX sh (dash here is stricter than macOS's
// bash-as-sh), and passes shellcheck where it is installed (Debian's
// shellcheck; mandatory in CI).
func TestMacScriptsParse(t *testing.T) {
	scripts := []string{"scripts/preinstall", "scripts/postinstall", "scripts/launchd.sh", "uninstall.sh", "build-pkg.sh", "layout.sh", "treesum.sh"}
	for _, s := range scripts {
		if out, err := exec.Command("sh", "-n", filepath.Join(macPackaging, s)).CombinedOutput(); err != nil {
			t.Errorf("sh -n %s: %v\n%s", s, err, out)
		}
	}
	sc, err := exec.LookPath("shellcheck")
	if err != nil {
		needInCI(t, "shellcheck (Debian package shellcheck)")
		t.Log("shellcheck not installed (package shellcheck): only sh -n checked the scripts")
		return
	}
	cmd := exec.Command(sc, append([]string{"-x"}, scripts...)...)
	cmd.Dir = macPackaging
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("shellcheck: %v\n%s", err, out)
	}
}
