//go:build unix

package browser

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// chromiumRunning reads the SingletonLock link: a live process of this
// computer is the browser running; a dead one is a crash's leftover. A
// Flatpak's pid is of its sandbox, so there the app's Flatpak instances
// say instead.
func chromiumRunning(b Browser) (bool, string, error) {
	link := filepath.Join(b.DataDir, "SingletonLock")
	target, err := os.Readlink(link)
	if errors.Is(err, fs.ErrNotExist) {
		return false, "", nil
	}
	if err != nil {
		return false, "", fmt.Errorf("could not tell whether %s runs: %s: %w", b.Name, link, err)
	}
	host, pid, ok := parseSingletonLock(target)
	if !ok {
		return false, "", fmt.Errorf("could not tell whether %s runs: %s points to %q, not to a computer and a process", b.Name, link, target)
	}
	me, err := os.Hostname()
	if err != nil {
		return false, "", fmt.Errorf("could not tell whether %s runs: %w", b.Name, err)
	}
	if host != me {
		return false, "", fmt.Errorf("%s's folder %s is in use by %s on another computer (%s), or was when it stopped there: close it there, or open %s on this computer once", b.Name, b.DataDir, b.Name, host, b.Name)
	}
	evidence := fmt.Sprintf("%s points to %s", link, target)
	if b.Install == Flatpak {
		return flatpakRunning(b, evidence)
	}
	if alive(pid) {
		return true, evidence + ", a running process", nil
	}
	return false, "", nil
}

func flatpakRunning(b Browser, evidence string) (bool, string, error) {
	app := flatpakAppID(b.DataDir)
	runtimeDir := os.Getenv("XDG_RUNTIME_DIR")
	if app == "" || !filepath.IsAbs(runtimeDir) {
		return false, "", fmt.Errorf("could not tell whether the Flatpak %s runs: no Flatpak instances to look at", b.Name)
	}
	pids, err := flatpakInstancePIDs(runtimeDir, app)
	if err != nil {
		return false, "", fmt.Errorf("could not tell whether the Flatpak %s runs: %w", b.Name, err)
	}
	for _, pid := range pids {
		if alive(pid) {
			return true, fmt.Sprintf("%s, and Flatpak runs %s (process %d)", evidence, app, pid), nil
		}
	}
	return false, "", nil
}

// firefoxProfileRunning reads a profile's locks: the lock link naming a
// live process (not for a Flatpak: its pid is of the sandbox), or an
// fcntl lock held on .parentlock, whoever holds it.
func firefoxProfileRunning(dir string, flatpak bool) (bool, string, error) {
	link := filepath.Join(dir, "lock")
	if target, err := os.Readlink(link); err == nil && !flatpak {
		if _, pid, ok := parseFirefoxLock(target); ok && alive(pid) {
			return true, fmt.Sprintf("%s points to %s, a running process", link, target), nil
		}
	}
	path := filepath.Join(dir, ".parentlock")
	pid, held, err := fcntlHolder(path)
	if err != nil {
		return false, "", err
	}
	if held {
		return true, fmt.Sprintf("process %d holds the lock on %s", pid, path), nil
	}
	return false, "", nil
}

// fcntlHolder asks (F_GETLK) whether another process holds a write-
// conflicting fcntl lock on path, and which. The file is opened read-only
// and not created; Clearance holds no lock of its own on it, so closing
// it releases nothing.
func fcntlHolder(path string) (pid int, held bool, err error) {
	f, err := os.OpenFile(path, os.O_RDONLY|unix.O_NOFOLLOW|unix.O_NONBLOCK, 0)
	if errors.Is(err, fs.ErrNotExist) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, err
	}
	defer f.Close()
	lk := unix.Flock_t{Type: unix.F_WRLCK, Whence: 0, Start: 0, Len: 0}
	if err := unix.FcntlFlock(f.Fd(), unix.F_GETLK, &lk); err != nil {
		return 0, false, fmt.Errorf("read the lock on %s: %w", path, err)
	}
	if lk.Type == unix.F_UNLCK {
		return 0, false, nil
	}
	return int(lk.Pid), true, nil
}

// alive reports whether a process with that pid exists (one of another
// user's answers EPERM: it exists too).
func alive(pid int) bool {
	err := unix.Kill(pid, 0)
	return err == nil || errors.Is(err, unix.EPERM)
}

// flatpakInstancePIDs lists the pids, as seen from outside, of the
// running instances of a Flatpak app: Flatpak records each instance in
// $XDG_RUNTIME_DIR/.flatpak/<instance>/, its app ID in "info" ([Application]
// name=) and its sandbox's first process in bwrapinfo.json ("child-pid")
// (flatpak, common/flatpak-instance.c). Inside the sandbox the browser
// has pids of its own pid namespace, which mean nothing out here.
func flatpakInstancePIDs(runtimeDir, appID string) ([]int, error) {
	base := filepath.Join(runtimeDir, ".flatpak")
	entries, err := os.ReadDir(base)
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var pids []int
	for _, e := range entries {
		info, err := readFile(filepath.Join(base, e.Name(), "info"), maxSmall)
		if err != nil {
			continue
		}
		secs, err := parseINI(info)
		if err != nil {
			continue
		}
		name := ""
		for _, s := range secs {
			if s.name == "Application" {
				name = s.keys["name"]
			}
		}
		if name != appID {
			continue
		}
		data, err := readFile(filepath.Join(base, e.Name(), "bwrapinfo.json"), maxSmall)
		if err != nil {
			continue
		}
		root, err := parseObject(data)
		if err != nil {
			continue
		}
		if pid, ok := integer(root["child-pid"]); ok && pid > 0 && pid < 1<<31 {
			pids = append(pids, int(pid))
		}
	}
	return pids, nil
}
