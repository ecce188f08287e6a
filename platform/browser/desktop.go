package browser

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// The parsers below follow the Desktop Entry Specification 1.5
// (specifications.freedesktop.org/desktop-entry-spec): pure functions,
// tested on every OS.

// parseDesktopEntry returns the keys of the [Desktop Entry] group,
// unlocalized ones only, with the general escapes of string values
// (\s \n \t \r \\) undone.
func parseDesktopEntry(data []byte) map[string]string {
	out := map[string]string{}
	in := false
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "" || strings.HasPrefix(line, "#"):
			continue
		case strings.HasPrefix(line, "["):
			in = line == "[Desktop Entry]"
			continue
		}
		if !in {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			continue
		}
		k = strings.TrimSpace(k)
		if strings.Contains(k, "[") {
			continue // Name[de]=…
		}
		if _, dup := out[k]; !dup {
			out[k] = unescapeValue(strings.TrimSpace(v))
		}
	}
	return out
}

func unescapeValue(v string) string {
	if !strings.Contains(v, `\`) {
		return v
	}
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		if v[i] != '\\' || i+1 == len(v) {
			b.WriteByte(v[i])
			continue
		}
		i++
		switch v[i] {
		case 's':
			b.WriteByte(' ')
		case 'n':
			b.WriteByte('\n')
		case 't':
			b.WriteByte('\t')
		case 'r':
			b.WriteByte('\r')
		case '\\':
			b.WriteByte('\\')
		default:
			b.WriteByte('\\')
			b.WriteByte(v[i])
		}
	}
	return b.String()
}

// parseExec splits an Exec value into argv and drops its field codes: a
// whole unquoted argument that is a field code (%u, %U, %f, %F, %i, %c,
// %k and the deprecated ones) goes, one inside a longer argument is
// removed from it, and %% becomes %. Inside double quotes, \" \` \$ and
// \\ stand for the character. Flatpak's file-forwarding markers (@@u,
// @@) are dropped too: what Clearance passes is a URL, not a file.
func parseExec(exec string) ([]string, error) {
	var (
		argv    []string
		cur     strings.Builder
		started bool // cur holds an argument, possibly empty ("")
		quoted  bool // the argument had a quoted part
		inQuote bool
	)
	flush := func() {
		arg, wasQuoted := cur.String(), quoted
		cur.Reset()
		if !started {
			return
		}
		started, quoted = false, false
		if !wasQuoted {
			if isFieldCode(arg) || arg == "@@u" || arg == "@@" {
				return
			}
			arg = stripFieldCodes(arg)
		}
		argv = append(argv, arg)
	}
	for i := 0; i < len(exec); i++ {
		c := exec[i]
		switch {
		case inQuote && c == '\\' && i+1 < len(exec) && strings.IndexByte("\"`$\\", exec[i+1]) >= 0:
			i++
			cur.WriteByte(exec[i])
		case c == '"':
			inQuote = !inQuote
			quoted, started = true, true
		case !inQuote && (c == ' ' || c == '\t'):
			flush()
		default:
			cur.WriteByte(c)
			started = true
		}
	}
	if inQuote {
		return nil, errors.New("unterminated quote in Exec")
	}
	flush()
	if len(argv) == 0 {
		return nil, errors.New("empty Exec")
	}
	return argv, nil
}

func isFieldCode(s string) bool {
	return len(s) == 2 && s[0] == '%' && strings.IndexByte("fFuUdDnNickvm", s[1]) >= 0
}

func stripFieldCodes(s string) string {
	if !strings.Contains(s, "%") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '%' || i+1 == len(s) {
			b.WriteByte(s[i])
			continue
		}
		i++
		if s[i] == '%' {
			b.WriteByte('%')
		}
	}
	return b.String()
}

// execBrowser identifies the browser an Exec argv starts, looking past
// wrappers: env and its VAR=value assignments, and `flatpak run`, whose
// app ID names the browser. The desktop file ID is the last resort. The
// install kind is Flatpak for `flatpak run`, Snap for a program in
// /snap/bin or a snap's desktop file ID (<snap>_<app>.desktop), else "".
func execBrowser(argv []string, desktopID string) (name, install string, ok bool) {
	i := 0
	if i < len(argv) && filepath.Base(argv[i]) == "env" {
		i++
		for i < len(argv) && strings.Contains(argv[i], "=") && !strings.HasPrefix(argv[i], "-") {
			i++
		}
	}
	if i < len(argv) {
		if strings.HasPrefix(argv[i], "/snap/bin/") {
			install = Snap
		}
		if n, ok := Identify(argv[i]); ok {
			return n, install, true
		}
		if filepath.Base(argv[i]) == "flatpak" {
			for _, a := range argv[i+1:] {
				if a == "run" || strings.HasPrefix(a, "-") {
					continue
				}
				if n, ok := Identify(a); ok {
					return n, Flatpak, true
				}
				break
			}
		}
	}
	if snap, _, found := strings.Cut(strings.TrimSuffix(desktopID, ".desktop"), "_"); found {
		if n, ok := Identify(snap); ok {
			return n, Snap, true
		}
	}
	n, ok := Identify(desktopID)
	return n, install, ok
}

// findDesktopFile finds the file of a desktop file ID in the
// applications/ directory of dirs, most important first. An ID maps to a
// path with its dashes possibly standing for subdirectories
// (kde4-konqbrowser.desktop is kde4/konqbrowser.desktop).
func findDesktopFile(id string, dirs []string) (string, error) {
	if id == "" || strings.ContainsAny(id, `/\`) || !strings.HasSuffix(id, ".desktop") {
		return "", fmt.Errorf("%q is not a desktop file ID", id)
	}
	for _, d := range dirs {
		apps := filepath.Join(d, "applications")
		if p := filepath.Join(apps, id); isFile(p) {
			return p, nil
		}
		var found string
		filepath.WalkDir(apps, func(p string, e fs.DirEntry, err error) error {
			if err != nil || e.IsDir() {
				return nil // a directory that is missing or unreadable has nothing for us
			}
			rel, err := filepath.Rel(apps, p)
			if err == nil && strings.ReplaceAll(filepath.ToSlash(rel), "/", "-") == id {
				found = p
				return fs.SkipAll
			}
			return nil
		})
		if found != "" {
			return found, nil
		}
	}
	return "", fmt.Errorf("no %s in %s", id, strings.Join(dirs, ", "))
}

func isFile(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.Mode().IsRegular()
}
