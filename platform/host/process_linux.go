package host

import (
	"context"
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// readProcesses reads comm: cheaper than a full process table, needs no
// privilege, and is enough to name a VPN client, a resolver or a time
// service. Each comm is read with one open, one read and one close into a
// reused buffer: through os.File and fs.ReadFile the same scan costs about
// twice the CPU (a stat and a second read per process, and a File each),
// and a desktop runs hundreds of processes.
func readProcesses(context.Context) (Processes, error) {
	d, err := os.Open("/proc")
	if err != nil {
		return Processes{}, fmt.Errorf("list processes: %w", err)
	}
	names, err := d.Readdirnames(-1)
	d.Close()
	if err != nil {
		return Processes{}, fmt.Errorf("list processes: %w", err)
	}
	var buf [64]byte // comm is at most 16 bytes (TASK_COMM_LEN)
	comms, complete := procComms(names, func(pid string) ([]byte, error) {
		fd, err := unix.Open("/proc/"+pid+"/comm", unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			return nil, err
		}
		defer unix.Close(fd)
		n, err := unix.Read(fd, buf[:])
		if err != nil {
			return nil, err
		}
		return buf[:n], nil
	})
	return Processes{ByPID: comms, Complete: complete}, nil
}
