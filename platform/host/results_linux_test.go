package host

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// resultsState gives the test a state directory of its own, not yet
// created, which every user may traverse (as /var/lib is).
func resultsState(t *testing.T) string {
	t.Helper()
	base, err := os.MkdirTemp("/tmp", "clr-results-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(base) })
	if err := os.Chmod(base, 0o755); err != nil {
		t.Fatal(err)
	}
	state := filepath.Join(base, "state")
	t.Setenv(StateDirEnv, state)
	return state
}

const testToken = "Q2FzZVN0dWR5VG9rZW4x"

func createResult(t *testing.T, token, content string) string {
	t.Helper()
	f, err := CreateResult(token, time.Now())
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

// The result lands in results/ of the state directory, which CreateResult
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
	if b, err := ReadResult(testToken); err != nil || string(b) != `{"result":"fixed"}` {
		t.Fatalf("read back %q %v", b, err)
	}
	if f, err := CreateResult(testToken, time.Now()); err == nil {
		f.Close()
		t.Fatal("a second result under the same token was created")
	}
	if b, _ := ReadResult(testToken); string(b) != `{"result":"fixed"}` {
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
		if f, err := CreateResult(bad, time.Now()); !errors.Is(err, ErrResultToken) {
			if f != nil {
				f.Close()
			}
			t.Errorf("CreateResult(%q): %v, want ErrResultToken", bad, err)
		}
		if _, err := ReadResult(bad); !errors.Is(err, ErrResultToken) {
			t.Errorf("ReadResult(%q): %v, want ErrResultToken", bad, err)
		}
	}
	if _, err := os.Lstat(state); !os.IsNotExist(err) {
		t.Fatalf("refused tokens created the state directory: %v", err)
	}
	for _, good := range []string{strings.Repeat("a", 16), strings.Repeat("Z9", 32), "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"} {
		if err := CheckResultToken(good); err != nil {
			t.Errorf("%q refused: %v", good, err)
		}
	}
}

// A link already at the result's name is never followed: not to a file
// that exists (unchanged), nor to one that does not (not created).
func TestCreateResultDoesNotFollowALink(t *testing.T) {
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
		if f, err := CreateResult(token, time.Now()); err == nil {
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

// A results directory that others could write in, or that is not a plain
// directory, is refused, and nothing is written anywhere.
func TestCreateResultRefusesAnUnsafeDirectory(t *testing.T) {
	for _, tc := range []struct {
		name  string
		root  bool // needs root (chown)
		plant func(t *testing.T, results string)
		says  string
	}{
		{"world-writable", false, func(t *testing.T, results string) { mkdir(t, results, 0o777) }, "others may write"},
		{"group-writable", false, func(t *testing.T, results string) { mkdir(t, results, 0o775) }, "others may write"},
		{"a link to a directory", false, func(t *testing.T, results string) {
			elsewhere := filepath.Join(filepath.Dir(results), "elsewhere")
			mkdir(t, elsewhere, 0o755)
			if err := os.Symlink(elsewhere, results); err != nil {
				t.Fatal(err)
			}
		}, "not a directory"},
		{"a file", false, func(t *testing.T, results string) {
			if err := os.WriteFile(results, nil, 0o644); err != nil {
				t.Fatal(err)
			}
		}, ""},
		{"another user's", true, func(t *testing.T, results string) {
			mkdir(t, results, 0o755)
			if err := os.Chown(results, 65534, 65534); err != nil {
				t.Fatal(err)
			}
		}, "belongs to uid 65534"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.root && os.Geteuid() != 0 {
				if os.Getenv("CI") == "true" {
					t.Fatal("needs root to give a directory to another user (mandatory in CI)")
				}
				t.Skip("needs root to give a directory to another user")
			}
			state := resultsState(t)
			mkdir(t, state, 0o755)
			tc.plant(t, filepath.Join(state, "results"))
			f, err := CreateResult(testToken, time.Now())
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
func TestResultsAsAnotherUser(t *testing.T) {
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
