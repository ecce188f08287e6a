package tray

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/clearance-app/clearance/agent/api"
	"github.com/clearance-app/clearance/platform"
)

// pkexec's exit statuses are from pkexec(1): 126 when the person dismissed
// the authentication dialog, 127 when not authorized or it could not ask.
// The stderr lines are written by hand in pkexec's wording (not recorded);
// only the exit status decides, the text is passed on for a person.
func TestElevateWithPkexec(t *testing.T) {
	exe := "/usr/bin/clearance"
	ctx := context.Background()
	want := []string{"pkexec", exe, "fix", "dns-public", "--json", "--confirm"}

	r := &argvRunner{t: t, want: want, out: `{"fix":"dns-public","result":"fixed","message":"Now using 1.1.1.1 and 8.8.8.8.","commands":["resolvectl dns eth0 1.1.1.1 8.8.8.8"]}`}
	res, err := elevate(ctx, r, exe, "dns-public", api.FixOptions{Confirm: true})
	if err != nil || !r.called || res.Result != api.Fixed || res.Commands[0] != "resolvectl dns eth0 1.1.1.1 8.8.8.8" {
		t.Fatalf("fixed: %+v %v", res, err)
	}

	r = &argvRunner{t: t, want: want, err: &platform.ExitError{Argv: want, Code: 126, Stderr: "Error executing command as another user: Request dismissed\n"}}
	res, err = elevate(ctx, r, exe, "dns-public", api.FixOptions{Confirm: true})
	if err != nil || res.Result != api.Failed || !strings.Contains(res.Message, "dismissed") {
		t.Fatalf("dismissed: %+v %v", res, err)
	}

	r = &argvRunner{t: t, want: want, err: &platform.ExitError{Argv: want, Code: 127, Stderr: "Error executing command as another user: Not authorized\n"}}
	if _, err = elevate(ctx, r, exe, "dns-public", api.FixOptions{Confirm: true}); err == nil || !strings.Contains(err.Error(), "polkit") || !strings.Contains(err.Error(), "Not authorized") {
		t.Fatalf("refused: %v", err)
	}
}

// argvRunner is a platform.Runner that expects one exact argv and answers
// with the given output and error.
type argvRunner struct {
	t      *testing.T
	want   []string
	out    string
	err    error
	called bool
}

func (r *argvRunner) Run(_ context.Context, name string, args ...string) ([]byte, error) {
	r.t.Helper()
	r.called = true
	if got := append([]string{name}, args...); !slices.Equal(got, r.want) {
		r.t.Fatalf("ran %q, want %q", got, r.want)
	}
	return []byte(r.out), r.err
}
