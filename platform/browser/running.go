package browser

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
)

// The locks browsers hold while they run: Chromium's ProcessSingleton
// (chrome/browser/process_singleton_posix.cc: a SingletonLock symlink in
// the user-data folder whose target is "<hostname>-<pid>";
// process_singleton_win.cc: a file "lockfile" held open with
// FILE_FLAG_DELETE_ON_CLOSE) and Firefox's nsProfileLock
// (toolkit/profile/nsProfileLock.cpp: an fcntl lock on .parentlock and a
// symlink "lock" to "<ip>:+<pid>" on Linux; parent.lock held open
// without sharing on Windows). Both leave their files behind when they
// crash, and Firefox leaves .parentlock behind always.

func running(b Browser) (bool, string, error) {
	switch b.Family {
	case Chromium:
		return chromiumRunning(b)
	case Firefox:
		for _, p := range b.Profiles {
			ok, evidence, err := firefoxProfileRunning(p.Dir, b.Install == Flatpak)
			if err != nil {
				return false, "", fmt.Errorf("could not tell whether %s runs with profile %q: %w", b.Name, p.Name, err)
			}
			if ok {
				return true, fmt.Sprintf("%s (profile %q)", evidence, p.Name), nil
			}
		}
		return false, "", nil
	}
	return false, "", fmt.Errorf("%s: unknown browser family %q", b.Name, b.Family)
}

// parseSingletonLock reads a SingletonLock target, "<hostname>-<pid>"
// (the host name may itself hold dashes).
func parseSingletonLock(target string) (host string, pid int, ok bool) {
	i := strings.LastIndexByte(target, '-')
	if i <= 0 {
		return "", 0, false
	}
	pid, err := strconv.Atoi(target[i+1:])
	if err != nil || pid <= 0 {
		return "", 0, false
	}
	return target[:i], pid, true
}

// parseFirefoxLock reads a Firefox lock link's target, "<ip>:+<pid>".
func parseFirefoxLock(target string) (ip string, pid int, ok bool) {
	i := strings.LastIndex(target, ":+")
	if i < 0 {
		return "", 0, false
	}
	pid, err := strconv.Atoi(target[i+2:])
	if err != nil || pid <= 0 {
		return "", 0, false
	}
	return target[:i], pid, true
}

// flatpakAppID is the app ID of a folder inside a Flatpak's home
// (~/.var/app/<app ID>/…), "" elsewhere.
func flatpakAppID(dir string) string {
	parts := strings.Split(filepath.ToSlash(dir), "/")
	for i := 0; i+2 < len(parts); i++ {
		if parts[i] == ".var" && parts[i+1] == "app" {
			return parts[i+2]
		}
	}
	return ""
}
