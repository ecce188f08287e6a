package timesync

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/clearance-app/clearance/platform"
	"github.com/clearance-app/clearance/platform/host"
)

func syncTimeService(ctx context.Context, read platform.Runner, ch *platform.Changes) (string, error) {
	f, err := gatherLinuxSyncFacts(ctx, read, "/")
	if err != nil {
		return "", err
	}
	return syncLinux(ctx, f, ch)
}

// gatherLinuxSyncFacts reads, under root, the facts linuxTimeSync judges,
// and where systemd is not the init system, ntpd's init script.
func gatherLinuxSyncFacts(ctx context.Context, read platform.Runner, root string) (linuxSyncFacts, error) {
	f := linuxTimeFacts{Virtualized: virtualization(readVirtFacts(root))}
	p, err := host.ProcessesIn(os.DirFS(root))
	if err != nil {
		return linuxSyncFacts{}, fmt.Errorf("find the time service: list processes: %w", err)
	}
	f.Daemon = timeDaemonOf(timeDaemonNames(root, p))
	if systemdBooted(root) {
		f.Systemd = true
		f.Timedate = askTimedatectl(ctx, read)
		f.Units, f.UnitsKnown = askSystemctl(ctx, read)
	}
	sf := linuxSyncFacts{linuxTimeFacts: f}
	if !f.Systemd && f.Daemon == "ntpd" {
		// The script's name differs: ntpsec and ntp on Debian, ntpd on
		// Alpine and Gentoo (OpenRC).
		for _, name := range []string{"ntpsec", "ntp", "ntpd"} {
			if fi, err := os.Stat(filepath.Join(root, "etc/init.d", name)); err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0 {
				sf.NtpdInitScript = "/etc/init.d/" + name
				break
			}
		}
	}
	return sf, nil
}
