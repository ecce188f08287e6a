package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/clearance-app/clearance/agent/api"
	"github.com/clearance-app/clearance/agent/diag/bundle"
	"github.com/clearance-app/clearance/agent/diag/bundle/bundletest"
	"github.com/clearance-app/clearance/installer"
)

// `clearance report` as the built program, in a network namespace with no
// way out, as root and as uid 65534, with the service's log planted where
// the SysV script writes it and a person with only a home (in a mount
// namespace of the run's own): the zip opens and lists every part, and
// holds neither the planted names nor the person's; a person is told that only the log
// needs sudo; a link at --out is refused; with an agent running, its state
// and history are in. Needs root; mandatory in CI.
func TestReportCommand(t *testing.T) {
	ns := newNetns(t)
	ns.offlineResolver(t)
	_, bin := sharedDir(t)
	if _, err := exec.LookPath("unshare"); err != nil {
		t.Fatal("needs unshare(1) from util-linux")
	}
	src, err := installer.ServiceLogSource(500)
	if err != nil {
		t.Fatal(err)
	}
	logFiles := src.Command == nil && slices.Contains(src.Files, "/var/log/clearance.err")
	config := agentTestConfig(t)

	// A directory uid 65534 may write in, and read the config through.
	out := t.TempDir()
	os.Chmod(filepath.Dir(out), 0o755)
	if err := os.Chown(out, 65534, 65534); err != nil {
		t.Fatal(err)
	}

	// The machine's people and names, planted in namespaces of the run's
	// own: a passwd file with a person, bound over /etc/passwd, and a host
	// name in a UTS namespace.
	passwd, err := os.ReadFile("/etc/passwd")
	if err != nil {
		t.Fatal(err)
	}
	planted := filepath.Join(out, "passwd")
	passwd = append(passwd, []byte(plantedUser+":x:4242:4242:Alicia:/home/"+plantedUser+":/bin/sh\n")...)
	if err := os.WriteFile(planted, passwd, 0o644); err != nil {
		t.Fatal(err)
	}
	// A person the passwd file does not know (SSSD, Active Directory),
	// who has a home.
	const homeOnly = "marguerite"
	line := "agent started on " + plantedFQDN + " for " + plantedUser + " from " + plantedIP + ", and " + homeOnly

	// report runs `clearance report args…` as uid (-1: root), with the
	// planted log line in /var/log/clearance.err, mode 0600, root's.
	report := func(uid int, args ...string) result {
		t.Helper()
		script := `mount -t tmpfs tmpfs /var/log && printf '%s\n' "$1" > /var/log/clearance.err && chmod 600 /var/log/clearance.err &&
			mount --bind "$2" /etc/passwd && hostname "$3" && mount -t tmpfs tmpfs /home && mkdir "/home/$4" && shift 4 && exec "$@"`
		argv := append(ns.prefix(), "unshare", "-m", "-u", "--propagation", "private", "sh", "-c", script, "sh", line, planted, plantedFQDN, homeOnly)
		if uid >= 0 {
			argv = append(argv, "setpriv", "--reuid", "65534", "--regid", "65534", "--clear-groups", "--")
		}
		argv = append(argv, bin, "report", "--config", config)
		cmd := exec.Command(argv[0], append(argv[1:], args...)...)
		cmd.Dir = out
		cmd.Env = append(withoutProxyEnv(os.Environ()), "CLEARANCE_RUN_MAIN=1", "NO_COLOR=1", "XDG_CACHE_HOME="+filepath.Join(out, "cache"), "HOME="+out)
		start := time.Now()
		r := runCmd(t, cmd)
		t.Logf("clearance report %v as uid %d: %v, exit %d\n%s%s", args, uid, time.Since(start).Round(time.Millisecond), r.code, r.stdout, r.stderr)
		return r
	}
	open := func(name string) (map[string]string, bundle.Manifest) {
		t.Helper()
		b, err := os.ReadFile(filepath.Join(out, name))
		if err != nil {
			t.Fatal(err)
		}
		files := bundletest.Files(t, b)
		var m bundle.Manifest
		if err := json.Unmarshal([]byte(files[bundle.ManifestName]), &m); err != nil {
			t.Fatalf("manifest: %v\n%s", err, files[bundle.ManifestName])
		}
		for _, p := range reportParts {
			if !slices.ContainsFunc(m.Parts, func(e bundle.PartEntry) bool { return e.Name == p }) {
				t.Errorf("%s: the manifest does not list %s", name, p)
			}
		}
		for _, e := range m.Parts {
			if _, in := files[e.Name]; in != e.Read {
				t.Errorf("%s: %s read %v, in the zip %v", name, e.Name, e.Read, in)
			}
		}
		t.Logf("%s: %d bytes, %d files", name, len(b), len(files))
		return files, m
	}
	entry := func(m bundle.Manifest, name string) bundle.PartEntry {
		i := slices.IndexFunc(m.Parts, func(e bundle.PartEntry) bool { return e.Name == name })
		if i < 0 {
			t.Fatalf("the manifest does not list %s", name)
		}
		return m.Parts[i]
	}

	// Root, no agent: every part but the agent's, which says none runs.
	if r := report(-1, "--out", "root.zip"); r.code != 0 || !strings.Contains(r.stdout, "Wrote "+filepath.Join(out, "root.zip")) {
		t.Fatalf("as root: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	files, m := open("root.zip")
	for _, p := range []string{"versions.txt", "check.json", "network.json", "dns.json", "proxy.json"} {
		if !entry(m, p).Read {
			t.Errorf("as root, %s was not read: %+v", p, entry(m, p))
		}
	}
	if e := entry(m, "agent-state.json"); e.Read || !strings.Contains(e.Error, "no agent is running") {
		t.Errorf("without an agent: %+v", e)
	}
	var rep jsonReport
	if err := json.Unmarshal([]byte(files["check.json"]), &rep); err != nil || rep.Version != 1 || len(rep.Checks) == 0 {
		t.Errorf("check.json is not the report of check --json: %v\n%s", err, files["check.json"])
	}
	if logFiles {
		if got, want := files["log/clearance.err"], `^agent started on host-1 for user-\d+ from ip4-1, and user-\d+\n$`; !regexp.MustCompile(want).MatchString(got) {
			t.Errorf("log/clearance.err as root: %q, want %q", got, want)
		}
	}
	for name, data := range files {
		for _, p := range []string{plantedIP, plantedUser, plantedHost, homeOnly} {
			if strings.Contains(data, p) {
				t.Errorf("%s holds the planted %q:\n%s", name, p, data)
			}
		}
	}

	// uid 65534: the log is refused, and only the log asks for sudo.
	r := report(65534, "--out", "nobody.zip")
	if r.code != 0 {
		t.Fatalf("as uid 65534: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if fi, err := os.Stat(filepath.Join(out, "nobody.zip")); err != nil || fi.Mode().Perm() != 0o600 || fi.Sys().(*syscall.Stat_t).Uid != 65534 {
		t.Fatalf("nobody.zip: %v %v, want uid 65534's, mode 0600", fi, err)
	}
	_, m = open("nobody.zip")
	if logFiles {
		e := entry(m, "log/clearance.err")
		if e.Read || !e.NeedsAdmin || !strings.Contains(e.Error, "permission denied") {
			t.Errorf("the log as uid 65534: %+v", e)
		}
		if !strings.Contains(r.stdout, "Only an administrator may read the service's log; to include it, run 'sudo clearance report'.") || strings.Count(r.stdout, "sudo") != 1 {
			t.Errorf("as uid 65534, the output does not ask for sudo once, for the log:\n%s", r.stdout)
		}
	} else {
		t.Logf("the service manager here is %s: its log is not files this test can plant", src.Backend)
	}

	// A link planted at --out is refused, and its target left alone.
	target := filepath.Join(out, "target")
	os.WriteFile(target, []byte("keep"), 0o644)
	os.Symlink(target, filepath.Join(out, "link.zip"))
	if r := report(65534, "--out", "link.zip"); r.code != 2 || !strings.Contains(r.stderr, "link.zip is a symbolic link") {
		t.Errorf("--out through a link: exit %d\n%s", r.code, r.stderr)
	}
	if b, _ := os.ReadFile(target); string(b) != "keep" {
		t.Errorf("the link's target became %q", b)
	}

	// With an agent: its state and history are in the bundle.
	sock := filepath.Join(filepath.Dir(config), "agent.sock")
	a := startAgentAt(t, ns.prefix(), config, sock)
	a.waitState(t, 60*time.Second, "the agent's first run", func(st api.State) bool { return !st.UpdatedAt.IsZero() })
	if r := report(65534, "--out", "agent.zip", "--socket", sock); r.code != 0 {
		t.Fatalf("with an agent: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	files, _ = open("agent.zip")
	var st api.State
	if err := json.Unmarshal([]byte(files["agent-state.json"]), &st); err != nil || st.UpdatedAt.IsZero() {
		t.Errorf("agent-state.json: %v\n%s", err, files["agent-state.json"])
	}
	var h api.History
	if err := json.Unmarshal([]byte(files["agent-history.json"]), &h); err != nil || len(h.Runs) == 0 || len(h.Runs[0].Checks) == 0 {
		t.Errorf("agent-history.json: %v\n%s", err, files["agent-history.json"])
	}
}
