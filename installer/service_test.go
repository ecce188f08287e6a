package installer

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"text/template"

	"github.com/clearance-app/clearance/internal/winegap"
)

// kardianos/service runs its own template engine over the rendered
// files; text without "{{" passes through it unchanged.
func TestServiceFilesHaveNoTemplateActions(t *testing.T) {
	d := linuxServiceDef(Options{Executable: `/opt/My Apps/100% "x"/clearance`, ConfigPath: "/etc/c'd.toml"})
	for name, tmpl := range map[string]*template.Template{"unit": systemdUnit, "sysv": sysvScript} {
		if out := d.render(tmpl); strings.Contains(out, "{{") {
			t.Errorf("%s holds a template action:\n%s", name, out)
		}
	}
}

// The unit lets the agent do its work (set the clock, write resolv.conf,
// see the real network) and nothing else that hardening can take away.
func TestSystemdUnitHardening(t *testing.T) {
	lines := strings.Split(renderUnit("/usr/bin/clearance", []string{"agent"}), "\n")
	for _, want := range []string{
		"NoNewPrivileges=yes", "ProtectSystem=true", "ProtectHome=yes", "PrivateTmp=yes",
		"RuntimeDirectory=clearance", "StateDirectory=clearance", "Restart=on-failure",
		`Environment="CLEARANCE_SERVICE=1"`, `ExecStart=/usr/bin/clearance "agent"`,
		"CapabilityBoundingSet=CAP_SYS_TIME CAP_NET_ADMIN CAP_KILL CAP_DAC_OVERRIDE CAP_CHOWN CAP_FOWNER",
		"RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6 AF_NETLINK",
	} {
		if !slices.Contains(lines, want) {
			t.Errorf("unit lacks %q", want)
		}
	}
	// Each of these would stop a fix: the clock, /etc/resolv.conf, the
	// real network.
	for _, bad := range []string{"ProtectClock=", "PrivateNetwork=", "ProtectSystem=full", "ProtectSystem=strict", "User=", "DynamicUser="} {
		for _, l := range lines {
			if strings.HasPrefix(l, bad) {
				t.Errorf("unit has %q", l)
			}
		}
	}
}

// renderUnit is the unit for a plain path and arguments, as on Linux.
func renderUnit(exe string, args []string) string {
	d := linuxServiceDef(Options{Executable: exe})
	d.Args = args
	return d.render(systemdUnit)
}

// systemd-analyze, where installed, accepts every directive of the unit
// (an unknown or misspelt one is a warning on its output).
func TestSystemdUnitVerifies(t *testing.T) {
	analyze, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Skip("needs systemd-analyze (package systemd)")
	}
	unit := renderUnit("/bin/true", []string{"agent"})
	if strings.Contains(unit, "{{") {
		t.Fatalf("not fully rendered:\n%s", unit)
	}
	p := filepath.Join(winegap.TempDir(t), "clearance.service")
	if err := os.WriteFile(p, []byte(unit), 0o644); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	cmd := exec.Command(analyze, "verify", "--man=no", p)
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil || out.Len() != 0 {
		t.Errorf("systemd-analyze verify: %v\n%s\nunit:\n%s", err, out.String(), unit)
	}
}

func TestRegistrationRuns(t *testing.T) {
	sysv := readTestdata(t, "init.d-clearance")
	for _, c := range []struct {
		name, reg, exe, config string
		want                   bool
	}{
		{"recorded sysv script", sysv, "/tmp/standin/clearance", "", true},
		{"recorded sysv script, other binary", sysv, "/usr/local/bin/clearance", "", false},
		{"recorded sysv script, config wanted", sysv, "/tmp/standin/clearance", "/etc/clearance/config.toml", false},
		{"systemd escapes spaces", `ExecStart=/opt/My\x20Apps/clearance "agent"`, "/opt/My Apps/clearance", "", true},
		{"systemd with config", `ExecStart=/usr/bin/clearance "agent" "--config" "/etc/c.toml"`, "/usr/bin/clearance", "/etc/c.toml", true},
		{"systemd with another config", `ExecStart=/usr/bin/clearance "agent" "--config" "/etc/c.toml"`, "/usr/bin/clearance", "/etc/d.toml", false},
		{"systemd with config, none wanted", `ExecStart=/usr/bin/clearance "agent" "--config" "/etc/c.toml"`, "/usr/bin/clearance", "", false},
		{"plist escapes XML", `<string>/Applications/A &amp; B/clearance</string>`, "/Applications/A & B/clearance", "", true},
		{"windows command line", `"C:\Program Files\Clearance\clearance.exe" agent`, `C:\Program Files\Clearance\clearance.exe`, "", true},
	} {
		if got := registrationRuns(c.reg, c.exe, c.config); got != c.want {
			t.Errorf("%s: registrationRuns = %v, want %v", c.name, got, c.want)
		}
	}
}

func TestBackendNames(t *testing.T) {
	for platform, want := range map[string]string{
		"linux-systemd": "systemd", "unix-systemv": "sysv", "linux-openrc": "openrc", "linux-upstart": "upstart",
		"linux-rcs": "rcs", "linux-procd": "procd", "darwin-launchd": "launchd", "windows-service": "windows-service",
	} {
		if got := backendName(platform); got != want {
			t.Errorf("backendName(%q) = %q, want %q", platform, got, want)
		}
	}
}

// The service runs `clearance agent`, with --config only when one was
// named.
func TestServiceArgs(t *testing.T) {
	if got := serviceArgs(Options{}); !slices.Equal(got, []string{"agent"}) {
		t.Errorf("args %q", got)
	}
	if got := serviceArgs(Options{ConfigPath: "/etc/c.toml"}); !slices.Equal(got, []string{"agent", "--config", "/etc/c.toml"}) {
		t.Errorf("args %q", got)
	}
	c := serviceConfig(Options{Executable: "/usr/bin/clearance"})
	if c.Name != "clearance" || c.DisplayName != "Clearance" || c.Executable != "/usr/bin/clearance" {
		t.Errorf("config %+v", c)
	}
}
