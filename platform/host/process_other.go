//go:build !linux

package host

import (
	"context"
	"fmt"
	"strconv"

	"github.com/shirou/gopsutil/v4/process"
)

func readProcesses(ctx context.Context) (Processes, error) {
	procs, err := process.ProcessesWithContext(ctx)
	if err != nil {
		return Processes{}, fmt.Errorf("list processes: %w", err)
	}
	out := Processes{ByPID: make(map[string]string, len(procs)), Complete: true}
	for _, p := range procs {
		name, err := p.NameWithContext(ctx)
		if err != nil || name == "" {
			// Another user's process the OS would not name: the list is
			// no proof that a name is absent.
			out.Complete = false
			continue
		}
		out.ByPID[strconv.Itoa(int(p.Pid))] = name
	}
	return out, nil
}
