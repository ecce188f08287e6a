package tray

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/clearance-app/clearance/agent/api"
	"github.com/clearance-app/clearance/platform"
)

// FuzzElevatedResult reads arbitrary output of the elevated fix command —
// what pkexec or osascript pass back, or the file the Windows helper
// leaves (host.ReadResult reads it, bounded, and hands the bytes to the
// same readFixResult) — with each way the command may have ended. Either
// it is the fix's result, the fix named by the tray whatever the output
// says, as the output says it, with a list of commands, or it is an error
// that matches errElevationFailed and repeats what the command said on
// standard error; never both. The tray then has words to show.
//
// Seeds: the outputs of TestReadFixResult and TestReadOsascript.
func FuzzElevatedResult(f *testing.F) {
	f.Add([]byte(`{"fix":"time-sync","result":"fixed","message":"Synced.","commands":["chronyc makestep"]}`+"\n"), 0, "")
	f.Add([]byte(`{"result":"failed","message":"No time service."}`), 1, "warning")
	f.Add([]byte(nil), 2, "clearance: unknown command \"fix\"\n")
	f.Add([]byte("not json"), -1, "")
	f.Add([]byte(`{"fix":"dns-flush","result":"failed","message":"No DNS cache runs here.","commands":[]}`+"\n"), 0, "")
	f.Add([]byte(nil), 1, "0:180: execution error: User canceled. (-128)\n")
	f.Add([]byte(nil), 1, "0:180: execution error: clearance: no such fix (2)\n")
	f.Add([]byte(`{"fix":"other","result":"pwned","message":"","commands":null}`), 0, "")
	f.Fuzz(func(t *testing.T, out []byte, code int, stderr string) {
		// code: -1 the command could not be started, 0 it exited 0, else
		// its exit status.
		var runErr error
		switch {
		case code < 0:
			runErr = errors.New("pkexec: not found")
		case code > 0:
			runErr = &platform.ExitError{Argv: []string{"pkexec"}, Code: code, Stderr: stderr}
		}
		for name, read := range map[string]func(string, []byte, error) (api.FixResult, error){"readFixResult": readFixResult, "readOsascript": readOsascript} {
			res, err := read("time-sync", out, runErr)
			if err != nil {
				if res.Result != "" || !errors.Is(err, errElevationFailed) {
					t.Fatalf("%s: %+v and %v; want no result and an error matching errElevationFailed", name, res, err)
				}
				if msg := strings.TrimSpace(stderr); code > 0 && msg != "" && !strings.Contains(err.Error(), msg) {
					t.Fatalf("%s: %q does not repeat what the command said, %q", name, err, msg)
				}
			} else {
				if res.Fix != "time-sync" || res.Result == "" || res.Commands == nil {
					t.Fatalf("%s: result %+v; want the tray's fix, an outcome and a list of commands", name, res)
				}
				var said api.FixResult
				if json.Unmarshal(bytes.TrimSpace(out), &said) == nil && (said.Result != res.Result || said.Message != res.Message) {
					t.Fatalf("%s: the command said %+v, read as %+v", name, said, res)
				}
			}
			if title, body := fixOutcome("time-sync", res, err); title == "" || body == "" {
				t.Fatalf("%s: %+v, %v shown as %q / %q", name, res, err, title, body)
			}
		}
	})
}
