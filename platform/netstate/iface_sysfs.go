package netstate

import (
	"io/fs"
	"strconv"
	"strings"
)

// sysfsDetail fills the Linux detail of i from its directory in fsys, which
// is rooted at /sys/class/net. Files that are missing or unreadable (carrier
// of a device that is down says EINVAL) leave their field at the zero value.
func sysfsDetail(fsys fs.FS, i *Interface) {
	read := func(file string) (string, bool) {
		b, err := fs.ReadFile(fsys, i.Name+"/"+file)
		if err != nil {
			return "", false
		}
		return strings.TrimSpace(string(b)), true
	}
	if v, ok := read("type"); ok {
		if n, err := ParseSysfsInt(v); err == nil {
			i.LinkType = int(n)
		}
	}
	if v, ok := read("tun_flags"); ok {
		i.TunTap = true
		if n, err := ParseSysfsInt(v); err == nil {
			i.TunFlags = uint32(n)
		}
	}
	if v, ok := read("uevent"); ok {
		i.DevType = ParseUevent(v)["DEVTYPE"]
	}
	operstate, _ := read("operstate")
	carrier, _ := read("carrier")
	i.OperState = operstate
	i.Up = linuxUp(i.Up, operstate, carrier)
}

// ParseSysfsInt reads a sysfs number, decimal ("65534") or hex ("0x1801").
func ParseSysfsInt(s string) (int64, error) {
	return strconv.ParseInt(strings.TrimSpace(s), 0, 64)
}

// ParseUevent reads KEY=VALUE lines, as in /sys/class/net/NAME/uevent.
func ParseUevent(s string) map[string]string {
	out := map[string]string{}
	for _, line := range strings.Split(s, "\n") {
		if k, v, ok := strings.Cut(strings.TrimSpace(line), "="); ok {
			out[k] = v
		}
	}
	return out
}

// linuxUp decides whether an interface can carry traffic. The IFF_UP flag
// alone is not enough: a VPN's tun device stays administratively up after
// its client has gone, with no carrier. Tun devices and loopback report
// operstate "unknown"; their carrier then tells.
func linuxUp(flagUp bool, operstate, carrier string) bool {
	if !flagUp {
		return false
	}
	switch operstate {
	case "up":
		return true
	case "unknown", "":
		return carrier != "0"
	}
	return false
}
