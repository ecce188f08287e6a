package host

import (
	"os"
	"path/filepath"
)

// StateDirEnv names another state directory: for packagers with their own
// layout, and for tests, which must never touch the real one.
const StateDirEnv = "CLEARANCE_STATE_DIR"

// StateDir is where the agent keeps state that must survive restarts and
// crashes: /var/lib/clearance (Linux), %ProgramData%\Clearance (Windows),
// /Library/Application Support/Clearance (macOS), unless StateDirEnv names
// an absolute path. It is not created here; whoever writes into it creates
// it. Per OS: statedir_linux.go etc.
func StateDir() string {
	if d := os.Getenv(StateDirEnv); filepath.IsAbs(d) {
		return d
	}
	return stateDir()
}
