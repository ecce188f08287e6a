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

func firefoxExtensions(b Browser, p Profile) ([]Extension, []error) {
	path := filepath.Join(p.Dir, "extensions.json")
	data, err := readFile(path, maxJSON)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil // no add-on was ever installed
	}
	var exts []Extension
	if err == nil {
		exts, err = ParseExtensionsJSON(data)
	}
	if err != nil {
		return nil, []error{&Error{Browser: b.Name, Profile: p.Name, Path: path, Err: describe(err)}}
	}
	return exts, nil
}

// firefoxSettings reads prefs.js, then user.js over it: Firefox applies
// user.js at every start, so what it sets wins.
func firefoxSettings(b Browser, p Profile) (Settings, []error) {
	prefs := Prefs{}
	var errs []error
	for _, name := range []string{"prefs.js", "user.js"} {
		path := filepath.Join(p.Dir, name)
		data, err := readFile(path, maxJSON)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		var got Prefs
		if err == nil {
			got, err = ParsePrefsJS(data)
			for k, v := range got {
				prefs[k] = v
			}
		}
		if err != nil {
			errs = append(errs, &Error{Browser: b.Name, Profile: p.Name, Path: path, Err: describe(err)})
		}
	}
	return Settings{DNSOverHTTPS: prefs.DNSOverHTTPS(), Proxy: prefs.Proxy()}, errs
}
