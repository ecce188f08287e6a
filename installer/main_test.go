package installer

import (
	"os"
	"testing"

	"github.com/clearance-app/clearance/platform/host"
)

// TestMain lets the test binary double as a small program that a test runs
// as a child, selected by CLEARANCE_INSTALLER_HELPER.
func TestMain(m *testing.M) {
	if name := os.Getenv("CLEARANCE_INSTALLER_HELPER"); name != "" {
		h := helpers[name]
		if h == nil {
			os.Stderr.WriteString("unknown helper\n")
			os.Exit(3)
		}
		os.Exit(h())
	}
	// Uninstall removes the state directory: the tests' must be their own.
	dir, err := os.MkdirTemp("", "clearance-installer-test-")
	if err != nil {
		os.Stderr.WriteString(err.Error() + "\n")
		os.Exit(3)
	}
	os.Setenv(host.StateDirEnv, dir)
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// helpers are the child programs, registered by the tests that run them.
var helpers = map[string]func() int{}
