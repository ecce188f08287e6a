package dnsfix

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/clearance-app/clearance/internal/roottest"
	"github.com/clearance-app/clearance/platform"
	"github.com/clearance-app/clearance/platform/internal/platformtest"
)

const dnsJournalReaderHelper = "dnsjournal-reader"

func init() {
	testHelpers[dnsJournalReaderHelper] = runDNSJournalReader
}

// dnsJournalReading is what the reader child saw.
type dnsJournalReading struct {
	ReadErr   string `json:"read_err"` // reading the file itself
	Forbidden bool   `json:"forbidden"`
	Active    bool   `json:"active"` // PublicActive
	Detail    string `json:"detail"`
	Err       string `json:"err"`
}

// runDNSJournalReader reads the journal at CLEARANCE_DNS_JOURNAL as the
// unprivileged uid it was started as: directly, and as the tray on its own
// does (PublicActive).
func runDNSJournalReader() int {
	path := os.Getenv("CLEARANCE_DNS_JOURNAL")
	var r dnsJournalReading
	if _, err := os.ReadFile(path); err != nil {
		r.ReadErr, r.Forbidden = err.Error(), errors.Is(err, fs.ErrPermission)
	}
	active, sw, err := PublicActive(path)
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
	roottest.Need(t, why)
}

// publicDir is a directory every uid can enter (go test's own are
// private), for a copy of the test binary to run as another uid.
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
func TestSecurityDNSJournalOnlyRootReads(t *testing.T) {
	needsRootAndSetpriv(t)
	dir := roottest.Dir(t)
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
	bin := filepath.Join(publicDir(t), "platform.test")
	if err := os.WriteFile(bin, b, 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(t.Context(), "setpriv", "--reuid", "65534", "--regid", "65534", "--clear-groups", "--", bin, "-test.run=^$")
	cmd.Env = append(helperEnv(), platformtest.HelperEnv+"="+dnsJournalReaderHelper, "CLEARANCE_DNS_JOURNAL="+path)
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
		t.Fatalf("PublicActive as uid 65534: %+v", r)
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

// At start, the temporary files of an interrupted DNS change are removed —
// the journal's beside the journal, resolv.conf's beside the file the
// journal names and beside the system's resolv.conf and its link target —
// and nothing else: not a name that only resembles Clearance's, not a file
// another user owns, not a link (nor what it points to), not a directory.
func TestRepairDNSRemovesLeftovers(t *testing.T) {
	needsRootAndSetpriv(t)
	for _, phase := range []string{"", dnsPhaseApplying, dnsPhaseActive} {
		t.Run(cmp.Or(phase, "no journal"), func(t *testing.T) {
			root := roottest.Dir(t)
			state, etc, run, other := filepath.Join(root, "state"), filepath.Join(root, "etc"), filepath.Join(root, "run"), filepath.Join(root, "other")
			for _, d := range []string{state, etc, run, other} {
				if err := os.MkdirAll(d, 0o755); err != nil {
					t.Fatal(err)
				}
			}
			journal := filepath.Join(state, "dns-journal.json")
			// The system's resolv.conf is a link into run/; the journal, when
			// there is one, names a file in other/.
			target, _ := resolvConfIn(t, run, "resolv.conf")
			system := filepath.Join(etc, "resolv.conf")
			if err := os.Symlink(target, system); err != nil {
				t.Fatal(err)
			}
			recorded, orig := resolvConfIn(t, other, "resolv.conf")
			if phase != "" {
				j, err := recordResolvConfFile(recorded)
				if err != nil {
					t.Fatal(err)
				}
				j.Version, j.Phase, j.OS, j.Public = dnsJournalVersion, phase, "linux", publicDNSResolvConf
				if err := writeDNSJournal(journal, j); err != nil {
					t.Fatal(err)
				}
			}

			file := func(dir, name string, uid int) string {
				t.Helper()
				p := filepath.Join(dir, name)
				if err := os.WriteFile(p, []byte("x\n"), 0o600); err != nil {
					t.Fatal(err)
				}
				if err := os.Chown(p, uid, uid); err != nil {
					t.Fatal(err)
				}
				return p
			}
			gone := []string{
				file(state, ".dns-journal.json.clearance-2674182236", 0),
				file(etc, ".resolv.conf.clearance-1", 0),
				file(run, ".resolv.conf.clearance-3938474829", 0),
			}
			if phase != "" {
				gone = append(gone, file(other, ".resolv.conf.clearance-42", 0))
			}
			kept := []string{
				file(state, ".dns-journal.json.clearance-bak", 0),     // not what os.CreateTemp makes
				file(state, ".dns-journal.json.clearance-", 0),        // nor this
				file(state, ".dns-journal.json.clearance-7", 65534),   // another user's
				file(etc, ".resolv.conf.clearance-1.orig", 0),         // a person's copy
				file(etc, "resolv.conf.clearance-5", 0),               // not hidden: not ours
				file(etc, ".hosts.clearance-5", 0),                    // another file's pattern
				file(root, ".dns-journal.json.clearance-9", 0),        // outside the state directory
				file(other, ".resolv.conf.clearance-x1", 0),           // not digits
				file(run, ".resolv.conf.clearance-8", 65534),          // another user's
				file(other, "precious", 0),                            // what a link below points to
				filepath.Join(state, ".dns-journal.json.clearance-5"), // a link, made below
				filepath.Join(etc, ".resolv.conf.clearance-6"),        // a directory, made below
			}
			if phase == "" {
				kept = append(kept, file(other, ".resolv.conf.clearance-42", 0)) // no journal names other/
			}
			if err := os.Symlink(filepath.Join(other, "precious"), filepath.Join(state, ".dns-journal.json.clearance-5")); err != nil {
				t.Fatal(err)
			}
			if err := os.Mkdir(filepath.Join(etc, ".resolv.conf.clearance-6"), 0o755); err != nil {
				t.Fatal(err)
			}

			ch := platform.NewChanges(newDNSFake(t, nil), false)
			repaired, err := repairDNS(t.Context(), ch, journal, system)
			if err != nil || repaired != (phase == dnsPhaseApplying) {
				t.Fatalf("repairDNS = %v, %v", repaired, err)
			}
			for _, p := range gone {
				if _, err := os.Lstat(p); !errors.Is(err, fs.ErrNotExist) {
					t.Errorf("%s was not removed (%v)", p, err)
				}
				if want := "remove " + p + " (a temporary file left by a crash)"; !slices.Contains(ch.Commands(), want) {
					t.Errorf("commands %q lack %q", ch.Commands(), want)
				}
			}
			for _, p := range kept {
				if _, err := os.Lstat(p); err != nil {
					t.Errorf("%s was removed (%v)", p, err)
				}
			}
			if got, _ := os.ReadFile(filepath.Join(other, "precious")); string(got) != "x\n" {
				t.Errorf("the link's target changed: %q", got)
			}
			if phase == dnsPhaseApplying {
				if got, _ := os.ReadFile(recorded); !bytes.Equal(got, orig) {
					t.Errorf("the recorded file was not restored:\n%s", got)
				}
			}
		})
	}
}

// plantJournal writes an "applying" journal at path, as an attacker would:
// it names victim as the resolv.conf to put back, with content of their
// choice, which the repair would write with root's rights.
func plantJournal(t *testing.T, path, victim string) {
	t.Helper()
	j := dnsJournal{Version: dnsJournalVersion, Phase: dnsPhaseApplying, OS: "linux", Tool: dnsToolResolvConf,
		Interface:  dnsJournalIface{ID: victim, Name: victim},
		IPv4:       dnsFamilyRecord{Mode: dnsModeStatic, Servers: []string{"203.0.113.66"}},
		IPv6:       dnsFamilyRecord{Mode: dnsModeUnused},
		Public:     publicDNSResolvConf,
		ResolvConf: &resolvConfRecord{Path: victim, Target: victim, Content: []byte("nameserver 203.0.113.66\n"), Mode: 0o644}}
	if err := writeDNSJournal(path, j); err != nil {
		t.Fatal(err)
	}
}

// A journal that anyone but root could have written or put in place — one
// of another user, or in a directory they may write — is refused by the
// repair at start, by dns-restore and by dns-public, with a message that
// names what is wrong; nothing it says is applied, and it is left there.
func TestSecurityDNSJournalOthersCouldChangeIsRefused(t *testing.T) {
	needsRootAndSetpriv(t)
	for _, c := range []struct {
		name    string
		spoil   func(t *testing.T, state, journal string) string // returns the path at fault
		problem string
	}{
		{"journal of uid 65534", func(t *testing.T, _, journal string) string {
			chownT(t, journal, 65534)
			return journal
		}, "belongs to the user nobody"},
		{"state directory everyone may write", func(t *testing.T, state, _ string) string {
			if err := os.Chmod(state, 0o777); err != nil {
				t.Fatal(err)
			}
			return state
		}, "may be written by anyone"},
		{"state directory of uid 65534", func(t *testing.T, state, _ string) string {
			chownT(t, state, 65534)
			return state
		}, "belongs to the user nobody"},
	} {
		t.Run(c.name, func(t *testing.T) {
			base := roottest.Dir(t)
			state := filepath.Join(base, "state")
			journal := filepath.Join(state, "dns-journal.json")
			victim, orig := resolvConfIn(t, base, "resolv.conf")
			plantJournal(t, journal, victim)
			at := c.spoil(t, state, journal)

			for _, step := range []struct {
				name string
				run  func(ch *platform.Changes) error
			}{
				{"repair", func(ch *platform.Changes) error { _, err := repairDNS(t.Context(), ch, journal, ""); return err }},
				{"restore", func(ch *platform.Changes) error {
					_, err := Restore(t.Context(), newDNSFake(t, nil), ch, journal)
					return err
				}},
				{"switch", func(ch *platform.Changes) error {
					_, err := switchDNS(t.Context(), newDNSFake(t, nil), ch, journal, recordFileAt(victim))
					return err
				}},
			} {
				ch := platform.NewChanges(newDNSFake(t, nil), false)
				err := step.run(ch)
				if err == nil || !strings.Contains(err.Error(), "the DNS journal "+journal+" was not used, because "+at+" "+c.problem) {
					t.Errorf("%s: %v; want it refused, naming %s", step.name, err, at)
				}
				if cmds := ch.Commands(); len(cmds) != 0 {
					t.Errorf("%s changed things: %q", step.name, cmds)
				}
				if got, _ := os.ReadFile(victim); !bytes.Equal(got, orig) {
					t.Fatalf("%s wrote what the journal said into %s:\n%s", step.name, victim, got)
				}
				if _, err := os.Lstat(journal); err != nil {
					t.Fatalf("%s removed the journal: %v", step.name, err)
				}
			}
		})
	}
}

func chownT(t *testing.T, path string, uid int) {
	t.Helper()
	if err := os.Chown(path, uid, uid); err != nil {
		t.Fatal(err)
	}
}

// A journal that an older Clearance left readable by everyone, in effect
// ("active") and so not rewritten until dns-restore, becomes root's alone
// to read at the next start; one already private is not touched.
func TestSecurityRepairMakesAnOldJournalPrivate(t *testing.T) {
	needsRootAndSetpriv(t)
	base := roottest.Dir(t)
	journal := filepath.Join(base, "state", "dns-journal.json")
	src, _ := resolvConfIn(t, base, "resolv.conf")
	j, err := recordResolvConfFile(src)
	if err != nil {
		t.Fatal(err)
	}
	j.Version, j.Phase, j.OS, j.Public = dnsJournalVersion, dnsPhaseActive, "linux", publicDNSResolvConf
	if err := writeDNSJournal(journal, j); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(journal, 0o644); err != nil { // as an older Clearance wrote it
		t.Fatal(err)
	}
	want := "make " + journal + " readable by root only (it holds a copy of the DNS settings)"
	for i, wantCmds := range [][]string{{want}, nil} {
		ch := platform.NewChanges(newDNSFake(t, nil), false)
		if repaired, err := repairDNS(t.Context(), ch, journal, ""); err != nil || repaired {
			t.Fatalf("start %d: repairDNS = %v, %v", i+1, repaired, err)
		}
		if !slices.Equal(ch.Commands(), wantCmds) {
			t.Errorf("start %d: commands %q, want %q", i+1, ch.Commands(), wantCmds)
		}
		fi, err := os.Stat(journal)
		if err != nil {
			t.Fatalf("start %d: the active journal is gone: %v", i+1, err)
		}
		if m := fi.Mode().Perm(); m != 0o600 {
			t.Fatalf("start %d: journal mode %v, want 0600", i+1, m)
		}
	}
}

// The journal's directory is the state directory: writing the journal
// makes it root's and 0755 whatever the umask, never where others could
// change it.
func TestDNSJournalMakesTheStateDir(t *testing.T) {
	needsRootAndSetpriv(t)
	old := syscall.Umask(0o077)
	defer syscall.Umask(old)
	base := roottest.Dir(t)
	state := filepath.Join(base, "lib", "clearance")
	plantJournal(t, filepath.Join(state, "dns-journal.json"), filepath.Join(base, "resolv.conf"))
	for _, d := range []string{filepath.Dir(state), state} {
		if fi, err := os.Stat(d); err != nil || fi.Mode().Perm() != 0o755 {
			t.Errorf("%s: %v %v, want 0755", d, fi.Mode(), err)
		}
	}

	open := filepath.Join(base, "open")
	if err := os.Mkdir(open, 0o777); err != nil {
		t.Fatal(err)
	}
	os.Chmod(open, 0o777)
	j := dnsJournal{Version: dnsJournalVersion}
	if err := writeDNSJournal(filepath.Join(open, "state", "dns-journal.json"), j); err == nil || !strings.Contains(err.Error(), open+" may be written by anyone") {
		t.Fatalf("a journal under %s: %v, want it refused", open, err)
	}
	if _, err := os.Lstat(filepath.Join(open, "state")); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("the state directory was made under %s: %v", open, err)
	}
}
