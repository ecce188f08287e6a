//go:build !linux

package host

import (
	"context"
	"fmt"

	"github.com/shirou/gopsutil/v4/process"
)

func processNames(ctx context.Context) ([]string, error) {
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
