// Package lookup shares name lookups within one run of the checks: the
// first to ask for a name makes the one real lookup, everyone else asking
// the same resolver in that run gets its answer, or its error, and the next
// run asks the resolver again — testing the resolver every run is the dns
// check's point. It remembers nothing beyond a run and never judges an
// answer.
package lookup

import (
	"context"
	"errors"
	"net"
	"slices"
	"strings"
	"sync"
	"time"
)

// Resolver resolves host names. *net.Resolver implements it; a nil one is
// net.DefaultResolver.
type Resolver interface {
	LookupIPAddr(ctx context.Context, host string) ([]net.IPAddr, error)
}

// Shared is one run's lookups: a Memo per resolver, so that answers are
// shared only among those asking the same resolver (a prober given a
// resolver of its own is never answered by another's).
type Shared struct {
	ctx   context.Context
	mu    sync.Mutex
	memos map[Resolver]*Memo
}

// NewShared returns the lookups of a run that ends with ctx. Each lookup
// runs under ctx, not under the context of whoever asked first: an asker
// that stops waiting (its own time limit passed) does not cut short the
// answer the others wait for.
func NewShared(ctx context.Context) *Shared {
	return &Shared{ctx: ctx, memos: map[Resolver]*Memo{}}
}

// Of returns the run's memo of r's answers. r must be comparable, as
// pointers such as *net.Resolver are.
func (s *Shared) Of(r Resolver) *Memo {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.memos[r]
	if m == nil {
		m = &Memo{ctx: s.ctx, r: r, names: map[string]*entry{}}
		s.memos[r] = m
	}
	return m
}

type sharedKey struct{}

// NewContext returns ctx carrying the run's lookups. A context value,
// because the prober outlives runs (the agent keeps one for its
// connections) and its transport dials with a context that keeps the
// request's values: it is the one thing of the run that reaches the dial,
// and the run's lookups are request-scoped data of exactly that kind.
func NewContext(ctx context.Context, s *Shared) context.Context {
	return context.WithValue(ctx, sharedKey{}, s)
}

// FromContext returns the run's lookups, or nil outside a run.
func FromContext(ctx context.Context) *Shared {
	s, _ := ctx.Value(sharedKey{}).(*Shared)
	return s
}

// Memo is one resolver's answers in one run. It is a Resolver itself, so
// that code written for a resolver shares without knowing.
type Memo struct {
	ctx   context.Context
	r     Resolver
	mu    sync.Mutex
	names map[string]*entry // by lower-case name
}

// Answer is one name's lookup.
type Answer struct {
	Addrs []net.IPAddr
	Err   error
	// Took is how long the lookup itself took, however long (or little)
	// the caller waited for it: the resolver's speed, which the dns check
	// reports.
	Took time.Duration
}

type entry struct {
	done     chan struct{} // closed when the fields below are set
	answer   Answer
	panicked any // what the resolver panicked with, if it did
}

// Lookup returns the run's answer for host, asking the resolver only if
// nobody in the run has. When ctx ends first, the error is the one Go's
// resolver gives then (a *net.DNSError that is a timeout or a
// cancellation), Took is the time waited, and the lookup goes on for the
// others. A panic in the resolver is raised again in every caller, on its
// own goroutine, where the check that asked reports it.
func (m *Memo) Lookup(ctx context.Context, host string) Answer {
	key := strings.ToLower(host)
	m.mu.Lock()
	e := m.names[key]
	if e == nil {
		e = &entry{done: make(chan struct{})}
		m.names[key] = e
		go m.resolve(e, host)
	}
	m.mu.Unlock()

	start := time.Now()
	select {
	case <-e.done:
	case <-ctx.Done():
		select {
		case <-e.done: // both ready: the answer is worth more
		default:
			return Answer{Err: stopped(ctx, host), Took: time.Since(start)}
		}
	}
	if e.panicked != nil {
		panic(e.panicked)
	}
	a := e.answer
	a.Addrs = slices.Clone(a.Addrs) // each caller's own, as from a resolver
	return a
}

// LookupIPAddr is Lookup for code written for a resolver.
func (m *Memo) LookupIPAddr(ctx context.Context, host string) ([]net.IPAddr, error) {
	a := m.Lookup(ctx, host)
	return a.Addrs, a.Err
}

// resolve makes the real lookup, under the run's context.
func (m *Memo) resolve(e *entry, host string) {
	defer close(e.done)
	defer func() {
		if v := recover(); v != nil {
			e.panicked = v
		}
	}()
	start := time.Now()
	addrs, err := m.r.LookupIPAddr(m.ctx, host)
	e.answer = Answer{Addrs: addrs, Err: err, Took: time.Since(start)}
}

// stopped is the error of a lookup whose caller's context ended first, as
// Go's resolver words it: a timeout when the deadline passed.
func stopped(ctx context.Context, host string) error {
	err := ctx.Err()
	timeout := errors.Is(err, context.DeadlineExceeded)
	msg := "operation was canceled"
	if timeout {
		msg = "i/o timeout"
	}
	return &net.DNSError{Err: msg, Name: host, IsTimeout: timeout, UnwrapErr: err}
}
