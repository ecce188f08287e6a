package host

import (
	"io/fs"
	"strings"
)

// ProcComms lists the processes of a Linux /proc tree (fsys is rooted at
// "/", or at a test's fake tree) as pid → comm. comm needs no privilege to
// read. complete is false when PID 1 is invisible: /proc then hides other
// users' processes (hidepid) and the list is partial, so the absence of a
// name proves nothing. A process that ends while being read is skipped.
func ProcComms(fsys fs.FS) (comms map[string]string, complete bool, err error) {
	entries, err := fs.ReadDir(fsys, "proc")
	if err != nil {
		return nil, false, err
	}
	names := make([]string, len(entries))
	for i, e := range entries {
		names[i] = e.Name()
	}
	comms, complete = procComms(names, func(pid string) ([]byte, error) {
		return fs.ReadFile(fsys, "proc/"+pid+"/comm")
	})
	return comms, complete, nil
}

// procComms reads the comm of each entry of /proc that is a PID with read,
// which may reuse its buffer.
func procComms(entries []string, read func(pid string) ([]byte, error)) (comms map[string]string, complete bool) {
	comms = make(map[string]string, len(entries))
	for _, name := range entries {
		if !isPID(name) {
			continue
		}
		b, err := read(name)
		if err != nil {
			continue
		}
		comms[name] = strings.TrimSpace(string(b))
	}
	_, complete = comms["1"]
	return comms, complete
}

func isPID(name string) bool {
	if name == "" {
		return false
	}
	for _, r := range name {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
