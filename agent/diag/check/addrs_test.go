package check

import (
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/clearance-app/clearance/internal/roottest"
)

func TestAddrMemoryRecallsTheNewestAcrossProcesses(t *testing.T) {
	path := filepath.Join(roottest.Dir(t), "clearance", "addrs.json") // root keeps memory only where root alone writes
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	m := &AddrMemory{Path: path}
	m.Remember("chatgpt.com", "104.18.32.47:443", now)
	m.Remember("www.cloudflare.com", "[2606:4700::6810:7b60]:443", now.Add(time.Minute))
	m.Remember("auth.openai.com", "104.18.32.47:443", now.Add(2*time.Minute)) // the same anycast address
	m.Remember("bad", "not an address", now)

	later := &AddrMemory{Path: path}
	got := later.Recall(4, now.Add(time.Hour))
	want := []netip.AddrPort{netip.MustParseAddrPort("104.18.32.47:443"), netip.MustParseAddrPort("[2606:4700::6810:7b60]:443")}
	if !slices.Equal(got, want) {
		t.Fatalf("Recall = %v, want %v (newest first, no repeats)", got, want)
	}
	if got := later.Recall(1, now.Add(time.Hour)); len(got) != 1 {
		t.Errorf("Recall(1) = %v", got)
	}
	if got := later.Recall(4, now.Add(addrForget+time.Hour)); len(got) != 0 {
		t.Errorf("after %v: %v, want nothing (forgotten)", addrForget, got)
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("file mode %v, %v; want 0600", fi.Mode(), err)
	}
}

// A run that only confirms what is known writes nothing.
func TestAddrMemoryWritesOnlyChanges(t *testing.T) {
	path := filepath.Join(roottest.Dir(t), "addrs.json")
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	m := &AddrMemory{Path: path}
	m.Remember("chatgpt.com", "104.18.32.47:443", now)
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	m.Remember("chatgpt.com", "104.18.32.47:443", now.Add(time.Minute))
	if _, err := os.Stat(path); err == nil {
		t.Error("an unchanged address was written again")
	}
	m.Remember("chatgpt.com", "104.18.32.48:443", now.Add(2*time.Minute))
	if _, err := os.Stat(path); err != nil {
		t.Errorf("a new address was not written: %v", err)
	}
}

func TestAddrMemoryIsBoundedAndSurvivesDamage(t *testing.T) {
	path := filepath.Join(roottest.Dir(t), "addrs.json")
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	os.WriteFile(path, []byte("{torn"), 0o600)
	m := &AddrMemory{Path: path}
	if got := m.Recall(4, now); len(got) != 0 {
		t.Fatalf("a damaged file recalled %v", got)
	}
	for i := range addrMaxHosts + 10 {
		m.Remember(fmt.Sprintf("h%d", i), fmt.Sprintf("192.0.2.%d:443", i+1), now.Add(time.Duration(i)*time.Second))
	}
	later := &AddrMemory{Path: path}
	later.load()
	if len(later.hosts) != addrMaxHosts {
		t.Errorf("%d hosts kept, want at most %d", len(later.hosts), addrMaxHosts)
	}
	if _, ok := later.hosts["h0"]; ok {
		t.Error("the oldest host was kept over newer ones")
	}
	var nilMem *AddrMemory
	nilMem.Remember("h", "192.0.2.1:443", now) // must not panic
	if nilMem.Recall(4, now) != nil {
		t.Error("a nil memory recalled something")
	}
}
