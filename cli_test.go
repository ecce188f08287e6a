package main

import (
	"strings"
	"testing"
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
