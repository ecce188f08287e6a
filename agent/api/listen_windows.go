package api

import (
	"context"
	"fmt"
	"net"

	"github.com/Microsoft/go-winio"
)

// pipeSDDL protects the pipe: SYSTEM, Administrators and the pipe's owner
// (the agent's own account, which opens a new instance of the pipe for each
// connection) have full access; authenticated users may read and write data.
// 0x12019b is FILE_GENERIC_READ | FILE_GENERIC_WRITE without
// FILE_APPEND_DATA, which on a pipe is FILE_CREATE_PIPE_INSTANCE: a user must
// not be able to add a server instance of their own and answer in the
// agent's place. go-winio rejects remote clients (PIPE_REJECT_REMOTE_CLIENTS).
const pipeSDDL = "D:P(A;;GA;;;SY)(A;;GA;;;BA)(A;;GA;;;OW)(A;;0x12019b;;;AU)"

// pipeAccess is what a client asks for; it must stay within pipeSDDL's grant
// to authenticated users.
const pipeAccess = 0x12019b

// Listen opens the API's named pipe (DefaultAddress when empty). Any
// authenticated local user can connect; each request is then authorized by
// the client's token. It fails while another agent holds the name.
func Listen(name string) (net.Listener, error) {
	if name == "" {
		name = DefaultAddress
	}
	ln, err := winio.ListenPipe(name, &winio.PipeConfig{SecurityDescriptor: pipeSDDL})
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", name, err)
	}
	return ln, nil
}

// Dial connects to the agent's pipe (DefaultAddress when empty) at
// identification level, which lets the agent read, but not use, the
// client's token.
func Dial(ctx context.Context, addr string) (net.Conn, error) {
	if addr == "" {
		addr = DefaultAddress
	}
	return winio.DialPipeAccessImpLevel(ctx, addr, pipeAccess, winio.PipeImpLevelIdentification)
}
