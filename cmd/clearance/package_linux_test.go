package main

import (
	"context"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/clearance-app/clearance/internal/roottest"
)

// What the .deb installs, and what Clearance makes at run time; after a
// purge none of it may be left.
var (
	packagedFiles = []string{
		"/usr/bin/clearance",
		"/usr/lib/systemd/system/clearance.service",
		sysvScript,
		trayDesktop,
	}
	runtimeFiles = []string{configDir, "/var/lib/clearance", "/run/clearance", sysvPIDFile, sysvLogFile, sysvErrFile,
		// deb-systemd-helper enables the unit even where systemd does not run.
		"/etc/systemd/system/multi-user.target.wants/clearance.service"}
)

// The .deb for real, on this machine (no systemd: its SysV script runs the
// agent): installed with dpkg -i, it puts its files in place, makes the
// group, starts the agent through invoke-rc.d, which `clearance status`
// finds answering; installed again, as an upgrade, it restarts the agent;
// `clearance uninstall` then refuses and names the package manager; dpkg
// --purge stops the agent and leaves nothing behind.
//
// dpkg runs inside a test internet's client namespace, so the agent the
// package starts sees only that network, and the system configuration
// file the test writes points it at the peers there: nothing leaves the
// machine. In the same private mount namespace the test's CA stands in for
// the system's roots, so that the agent, whose environment its init script
// sets, trusts those peers; and a policy-rc.d that allows everything
// stands in for the one .ci/run installs to keep apt from starting
// daemons, so that the package's own service may start. Neither is seen
// outside the namespace.
//
// CLEARANCE_DEB names the package: `make dist-check` builds it and runs
// this test.
func TestPackageDeb(t *testing.T) {
	deb := os.Getenv("CLEARANCE_DEB")
	if deb == "" {
		t.Skip("needs a .deb in CLEARANCE_DEB: make dist-check builds one and runs this test")
	}
	requireRoot(t)
	if _, err := os.Stat("/run/systemd/system"); err == nil {
		roottest.Need(t, "installs the package for real and expects its SysV script to run the agent; systemd runs this machine")
	}
	for _, p := range append(packagedFiles, runtimeFiles...) {
		if pathExists(p) {
			t.Fatalf("%s exists: Clearance is installed or was not fully removed; purge it first (dpkg --purge clearance)", p)
		}
	}
	if _, err := user.LookupGroup(fixGroupName); err == nil {
		t.Fatalf("the group %s exists: Clearance is installed or was not fully removed; remove it first (groupdel %s)", fixGroupName, fixGroupName)
	}
	deb, err := filepath.Abs(deb)
	if err != nil {
		t.Fatal(err)
	}

	n := newInternet(t, internetOptions{})
	dir := t.TempDir()
	allow := filepath.Join(dir, "policy-rc.d")
	if err := os.WriteFile(allow, []byte("#!/bin/sh\nexit 0\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	ca := strings.TrimPrefix(n.env[0], "SSL_CERT_FILE=")
	// inNS runs argv in the client namespace with the stand-ins mounted.
	inNS := func(argv ...string) result {
		t.Helper()
		script := `set -e
if [ -e /usr/sbin/policy-rc.d ]; then mount --bind "$1" /usr/sbin/policy-rc.d; fi
mount --bind "$2" /etc/ssl/certs/ca-certificates.crt
shift 2
exec "$@"`
		cmd := exec.Command("ip", append([]string{"netns", "exec", n.client.name, "sh", "-c", script, "sh", allow, ca}, argv...)...)
		cmd.Env = append(os.Environ(), "NO_COLOR=1", "DEBIAN_FRONTEND=noninteractive")
		return runCmd(t, cmd)
	}
	purged := false
	t.Cleanup(func() {
		if !purged {
			r := inNS("dpkg", "--purge", "clearance")
			t.Logf("cleanup: dpkg --purge: exit %d\n%s%s", r.code, r.stdout, r.stderr)
		}
		os.RemoveAll(configDir) // the test's own, if dpkg did not get to it
	})

	// The administrator's configuration, before the package: the test
	// internet's time server and status page.
	if err := os.MkdirAll(configDir, 0o755); err != nil {
		t.Fatal(err)
	}
	config := strings.Join([]string{
		"# Written by TestPackageDeb: the peers of its own test internet.",
		"[clock]",
		`ntp_servers = ["` + inetNTP + `"]`,
		"[status]",
		`url = "https://status.openai.com/api/v2/summary.json"`,
	}, "\n") + "\n"
	if err := os.WriteFile(filepath.Join(configDir, "config.toml"), []byte(config), 0o644); err != nil {
		t.Fatal(err)
	}

	// Install.
	r := inNS("dpkg", "-i", deb)
	t.Logf("dpkg -i: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	if r.code != 0 {
		t.Fatalf("dpkg -i failed")
	}
	for _, p := range packagedFiles {
		if !pathExists(p) {
			t.Errorf("%s is missing after dpkg -i", p)
		}
	}
	if out := mustRun(t, "dpkg-query", "--search", "/usr/bin/clearance"); !strings.HasPrefix(out, "clearance: ") {
		t.Errorf("dpkg does not own /usr/bin/clearance: %q", out)
	}
	script, _ := os.ReadFile(sysvScript)
	if !strings.Contains(string(script), "'/usr/bin/clearance' 'agent'") {
		t.Errorf("%s does not run the packaged agent:\n%s", sysvScript, script)
	}
	if links := sysvLinks(); len(links) != 7 {
		t.Errorf("runlevel links %q, want S in 2-5 and K in 0, 1, 6", links)
	}
	if entry, _ := os.ReadFile(trayDesktop); !strings.Contains(string(entry), "Exec=/usr/bin/clearance tray --autostart") {
		t.Errorf("%s does not start the tray:\n%s", trayDesktop, entry)
	}
	if _, err := user.LookupGroup(fixGroupName); err != nil {
		t.Errorf("no group %s after install: %v", fixGroupName, err)
	}

	// The agent the package started answers, and has checked the test
	// internet by the time it says so.
	var status result
	deadline := time.Now().Add(60 * time.Second)
	for {
		status = inNS("/usr/bin/clearance", "status")
		if strings.Contains(status.stdout, "Agent:    answering") && strings.Contains(status.stdout, "Checked:  ") && !strings.Contains(status.stdout, "not yet") || time.Now().After(deadline) {
			break
		}
		time.Sleep(500 * time.Millisecond)
	}
	t.Logf("clearance status: exit %d\n%s%s", status.code, status.stdout, status.stderr)
	if !strings.Contains(status.stdout, "Service:  running (sysv)") || !strings.Contains(status.stdout, "Agent:    answering") {
		t.Errorf("clearance status does not find the packaged agent running and answering")
	}
	if h, err := agentHealth(context.Background()); err != nil {
		t.Errorf("the agent's health: %v", err)
	} else {
		t.Logf("agent health: %+v", h)
	}

	// An upgrade (the same package again takes the same path: prerm
	// upgrade, then postinst configure with the old version) restarts the
	// agent, which answers again.
	pidBefore, _ := os.ReadFile(sysvPIDFile)
	r = inNS("dpkg", "-i", deb)
	t.Logf("dpkg -i, again: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	pidAfter, _ := os.ReadFile(sysvPIDFile)
	if r.code != 0 || len(pidBefore) == 0 || string(pidBefore) == string(pidAfter) {
		t.Errorf("the upgrade did not restart the agent: pid %q, then %q", pidBefore, pidAfter)
	}
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		_, err := agentHealth(context.Background())
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Errorf("the agent does not answer after the upgrade: %v", err)
			break
		}
	}

	// clearance uninstall leaves the package to dpkg.
	r = inNS("/usr/bin/clearance", "uninstall")
	if r.code == 0 || !strings.Contains(r.stderr, "sudo apt remove clearance") || !pathExists("/usr/bin/clearance") || !pathExists(sysvScript) {
		t.Errorf("clearance uninstall on a packaged machine: exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}

	// Purge.
	r = inNS("dpkg", "--purge", "clearance")
	t.Logf("dpkg --purge: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	if r.code != 0 {
		t.Fatalf("dpkg --purge failed")
	}
	purged = true
	for _, p := range append(append(packagedFiles, runtimeFiles...), sysvLinks()...) {
		if pathExists(p) {
			t.Errorf("%s is left after purge", p)
		}
	}
	if _, err := user.LookupGroup(fixGroupName); err == nil {
		t.Errorf("the group %s is left after purge", fixGroupName)
	}
	if out, err := exec.Command("dpkg-query", "--show", "--showformat=${db:Status-Status}", "clearance").Output(); err == nil && strings.TrimSpace(string(out)) != "not-installed" {
		t.Errorf("dpkg still knows the package: %q", out)
	}
	if _, err := agentHealth(context.Background()); err == nil {
		t.Errorf("an agent still answers after purge")
	}
}

// The .rpm, as rpm 4.18 reads it (rpm cannot install it on Debian): its
// digests verify, it holds the same files as the .deb with the init script
// and the autostart entry as configuration files, and its scriptlets are
// those of installer/packaging/linux/rpm.
//
// CLEARANCE_RPM names the package: `make dist-check` builds it and runs
// this test.
func TestPackageRPM(t *testing.T) {
	pkg := os.Getenv("CLEARANCE_RPM")
	if pkg == "" {
		t.Skip("needs an .rpm in CLEARANCE_RPM: make dist-check builds one and runs this test")
	}
	if _, err := exec.LookPath("rpm"); err != nil {
		roottest.Need(t, "needs rpm(8) (Debian package rpm) to read the package")
	}
	if out := mustRun(t, "rpm", "--checksig", "--nosignature", pkg); !strings.HasSuffix(strings.TrimSpace(out), "digests OK") {
		t.Errorf("rpm --checksig: %s", out)
	}
	if got, want := strings.Fields(mustRun(t, "rpm", "--query", "--package", "--list", pkg)), packagedFiles; !sameSet(got, want) {
		t.Errorf("files %q, want %q", got, want)
	}
	if got, want := strings.Fields(mustRun(t, "rpm", "--query", "--package", "--configfiles", pkg)), []string{sysvScript, trayDesktop}; !sameSet(got, want) {
		t.Errorf("configuration files %q, want %q", got, want)
	}
	if got := mustRun(t, "rpm", "--query", "--package", "--queryformat", "%{NAME} %{BUILDHOST}", pkg); got != "clearance reproducible" {
		t.Errorf("name and build host %q", got)
	}
	scripts := mustRun(t, "rpm", "--query", "--package", "--scripts", pkg)
	for _, name := range []string{"post", "preun", "postun"} {
		b, err := os.ReadFile(filepath.Join("..", "..", "installer", "packaging", "linux", "rpm", name))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(scripts, strings.TrimSpace(string(b))) {
			t.Errorf("the package lacks the %s scriptlet; it has:\n%s", name, scripts)
		}
	}
}

func sameSet(a, b []string) bool {
	return len(a) == len(b) && !slices.ContainsFunc(a, func(s string) bool { return !slices.Contains(b, s) })
}
