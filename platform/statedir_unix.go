//go:build unix

package platform

import (
	"fmt"
	"os"
	"path/filepath"
)

// renameDurable replaces to with from and returns once the rename is on
// disk: rename(2) is atomic but only durable after the directory holding
// both names has been fsynced.
func renameDurable(from, to string) error {
	if err := os.Rename(from, to); err != nil {
		return err
	}
	return syncDir(filepath.Dir(to))
}

// syncDir makes the directory's entries (a rename, a removal) durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	return nil
}
