package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/clearance-app/clearance/agent/api"
	"github.com/clearance-app/clearance/internal/roottest"
)

// The agent as the service runs it, a child process under `ip netns exec`
// with its API on a socket in the test's directory: it notices a VPN that
// comes up by the kernel's network events, not by its schedule. Needs
// root; mandatory in CI.

// runningAgent is a `clearance agent` child process.
type runningAgent struct {
	socket string
	client *api.Client
	cmd    *exec.Cmd
	log    string // the file its output goes to
}

// startAgent starts the agent with prefix (e.g. `ip netns exec NAME`) and
// config, waits until its API answers, and stops it by its pid when the
// test ends. Its state directory is the test's own, and so is its
// socket's, in a directory only root can change, as the agent asks.
func startAgent(t testing.TB, prefix []string, config string, extraEnv ...string) *runningAgent {
	t.Helper()
	return startAgentAt(t, prefix, config, filepath.Join(roottest.Dir(t), "agent.sock"), extraEnv...)
}

// startAgentAt is startAgent with the API's socket at sock.
func startAgentAt(t testing.TB, prefix []string, config, sock string, extraEnv ...string) *runningAgent {
	t.Helper()
	cmd := clearanceCmd(t, prefix, "agent", "--socket", sock, "--config", config, "--verbose")
	cmd.Env = append(cmd.Env, extraEnv...)
	logf, err := os.Create(filepath.Join(t.TempDir(), "agent.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		t.Fatalf("start the agent: %v", err)
	}
	// Closed when the agent has exited, so that both the wait for its API
	// and the cleanup see it: an agent that exits at start once left the
	// cleanup waiting for ever.
	exited := make(chan struct{})
	var waitErr error
	go func() { waitErr = cmd.Wait(); close(exited) }()
	a := &runningAgent{socket: sock, client: api.NewAgentClient(sock), cmd: cmd, log: logf.Name()}
	t.Cleanup(func() {
		a.client.Close()
		cmd.Process.Signal(os.Interrupt)
		select {
		case <-exited:
		case <-time.After(15 * time.Second):
			cmd.Process.Kill()
			<-exited
			t.Errorf("the agent did not stop within 15 s of SIGINT")
		}
		if t.Failed() {
			b, _ := os.ReadFile(logf.Name())
			t.Logf("agent log:\n%s", b)
		}
		logf.Close()
	})
	deadline := time.Now().Add(30 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		_, err := a.client.Health(ctx)
		cancel()
		if err == nil {
			return a
		}
		select {
		case <-exited:
			b, _ := os.ReadFile(logf.Name())
			t.Fatalf("the agent exited: %v\n%s", waitErr, b)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("the agent's API did not answer within 30 s: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// waitState polls the agent's state until ok accepts it.
func (a *runningAgent) waitState(t testing.TB, within time.Duration, what string, ok func(api.State) bool) api.State {
	t.Helper()
	deadline := time.Now().Add(within)
	var st api.State
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		s, _, _, err := a.client.State(ctx, "")
		cancel()
		if err == nil {
			st = s
			if ok(st) {
				return st
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %s; last state %+v (err %v)", what, within, st, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func codesOf(st api.State) []string {
	var out []string
	for _, f := range st.Findings {
		out = append(out, string(f.Code))
	}
	return out
}

// agentTestConfig checks on a schedule far longer than the test, so that
// any fresh result within it came from an event.
func agentTestConfig(t testing.TB, extra ...string) string {
	t.Helper()
	return writeConfig(t, append([]string{
		"[agent]", `interval = "1h"`, `active_interval = "1h"`,
		"[endpoints]", `hosts = ["https://203.0.113.10/"]`,
	}, extra...)...)
}

func TestAgentSeesVPNComeUp(t *testing.T) {
	ns := newNetns(t)
	ns.offlineResolver(t)
	a := startAgent(t, ns.prefix(), agentTestConfig(t))
	first := a.waitState(t, 30*time.Second, "the first run", func(st api.State) bool { return !st.UpdatedAt.IsZero() })
	if slices.Contains(codesOf(first), "vpn-active") {
		t.Fatalf("vpn-active before any VPN: %v", codesOf(first))
	}

	ns.holdTun(t, "wg0")
	ns.ip(t, "addr", "add", "10.66.0.2/24", "dev", "wg0")
	ns.ip(t, "link", "set", "wg0", "up")
	ns.ip(t, "route", "add", "default", "dev", "wg0")

	// A fresh run, started by the change: with an hour between scheduled
	// runs, nothing else would run now.
	st := a.waitState(t, 30*time.Second, "vpn-active shown after the tun came up", func(st api.State) bool {
		return st.UpdatedAt.After(first.UpdatedAt) && slices.Contains(codesOf(st), "vpn-active")
	})
	for _, f := range st.Findings {
		if f.Code == "vpn-active" && f.Evidence["interface"] != "wg0" {
			t.Fatalf("vpn-active evidence %v, want interface wg0", f.Evidence)
		}
	}
}
