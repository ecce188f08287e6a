package check

import (
	"context"
	"encoding/json"
	"reflect"
	"testing"
	"testing/synctest"
	"time"

	"github.com/clearance-app/clearance/agent/diag/config"
	"github.com/clearance-app/clearance/agent/diag/finding"
)

func testEnv() Env {
	cfg := config.Default()
	return Env{Config: &cfg}
}

func fixed(name string, needs []string, res Result) Check {
	return Check{Name: name, Needs: needs, Run: func(context.Context, *Env) Result { return res }}
}

func statuses(r Report) map[string]Status {
	m := map[string]Status{}
	for _, c := range r.Checks {
		m[c.Name] = c.Status
	}
	return m
}

func codes(r Report) []finding.Code {
	var out []finding.Code
	for _, f := range r.Findings {
		out = append(out, f.Code)
	}
	return out
}

func TestOfflineSkipsDependentsButNotLocalChecks(t *testing.T) {
	now := time.Now()
	net := fixed("net", nil, Result{
		Blocks:   "the machine is offline",
		Findings: []finding.Finding{finding.NetworkOffline.New(now, nil)},
	})
	ran := false
	dependent := Check{Name: "remote", Needs: []string{"net"}, Run: func(context.Context, *Env) Result {
		ran = true
		return Result{}
	}}
	local := fixed("local", nil, Result{Findings: []finding.Finding{finding.VPNActive.New(now, nil)}})

	rep := Run(context.Background(), testEnv(), []Check{net, dependent, local})
	st := statuses(rep)
	if ran || st["remote"] != Skip {
		t.Fatalf("dependent ran=%v status=%s; want skipped", ran, st["remote"])
	}
	if rep.Checks[1].Summary != "the machine is offline" {
		t.Errorf("skip reason %q", rep.Checks[1].Summary)
	}
	if st["net"] != Fail || st["local"] != Warn {
		t.Errorf("statuses %v", st)
	}
	if got := codes(rep); len(got) != 2 || got[0] != "network-offline" || got[1] != "vpn-active" {
		t.Errorf("findings %v, want network-offline then vpn-active", got)
	}
}

func TestDependencyResultIsPassedAndUnselectedDependencyRunsUnreported(t *testing.T) {
	net := fixed("net", nil, Result{Data: map[string]any{"witness_reachable": true}})
	var seen any
	dep := Check{Name: "remote", Needs: []string{"net"}, Run: func(_ context.Context, env *Env) Result {
		r, _ := env.Dep("net")
		seen = r.Data["witness_reachable"]
		return Result{}
	}}
	// Only "remote" is selected; "net" is found in the given list and run.
	rep := Run(context.Background(), testEnv(), []Check{dep, net}[:1])
	if len(rep.Checks) != 1 || rep.Checks[0].Name != "remote" {
		t.Fatalf("reported checks %v", statuses(rep))
	}
	if seen != nil || rep.Checks[0].Status != Error {
		// net is in neither the selected list nor the registry.
		t.Fatalf("saw %v, status %s; want an error for the unknown dependency", seen, rep.Checks[0].Status)
	}
	rep = Run(context.Background(), testEnv(), []Check{dep, net})
	if seen != true {
		t.Fatalf("dependent saw %v, want the network's data", seen)
	}
}

func TestExplainedFindingsAreHidden(t *testing.T) {
	now := time.Now()
	unreachable := finding.OpenAIUnreachable.New(now, nil)
	unreachable.ExplainedBy = []*finding.Definition{finding.ClockSkew}
	intercepted := finding.TLSIntercepted.New(now, nil)
	rep := Run(context.Background(), testEnv(), []Check{
		fixed("endpoints", nil, Result{Findings: []finding.Finding{unreachable, intercepted}}),
		fixed("clock", nil, Result{Findings: []finding.Finding{finding.ClockSkew.New(now, nil)}}),
	})
	// openai-unreachable is explained by the instance's ExplainedBy, and
	// tls-intercepted by its definition's DependsOn; clock-skew remains.
	if got := codes(rep); len(got) != 1 || got[0] != "clock-skew" {
		t.Fatalf("findings %v, want only clock-skew", got)
	}
	if rep.Checks[0].Status != Fail {
		t.Errorf("the check's own status stays %s even when its findings are explained", rep.Checks[0].Status)
	}
}

func TestPanickingCheckIsAnErrorNotACrash(t *testing.T) {
	rep := Run(context.Background(), testEnv(), []Check{
		{Name: "bad", Run: func(context.Context, *Env) Result { panic("boom") }},
		fixed("good", nil, Result{}),
	})
	if st := statuses(rep); st["bad"] != Error || st["good"] != Pass {
		t.Fatalf("statuses %v", st)
	}
}

func TestCheckIgnoringItsContextIsCutOffAtTheDeadline(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		env := testEnv()
		env.Config.Check.Deadline = config.Duration(2 * time.Second)
		release := make(chan struct{})
		stuck := func(name string) Check {
			return Check{Name: name, Run: func(context.Context, *Env) Result {
				<-release // ignores its context, as a buggy check would
				return Result{}
			}}
		}
		defer close(release)
		start := time.Now()
		rep := Run(context.Background(), env, []Check{stuck("stuck1"), fixed("quick", nil, Result{}), stuck("stuck2")})
		if elapsed := time.Since(start); elapsed > 2*time.Second+deadlineGrace {
			t.Fatalf("report took %v of fake time; the deadline is 2s", elapsed)
		}
		if st := statuses(rep); st["stuck1"] != Error || st["stuck2"] != Error || st["quick"] != Pass {
			t.Fatalf("statuses %v", st)
		}
	})
}

func TestPerCheckTimeoutCancelsTheCheck(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		slow := Check{
			Name:    "slow",
			Timeout: func(*config.Config) time.Duration { return 100 * time.Millisecond },
			Run: func(ctx context.Context, _ *Env) Result {
				<-ctx.Done()
				return Result{Status: Error, Summary: "timed out"}
			},
		}
		rep := Run(context.Background(), testEnv(), []Check{slow})
		if rep.Checks[0].Summary != "timed out" {
			t.Fatalf("got %+v", rep.Checks[0])
		}
	})
}

func TestExitCode(t *testing.T) {
	now := time.Now()
	cases := []struct {
		f    []finding.Finding
		want int
	}{
		{nil, 0},
		{[]finding.Finding{finding.ProxyConfigured.New(now, nil)}, 0},
		{[]finding.Finding{finding.ProxyConfigured.New(now, nil), finding.VPNActive.New(now, nil)}, 1},
		{[]finding.Finding{finding.NetworkOffline.New(now, nil)}, 1},
	}
	for _, c := range cases {
		if got := (Report{Findings: c.f}).ExitCode(); got != c.want {
			t.Errorf("%v: exit %d, want %d", codes(Report{Findings: c.f}), got, c.want)
		}
	}
}

func TestSelect(t *testing.T) {
	cs, err := Select([]string{"clock", "dns"}, nil)
	if err != nil || len(cs) != 2 || cs[0].Name != "clock" {
		t.Fatalf("only: %v %v", cs, err)
	}
	cs, err = Select(nil, []string{"status"})
	if err != nil || len(cs) != len(All())-1 {
		t.Fatalf("skip: %d %v", len(cs), err)
	}
	if _, err := Select([]string{"nope"}, nil); err == nil {
		t.Fatal("unknown name accepted")
	}
	if _, err := Select([]string{"clock"}, []string{"clock"}); err == nil {
		t.Fatal("an empty selection accepted: it would pass having checked nothing")
	}
}

func TestUnselectedDependencyThatBlocksReportsItsFindings(t *testing.T) {
	net := fixed("net", nil, Result{
		Blocks:   "the machine is offline",
		Findings: []finding.Finding{finding.NetworkOffline.New(time.Now(), nil)},
	})
	remote := fixed("remote", []string{"net"}, Result{})
	// Only remote is selected (as with --only); net runs as its dependency.
	rep := runSelected(t, []Check{remote}, []Check{net})
	if got := codes(rep); len(got) != 1 || got[0] != "network-offline" || rep.ExitCode() != 1 {
		t.Fatalf("findings %v, exit %d; the skip's cause must be reported", got, rep.ExitCode())
	}
	if len(rep.Checks) != 1 || rep.Checks[0].Status != Skip {
		t.Fatalf("checks %v", statuses(rep))
	}
}

// runSelected runs selected checks with extra ones available as dependencies.
func runSelected(t *testing.T, selected, available []Check) Report {
	t.Helper()
	all := append(append([]Check{}, selected...), available...)
	return runWith(context.Background(), testEnv(), selected, all)
}

func TestInterruptedRunSaysSo(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	slow := Check{Name: "slow", Run: func(ctx context.Context, _ *Env) Result {
		cancel() // the person presses Ctrl-C while this runs
		<-ctx.Done()
		return Result{Status: Error, Summary: "cancelled"}
	}}
	dep := fixed("dep", []string{"slow"}, Result{})
	rep := Run(ctx, testEnv(), []Check{slow, dep})
	if s := rep.Checks[1].Summary; s != "not run: the run was interrupted" {
		t.Fatalf("dependent's reason %q", s)
	}
}

// A check's line reads back as it was written: the API's clients decode
// the agent's state with it.
func TestCheckReportJSONRoundTrip(t *testing.T) {
	in := CheckReport{Name: "clock", Status: Warn, Summary: "the clock is 92 seconds ahead",
		Duration: 41 * time.Millisecond, Data: map[string]any{"offset_seconds": 92.4}}
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	var out CheckReport
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(in, out) {
		t.Fatalf("%s read back as %+v, want %+v", b, out, in)
	}
}
