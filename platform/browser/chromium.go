package browser

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// readChromium fills a Chromium-family browser found at p: its profiles
// from Local State's profile.info_cache, its version from the Last
// Version file (else Local State's), its build date from Local State
// (else its program's modification time). found is false for a folder
// that holds no sign of the browser.
func readChromium(b *Browser, p place) (found bool, errs []error) {
	fail := func(profile, path string, err error) {
		errs = append(errs, &Error{Browser: b.Name, Profile: profile, Path: path, Err: err})
	}
	lsPath := filepath.Join(b.DataDir, "Local State")
	var ls LocalState
	data, err := readFile(lsPath, maxJSON)
	switch {
	case err == nil:
		found = true
		if ls, err = ParseLocalState(data); err != nil {
			fail("", lsPath, err)
		}
	case errors.Is(err, fs.ErrNotExist):
	default:
		found = true
		fail("", lsPath, describe(err))
	}
	if v, err := readFile(filepath.Join(b.DataDir, "Last Version"), maxSmall); err == nil {
		b.Version = strings.TrimSpace(string(v))
	}
	if b.Version == "" {
		b.Version = ls.ChromiumVersion
	}
	b.Built = ls.Built
	if b.Built.IsZero() {
		for _, prog := range p.Programs {
			if fi, err := os.Stat(prog); err == nil {
				b.Built = fi.ModTime().UTC()
				break
			}
		}
	}
	entries := ls.Profiles
	if len(entries) == 0 {
		entries = scanChromiumProfiles(b.DataDir)
	}
	for _, e := range entries {
		name := e.Name
		if name == "" {
			name = e.Dir
		}
		if e.Dir == "." {
			name = b.Name
		}
		if e.Dir == "" || e.Dir == ".." || strings.ContainsAny(e.Dir, `/\`) {
			fail(name, e.Dir, errors.New("Local State names a profile folder outside the browser's folder"))
			continue
		}
		found = true
		dir := filepath.Join(b.DataDir, e.Dir)
		if err := checkProfileDir(dir, b.DataDir, e.Dir == "."); err != nil {
			fail(name, dir, err)
			continue
		}
		b.Profiles = append(b.Profiles, Profile{Name: name, Dir: dir})
	}
	return found, errs
}

// scanChromiumProfiles lists the profile folders of a user-data folder
// without a usable Local State: Default and "Profile N" folders that hold
// Preferences, or else the folder itself when it does (Opera keeps its
// one profile there).
func scanChromiumProfiles(dataDir string) []Profile {
	entries, err := os.ReadDir(dataDir)
	if err != nil {
		return nil
	}
	var out []Profile
	for _, e := range entries {
		n := e.Name()
		if n != "Default" && !strings.HasPrefix(n, "Profile ") {
			continue
		}
		if _, err := os.Stat(filepath.Join(dataDir, n, "Preferences")); err == nil {
			out = append(out, Profile{Name: n, Dir: n})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Dir < out[j].Dir })
	if len(out) == 0 {
		if _, err := os.Stat(filepath.Join(dataDir, "Preferences")); err == nil {
			out = append(out, Profile{Dir: "."})
		}
	}
	return out
}
