package dnsfix

import (
	"testing"

	"github.com/clearance-app/clearance/platform/internal/platformtest"
)

// testHelpers are modes in which the test binary, re-executed as a child,
// does one job inside a namespace; each test file registers its own from an
// init function.
var testHelpers = map[string]func() int{}

func TestMain(m *testing.M) { platformtest.Main(m, testHelpers) }
