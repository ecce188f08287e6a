package check

import (
	"context"
	"go/ast"
	"go/parser"
	"go/token"
	"log/slog"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/beevik/ntp"

	"github.com/clearance-app/clearance/agent/diag/config"
	"github.com/clearance-app/clearance/internal/testbuf"
	"github.com/clearance-app/clearance/platform/host"
	"github.com/clearance-app/clearance/platform/netstate"
	"github.com/clearance-app/clearance/platform/timesync"
)

// panickingResolver is a Resolver with a bug: every lookup panics, on
// whichever goroutine the check resolves from.
type panickingResolver struct{}

func (panickingResolver) LookupIPAddr(context.Context, string) ([]net.IPAddr, error) {
	panic("resolver bug")
}

// bugHost is a machine with a bug: reading its routing table or its time
// service panics, the latter once release is closed when it is set.
type bugHost struct {
	fakeHost
	release chan struct{}
}

func (*bugHost) Routes(context.Context) ([]netstate.Route, error) { panic("routes bug") }

func (h *bugHost) TimeSync(context.Context, host.ProcessReader) (timesync.State, error) {
	if h.release != nil {
		<-h.release
		panic("late bug")
	}
	panic("time sync bug")
}

// panickingNTP is an NTP client with a bug.
type panickingNTP struct{}

func (panickingNTP) Query(context.Context, string) (*ntp.Response, error) { panic("ntp client bug") }

// A panic one goroutine below a check — in the goroutines that network,
// dns and clock start for their measurements — is that check's internal
// error, as a panic in the check itself is; before group, it ended the
// whole process (the test binary, here).
func TestPanicInACheckGoroutineIsThatChecksError(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		check Check
		setup func(t *testing.T, env *Env)
	}{
		{"network: the routing table read", networkCheck, func(t *testing.T, env *Env) {
			env.Host = &bugHost{}
			env.Config.Network.Witness = "https://127.0.0.1:1/"
			env.Config.Network.CaptivePortal = "http://127.0.0.1:1/"
		}},
		{"dns: lookups run by concurrently", Check{Name: "dns", Run: runDNS}, func(t *testing.T, env *Env) {
			env.Lookup = panickingResolver{}
		}},
		{"clock: the time service lookup it does not wait for", Check{Name: "clock", Run: runClock}, func(t *testing.T, env *Env) {
			env.Host = &bugHost{}
			env.Config.Clock.NTPServers = nil
			env.Config.Network.Witness = "https://127.0.0.1:1/"
			env.Config.Endpoints.Hosts = nil
		}},
		{"clock: the NTP queries, started by ntpq", Check{Name: "clock", Run: runClock}, func(t *testing.T, env *Env) {
			env.NTP = panickingNTP{}
			env.Config.Clock.NTPServers = []string{"192.0.2.1", "192.0.2.2"}
			env.Config.Network.Witness = "https://127.0.0.1:1/"
			env.Config.Endpoints.Hosts = nil
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			cfg := config.Default()
			env := Env{Config: &cfg, Host: &fakeHost{}}
			c.setup(t, &env)
			rep := Run(context.Background(), env, []Check{c.check, fixed("other", nil, Result{})})
			st := statuses(rep)
			if st[c.check.Name] != Error || st["other"] != Pass {
				t.Fatalf("statuses %v, want %s: error, other: pass", st, c.check.Name)
			}
			if s := rep.Checks[0].Summary; !strings.HasPrefix(s, "internal error: ") || !strings.Contains(s, "bug") {
				t.Errorf("summary %q does not report the panic as an internal error", s)
			}
		})
	}
}

func TestGroupWaitRaisesTheFirstPanicAfterAllFinish(t *testing.T) {
	var g group
	finished := make(chan struct{})
	g.Go(func() { panic("first") })
	g.Go(func() { close(finished) })
	defer func() {
		p, ok := recover().(*goroutinePanic)
		if !ok || p.String() != "first" || !strings.Contains(string(p.stack), "group_test.go") {
			t.Fatalf("Wait raised %v, want the goroutine's panic with its own stack", p)
		}
		select {
		case <-finished:
		default:
			t.Fatal("Wait returned before every goroutine finished")
		}
	}()
	g.Wait()
}

// Every goroutine a check starts goes through group, so that none can take
// the process down: no go statement and no WaitGroup elsewhere in the
// package's code.
func TestChecksStartGoroutinesOnlyThroughGroup(t *testing.T) {
	fset := token.NewFileSet()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") || name == "group.go" || name == "engine.go" {
			continue // engine.go runs the checks themselves, under runOne's recover
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.GoStmt:
				t.Errorf("%s: a go statement; start it with group.Go", fset.Position(n.Pos()))
			case *ast.SelectorExpr:
				if x, ok := n.X.(*ast.Ident); ok && x.Name == "sync" && n.Sel.Name == "WaitGroup" {
					t.Errorf("%s: sync.WaitGroup; use group, which recovers panics", fset.Position(n.Pos()))
				}
			}
			return true
		})
	}
}

// A goroutine the check stopped waiting for at its deadline still has its
// panic told, once, though no Wait raises it.
func TestLatePanicOfAnAbandonedLookupIsLogged(t *testing.T) {
	var buf testbuf.Buffer
	cfg := config.Default()
	cfg.Clock.NTPServers = nil
	cfg.Network.Witness = "https://127.0.0.1:1/"
	cfg.Endpoints.Hosts = nil
	cfg.Check.Deadline = config.Duration(time.Second)
	release := make(chan struct{}) // closed past the check's deadline
	clk := Check{Name: "clock", Run: runClock}
	env := Env{Config: &cfg, Log: slog.New(slog.NewTextHandler(&buf, nil)), Host: &bugHost{release: release}}
	rep := Run(context.Background(), env, []Check{clk})
	if s := rep.Checks[0].Summary; strings.Contains(s, "internal error") {
		t.Fatalf("the clock check reported a panic that had not happened yet: %s", s)
	}
	close(release)
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(buf.String(), "late bug") {
		if time.Now().After(deadline) {
			t.Fatalf("the late panic was not logged:\n%s", buf.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	if n := strings.Count(buf.String(), "late bug"); n != 1 {
		t.Errorf("logged %d times, want once", n)
	}
}
