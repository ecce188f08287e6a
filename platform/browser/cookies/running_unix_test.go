//go:build unix

package cookies

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// singletonRunning tells whether a Chromium runs on userData as Chromium
// itself does: its SingletonLock link names "<host>-<pid>", and that pid
// is a live process.
func singletonRunning(userData string) func() (bool, string, error) {
	return func() (bool, string, error) {
		target, err := os.Readlink(filepath.Join(userData, "SingletonLock"))
		if errors.Is(err, fs.ErrNotExist) {
			return false, "", nil
		}
		if err != nil {
			return false, "", err
		}
		pid, err := strconv.Atoi(target[strings.LastIndexByte(target, '-')+1:])
		if err != nil {
			return false, "", fmt.Errorf("SingletonLock names %q", target)
		}
		if err := syscall.Kill(pid, 0); err != nil && !errors.Is(err, syscall.EPERM) {
			return false, "", nil
		}
		return true, fmt.Sprintf("pid %d", pid), nil
	}
}

// TestRunningBrowserRefused gives Clear a Chromium profile whose browser
// runs — a lock naming a live process — beside a Firefox one: Chromium's
// cookies keep every byte and get no backup, with a message naming the
// browser to close, while Firefox's are cleared. Undo is refused the same
// way, saying what restoring replaces. Once the process is gone, both
// work.
func TestRunningBrowserRefused(t *testing.T) {
	dir := t.TempDir()
	userData := filepath.Join(dir, "chromium")
	chromeDB := makeDB(t, filepath.Join(userData, "Default"), chromium156, slices.Concat(openAIRows, nearMisses))
	chrome := Store{Browser: "Chrome", Family: Chromium, Profile: "Person 1", Dir: filepath.Join(userData, "Default"),
		Running: singletonRunning(userData)}
	ffProfile := filepath.Join(dir, "firefox")
	makeDB(t, ffProfile, firefox153, slices.Concat(openAIRows, nearMisses))
	firefox := storeFor(firefox153, ffProfile)
	opts := options(filepath.Join(dir, "backups"))

	browser := startHolder(t, "", "", nil)
	lock := filepath.Join(userData, "SingletonLock")
	if err := os.Symlink(fmt.Sprintf("testhost-%d", browser.cmd.Process.Pid), lock); err != nil {
		t.Fatal(err)
	}
	before := fileSums(t, chromeDB)

	res := Clear(context.Background(), []Store{chrome, firefox}, opts)

	want := fmt.Sprintf("Chrome is running (pid %d): close it first, then try again", browser.cmd.Process.Pid)
	if r := res[0]; r.Skipped != want || r.Err != nil || r.Removed != 0 || r.Backup != "" {
		t.Errorf("Chrome while running: %+v; want skipped %q", r, want)
	}
	if after := fileSums(t, chromeDB); !mapsEqual(after, before) {
		t.Errorf("Chrome's cookies changed while it ran: %v, were %v", after, before)
	}
	if r := res[1]; r.Err != nil || r.Removed != len(openAIRows) {
		t.Errorf("Firefox beside a running Chrome: %+v", r)
	}
	backups, err := listBackups(opts.BackupRoot)
	if err != nil || len(backups) != 1 || len(backups[0].stores) != 1 || backups[0].stores[0].Family != Firefox {
		t.Errorf("backups while Chrome ran: %v %+v; want Firefox's alone", err, backups)
	}

	// Closed, Chrome's cookies go; started again, Undo is refused.
	browser.kill(t)
	if r := Clear(context.Background(), []Store{chrome}, opts)[0]; r.Err != nil || r.Removed != len(openAIRows) {
		t.Fatalf("Chrome once closed: %+v", r)
	}
	cleared := fileSums(t, chromeDB)
	again := startHolder(t, "", "", nil)
	os.Remove(lock)
	if err := os.Symlink(fmt.Sprintf("testhost-%d", again.cmd.Process.Pid), lock); err != nil {
		t.Fatal(err)
	}
	res, err = Undo(context.Background(), []Store{chrome}, opts)
	if err != nil || res[0].Err != nil || !strings.HasPrefix(res[0].Skipped, "Chrome is running") ||
		!strings.Contains(res[0].Skipped, "replacing any set since") {
		t.Errorf("Undo while Chrome runs: %v %+v", err, res)
	}
	if after := fileSums(t, chromeDB); !mapsEqual(after, cleared) {
		t.Errorf("Undo changed Chrome's cookies while it ran")
	}
	again.kill(t)
	res, err = Undo(context.Background(), []Store{chrome}, opts)
	if err != nil || res[0].Err != nil || res[0].Skipped != "" {
		t.Fatalf("Undo once Chrome closed: %v %+v", err, res)
	}
	if after := fileSums(t, chromeDB); !mapsEqual(after, before) {
		t.Errorf("Undo did not put Chrome's cookies back: %v, were %v", after, before)
	}
}
