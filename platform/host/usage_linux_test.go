package host

import (
	"os"
	"testing"
	"time"
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

// The processor time counts this process's work: it grows while the test
// spins (waited for, not timed).
func TestReadUsageCPULinux(t *testing.T) {
	before := ReadUsage()
	if !before.CPUSecondsKnown || before.CPUSeconds < 0 {
		t.Fatalf("processor time unknown on Linux: %+v", before)
	}
	deadline := time.Now().Add(60 * time.Second)
	for n := 0; ; n++ {
		if after := ReadUsage(); after.CPUSeconds > before.CPUSeconds {
			t.Logf("%.6f s of processor time, then %.6f s", before.CPUSeconds, after.CPUSeconds)
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("processor time stayed at %.3f s while the test spun", before.CPUSeconds)
		}
		for i := range 1_000_000 {
			n += i & 1
		}
	}
}
