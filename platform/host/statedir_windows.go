package host

import (
	"os"
	"path/filepath"

	"golang.org/x/sys/windows"
)

// stateDir is under ProgramData, beside the config file. The known folder
// is asked first: a service's environment may lack %ProgramData%.
func stateDir() string {
	if dir, err := windows.KnownFolderPath(windows.FOLDERID_ProgramData, 0); err == nil && dir != "" {
		return filepath.Join(dir, "Clearance")
	}
	if dir := os.Getenv("ProgramData"); dir != "" {
		return filepath.Join(dir, "Clearance")
	}
	return `C:\ProgramData\Clearance`
}
