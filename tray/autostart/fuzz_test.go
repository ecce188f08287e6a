package autostart

import (
	"strings"
	"testing"
)

// FuzzAutostartReaders reads the data as `launchctl print-disabled` output
// (macOS) and as an autostart desktop entry (Linux), both written by
// programs other than Clearance. A label read as disabled is one of the
// output's; an entry without Hidden or X-GNOME-Autostart-enabled is never
// disabled.
func FuzzAutostartReaders(f *testing.F) {
	for _, n := range []string{"print-disabled-bool.txt", "print-disabled-empty.txt", "print-disabled-words.txt"} {
		f.Add(readFixture(f, n))
	}
	f.Add("[Desktop Entry]\nType=Application\nX-GNOME-Autostart-enabled=false\nHidden = true\n[Other]\nHidden=false\n")
	f.Fuzz(func(t *testing.T, data string) {
		disabled, err := parsePrintDisabled(data)
		if err != nil && disabled != nil {
			t.Fatalf("%v with an error (%v)", disabled, err)
		}
		for label := range disabled {
			if !strings.Contains(data, label) {
				t.Fatalf("label %q is not in the output", label)
			}
		}
		if entryDisabled([]byte(data)) && !strings.Contains(data, "Hidden") && !strings.Contains(data, "X-GNOME-Autostart-enabled") {
			t.Fatalf("disabled without saying so: %q", data)
		}
	})
}
