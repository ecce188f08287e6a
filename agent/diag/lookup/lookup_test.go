package lookup

import (
	"context"
	"errors"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/clearance-app/clearance/internal/testworld/dnstest"
)

// askers is how many callers ask for one name at once.
const askers = 8

// Callers asking at once, and one asking after, share one lookup: the
// server sees each query type once. The next run asks again.
func TestMemoAsksOncePerRun(t *testing.T) {
	_, r, queries := dnstest.ServeCounting(t, dnstest.Table{
		"chatgpt.test": {Addrs: []string{"203.0.113.7", "2001:db8::7"}, Delay: 100 * time.Millisecond},
	})
	for run := 1; run <= 2; run++ {
		m := NewShared(t.Context()).Of(r)
		var wg sync.WaitGroup
		answers := make([]Answer, askers)
		for i := range askers {
			wg.Go(func() { answers[i] = m.Lookup(t.Context(), "chatgpt.test") })
		}
		wg.Wait()
		answers = append(answers, m.Lookup(t.Context(), "ChatGPT.test")) // names are not case-sensitive
		for i, a := range answers {
			if a.Err != nil || len(a.Addrs) != 2 {
				t.Fatalf("run %d, caller %d: %v, %v; want both addresses", run, i, a.Addrs, a.Err)
			}
		}
		for _, qtype := range []string{"A", "AAAA"} {
			if n := queries.Of("chatgpt.test", qtype); n != run {
				t.Errorf("after run %d: %d %s queries, want %d (one lookup per run)", run, n, qtype, run)
			}
		}
	}
}

// A failure is an answer like any other: every caller gets the
// resolver's own error, and the resolver is asked once.
func TestMemoSharesAFailure(t *testing.T) {
	_, r, queries := dnstest.ServeCounting(t, dnstest.Table{"gone.test": dnstest.NXDomain()})
	m := NewShared(t.Context()).Of(r)
	for i := range 2 {
		addrs, err := m.LookupIPAddr(t.Context(), "gone.test")
		var de *net.DNSError
		if !errors.As(err, &de) || !de.IsNotFound || len(addrs) != 0 {
			t.Errorf("caller %d: %v, %v; want the resolver's not-found", i, addrs, err)
		}
	}
	if n := queries.Of("gone.test", "A"); n != 1 {
		t.Errorf("%d A queries, want 1", n)
	}
}

// A caller whose own time runs out stops waiting with a timeout, as Go's
// resolver reports one, and does not cut the lookup short for the others;
// a caller that comes later gets the lookup's own duration, not its
// (nil) wait.
func TestMemoCallerThatGivesUpLeavesTheLookupToOthers(t *testing.T) {
	const delay = 300 * time.Millisecond
	_, r, queries := dnstest.ServeCounting(t, dnstest.Table{"slow.test": {Addrs: []string{"203.0.113.7"}, Delay: delay}})
	m := NewShared(t.Context()).Of(r)
	short, cancel := context.WithTimeout(t.Context(), 20*time.Millisecond)
	defer cancel()
	var patient Answer
	var wg sync.WaitGroup
	wg.Go(func() { patient = m.Lookup(t.Context(), "slow.test") })
	hasty := m.Lookup(short, "slow.test")
	var de *net.DNSError
	if !errors.As(hasty.Err, &de) || !de.IsTimeout || !errors.Is(hasty.Err, context.DeadlineExceeded) {
		t.Errorf("the caller out of time got %#v, want a timeout *net.DNSError", hasty.Err)
	}
	wg.Wait()
	if patient.Err != nil || len(patient.Addrs) != 1 {
		t.Fatalf("the patient caller got %v, %v: the hasty one cut the lookup short", patient.Addrs, patient.Err)
	}
	late := m.Lookup(t.Context(), "slow.test")
	if late.Err != nil || late.Took < delay {
		t.Errorf("a later caller got %v after %v; want the answer and the lookup's own time (at least %v)", late.Err, late.Took, delay)
	}
	if n := queries.Of("slow.test", "A"); n != 1 {
		t.Errorf("%d A queries, want 1", n)
	}
}

// Answers are shared only among callers of one resolver.
func TestMemoPerResolver(t *testing.T) {
	_, r1, q1 := dnstest.ServeCounting(t, dnstest.Table{"chatgpt.test": dnstest.Addrs("203.0.113.1")})
	_, r2, q2 := dnstest.ServeCounting(t, dnstest.Table{"chatgpt.test": dnstest.Addrs("203.0.113.2")})
	s := NewShared(t.Context())
	if first := s.Of(r1); s.Of(r1) != first {
		t.Fatal("one resolver, two memos")
	}
	a1 := s.Of(r1).Lookup(t.Context(), "chatgpt.test")
	a2 := s.Of(r2).Lookup(t.Context(), "chatgpt.test")
	if len(a1.Addrs) != 1 || a1.Addrs[0].IP.String() != "203.0.113.1" || len(a2.Addrs) != 1 || a2.Addrs[0].IP.String() != "203.0.113.2" {
		t.Errorf("answers %v and %v: each resolver must give its own", a1.Addrs, a2.Addrs)
	}
	if q1.Of("chatgpt.test", "A") != 1 || q2.Of("chatgpt.test", "A") != 1 {
		t.Errorf("queries %d and %d, want one to each server", q1.Of("chatgpt.test", "A"), q2.Of("chatgpt.test", "A"))
	}
}

func TestContextCarriesTheRun(t *testing.T) {
	if FromContext(t.Context()) != nil {
		t.Error("lookups found outside a run")
	}
	s := NewShared(t.Context())
	if FromContext(NewContext(t.Context(), s)) != s {
		t.Error("the run's lookups are not found in its context")
	}
}

// panickingResolver has a bug: every lookup panics.
type panickingResolver struct{}

func (panickingResolver) LookupIPAddr(context.Context, string) ([]net.IPAddr, error) {
	panic("resolver bug")
}

// A panic in the resolver happens on the memo's goroutine, where nothing
// could recover it: it is raised again in each caller instead, where the
// check that asked reports it as its internal error.
func TestMemoRaisesAResolverPanicInTheCaller(t *testing.T) {
	m := NewShared(t.Context()).Of(panickingResolver{})
	for i := range 2 {
		func() {
			defer func() {
				if v := recover(); v != "resolver bug" {
					t.Errorf("caller %d recovered %v, want the resolver's panic", i, v)
				}
			}()
			m.Lookup(t.Context(), "chatgpt.test")
		}()
	}
}
