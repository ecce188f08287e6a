package winegap

import (
	"errors"
	"net"
	"os"
	"path/filepath"

	"golang.org/x/sys/windows"
	"golang.org/x/sys/windows/svc/mgr"
)

// underWine: Wine's ntdll exports wine_get_version; Windows' does not.
func underWine() bool {
	return windows.NewLazySystemDLL("ntdll.dll").NewProc("wine_get_version").Find() == nil
}

// udpMissing: a UDP socket on loopback cannot even be opened and used.
func udpMissing() bool {
	c, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		return true
	}
	defer c.Close()
	_, err = c.WriteTo([]byte{0}, c.LocalAddr())
	return err != nil
}

// removeAllFails: os.RemoveAll cannot remove a directory holding a file.
func removeAllFails() bool {
	d, err := os.MkdirTemp("", "winegap-probe-")
	if err != nil {
		return false
	}
	if err := os.WriteFile(filepath.Join(d, "f"), nil, 0o600); err != nil {
		return false
	}
	return os.RemoveAll(d) != nil
}

// w32timeMissing: the service manager knows no W32Time.
func w32timeMissing() bool {
	m, err := mgr.Connect()
	if err != nil {
		return true
	}
	defer m.Disconnect()
	s, err := m.OpenService("W32Time")
	if err != nil {
		return errors.Is(err, windows.ERROR_SERVICE_DOES_NOT_EXIST)
	}
	s.Close()
	return false
}

// notSession0: this process, which Wine runs like a service's, is not in
// session 0.
func notSession0() bool {
	var id uint32
	if err := windows.ProcessIdToSessionId(windows.GetCurrentProcessId(), &id); err != nil {
		return false
	}
	return id != 0
}

// fileSecurityIgnored: giving a new file to the Administrators does not
// change its owner.
func fileSecurityIgnored() bool {
	f, err := os.CreateTemp("", "winegap-probe-")
	if err != nil {
		return false
	}
	name := f.Name()
	f.Close()
	defer os.Remove(name)
	admins, err := windows.CreateWellKnownSid(windows.WinBuiltinAdministratorsSid)
	if err != nil {
		return false
	}
	if err := windows.SetNamedSecurityInfo(name, windows.SE_FILE_OBJECT, windows.OWNER_SECURITY_INFORMATION, admins, nil, nil, nil); err != nil {
		return false // refused, as Windows may: not the gap
	}
	sd, err := windows.GetNamedSecurityInfo(name, windows.SE_FILE_OBJECT, windows.OWNER_SECURITY_INFORMATION)
	if err != nil {
		return false
	}
	owner, _, err := sd.Owner()
	return err == nil && !owner.Equals(admins)
}

// symlinksBroken: a symbolic link just made does not read back. One that
// cannot be made at all (no privilege) is Windows' own answer, not the gap.
func symlinksBroken() bool {
	d, err := os.MkdirTemp("", "winegap-probe-")
	if err != nil {
		return false
	}
	link := filepath.Join(d, "link")
	if err := os.Symlink("target", link); err != nil {
		return false
	}
	got, err := os.Readlink(link)
	return err != nil || got != "target"
}
