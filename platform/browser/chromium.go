package browser

import (
	"errors"
	"fmt"
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
			fail(name, e.Dir, errors.New("the Local State file names a profile folder outside the browser's folder"))
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

// chromiumPrefs reads a profile's Preferences and Secure Preferences
// into their extension records, merged by ID (Secure Preferences' keys
// win), and the proxy preference.
func chromiumPrefs(b Browser, p Profile) (settings map[string]map[string]any, proxy any, errs []error) {
	settings = map[string]map[string]any{}
	for _, name := range []string{"Preferences", "Secure Preferences"} {
		path := filepath.Join(p.Dir, name)
		data, err := readFile(path, maxJSON)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err == nil {
			var root map[string]any
			if root, err = parseObject(data); err != nil {
				err = fmt.Errorf("%s is not valid JSON: %w", name, err)
			} else {
				for id, e := range extensionSettings(root) {
					if settings[id] == nil {
						settings[id] = map[string]any{}
					}
					for k, v := range e {
						settings[id][k] = v
					}
				}
				if root["proxy"] != nil {
					proxy = root["proxy"]
				}
			}
		}
		if err != nil {
			errs = append(errs, &Error{Browser: b.Name, Profile: p.Name, Path: path, Err: describe(err)})
		}
	}
	return settings, proxy, errs
}

func chromiumExtensions(b Browser, p Profile) ([]Extension, []error) {
	settings, _, errs := chromiumPrefs(b, p)
	var out []Extension
	for id, e := range settings {
		x := chromiumExtension(id, e)
		x.Path = extensionDir(p.Dir, x)
		locale := str(dig(e, "manifest", "default_locale"))
		if _, cached := e["manifest"].(map[string]any); !cached && x.Path != "" {
			// Unpacked extensions, and packed ones of newer versions,
			// have no manifest cached in the profile: read it.
			mpath := filepath.Join(x.Path, "manifest.json")
			data, err := readFile(mpath, maxSmall)
			var m Manifest
			if err == nil {
				m, err = ParseManifest(data)
			}
			if err != nil {
				errs = append(errs, &Error{Browser: b.Name, Profile: p.Name, Path: mpath, Err: describe(err)})
			} else {
				applyManifest(&x, m)
				locale = m.DefaultLocale
			}
		}
		if strings.HasPrefix(x.Name, "__MSG_") && x.Path != "" && locale != "" && !strings.ContainsAny(locale, `/\.`) {
			if data, err := readFile(filepath.Join(x.Path, "_locales", locale, "messages.json"), maxSmall); err == nil {
				if name, ok := localizedName(x.Name, data); ok {
					x.Name = name
				}
			}
		}
		out = append(out, x)
	}
	sortExtensions(out)
	return out, errs
}

// extensionDir is an extension's folder: the absolute path an unpacked
// one was loaded from, or the profile's Extensions/<id>/<version> for a
// packed one, whose record gives that relative path.
func extensionDir(profileDir string, x Extension) string {
	if x.Path == "" {
		return ""
	}
	if filepath.IsAbs(x.Path) {
		return x.Path
	}
	rel, ok := cleanRelative(x.Path)
	if !ok {
		return ""
	}
	return filepath.Join(profileDir, "Extensions", filepath.FromSlash(rel))
}

func chromiumSettings(b Browser, p Profile) (Settings, []error) {
	var s Settings
	var errs []error
	lsPath := filepath.Join(b.DataDir, "Local State")
	data, err := readFile(lsPath, maxJSON)
	if err == nil {
		var ls LocalState
		if ls, err = ParseLocalState(data); err == nil {
			s.DNSOverHTTPS = ls.DNSOverHTTPS
		}
	}
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		errs = append(errs, &Error{Browser: b.Name, Path: lsPath, Err: describe(err)})
	}
	_, proxy, perrs := chromiumPrefs(b, p)
	s.Proxy = chromiumProxy(proxy)
	return s, append(errs, perrs...)
}
