package host

// stateDir is beside the config file (/Library/Application Support/
// Clearance/config.toml), where a root daemon keeps machine-wide data.
func stateDir() string { return "/Library/Application Support/Clearance" }
