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
	comms = map[string]string{}
	for _, e := range entries {
		if !isPID(e.Name()) {
			continue
		}
		b, err := fs.ReadFile(fsys, "proc/"+e.Name()+"/comm")
		if err != nil {
			continue
		}
		comms[e.Name()] = strings.TrimSpace(string(b))
	}
	_, complete = comms["1"]
	return comms, complete, nil
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
