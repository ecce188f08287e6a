package probe

import (
	"errors"
	"net/netip"
	"os"
	"path/filepath"
	"testing"
)

func TestParseTraceFiles(t *testing.T) {
	tests := map[string]Trace{
		"trace-chatgpt.txt":   {IP: "203.0.113.7", Loc: "DE", Colo: "FRA", WARP: "off", Gateway: "off", HTTP: "http/2", TLS: "TLSv1.3"},
		"trace-warp-crlf.txt": {IP: "2001:db8::7", Loc: "JP", Colo: "NRT", WARP: "plus", Gateway: "on", HTTP: "http/3", TLS: "TLSv1.3"},
	}
	for name, want := range tests {
		t.Run(name, func(t *testing.T) {
			body, err := os.ReadFile(filepath.Join("testdata", name))
			if err != nil {
				t.Fatal(err)
			}
			got, err := ParseTrace(body)
			if err != nil || got != want {
				t.Errorf("ParseTrace = %+v, %v; want %+v", got, err, want)
			}
		})
	}
}

func TestParseTraceOddInput(t *testing.T) {
	tests := []struct {
		name string
		body string
		want Trace
		err  error
	}{
		{"empty", "", Trace{}, ErrNotTrace},
		{"a captive portal page", "<html><body>Please log in</body></html>", Trace{}, ErrNotTrace},
		{"a block page", "error code: 1020", Trace{}, ErrNotTrace},
		{"first value wins", "ip=192.0.2.1\nip=192.0.2.2\n", Trace{IP: "192.0.2.1"}, nil},
		{"spaces around", "  loc = FR \n", Trace{Loc: "FR"}, nil},
		{"bad values are dropped", "ip=not-an-ip\nloc=FRANCE\ncolo=<script>\nwarp=on\n", Trace{}, ErrNotTrace},
		{"a bad value does not hide a later good one", "ip=999.1.1.1\nip=192.0.2.9\n", Trace{IP: "192.0.2.9"}, nil},
		{"zone in the address", "ip=fe80::1%eth0\ncolo=AMS\n", Trace{Colo: "AMS"}, nil},
		{"value with an equals sign", "colo=AMS\nhttp=a=b\n", Trace{Colo: "AMS"}, nil},
		{"no final newline", "colo=AMS", Trace{Colo: "AMS"}, nil},
		{"control characters", "colo=AM\x00S\nloc=NL\n", Trace{Loc: "NL"}, nil},
		{"long value", "colo=SIN\ntls=" + string(make([]byte, 100)) + "\n", Trace{Colo: "SIN"}, nil},
		{"tor country code", "loc=T1\n", Trace{Loc: "T1"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseTrace([]byte(tt.body))
			if got != tt.want || !errors.Is(err, tt.err) {
				t.Errorf("ParseTrace = %+v, %v; want %+v, %v", got, err, tt.want, tt.err)
			}
		})
	}
}

func TestTraceData(t *testing.T) {
	d := Trace{IP: "192.0.2.1", Loc: "DE", WARP: "on"}.Data()
	if len(d) != 3 || d["ip"] != "192.0.2.1" || d["loc"] != "DE" || d["warp"] != "on" {
		t.Errorf("Data() = %v", d)
	}
}

// FuzzParseTrace: never panic, and what is kept is well formed.
func FuzzParseTrace(f *testing.F) {
	for _, name := range []string{"trace-chatgpt.txt", "trace-warp-crlf.txt"} {
		body, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(body)
	}
	f.Add([]byte("ip=::ffff:1.2.3.4\nloc=XX\ncolo=LHR\n"))
	f.Add([]byte("=\n==\nip\n\r\n\x00=\x00\n"))
	f.Add([]byte("<html>ip=1.2.3.4</html>\n"))
	f.Fuzz(func(t *testing.T, body []byte) {
		tr, err := ParseTrace(body)
		if err != nil {
			if tr != (Trace{}) {
				t.Fatalf("error %v with a non-empty trace %+v", err, tr)
			}
			return
		}
		if tr.IP == "" && tr.Loc == "" && tr.Colo == "" {
			t.Fatal("a trace without ip, loc or colo was accepted")
		}
		if tr.IP != "" {
			if _, err := netip.ParseAddr(tr.IP); err != nil {
				t.Fatalf("ip %q does not parse", tr.IP)
			}
		}
		if tr.Loc != "" && len(tr.Loc) != 2 {
			t.Fatalf("loc %q", tr.Loc)
		}
		for k, v := range tr.Data() {
			s := v.(string)
			if len(s) > 45 && k != "ip" || len(s) > 64 || Printable(s, 64) != s {
				t.Fatalf("%s=%q is not short printable text", k, s)
			}
		}
	})
}
