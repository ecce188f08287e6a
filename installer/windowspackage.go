package installer

import (
	"crypto/sha1"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// The Windows service's recovery actions, as serviceOptions in
// service_windows.go gives them to kardianos/service: restart after a
// delay; the failure count resets after a day without one.
const (
	windowsRestartDelay = 5 * time.Second
	windowsFailureReset = 24 * time.Hour
)

// msiUpgradeCode is the .msi's UpgradeCode: the one identity every version
// of the package shares, by which Windows Installer finds an installed
// version to replace. Never change it: a package with another would install
// beside the old one instead of replacing it.
const msiUpgradeCode = "{B8779E8D-444A-48A6-A467-8B04EBBD8D6B}"

// msiExeFileID is the key of clearance.exe in the .msi's File table;
// [#key] is Windows Installer's name for the installed file's full path.
const msiExeFileID = "ClearanceExe"

// WindowsPackage is what the .msi registers, in Windows Installer's
// terms, with the same names and commands as `clearance install` on
// Windows (service.go, service_windows.go, autostart.go), so that a
// packaged Clearance and an installed one are registered alike. The
// package's template (installer/packaging/windows) takes its fields.
type WindowsPackage struct {
	// Version is the package's numeric version, a.b.c.d.
	Version string
	// ProductCode identifies this version; see msiProductCode.
	ProductCode string
	UpgradeCode string
	// NewerFrom is the lowest version Windows Installer counts as newer
	// than this one; see newerFrom.
	NewerFrom string

	ExeFileID string
	// Service is the Windows service: its name, the arguments after the
	// quoted path of the program, its display name and description.
	ServiceName        string
	ServiceArguments   string
	ServiceDisplayName string
	ServiceDescription string
	// RecoveryArguments and RecoveryFlagArguments are sc.exe's arguments
	// that set the recovery actions and apply them when the agent stops
	// with an error too.
	RecoveryArguments     string
	RecoveryFlagArguments string
	// RestoreDNSArguments are the program's arguments that put back DNS
	// settings dns-public changed: the package runs them on removal while
	// the agent still runs, as `clearance uninstall` does first of all.
	RestoreDNSArguments string

	// EventSource is the Application event log's source the service logs
	// under, registered as kardianos/service does (golang.org/x/sys's
	// eventlog.InstallAsEventCreate): EventCreate.exe's messages, and
	// errors, warnings and information.
	EventSourceKey   string
	EventMessageFile string
	EventTypes       int

	// The tray's autostart: a value in HKLM's Run key.
	RunKey       string
	RunValueName string
	RunCommand   string
}

// NewWindowsPackage is the .msi's definition for the package version
// version (four numbers, as the Makefile's PKGVERSION).
func NewWindowsPackage(version string) (WindowsPackage, error) {
	next, err := newerFrom(version)
	if err != nil {
		return WindowsPackage{}, err
	}
	exe := "[#" + msiExeFileID + "]"
	return WindowsPackage{
		Version:            version,
		ProductCode:        msiProductCode(version),
		UpgradeCode:        msiUpgradeCode,
		NewerFrom:          next,
		ExeFileID:          msiExeFileID,
		ServiceName:        ServiceName,
		ServiceArguments:   strings.Join(serviceArgs(Options{}), " "),
		ServiceDisplayName: displayName,
		ServiceDescription: description,
		RecoveryArguments: fmt.Sprintf("failure %s reset= %d actions= restart/%d",
			ServiceName, int(windowsFailureReset/time.Second), windowsRestartDelay.Milliseconds()),
		RecoveryFlagArguments: "failureflag " + ServiceName + " 1",
		RestoreDNSArguments:   "fix dns-restore",
		EventSourceKey:        `SYSTEM\CurrentControlSet\Services\EventLog\Application\` + ServiceName,
		EventMessageFile:      `%SystemRoot%\System32\EventCreate.exe`,
		EventTypes:            7, // EVENTLOG_ERROR_TYPE | EVENTLOG_WARNING_TYPE | EVENTLOG_INFORMATION_TYPE
		RunKey:                runKeyPath,
		RunValueName:          runValueName,
		RunCommand:            runKeyValue(exe),
	}, nil
}

// msiProductCode is the ProductCode of a version: a name-based UUID
// (RFC 9562, version 5) from the UpgradeCode and the version. Every
// version gets its own, as a major upgrade needs, and two builds of one
// version get the same, so that their tables compare equal.
func msiProductCode(version string) string {
	ns := parseGUID(msiUpgradeCode)
	h := sha1.New()
	h.Write(ns[:])
	h.Write([]byte("clearance.msi " + version))
	var u [16]byte
	copy(u[:], h.Sum(nil))
	u[6] = u[6]&0x0f | 0x50
	u[8] = u[8]&0x3f | 0x80
	return fmt.Sprintf("{%X-%X-%X-%X-%X}", u[0:4], u[4:6], u[6:8], u[8:10], u[10:16])
}

// parseGUID reads a GUID written {XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX};
// it is only used on the constant above, which its test checks.
func parseGUID(s string) [16]byte {
	var u [16]byte
	hex := strings.NewReplacer("{", "", "}", "", "-", "").Replace(s)
	for i := range u {
		b, _ := strconv.ParseUint(hex[2*i:2*i+2], 16, 8)
		u[i] = byte(b)
	}
	return u
}

// newerFrom is a.b.(c+1): Windows Installer compares only the first three
// numbers of a version when it looks for other versions, so 0.3.0.5 and
// 0.3.0.6 look the same to it. The package counts every installed version
// below a.b.(c+1) — older ones and those differing only in the fourth
// number — as one to replace, and one from a.b.(c+1) on as newer, which
// it refuses to downgrade.
func newerFrom(version string) (string, error) {
	f := strings.Split(version, ".")
	limits := []uint64{255, 255, 65535, 65535}
	if len(f) != len(limits) {
		return "", fmt.Errorf("package version %q: want four numbers, a.b.c.d", version)
	}
	var n [4]uint64
	for i, s := range f {
		v, err := strconv.ParseUint(s, 10, 32)
		if err != nil || v > limits[i] {
			return "", fmt.Errorf("package version %q: Windows Installer takes numbers up to 255.255.65535.65535", version)
		}
		n[i] = v
	}
	if n[2] == limits[2] {
		return "", fmt.Errorf("package version %q: the third number must stay below %d", version, limits[2])
	}
	return fmt.Sprintf("%d.%d.%d", n[0], n[1], n[2]+1), nil
}
