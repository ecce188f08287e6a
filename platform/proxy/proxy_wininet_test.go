package proxy

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/clearance-app/clearance/platform/internal/platformtest"
)

// wininetFixture reads a wininet-dcs-*.json fixture: the string values and
// the DefaultConnectionSettings value, written as hex bytes.
func wininetFixture(t *testing.T, name string) WinINETValues {
	t.Helper()
	var fx struct {
		Source             string
		Values             WinINETValues
		ConnectionSettings string `json:"default_connection_settings"`
	}
	if err := json.Unmarshal(platformtest.ReadFixture(t, "proxy", name), &fx); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(fx.Source, "CONSTRUCTED") {
		t.Fatalf("%s: its source must say it is constructed", name)
	}
	b, err := hex.DecodeString(strings.Join(strings.Fields(fx.ConnectionSettings), ""))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	fx.Values.ConnectionSettings = b
	return fx.Values
}

func TestWinINETConnectionSettings(t *testing.T) {
	tests := []struct {
		file string
		want []string
		note string // of the first setting
	}{
		// Windows' default: automatic detection alone.
		{"wininet-dcs-wpad.json", []string{"Windows Internet Settings wpad"}, "Windows turns this on by default"},
		// The flags say off; ProxyEnable and AutoConfigURL, left behind, say on.
		{"wininet-dcs-switched-off.json", []string{"Windows Internet Settings none"}, "a proxy is entered but switched off"},
		// The strings come from the binary value when the string values are empty.
		{"wininet-dcs-all.json", []string{
			"Windows Internet Settings wpad",
			"Windows Internet Settings pac  http://wpad.corp.example/proxy.pac",
			"Windows Internet Settings manual all http://proxy.corp.example:8080",
		}, "Windows turns this on by default"},
		// The flags switch the proxy on where ProxyEnable is 0.
		{"wininet-dcs-ie6-manual.json", []string{
			"Windows Internet Settings manual http http://proxy.corp.example:8080",
			"Windows Internet Settings manual https http://secure.corp.example:8443",
		}, ""},
		// A garbled value is ignored: the string values decide.
		{"wininet-dcs-truncated.json", []string{"Windows Internet Settings manual all http://proxy.corp.example:8080"}, ""},
		{"wininet-dcs-policy.json", []string{
			"Windows Internet Settings wpad",
			"Windows Internet Settings manual all http://proxy.corp.example:8080",
		}, "machine-wide, by policy; Windows turns this on by default"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			s := wininetFixture(t, tt.file).Settings()
			if got := brief(s); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("settings\n got %q\nwant %q", got, tt.want)
			}
			if !strings.HasPrefix(s[0].Note, tt.note) || (tt.note == "" && s[0].Note != "") {
				t.Errorf("note = %q, want it to start with %q", s[0].Note, tt.note)
			}
		})
	}
}

func TestWinINETConnectionSettingsBypass(t *testing.T) {
	s := wininetFixture(t, "wininet-dcs-all.json").Settings()
	if s[0].Mode != ModeWPAD || s[0].Bypass != nil {
		t.Errorf("WPAD setting %+v: the bypass list belongs to the fixed proxy", s[0])
	}
	if got, want := s[2].Bypass, []string{"<local>", "*.corp.example"}; !reflect.DeepEqual(got, want) {
		t.Errorf("manual proxy bypass = %q, want %q", got, want)
	}
	if got, want := s[0].Display(), "Windows Internet Settings: automatic proxy discovery (WPAD)"; !strings.HasPrefix(got, want) {
		t.Errorf("Display() = %q, want it to start with %q", got, want)
	}
}

// Without DefaultConnectionSettings the string values decide, as before.
func TestWinINETWithoutConnectionSettings(t *testing.T) {
	v := wininetFixture(t, "wininet-dcs-switched-off.json")
	v.ConnectionSettings = nil
	want := []string{
		"Windows Internet Settings pac  http://wpad.corp.example/proxy.pac",
		"Windows Internet Settings manual all http://proxy.corp.example:8080",
	}
	if got := brief(v.Settings()); !reflect.DeepEqual(got, want) {
		t.Errorf("settings\n got %q\nwant %q", got, want)
	}
}

func TestParseWinINETConnection(t *testing.T) {
	all := wininetFixture(t, "wininet-dcs-all.json").ConnectionSettings
	c, err := parseWinINETConnection(all)
	if err != nil {
		t.Fatal(err)
	}
	want := wininetConnection{Version: 0x46, Counter: 64, Flags: 0x0f,
		ProxyServer: "proxy.corp.example:8080", ProxyBypass: "<local>;*.corp.example", AutoConfigURL: "http://wpad.corp.example/proxy.pac"}
	if c != want {
		t.Errorf("got %+v\nwant %+v", c, want)
	}

	// WinHTTP's copy (version 0x28) ends after the bypass list.
	winhttp := wininetBlob(0x28, 0, 0x03, "a.example:42", "*.example")
	if c, err := parseWinINETConnection(winhttp); err != nil || c.ProxyServer != "a.example:42" || c.ProxyBypass != "*.example" || c.AutoConfigURL != "" {
		t.Errorf("WinHTTP format: %+v, %v", c, err)
	}
	// Flags alone, nothing after them: no strings.
	if c, err := parseWinINETConnection(all[:12]); err != nil || c.Flags != 0x0f || c.ProxyServer != "" {
		t.Errorf("flags only: %+v, %v", c, err)
	}
	// A NUL counted in the length is not part of the string.
	if c, err := parseWinINETConnection(wininetBlob(0x46, 1, 0x03, "proxy:80\x00")); err != nil || c.ProxyServer != "proxy:80" {
		t.Errorf("NUL-terminated: %+v, %v", c, err)
	}

	bad := map[string][]byte{
		"empty":                  nil,
		"shorter than the flags": all[:11],
		"string past the end":    all[:20],
		"huge length":            append(bytes.Clone(all[:12]), 0xff, 0xff, 0xff, 0xff, 'x'),
	}
	for name, b := range bad {
		if c, err := parseWinINETConnection(b); err == nil {
			t.Errorf("%s: parsed as %+v", name, c)
		}
	}
}

// wininetBlob lays out a DefaultConnectionSettings value as documented on
// parseWinINETConnection, without padding.
func wininetBlob(version, counter, flags uint32, strs ...string) []byte {
	b := binary.LittleEndian.AppendUint32(nil, version)
	b = binary.LittleEndian.AppendUint32(b, counter)
	b = binary.LittleEndian.AppendUint32(b, flags)
	for _, s := range strs {
		b = binary.LittleEndian.AppendUint32(b, uint32(len(s)))
		b = append(b, s...)
	}
	return b
}

// FuzzParseWinINETConnection: whatever the registry holds, reading it must
// not panic, and what it returns must come from the data.
func FuzzParseWinINETConnection(f *testing.F) {
	f.Add([]byte{})
	f.Add(wininetBlob(0x46, 1, 0x09))
	f.Add(wininetBlob(0x46, 2, 0x0f, "proxy:8080", "<local>", "http://wpad/wpad.dat"))
	f.Add(wininetBlob(0x28, 0, 0x03, "a:42", "*.42"))
	f.Add(append(wininetBlob(0x46, 3, 0x01), 0xff, 0xff, 0xff, 0x7f))
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := parseWinINETConnection(b)
		if err != nil {
			return
		}
		if len(b) < 12 {
			t.Fatalf("%d bytes parsed", len(b))
		}
		if n := len(c.ProxyServer) + len(c.ProxyBypass) + len(c.AutoConfigURL); n > 3*len(b) {
			t.Fatalf("strings of %d bytes from %d bytes of data", n, len(b))
		}
		_ = WinINETValues{ConnectionSettings: b}.Settings()
	})
}
