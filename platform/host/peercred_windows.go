package host

import (
	"errors"
	"fmt"
	"net"
	"runtime"
	"unsafe"

	"golang.org/x/sys/windows"

	"github.com/clearance-app/clearance/platform"
)

// ImpersonateNamedPipeClient is not in x/sys/windows.
var procImpersonateNamedPipeClient = windows.NewLazySystemDLL("advapi32.dll").NewProc("ImpersonateNamedPipeClient")

// Integrity levels (SECURITY_MANDATORY_*_RID of winnt.h).
const mediumIntegrityRID = 0x2000

// peerCred reads the pipe client's token. The connection must be a
// go-winio pipe (it exposes its handle through Fd), and the client must have
// dialed with at least SecurityIdentification: an anonymous client's token
// cannot be opened. Windows lets the server impersonate only after it has
// read from the pipe, so this is called once a request has arrived.
func peerCred(c net.Conn) (PeerCred, error) {
	fc, ok := c.(interface{ Fd() uintptr })
	if !ok {
		return PeerCred{}, fmt.Errorf("peer credentials of a %T: %w", c, platform.ErrNotSupported)
	}
	h := windows.Handle(fc.Fd())
	tok, err := pipeClientToken(h)
	if err != nil {
		return PeerCred{}, err
	}
	defer tok.Close()

	cred := PeerCred{UID: -1, GID: -1}
	var pid uint32
	if windows.GetNamedPipeClientProcessId(h, &pid) == nil { // the pid only names the caller in logs
		cred.PID = int(pid)
	}
	tu, err := tok.GetTokenUser()
	if err != nil {
		return PeerCred{}, fmt.Errorf("the pipe client's user: %w", err)
	}
	sid := tu.User.Sid
	cred.SID = sid.String()
	cred.User = cred.SID
	if acct, dom, _, err := sid.LookupAccount(""); err == nil {
		cred.User = dom + `\` + acct
	}
	admins, err := windows.CreateWellKnownSid(windows.WinBuiltinAdministratorsSid)
	if err != nil {
		return PeerCred{}, fmt.Errorf("the Administrators SID: %w", err)
	}
	// CheckTokenMembership counts enabled groups only: under UAC an
	// unelevated administrator holds Administrators as deny-only and is
	// not an administrator here (but is usually the interactive user).
	isAdmin, err := tok.IsMember(admins)
	if err != nil {
		return PeerCred{}, fmt.Errorf("membership of Administrators: %w", err)
	}
	cred.Admin = isAdmin || sid.IsWellKnown(windows.WinLocalSystemSid)

	interactive, err := windows.CreateWellKnownSid(windows.WinInteractiveSid)
	if err != nil {
		return PeerCred{}, fmt.Errorf("the INTERACTIVE SID: %w", err)
	}
	isInteractive, err := tok.IsMember(interactive)
	if err != nil {
		return PeerCred{}, fmt.Errorf("membership of INTERACTIVE: %w", err)
	}
	// A sandboxed process of the same person (a browser's renderer, at low
	// integrity) must not pass as that person.
	rid, err := integrityRID(tok)
	if err != nil {
		return PeerCred{}, err
	}
	cred.Interactive = isInteractive && rid >= mediumIntegrityRID
	return cred, nil
}

// pipeClientToken impersonates the pipe client just long enough to open its
// token. It does so on a thread of its own: should reverting fail, that
// thread still wears the client's identity, so it stays locked and exits
// with its goroutine instead of running anything else.
func pipeClientToken(h windows.Handle) (windows.Token, error) {
	type result struct {
		tok windows.Token
		err error
	}
	ch := make(chan result, 1)
	go func() {
		runtime.LockOSThread()
		if r, _, e := procImpersonateNamedPipeClient.Call(uintptr(h)); r == 0 {
			runtime.UnlockOSThread()
			ch <- result{err: fmt.Errorf("impersonate the pipe client: %w", e)}
			return
		}
		var tok windows.Token
		// openAsSelf: the check is made against the service's own token,
		// which is what allows opening an identification-level token.
		err := windows.OpenThreadToken(windows.CurrentThread(), windows.TOKEN_QUERY, true, &tok)
		if rerr := windows.RevertToSelf(); rerr != nil {
			if err == nil {
				tok.Close()
			}
			ch <- result{err: fmt.Errorf("stop impersonating the pipe client: %w", rerr)}
			return // the thread stays locked and is discarded
		}
		runtime.UnlockOSThread()
		if errors.Is(err, windows.ERROR_CANT_OPEN_ANONYMOUS) {
			err = fmt.Errorf("the client connected anonymously; it must dial with SecurityIdentification: %w", err)
		}
		if err != nil {
			err = fmt.Errorf("open the pipe client's token: %w", err)
		}
		ch <- result{tok, err}
	}()
	r := <-ch
	return r.tok, r.err
}

// integrityRID returns the token's mandatory integrity level.
func integrityRID(t windows.Token) (uint32, error) {
	var n uint32
	// The first call only asks for the size.
	_ = windows.GetTokenInformation(t, windows.TokenIntegrityLevel, nil, 0, &n)
	if n < uint32(unsafe.Sizeof(windows.Tokenmandatorylabel{})) {
		return 0, errors.New("the pipe client's integrity level: no answer")
	}
	buf := make([]byte, n)
	if err := windows.GetTokenInformation(t, windows.TokenIntegrityLevel, &buf[0], n, &n); err != nil {
		return 0, fmt.Errorf("the pipe client's integrity level: %w", err)
	}
	sid := (*windows.Tokenmandatorylabel)(unsafe.Pointer(&buf[0])).Label.Sid
	count := sid.SubAuthorityCount()
	if count == 0 {
		return 0, errors.New("the pipe client's integrity level: an empty label")
	}
	return sid.SubAuthority(uint32(count) - 1), nil
}
