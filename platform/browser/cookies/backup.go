package cookies

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/clearance-app/clearance/platform"
	"github.com/clearance-app/clearance/platform/crashpoint"
)

// A backup is a folder under the backup root named for when Clear ran
// (stampLayout in UTC, "-2", "-3"… when two runs share a second), holding
// one folder per store it changed: the database and its companion files,
// copied byte for byte, and manifestName describing them. The copies hold
// every cookie of that profile, not only OpenAI's, so folders and files
// are the person's alone (0700, 0600), and Clear removes backups older
// than backupRetention.
const (
	stampLayout     = "20060102T150405Z"
	manifestName    = "store.json"
	backupRetention = 7 * 24 * time.Hour
)

// companions are the files SQLite keeps beside a database: its
// write-ahead log and that log's shared index, or its rollback journal.
// A backup holds those that exist; a restore removes those it does not
// hold, since a log or journal left from later would be replayed into the
// restored database.
var companions = []string{"-wal", "-shm", "-journal"}

// manifest describes one store's backup.
type manifest struct {
	Browser  string    `json:"browser"`
	Family   string    `json:"family"`
	Profile  string    `json:"profile"`
	Dir      string    `json:"profile_dir"`
	Database string    `json:"database"`
	Saved    time.Time `json:"saved"`
	Files    []saved   `json:"files"`
}

// saved is one file of a backup: its name beside the database, its mode
// there, and its content's SHA-256.
type saved struct {
	Name   string      `json:"name"`
	Mode   fs.FileMode `json:"mode"`
	SHA256 string      `json:"sha256"`
}

// backupRun makes the backups of one Clear: one timestamped folder,
// created when the first store needs it.
type backupRun struct {
	root string
	now  time.Time
	dir  string
	n    int
}

// save copies db and its companion files into a new folder for s, with
// their manifest, all flushed to disk before it returns, and returns the
// folder. It must run before SQLite opens the database: opening one in
// WAL mode rewrites its -shm file. On error nothing is left behind.
func (b *backupRun) save(s Store, db string) (folder string, err error) {
	if b.root == "" {
		return "", errors.New("no folder for backups was given")
	}
	if b.dir == "" {
		if err := mkdirPrivate(b.root); err != nil {
			return "", err
		}
		dir, err := newStampDir(b.root, b.now)
		if err != nil {
			return "", err
		}
		b.dir = dir
		if err := platform.SyncDir(b.root); err != nil {
			return "", err
		}
		crashpoint.Here("cookies:backup-run-made")
	}
	b.n++
	dst := filepath.Join(b.dir, fmt.Sprintf("%d-%s", b.n, safeName(s.Browser+"-"+s.Profile)))
	if err := os.Mkdir(dst, 0o700); err != nil {
		b.discard(dst)
		return "", err
	}
	defer func() {
		if err != nil {
			b.discard(dst)
		}
	}()
	m := manifest{Browser: s.Browser, Family: s.Family, Profile: s.Profile, Dir: filepath.Clean(s.Dir),
		Database: db, Saved: b.now.UTC()}
	if m.Files, err = copyDatabase(db, dst); err != nil {
		return "", err
	}
	data, err := json.MarshalIndent(m, "", "\t")
	if err != nil {
		return "", err
	}
	if err := platform.WriteFileAtomic(filepath.Join(dst, manifestName), data, 0o600, true); err != nil {
		return "", err
	}
	if err := platform.SyncDir(b.dir); err != nil {
		return "", err
	}
	crashpoint.Here("cookies:backup-saved")
	return dst, nil
}

// discard removes a store's backup that failed or turned out not to be
// needed (nothing was removed), and the run's folder once it is empty.
func (b *backupRun) discard(folder string) {
	if folder != "" {
		os.RemoveAll(folder)
	}
	if b.dir == "" {
		return
	}
	os.Remove(b.dir) // fails, as it should, while another store's backup is in it
	if _, err := os.Stat(b.dir); errors.Is(err, fs.ErrNotExist) {
		b.dir = ""
	}
}

// mkdirPrivate makes dir and its missing parents, each the person's alone.
func mkdirPrivate(dir string) error {
	if fi, err := os.Stat(dir); err == nil && fi.IsDir() {
		return nil
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	return os.Chmod(dir, 0o700) // whatever the umask
}

// newStampDir makes the folder of a run at now under root.
func newStampDir(root string, now time.Time) (string, error) {
	stamp := now.UTC().Format(stampLayout)
	for i := 1; ; i++ {
		name := stamp
		if i > 1 {
			name = fmt.Sprintf("%s-%d", stamp, i)
		}
		dir := filepath.Join(root, name)
		err := os.Mkdir(dir, 0o700)
		if err == nil {
			return dir, os.Chmod(dir, 0o700)
		}
		if !errors.Is(err, fs.ErrExist) || i >= 100 {
			return "", err
		}
	}
}

// copyDatabase copies db and those of its companion files that exist into
// dir, and says what it copied.
func copyDatabase(db, dir string) ([]saved, error) {
	var files []saved
	for _, suffix := range append([]string{""}, companions...) {
		f, err := copyPrivate(db+suffix, dir)
		if errors.Is(err, fs.ErrNotExist) && suffix != "" {
			continue
		}
		if err != nil {
			return nil, err
		}
		files = append(files, f)
		crashpoint.Here("cookies:backup-file-copied")
	}
	return files, nil
}

// copyPrivate copies the regular file src into dir under its own name,
// 0600, synced to disk, and says what it copied.
func copyPrivate(src, dir string) (saved, error) {
	in, err := os.Open(src)
	if err != nil {
		return saved{}, err
	}
	defer in.Close()
	fi, err := in.Stat()
	if err != nil {
		return saved{}, err
	}
	if !fi.Mode().IsRegular() {
		return saved{}, fmt.Errorf("%s is not a regular file", src)
	}
	out, err := os.OpenFile(filepath.Join(dir, filepath.Base(src)), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return saved{}, err
	}
	h := sha256.New()
	_, err = io.Copy(io.MultiWriter(out, h), in)
	if err == nil {
		err = out.Sync()
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return saved{}, err
	}
	return saved{Name: filepath.Base(src), Mode: fi.Mode().Perm(), SHA256: hex.EncodeToString(h.Sum(nil))}, nil
}

// safeName keeps a browser's and profile's names readable in a folder name
// and harmless on every file system.
func safeName(s string) string {
	b := []byte(s)
	for i, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.') {
			b[i] = '_'
		}
	}
	if len(b) > 60 {
		b = b[:60]
	}
	return string(b)
}

// A stored backup: its run's time and folder, and each store's manifest.
type backup struct {
	time   time.Time
	seq    int
	dir    string
	stores []storedManifest
}

type storedManifest struct {
	folder string
	manifest
}

// listBackups reads the backups under root, newest first. Folders that are
// not a run's, and stores whose manifest cannot be read, are passed over.
// A missing root has none.
func listBackups(root string) ([]backup, error) {
	entries, err := os.ReadDir(root)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []backup
	for _, e := range entries {
		t, seq, ok := stampTime(e.Name())
		if !ok || !e.IsDir() {
			continue
		}
		b := backup{time: t, seq: seq, dir: filepath.Join(root, e.Name())}
		stores, _ := os.ReadDir(b.dir)
		for _, s := range stores {
			folder := filepath.Join(b.dir, s.Name())
			data, err := os.ReadFile(filepath.Join(folder, manifestName))
			if err != nil {
				continue
			}
			var m manifest
			if json.Unmarshal(data, &m) == nil {
				b.stores = append(b.stores, storedManifest{folder: folder, manifest: m})
			}
		}
		if len(b.stores) > 0 {
			out = append(out, b)
		}
	}
	slices.SortFunc(out, func(a, b backup) int {
		if c := b.time.Compare(a.time); c != 0 {
			return c
		}
		return b.seq - a.seq
	})
	return out, nil
}

// stampTime reads a run's time, and its sequence within that second,
// from its folder's name: stampLayout, then nothing or "-" and digits.
func stampTime(name string) (time.Time, int, bool) {
	if len(name) < len(stampLayout) {
		return time.Time{}, 0, false
	}
	t, err := time.Parse(stampLayout, name[:len(stampLayout)])
	if err != nil {
		return time.Time{}, 0, false
	}
	rest := name[len(stampLayout):]
	if rest == "" {
		return t, 1, true
	}
	seq, err := strconv.Atoi(strings.TrimPrefix(rest, "-"))
	if err != nil || !strings.HasPrefix(rest, "-") || seq < 2 {
		return time.Time{}, 0, false
	}
	return t, seq, true
}

// pruneBackups removes the runs under root older than backupRetention,
// and what a Clear killed while it saved a backup left: a store's folder
// without its manifest (the manifest is written last, so such a folder is
// never a complete backup), and a run's folder left empty. Without this
// they would stay for a week, and an empty run would be offered as a
// backup to restore. It is tidying: a failure leaves a folder for the next
// run to remove.
func pruneBackups(root string, now time.Time) {
	entries, err := os.ReadDir(root)
	if err != nil {
		return
	}
	for _, e := range entries {
		t, _, ok := stampTime(e.Name())
		if !ok || !e.IsDir() {
			continue
		}
		dir := filepath.Join(root, e.Name())
		if now.Sub(t) > backupRetention {
			os.RemoveAll(dir)
			continue
		}
		stores, _ := os.ReadDir(dir)
		for _, s := range stores {
			folder := filepath.Join(dir, s.Name())
			if _, err := os.Lstat(filepath.Join(folder, manifestName)); s.IsDir() && errors.Is(err, fs.ErrNotExist) {
				os.RemoveAll(folder)
			}
		}
		os.Remove(dir) // only when nothing is left in it
	}
}

// LatestBackup is when the newest backup under root was made, and false
// when there is none: for offering "Restore ChatGPT cookies" for a while
// after clearing them.
func LatestBackup(root string) (time.Time, bool) {
	b, err := listBackups(root)
	if err != nil || len(b) == 0 {
		return time.Time{}, false
	}
	return b[0].time, true
}
