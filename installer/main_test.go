package installer

import (
	"os"
	"testing"
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
	os.Exit(m.Run())
}

// helpers are the child programs, registered by the tests that run them.
var helpers = map[string]func() int{}
