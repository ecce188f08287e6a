package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/clearance-app/clearance/agent/api"
	"github.com/clearance-app/clearance/internal/roottest"
)

// The agent, run as root, reads a configuration file that names the time
// servers that set the clock and whether fixes may run: one that another
// user can change, or that sits in a directory they can change, is
// refused — at start, with a message naming what to fix, and at every
// reload, keeping the last good values and raising config-invalid. Needs
// root; mandatory in CI.

// sharedConfig writes a valid configuration in a directory that everyone
// may write, itself in one only root can change, and returns both paths.
func sharedConfig(t *testing.T) (dir, file string) {
	t.Helper()
	dir = filepath.Join(roottest.Dir(t), "shared")
	if err := os.Mkdir(dir, 0o777); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o777); err != nil {
		t.Fatal(err)
	}
	file = filepath.Join(dir, "config.toml")
	if err := os.WriteFile(file, []byte("[agent]\ninterval = \"1h\"\nactive_interval = \"1h\"\n[endpoints]\nhosts = [\"https://203.0.113.10/\"]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir, file
}

// A configuration file in a directory everyone may write, or one everyone
// may write itself, stops the agent at start.
func TestSecurityAgentRefusesConfigOthersCanChange(t *testing.T) {
	ns := newNetns(t)
	ns.offlineResolver(t)
	dir, file := sharedConfig(t)
	open := filepath.Join(roottest.Dir(t), "config.toml")
	if err := os.WriteFile(open, []byte("[agent]\ninterval = \"1h\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(open, 0o666); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ file, unsafe string }{{file, dir}, {open, open}} {
		cmd := clearanceCmd(t, ns.prefix(), "agent", "--socket", filepath.Join(roottest.Dir(t), "agent.sock"), "--config", tc.file)
		var out strings.Builder
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		exited := make(chan error, 1)
		go func() { exited <- cmd.Wait() }()
		select {
		case <-exited:
		case <-time.After(30 * time.Second):
			cmd.Process.Kill()
			<-exited
			t.Fatalf("the agent ran with %s, which everyone may change:\n%s", tc.file, out.String())
		}
		for _, want := range []string{
			"clearance: " + tc.file + ": refused because " + tc.unsafe + " may be written by anyone",
			"sudo chmod go-w " + tc.unsafe,
			"hint: Clearance reads this file with full rights",
		} {
			if !strings.Contains(out.String(), want) {
				t.Errorf("the agent said:\n%s\nwant %q", out.String(), want)
			}
		}
		if cmd.ProcessState.ExitCode() != 2 {
			t.Errorf("%s: exit %d, want 2", tc.file, cmd.ProcessState.ExitCode())
		}
	}
}

// A file that passed at start and is then given to another user is
// refused at the next reload: the agent keeps running on the last good
// values and says why in config-invalid.
func TestSecurityAgentRefusesConfigOnReload(t *testing.T) {
	ns := newNetns(t)
	ns.offlineResolver(t)
	cfg := agentTestConfig(t)
	a := startAgent(t, ns.prefix(), cfg)
	a.waitState(t, 30*time.Second, "the first run", func(st api.State) bool { return !st.UpdatedAt.IsZero() })
	if err := os.Chown(cfg, 65534, 65534); err != nil {
		t.Fatal(err)
	}
	var evidence map[string]any
	deadline := time.Now().Add(60 * time.Second)
	for evidence == nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		a.client.CheckNow(ctx)
		st, _, _, err := a.client.State(ctx, "")
		cancel()
		for _, f := range st.Findings {
			if f.Code == "config-invalid" {
				evidence = f.Evidence
			}
		}
		if evidence == nil && time.Now().After(deadline) {
			t.Fatalf("no config-invalid within 60 s of giving %s to uid 65534: %+v, %v", cfg, st, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
	msg, _ := evidence["error"].(string)
	if evidence["file"] != cfg || !strings.Contains(msg, cfg+" belongs to the user") || !strings.Contains(msg, "sudo chown root "+cfg) {
		t.Errorf("config-invalid evidence %v, want the file, its owner and the fix", evidence)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := a.client.Health(ctx); err != nil {
		t.Errorf("the agent stopped answering: %v", err)
	}
}

// install refuses such a file before it changes anything (the unknown
// --user would stop it right after: nothing here can install a service).
func TestSecurityInstallRefusesConfigOthersCanChange(t *testing.T) {
	ns := newNetns(t)
	dir, file := sharedConfig(t)
	r := ns.clearance(t, "install", "--config", file, "--user", "no-such-user-clr")
	if r.code != 2 || !strings.Contains(r.stderr, file+": refused because "+dir+" may be written by anyone") ||
		!strings.Contains(r.stderr, "sudo chmod go-w "+dir) {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
}
