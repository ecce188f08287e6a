package tray

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/clearance-app/clearance/agent/api"
	"github.com/clearance-app/clearance/platform"
	"github.com/clearance-app/clearance/platform/host"
)

// Without an agent, a privileged fix runs in a new process of this program,
// `clearance fix ID --json [--confirm]`, started with the operating
// system's own prompt for administrator rights: pkexec on Linux, an
// administrator prompt through osascript on macOS, UAC on Windows. The tray
// itself never gains privileges. The elevated process prints the fix's
// result as the JSON of POST /v1/fixes/{id}, which pkexec and osascript
// pass back. On Windows, where an elevated process's output cannot be
// read, the tray passes a random token instead (--result TOKEN) and reads
// the result from the file the elevated process makes for it in a
// directory only administrators can write (host.ResultsDir): never a
// path of the tray's choosing, which another of the person's processes
// could turn into a link to anywhere before root writes to it.

// elevator runs one privileged fix with elevation.
type elevator func(ctx context.Context, id string, opts api.FixOptions) (api.FixResult, error)

// elevationTimeout leaves a person time to read the prompt and type a
// password, and bounds a fix that hangs.
const elevationTimeout = 5 * time.Minute

// fixArgs are the arguments of the elevated command.
func fixArgs(id string, opts api.FixOptions) []string {
	args := []string{"fix", id, "--json"}
	if opts.Confirm {
		args = append(args, "--confirm")
	}
	if opts.DryRun {
		args = append(args, "--dry-run")
	}
	return args
}

// errElevationFailed: the elevated command gave no result to read.
var errElevationFailed = errors.New("the fix, run with administrator rights, gave no result")

// dismissed is the result when the person declines the prompt: nothing ran,
// which is an outcome to show, not an error.
func dismissed(id string) api.FixResult {
	return api.FixResult{Fix: id, Result: api.Failed, Message: "The administrator prompt was dismissed, so nothing was changed.", Commands: []string{}}
}

// readFixResult reads the elevated command's JSON answer. A command that
// exited non-zero after printing a result (a fix that failed) is a result;
// one that printed none is an error carrying what it said.
func readFixResult(id string, stdout []byte, runErr error) (api.FixResult, error) {
	var res api.FixResult
	if out := bytes.TrimSpace(stdout); len(out) > 0 && json.Unmarshal(out, &res) == nil && res.Result != "" {
		res.Fix = id
		if res.Commands == nil {
			res.Commands = []string{}
		}
		return res, nil
	}
	var ee *platform.ExitError
	if errors.As(runErr, &ee) {
		if msg := strings.TrimSpace(ee.Stderr); msg != "" {
			return api.FixResult{}, fmt.Errorf("%w (exit status %d): %s", errElevationFailed, ee.Code, msg)
		}
		return api.FixResult{}, fmt.Errorf("%w (exit status %d)", errElevationFailed, ee.Code)
	}
	if runErr != nil {
		return api.FixResult{}, fmt.Errorf("%w: %w", errElevationFailed, runErr)
	}
	return api.FixResult{}, errElevationFailed
}

// shellQuote quotes argv for /bin/sh.
func shellQuote(argv []string) string {
	out := make([]string, len(argv))
	for i, a := range argv {
		if a != "" && strings.Trim(a, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=:,+@%") == "" {
			out[i] = a
			continue
		}
		out[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
	}
	return strings.Join(out, " ")
}

// appleScriptString quotes s as an AppleScript string literal.
func appleScriptString(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

// adminScript is the AppleScript that runs the shell command as root
// after the system's administrator prompt, its output kept byte for byte.
func adminScript(command string) string {
	return "do shell script " + appleScriptString(command) + " with administrator privileges without altering line endings"
}

// resultShell is the shell command that runs argv and passes its output
// back, whatever its exit status, when it printed something: `do shell
// script` turns a non-zero status into an error and drops the output
// (Apple TN2065), and a fix that failed exits 1 or 2 with its result
// printed. With nothing printed, the status stands, and the error carries
// what the command wrote on standard error.
func resultShell(argv []string) string {
	return "out=$(" + shellQuote(argv) + `); status=$?; if [ -n "$out" ]; then printf '%s\n' "$out"; exit 0; fi; exit $status`
}

// osascriptArgv is the command that runs `exe fix …` as root on macOS.
func osascriptArgv(exe, id string, opts api.FixOptions) []string {
	return []string{"osascript", "-e", adminScript(resultShell(append([]string{exe}, fixArgs(id, opts)...)))}
}

// readOsascript reads osascript's answer: the fix's result, the dismissed
// prompt (error -128, "User canceled"), or an error.
func readOsascript(id string, out []byte, runErr error) (api.FixResult, error) {
	var ee *platform.ExitError
	if errors.As(runErr, &ee) && len(bytes.TrimSpace(out)) == 0 && strings.Contains(ee.Stderr, "(-128)") {
		return dismissed(id), nil
	}
	return readFixResult(id, out, runErr)
}

// newResultToken names the file an elevated fix leaves its result in
// (fix-TOKEN.json): fresh for every fix, so that two fixes, or two people's
// trays, never read each other's result or an old one. It is not a secret:
// everyone may list the results directory and read what is in it (a fix's
// outcome, nothing private). What makes the result trustworthy is where it
// is: only root or the Administrators can create files in that directory
// (host.CreateResult refuses one anybody else may write), and the elevated
// process creates the file new (O_EXCL), so no other process can plant a
// result for the tray to read or redirect root's write.
func newResultToken() string { return rand.Text() }

// resultArgs are the elevated command's arguments when its result comes
// back through the results directory.
func resultArgs(id string, opts api.FixOptions, token string) []string {
	return append(fixArgs(id, opts), "--result", token)
}

// readResultFile reads the result that `clearance fix … --result TOKEN`
// left, once it has exited (runErr: its exit status, when not 0).
func readResultFile(id, token string, runErr error) (api.FixResult, error) {
	out, err := host.ReadResult(token)
	if err != nil && runErr == nil {
		runErr = fmt.Errorf("read its result: %w", err)
	}
	return readFixResult(id, out, runErr)
}

// windowsArgs joins arguments into one command line as the C runtime's
// and CommandLineToArgvW's rules read it back: quotes around arguments with
// spaces, tabs or quotes, backslashes doubled only before a quote.
func windowsArgs(args []string) string {
	out := make([]string, len(args))
	for i, a := range args {
		if a != "" && !strings.ContainsAny(a, " \t\"") {
			out[i] = a
			continue
		}
		var b strings.Builder
		b.WriteByte('"')
		slashes := 0
		for _, r := range a {
			switch r {
			case '\\':
				slashes++
				continue
			case '"':
				b.WriteString(strings.Repeat(`\`, 2*slashes+1))
			default:
				b.WriteString(strings.Repeat(`\`, slashes))
			}
			slashes = 0
			b.WriteRune(r)
		}
		b.WriteString(strings.Repeat(`\`, 2*slashes))
		b.WriteByte('"')
		out[i] = b.String()
	}
	return strings.Join(out, " ")
}
