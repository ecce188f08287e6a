package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kardianos/service"

	"github.com/clearance-app/clearance/agent/api"
	"github.com/clearance-app/clearance/installer"
	"github.com/clearance-app/clearance/internal/roottest"
)

// What a SysV installation consists of on this machine.
const (
	sysvScript   = "/etc/init.d/clearance"
	sysvPIDFile  = "/var/run/clearance.pid"
	trayDesktop  = "/etc/xdg/autostart/clearance-tray.desktop"
	configDir    = "/etc/clearance"
	sysvLogFile  = "/var/log/clearance.log"
	sysvErrFile  = "/var/log/clearance.err"
	fixGroupName = "clearance"
)

// cli runs the program exe inside ns, so that the agent it starts sees only
// the namespace's loopback, and returns its output and exit status.
func cli(t *testing.T, ns *netns, exe string, args ...string) result {
	t.Helper()
	argv := append(append(ns.prefix(), exe), args...)
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = append(os.Environ(), "NO_COLOR=1", "SUDO_USER=")
	return runCmd(t, cmd)
}

// cliSteps runs an install or uninstall and returns the steps it printed
// ("✓ done" for a change, "· found" for none); it must succeed.
func cliSteps(t *testing.T, ns *netns, exe string, args ...string) []installer.Step {
	t.Helper()
	r := cli(t, ns, exe, args...)
	if r.code != 0 {
		t.Fatalf("clearance %s: exit %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), r.code, r.stdout, r.stderr)
	}
	var steps []installer.Step
	for _, l := range strings.Split(r.stdout, "\n") {
		if done, ok := strings.CutPrefix(l, "✓ "); ok {
			steps = append(steps, installer.Step{Done: done, Changed: true})
		} else if done, ok := strings.CutPrefix(l, "· "); ok {
			steps = append(steps, installer.Step{Done: done})
		}
	}
	if len(steps) == 0 {
		t.Fatalf("clearance %s printed no steps:\n%s", strings.Join(args, " "), r.stdout)
	}
	return steps
}

// buildClearance builds the real program, which the service runs (the
// test binary would need its environment variable), or takes the one
// CLEARANCE_BIN names.
func buildClearance(t *testing.T) string {
	t.Helper()
	if bin := os.Getenv("CLEARANCE_BIN"); bin != "" {
		abs, err := filepath.Abs(bin)
		if err != nil {
			t.Fatal(err)
		}
		return abs
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("building the program for the service needs the go command on PATH: %v", err)
	}
	exe := filepath.Join(t.TempDir(), "clearance")
	out, err := exec.Command(goTool, "build", "-o", exe, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return exe
}

func pathExists(p string) bool {
	_, err := os.Lstat(p)
	return err == nil
}

// inGroup says whether name belongs to group by the group database.
func inGroup(t *testing.T, name, group string) bool {
	t.Helper()
	g, err := user.LookupGroup(group)
	if err != nil {
		return false
	}
	u, err := user.Lookup(name)
	if err != nil {
		t.Fatal(err)
	}
	ids, err := u.GroupIds()
	if err != nil {
		t.Fatal(err)
	}
	return slices.Contains(ids, g.Gid)
}

func changed(steps []installer.Step) []string {
	var out []string
	for _, s := range steps {
		if s.Changed {
			out = append(out, s.Done)
		}
	}
	return out
}

func stepsText(steps []installer.Step) string {
	var b strings.Builder
	for _, s := range steps {
		fmt.Fprintf(&b, "  %v %s\n", s.Changed, s.Done)
	}
	return b.String()
}

// agentHealth asks the agent on its real socket.
func agentHealth(ctx context.Context) (api.Health, error) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	c := api.NewClient("")
	defer c.CloseIdleConnections()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, api.BaseURL+"/v1/health", nil)
	if err != nil {
		return api.Health{}, err
	}
	resp, err := c.Do(req)
	if err != nil {
		return api.Health{}, err
	}
	defer resp.Body.Close()
	var h api.Health
	if resp.StatusCode != http.StatusOK {
		return h, fmt.Errorf("GET /v1/health: %s", resp.Status)
	}
	return h, json.NewDecoder(resp.Body).Decode(&h)
}

// sysvLinks are the runlevel links to the init script.
func sysvLinks() []string {
	links, _ := filepath.Glob("/etc/rc[0-6S].d/[SK][0-9][0-9]clearance")
	return links
}

// The real thing on this machine, which has no systemd, through the
// command line: `clearance install --user nobody` registers a SysV script
// and its runlevel links, the tray's autostart entry and the group, and
// starts the agent, which answers on its socket, shows in `clearance
// status` and logs (no /dev/log here: to standard error, which the script
// keeps in a file); a second install changes nothing; `clearance stop`
// stops it; `clearance uninstall` leaves nothing behind but the group
// (kept by design) and the logs; a second uninstall finds nothing to do.
// Every command runs inside a network namespace with only loopback, and so
// does the agent the service manager starts from there: it sends nothing
// anywhere.
func TestInstallSysV(t *testing.T) {
	requireRoot(t)
	if s := service.ChosenSystem(); s == nil || s.String() != "unix-systemv" {
		why := fmt.Sprintf("drives the SysV backend, and kardianos/service chose %v here", s)
		roottest.Need(t, why)
	}
	for _, p := range []string{sysvScript, trayDesktop, api.DefaultAddress, sysvPIDFile} {
		if pathExists(p) {
			t.Fatalf("%s exists: Clearance is installed or running on this machine; run 'clearance uninstall' first", p)
		}
	}
	exe := buildClearance(t)
	_, err := user.LookupGroup(fixGroupName)
	groupExisted := err == nil
	wasMember := inGroup(t, "nobody", fixGroupName)
	logsExisted := map[string]bool{sysvLogFile: pathExists(sysvLogFile), sysvErrFile: pathExists(sysvErrFile)}
	configDirExisted := pathExists(configDir)
	errLogBefore, _ := os.ReadFile(sysvErrFile)

	ns := newNetns(t)
	t.Cleanup(func() {
		// Whatever the test got to: stop the agent by its pid, and remove
		// what an installation leaves, then the group and logs if new.
		if b, err := os.ReadFile(sysvPIDFile); err == nil {
			var pid int
			if fmt.Sscan(strings.TrimSpace(string(b)), &pid); pid > 1 {
				if p, err := os.FindProcess(pid); err == nil {
					p.Kill()
				}
			}
		}
		for _, p := range append(sysvLinks(), sysvScript, sysvPIDFile, trayDesktop, api.DefaultAddress) {
			os.Remove(p)
		}
		os.Remove(filepath.Dir(api.DefaultAddress))
		if !groupExisted {
			exec.Command("groupdel", fixGroupName).Run()
		} else if !wasMember {
			exec.Command("gpasswd", "-d", "nobody", fixGroupName).Run()
		}
		for p, existed := range logsExisted {
			if !existed {
				os.Remove(p)
			}
		}
		if !configDirExisted {
			os.Remove(configDir) // only while empty
		}
	})
	ctx := context.Background()

	// Install.
	steps := cliSteps(t, ns, exe, "install", "--user", "nobody")
	joined := "Added nobody to the group clearance: they may run fixes from the tray"
	if wasMember {
		joined = "Already in the group clearance: nobody"
	}
	madeConfigDir := "Made " + configDir + ", for the agent's configuration file, changeable by administrators only"
	if configDirExisted {
		madeConfigDir = "Already changeable by administrators only: " + configDir + ", for the agent's configuration file"
	}
	for _, want := range []string{
		madeConfigDir,
		"Registered the service clearance (sysv, " + sysvScript + "): it starts at boot",
		"Set the tray to start at every login, for everyone, from the next login on (" + trayDesktop + ")",
		joined,
		"Started the service clearance: the agent answers on " + api.DefaultAddress,
	} {
		if !slices.ContainsFunc(steps, func(s installer.Step) bool { return s.Done == want }) {
			t.Errorf("install did not say %q; it said:\n%s", want, stepsText(steps))
		}
	}
	script, err := os.ReadFile(sysvScript)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(script), exe) || !strings.Contains(string(script), "CLEARANCE_SERVICE='1'\nexport CLEARANCE_SERVICE\n") ||
		!strings.Contains(string(script), "PATH='/usr/sbin:/usr/bin:/sbin:/bin'\nexport PATH\n") {
		t.Errorf("%s does not run %s as the service:\n%s", sysvScript, exe, script)
	}
	if links := sysvLinks(); len(links) != 7 {
		t.Errorf("runlevel links %q, want S50 in 2-5 and K02 in 0, 1, 6", links)
	}
	st, err := installer.ServiceStatus(ctx)
	if err != nil || !st.Installed || !st.Running || st.Backend != "sysv" {
		t.Errorf("status after install: %+v, %v", st, err)
	}
	if r := cli(t, ns, exe, "status"); r.code == 3 || !strings.Contains(r.stdout, "Service:  running (sysv)") || !strings.Contains(r.stdout, "Agent:    answering") {
		t.Errorf("clearance status: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if h, err := agentHealth(ctx); err != nil || h.Version == "" {
		t.Errorf("the agent does not answer on %s: %+v, %v", api.DefaultAddress, h, err)
	}
	if !inGroup(t, "nobody", fixGroupName) {
		t.Error("nobody is not in the group clearance")
	}
	if desk, err := os.ReadFile(trayDesktop); err != nil || !strings.Contains(string(desk), "\nExec="+exe+" tray --autostart\n") {
		t.Errorf("%s: %v\n%s", trayDesktop, err, desk)
	}
	// The agent is the namespace's, not this machine's network's.
	if b, err := os.ReadFile(sysvPIDFile); err != nil {
		t.Errorf("no pid file: %v", err)
	} else {
		agentNet, _ := os.Readlink("/proc/" + strings.TrimSpace(string(b)) + "/ns/net")
		ourNet, _ := os.Readlink("/proc/self/ns/net")
		if agentNet == "" || agentNet == ourNet {
			t.Errorf("the agent's network namespace is %q, ours %q", agentNet, ourNet)
		}
	}
	// Under the SysV script it knows it is a service and, with no
	// /dev/log here, says so on standard error, which the script keeps.
	deadline := time.Now().Add(30 * time.Second)
	for {
		errLog, _ := os.ReadFile(sysvErrFile)
		if strings.Contains(strings.TrimPrefix(string(errLog), string(errLogBefore)), "no system log; logging to standard error") {
			break
		}
		if time.Now().After(deadline) {
			t.Errorf("%s lacks the note of the agent run as a service:\n%s", sysvErrFile, errLog)
			break
		}
		time.Sleep(100 * time.Millisecond)
	}

	// Again: nothing to do.
	steps = cliSteps(t, ns, exe, "install", "--user", "nobody")
	if c := changed(steps); len(c) != 0 {
		t.Errorf("a second install changed %q", c)
	}

	// Stop.
	if r := cli(t, ns, exe, "stop"); r.code != 0 {
		t.Fatalf("clearance stop: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	st, err = installer.ServiceStatus(ctx)
	if err != nil || !st.Installed || st.Running {
		t.Errorf("status after stop: %+v, %v", st, err)
	}
	if _, err := agentHealth(ctx); err == nil {
		t.Error("the agent still answers after stop")
	}
	if r := cli(t, ns, exe, "status"); r.code != 3 {
		t.Errorf("clearance status of a stopped agent: exit %d, want 3\n%s%s", r.code, r.stdout, r.stderr)
	}

	// Uninstall: nothing left.
	steps = cliSteps(t, ns, exe, "uninstall")
	if got := changed(steps); !slices.Contains(got, "Removed the service clearance (sysv, "+sysvScript+")") {
		t.Errorf("uninstall said:\n%s", stepsText(steps))
	}
	left := sysvLinks()
	for _, p := range []string{sysvScript, sysvPIDFile, trayDesktop, api.DefaultAddress, filepath.Dir(api.DefaultAddress)} {
		if pathExists(p) {
			left = append(left, p)
		}
	}
	if !configDirExisted && pathExists(configDir) {
		left = append(left, configDir)
	}
	if len(left) > 0 {
		t.Errorf("left after uninstall: %q", left)
	}
	if st, err := installer.ServiceStatus(ctx); err != nil || st.Installed || st.Running {
		t.Errorf("status after uninstall: %+v, %v", st, err)
	}
	if _, err := user.LookupGroup(fixGroupName); err != nil {
		t.Errorf("the group was removed, but uninstall keeps it: %v", err)
	}

	steps = cliSteps(t, ns, exe, "uninstall")
	if c := changed(steps); len(c) != 0 || !strings.Contains(stepsText(steps), "Not installed: the service clearance") {
		t.Errorf("a second uninstall said:\n%s", stepsText(steps))
	}
}
