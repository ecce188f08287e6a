package browser

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/clearance-app/clearance/internal/roottest"
)

// A profile another user owns, unreadable to the person (uid 65534 here,
// through setpriv: root would read it anyway): an error for that
// profile, the others found.
func TestDiscoverUnreadableProfileAsAnotherUser(t *testing.T) {
	why := ""
	if os.Geteuid() != 0 {
		why = "needs root to own files as two users and to run a process as another uid"
	} else if _, err := exec.LookPath("setpriv"); err != nil {
		why = "needs setpriv(1) from util-linux"
	}
	roottest.Need(t, why)
	// go test's own temporary folders are private: this one every uid
	// may enter, for the tree and a copy of the test binary.
	public, err := os.MkdirTemp("/tmp", "clr-browser-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(public) })
	if err := os.Chmod(public, 0o755); err != nil {
		t.Fatal(err)
	}
	home := filepath.Join(public, "home")
	homeTree(t, home)
	if err := filepath.Walk(home, func(p string, _ os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(p, 65534, 65534)
	}); err != nil {
		t.Fatal(err)
	}
	other := filepath.Join(home, ".config/google-chrome/Profile 1")
	if err := os.Chown(other, 0, 0); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(other, 0o700); err != nil {
		t.Fatal(err)
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(exe)
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(public, "browser.test")
	if err := os.WriteFile(bin, b, 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(t.Context(), "setpriv", "--reuid", "65534", "--regid", "65534", "--clear-groups", "--", bin, "-test.run=^$")
	cmd.Env = append(os.Environ(), "CLEARANCE_PLATFORM_HELPER=discover", "CLEARANCE_BROWSER_HOME="+home)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	var r discoverReport
	if jerr := json.Unmarshal(out, &r); err != nil || jerr != nil {
		t.Fatalf("helper: %v %v; stdout %q, stderr %q", err, jerr, out, stderr.String())
	}
	var chrome *Browser
	for i := range r.Browsers {
		if r.Browsers[i].Name == "Chrome" {
			chrome = &r.Browsers[i]
		}
	}
	if chrome == nil || len(chrome.Profiles) != 1 || chrome.Profiles[0].Name != "Your Chromium" {
		t.Fatalf("Chrome as uid 65534: %+v", chrome)
	}
	found := false
	for _, e := range r.Errors {
		if strings.Contains(e, `Chrome profile "Person 1"`) && strings.Contains(e, "permission denied") {
			found = true
		}
	}
	if !found {
		t.Errorf("no error for the unreadable profile: %q", r.Errors)
	}
	if len(r.Browsers) != 5 {
		t.Errorf("%d browsers as uid 65534, want the 5 of the tree", len(r.Browsers))
	}
}
