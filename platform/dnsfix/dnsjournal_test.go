package dnsfix

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/clearance-app/clearance/platform/host"
	"github.com/clearance-app/clearance/platform/internal/platformtest"
)

func TestDNSJournalWriteRead(t *testing.T) {
	path := journalPathIn(t)
	content := platformtest.ReadFixture(t, "dnsset", "resolv.conf-dhcp-constructed")
	j := dnsJournal{
		Version: dnsJournalVersion, Phase: dnsPhaseApplying, OS: "linux", Tool: dnsToolResolvConf,
		Interface: dnsJournalIface{ID: "/run/resolvconf/resolv.conf", Name: "/etc/resolv.conf"},
		IPv4:      dnsFamilyRecord{Mode: dnsModeStatic, Servers: []string{"192.168.10.53", "192.168.10.54"}},
		IPv6:      dnsFamilyRecord{Mode: dnsModeStatic, Servers: []string{"fd00:10::53"}},
		Public:    publicDNSResolvConf,
		Written:   time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC),
		ResolvConf: &resolvConfRecord{Path: "/etc/resolv.conf", Symlink: true, Target: "/run/resolvconf/resolv.conf",
			Content: content, Mode: 0o644},
	}
	if err := writeDNSJournal(path, j); err != nil {
		t.Fatal(err)
	}
	got, err := readDNSJournal(path)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, j) {
		t.Fatalf("read back\n%+v\nwant\n%+v", got, j)
	}
	raw, _ := os.ReadFile(path)
	if !strings.Contains(string(raw), base64.StdEncoding.EncodeToString(content)) {
		t.Fatalf("the file's bytes are not in the journal as base64:\n%s", raw)
	}

	// Rewriting (applying → active) replaces the file; no temporary file
	// is left behind, and removal leaves the directory empty.
	j.Phase = dnsPhaseActive
	if err := writeDNSJournal(path, j); err != nil {
		t.Fatal(err)
	}
	if got, _ := readDNSJournal(path); got.Phase != dnsPhaseActive {
		t.Fatalf("phase %q after the rewrite", got.Phase)
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 || entries[0].Name() != filepath.Base(path) {
		t.Fatalf("state directory holds %v", entries)
	}
	if err := removeDNSJournal(path); err != nil {
		t.Fatal(err)
	}
	if entries, _ := os.ReadDir(filepath.Dir(path)); len(entries) != 0 {
		t.Fatalf("state directory holds %v after removal", entries)
	}
	if err := removeDNSJournal(path); err != nil {
		t.Fatalf("removing a removed journal: %v", err)
	}
}

func TestDNSJournalValidate(t *testing.T) {
	good := func() dnsJournal {
		return dnsJournal{Version: 1, Phase: dnsPhaseActive, OS: "windows", Tool: dnsToolNetsh,
			IPv4: dnsFamilyRecord{Mode: dnsModeAutomatic}, IPv6: dnsFamilyRecord{Mode: dnsModeUnused},
			Netsh: &netshRecord{GUID: "{G}", IfIndex: 12}}
	}
	if err := good().validate(); err != nil {
		t.Fatalf("valid journal refused: %v", err)
	}
	for name, spoil := range map[string]func(*dnsJournal){
		"version":      func(j *dnsJournal) { j.Version = 0 },
		"phase":        func(j *dnsJournal) { j.Phase = "done" },
		"os":           func(j *dnsJournal) { j.OS = "" },
		"mode":         func(j *dnsJournal) { j.IPv4.Mode = "dhcp" },
		"tool":         func(j *dnsJournal) { j.Tool = "ipconfig" },
		"no index":     func(j *dnsJournal) { j.Netsh.IfIndex = 0 },
		"two records":  func(j *dnsJournal) { j.Networksetup = &networksetupRecord{Service: "Wi-Fi"} },
		"wrong record": func(j *dnsJournal) { j.Tool = dnsToolResolved },
		"relative path": func(j *dnsJournal) {
			j.Tool, j.Netsh = dnsToolResolvConf, nil
			j.ResolvConf = &resolvConfRecord{Path: "resolv.conf", Target: "resolv.conf"}
		},
	} {
		j := good()
		spoil(&j)
		if err := j.validate(); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestStateDirPaths(t *testing.T) {
	if !filepath.IsAbs(host.StateDir()) || filepath.Dir(JournalPath()) != host.StateDir() {
		t.Fatalf("StateDir %q, JournalPath %q", host.StateDir(), JournalPath())
	}
}
