package api

import (
	"fmt"
	"net"

	"golang.org/x/sys/windows"

	"github.com/clearance-app/clearance/platform/host"
)

// acceptCred names the caller of a pipe connection just accepted, for the
// connection limits, from the token of the process at the other end: the
// pipe records the client's process id at connect, and the agent (SYSTEM)
// may open that process's token without reading from the pipe.
//
// It is not final: requests are authorized by the token the client
// presents on the pipe (see host.PeerCredOf), which may be another than
// its process's (a thread impersonating someone), and a process id names a
// process only while it lives.
func acceptCred(c net.Conn) (cred host.PeerCred, known, final bool) {
	cred, err := pipeClientProcess(c)
	return cred, err == nil, false
}

func pipeClientProcess(c net.Conn) (host.PeerCred, error) {
	fc, ok := c.(interface{ Fd() uintptr }) // a go-winio pipe
	if !ok {
		return host.PeerCred{}, fmt.Errorf("the client of a %T", c)
	}
	var pid uint32
	if err := windows.GetNamedPipeClientProcessId(windows.Handle(fc.Fd()), &pid); err != nil {
		return host.PeerCred{}, fmt.Errorf("the pipe client's process: %w", err)
	}
	p, err := windows.OpenProcess(windows.PROCESS_QUERY_LIMITED_INFORMATION, false, pid)
	if err != nil {
		return host.PeerCred{}, fmt.Errorf("open the pipe client's process %d: %w", pid, err)
	}
	defer windows.CloseHandle(p)
	var tok windows.Token
	if err := windows.OpenProcessToken(p, windows.TOKEN_QUERY, &tok); err != nil {
		return host.PeerCred{}, fmt.Errorf("open the token of process %d: %w", pid, err)
	}
	defer tok.Close()
	tu, err := tok.GetTokenUser()
	if err != nil {
		return host.PeerCred{}, fmt.Errorf("the user of process %d: %w", pid, err)
	}
	tg, err := tok.GetTokenGroups()
	if err != nil {
		return host.PeerCred{}, fmt.Errorf("the groups of process %d: %w", pid, err)
	}
	var groups []tokenGroup
	for _, g := range tg.AllGroups() {
		groups = append(groups, tokenGroup{SID: g.Sid.String(), Attributes: g.Attributes})
	}
	cred := tokenCaller(tu.User.Sid.String(), groups)
	cred.PID = int(pid)
	return cred, nil
}

// fileLimit: Windows has no descriptor limit to keep under; maxConns
// bounds the connections.
func fileLimit() (int, bool) { return 0, false }
