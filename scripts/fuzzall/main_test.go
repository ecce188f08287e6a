package main

import "testing"

// deadlineRace passes over Go's own deadline failure only: any found input
// or panic is a failure.
func TestDeadlineRace(t *testing.T) {
	race := "fuzz: elapsed: 11s, execs: 231379 (15531/sec), new interesting: 60 (total: 138)\n--- FAIL: FuzzProcTimeFacts (10.62s)\n    context deadline exceeded\nFAIL\n"
	found := "--- FAIL: FuzzX (0.31s)\n    --- FAIL: FuzzX (0.00s)\n        x_test.go:50: bad\n\n    Failing input written to testdata/fuzz/FuzzX/37aeef7934d694cf\n    context deadline exceeded\n"
	for out, want := range map[string]bool{race: true, found: false, "panic: boom\n    context deadline exceeded\n": false, "--- FAIL: FuzzX\n    x_test.go:3: bad\n": false} {
		if got := deadlineRace([]byte(out)); got != want {
			t.Errorf("deadlineRace(%q) = %v, want %v", out, got, want)
		}
	}
}

func TestIsFuzzName(t *testing.T) {
	for name, want := range map[string]bool{"Fuzz": true, "FuzzX": true, "Fuzz_x": true, "Fuzzy": false, "TestFuzz": false} {
		if got := isFuzzName(name); got != want {
			t.Errorf("isFuzzName(%q) = %v, want %v", name, got, want)
		}
	}
}
