package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/clearance-app/clearance/agent/api"
)

// The agent run as root holds the service's environment however it was
// started — here as a SysV script would start it, with the PATH and
// variables of whoever ran it: PATH is exactly the system's, the caller's
// other variables are gone, and programs planted early on the caller's
// PATH under the names of the commands the agent runs are never run.
// Needs root; mandatory in CI.
func TestSecurityAgentEnvironmentIsFixed(t *testing.T) {
	ns := newNetns(t)
	ns.offlineResolver(t)
	planted := t.TempDir()
	marker := filepath.Join(planted, "ran")
	for _, name := range []string{"chronyc", "systemctl", "timedatectl", "resolvectl", "nmcli", "nscd", "unbound-control"} {
		script := "#!/bin/sh\necho " + name + " \"$@\" >>" + marker + "\n"
		if err := os.WriteFile(filepath.Join(planted, name), []byte(script), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	a := startAgent(t, ns.prefix(), agentTestConfig(t),
		"PATH="+planted+":"+os.Getenv("PATH"), "PLANTED_BY_CALLER=1", "GODEBUG=panicnil=1")
	a.waitState(t, 30*time.Second, "the first run", func(st api.State) bool { return !st.UpdatedAt.IsZero() })

	// `ip netns exec` and the agent's own restart keep the pid.
	b, err := os.ReadFile("/proc/" + strconv.Itoa(a.cmd.Process.Pid) + "/environ")
	if err != nil {
		t.Fatal(err)
	}
	env := strings.Split(strings.TrimRight(string(b), "\x00"), "\x00")
	paths := 0
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		switch {
		case k == "PATH":
			paths++
			if v != "/usr/sbin:/usr/bin:/sbin:/bin" {
				t.Errorf("PATH=%s, want the system's /usr/sbin:/usr/bin:/sbin:/bin", v)
			}
		case strings.HasPrefix(k, "CLEARANCE_"), k == "SSL_CERT_FILE", k == "SSL_CERT_DIR", k == "JOURNAL_STREAM":
		default:
			t.Errorf("the agent kept the caller's %s", kv)
		}
	}
	if paths != 1 {
		t.Errorf("%d PATH variables in %q", paths, env)
	}
	if ran, err := os.ReadFile(marker); err == nil {
		t.Errorf("the agent ran planted programs: %s", ran)
	}
}
