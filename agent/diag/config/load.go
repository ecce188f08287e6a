package config

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/pelletier/go-toml/v2"
	"github.com/pelletier/go-toml/v2/unstable"

	"github.com/clearance-app/clearance/platform/host"
)

// Error is a problem in a configuration file, located by file, line and key.
type Error struct {
	File string
	Line int    // 0 when unknown
	Key  string // dotted key path; "" when the file itself is bad
	Msg  string
	Err  error // what made the file unreadable, when it could not be read
}

// Unwrap lets callers tell a file that could not be read (for want of
// file descriptors, say) from one that is wrong.
func (e *Error) Unwrap() error { return e.Err }

func (e *Error) Error() string {
	loc := e.File
	if e.Line > 0 {
		loc = fmt.Sprintf("%s:%d", e.File, e.Line)
	}
	if e.Key == "" {
		return fmt.Sprintf("%s: %s", loc, e.Msg)
	}
	return fmt.Sprintf("%s: %s: %s", loc, e.Key, e.Msg)
}

// Source says where the configuration came from.
type Source struct {
	Path     string // "" when only defaults are used
	Explicit bool   // named by --config or CLEARANCE_CONFIG: it must exist
	// Privileged is set when the reader runs with full rights (the agent
	// as root, install): the file decides which servers set the clock and
	// whether fixes run, so it, and every directory above it, must be
	// root's alone to change (host.ReadRootOwned).
	Privileged bool
}

// Load reads the file at src over the defaults. A missing file that was not
// named explicitly means "use the defaults".
func Load(src Source) (Config, error) {
	c := Default()
	if src.Path == "" {
		return c, nil
	}
	read := os.ReadFile
	if src.Privileged {
		read = host.ReadRootOwned
	}
	b, err := read(src.Path)
	if errors.Is(err, fs.ErrNotExist) && !src.Explicit {
		return c, nil
	}
	if ue := (*host.UnsafePathError)(nil); errors.As(err, &ue) {
		return c, &Error{File: src.Path, Msg: "refused because " + ue.Error(), Err: err}
	}
	if err != nil {
		return c, &Error{File: src.Path, Msg: fmt.Sprintf("cannot read the file: %v", unwrapPath(err)), Err: err}
	}
	return Parse(src.Path, b)
}

// Parse decodes b (read from file) over the defaults and validates it.
func Parse(file string, b []byte) (Config, error) {
	c := Default()
	dec := toml.NewDecoder(bytes.NewReader(b)).DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return Default(), decodeError(file, err)
	}
	if p := c.validate(); p != nil {
		return Default(), &Error{File: file, Line: lineOf(b, p.key), Key: strings.Join(p.key, "."), Msg: p.msg}
	}
	return c, nil
}

func decodeError(file string, err error) *Error {
	var strict *toml.StrictMissingError
	if errors.As(err, &strict) && len(strict.Errors) > 0 {
		e := strict.Errors[0]
		line, _ := e.Position()
		return &Error{File: file, Line: line, Key: strings.Join(e.Key(), "."), Msg: "unknown key"}
	}
	var de *toml.DecodeError
	if errors.As(err, &de) {
		line, _ := de.Position()
		return &Error{File: file, Line: line, Key: strings.Join(de.Key(), "."), Msg: plainDecodeMsg(de.Error())}
	}
	return &Error{File: file, Msg: plainDecodeMsg(err.Error())}
}

var typeMismatch = regexp.MustCompile(`cannot decode TOML (\w+) into .* of type (\[\])?(\w+)`)

// plainDecodeMsg turns the decoder's wording into the file's vocabulary.
func plainDecodeMsg(msg string) string {
	msg = strings.TrimPrefix(msg, "toml: ")
	if m := typeMismatch.FindStringSubmatch(msg); m != nil {
		want := map[string]string{"float64": "a number", "int": "a whole number", "string": "a string", "Duration": "a duration like \"5s\"", "bool": "true or false"}[m[3]]
		if want == "" {
			want = m[3]
		}
		if m[2] != "" {
			want = "a list of " + strings.TrimPrefix(want, "a ") + "s"
		}
		return fmt.Sprintf("expects %s, not a TOML %s", want, m[1])
	}
	return msg
}

// lineOf finds the line where the key path is set, or 0.
func lineOf(b []byte, key []string) int {
	want := strings.Join(key, ".")
	var p unstable.Parser
	p.Reset(b)
	var table []string
	for p.NextExpression() {
		n := p.Expression()
		switch n.Kind {
		case unstable.Table, unstable.ArrayTable:
			table = keyOf(n)
			if strings.Join(table, ".") == want {
				return p.Shape(n.Raw).Start.Line
			}
		case unstable.KeyValue:
			full := append(append([]string{}, table...), keyOf(n)...)
			if strings.Join(full, ".") == want {
				return p.Shape(n.Raw).Start.Line
			}
		}
	}
	return 0
}

func keyOf(n *unstable.Node) []string {
	var parts []string
	it := n.Key()
	for it.Next() {
		parts = append(parts, string(it.Node().Data))
	}
	return parts
}

func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// Locate picks the configuration file: the --config flag, else the
// CLEARANCE_CONFIG variable (both must exist), else the system file (which
// may be absent: then the defaults apply).
func Locate(flagPath string, getenv func(string) string) Source {
	if flagPath != "" {
		return Source{Path: flagPath, Explicit: true}
	}
	if p := getenv("CLEARANCE_CONFIG"); p != "" {
		return Source{Path: p, Explicit: true}
	}
	return Source{Path: systemPath()}
}

// SystemDir is the directory of the system file, which the installer makes
// root's alone to change.
func SystemDir() string { return filepath.Dir(systemPath()) }
