package host

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzParseProcNetListeners: /proc/net/{tcp,udp}[6] is the kernel's, but
// a process reads it through whatever /proc it was given. An error
// returns nothing, and every address returned is one.
func FuzzParseProcNetListeners(f *testing.F) {
	names, _ := filepath.Glob(filepath.Join("..", "dnsconf", "testdata", "resolver", "*proc-net-*"))
	if len(names) == 0 {
		f.Fatal("no recorded /proc/net tables in ../dnsconf/testdata/resolver")
	}
	for _, n := range names {
		b, err := os.ReadFile(n)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, true)
		f.Add(b, false)
	}
	f.Fuzz(func(t *testing.T, data []byte, udp bool) {
		ls, err := ParseProcNetListeners(data, udp)
		if err != nil && ls != nil {
			t.Fatalf("%v with an error (%v)", ls, err)
		}
		for _, l := range ls {
			if !l.Addr().IsValid() || l.Addr().Is4In6() {
				t.Fatalf("listener %v", l)
			}
		}
	})
}
