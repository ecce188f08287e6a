package platform

import (
	"bytes"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

const dnsJournalReaderHelper = "dnsjournal-reader"

func init() {
	testHelpers[dnsJournalReaderHelper] = runDNSJournalReader
}

// dnsJournalReading is what the reader child saw.
type dnsJournalReading struct {
	ReadErr   string `json:"read_err"` // reading the file itself
	Forbidden bool   `json:"forbidden"`
	Active    bool   `json:"active"` // PublicDNSActive
	Detail    string `json:"detail"`
	Err       string `json:"err"`
}

// runDNSJournalReader reads the journal at CLEARANCE_DNS_JOURNAL as the
// unprivileged uid it was started as: directly, and as the tray on its own
// does (PublicDNSActive).
func runDNSJournalReader() int {
	path := os.Getenv("CLEARANCE_DNS_JOURNAL")
	var r dnsJournalReading
	if _, err := os.ReadFile(path); err != nil {
		r.ReadErr, r.Forbidden = err.Error(), errors.Is(err, fs.ErrPermission)
	}
	active, sw, err := PublicDNSActive(path)
	r.Active, r.Detail = active, sw.Detail
	if err != nil {
		r.Err = err.Error()
	}
	if err := json.NewEncoder(os.Stdout).Encode(r); err != nil {
		return 1
	}
	return 0
}

// needsRootAndSetpriv skips without root or setpriv(1), saying why; under
// CI that lack is a failure.
func needsRootAndSetpriv(t *testing.T) {
	t.Helper()
	why := ""
	if os.Geteuid() != 0 {
		why = "needs root to own files and to run a process as another uid"
	} else if _, err := exec.LookPath("setpriv"); err != nil {
		why = "needs setpriv(1) from util-linux"
	}
	if why == "" {
		return
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s (mandatory in CI)", why)
	}
	t.Skip(why)
}

// publicDir is a directory every uid can enter (go test's own are private).
func publicDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("/tmp", "clr-dnsjournal-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// The journal holds a whole resolv.conf: only root reads it. A journal an
// older Clearance left world-readable is made 0600 by the next write. A
// person's process (uid 65534 here, through setpriv) cannot read it, and
// still learns that public DNS is in effect, without an error.
func TestDNSJournalOnlyRootReads(t *testing.T) {
	needsRootAndSetpriv(t)
	dir := publicDir(t)
	path := filepath.Join(dir, "state", "dns-journal.json")
	src, _ := resolvConfIn(t, dir, "resolv.conf")
	j, err := recordResolvConfFile(src)
	if err != nil {
		t.Fatal(err)
	}
	j.Version, j.Phase, j.OS, j.Public = dnsJournalVersion, dnsPhaseApplying, "linux", publicDNSResolvConf
	mode := func() fs.FileMode {
		t.Helper()
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		return fi.Mode().Perm()
	}
	if err := writeDNSJournal(path, j); err != nil {
		t.Fatal(err)
	}
	if m := mode(); m != 0o600 {
		t.Fatalf("new journal has mode %v, want 0600", m)
	}
	if err := os.Chmod(path, 0o644); err != nil { // as an older Clearance wrote it
		t.Fatal(err)
	}
	j.Phase = dnsPhaseActive
	if err := writeDNSJournal(path, j); err != nil {
		t.Fatal(err)
	}
	if m := mode(); m != 0o600 {
		t.Fatalf("rewritten journal has mode %v, want 0600", m)
	}

	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(exe)
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "platform.test")
	if err := os.WriteFile(bin, b, 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(t.Context(), "setpriv", "--reuid", "65534", "--regid", "65534", "--clear-groups", "--", bin, "-test.run=^$")
	cmd.Env = append(helperEnv(), "CLEARANCE_PLATFORM_HELPER="+dnsJournalReaderHelper, "CLEARANCE_DNS_JOURNAL="+path)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	var r dnsJournalReading
	if jerr := json.Unmarshal(out, &r); err != nil || jerr != nil {
		t.Fatalf("reader: %v %v; stdout %q, stderr %q", err, jerr, out, stderr.String())
	}
	if !r.Forbidden {
		t.Fatalf("uid 65534 read the journal (error %q)", r.ReadErr)
	}
	if !r.Active || r.Err != "" || !strings.Contains(r.Detail, "public DNS") {
		t.Fatalf("PublicDNSActive as uid 65534: %+v", r)
	}
}

// helperEnv is this process's environment for a helper child, with the
// race detector's pause at exit (GORACE atexit_sleep_ms, 1 s by default)
// turned off: the DNS crash tests start a few hundred children.
func helperEnv() []string {
	env := os.Environ()
	opts := "atexit_sleep_ms=0"
	if v, ok := os.LookupEnv("GORACE"); ok {
		opts = v + " " + opts
	}
	return append(env, "GORACE="+opts)
}
