package browser

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
)

// readFirefox fills a Firefox found at its profiles root: the profiles
// that profiles.ini lists, each checked (a path that does not exist,
// loops, or leads back to the root is an error for that profile, the
// others kept), and the version, build date and channel of the newest
// build that opened one of them (compatibility.ini and the install's
// channel-prefs.js). A root without profiles.ini has no profiles yet:
// found is false.
func readFirefox(b *Browser) (found bool, errs []error) {
	fail := func(profile, path string, err error) {
		errs = append(errs, &Error{Browser: b.Name, Profile: profile, Path: path, Err: err})
	}
	iniPath := filepath.Join(b.DataDir, "profiles.ini")
	data, err := readFile(iniPath, maxSmall)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		fail("", iniPath, describe(err))
		return true, errs
	}
	ini, err := ParseProfilesINI(data)
	if err != nil {
		fail("", iniPath, err)
		return true, errs
	}
	var newest Compatibility
	for _, e := range ini.Profiles {
		dir := filepath.FromSlash(e.Path)
		switch {
		case e.IsRelative:
			dir = filepath.Join(b.DataDir, dir)
		case !filepath.IsAbs(dir):
			fail(e.Name, e.Path, fmt.Errorf("profiles.ini gives %q as an absolute path, which it is not", e.Path))
			continue
		}
		dir = filepath.Clean(dir)
		if err := checkProfileDir(dir, b.DataDir, false); err != nil {
			fail(e.Name, dir, err)
			continue
		}
		b.Profiles = append(b.Profiles, Profile{Name: e.Name, Dir: dir})
		compat := filepath.Join(dir, "compatibility.ini")
		data, err := readFile(compat, maxSmall)
		if errors.Is(err, fs.ErrNotExist) {
			continue // never opened
		}
		if err != nil {
			fail(e.Name, compat, describe(err))
			continue
		}
		c, err := ParseCompatibilityINI(data)
		if err != nil {
			fail(e.Name, compat, err)
			continue
		}
		if c.BuildID > newest.BuildID {
			newest = c
		}
	}
	b.Version, b.Built = newest.Version, newest.Built
	b.Channel = firefoxChannel(newest)
	return true, errs
}

// firefoxChannel reads app.update.channel from the channel-prefs.js of
// the install that last opened the profile (defaults/pref under the
// application or the platform folder), as Firefox's updater does;
// "release" is called "stable" here. "" when the install is not
// readable from here (a Flatpak's or Snap's is inside its sandbox).
func firefoxChannel(c Compatibility) string {
	for _, dir := range []string{c.AppDir, c.PlatformDir} {
		if dir == "" || !filepath.IsAbs(dir) {
			continue
		}
		data, err := readFile(filepath.Join(dir, "defaults", "pref", "channel-prefs.js"), maxSmall)
		if err != nil {
			continue
		}
		prefs, _ := ParsePrefsJS(data)
		if ch, ok := prefs.String("app.update.channel"); ok && ch != "" {
			if ch == "release" {
				return "stable"
			}
			return ch
		}
	}
	return ""
}
