package api

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os/user"
	"slices"
	"strconv"
	"sync"

	"github.com/clearance-app/clearance/platform/host"
)

// callerKey keys the connection's caller in a request's context.
type callerKey struct{}

// ConnContext records a connection's caller, so that every request on it is
// authorized by the identity of the process at its other end, and the
// context it was accepted under, which event streams follow. Serve sets it
// as http.Server.ConnContext; a server built elsewhere must do the same.
// The identity is the one the kernel named at accept where that is final
// (see acceptCred), or else the one read on the first request: Windows
// lets a pipe server impersonate its client, and so read the token the
// client presents, only once it has read from the pipe.
func ConnContext(ctx context.Context, c net.Conn) context.Context {
	ctx = context.WithValue(ctx, serveCtxKey{}, ctx)
	if lc, ok := c.(*limitedConn); ok {
		if lc.known && lc.final {
			cred := lc.cred
			return context.WithValue(ctx, callerKey{}, func() (host.PeerCred, error) { return cred, nil })
		}
		c = lc.Conn
	}
	return context.WithValue(ctx, callerKey{}, sync.OnceValues(func() (host.PeerCred, error) {
		return host.PeerCredOf(c)
	}))
}

// errNoPeer: the request did not come through a connection ConnContext saw.
var errNoPeer = errors.New("the request did not arrive on the agent's socket")

// callerOf returns the identity of the process that sent the request.
func callerOf(ctx context.Context) (host.PeerCred, error) {
	get, ok := ctx.Value(callerKey{}).(func() (host.PeerCred, error))
	if !ok {
		return host.PeerCred{}, errNoPeer
	}
	return get()
}

// mayFix applies the policy of docs/contracts.md. Reading is open to every local user;
// fixes are open to root and Administrators, on Windows to the person signed
// in at the computer, and elsewhere to members of the fix group as the group
// database says now (not the caller's process groups, which only change at
// the next login). Only a refused person is told how to join the group:
// nobody and service accounts cannot, and need not be told about it.
func (h *Handler) mayFix(c host.PeerCred) *apiError {
	group := h.cfg.FixGroup
	allowed, name, err := h.privileged(c)
	switch {
	case allowed:
		return nil
	case c.SID != "":
		return &apiError{http.StatusForbidden, fmt.Sprintf("fixes need an administrator or the person signed in at this computer, and %s is neither", c.User)}
	case err != nil:
		return &apiError{http.StatusInternalServerError, fmt.Sprintf("could not read the group database to check membership of the group %s: %v", group, err)}
	case c.UID < 0 || name == "" || !h.cfg.IsPerson(c.UID):
		return &apiError{http.StatusForbidden, "fixes are not allowed for this account"}
	}
	return &apiError{http.StatusForbidden, fmt.Sprintf("fixes need root or membership of the group %s; add yourself with: %s", group, fmt.Sprintf(joinGroupCommand, name, group))}
}

// privileged says whether c may run fixes (see mayFix), and names c's
// account when the group database was asked. The same callers are exempt
// from the limits on checks and connections.
func (h *Handler) privileged(c host.PeerCred) (allowed bool, name string, err error) {
	if c.Admin || c.Interactive {
		return true, "", nil
	}
	if c.SID != "" || c.UID < 0 {
		return false, "", nil
	}
	name, member, err := h.cfg.LookupMember(c.UID, h.cfg.FixGroup)
	return member && err == nil, name, err
}

// lookupMember asks the system's user and group database (files, or NSS
// through cgo) whether uid belongs to group, its primary group included. A
// uid without an account, or a group that does not exist, is simply not a
// member.
func lookupMember(uid int, group string) (name string, member bool, err error) {
	u, err := user.LookupId(strconv.Itoa(uid))
	if errors.As(err, new(user.UnknownUserIdError)) {
		return "", false, nil
	}
	if err != nil {
		return "", false, err
	}
	g, err := user.LookupGroup(group)
	if errors.As(err, new(user.UnknownGroupError)) {
		return u.Username, false, nil
	}
	if err != nil {
		return u.Username, false, err
	}
	ids, err := u.GroupIds()
	if err != nil {
		return u.Username, false, err
	}
	return u.Username, slices.Contains(ids, g.Gid), nil
}
