package host

import (
	"context"
	"fmt"
	"os"
)

// processNames reads comm, as the time-sync and resolver detection do:
// cheaper than a full process table, and enough to name a VPN client.
func processNames(context.Context) ([]string, error) {
	comms, _, err := ProcComms(os.DirFS("/"))
	if err != nil {
		return nil, fmt.Errorf("list processes: %w", err)
	}
	seen := map[string]bool{}
	var out []string
	for _, name := range comms {
		if name != "" && !seen[name] {
			seen[name] = true
			out = append(out, name)
		}
	}
	return out, nil
}
