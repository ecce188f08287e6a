package agent

import (
	"fmt"
	"os"
	"testing"

	"github.com/clearance-app/clearance/internal/roottest"
	"github.com/clearance-app/clearance/platform/host"
)

// TestMain gives the tests a state directory of their own: the fixes take
// a lock and read the DNS journal there, and a test must never touch the
// machine's /var/lib/clearance. It is in a directory only root can change,
// as the agent asks of its state directory.
func TestMain(m *testing.M) {
	dir, err := roottest.MkdirTemp()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Setenv(host.StateDirEnv, dir)
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}
