package platform

import (
	"context"
	"fmt"

	"github.com/shirou/gopsutil/v4/process"
)

// ProcessNames returns the names of the running processes, each once. It
// reads names only (comm on Linux, the process snapshot on Windows, the
// kernel's process table on macOS), never command lines or environments.
// Processes that vanish or deny access while listed are left out.
func ProcessNames(ctx context.Context) ([]string, error) {
	procs, err := process.ProcessesWithContext(ctx)
	if err != nil {
		return nil, fmt.Errorf("list processes: %w", err)
	}
	seen := map[string]bool{}
	var out []string
	for _, p := range procs {
		name, err := p.NameWithContext(ctx)
		if err != nil || name == "" || seen[name] {
			continue
		}
		seen[name] = true
		out = append(out, name)
	}
	return out, nil
}
