package ntpq

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/beevik/ntp"

	"github.com/clearance-app/clearance/internal/testworld/ntptest"
)

// One fan-out over real responders: an answer or a reason per server, in
// the order configured, a server listed twice asked once, and no server
// asked again within 64 s however often the fan-out runs.
func TestQueryAll(t *testing.T) {
	a := ntptest.Serve(t, ntptest.Options{Offset: 92 * time.Second})
	// Within 40 ms of each other, leaving 60 ms of StepAgreement to the
	// scheduling noise of a loaded machine.
	b := ntptest.Serve(t, ntptest.Options{Offset: 92*time.Second + ms(20)})
	c := ntptest.Serve(t, ntptest.Options{Offset: 92*time.Second + ms(40)})
	liar := ntptest.Serve(t, ntptest.Options{Offset: 40 * time.Second})
	kiss := ntptest.Serve(t, ntptest.Options{Kiss: "RATE"})
	unsynced := ntptest.Serve(t, ntptest.Options{Leap: 3})
	all := []*ntptest.Server{a, b, c, liar, kiss, unsynced}
	servers := []string{a.Addr, b.Addr, c.Addr, liar.Addr, kiss.Addr, unsynced.Addr, a.Addr}

	client := &Client{Now: newFakeClock().Now}
	results := QueryAll(testCtx(t), client, servers)
	var got []string
	for _, r := range results {
		got = append(got, r.Server)
	}
	if want := servers[:6]; !slices.Equal(got, want) {
		t.Fatalf("results for %v, want one per server in order: %v", got, want)
	}
	for i, r := range results[:4] {
		if r.Err != nil || r.Reason() != "" || r.Sample.Source != r.Server || r.Sample.Method != MethodNTP {
			t.Errorf("result %d: %+v, reason %q; want a sample", i, r, r.Reason())
		}
	}
	if r := results[4]; r.Err == nil || !strings.Contains(r.Reason(), "RATE") {
		t.Errorf("kiss-of-death: %+v, reason %q", r, r.Reason())
	}
	if r := results[5]; r.Err == nil || !strings.Contains(r.Reason(), "leap indicator") {
		t.Errorf("unsynchronized server: %+v, reason %q", r, r.Reason())
	}
	if d := results[0].Sample.Offset + 92*time.Second; d.Abs() > ms(500) {
		t.Errorf("offset %v, want about −92 s (local − true)", results[0].Sample.Offset)
	}
	if n := len(Samples(results)); n != 4 {
		t.Errorf("%d samples, want the 4 valid answers", n)
	}

	again := QueryAll(testCtx(t), client, servers)
	for i, s := range all {
		if s.Queries() != 1 {
			t.Errorf("server %d asked %d times, want once", i, s.Queries())
		}
		if again[i].Reason() != results[i].Reason() {
			t.Errorf("server %d: %q from memory, %q before", i, again[i].Reason(), results[i].Reason())
		}
	}

	// The servers that agree can set the clock; the one 52 s off cannot.
	est, ok := StepQuorum(Samples(results))
	used := slices.Sorted(slices.Values(sources(est.Used)))
	if !ok || !slices.Equal(used, slices.Sorted(slices.Values([]string{a.Addr, b.Addr, c.Addr}))) || !slices.Equal(sources(est.Falsetickers), []string{liar.Addr}) {
		t.Fatalf("StepQuorum: %v, used %v, falsetickers %v", ok, sources(est.Used), sources(est.Falsetickers))
	}
	if want := Median(Samples(results[:3])); est.Offset != want {
		t.Errorf("step by %v, want the agreeing servers' median %v", est.Offset, want)
	}
}

// panickingQuerier has a bug for one server; the other's query is still
// running when it panics.
type panickingQuerier struct {
	panicking chan struct{}
	finished  chan struct{}
}

func (q *panickingQuerier) Query(_ context.Context, server string) (*ntp.Response, error) {
	if server == "bug" {
		close(q.panicking)
		panic("querier bug")
	}
	<-q.panicking
	close(q.finished)
	return nil, context.DeadlineExceeded
}

// A panic in a query reaches the caller, where its recover (a check's
// group, the agent's fix) can catch it, instead of ending the process;
// and only once the other queries have returned.
func TestQueryAllRaisesAPanicInTheCaller(t *testing.T) {
	q := &panickingQuerier{panicking: make(chan struct{}), finished: make(chan struct{})}
	defer func() {
		if p := recover(); p != "querier bug" {
			t.Fatalf("recovered %v, want the querier's panic", p)
		}
		select {
		case <-q.finished:
		default:
			t.Fatal("the panic was raised before the other query returned")
		}
	}()
	QueryAll(testCtx(t), q, []string{"slow", "bug"})
	t.Fatal("QueryAll returned")
}
