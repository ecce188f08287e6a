package host

import (
	"context"
	"io/fs"
	"slices"
)

// Processes is one reading of the running processes. It holds names only
// (comm on Linux, the process snapshot on Windows, the kernel's process
// table on macOS), never command lines or environments. It is shared by
// whoever asked during one run: nobody changes it.
type Processes struct {
	// ByPID maps each process's ID, as /proc spells it, to its name.
	// Processes that ended or denied access while listed are left out.
	ByPID map[string]string
	// Complete is false when some processes may be hidden (Linux /proc
	// mounted with hidepid shows other users' processes to nobody but
	// root): the absence of a name then proves nothing.
	Complete bool
}

// ProcessReader returns a reading of the running processes. Code that
// needs them takes one rather than reading /proc itself, so that callers
// of one run can share a single reading: listing processes costs a few
// system calls per process, and a desktop runs hundreds.
type ProcessReader func(context.Context) (Processes, error)

// ReadProcesses lists the running processes now; it is a ProcessReader
// that reads afresh on every call.
func ReadProcesses(ctx context.Context) (Processes, error) { return readProcesses(ctx) }

// ProcessesIn lists the processes of a Linux /proc tree (fsys is rooted at
// "/", or at a test's fake tree).
func ProcessesIn(fsys fs.FS) (Processes, error) {
	comms, complete, err := ProcComms(fsys)
	if err != nil {
		return Processes{}, err
	}
	return Processes{ByPID: comms, Complete: complete}, nil
}

// Names returns each process name once, sorted.
func (p Processes) Names() []string {
	out := make([]string, 0, len(p.ByPID))
	for _, name := range p.ByPID {
		if name != "" {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// Running reports whether a process of that name is in the list.
func (p Processes) Running(name string) bool {
	for _, n := range p.ByPID {
		if n == name {
			return true
		}
	}
	return false
}
