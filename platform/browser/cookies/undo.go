package cookies

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/clearance-app/clearance/platform"
	"github.com/clearance-app/clearance/platform/crashpoint"
)

// Undo puts back, for each store, the newest backup Clear made of its
// database: the database and its companion files byte for byte, and no
// companion file the backup does not hold. Every cookie set since that
// backup, in that profile, is replaced. A store is skipped while its
// browser runs, and when no backup holds it. The error is for the backups
// as a whole: none to restore (ErrNoBackup), or a backup folder that
// cannot be read.
func Undo(ctx context.Context, stores []Store, opts Options) ([]Result, error) {
	backups, err := listBackups(opts.BackupRoot)
	if err != nil {
		return nil, fmt.Errorf("could not read the cookie backups: %w", err)
	}
	if len(backups) == 0 {
		return nil, ErrNoBackup
	}
	results := make([]Result, len(stores))
	for i, s := range stores {
		results[i] = guard(s, func() Result { return undoStore(ctx, s, backups, opts) })
	}
	return results, nil
}

func undoStore(ctx context.Context, s Store, backups []backup, opts Options) Result {
	r := Result{Store: s}
	if err := ctx.Err(); err != nil {
		r.Err = err
		return r
	}
	m, ok := newestFor(s, backups)
	if !ok {
		r.Skipped = "there is no backup of this profile's cookies"
		return r
	}
	r.DB, r.Backup = m.Database, m.folder
	note := fmt.Sprintf(". Restoring puts back its cookies as they were on %s, replacing any set since",
		m.Saved.Local().Format("Jan 2 at 15:04"))
	if r.Skipped, r.Err = runningCheck(s, note); r.Skipped != "" || r.Err != nil {
		r.Running = r.Skipped != ""
		return r
	}
	if opts.DryRun {
		return r
	}
	if err := restore(m); err != nil {
		r.Err = err
	}
	return r
}

// newestFor finds the newest backup of s's profile.
func newestFor(s Store, backups []backup) (storedManifest, bool) {
	dir := filepath.Clean(s.Dir)
	for _, b := range backups {
		for _, m := range b.stores {
			if m.Family == s.Family && m.Dir == dir {
				return m, true
			}
		}
	}
	return storedManifest{}, false
}

// restore writes a backup's files back in place. Nothing is changed until
// every file has been read and matches its manifest. Then the companion
// files the backup does not hold go first (a log or journal from later
// would be replayed into the restored database), the database follows,
// then its companions; each replaces its file in one step and is on disk
// before the next.
func restore(m storedManifest) error {
	if err := checkManifest(m.manifest); err != nil {
		return err
	}
	data := make(map[string][]byte, len(m.Files))
	for _, f := range m.Files {
		b, err := os.ReadFile(filepath.Join(m.folder, f.Name))
		if err != nil {
			return fmt.Errorf("%w: %v", ErrBadBackup, err)
		}
		if sum := sha256.Sum256(b); hex.EncodeToString(sum[:]) != f.SHA256 {
			return fmt.Errorf("%w: %s differs from what was saved", ErrBadBackup, f.Name)
		}
		data[f.Name] = b
	}
	base := filepath.Base(m.Database)
	removeRestoreTemps(m.Database)
	for _, suffix := range companions {
		if _, held := data[base+suffix]; held {
			continue
		}
		if err := os.Remove(m.Database + suffix); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	crashpoint.Here("cookies:undo-stale-removed")
	for _, suffix := range append([]string{""}, companions...) {
		i := slices.IndexFunc(m.Files, func(f saved) bool { return f.Name == base+suffix })
		if i < 0 {
			continue
		}
		f := m.Files[i]
		perm := f.Mode.Perm()
		if perm == 0 {
			perm = 0o600
		}
		err := platform.AtomicWrite{Perm: perm, Durable: true, BeforeRename: func(string) error {
			crashpoint.Here("cookies:undo-temp")
			return nil
		}}.Write(m.Database+suffix, data[f.Name])
		if err != nil {
			return err
		}
		crashpoint.Here("cookies:undo-file-restored")
	}
	return nil
}

// checkManifest makes sure a manifest names only a cookie database in its
// own profile and that database's companion files: the manifest is read
// from disk, and says where restore writes.
func checkManifest(m manifest) error {
	names := databaseNames[m.Family]
	if !slices.ContainsFunc(names, func(n string) bool { return filepath.Join(m.Dir, n) == m.Database }) {
		return fmt.Errorf("%w: %s is not a cookie database of %s", ErrBadBackup, m.Database, m.Dir)
	}
	base := filepath.Base(m.Database)
	hasDB := false
	for _, f := range m.Files {
		suffix, ok := strings.CutPrefix(f.Name, base)
		if !ok || suffix != "" && !slices.Contains(companions, suffix) {
			return fmt.Errorf("%w: it holds %q, which is not part of %s", ErrBadBackup, f.Name, base)
		}
		hasDB = hasDB || suffix == ""
	}
	if !hasDB {
		return fmt.Errorf("%w: it does not hold %s itself", ErrBadBackup, base)
	}
	return nil
}

// removeRestoreTemps removes the temporary files that a restore killed
// between writing a file and renaming it left beside the database: regular
// files named as platform.AtomicWrite names those of the database and its
// companions. Nothing else writes them, and they are the person's
// cookies, so they go whatever their age.
func removeRestoreTemps(db string) {
	entries, err := os.ReadDir(filepath.Dir(db))
	if err != nil {
		return
	}
	for _, e := range entries {
		for _, suffix := range append([]string{""}, companions...) {
			if platform.IsTempFor(db+suffix, e.Name()) && e.Type().IsRegular() {
				os.Remove(filepath.Join(filepath.Dir(db), e.Name()))
			}
		}
	}
}
