package host

import (
	"os"
	"testing"
)

// A statm read from a running process (testdata/statm, cat's own) gives
// its resident pages; anything else is an error, not a zero that would look like a
// process holding no memory.
func TestParseStatmResident(t *testing.T) {
	b, err := os.ReadFile("testdata/statm")
	if err != nil {
		t.Fatal(err)
	}
	if pages, err := ParseStatmResident(string(b)); err != nil || pages != 404 {
		t.Errorf("testdata/statm: %d pages, %v; want 404", pages, err)
	}
	for _, bad := range []string{"", "5791", "5791 x 1125", "5791 -3 1"} {
		if pages, err := ParseStatmResident(bad); err == nil {
			t.Errorf("%q: %d pages, no error", bad, pages)
		}
	}
}
