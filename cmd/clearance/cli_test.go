package main

import (
	"strings"
	"testing"

	"github.com/clearance-app/clearance/internal/winegap"
)

func TestBadFlagExitsTwo(t *testing.T) {
	r := runCmd(t, clearanceCmd(t, nil, "check", "--nope"))
	if r.code != 2 || !strings.Contains(r.stderr, "hint:") {
		t.Fatalf("code %d, stderr %q; want 2 with a hint", r.code, r.stderr)
	}
}

func TestUnknownCheckExitsTwo(t *testing.T) {
	r := runCmd(t, clearanceCmd(t, nil, "check", "--only", "clock,bogus"))
	if r.code != 2 || !strings.Contains(r.stderr, `unknown check "bogus"`) || !strings.Contains(r.stderr, "network, clock") {
		t.Fatalf("code %d, stderr %q", r.code, r.stderr)
	}
}

func TestBadConfigNamesFileLineAndKey(t *testing.T) {
	path := writeConfig(t, "[clock]", "ntp_servers = [\"time.example\"]", "warning_secs = 5")
	r := runCmd(t, clearanceCmd(t, nil, "check", "--config", path))
	want := path + ":3: clock.warning_secs: unknown key"
	if r.code != 2 || !strings.Contains(r.stderr, want) {
		t.Fatalf("code %d, stderr %q; want 2 and %q", r.code, r.stderr, want)
	}
}

func TestConfigFromEnvironmentMustExist(t *testing.T) {
	cmd := clearanceCmd(t, nil, "check")
	cmd.Env = append(cmd.Env, "CLEARANCE_CONFIG=/nonexistent/clearance.toml")
	r := runCmd(t, cmd)
	if r.code != 2 || !strings.Contains(r.stderr, "/nonexistent/clearance.toml") {
		t.Fatalf("code %d, stderr %q", r.code, r.stderr)
	}
}

// Every command refuses arguments it does not take, before doing
// anything: `clearance agent extra` must not start an agent.
func TestCommandsRefuseStrayArguments(t *testing.T) {
	sock := winegap.TempDir(t) + "/none.sock"
	for _, args := range [][]string{
		{"agent", "extra", "--socket", sock},
		{"status", "extra"},
		{"tray", "extra"},
		{"install", "extra"},
		{"uninstall", "extra"},
		{"start", "extra"},
		{"fix", "dns-flush", "extra", "--socket", sock},
		{"fix", "bogus-fix"},
		{"fix", "dns-flush", "--undo", "--socket", sock},
		{"fix"},
	} {
		r := runCmd(t, clearanceCmd(t, nil, args...))
		if r.code != 2 || !strings.Contains(r.stderr, "hint:") {
			t.Errorf("clearance %s: exit %d, stderr %q; want 2 with a hint", strings.Join(args, " "), r.code, r.stderr)
		}
	}
}

// The fix id may stand before, between or after the flags.
func TestFixIDAnywhere(t *testing.T) {
	sock := winegap.TempDir(t) + "/none.sock"
	for _, args := range [][]string{
		{"fix", "recheck", "--json", "--socket", sock},
		{"fix", "--json", "recheck", "--socket", sock},
		{"fix", "--json", "--socket", sock, "recheck"},
	} {
		r := runCmd(t, clearanceCmd(t, nil, args...))
		// No agent answers: recheck asks the in-process agent (root) or
		// says how to get rights; either way the id was understood.
		if strings.Contains(r.stderr, "unexpected argument") || strings.Contains(r.stderr, "which fix") {
			t.Errorf("clearance %s: %q", strings.Join(args, " "), r.stderr)
		}
	}
}
