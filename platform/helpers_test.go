package platform

import (
	"os"
	"path/filepath"
	"testing"
)

// readFixture reads testdata/DIR/NAME.
func readFixture(t *testing.T, dir, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", dir, name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}
