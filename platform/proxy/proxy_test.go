package proxy

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
	"unicode"

	"github.com/clearance-app/clearance/internal/winegap"
	"github.com/clearance-app/clearance/platform"
	"github.com/clearance-app/clearance/platform/internal/platformtest"
)

// brief reduces settings to what the tests compare: mode, scheme, URL.
func brief(s []Setting) []string {
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
			s, err := ParseGSettingsProxy(platformtest.ReadFixture(t, "proxy", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			if got := brief(s); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("settings\n got %q\nwant %q", got, tt.want)
			}
			if s[0].Mode != ModeNone && !reflect.DeepEqual(s[0].Bypass, tt.bypass) {
				t.Errorf("bypass = %q, want %q", s[0].Bypass, tt.bypass)
			}
		})
	}
}

func TestGSettingsPasswordNeverDisplayed(t *testing.T) {
	s, err := ParseGSettingsProxy(platformtest.ReadFixture(t, "proxy", "gsettings-manual-auth.txt"))
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
			s := ParseKioslaverc(platformtest.ReadFixture(t, "proxy", tt.file))
			if got := brief(s); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("settings\n got %q\nwant %q", got, tt.want)
			}
			if s[0].Note != tt.note {
				t.Errorf("note = %q, want %q", s[0].Note, tt.note)
			}
		})
	}
	s := ParseKioslaverc(platformtest.ReadFixture(t, "proxy", "kioslaverc-manual.txt"))
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
		// A per-interface block with other values must not overwrite the top level.
		{"scutil-scoped.txt", []string{
			"macOS network settings manual http http://proxy.corp.example:3128",
			"macOS network settings manual https http://proxy.corp.example:3128",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			s, err := ParseScutilProxy(platformtest.ReadFixture(t, "proxy", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			if got := brief(s); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("settings\n got %q\nwant %q", got, tt.want)
			}
		})
	}
	for _, file := range []string{"scutil-manual.txt", "scutil-scoped.txt"} {
		s, _ := ParseScutilProxy(platformtest.ReadFixture(t, "proxy", file))
		if want := []string{"*.local", "169.254/16"}; !reflect.DeepEqual(s[0].Bypass, want) {
			t.Errorf("%s: bypass = %q, want %q", file, s[0].Bypass, want)
		}
	}
	// Output without a dictionary is not "no proxy": it is no answer.
	if _, err := ParseScutilProxy([]byte("scutil: command not found\n")); err == nil {
		t.Error("output without a dictionary was read as settings")
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
			if err := json.Unmarshal(platformtest.ReadFixture(t, "proxy", tt.file), &fx); err != nil {
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
	if err := json.Unmarshal(platformtest.ReadFixture(t, "proxy", "wininet-single.json"), &fx); err != nil {
		t.Fatal(err)
	}
	if got, want := fx.Values.Settings()[0].Bypass, []string{"<local>", "*.corp.example"}; !reflect.DeepEqual(got, want) {
		t.Errorf("bypass = %q, want %q", got, want)
	}
}

func TestMaskProxyCredentials(t *testing.T) {
	tests := []struct {
		in, want string
		secret   string // must not survive masking; "" when there is none
	}{
		{"http://user:pa55@proxy:3128", "http://user:***@proxy:3128", "pa55"},
		{"http://token@proxy:3128", "http://***@proxy:3128", "token"},
		{"user:pa55@proxy:3128", "user:***@proxy:3128", "pa55"},
		{"socks5://u:p/w@h:1080", "socks5://u:***@h:1080", "p/w"},
		{"http://u:pa#ss@h:1", "http://u:***@h:1", "pa#ss"},
		{"http://u:pa?ss@h:1", "http://u:***@h:1", "pa?ss"},
		{"http://u:1 #x@h:1", "http://u:***@h:1", "1 #x"},
		{"http://proxy:3128 (see /x@y)", "http://proxy:***@y)", ""}, // ambiguous: masked too much rather than too little
		// ";", "," and spaces are legal in userinfo: the whole of it is masked.
		{"http://u:pa;ss@host", "http://u:***@host", "pa;ss"},
		{"http://u:pa,ss@host:3128", "http://u:***@host:3128", "pa,ss"},
		{"http://user:p@ss word@host:3128", "http://user:***@host:3128", "ss word"},
		{"u:pa;ss@host:3128", "u:***@host:3128", "pa;ss"},
		{"u:p@ss word@host:3128", "u:***@host:3128", "ss word"},
		{"http=u:pa;ss@proxy:8080", "http=u:***@proxy:8080", "pa;ss"},
		// Several "@": the userinfo runs to the last one before the host.
		{"http://u:p@ss@h:1", "http://u:***@h:1", "ss"},
		{"http://u:a@b@c@h:1/x", "http://u:***@h:1/x", "a@b@c"},
		{"http://alice@corp.example:s3cr@t@proxy:8080", "http://alice@corp.example:***@proxy:8080", "s3cr@t"},
		// Percent-encoding is masked as it stands.
		{"http://u%40corp:p%40ss%3Bw@h:1", "http://u%40corp:***@h:1", "p%40ss"},
		{"http://:pw@h:1", "http://***@h:1", "pw"},
		// IPv6 hosts.
		{"http://u:p;w@[::1]:3128", "http://u:***@[::1]:3128", "p;w"},
		{"u:p w@[fe80::1%25eth0]:3128", "u:***@[fe80::1%25eth0]:3128", "p w"},
		{"http://[::1]:3128", "http://[::1]:3128", ""},
		// No userinfo.
		{"http://proxy:3128", "http://proxy:3128", ""},
		{"proxy.corp.example:3128", "proxy.corp.example:3128", ""},
		{"localhost, 127.0.0.0/8, *.corp.example", "localhost, 127.0.0.0/8, *.corp.example", ""},
		{"proxyconnect tcp: dial tcp 127.0.0.1:1: connect: connection refused", "proxyconnect tcp: dial tcp 127.0.0.1:1: connect: connection refused", ""},
		// An "@" after the authority (path, query, fragment) is not userinfo.
		{"http://wpad.corp.example/proxy.pac?user=bob@corp.example", "http://wpad.corp.example/proxy.pac?user=bob@corp.example", ""},
		{"http://wpad.corp.example?u=a@b", "http://wpad.corp.example?u=a@b", ""},
		{"http://wpad.corp.example:8080#a@b@c", "http://wpad.corp.example:8080#a@b@c", ""},
		{"http://[::1]:8080/p.pac?a=b@c", "http://[::1]:8080/p.pac?a=b@c", ""},
		{"wpad.corp.example/proxy.pac?user=bob@corp.example", "wpad.corp.example/proxy.pac?user=bob@corp.example", ""},
		{"http://u:p;w@wpad/p.pac?x=a@b", "http://u:***@wpad/p.pac?x=a@b", "p;w"},
		// Several URLs in one text.
		{"a http://a:b@h, b https://c:d@i", "a http://a:***@h, b https://c:***@i", ""},
		{"variables HTTP_PROXY, socks5://u:p;w@127.0.0.1:20170", "variables HTTP_PROXY, socks5://u:***@127.0.0.1:20170", "p;w"},
		{"see http://h/x?a=b@c and http://u:p w@h2", "see http://h/x?a=b@c and http://u:***@h2", "p w"},
		// Masked text stays as it is.
		{"http://user:***@proxy:3128", "http://user:***@proxy:3128", ""},
		{"***@proxy:3128", "***@proxy:3128", ""},
	}
	for _, tt := range tests {
		got := MaskCredentials(tt.in)
		if got != tt.want {
			t.Errorf("MaskCredentials(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if tt.secret != "" && strings.Contains(got, tt.secret) {
			t.Errorf("MaskCredentials(%q) = %q shows the secret %q", tt.in, got, tt.secret)
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
	cfg := winegap.TempDir(t)
	kde := platformtest.ReadFixture(t, "proxy", "kioslaverc-socks.txt")
	if err := os.WriteFile(filepath.Join(cfg, "kioslaverc"), kde, 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"XDG_CONFIG_HOME": cfg, "HOME": "/nonexistent"}
	run := fakeRunner{t: t, argv: gsettingsArgv, out: platformtest.ReadFixture(t, "proxy", "gsettings-manual.txt")}
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
	home := winegap.TempDir(t) // no .config/kioslaverc in it
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
	errs := SourceErrors(err)
	if len(errs) != 1 || errs[0].Source != SourceGNOME || errs[0].Err.Error() != "gsettings is not installed" {
		t.Fatalf("source errors = %v, want GNOME: gsettings is not installed", err)
	}

	// gsettings present but failing (no schema): reported with its stderr.
	fail := &platform.ExitError{Argv: gsettingsArgv, Code: 1, Stderr: "No such schema “org.gnome.system.proxy”"}
	_, err = desktopProxySettings(context.Background(), fakeRunner{t: t, argv: gsettingsArgv, err: fail}, func(k string) string { return env[k] })
	errs = SourceErrors(err)
	if len(errs) != 1 || !strings.Contains(errs[0].Error(), "No such schema") || !errors.As(err, new(*platform.ExitError)) {
		t.Fatalf("source errors = %v, want the gsettings failure", err)
	}
}

// FuzzMaskProxyCredentials checks that no password typed into a proxy
// setting survives masking, whatever characters it holds.
func FuzzMaskProxyCredentials(f *testing.F) {
	for _, s := range []string{"pa;ss", "p@ss word", "a,b", "x/y", "q?r#s", "%41"} {
		f.Add("alice", s, "http://")
		f.Add("", s, "")
	}
	f.Fuzz(func(t *testing.T, user, pass, scheme string) {
		if pass == "" || strings.ContainsAny(pass, "\r\n") || strings.ContainsAny(user, ":@/?#") || strings.IndexFunc(user, unicode.IsSpace) >= 0 {
			t.Skip()
		}
		if i := strings.IndexAny(pass, "/?#"); i >= 0 {
			// "u:123/x@h" and "u:a@b/x@h" read as an authority and a path
			// to any URL parser too (see userinfoEnd): no way to tell.
			auth := user + ":" + pass[:i]
			if j := strings.LastIndexByte(auth, '@'); j >= 0 && auth[j+1:] != "" {
				auth = auth[j+1:]
				if k := strings.IndexFunc(auth, unicode.IsSpace); k >= 0 {
					auth = auth[:k]
				}
				auth = strings.TrimRight(auth, ",;)'\"")
			}
			if validHostPort(auth) {
				t.Skip()
			}
		}
		if scheme == "" && strings.Contains(user+":"+pass, "://") {
			t.Skip() // reads as a scheme
		}
		if scheme == "" && strings.IndexFunc(pass, unicode.IsSpace) >= 0 && strings.ContainsAny(pass, "/?#") {
			t.Skip() // without a scheme, "u:p /x@h" reads as text and then a path
		}
		if scheme != "" && scheme != "http://" {
			scheme = "socks5://"
		}
		in := scheme + user + ":" + pass + "@proxy.example:3128"
		got := MaskCredentials(in)
		want := scheme + user + ":***@proxy.example:3128"
		if user == "" {
			want = scheme + "***@proxy.example:3128"
		}
		if got != want {
			t.Fatalf("MaskCredentials(%q) = %q, want %q", in, got, want)
		}
		if again := MaskCredentials(got); again != got {
			t.Fatalf("masking %q twice gives %q", got, again)
		}
	})
}
