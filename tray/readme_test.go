package tray

import (
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/clearance-app/clearance/internal/readmetest"
)

// The README's table of the tray's settings is what a person reads to edit
// tray.toml: it must name every key the tray reads, and no other, with the
// default the tray starts from. Written in two places, they drift.
func TestREADMETraySettingsTable(t *testing.T) {
	section := readmetest.Section(t, "### The tray's own settings")
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
