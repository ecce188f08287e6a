package platform

import (
	"fmt"
	"os"
	"testing"
)

// testHelpers are modes in which the test binary, re-executed as a child
// (for example under `ip netns exec` or `unshare --mount`), does one job
// inside a namespace instead of running tests: a test process never moves
// its own threads into a namespace. Each test file registers its modes from
// an init function; the child is selected by CLEARANCE_PLATFORM_HELPER.
var testHelpers = map[string]func() int{}

func TestMain(m *testing.M) {
	if name := os.Getenv("CLEARANCE_PLATFORM_HELPER"); name != "" {
		fn, ok := testHelpers[name]
		if !ok {
			fmt.Fprintf(os.Stderr, "no test helper %q\n", name)
			os.Exit(2)
		}
		os.Exit(fn())
	}
	os.Exit(m.Run())
}
