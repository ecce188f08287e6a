//go:build unix

package platform

import (
	"fmt"
	"os"
	"path/filepath"
)

// RenameDurable replaces to with from and returns once the rename is on
// disk: rename(2) is atomic but only durable after the directory holding
// both names has been fsynced.
func RenameDurable(from, to string) error {
	if err := os.Rename(from, to); err != nil {
		return err
	}
	return SyncDir(filepath.Dir(to))
}

// SyncDir makes the directory's entries (a rename, a removal) durable.
func SyncDir(dir string) error {
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
