package browser

import (
	"bufio"
	"bytes"
	"errors"
	"strings"
	"time"
)

// iniSection is one [section] of an INI file, its keys in order.
type iniSection struct {
	name string
	keys map[string]string
}

// parseINI reads an INI file as Firefox's nsINIParser does: [section]
// lines, key=value lines with the spaces around both trimmed, comments
// starting with ; or #, the first of a repeated key kept. A file with a
// NUL byte is not text.
func parseINI(data []byte) ([]iniSection, error) {
	if bytes.IndexByte(data, 0) >= 0 {
		return nil, errors.New("not a text file")
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	var out []iniSection
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 4096), maxSmall)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "" || line[0] == ';' || line[0] == '#':
		case line[0] == '[':
			name, _, ok := strings.Cut(line[1:], "]")
			if !ok {
				continue
			}
			out = append(out, iniSection{name: strings.TrimSpace(name), keys: map[string]string{}})
		case len(out) > 0:
			k, v, ok := strings.Cut(line, "=")
			k = strings.TrimSpace(k)
			if !ok || k == "" {
				continue
			}
			if _, dup := out[len(out)-1].keys[k]; !dup {
				out[len(out)-1].keys[k] = strings.TrimSpace(v)
			}
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// ProfilesINI is a Firefox profiles.ini.
type ProfilesINI struct {
	Profiles []INIProfile
}

// INIProfile is one [ProfileN] section of profiles.ini.
type INIProfile struct {
	Name       string
	Path       string // as written: relative to profiles.ini's folder when IsRelative, with / separators
	IsRelative bool
	// Default is Default=1, or the profile an [Install…] section names
	// as that installation's default (Firefox 67 and later).
	Default bool
}

// ParseProfilesINI reads a Firefox profiles.ini (recorded from Firefox ESR
// 153 in testdata/firefox-esr-153). A [Profile…] section without a Path
// is left out. Where the paths lead is for the caller to check: see
// Discover.
func ParseProfilesINI(data []byte) (ProfilesINI, error) {
	secs, err := parseINI(data)
	if err != nil {
		return ProfilesINI{}, err
	}
	installDefaults := map[string]bool{}
	for _, s := range secs {
		if strings.HasPrefix(s.name, "Install") && s.keys["Default"] != "" {
			installDefaults[s.keys["Default"]] = true
		}
	}
	var out ProfilesINI
	for _, s := range secs {
		if !strings.HasPrefix(s.name, "Profile") || s.keys["Path"] == "" {
			continue
		}
		p := INIProfile{
			Name:       s.keys["Name"],
			Path:       s.keys["Path"],
			IsRelative: s.keys["IsRelative"] == "1",
			Default:    s.keys["Default"] == "1" || installDefaults[s.keys["Path"]],
		}
		if p.Name == "" {
			p.Name = p.Path
		}
		out.Profiles = append(out.Profiles, p)
	}
	return out, nil
}

// Compatibility is a Firefox profile's compatibility.ini: the build that
// last opened the profile.
type Compatibility struct {
	Version     string    // "153.8.0"
	BuildID     string    // "20261117185949"
	Built       time.Time // the build ID read as a UTC date; zero when it is none
	PlatformDir string    // LastPlatformDir: where that build is installed
	AppDir      string    // LastAppDir
}

// ParseCompatibilityINI reads compatibility.ini, whose LastVersion is
// "<version>_<build ID>/<platform build ID>".
func ParseCompatibilityINI(data []byte) (Compatibility, error) {
	secs, err := parseINI(data)
	if err != nil {
		return Compatibility{}, err
	}
	for _, s := range secs {
		if s.name != "Compatibility" {
			continue
		}
		last := s.keys["LastVersion"]
		if last == "" {
			break
		}
		c := Compatibility{PlatformDir: s.keys["LastPlatformDir"], AppDir: s.keys["LastAppDir"]}
		version, build, _ := strings.Cut(last, "_")
		build, _, _ = strings.Cut(build, "/")
		c.Version, c.BuildID = version, build
		// A build ID is the build's start as YYYYMMDDhhmmss.
		if t, err := time.Parse("20060102150405", build); err == nil {
			c.Built = t
		}
		return c, nil
	}
	return Compatibility{}, errors.New("compatibility.ini has no LastVersion")
}
