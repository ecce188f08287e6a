package host

// stateDir follows the FHS: /var/lib holds state that programs keep
// between runs and that must not vanish at reboot, unlike /run.
func stateDir() string { return "/var/lib/clearance" }
