package installer

import "strconv"

// ServiceLog is where the service's recent lines can be read, for a bug
// report (`clearance report`).
type ServiceLog struct {
	// Backend is the service manager, as Status names it.
	Backend string
	// Command prints the newest lines of the system log the agent writes
	// to (journalctl, wevtutil, log show); nil when the system has no such
	// command.
	Command []string
	// Files are the files the service manager sends the agent's output
	// to; the caller reads their tails.
	Files []string
}

// ServiceLogSource says where the service's last lines are, at most
// lines of them, whether or not the service is installed: a log outlives
// an uninstall.
func ServiceLogSource(lines int) (ServiceLog, error) {
	o, err := Options{}.withDefaults()
	if err != nil {
		return ServiceLog{}, err
	}
	k, err := newManager(o)
	if err != nil {
		return ServiceLog{}, err
	}
	return serviceLog(k.platform, lines), nil
}

func serviceLog(platform string, lines int) ServiceLog {
	return ServiceLog{Backend: backendName(platform), Command: logCommand(platform, strconv.Itoa(lines)), Files: serviceLogFiles(platform)}
}
