package cookies

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"syscall"
	"testing"

	"github.com/clearance-app/clearance/platform/internal/platformtest"
)

// readOnlyClearHelper runs Clear with a backup folder it cannot write:
// in a mount namespace of its own, it mounts CLEARANCE_COOKIES_BACKUPS
// read-only over itself, then clears the stores in CLEARANCE_COOKIES_STORES
// and prints their results as JSON.
const readOnlyClearHelper = "cookies-clear-read-only"

func init() { testHelpers[readOnlyClearHelper] = runReadOnlyClear }

type helperResult struct {
	Removed  int
	Backup   string
	Err      string
	IsBackup bool
}

func runReadOnlyClear() int {
	root := os.Getenv("CLEARANCE_COOKIES_BACKUPS")
	if err := syscall.Mount(root, root, "", syscall.MS_BIND, ""); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if err := syscall.Mount("", root, "", syscall.MS_BIND|syscall.MS_REMOUNT|syscall.MS_RDONLY, ""); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	var stores []Store
	if err := json.Unmarshal([]byte(os.Getenv("CLEARANCE_COOKIES_STORES")), &stores); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	out := toHelperResults(Clear(context.Background(), stores, Options{BackupRoot: root}))
	if err := json.NewEncoder(os.Stdout).Encode(out); err != nil {
		return 1
	}
	return 0
}

// TestBackupFails clears with a backup folder that cannot be written —
// read-only, as root on a read-only mount in a mount namespace of the
// test's own, otherwise by its permissions — and with none given: each
// store gets an error saying nothing was removed, and keeps every byte.
func TestBackupFails(t *testing.T) {
	dir := t.TempDir()
	root := filepath.Join(dir, "backups")
	mkdir(t, root)
	var stores []Store
	var dbs []string
	for _, sc := range []schema{chromium156, firefox153} {
		profile := filepath.Join(dir, sc.name)
		dbs = append(dbs, makeDB(t, profile, sc, slices.Concat(openAIRows, nearMisses)))
		stores = append(stores, storeFor(sc, profile))
	}
	var sums []map[string]string
	for _, db := range dbs {
		sums = append(sums, fileSums(t, db))
	}
	check := func(how string, res []helperResult) {
		t.Helper()
		if len(res) != len(stores) {
			t.Fatalf("%s: %d results for %d stores", how, len(res), len(stores))
		}
		for i, r := range res {
			if !r.IsBackup || r.Removed != 0 || r.Backup != "" {
				t.Errorf("%s, %s: %+v; want a backup error, nothing removed", how, stores[i].Profile, r)
			}
			if after := fileSums(t, dbs[i]); !mapsEqual(after, sums[i]) {
				t.Errorf("%s, %s: the database changed although its backup failed", how, stores[i].Profile)
			}
			t.Logf("%s, %s: %s", how, stores[i].Profile, r.Err)
		}
	}

	if os.Geteuid() == 0 {
		// Root writes through any permission: a read-only mount it is.
		enc, err := json.Marshal(stores)
		if err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), platformtest.HelperEnv+"="+readOnlyClearHelper,
			"CLEARANCE_COOKIES_BACKUPS="+root, "CLEARANCE_COOKIES_STORES="+string(enc))
		// Go makes the new namespace's mounts private: nothing the child
		// mounts reaches this machine's own.
		cmd.SysProcAttr = &syscall.SysProcAttr{Unshareflags: syscall.CLONE_NEWNS}
		cmd.Stderr = os.Stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("the read-only helper: %v", err)
		}
		var res []helperResult
		if err := json.Unmarshal(out, &res); err != nil {
			t.Fatalf("%s: %v", out, err)
		}
		check("read-only mount", res)
	} else {
		if err := os.Chmod(root, 0o500); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.Chmod(root, 0o700) })
		check("read-only folder", toHelperResults(Clear(context.Background(), stores, Options{BackupRoot: root})))
	}
	check("no folder", toHelperResults(Clear(context.Background(), stores, Options{})))
	if entries, err := os.ReadDir(root); err != nil || len(entries) != 0 {
		t.Errorf("the backup folder holds %v (%v)", entries, err)
	}
}

func toHelperResults(res []Result) []helperResult {
	var out []helperResult
	for _, r := range res {
		h := helperResult{Removed: r.Removed, Backup: r.Backup, IsBackup: errors.Is(r.Err, ErrBackup)}
		if r.Err != nil {
			h.Err = r.Err.Error()
		}
		out = append(out, h)
	}
	return out
}
