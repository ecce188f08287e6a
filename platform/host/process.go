package host

import "context"

// ProcessNames returns the names of the running processes, each once. It
// reads names only (comm on Linux, the process snapshot on Windows, the
// kernel's process table on macOS), never command lines or environments.
// Processes that vanish or deny access while listed are left out.
func ProcessNames(ctx context.Context) ([]string, error) { return processNames(ctx) }
