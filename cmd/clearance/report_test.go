package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/clearance-app/clearance/agent/diag/bundle"
	"github.com/clearance-app/clearance/agent/diag/bundle/bundletest"
	"github.com/clearance-app/clearance/internal/winegap"
	"github.com/clearance-app/clearance/platform/host"
)

// Planted values: none may be found anywhere in a redacted bundle.
const (
	plantedIP       = "93.184.216.34"
	plantedIP6      = "2a00:1450:4001:82a::200e"
	plantedUser     = "alicia"
	plantedHost     = "orchid-laptop"
	plantedFQDN     = "orchid-laptop.corp.example"
	plantedPassword = "s3cret-Pa55"
	plantedMAC      = "52:54:00:12:34:56"
)

// plantedSources are report sources whose every part holds the planted
// values, the proxy's through the real masking of proxy settings.
func plantedSources(t *testing.T) reportSources {
	text := func(name string) []byte {
		return []byte(name + ": " + plantedFQDN + " (" + strings.ToUpper(plantedHost) + ") user " + plantedUser + " home /home/" + plantedUser +
			" from " + plantedIP + ":443 and [" + plantedIP6 + "]:443, link/ether " + plantedMAC + "\n")
	}
	read := func(name string) func(context.Context) ([]byte, error) {
		return func(context.Context) ([]byte, error) { return text(name), nil }
	}
	return reportSources{
		now: func() time.Time { return time.Date(2026, 12, 5, 1, 0, 0, 0, time.UTC) },
		// JSON as check --json writes it: HTML-escaped, a multi-line error
		// one "\n…" string.
		check: func(context.Context) ([]byte, error) {
			return json.MarshalIndent(map[string]string{
				"error": "line1\n" + string(text("check")) + plantedUser + " logged in\n" + plantedIP6 + " answered\n" + plantedMAC,
				"who":   "<" + plantedUser + "@x> <" + plantedIP6 + ">",
				"url":   "path=%2Fhome%2F" + plantedUser + " tab\t" + plantedUser,
			}, "", "  ")
		},
		agent: func(context.Context) ([]byte, []byte, error) { return text("state"), text("history"), nil },
		logs: func(context.Context) []bundle.Part {
			return []bundle.Part{
				{Name: "log/clearance.err", Source: "/home/" + plantedUser + "/clearance.err", Data: text("log")},
				{Name: "log/clearance.log", Source: "/var/log/clearance.log", Err: errors.New("open /var/log/clearance.log on " + plantedHost + ": permission denied"), NeedsAdmin: true},
			}
		},
		versions: func(context.Context) []byte { return text("versions") },
		network:  read("network"),
		resolver: read("resolver"),
		proxy: func(ctx context.Context) ([]byte, error) {
			return proxyJSON(ctx, func(k string) string {
				if k == "HTTPS_PROXY" {
					return "http://" + plantedUser + ":" + plantedPassword + "@" + plantedIP + ":3128"
				}
				return ""
			})
		},
		hosts:   func() []string { return []string{plantedHost, plantedFQDN} },
		users:   func() []string { return []string{plantedUser, "root"} },
		agentAt: "/run/clearance/agent.sock",
	}
}

// reportParts are the parts every bundle lists in its manifest, read or not.
var reportParts = []string{"versions.txt", "check.json", "agent-state.json", "agent-history.json", "network.json", "dns.json", "proxy.json"}

func TestReportRedactsPlantedValues(t *testing.T) {
	var buf bytes.Buffer
	m, err := buildReport(context.Background(), plantedSources(t), &buf, true)
	if err != nil {
		t.Fatal(err)
	}
	files := bundletest.Files(t, buf.Bytes())
	for _, name := range append(slices.Clone(reportParts), "log/clearance.err", bundle.ManifestName) {
		if _, ok := files[name]; !ok {
			t.Errorf("the bundle has no %s; it has %d files", name, len(files))
		}
	}
	for name, data := range files {
		low := strings.ToLower(data)
		for _, p := range []string{plantedIP, plantedIP6, plantedUser, plantedHost, plantedPassword, plantedMAC} {
			if strings.Contains(low, strings.ToLower(p)) {
				t.Errorf("%s holds the planted %q:\n%s", name, p, data)
			}
		}
	}
	if !strings.Contains(files["network.json"], "network: host-1 (host-2) user user-1 home /home/user-1 from ip4-1:443 and [ip6-1]:443, link/ether mac-1") {
		t.Errorf("placeholders not stable across parts: %s", files["network.json"])
	}
	if !strings.Contains(files["proxy.json"], "user-1:***@ip4-1:3128") {
		t.Errorf("the proxy's password is not masked as elsewhere: %s", files["proxy.json"])
	}
	if i := slices.IndexFunc(m.Parts, func(p bundle.PartEntry) bool { return p.Name == "log/clearance.log" }); i < 0 || m.Parts[i].Read || !m.Parts[i].NeedsAdmin {
		t.Errorf("the unreadable log: %+v", m.Parts)
	}

	var out bytes.Buffer
	zip, err := filepath.Abs("/tmp/r.zip") // Z:\tmp\r.zip under Wine
	if err != nil {
		t.Fatal(err)
	}
	printReport(&out, m, zip, buf.Len())
	for _, want := range []string{"Collected:\n  versions.txt", "Could not read:\n  log/clearance.log      open /var/log/clearance.log on host-2: permission denied",
		"Only an administrator may read the service's log; to include it, run " + asAdmin("clearance report") + ".",
		": 2 host names, 1 login name, 1 IPv4 address, 1 IPv6 address, 1 MAC address.\n", "Wrote " + zip + " ("} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("the summary does not say %q:\n%s", want, out.String())
		}
	}
}

// --no-redact keeps the values, but the proxy's password is masked anyway.
func TestReportNoRedact(t *testing.T) {
	var buf bytes.Buffer
	if _, err := buildReport(context.Background(), plantedSources(t), &buf, false); err != nil {
		t.Fatal(err)
	}
	files := bundletest.Files(t, buf.Bytes())
	if !strings.Contains(files["network.json"], plantedIP) || !strings.Contains(files["proxy.json"], plantedUser+":***@") {
		t.Errorf("unredacted bundle: %q", files)
	}
	for name, data := range files {
		if strings.Contains(data, plantedPassword) {
			t.Errorf("%s holds the proxy's password", name)
		}
	}
}

// The bundle's file is new and the caller's: an existing file or a link
// at the path is refused, and the file is the caller's alone.
func TestCreateExclusive(t *testing.T) {
	dir := winegap.TempDir(t)
	p := filepath.Join(dir, "r.zip")
	if err := createExclusive(p, []byte("zip")); err != nil {
		t.Fatal(err)
	}
	wantPrivate(t, p)
	if err := createExclusive(p, []byte("other")); err == nil || !strings.Contains(err.Error(), "exists") {
		t.Fatalf("over an existing file: %v", err)
	}
	if b, _ := os.ReadFile(p); string(b) != "zip" {
		t.Fatalf("the existing file became %q", b)
	}
	target := filepath.Join(dir, "target")
	os.WriteFile(target, []byte("mine"), 0o644)
	link := filepath.Join(dir, "link.zip")
	winegap.SkipIfNo(t, winegap.Symlinks)
	if err := os.Symlink(target, link); err != nil {
		t.Skipf("no symbolic links here: %v", err)
	}
	if err := createExclusive(link, []byte("zip")); err == nil || !strings.Contains(err.Error(), "symbolic link") {
		t.Fatalf("through a link: %v", err)
	}
	if b, _ := os.ReadFile(target); string(b) != "mine" {
		t.Fatalf("the link's target became %q", b)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 3 {
		t.Fatalf("left behind: %v", entries)
	}
}

func TestPeople(t *testing.T) {
	f, err := os.Open("../../platform/host/testdata/passwd")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	accounts := host.ParsePasswd(f)
	if got, want := people(accounts, []string{"/bin/sh", "/bin/bash", "/bin/zsh"}), []string{"root", "alice", "bob", "carol"}; !slices.Equal(got, want) {
		t.Errorf("with /etc/shells: %q, want %q (sync's /bin/sync is no login shell)", got, want)
	}
	if got, want := people(accounts, nil), []string{"root", "sync", "alice", "bob", "carol"}; !slices.Equal(got, want) {
		t.Errorf("without /etc/shells: %q, want %q", got, want)
	}
}

func TestHostAliases(t *testing.T) {
	hosts := "127.0.0.1 localhost\n127.0.1.1 Laptop.corp.example laptop # the machine\n::1 localhost ip6-localhost\n10.0.0.9 other\n"
	if got, want := hostAliases(strings.NewReader(hosts), []string{"laptop"}), []string{"Laptop.corp.example", "laptop"}; !slices.Equal(got, want) {
		t.Errorf("aliases %q, want %q", got, want)
	}
}

func TestLastLines(t *testing.T) {
	for _, c := range []struct {
		in   string
		n    int
		want string
	}{
		{"a\nb\nc\n", 2, "b\nc\n"}, {"a\nb\nc", 2, "b\nc"}, {"a\nb\n", 5, "a\nb\n"}, {"", 3, ""}, {"\n\n\n", 1, "\n"},
	} {
		if got := string(lastLines([]byte(c.in), c.n)); got != c.want {
			t.Errorf("lastLines(%q, %d) = %q, want %q", c.in, c.n, got, c.want)
		}
	}
	var b strings.Builder
	for i := range 10000 {
		b.WriteString(strings.Repeat("x", 40) + " line " + string(rune('a'+i%26)) + "\n")
	}
	got, err := tailOf(strings.NewReader(b.String()), int64(b.Len()), 500, 8<<10)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(got), "\n"), "\n")
	if len(got) > 8<<10 || !strings.HasSuffix(string(got), b.String()[len(b.String())-len(got):]) || len(lines[0]) != len(lines[1]) {
		t.Errorf("tail of %d bytes, %d lines, first %q", len(got), len(lines), lines[0])
	}
}

// journalctl's way of saying a person may not read the system's lines.
func TestLogDenied(t *testing.T) {
	for _, s := range []string{
		"No journal files were opened due to insufficient permissions.",
		"Hint: You are currently not seeing messages from other users and the system.\n      Users in groups 'adm', 'systemd-journal' can see all messages.",
	} {
		if !logDenied(s) {
			t.Errorf("not taken for a refusal: %q", s)
		}
	}
	if logDenied("-- No entries --") {
		t.Error("an empty journal taken for a refusal")
	}
}

// The manifest decodes as a script reads it.
func TestReportManifestShape(t *testing.T) {
	var buf bytes.Buffer
	if _, err := buildReport(context.Background(), plantedSources(t), &buf, true); err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(bundletest.Files(t, buf.Bytes())[bundle.ManifestName]), &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"version", "created_at", "redacted", "replaced", "parts"} {
		if _, ok := m[k]; !ok {
			t.Errorf("manifest lacks %q", k)
		}
	}
}

// People who are not in the passwd file (macOS, Windows, SSSD or Active
// Directory on Linux) have a home of their name: those are login names
// too, but for the folders that are nobody's.
func TestPeopleFromHomes(t *testing.T) {
	for _, c := range []struct {
		os         string
		dirs, want []string
	}{
		{"linux", []string{"alice", "lost+found", "bob.smith", "ab", "root", "user-3"}, []string{"alice", "bob.smith"}},
		{"darwin", []string{".localized", "Shared", "Guest", "Deleted Users", "Alicia"}, []string{"Alicia"}},
		{"windows", []string{"All Users", "Default", "Default User", "defaultuser0", "desktop.ini", "Public", "WDAGUtilityAccount", "jdoe", "J.Doe"}, []string{"jdoe", "J.Doe"}},
	} {
		if got := homeOwners(c.dirs); !slices.Equal(got, c.want) {
			t.Errorf("%s homes %q: %q, want %q", c.os, c.dirs, got, c.want)
		}
	}
}
