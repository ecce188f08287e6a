package config

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/clearance-app/clearance/internal/winegap"
)

func TestParseOverridesOnlyWhatIsSet(t *testing.T) {
	c, err := Parse("c.toml", []byte(`
[clock]
ntp_servers = ["127.0.0.1:1123"]
critical_seconds = 120

[check]
deadline = "3s"
`))
	if err != nil {
		t.Fatal(err)
	}
	d := Default()
	if c.Clock.NTPServers[0] != "127.0.0.1:1123" || c.Clock.CriticalSeconds != 120 || c.Check.Deadline.D() != 3*time.Second {
		t.Errorf("overrides not applied: %+v", c)
	}
	if c.Clock.WarningSeconds != d.Clock.WarningSeconds || c.Status.URL != d.Status.URL || len(c.Endpoints.Hosts) != 4 {
		t.Errorf("defaults lost: %+v", c)
	}
}

func TestErrorsNameFileLineAndKey(t *testing.T) {
	cases := []struct{ name, doc, want string }{
		{"unknown key", "[clock]\nntp_servers = [\"a\"]\nbogus = 1\n", "f.toml:3: clock.bogus: unknown key"},
		{"unknown table", "\n[nope]\nx = 1\n", "f.toml:2: nope: unknown key"},
		{"wrong type", "[clock]\n\nwarning_seconds = \"x\"\n", "f.toml:3: clock.warning_seconds: expects a number, not a TOML string"},
		{"bad duration", "[network]\ntimeout = \"5q\"\n", `f.toml:2: network.timeout: "5q" is not a duration`},
		{"negative duration", "[status]\ntimeout = \"-1s\"\n", "f.toml:2: status.timeout: must be between 100ms and 5m"},
		{"bad scheme", "[endpoints]\nhosts = [\n  \"http://x/\"\n]\n", `f.toml:2: endpoints.hosts: "http://x/" must start with https://`},
		{"thresholds", "[clock]\nwarning_seconds = 90\ncritical_seconds = 60\n", "f.toml:3: clock.critical_seconds: must not be below warning_seconds"},
		{"syntax", "[clock\n", "f.toml:1: "},
		{"empty list", "[clock]\nntp_servers = []\n", "f.toml:2: clock.ntp_servers: needs at least one server"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse("f.toml", []byte(c.doc))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want it to contain %q", err, c.want)
			}
		})
	}
}

func TestLoadMissingFile(t *testing.T) {
	missing := filepath.Join(winegap.TempDir(t), "none.toml")
	if _, err := Load(Source{Path: missing}); err != nil {
		t.Fatalf("an absent system file means defaults, got %v", err)
	}
	if _, err := Load(Source{Path: missing, Explicit: true}); err == nil || !strings.Contains(err.Error(), missing) {
		t.Fatalf("an absent named file must be an error naming it, got %v", err)
	}
}

func TestLocate(t *testing.T) {
	env := func(v string) func(string) string { return func(string) string { return v } }
	if s := Locate("/a.toml", env("/b.toml")); s.Path != "/a.toml" || !s.Explicit {
		t.Errorf("flag first: %+v", s)
	}
	if s := Locate("", env("/b.toml")); s.Path != "/b.toml" || !s.Explicit {
		t.Errorf("then CLEARANCE_CONFIG: %+v", s)
	}
	if s := Locate("", env("")); s.Path != systemPath() || s.Explicit {
		t.Errorf("then the system file: %+v", s)
	}
}

func TestAgentIntervalsAreBounded(t *testing.T) {
	for _, c := range []struct{ toml, key string }{
		{"[agent]\nactive_interval = \"1ns\"\n", "agent.active_interval"},
		{"[agent]\ninterval = \"20s\"\n", "agent.interval"},
		{"[agent]\nconfirm_after = \"0s\"\n", "agent.confirm_after"},
		{"[agent]\nconfirm_after = \"1h\"\n", "agent.confirm_after"},
	} {
		_, err := Parse("c.toml", []byte(c.toml))
		if err == nil || !strings.Contains(err.Error(), c.key) {
			t.Errorf("%q: err %v, want one naming %s", c.toml, err, c.key)
		}
	}
	if _, err := Parse("c.toml", []byte("[agent]\ninterval = \"10m\"\nactive_interval = \"10s\"\nconfirm_after = \"2s\"\n")); err != nil {
		t.Fatalf("good values refused: %v", err)
	}
}

// The metrics and OTLP keys are off by default, and each refuses what
// would listen, write or push somewhere nobody meant, naming the key.
func TestMetricsAndOTLPKeys(t *testing.T) {
	d := Default()
	if d.Metrics.Listen != "" || d.Metrics.Textfile != "" || d.OTLP.Endpoint != "" {
		t.Fatalf("metrics must be off by default: %+v %+v", d.Metrics, d.OTLP)
	}
	// Absolute on this system: a Windows textfile path has a drive.
	dir := winegap.TempDir(t)
	txt, dotProm := filepath.Join(dir, "clearance.txt"), filepath.Join(dir, ".prom")
	for _, c := range []struct{ toml, want string }{
		{"[metrics]\nlisten = \"9817\"\n", `metrics.listen: "9817" is not a host and port`},
		{"[metrics]\nlisten = \":9817\"\n", `metrics.listen: ":9817" has no host; write "127.0.0.1:9817"`},
		{"[metrics]\nlisten = \"127.0.0.1:0\"\n", "metrics.listen: \"127.0.0.1:0\" needs a port from 1 to 65535"},
		{"[metrics]\nlisten = \"127.0.0.1:70000\"\n", "metrics.listen: \"127.0.0.1:70000\" needs a port"},
		{"[metrics]\nlisten = \"127.0.0.1:http\"\n", "metrics.listen: \"127.0.0.1:http\" needs a port"},
		{"[metrics]\ntextfile = \"clearance.prom\"\n", "metrics.textfile: \"clearance.prom\" must be an absolute path"},
		{"[metrics]\ntextfile = '" + txt + "'\n", fmt.Sprintf("metrics.textfile: %q must name a file ending in .prom", txt)},
		{"[metrics]\ntextfile = '" + dotProm + "'\n", fmt.Sprintf("metrics.textfile: %q must name a file ending in .prom", dotProm)},
		{"[otlp]\nendpoint = \"collector:4318\"\n", "otlp.endpoint: \"collector:4318\" is not a URL"},
		{"[otlp]\nendpoint = \"grpc://collector:4317\"\n", "otlp.endpoint: \"grpc://collector:4317\" must start with https://"},
		{"[otlp]\nendpoint = \"http://\"\n", "otlp.endpoint: \"http://\" is not a URL"},
	} {
		_, err := Parse("c.toml", []byte(c.toml))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: err %v, want one containing %q", c.toml, err, c.want)
		}
	}
	abs := filepath.Join(dir, "clearance.prom")
	good := "[metrics]\nlisten = \"127.0.0.1:9817\"\ntextfile = '" + abs + "'\n[otlp]\nendpoint = \"http://127.0.0.1:4318\"\n"
	c, err := Parse("c.toml", []byte(good))
	if err != nil {
		t.Fatalf("good values refused: %v", err)
	}
	if c.Metrics.Listen != "127.0.0.1:9817" || c.Metrics.Textfile != abs || c.OTLP.Endpoint != "http://127.0.0.1:4318" {
		t.Fatalf("values not read: %+v %+v", c.Metrics, c.OTLP)
	}
	for _, listen := range []string{"0.0.0.0:9817", "[::1]:9817", "localhost:9817"} {
		if _, err := Parse("c.toml", []byte("[metrics]\nlisten = \""+listen+"\"\n")); err != nil {
			t.Errorf("%s, written explicitly, refused: %v", listen, err)
		}
	}
}
