package config

import (
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/clearance-app/clearance/internal/readmetest"
)

// The README's configuration table is what people read to set a key: it
// must name every key and no other, give each its real default, and give
// each duration the range validate enforces. Written in two places, they
// drift; this test is what keeps them one.
func TestREADMEConfigTable(t *testing.T) {
	rows, err := configTable(readmetest.Read(t))
	if err != nil {
		t.Fatal(err)
	}
	def := Default()
	keys := Keys()
	for _, k := range keys {
		row, ok := rows[k]
		if !ok {
			t.Errorf("the README's configuration table has no row for `%s`", k)
			continue
		}
		if want := tomlValue(t, valueAt(reflect.ValueOf(def), strings.Split(k, "."))); row.def != want {
			t.Errorf("README: `%s` defaults to %s; the code's default is %s", k, row.def, want)
		}
	}
	for k := range rows {
		if !slices.Contains(keys, k) {
			t.Errorf("the README's configuration table has a row for `%s`, which is no key", k)
		}
	}
	for _, bd := range def.durations() {
		k := strings.Join(bd.key, ".")
		want := shortDuration(bd.min) + " to " + shortDuration(bd.max)
		if row, ok := rows[k]; ok && !strings.Contains(row.meaning, want) {
			t.Errorf("README: `%s` says %q; the range validate enforces is %s", k, row.meaning, want)
		}
	}
}

type readmeRow struct{ def, meaning string }

// configTable reads the table under "## Configuration" whose header is
// "| key | default | meaning |", by key.
func configTable(readme string) (map[string]readmeRow, error) {
	_, section, ok := strings.Cut(readme, "\n## Configuration\n")
	if !ok {
		return nil, fmt.Errorf("README.md has no Configuration section")
	}
	section, _, _ = strings.Cut(section, "\n## ")
	rows := map[string]readmeRow{}
	in := false
	for _, line := range strings.Split(section, "\n") {
		cells := tableCells(line)
		switch {
		case len(cells) == 3 && cells[0] == "key" && cells[1] == "default":
			in = true
		case !in || strings.HasPrefix(cells[0], "---"):
		case len(cells) != 3:
			if len(rows) > 0 {
				return rows, nil // the table ended
			}
		default:
			rows[strings.Trim(cells[0], "`")] = readmeRow{strings.Trim(cells[1], "`"), cells[2]}
		}
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("README.md: no configuration table (| key | default | meaning |)")
	}
	return rows, nil
}

// tableCells splits a Markdown table row at its unescaped pipes.
func tableCells(line string) []string {
	line = strings.TrimSpace(line)
	if !strings.HasPrefix(line, "|") {
		return []string{line}
	}
	var cells []string
	var cur strings.Builder
	for i := 1; i < len(line); i++ {
		switch {
		case line[i] == '\\' && i+1 < len(line) && line[i+1] == '|':
			cur.WriteString(`\|`)
			i++
		case line[i] == '|':
			cells = append(cells, strings.TrimSpace(cur.String()))
			cur.Reset()
		default:
			cur.WriteByte(line[i])
		}
	}
	return cells
}

// valueAt finds the field a dotted key names, by its toml tags.
func valueAt(v reflect.Value, key []string) reflect.Value {
	for i := 0; i < v.NumField(); i++ {
		if v.Type().Field(i).Tag.Get("toml") == key[0] {
			if len(key) == 1 {
				return v.Field(i)
			}
			return valueAt(v.Field(i), key[1:])
		}
	}
	return reflect.Value{}
}

// tomlValue writes a default as the README does: TOML, durations short.
func tomlValue(t *testing.T, v reflect.Value) string {
	t.Helper()
	if d, ok := v.Interface().(Duration); ok {
		return strconv.Quote(shortDuration(d.D()))
	}
	switch v.Kind() {
	case reflect.String:
		return strconv.Quote(v.String())
	case reflect.Bool:
		return strconv.FormatBool(v.Bool())
	case reflect.Int:
		return strconv.FormatInt(v.Int(), 10)
	case reflect.Float64:
		return strconv.FormatFloat(v.Float(), 'f', -1, 64)
	case reflect.Slice:
		var items []string
		for i := 0; i < v.Len(); i++ {
			items = append(items, tomlValue(t, v.Index(i)))
		}
		return "[" + strings.Join(items, ", ") + "]"
	}
	t.Fatalf("no README form for a %s", v.Type())
	return ""
}
