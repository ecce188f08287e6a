package tray

import (
	"bufio"
	"bytes"
	"path/filepath"
	"strings"
)

// Where "Details…" writes its page decides which browsers can open it. On
// Linux the default browser is often confined: Ubuntu's Firefox is a snap,
// whose home interface reads nothing in a hidden directory at the top of
// the home (~/.cache, where the page used to be), and Flathub's browsers
// are granted the download directory. So the page goes to a Clearance
// folder in the person's download directory: every browser, confined or
// not, can read where it downloads to. The desktop portal's OpenFile is no
// way round: it hands the file to a Flatpak handler through the document
// store, but to a snap as its bare path, which the snap still cannot read;
// and where more than one application opens HTML (two browsers), it shows
// an "open with" chooser until the person has picked the same one three
// times, where xdg-open opens the default at once. Per OS: detailsdir_other.go
// (Linux and the BSDs), detailsdir_darwin.go and detailsdir_windows.go,
// where a browser opens a page in the cache directory like any other file.

// detailsFolder is the folder of pages inside the download directory.
const detailsFolder = "Clearance"

// xdgDetailsDir is the details directory on a freedesktop.org desktop: the
// Clearance folder in the download directory that userDirs (the content of
// user-dirs.dirs, nil when there is none) names, or else in ~/Downloads. A
// download directory that is relative or hidden — one a confined browser
// could not read — is not used.
func xdgDetailsDir(home string, userDirs []byte) string {
	dir, ok := userDir(userDirs, "XDG_DOWNLOAD_DIR", home)
	if !ok || !filepath.IsAbs(dir) || hiddenBelow(home, dir) {
		dir = filepath.Join(home, "Downloads")
	}
	return filepath.Join(dir, detailsFolder)
}

// userDir reads one directory from user-dirs.dirs, the file xdg-user-dirs
// keeps in the configuration directory: lines KEY="VALUE", where VALUE is
// "$HOME/…" or an absolute path, with \ escaping the next character
// (freedesktop.org's xdg-user-dirs, user-dirs.dirs(5)). The last line for
// a key counts, as the shell that may source the file would have it.
func userDir(data []byte, key, home string) (string, bool) {
	var dir string
	found := false
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		k, v, ok := strings.Cut(line, "=")
		if !ok || strings.HasPrefix(line, "#") || strings.TrimSpace(k) != key {
			continue
		}
		v = strings.TrimSpace(v)
		if len(v) < 2 || v[0] != '"' || v[len(v)-1] != '"' {
			continue
		}
		v = unescapeShell(v[1 : len(v)-1])
		switch {
		case v == "$HOME" || v == "$HOME/":
			dir, found = home, true
		case strings.HasPrefix(v, "$HOME/"):
			dir, found = filepath.Join(home, v[len("$HOME/"):]), true
		case filepath.IsAbs(v):
			dir, found = filepath.Clean(v), true
		}
	}
	return dir, found
}

func unescapeShell(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// hiddenBelow says whether a path below home has a hidden component
// (~/.cache/…), which a snap's home interface refuses.
func hiddenBelow(home, dir string) bool {
	rel, err := filepath.Rel(home, dir)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return false // not below home
	}
	for _, part := range strings.Split(rel, string(filepath.Separator)) {
		if strings.HasPrefix(part, ".") && part != "." {
			return true
		}
	}
	return false
}
