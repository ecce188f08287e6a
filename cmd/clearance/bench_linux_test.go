package main

import (
	"os/exec"
	"testing"
)

// A machine with no network at all: a namespace with only loopback. The
// run must end well within the deadline.
func BenchmarkCheckOffline(b *testing.B) {
	if !canNetns() {
		b.Skip("needs root and ip(8) for a network namespace")
	}
	name := "clr-bench-offline"
	exec.Command("ip", "netns", "del", name).Run()
	if out, err := exec.Command("ip", "netns", "add", name).CombinedOutput(); err != nil {
		b.Fatalf("ip netns add: %v: %s", err, out)
	}
	b.Cleanup(func() { exec.Command("ip", "netns", "del", name).Run() })
	exec.Command("ip", "-n", name, "link", "set", "lo", "up").Run()
	benchRuns(b, func() *exec.Cmd {
		cmd := clearanceCmd(b, []string{"ip", "netns", "exec", name}, "check", "--json")
		cmd.Env = withoutProxyEnv(cmd.Env)
		return cmd
	})
}
