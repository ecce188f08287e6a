package main

import (
	"encoding/json"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/clearance-app/clearance/agent/api"
	"github.com/clearance-app/clearance/internal/roottest"
	"github.com/clearance-app/clearance/platform/host"
)

// `clearance fix --result TOKEN` hands its result back through the state
// directory, for a caller that cannot read an elevated process's output
// (the Windows tray); `--out FILE`, which wrote with root's rights to a
// path the caller named, is refused.

const resultToken = "VGVzdFRva2VuMTIzNDU2Nzg"

// fixWithState runs `clearance fix ARGS…` with the given state directory.
func fixWithState(t *testing.T, prefix []string, state string, args ...string) result {
	t.Helper()
	cmd := clearanceCmd(t, prefix, append([]string{"fix"}, args...)...)
	cmd.Env = append(cmd.Env, host.StateDirEnv+"="+state)
	return runCmd(t, cmd)
}

// readResultAs decodes the result left for token, read as the tray reads
// it (host.ReadResult).
func readResultAs(t *testing.T, state, token string) api.FixResult {
	t.Helper()
	t.Setenv(host.StateDirEnv, state)
	b, err := host.ReadResult(token)
	if err != nil {
		t.Fatalf("read the result: %v", err)
	}
	var res api.FixResult
	if err := json.Unmarshal(b, &res); err != nil {
		t.Fatalf("the result is not JSON: %v\n%s", err, b)
	}
	return res
}

// files lists what is under dir, relative, with each entry's mode.
func files(t *testing.T, dir string) map[string]fs.FileMode {
	t.Helper()
	out := map[string]fs.FileMode{}
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			t.Fatal(err)
		}
		if p != dir {
			info, _ := d.Info()
			rel, _ := filepath.Rel(dir, p)
			out[rel] = info.Mode()
		}
		return nil
	})
	return out
}

// A real fix (dns-flush, a dry run, in a namespace) run as root: the result
// is in results/ of the state directory, readable by everyone, root's, and
// nothing is printed or written anywhere else in it.
func TestFixResultGoesToTheStateDir(t *testing.T) {
	requireRoot(t)
	ns := newNetns(t)
	state := roottest.Dir(t)
	r := fixWithState(t, ns.prefix(), state, "dns-flush", "--dry-run", "--local", "--result", resultToken)
	if r.code != 0 || r.stdout != "" {
		t.Fatalf("exit %d, stdout %q; want 0 and nothing printed\n%s", r.code, r.stdout, r.stderr)
	}
	name := filepath.Join("results", "fix-"+resultToken+".json")
	got := files(t, state)
	delete(got, "fix.lock") // the fixes' lock, when the fix takes it
	if want := map[string]fs.FileMode{"results": fs.ModeDir | 0o755, name: 0o644}; !maps.Equal(got, want) {
		t.Fatalf("the state directory holds %v, want %v", got, want)
	}
	st, _ := os.Stat(filepath.Join(state, name))
	if uid := st.Sys().(*syscall.Stat_t).Uid; uid != 0 {
		t.Errorf("the result belongs to uid %d, want root", uid)
	}
	if res := readResultAs(t, state, resultToken); res.Fix != "dns-flush" || res.Result == "" || res.Message == "" {
		t.Fatalf("result %+v", res)
	}
}

// A fix that cannot run still gives the caller a result to show, with what
// went wrong: in the results directory with --result, on standard output
// with --json (osascript passes on only the output of a command, and
// pkexec's caller reads it there).
func TestFixFailureReachesTheCaller(t *testing.T) {
	state := roottest.Dir(t)
	none := filepath.Join(t.TempDir(), "none.sock")
	r := fixWithState(t, nil, state, "dns-flush", "--socket", none, "--result", resultToken)
	if r.code != 2 || !strings.Contains(r.stderr, "no agent answers at") {
		t.Fatalf("exit %d, stderr %q; want 2 saying no agent answers", r.code, r.stderr)
	}
	if res := readResultAs(t, state, resultToken); res.Fix != "dns-flush" || res.Result != api.Failed || !strings.Contains(res.Message, "no agent answers at "+none) {
		t.Fatalf("result %+v", res)
	}

	r = fixWithState(t, nil, state, "dns-flush", "--socket", none, "--json")
	var res api.FixResult
	if err := json.Unmarshal([]byte(r.stdout), &res); err != nil || r.code != 2 || res.Result != api.Failed || !strings.Contains(res.Message, "no agent answers at") {
		t.Fatalf("--json: exit %d, stdout %q (%v)", r.code, r.stdout, err)
	}
}

// The token is all the caller passes, and it cannot make a path: anything
// but 16 to 64 letters and digits is refused before anything is done.
func TestSecurityFixRefusesABadResultToken(t *testing.T) {
	state := filepath.Join(t.TempDir(), "state")
	none := filepath.Join(t.TempDir(), "none.sock")
	for _, token := range []string{"../../../tmp/x", "..", "/tmp/fix-result", "abcdefghijklmnop/x", "short", strings.Repeat("a", 65), "abcdefghijklmnop.json"} {
		r := fixWithState(t, nil, state, "dns-flush", "--socket", none, "--result", token)
		if r.code != 2 || !strings.Contains(r.stderr, "16 to 64 letters and digits") || r.stdout != "" {
			t.Errorf("--result %q: exit %d, stdout %q, stderr %q; want 2 saying what a token is", token, r.code, r.stdout, r.stderr)
		}
	}
	if _, err := os.Lstat(state); !os.IsNotExist(err) {
		t.Fatalf("refused tokens created the state directory: %v", err)
	}
}

// A link already at the result's name, or a state directory in one that
// others may write in, is refused before the fix runs, and nothing is
// written through the link, or anywhere in the open directory.
func TestSecurityFixResultRefusesALinkOrAnOpenDirectory(t *testing.T) {
	none := filepath.Join(t.TempDir(), "none.sock")
	victim := filepath.Join(t.TempDir(), "victim")
	if err := os.WriteFile(victim, []byte("precious"), 0o644); err != nil {
		t.Fatal(err)
	}
	state := roottest.Dir(t)
	results := filepath.Join(state, "results")
	if err := os.Mkdir(results, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(victim, filepath.Join(results, "fix-"+resultToken+".json")); err != nil {
		t.Fatal(err)
	}
	r := fixWithState(t, nil, state, "dns-flush", "--socket", none, "--result", resultToken)
	if r.code != 2 || !strings.Contains(r.stderr, "create the fix's result") || strings.Contains(r.stderr, "no agent answers") {
		t.Errorf("a link at the name: exit %d, stderr %q; want 2, refused before the fix", r.code, r.stderr)
	}
	if b, _ := os.ReadFile(victim); string(b) != "precious" {
		t.Fatalf("written through the link: %q", b)
	}

	open := filepath.Join(roottest.Dir(t), "open")
	if err := os.Mkdir(open, 0o777); err != nil {
		t.Fatal(err)
	}
	os.Chmod(open, 0o777)
	r = fixWithState(t, nil, filepath.Join(open, "state"), "dns-flush", "--socket", none, "--result", resultToken)
	if r.code != 2 || !strings.Contains(r.stderr, "not a safe place") || !strings.Contains(r.stderr, open+" may be written by anyone") {
		t.Errorf("an open directory: exit %d, stderr %q", r.code, r.stderr)
	}
	if got := files(t, open); len(got) != 0 {
		t.Errorf("written in an open directory: %v", got)
	}
}

// --out, which wrote the result (as root, when elevated) to whatever the
// named path led to, is refused, and the link the caller planted leads
// nowhere: the file it points at is unchanged.
func TestSecurityFixOutIsRefused(t *testing.T) {
	none := filepath.Join(t.TempDir(), "none.sock")
	victim := filepath.Join(t.TempDir(), "victim")
	if err := os.WriteFile(victim, []byte("precious"), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(t.TempDir(), "clearance-fix-1.json")
	if err := os.Symlink(victim, link); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"dns-flush", "--socket", none, "--out", link},
		{"dns-flush", "--socket", none, "--json", "--out", link},
		{"recheck", "--socket", none, "--out", link},
	} {
		r := fixWithState(t, nil, t.TempDir(), args...)
		if r.code != 2 || !strings.Contains(r.stderr, "--out is no longer accepted") || !strings.Contains(r.stderr, "hint: use --json") {
			t.Errorf("clearance fix %s: exit %d, stderr %q", strings.Join(args, " "), r.code, r.stderr)
		}
		if b, _ := os.ReadFile(victim); string(b) != "precious" {
			t.Fatalf("clearance fix %s wrote through the link: %q", strings.Join(args, " "), b)
		}
	}
	if r := runCmd(t, clearanceCmd(t, nil, "fix", "--help")); !slices.ContainsFunc(strings.Split(r.stderr, "\n"), func(l string) bool {
		return strings.Contains(l, "-out FILE")
	}) || !strings.Contains(r.stderr, "no longer accepted") || !strings.Contains(r.stderr, "-result TOKEN") {
		t.Errorf("--help does not say what became of --out:\n%s", r.stderr)
	}
}
