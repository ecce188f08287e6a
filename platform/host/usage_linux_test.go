package host

import (
	"os"
	"testing"
)

// ReadUsage counts a descriptor this test opens, and gives a resident set
// a Go test binary certainly has (more than a megabyte).
func TestReadUsageLinux(t *testing.T) {
	before := ReadUsage()
	if !before.OpenFilesKnown || !before.ResidentBytesKnown {
		t.Fatalf("usage unknown on Linux: %+v", before)
	}
	if before.ResidentBytes < 1<<20 {
		t.Errorf("resident %d bytes: implausibly small", before.ResidentBytes)
	}
	f, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if after := ReadUsage(); after.OpenFiles != before.OpenFiles+1 {
		t.Errorf("open files %d after opening one more than %d", after.OpenFiles, before.OpenFiles)
	}
}
