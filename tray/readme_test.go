package tray

import (
	"os"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// The README's table of the tray's settings is what a person reads to edit
// tray.toml: it must name every key the tray reads, and no other, with the
// default the tray starts from. Written in two places, they drift.
func TestREADMETraySettingsTable(t *testing.T) {
	b, err := os.ReadFile("../README.md") // the repository's, from tray
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(b), "\n### The tray's own settings\n")
	if !ok {
		t.Fatal(`README.md has no "### The tray's own settings" section`)
	}
	section, _, _ = strings.Cut(section, "\n#")
	rows := map[string]string{} // key: default, as written
	for _, line := range strings.Split(section, "\n") {
		cells := strings.Split(strings.Trim(strings.TrimSpace(line), "|"), "|")
		if len(cells) < 2 || !strings.HasPrefix(strings.TrimSpace(cells[0]), "`") {
			continue
		}
		rows[strings.Trim(strings.TrimSpace(cells[0]), "`")] = strings.Trim(strings.TrimSpace(cells[1]), "`")
	}
	def := reflect.ValueOf(DefaultSettings())
	keys := map[string]bool{}
	for i := 0; i < def.NumField(); i++ {
		key, _, _ := strings.Cut(def.Type().Field(i).Tag.Get("toml"), ",")
		keys[key] = true
		got, ok := rows[key]
		switch {
		case !ok:
			t.Errorf("the README's table of the tray's settings has no row for `%s`", key)
		case def.Field(i).Kind() == reflect.Bool && got != strconv.FormatBool(def.Field(i).Bool()):
			t.Errorf("README: `%s` defaults to %s; the tray's default is %t", key, got, def.Field(i).Bool())
		}
	}
	for k := range rows {
		if !keys[k] {
			t.Errorf("the README's table of the tray's settings has a row for `%s`, which the tray does not read", k)
		}
	}
}
