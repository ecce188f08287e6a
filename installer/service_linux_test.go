package installer

import "testing"

// On Linux the service gets the hardened unit (where systemd runs it),
// restarts only after a failure, and carries the marker by which the agent
// knows it runs under the manager, whichever backend, and the system's own
// PATH, not that of whoever ran install or restart.
func TestLinuxServiceDefinition(t *testing.T) {
	c := serviceConfig(Options{Executable: "/usr/bin/clearance"})
	d := serviceDefWithEnv(Options{Executable: "/usr/bin/clearance"}, serviceEnv())
	if c.Option["SystemdScript"] != d.render(systemdUnit) || c.Option["SysvScript"] != d.render(sysvScript) {
		t.Errorf("options %v", c.Option)
	}
	if c.EnvVars[markerEnv] != "1" || c.EnvVars["PATH"] != "/usr/sbin:/usr/bin:/sbin:/bin" {
		t.Errorf("env %v", c.EnvVars)
	}
}
