package config

import (
	"bytes"
	"errors"
	"reflect"
	"testing"

	"github.com/pelletier/go-toml/v2"
)

// FuzzParse: the configuration file is written by a person, or by anyone
// who could write where it lives. Parse must not panic; a file it refuses
// gives the defaults and an error naming the file and a line within it;
// a file it accepts passes its own validation and, written out again,
// reads back as the same configuration.
func FuzzParse(f *testing.F) {
	def, err := toml.Marshal(Default())
	if err != nil {
		f.Fatal(err)
	}
	f.Add(def)
	f.Add([]byte("[agent]\ninterval = \"5m\"\nactive_interval = \"30s\"\n[check]\ndeadline = \"20s\"\n"))
	f.Add([]byte("[agent]\ninterval = \"2562047h\"\n"))
	f.Add([]byte("[check]\ndeadline = 5\n[[x]]\n"))
	f.Add([]byte("[status]\nurl = \"ftp://x\"\ntimeout = \"nan\"\n"))
	f.Add([]byte("[metrics]\nlisten = \"127.0.0.1:9817\"\ntextfile = \"/var/lib/node_exporter/clearance.prom\"\n[otlp]\nendpoint = \"http://127.0.0.1:4318\"\n"))
	f.Add([]byte("[metrics]\nlisten = \":9817\"\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := Parse("f.toml", b)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.File != "f.toml" || e.Msg == "" || e.Line < 0 || e.Line > bytes.Count(b, []byte("\n"))+1 {
				t.Fatalf("error %#v", err)
			}
			if !reflect.DeepEqual(c, Default()) {
				t.Fatalf("refused, yet not the defaults: %+v", c)
			}
			return
		}
		if p := c.validate(); p != nil {
			t.Fatalf("accepted, yet invalid: %s: %s", p.key, p.msg)
		}
		out, err := toml.Marshal(c)
		if err != nil {
			t.Fatalf("cannot write the accepted configuration: %v", err)
		}
		again, err := Parse("again.toml", out)
		if err != nil {
			t.Fatalf("written again, refused: %v\n%s", err, out)
		}
		if !reflect.DeepEqual(again, c) {
			t.Fatalf("read back as\n%+v\nnot\n%+v\n%s", again, c, out)
		}
	})
}
