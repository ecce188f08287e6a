package host_test

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/clearance-app/clearance/internal/roottest"
	"github.com/clearance-app/clearance/platform/host"
)

// resultsState gives the test a state directory of its own, not yet
// created, in a directory that only root can change and every user may
// traverse (as /var/lib is).
func resultsState(t *testing.T) string {
	t.Helper()
	state := filepath.Join(roottest.Dir(t), "state")
	t.Setenv(host.StateDirEnv, state)
	return state
}

const testToken = "Q2FzZVN0dWR5VG9rZW4x"

func createResult(t *testing.T, token, content string) string {
	t.Helper()
	f, err := host.CreateResult(token, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(content); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return f.Name()
}

func mode(t *testing.T, path string) os.FileMode {
	t.Helper()
	st, err := os.Lstat(path)
	if err != nil {
		t.Fatal(err)
	}
	return st.Mode()
}

// The result lands in results/ of the state directory, which host.CreateResult
// makes: the file 0644, the directory 0755, whatever the umask was; it is
// read back by its token; a second result under the same token is refused
// and leaves the first alone.
func TestCreateResult(t *testing.T) {
	state := resultsState(t)
	path := createResult(t, testToken, `{"result":"fixed"}`)
	want := filepath.Join(state, "results", "fix-"+testToken+".json")
	if path != want {
		t.Fatalf("result at %s, want %s", path, want)
	}
	if m := mode(t, want); m != 0o644 {
		t.Errorf("file mode %v, want 0644", m)
	}
	if m := mode(t, filepath.Dir(want)); m != os.ModeDir|0o755 {
		t.Errorf("directory mode %v, want 0755", m)
	}
	if b, err := host.ReadResult(testToken); err != nil || string(b) != `{"result":"fixed"}` {
		t.Fatalf("read back %q %v", b, err)
	}
	if f, err := host.CreateResult(testToken, time.Now()); err == nil {
		f.Close()
		t.Fatal("a second result under the same token was created")
	}
	if b, _ := host.ReadResult(testToken); string(b) != `{"result":"fixed"}` {
		t.Fatalf("the first result changed: %q", b)
	}
}

// A token is letters and digits, 16 to 64 of them: anything that could be
// or make a path is refused before anything is created.
func TestResultTokens(t *testing.T) {
	state := resultsState(t)
	for _, bad := range []string{
		"", "short", strings.Repeat("a", 65), "../../../../etc/passwd", "..", "abcdefghijklmnop/q",
		`abcdefghijklmnop\q`, "abcdefghijklmnop.json", "-abcdefghijklmnop", "abcdefghijklmnop\x00", "abcdefghijklmnöp",
		"abcdefghijklmnop q", "abcdefghijklmnop\n",
	} {
		if f, err := host.CreateResult(bad, time.Now()); !errors.Is(err, host.ErrResultToken) {
			if f != nil {
				f.Close()
			}
			t.Errorf("host.CreateResult(%q): %v, want host.ErrResultToken", bad, err)
		}
		if _, err := host.ReadResult(bad); !errors.Is(err, host.ErrResultToken) {
			t.Errorf("host.ReadResult(%q): %v, want host.ErrResultToken", bad, err)
		}
	}
	if _, err := os.Lstat(state); !os.IsNotExist(err) {
		t.Fatalf("refused tokens created the state directory: %v", err)
	}
	for _, good := range []string{strings.Repeat("a", 16), strings.Repeat("Z9", 32), "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"} {
		if err := host.CheckResultToken(good); err != nil {
			t.Errorf("%q refused: %v", good, err)
		}
	}
}

// A link already at the result's name is never followed: not to a file
// that exists (unchanged), nor to one that does not (not created).
func TestSecurityCreateResultDoesNotFollowALink(t *testing.T) {
	state := resultsState(t)
	createResult(t, "Zm9yVGhlRGlyZWN0b3J5", "") // makes the directory
	victim := filepath.Join(t.TempDir(), "victim")
	if err := os.WriteFile(victim, []byte("precious"), 0o600); err != nil {
		t.Fatal(err)
	}
	absent := filepath.Join(t.TempDir(), "absent")
	for token, target := range map[string]string{"TGlua1RvQUZpbGUxMjM0": victim, "TGlua1RvTm90aGluZzEy": absent} {
		if err := os.Symlink(target, filepath.Join(state, "results", "fix-"+token+".json")); err != nil {
			t.Fatal(err)
		}
		if f, err := host.CreateResult(token, time.Now()); err == nil {
			f.WriteString("overwritten")
			f.Close()
			t.Errorf("a result was created through a link to %s", target)
		}
	}
	if b, _ := os.ReadFile(victim); string(b) != "precious" {
		t.Errorf("the linked file now holds %q", b)
	}
	if _, err := os.Lstat(absent); !os.IsNotExist(err) {
		t.Errorf("the link's target was created: %v", err)
	}
}

// A results directory that someone else owns, or a directory above it
// that others could change, is refused, and nothing is written anywhere;
// one of root's that others could write loses that first, as every
// directory Clearance keeps for itself does (host.MakeRootOwnedDir).
func TestSecurityCreateResultRefusesAnUnsafeDirectory(t *testing.T) {
	for _, tc := range []struct {
		name  string
		plant func(t *testing.T, state string)
		ok    bool   // accepted
		says  string // in the refusal
	}{
		{"root's, world-writable", func(t *testing.T, state string) { mkdir(t, filepath.Join(state, "results"), 0o777) }, true, ""},
		{"root's, group-writable", func(t *testing.T, state string) { mkdir(t, filepath.Join(state, "results"), 0o775) }, true, ""},
		{"root's link to root's directory", func(t *testing.T, state string) {
			elsewhere := filepath.Join(filepath.Dir(state), "elsewhere")
			mkdir(t, elsewhere, 0o755)
			if err := os.Symlink(elsewhere, filepath.Join(state, "results")); err != nil {
				t.Fatal(err)
			}
		}, true, ""},
		{"another user's link", func(t *testing.T, state string) {
			elsewhere := filepath.Join(filepath.Dir(state), "elsewhere")
			mkdir(t, elsewhere, 0o755)
			link := filepath.Join(state, "results")
			if err := os.Symlink(elsewhere, link); err != nil {
				t.Fatal(err)
			}
			if err := os.Lchown(link, 65534, 65534); err != nil {
				t.Fatal(err)
			}
		}, false, "is a link that belongs to the user"},
		{"a file", func(t *testing.T, state string) {
			if err := os.WriteFile(filepath.Join(state, "results"), nil, 0o644); err != nil {
				t.Fatal(err)
			}
		}, false, "not a directory"},
		{"another user's", func(t *testing.T, state string) {
			results := filepath.Join(state, "results")
			mkdir(t, results, 0o755)
			if err := os.Chown(results, 65534, 65534); err != nil {
				t.Fatal(err)
			}
		}, false, "belongs to the user"},
		{"the state directory another user's", func(t *testing.T, state string) {
			if err := os.Chown(state, 65534, 65534); err != nil {
				t.Fatal(err)
			}
		}, false, "belongs to the user"},
		{"a directory above that everyone may write", func(t *testing.T, state string) {
			if err := os.Chmod(filepath.Dir(state), 0o777); err != nil {
				t.Fatal(err)
			}
		}, false, "may be written by anyone"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			needRootForOwners(t)
			state := resultsState(t)
			mkdir(t, state, 0o755)
			tc.plant(t, state)
			f, err := host.CreateResult(testToken, time.Now())
			if tc.ok {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				f.Close()
				if m := mode(t, f.Name()); m != 0o644 {
					t.Errorf("result mode %v", m)
				}
				if fi, err := os.Stat(filepath.Dir(f.Name())); err != nil || fi.Mode().Perm() != 0o755 {
					t.Errorf("the directory the result is in: %v %v, want 0755", fi.Mode(), err)
				}
				return
			}
			if err == nil {
				f.Close()
				t.Fatalf("a result was created at %s", f.Name())
			}
			if !strings.Contains(err.Error(), tc.says) {
				t.Errorf("error %q does not say %q", err, tc.says)
			}
			filepath.Walk(filepath.Dir(state), func(p string, info os.FileInfo, err error) error {
				if err == nil && strings.HasPrefix(info.Name(), "fix-") {
					t.Errorf("%s was written", p)
				}
				return nil
			})
		})
	}
}

func mkdir(t *testing.T, path string, perm os.FileMode) {
	t.Helper()
	if err := os.Mkdir(path, perm); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, perm); err != nil { // past the umask
		t.Fatal(err)
	}
}

// Results are read at once and the person may not delete them: the next
// result removes those older than an hour, and nothing else.
func TestOldResultsAreRemoved(t *testing.T) {
	state := resultsState(t)
	createResult(t, testToken, "")
	results := filepath.Join(state, "results")
	old := time.Now().Add(-2 * time.Hour)
	plant := func(name string, dir bool) string {
		p := filepath.Join(results, name)
		var err error
		if dir {
			err = os.Mkdir(p, 0o755)
		} else {
			err = os.WriteFile(p, nil, 0o644)
		}
		if err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, old, old); err != nil {
			t.Fatal(err)
		}
		return p
	}
	stale := plant("fix-T2xkUmVzdWx0MTIzNDU2.json", false)
	kept := []string{
		plant("notes.txt", false),
		plant("fix-short.json", false),
		plant("fix-QURpcmVjdG9yeTEyMzQ1.json", true),
	}
	link := filepath.Join(results, "fix-QUxpbmtUb05vdGhpbmcx.json")
	if err := os.Symlink("/nonexistent", link); err != nil {
		t.Fatal(err)
	}
	kept = append(kept, link, filepath.Join(results, "fix-"+testToken+".json"))

	createResult(t, "TmV3UmVzdWx0MTIzNDU2Nzg", "")
	if _, err := os.Lstat(stale); !os.IsNotExist(err) {
		t.Errorf("a result two hours old is still there: %v", err)
	}
	for _, p := range kept {
		if _, err := os.Lstat(p); err != nil {
			t.Errorf("%s was removed: %v", p, err)
		}
	}
}

// The person reads the result, and can neither remove nor add anything in
// the directory: another uid, for real (setpriv).
func TestSecurityResultsAsAnotherUser(t *testing.T) {
	why := ""
	if os.Geteuid() != 0 {
		why = "needs root to act as another user"
	} else if _, err := exec.LookPath("setpriv"); err != nil {
		why = "needs setpriv(1) from util-linux"
	}
	if why != "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s (mandatory in CI)", why)
		}
		t.Skip(why)
	}
	resultsState(t)
	path := createResult(t, testToken, `{"result":"fixed"}`)
	as := func(script string) (string, error) {
		cmd := exec.Command("setpriv", "--reuid", "65534", "--regid", "65534", "--clear-groups", "--", "sh", "-c", script, "sh", path)
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	if out, err := as(`cat "$1"`); err != nil || out != `{"result":"fixed"}` {
		t.Fatalf("another user reads %q, %v", out, err)
	}
	for _, script := range []string{
		`rm -f "$1"`,
		`mv "$1" "$1.x"`,
		`echo x >>"$1"`,
		`touch "$(dirname "$1")/planted"`,
		`ln -s /etc/passwd "$(dirname "$1")/fix-UGxhbnRlZExpbmsxMjM0.json"`,
	} {
		if out, err := as(script); err == nil {
			t.Errorf("another user could %s: %s", script, out)
		}
	}
	if b, err := os.ReadFile(path); err != nil || string(b) != `{"result":"fixed"}` {
		t.Fatalf("the result is now %q %v", b, err)
	}
}
