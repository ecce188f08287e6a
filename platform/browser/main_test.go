package browser

import (
	"testing"

	"github.com/clearance-app/clearance/platform/internal/platformtest"
)

// testHelpers are jobs the test binary does when re-executed as a child
// (a process holding a lock, discovery as another uid); each test file
// registers its own from an init function.
var testHelpers = map[string]func() int{}

func TestMain(m *testing.M) { platformtest.Main(m, testHelpers) }
