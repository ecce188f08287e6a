package installer

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/clearance-app/clearance/platform"
)

// answers is a runner that answers each argv from a table; anything else
// is a command that is not installed.
type answers map[string]string

func (a answers) Run(_ context.Context, name string, args ...string) ([]byte, error) {
	argv := strings.Join(append([]string{name}, args...), " ")
	out, ok := a[argv]
	if !ok {
		return nil, &platform.ExitError{Argv: append([]string{name}, args...), Code: 1, Stderr: "no path found matching pattern"}
	}
	return []byte(out), nil
}

const (
	dpkgSearch = "dpkg-query --search /usr/bin/clearance"
	rpmSearch  = "rpm --query --file --queryformat %{NAME} /usr/bin/clearance"
)

// The answers are those of dpkg-query 1.21 and rpm 4.18 on Debian 12 for
// a file a package owns ("clearance: /usr/bin/clearance"; rpm prints the
// name alone with that format) and one none owns (exit 1).
func TestPackagedBy(t *testing.T) {
	ctx := context.Background()
	if p := packagedBy(ctx, answers{}, "uninstall"); p != nil {
		t.Errorf("no package: %+v", p)
	}
	p := packagedBy(ctx, answers{dpkgSearch: "clearance: /usr/bin/clearance\n"}, "uninstall")
	if p == nil || p.Remove != "sudo apt remove clearance" || p.Package != "the Debian package clearance" {
		t.Errorf("deb: %+v", p)
	}
	p = packagedBy(ctx, answers{rpmSearch: "clearance"}, "install")
	if p == nil || p.Remove != "sudo dnf remove clearance" || !strings.Contains(p.Error(), "already installed, by the RPM package clearance") {
		t.Errorf("rpm: %+v", p)
	}
}

// On a packaged machine, uninstall and install change nothing and say
// what to run instead; the service manager is never asked anything.
func TestPackagedRefusesInstallAndUninstall(t *testing.T) {
	var ev events
	m := &fakeManager{ev: &ev, installed: true, running: true}
	s := testSetup(t, Options{Executable: "/usr/bin/clearance"}, m, &fakeRunner{t: t, ev: &ev}, &fakeDB{})
	s.packaged = func(ctx context.Context, op string) *PackagedError {
		return packagedBy(ctx, answers{dpkgSearch: "clearance: /usr/bin/clearance\n"}, op)
	}
	for _, op := range []func(context.Context) ([]Step, error){s.uninstall, s.install} {
		steps, err := op(context.Background())
		var pe *PackagedError
		if !errors.As(err, &pe) || len(steps) != 0 || !strings.Contains(err.Error(), "nothing was changed") ||
			!strings.HasSuffix(err.Error(), "sudo apt remove clearance") {
			t.Errorf("steps %v, err %v", steps, err)
		}
	}
	if len(ev) != 0 || !m.installed || !m.running {
		t.Errorf("something was done: %v, %+v", ev, m)
	}
}
