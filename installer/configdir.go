package installer

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/clearance-app/clearance/platform/host"
)

// makeConfigDir makes the directory of the agent's configuration file
// (Options.ConfigDir) changeable by administrators only: the agent, which
// reads the file with full rights, refuses one that anyone else could
// change, so a file an administrator puts there later is one it accepts.
// A directory that belongs to someone else stops the installation, before
// anything changed.
func (s *setup) makeConfigDir() error {
	if s.o.ConfigDir == "" {
		return nil
	}
	dir := filepath.Join(s.o.Root, s.o.ConfigDir)
	changed, err := host.MakeRootOwnedDir(dir)
	if err != nil {
		return fmt.Errorf("prepare %s for the agent's configuration: %w", dir, err)
	}
	if changed {
		s.add(fmt.Sprintf("Made %s, for the agent's configuration file, changeable by administrators only", dir), true)
	} else {
		s.add(fmt.Sprintf("Already changeable by administrators only: %s, for the agent's configuration file", dir), false)
	}
	return nil
}

// removeConfigDir removes the configuration's directory if nothing is in
// it; what is in it is an administrator's.
func (s *setup) removeConfigDir() error {
	if s.o.ConfigDir == "" {
		return nil
	}
	dir := filepath.Join(s.o.Root, s.o.ConfigDir)
	entries, err := os.ReadDir(dir)
	switch {
	case os.IsNotExist(err):
		return nil
	case err != nil:
		return fmt.Errorf("look into %s: %w", dir, err)
	case len(entries) > 0:
		s.add(fmt.Sprintf("Kept %s, which is not empty: the agent's configuration file lives there", dir), false)
		return nil
	}
	if err := os.Remove(dir); err != nil {
		return fmt.Errorf("remove %s: %w", dir, err)
	}
	s.add(fmt.Sprintf("Removed %s, which held no configuration", dir), true)
	return nil
}
