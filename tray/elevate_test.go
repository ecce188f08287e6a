package tray

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/clearance-app/clearance/agent/api"
	"github.com/clearance-app/clearance/platform"
	"github.com/clearance-app/clearance/platform/host"
)

func TestFixArgs(t *testing.T) {
	if got := fixArgs("dns-flush", api.FixOptions{}); !slices.Equal(got, []string{"fix", "dns-flush", "--json"}) {
		t.Errorf("plain: %q", got)
	}
	if got := fixArgs("dns-public", api.FixOptions{Confirm: true, DryRun: true}); !slices.Equal(got, []string{"fix", "dns-public", "--json", "--confirm", "--dry-run"}) {
		t.Errorf("confirm, dry run: %q", got)
	}
}

func TestReadFixResult(t *testing.T) {
	res, err := readFixResult("time-sync", []byte(`{"fix":"time-sync","result":"fixed","message":"Synced.","commands":["chronyc makestep"]}`+"\n"), nil)
	if err != nil || res.Result != api.Fixed || res.Message != "Synced." || len(res.Commands) != 1 {
		t.Fatalf("fixed: %+v %v", res, err)
	}
	// A fix that failed exits non-zero, with its result printed.
	exit1 := &platform.ExitError{Argv: []string{"pkexec"}, Code: 1, Stderr: "warning"}
	res, err = readFixResult("time-sync", []byte(`{"result":"failed","message":"No time service."}`), exit1)
	if err != nil || res.Result != api.Failed || res.Fix != "time-sync" || res.Commands == nil {
		t.Fatalf("failed fix: %+v %v", res, err)
	}
	// Nothing printed: the error says what the command said.
	_, err = readFixResult("time-sync", nil, &platform.ExitError{Code: 2, Stderr: "clearance: unknown command \"fix\"\n"})
	if !errors.Is(err, errElevationFailed) || !strings.Contains(err.Error(), `unknown command "fix"`) || !strings.Contains(err.Error(), "exit status 2") {
		t.Fatalf("no result: %v", err)
	}
	if _, err := readFixResult("x", []byte("not json"), nil); !errors.Is(err, errElevationFailed) {
		t.Fatalf("garbage: %v", err)
	}
}

// The quoting of the elevated command line on each system, checked on
// every system. The expected strings are written by hand from the rules:
// POSIX sh single quotes; AppleScript string literals escape \ and ";
// Microsoft's "Parsing C command-line arguments" (backslashes are literal
// unless they precede a quote, where 2n+1 of them give n and a quote).
func TestQuoting(t *testing.T) {
	exe := "/Applications/Clearance App.app/Contents/MacOS/clearance"
	if got, want := shellQuote([]string{exe, "fix", "it's"}), `'/Applications/Clearance App.app/Contents/MacOS/clearance' fix 'it'\''s'`; got != want {
		t.Errorf("sh: %s, want %s", got, want)
	}
	if got, want := adminScript("/usr/local/bin/clearance fix dns-flush --json"),
		`do shell script "/usr/local/bin/clearance fix dns-flush --json" with administrator privileges without altering line endings`; got != want {
		t.Errorf("AppleScript: %s, want %s", got, want)
	}
	if got, want := adminScript(shellQuote([]string{exe, `a"b\c`})),
		`do shell script "'/Applications/Clearance App.app/Contents/MacOS/clearance' 'a\"b\\c'" with administrator privileges without altering line endings`; got != want {
		t.Errorf("AppleScript quoting: %s, want %s", got, want)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"fix", "dns-flush", "--json"}, `fix dns-flush --json`},
		{[]string{`C:\Program Files\Clearance\clearance.exe`}, `"C:\Program Files\Clearance\clearance.exe"`},
		{[]string{`C:\dir with space\`}, `"C:\dir with space\\"`},
		{[]string{`say "hi"`}, `"say \"hi\""`},
		{[]string{`a\"b c`}, `"a\\\"b c"`},
		{[]string{""}, `""`},
		{[]string{`C:\no\space`}, `C:\no\space`},
	} {
		if got := windowsArgs(tc.args); got != tc.want {
			t.Errorf("windows %q: %s, want %s", tc.args, got, tc.want)
		}
	}
}

// On macOS the command for osascript, exactly: the elevated fix inside the
// shell wrapper that keeps its output (resultShell, run for real in
// elevate_unix_test.go), inside `do shell script`, with no file named.
func TestOsascriptArgv(t *testing.T) {
	got := osascriptArgv("/Applications/Clearance.app/Contents/MacOS/clearance", "dns-public", api.FixOptions{Confirm: true})
	want := []string{"osascript", "-e", `do shell script "out=$(/Applications/Clearance.app/Contents/MacOS/clearance fix dns-public --json --confirm); ` +
		`status=$?; if [ -n \"$out\" ]; then printf '%s\\n' \"$out\"; exit 0; fi; exit $status" with administrator privileges without altering line endings`}
	if !slices.Equal(got, want) {
		t.Fatalf("osascript argv\n%q\nwant\n%q", got, want)
	}
}

// osascript's answers: the result printed (a fix that failed included, its
// status masked by resultShell), the dismissed prompt, and a failure with
// nothing printed. The -128 line is osascript's wording for "User
// canceled", written by hand.
func TestReadOsascript(t *testing.T) {
	res, err := readOsascript("dns-flush", []byte(`{"fix":"dns-flush","result":"failed","message":"No DNS cache runs here.","commands":[]}`+"\n"), nil)
	if err != nil || res.Result != api.Failed || res.Message != "No DNS cache runs here." {
		t.Fatalf("a failed fix: %+v %v", res, err)
	}
	cancel := &platform.ExitError{Argv: []string{"osascript"}, Code: 1, Stderr: "0:180: execution error: User canceled. (-128)\n"}
	res, err = readOsascript("dns-flush", nil, cancel)
	if err != nil || res.Result != api.Failed || !strings.Contains(res.Message, "dismissed") {
		t.Fatalf("dismissed: %+v %v", res, err)
	}
	broken := &platform.ExitError{Argv: []string{"osascript"}, Code: 1, Stderr: "0:180: execution error: clearance: no such fix (2)\n"}
	if _, err := readOsascript("dns-flush", nil, broken); !errors.Is(err, errElevationFailed) || !strings.Contains(err.Error(), "no such fix") {
		t.Fatalf("no result: %v", err)
	}
}

// On Windows the elevated command gets a fresh token, never a path; the
// token is one the command accepts.
func TestResultArgs(t *testing.T) {
	token := newResultToken()
	if err := host.CheckResultToken(token); err != nil {
		t.Fatalf("a new token %q is refused: %v", token, err)
	}
	if other := newResultToken(); other == token {
		t.Fatalf("two tokens alike: %q", token)
	}
	got := resultArgs("dns-public", api.FixOptions{Confirm: true}, token)
	if want := []string{"fix", "dns-public", "--json", "--confirm", "--result", token}; !slices.Equal(got, want) {
		t.Fatalf("args %q, want %q", got, want)
	}
	if line := windowsArgs(got); line != "fix dns-public --json --confirm --result "+token {
		t.Fatalf("command line %q", line)
	}
}
