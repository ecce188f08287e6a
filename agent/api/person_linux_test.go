package api

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/clearance-app/clearance/internal/roottest"
)

// isPersonHelperEnv names the uids that TestIsPersonHelper judges.
const isPersonHelperEnv = "CLEARANCE_API_ISPERSON"

// TestIsPersonHelper is not a test: started by
// TestIsPersonReadsOnlyTheDatabase, with an /etc/passwd of that test's own
// in a mount namespace, it prints what isPerson says of each uid.
func TestIsPersonHelper(t *testing.T) {
	uids := os.Getenv(isPersonHelperEnv)
	if uids == "" {
		t.Skip("run by TestIsPersonReadsOnlyTheDatabase")
	}
	for _, s := range strings.Fields(uids) {
		uid, err := strconv.Atoi(s)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Printf("%d %v\n", uid, isPerson(uid))
	}
}

// A person whose home is not there — on a network mount not mounted yet,
// or an automounter's, which a stat would wait on — is still a person:
// isPerson, asked as root for every refused request, reads the account
// database and never looks at the home. In a mount namespace of its own,
// /etc/passwd lists carol, with a login shell and a home that does not
// exist, and eve, with a login shell and /nonexistent.
func TestIsPersonReadsOnlyTheDatabase(t *testing.T) {
	why := ""
	if os.Geteuid() != 0 {
		why = "needs root to mount over /etc/passwd in a mount namespace"
	} else if _, err := exec.LookPath("unshare"); err != nil {
		why = "needs unshare(1) from util-linux"
	}
	if why != "" {
		roottest.Need(t, why)
	}
	dir := t.TempDir()
	home := filepath.Join(dir, "carol-not-mounted") // never made
	system, err := os.ReadFile("/etc/passwd")
	if err != nil {
		t.Fatal(err)
	}
	passwd := filepath.Join(dir, "passwd")
	accounts := "carol:x:4243:4243:Carol:" + home + ":/bin/bash\neve:x:4244:4244::/nonexistent:/bin/bash\n"
	if err := os.WriteFile(passwd, append(system, accounts...), 0o644); err != nil {
		t.Fatal(err)
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(t.Context(), "unshare", "--mount", "--propagation", "private", "sh", "-c",
		`mount --bind "$1" /etc/passwd && exec "$2" -test.run='^TestIsPersonHelper$'`, "sh", passwd, exe)
	cmd.Env = append(os.Environ(), isPersonHelperEnv+"=4243 4244 65534")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("helper: %v\n%s%s", err, out, stderr.String())
	}
	for _, want := range []string{"4243 true\n", "4244 false\n", "65534 false\n"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("isPerson in the namespace said:\n%s\nwant %q", out, want)
		}
	}
}
