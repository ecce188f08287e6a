package dnsfix

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/clearance-app/clearance/internal/roottest"
	"github.com/clearance-app/clearance/platform"
	"github.com/clearance-app/clearance/platform/dnsconf"
	"github.com/clearance-app/clearance/platform/internal/platformtest"
)

// resolvConfIn writes the realistic resolv.conf into dir/name and returns
// its path and bytes.
func resolvConfIn(t *testing.T, dir, name string) (string, []byte) {
	t.Helper()
	content := platformtest.ReadFixture(t, "dnsset", "resolv.conf-dhcp-constructed")
	path := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, content, 0o644); err != nil {
		t.Fatal(err)
	}
	return path, content
}

func recordFileAt(path string) dnsRecorder {
	return func(context.Context, platform.Runner) (dnsJournal, error) { return recordResolvConfFile(path) }
}

// noLeftovers fails when a temporary file of the atomic write remains.
func noLeftovers(t *testing.T, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if strings.Contains(e.Name(), ".clearance-") || strings.HasSuffix(e.Name(), ".tmp") {
			t.Fatalf("temporary file left in %s: %s", dir, e.Name())
		}
	}
}

// The plain-file round trip: dns-public writes the public servers and keeps
// the rest of the file; a second dns-public is refused; dns-restore gives
// back the same bytes and mode.
func TestResolvConfRoundTrip(t *testing.T) {
	dir := roottest.Dir(t)
	path, orig := resolvConfIn(t, dir, "resolv.conf")
	if err := os.Chmod(path, 0o640); err != nil { // an unusual mode must survive too
		t.Fatal(err)
	}
	journal := filepath.Join(dir, "state", "dns-journal.json")
	run := newDNSFake(t, nil) // a plain file needs no command

	sw, err := switchDNS(t.Context(), run, platform.NewChanges(run, false), journal, recordFileAt(path))
	if err != nil {
		t.Fatal(err)
	}
	switched, _ := os.ReadFile(path)
	if want := rewriteResolvConf(orig, publicDNSResolvConf); !bytes.Equal(switched, want) {
		t.Fatalf("switched file:\n%s\nwant:\n%s", switched, want)
	}
	rc := dnsconf.ParseResolvConf(switched)
	if got := dnsconf.AddrStrings(rc.Nameservers); strings.Join(got, " ") != "1.1.1.1 1.0.0.1 2606:4700:4700::1111" ||
		strings.Join(rc.Search, " ") != "corp.example lab.corp.example" || strings.Join(rc.Options, " ") != "edns0 timeout:2" {
		t.Fatalf("switched file reads as %+v", rc)
	}
	if sw.Interface != path || sw.Tool != "resolv.conf" || strings.Join(sw.Previous, " ") != "192.168.10.53 192.168.10.54 fd00:10::53" {
		t.Fatalf("switch: %+v", sw)
	}
	noLeftovers(t, dir)

	if _, err := switchDNS(t.Context(), run, platform.NewChanges(run, false), journal, recordFileAt(path)); !errors.Is(err, ErrPublicActive) {
		t.Fatalf("second switch: %v, want ErrPublicActive", err)
	}
	if again, _ := os.ReadFile(path); !bytes.Equal(again, switched) {
		t.Fatal("the refused switch changed the file")
	}

	if _, err := Restore(t.Context(), run, platform.NewChanges(run, false), journal); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(path)
	if !bytes.Equal(got, orig) {
		t.Fatalf("restored file differs:\n%s\nwant:\n%s", got, orig)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o640 {
		t.Fatalf("restored mode %v, want 0640", fi.Mode().Perm())
	}
	noLeftovers(t, dir)
	assertNoJournal(t, journal)
	assertCalls(t, run)
}

// A symlinked resolv.conf (resolvconf, some DHCP clients) stays a link to
// the same file; that file is what is written and restored.
func TestResolvConfRoundTripSymlink(t *testing.T) {
	dir := roottest.Dir(t)
	target, orig := resolvConfIn(t, dir, "run/resolvconf/resolv.conf")
	link := filepath.Join(dir, "etc", "resolv.conf")
	if err := os.MkdirAll(filepath.Dir(link), 0o755); err != nil {
		t.Fatal(err)
	}
	const rel = "../run/resolvconf/resolv.conf"
	if err := os.Symlink(rel, link); err != nil {
		t.Fatal(err)
	}
	stillLink := func(when string) {
		t.Helper()
		li, err := os.Lstat(link)
		if err != nil || li.Mode()&fs.ModeSymlink == 0 {
			t.Fatalf("%s: %s is no longer a symlink (%v)", when, link, err)
		}
		if got, _ := os.Readlink(link); got != rel {
			t.Fatalf("%s: the link points to %q, want %q", when, got, rel)
		}
	}
	journal := filepath.Join(dir, "state", "dns-journal.json")
	run := newDNSFake(t, nil)

	sw, err := switchDNS(t.Context(), run, platform.NewChanges(run, false), journal, recordFileAt(link))
	if err != nil {
		t.Fatal(err)
	}
	stillLink("after dns-public")
	if got, _ := os.ReadFile(target); !bytes.Contains(got, []byte("nameserver 1.1.1.1\n")) {
		t.Fatalf("the link's target was not switched:\n%s", got)
	}
	if sw.Interface != link || !strings.Contains(sw.Detail, "a link to "+target) {
		t.Fatalf("switch: %+v", sw)
	}
	if _, err := Restore(t.Context(), run, platform.NewChanges(run, false), journal); err != nil {
		t.Fatal(err)
	}
	stillLink("after dns-restore")
	if got, _ := os.ReadFile(target); !bytes.Equal(got, orig) {
		t.Fatalf("restored target differs:\n%s", got)
	}
	noLeftovers(t, filepath.Dir(target))
	noLeftovers(t, filepath.Dir(link))
}

// A crash after the journal was written — before the change, after it, or
// in the middle of an in-place write — is repaired at the next start: the
// file is back byte for byte and the journal is gone.
func TestResolvConfCrashRepair(t *testing.T) {
	for _, tt := range []struct {
		name  string
		crash func(t *testing.T, path string, orig []byte)
	}{
		{"between journal and change", func(*testing.T, string, []byte) {}},
		{"after the change", func(t *testing.T, path string, orig []byte) {
			if err := replaceFileContent(path, rewriteResolvConf(orig, publicDNSResolvConf), 0o644); err != nil {
				t.Fatal(err)
			}
		}},
		{"half way through an in-place write", func(t *testing.T, path string, orig []byte) {
			half := rewriteResolvConf(orig, publicDNSResolvConf)
			if err := os.WriteFile(path, half[:len(half)/2], 0o644); err != nil {
				t.Fatal(err)
			}
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := roottest.Dir(t)
			path, orig := resolvConfIn(t, dir, "resolv.conf")
			journal := filepath.Join(dir, "state", "dns-journal.json")
			// What SwitchToPublic does first, and then the process dies.
			j, err := recordResolvConfFile(path)
			if err != nil {
				t.Fatal(err)
			}
			j.Version, j.Phase, j.OS, j.Public = dnsJournalVersion, dnsPhaseApplying, "linux", publicDNSResolvConf
			if err := writeDNSJournal(journal, j); err != nil {
				t.Fatal(err)
			}
			tt.crash(t, path, orig)

			run := newDNSFake(t, nil)
			repaired, err := Repair(t.Context(), run, platform.NewChanges(run, false), journal)
			if err != nil || !repaired {
				t.Fatalf("Repair = %v, %v", repaired, err)
			}
			if got, _ := os.ReadFile(path); !bytes.Equal(got, orig) {
				t.Fatalf("repaired file differs:\n%s", got)
			}
			assertNoJournal(t, journal)
			noLeftovers(t, dir)
		})
	}
}

// A crash in the middle of dns-restore (the file half rewritten in place)
// leaves the journal "restoring": the next start finishes the restore.
func TestResolvConfCrashDuringRestore(t *testing.T) {
	dir := roottest.Dir(t)
	path, orig := resolvConfIn(t, dir, "resolv.conf")
	journal := filepath.Join(dir, "state", "dns-journal.json")
	run := newDNSFake(t, nil)
	if _, err := switchDNS(t.Context(), run, platform.NewChanges(run, false), journal, recordFileAt(path)); err != nil {
		t.Fatal(err)
	}
	// What Restore does first, and then the process dies half way
	// through writing the file back.
	j, err := readDNSJournal(journal)
	if err != nil {
		t.Fatal(err)
	}
	j.Phase = dnsPhaseRestoring
	if err := writeDNSJournal(journal, j); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, orig[:len(orig)/3], 0o644); err != nil {
		t.Fatal(err)
	}
	if active, sw, err := PublicActive(journal); !active || err != nil || !strings.Contains(sw.Detail, "interrupted") {
		t.Fatalf("PublicActive = %v %+v %v", active, sw, err)
	}
	repaired, err := Repair(t.Context(), run, platform.NewChanges(run, false), journal)
	if err != nil || !repaired {
		t.Fatalf("Repair = %v, %v", repaired, err)
	}
	if got, _ := os.ReadFile(path); !bytes.Equal(got, orig) {
		t.Fatalf("repaired file differs:\n%s", got)
	}
	assertNoJournal(t, journal)
}

// The helper mode of the mount-namespace test.
const dnssetHelper = "dnsset-roundtrip"

func init() {
	testHelpers[dnssetHelper] = func() int {
		_, code := runDNSSetHelper()
		return code
	}
}

// dnssetReport is what the helper child tells the parent.
type dnssetReport struct {
	Tool          string   `json:"tool"`
	BetweenEtc    string   `json:"between_etc"`    // /etc/resolv.conf as the resolver reads it, after dns-public
	BetweenFile   string   `json:"between_file"`   // the bind-mounted file itself, at the same moment
	SwitchCmds    []string `json:"switch_cmds"`    // what dns-public did
	RestoreCmds   []string `json:"restore_cmds"`   // what dns-restore did
	EtcLeftovers  []string `json:"etc_leftovers"`  // entries of /etc besides resolv.conf afterwards
	JournalExists bool     `json:"journal_exists"` // after dns-restore
	Error         string   `json:"error,omitempty"`
}

// runDNSSetHelper is the child of TestResolvConfRealMountNamespace, run by
// `unshare --mount --propagation private` and so alone in its mount
// namespace: it bind-mounts an empty directory over /etc (the real /etc is
// not even touched by a temporary file) and the test's file over
// /etc/resolv.conf, then runs the real SwitchToPublic and Restore
// against /etc/resolv.conf — a mount point, so the rename fails with EBUSY
// and the file is written in place — and prints a JSON report.
func runDNSSetHelper() (handled bool, code int) {
	if os.Getenv(platformtest.HelperEnv) != dnssetHelper {
		return false, 0
	}
	dir := os.Getenv("CLEARANCE_DNSSET_DIR")
	var rep dnssetReport
	err := dnssetHelperRun(dir, &rep)
	if err != nil {
		rep.Error = err.Error()
	}
	if err := json.NewEncoder(os.Stdout).Encode(rep); err != nil || rep.Error != "" {
		return true, 1
	}
	return true, 0
}

func dnssetHelperRun(dir string, rep *dnssetReport) error {
	if err := enterTestEtc(dir); err != nil {
		return err
	}
	file := filepath.Join(dir, "resolv.conf")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	journal := filepath.Join(dir, "state", "dns-journal.json")

	ch := platform.NewChanges(platform.System, false)
	sw, err := SwitchToPublic(ctx, platform.System, ch, journal)
	rep.Tool, rep.SwitchCmds = sw.Tool, ch.Commands()
	if err != nil {
		return fmt.Errorf("dns-public: %w", err)
	}
	b, _ := os.ReadFile("/etc/resolv.conf")
	rep.BetweenEtc = string(b)
	b, _ = os.ReadFile(file)
	rep.BetweenFile = string(b)

	ch = platform.NewChanges(platform.System, false)
	_, err = Restore(ctx, platform.System, ch, journal)
	rep.RestoreCmds = ch.Commands()
	if err != nil {
		return fmt.Errorf("dns-restore: %w", err)
	}
	_, statErr := os.Stat(journal)
	rep.JournalExists = statErr == nil
	entries, err := os.ReadDir("/etc")
	if err != nil {
		return err
	}
	for _, e := range entries {
		if e.Name() != "resolv.conf" {
			rep.EtcLeftovers = append(rep.EtcLeftovers, e.Name())
		}
	}
	return nil
}

// enterTestEtc is the start of a helper child run by `unshare --mount
// --propagation private`, and so alone in its mount namespace: it
// bind-mounts dir/etc over /etc (the real /etc is not even touched by a
// temporary file) and dir/resolv.conf over /etc/resolv.conf, a mount point
// as in a container, so that a rename over it fails with EBUSY.
func enterTestEtc(dir string) error {
	if dir == "" {
		return errors.New("CLEARANCE_DNSSET_DIR is not set")
	}
	// Never a mount in the host's namespace: unshare made a private one.
	self, err1 := os.Readlink("/proc/self/ns/mnt")
	parent, err2 := os.Readlink(fmt.Sprintf("/proc/%d/ns/mnt", os.Getppid()))
	if err1 != nil || err2 != nil || self == parent {
		return fmt.Errorf("not in a mount namespace of its own (%s, parent %s, %v, %v)", self, parent, err1, err2)
	}
	etc, file := filepath.Join(dir, "etc"), filepath.Join(dir, "resolv.conf")
	if err := unix.Mount(etc, "/etc", "", unix.MS_BIND, ""); err != nil {
		return fmt.Errorf("bind %s over /etc: %w", etc, err)
	}
	if err := unix.Mount(file, "/etc/resolv.conf", "", unix.MS_BIND, ""); err != nil {
		return fmt.Errorf("bind %s over /etc/resolv.conf: %w", file, err)
	}
	return nil
}

// dnssetNeedsRoot skips without root or unshare(1), saying why; under CI
// (CI=true, where it runs as root) that lack is a failure.
func dnssetNeedsRoot(t *testing.T) {
	t.Helper()
	why := ""
	if os.Geteuid() != 0 {
		why = "needs root to create a mount namespace"
	} else if _, err := exec.LookPath("unshare"); err != nil {
		why = "needs unshare(1) from util-linux"
	}
	if why == "" {
		return
	}
	roottest.Need(t, why)
}

// hostResolvConfUnchanged fails the test when, at its end, the host's
// /etc/resolv.conf is not the same file with the same bytes and mode.
func hostResolvConfUnchanged(t *testing.T) {
	t.Helper()
	hostBefore, err := os.ReadFile("/etc/resolv.conf")
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		t.Fatal(err)
	}
	hostInfo, _ := os.Lstat("/etc/resolv.conf")
	t.Cleanup(func() {
		after, _ := os.ReadFile("/etc/resolv.conf")
		afterInfo, _ := os.Lstat("/etc/resolv.conf")
		if !bytes.Equal(after, hostBefore) || (hostInfo == nil) != (afterInfo == nil) ||
			(hostInfo != nil && (afterInfo.Mode() != hostInfo.Mode() || !os.SameFile(hostInfo, afterInfo))) {
			t.Errorf("the host's /etc/resolv.conf changed: %q, was %q", after, hostBefore)
		}
	})
}

// The real thing on the real path: dns-public → dns-restore against
// /etc/resolv.conf, bind-mounted (as Docker and `ip netns exec` do) inside a
// child's private mount namespace. The host's /etc/resolv.conf is checked
// byte for byte before and after.
func TestResolvConfRealMountNamespace(t *testing.T) {
	dnssetNeedsRoot(t)
	hostResolvConfUnchanged(t)

	dir := roottest.Dir(t)
	file, orig := resolvConfIn(t, dir, "resolv.conf")
	etc := filepath.Join(dir, "etc")
	if err := os.MkdirAll(etc, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(etc, "resolv.conf"), nil, 0o644); err != nil { // the mount point
		t.Fatal(err)
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "unshare", "--mount", "--propagation", "private", exe, "-test.run=^$")
	cmd.Env = append(os.Environ(), platformtest.HelperEnv+"="+dnssetHelper, "CLEARANCE_DNSSET_DIR="+dir)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	runErr := cmd.Run()
	var rep dnssetReport
	if err := json.Unmarshal(stdout.Bytes(), &rep); err != nil {
		t.Fatalf("helper: %v; stdout %q, stderr %q", runErr, stdout.String(), stderr.String())
	}
	if runErr != nil || rep.Error != "" {
		t.Fatalf("helper failed: %v: %s (stderr %q)", runErr, rep.Error, stderr.String())
	}

	if rep.Tool != "resolv.conf" {
		t.Fatalf("tool %q, want resolv.conf", rep.Tool)
	}
	if !strings.Contains(rep.BetweenEtc, "\nnameserver 1.1.1.1\n") || !strings.Contains(rep.BetweenEtc, "search corp.example lab.corp.example") {
		t.Fatalf("/etc/resolv.conf after dns-public:\n%s", rep.BetweenEtc)
	}
	// The write went through the mount into the file: written in place.
	if rep.BetweenFile != rep.BetweenEtc {
		t.Fatalf("the bind-mounted file was not written in place:\n%s", rep.BetweenFile)
	}
	if len(rep.SwitchCmds) != 3 || rep.SwitchCmds[1] != "write /etc/resolv.conf (nameserver 1.1.1.1, 1.0.0.1, 2606:4700:4700::1111)" {
		t.Fatalf("dns-public did %q", rep.SwitchCmds)
	}
	if len(rep.EtcLeftovers) != 0 || rep.JournalExists {
		t.Fatalf("left behind: %q in /etc, journal %v", rep.EtcLeftovers, rep.JournalExists)
	}
	got, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, orig) {
		t.Fatalf("after the round trip the file differs:\n%s\nwant:\n%s", got, orig)
	}
}
