package config

import (
	"reflect"
	"slices"
	"strings"
	"testing"
)

// Every duration key has a range: a new one cannot be added without.
func TestEveryDurationIsBounded(t *testing.T) {
	var want []string
	var walk func(rt reflect.Type, prefix string)
	walk = func(rt reflect.Type, prefix string) {
		for i := 0; i < rt.NumField(); i++ {
			f := rt.Field(i)
			name := prefix + f.Tag.Get("toml")
			switch {
			case f.Type.Kind() == reflect.Struct:
				walk(f.Type, name+".")
			case f.Type == reflect.TypeFor[Duration]():
				want = append(want, name)
			}
		}
	}
	walk(reflect.TypeFor[Config](), "")
	c := Default()
	var got []string
	for _, b := range c.durations() {
		got = append(got, strings.Join(b.key, "."))
		if d := b.d.D(); d < b.min || d > b.max {
			t.Errorf("the default %s = %v is outside its own range %v..%v", strings.Join(b.key, "."), d, b.min, b.max)
		}
	}
	slices.Sort(want)
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("bounded durations %q, want every duration key %q", got, want)
	}
}

// Durations near the top of the range once overflowed the scheduler into
// a busy loop (613 runs in 10 s); every duration is now kept to a sensible
// range, and the message says which, where.
func TestDurationsOutOfRange(t *testing.T) {
	for _, c := range []struct{ doc, want string }{
		{"[agent]\ninterval = \"2562047h\"\n", "f.toml:2: agent.interval: must be between 30s and 24h"},
		{"[agent]\n\nactive_interval = \"2562047h\"\n", "f.toml:3: agent.active_interval: must be between 10s and 24h"},
		{"[agent]\ninterval = \"25h\"\n", "f.toml:2: agent.interval: must be between 30s and 24h"},
		{"[check]\ndeadline = \"11m\"\n", "f.toml:2: check.deadline: must be between 1s and 10m"},
		{"[check]\ndeadline = \"500ms\"\n", "f.toml:2: check.deadline: must be between 1s and 10m"},
		{"[clock]\ntimeout = \"99ms\"\n", "f.toml:2: clock.timeout: must be between 100ms and 5m"},
		{"[dns]\ntimeout = \"5m1s\"\n", "f.toml:2: dns.timeout: must be between 100ms and 5m"},
		{"[endpoints]\ntimeout = \"1000h\"\n", "f.toml:2: endpoints.timeout: must be between 100ms and 5m"},
		{"[network]\ntimeout = \"0s\"\n", "f.toml:2: network.timeout: must be between 100ms and 5m"},
		{"[agent]\nconfirm_after = \"1h\"\n", "f.toml:2: agent.confirm_after: must be between 1s and 5m"},
	} {
		_, err := Parse("f.toml", []byte(c.doc))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: error %v, want %q", c.doc, err, c.want)
		}
	}
	edges := "[check]\ndeadline = \"10m\"\n[clock]\ntimeout = \"100ms\"\n[status]\ntimeout = \"5m\"\n[agent]\ninterval = \"24h\"\nactive_interval = \"10s\"\n"
	if _, err := Parse("f.toml", []byte(edges)); err != nil {
		t.Errorf("the ranges' own ends refused: %v", err)
	}
}

// TOML's nan and inf are numbers to its decoder: warning_seconds = nan
// raised clock-skew at every run, inf switched it off. Both are refused,
// for every number of the file, named by file, line and key.
func TestNonFiniteNumbersRefused(t *testing.T) {
	for _, c := range []struct{ doc, want string }{
		{"[clock]\nwarning_seconds = nan\n", "f.toml:2: clock.warning_seconds: must be a finite number"},
		{"[clock]\nwarning_seconds = inf\n", "f.toml:2: clock.warning_seconds: must be a finite number"},
		{"[clock]\n\ncritical_seconds = +inf\n", "f.toml:3: clock.critical_seconds: must be a finite number"},
		{"[clock]\nwarning_seconds = -inf\n", "f.toml:2: clock.warning_seconds: must be a finite number"},
		{"[clock]\ncritical_seconds = -nan\n", "f.toml:2: clock.critical_seconds: must be a finite number"},
	} {
		_, err := Parse("f.toml", []byte(c.doc))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: error %v, want %q", c.doc, err, c.want)
		}
	}
}
