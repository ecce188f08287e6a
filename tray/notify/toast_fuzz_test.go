package notify

import "testing"

// FuzzToastArgs: a toast's activation arguments come back from Windows
// when a person clicks; any program can start the tray with others. What
// toastArgs writes reads back the same, and anything else is read without
// panic.
func FuzzToastArgs(f *testing.F) {
	f.Add(uint32(7), "open-details", "id=7&key=snooze")
	f.Add(uint32(0), "a&b=c;d", "id=4294967296&key=")
	f.Add(uint32(1<<32-1), "%zz", "key=x&id=1&id=2")
	f.Fuzz(func(t *testing.T, id uint32, key, other string) {
		if got, ok := parseToastArgs(toastArgs(id, key)); !ok || got != (Invoked{ID: id, Key: key}) {
			t.Fatalf("toastArgs(%d, %q) read back as %+v, %v", id, key, got, ok)
		}
		if inv, ok := parseToastArgs(other); !ok && inv != (Invoked{}) {
			t.Fatalf("%+v from arguments refused", inv)
		}
	})
}
