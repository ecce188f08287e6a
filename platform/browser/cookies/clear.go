package cookies

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Store is one browser profile's cookies.
type Store struct {
	Browser string // "Chrome", "Firefox", …: the name a person knows it by
	Family  string // Chromium or Firefox
	Profile string // the profile's display name
	Dir     string // the profile's directory
	// Running says whether the browser that owns the profile runs now,
	// and the evidence ("pid 1234"). Nil means it is not running.
	Running func() (bool, string, error) `json:"-"`
}

// Options are a Clear's or an Undo's.
type Options struct {
	// DryRun finds what Clear would remove and changes nothing, not even
	// a backup.
	DryRun bool
	// BackupRoot is the folder backups go in and Undo reads: the
	// person's Clearance data folder's cookie-backups.
	BackupRoot string
	// Now is the clock that names backups; nil is time.Now.
	Now func() time.Time
}

func (o Options) now() time.Time {
	if o.Now == nil {
		return time.Now()
	}
	return o.Now()
}

// Result is what happened to one store.
type Result struct {
	Store Store
	// DB is the store's cookie database, when it has one.
	DB string
	// Removed counts the cookies removed (in a dry run, that would be).
	Removed int
	// Hosts are the distinct hosts of those cookies, without a leading
	// dot, sorted.
	Hosts []string
	// Backup is the folder holding the database as it was before (Clear),
	// or the one it was restored from (Undo).
	Backup string
	// Err says why the store could not be handled: its cookies are as
	// they were.
	Err error
	// Skipped says why the store was deliberately left alone: its browser
	// runs (Running), or it has no cookies to clear or restore.
	Skipped string
	Running bool
}

// Clear removes OpenAI's cookies from each store and says what happened to
// each, in order: a store that fails does not stop the others, and no
// failure is a panic. A store is skipped while its browser runs; its
// database is backed up, with its companion files, before a row of it is
// deleted, and a store whose backup fails keeps every cookie. Backups
// older than a week are removed first.
func Clear(ctx context.Context, stores []Store, opts Options) []Result {
	now := opts.now()
	run := &backupRun{root: opts.BackupRoot, now: now}
	if !opts.DryRun && opts.BackupRoot != "" {
		pruneBackups(opts.BackupRoot, now)
	}
	results := make([]Result, len(stores))
	for i, s := range stores {
		results[i] = guard(s, func() Result { return clearStore(ctx, s, opts, run) })
	}
	return results
}

func clearStore(ctx context.Context, s Store, opts Options, run *backupRun) Result {
	r := Result{Store: s}
	if err := ctx.Err(); err != nil {
		r.Err = err
		return r
	}
	if r.Skipped, r.Err = runningCheck(s, ""); r.Skipped != "" || r.Err != nil {
		r.Running = r.Skipped != ""
		return r
	}
	db, err := findDatabase(s)
	if err != nil {
		r.Err = err
		return r
	}
	if db == "" {
		r.Skipped = "this profile has no cookie database"
		return r
	}
	r.DB = db
	if !opts.DryRun {
		// Before SQLite opens the file: see backupRun.save.
		if r.Backup, err = run.save(s, db); err != nil {
			r.Err = fmt.Errorf("%w: %v", ErrBackup, err)
			return r
		}
	}
	found, wrote, err := removeCookies(ctx, db, s.Family, opts.DryRun)
	if !wrote {
		run.discard(r.Backup)
		r.Backup = ""
	}
	if err != nil {
		r.Err = err
		return r
	}
	r.Removed = len(found)
	for _, c := range found {
		h := strings.ToLower(strings.TrimPrefix(c.host, "."))
		if !slices.Contains(r.Hosts, h) {
			r.Hosts = append(r.Hosts, h)
		}
	}
	slices.Sort(r.Hosts)
	return r
}

// runningCheck asks whether s's browser runs: a reason to skip the store,
// or an error when that cannot be told. note is added to the reason.
func runningCheck(s Store, note string) (skip string, err error) {
	if s.Running == nil {
		return "", nil
	}
	running, evidence, err := s.Running()
	if err != nil {
		return "", fmt.Errorf("could not tell whether %s is running, so its cookies were left alone: %w", s.Browser, err)
	}
	if !running {
		return "", nil
	}
	if evidence != "" {
		evidence = " (" + evidence + ")"
	}
	return fmt.Sprintf("%s is running%s: close it first, then try again%s", s.Browser, evidence, note), nil
}

// guard runs one store's work and turns a panic into that store's error,
// so that the other stores are still handled.
func guard(s Store, work func() Result) (r Result) {
	defer func() {
		if p := recover(); p != nil {
			r = Result{Store: s, Err: fmt.Errorf("internal error while handling the cookies of %s (profile %s): %v", s.Browser, s.Profile, p)}
		}
	}()
	return work()
}
