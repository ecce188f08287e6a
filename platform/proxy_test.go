package platform

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// brief reduces settings to what the tests compare: mode, scheme, URL.
func brief(s []ProxySetting) []string {
	var out []string
	for _, p := range s {
		out = append(out, strings.TrimRight(fmt.Sprintf("%s %s %s %s", p.Source, p.Mode, p.Scheme, p.URL), " "))
	}
	return out
}

func TestParseGSettingsProxy(t *testing.T) {
	tests := []struct {
		file   string
		want   []string
		bypass []string
	}{
		{"gsettings-none.txt", []string{"GNOME settings none"}, nil},
		{"gsettings-manual.txt", []string{
			"GNOME settings manual http http://proxy.corp.example:3128",
			"GNOME settings manual https http://proxy.corp.example:3128",
			"GNOME settings manual socks socks5://127.0.0.1:1080",
		}, []string{"localhost", "127.0.0.0/8", "::1", "*.corp.example"}},
		{"gsettings-auto.txt", []string{"GNOME settings pac  http://wpad.corp.example/proxy.pac"}, []string{"localhost", "127.0.0.0/8", "::1"}},
		{"gsettings-auto-wpad.txt", []string{"GNOME settings wpad"}, []string{"localhost", "127.0.0.0/8", "::1"}},
		{"gsettings-manual-auth.txt", []string{"GNOME settings manual http http://alice:gnome-pw-s3cret@10.0.0.8:8080"}, []string{"localhost", "127.0.0.0/8", "::1"}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			s, err := ParseGSettingsProxy(readFixture(t, "proxy", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			if got := brief(s); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("settings\n got %q\nwant %q", got, tt.want)
			}
			if s[0].Mode != ProxyNone && !reflect.DeepEqual(s[0].Bypass, tt.bypass) {
				t.Errorf("bypass = %q, want %q", s[0].Bypass, tt.bypass)
			}
		})
	}
}

func TestGSettingsPasswordNeverDisplayed(t *testing.T) {
	s, err := ParseGSettingsProxy(readFixture(t, "proxy", "gsettings-manual-auth.txt"))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range s {
		if d := p.Display(); strings.Contains(d, "gnome-pw-s3cret") || !strings.Contains(d, "alice:***@10.0.0.8:8080") {
			t.Errorf("Display() = %q: want the user kept and the password masked", d)
		}
	}
}

func TestParseGSettingsProxyNotGSettings(t *testing.T) {
	if _, err := ParseGSettingsProxy([]byte("No such schema “org.gnome.system.proxy”\n")); !errors.Is(err, ErrNoGNOMEProxyMode) {
		t.Fatalf("err = %v, want ErrNoGNOMEProxyMode", err)
	}
}

func TestParseKioslaverc(t *testing.T) {
	tests := []struct {
		file string
		want []string
		note string
	}{
		{"kioslaverc-manual.txt", []string{
			"KDE kioslaverc manual http http://127.0.0.1:7890",
			"KDE kioslaverc manual https http://127.0.0.1:7890",
			"KDE kioslaverc manual socks socks5://127.0.0.1:7890",
		}, ""},
		{"kioslaverc-socks.txt", []string{"KDE kioslaverc manual socks socks5://127.0.0.1:1080"}, ""},
		{"kioslaverc-env.txt", []string{"KDE kioslaverc env"}, "variables HTTP_PROXY, HTTPS_PROXY, socks5://127.0.0.1:20170"},
		{"kioslaverc-none.txt", []string{"KDE kioslaverc none"}, ""},
		{"kioslaverc-pac.txt", []string{"KDE kioslaverc pac  http://127.0.0.1:33331/commands/pac"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			s := ParseKioslaverc(readFixture(t, "proxy", tt.file))
			if got := brief(s); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("settings\n got %q\nwant %q", got, tt.want)
			}
			if s[0].Note != tt.note {
				t.Errorf("note = %q, want %q", s[0].Note, tt.note)
			}
		})
	}
	s := ParseKioslaverc(readFixture(t, "proxy", "kioslaverc-manual.txt"))
	if want := []string{"192.168.*", "127.0.0.1"}; !reflect.DeepEqual(s[0].Bypass, want) {
		t.Errorf("bypass = %q, want %q", s[0].Bypass, want)
	}
}

func TestParseKioslavercReversedException(t *testing.T) {
	s := ParseKioslaverc([]byte("[Proxy Settings]\nNoProxyFor=chatgpt.com\nProxyType=1\nReversedException=true\nhttpsProxy=proxy.example:3128\n"))
	if len(s) != 1 || s[0].URL != "http://proxy.example:3128" || s[0].Bypass != nil || !strings.Contains(s[0].Note, "only chatgpt.com use the proxy") {
		t.Fatalf("got %+v", s)
	}
}

func TestParseScutilProxy(t *testing.T) {
	tests := []struct {
		file string
		want []string
	}{
		{"scutil-manual.txt", []string{
			"macOS network settings manual http http://proxy.corp.example:3128",
			"macOS network settings manual https http://proxy.corp.example:3128",
		}},
		{"scutil-pac-socks.txt", []string{
			"macOS network settings manual socks socks5://127.0.0.1:1080",
			"macOS network settings pac  http://wpad.corp.example/proxy.pac",
		}},
		{"scutil-none.txt", []string{"macOS network settings none"}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			s := ParseScutilProxy(readFixture(t, "proxy", tt.file))
			if got := brief(s); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("settings\n got %q\nwant %q", got, tt.want)
			}
		})
	}
	s := ParseScutilProxy(readFixture(t, "proxy", "scutil-manual.txt"))
	if want := []string{"*.local", "169.254/16"}; !reflect.DeepEqual(s[0].Bypass, want) {
		t.Errorf("bypass = %q, want %q", s[0].Bypass, want)
	}
}

func TestWinINETSettings(t *testing.T) {
	tests := []struct {
		file string
		want []string
		note string
	}{
		{"wininet-single.json", []string{"Windows Internet Settings manual all http://proxy.corp.example:8080"}, ""},
		{"wininet-per-scheme.json", []string{
			"Windows Internet Settings manual http http://proxy.corp.example:8080",
			"Windows Internet Settings manual https http://secure.corp.example:8443",
			"Windows Internet Settings manual socks socks4://127.0.0.1:1080",
		}, ""},
		{"wininet-pac.json", []string{"Windows Internet Settings pac  http://wpad.corp.example/proxy.pac"}, ""},
		{"wininet-off.json", []string{"Windows Internet Settings none"}, "a proxy is entered but switched off"},
		{"wininet-policy.json", []string{"Windows Internet Settings manual all http://user:wininet-pw@proxy.corp.example:8080"}, "machine-wide, by policy"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			var fx struct {
				Source string
				Values WinINETValues
			}
			if err := json.Unmarshal(readFixture(t, "proxy", tt.file), &fx); err != nil {
				t.Fatal(err)
			}
			s := fx.Values.Settings()
			if got := brief(s); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("settings\n got %q\nwant %q", got, tt.want)
			}
			if s[0].Note != tt.note {
				t.Errorf("note = %q, want %q", s[0].Note, tt.note)
			}
			for _, p := range s {
				if strings.Contains(p.Display(), "wininet-pw") {
					t.Errorf("Display() shows the password: %q", p.Display())
				}
			}
		})
	}
	var fx struct{ Values WinINETValues }
	if err := json.Unmarshal(readFixture(t, "proxy", "wininet-single.json"), &fx); err != nil {
		t.Fatal(err)
	}
	if got, want := fx.Values.Settings()[0].Bypass, []string{"<local>", "*.corp.example"}; !reflect.DeepEqual(got, want) {
		t.Errorf("bypass = %q, want %q", got, want)
	}
}

func TestMaskProxyCredentials(t *testing.T) {
	tests := []struct{ in, want string }{
		{"http://user:pa55@proxy:3128", "http://user:***@proxy:3128"},
		{"http://token@proxy:3128", "http://***@proxy:3128"},
		{"user:pa55@proxy:3128", "user:***@proxy:3128"},
		{"socks5://u:p/w@h:1080", "socks5://u:***@h:1080"},
		{"http://u:p@ss@h:1", "http://u:***@***@h:1"},
		{"http://proxy:3128", "http://proxy:3128"},
		{"a http://a:b@h, b https://c:d@i", "a http://a:***@h, b https://c:***@i"},
	}
	for _, tt := range tests {
		if got := MaskProxyCredentials(tt.in); got != tt.want {
			t.Errorf("MaskProxyCredentials(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// fakeRunner answers one command with recorded output, and checks its argv.
type fakeRunner struct {
	t    *testing.T
	argv []string
	out  []byte
	err  error
}

func (f fakeRunner) Run(_ context.Context, name string, args ...string) ([]byte, error) {
	f.t.Helper()
	if got := append([]string{name}, args...); !reflect.DeepEqual(got, f.argv) {
		f.t.Errorf("ran %q, want %q", got, f.argv)
	}
	return f.out, f.err
}

var gsettingsArgv = []string{"gsettings", "list-recursively", "org.gnome.system.proxy"}

func TestDesktopProxySettings(t *testing.T) {
	cfg := t.TempDir()
	kde := readFixture(t, "proxy", "kioslaverc-socks.txt")
	if err := os.WriteFile(filepath.Join(cfg, "kioslaverc"), kde, 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"XDG_CONFIG_HOME": cfg, "HOME": "/nonexistent"}
	run := fakeRunner{t: t, argv: gsettingsArgv, out: readFixture(t, "proxy", "gsettings-manual.txt")}
	s, err := desktopProxySettings(context.Background(), run, func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"GNOME settings manual http http://proxy.corp.example:3128",
		"GNOME settings manual https http://proxy.corp.example:3128",
		"GNOME settings manual socks socks5://127.0.0.1:1080",
		"KDE kioslaverc manual socks socks5://127.0.0.1:1080",
	}
	if got := brief(s); !reflect.DeepEqual(got, want) {
		t.Errorf("settings\n got %q\nwant %q", got, want)
	}
}

func TestDesktopProxySettingsSourcesFail(t *testing.T) {
	home := t.TempDir() // no .config/kioslaverc in it
	env := map[string]string{"HOME": home, "XDG_CONFIG_HOME": "relative/ignored"}
	missing := fmt.Errorf("run gsettings: %w", &exec.Error{Name: "gsettings", Err: exec.ErrNotFound})
	s, err := desktopProxySettings(context.Background(), fakeRunner{t: t, argv: gsettingsArgv, err: missing}, func(k string) string { return env[k] })
	wantKDE := "KDE kioslaverc none"
	if got := brief(s); len(got) != 1 || got[0] != wantKDE {
		t.Errorf("settings = %q, want only %q", got, wantKDE)
	}
	if s[0].Note != "no file "+filepath.Join(home, ".config", "kioslaverc") {
		t.Errorf("note = %q: want the path looked at", s[0].Note)
	}
	errs := ProxySourceErrors(err)
	if len(errs) != 1 || errs[0].Source != SourceGNOME || errs[0].Err.Error() != "gsettings is not installed" {
		t.Fatalf("source errors = %v, want GNOME: gsettings is not installed", err)
	}

	// gsettings present but failing (no schema): reported with its stderr.
	fail := &ExitError{Argv: gsettingsArgv, Code: 1, Stderr: "No such schema “org.gnome.system.proxy”"}
	_, err = desktopProxySettings(context.Background(), fakeRunner{t: t, argv: gsettingsArgv, err: fail}, func(k string) string { return env[k] })
	errs = ProxySourceErrors(err)
	if len(errs) != 1 || !strings.Contains(errs[0].Error(), "No such schema") || !errors.As(err, new(*ExitError)) {
		t.Fatalf("source errors = %v, want the gsettings failure", err)
	}
}
