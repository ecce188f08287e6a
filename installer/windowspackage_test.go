package installer

import (
	"regexp"
	"testing"
)

// The expected codes are RFC 9562 version 5 UUIDs computed apart from this
// code (Python's uuid.uuid5 with the UpgradeCode as namespace).
func TestMSIProductCodeIsANameBasedUUIDPerVersion(t *testing.T) {
	for version, want := range map[string]string{
		"0.0.0.7": "{A61C9501-2F48-57EB-B1B3-289BF0132BFA}",
		"0.3.0.5": "{FA3BA094-0B73-5DC3-956F-6C051D85146D}",
	} {
		if got := msiProductCode(version); got != want {
			t.Errorf("msiProductCode(%q) = %s, want %s", version, got, want)
		}
	}
}

func TestMSIUpgradeCodeIsAGUID(t *testing.T) {
	re := regexp.MustCompile(`^\{[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}\}$`)
	if !re.MatchString(msiUpgradeCode) {
		t.Fatalf("msiUpgradeCode %q is not an upper-case GUID in braces", msiUpgradeCode)
	}
}

func TestNewerFromIsTheNextThirdNumber(t *testing.T) {
	for version, want := range map[string]string{
		"0.0.0.7":         "0.0.1",
		"0.3.0.5":         "0.3.1",
		"1.2.3.0":         "1.2.4",
		"255.255.9.65535": "255.255.10",
	} {
		got, err := newerFrom(version)
		if err != nil || got != want {
			t.Errorf("newerFrom(%q) = %q, %v; want %q", version, got, err, want)
		}
	}
	for _, bad := range []string{"", "1.2.3", "1.2.3.4.5", "v1.2.3.4", "256.0.0.0", "0.256.0.0", "0.0.65536.0", "0.0.65535.0", "0.0.0.65536", "0.0.-1.0", "0.0.0.x"} {
		if got, err := newerFrom(bad); err == nil {
			t.Errorf("newerFrom(%q) = %q, want an error", bad, got)
		}
	}
}

func TestWindowsPackageRegistersWhatInstallDoes(t *testing.T) {
	p, err := NewWindowsPackage("0.3.0.5")
	if err != nil {
		t.Fatal(err)
	}
	want := WindowsPackage{
		Version:               "0.3.0.5",
		ProductCode:           "{FA3BA094-0B73-5DC3-956F-6C051D85146D}",
		UpgradeCode:           msiUpgradeCode,
		NewerFrom:             "0.3.1",
		ExeFileID:             "ClearanceExe",
		ServiceName:           "clearance",
		ServiceArguments:      "agent",
		ServiceDisplayName:    displayName,
		ServiceDescription:    description,
		RecoveryArguments:     "failure clearance reset= 86400 actions= restart/5000",
		RecoveryFlagArguments: "failureflag clearance 1",
		RestoreDNSArguments:   "fix dns-restore",
		EventSourceKey:        `SYSTEM\CurrentControlSet\Services\EventLog\Application\clearance`,
		EventMessageFile:      `%SystemRoot%\System32\EventCreate.exe`,
		EventTypes:            7,
		RunKey:                `Software\Microsoft\Windows\CurrentVersion\Run`,
		RunValueName:          "Clearance",
		RunCommand:            `"[#ClearanceExe]" tray --autostart`,
	}
	if p != want {
		t.Errorf("NewWindowsPackage:\n got %+v\nwant %+v", p, want)
	}
	if _, err := NewWindowsPackage("0.3.0"); err == nil {
		t.Error("NewWindowsPackage accepted a three-number version")
	}
}
