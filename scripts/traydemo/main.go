//go:build unix

// Command traydemo is the scripted agent of scripts/tray-demo.sh: it serves
// a fixed state on the real API (agent/api) over a Unix socket, for the
// real `clearance tray --socket PATH` to show. It is for a person to look
// at the tray without installing the agent; it changes nothing on the
// machine (its fixes only say what they would do).
//
//	traydemo agent -socket PATH [-scenario problems|clear]   (SIGUSR1: next scenario)
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"github.com/clearance-app/clearance/agent/api"
	"github.com/clearance-app/clearance/agent/diag/check"
	"github.com/clearance-app/clearance/agent/diag/finding"
	"github.com/clearance-app/clearance/agent/diag/fix"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: traydemo agent -socket PATH [-scenario NAME]")
		os.Exit(2)
	}
	fs := flag.NewFlagSet(os.Args[1], flag.ExitOnError)
	socket := fs.String("socket", "", "the agent's socket")
	scenario := fs.String("scenario", "problems", "the first state: problems or clear")
	fs.Parse(os.Args[2:])
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var err error
	switch os.Args[1] {
	case "agent":
		err = runAgent(ctx, *socket, *scenario, log)
	default:
		err = fmt.Errorf("unknown mode %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "traydemo:", err)
		os.Exit(1)
	}
}

// scenarios are the states the demo agent serves, in turn.
var scenarios = []string{"problems", "clear"}

func stateOf(name string, now time.Time) api.State {
	st := api.State{UpdatedAt: now, Checks: []check.CheckReport{{Name: "clock", Status: check.Pass, Summary: "demo", Data: map[string]any{}}}}
	if name == "problems" {
		st.Findings = []finding.Finding{
			finding.DNSFailure.New(now.Add(-3*time.Minute), map[string]any{"names": []string{"chatgpt.com"}, "error": "SERVFAIL"}),
			finding.ClockSkew.New(now.Add(-10*time.Minute), map[string]any{"offset_seconds": 42.3, "method": "ntp"}),
			finding.DNSPublicActive.New(now.Add(-time.Hour), nil),
		}
	}
	return st
}

// demoState is the agent's state, switched by SIGUSR1.
type demoState struct {
	mu   sync.Mutex
	st   api.State
	subs map[chan struct{}]bool
}

func (d *demoState) State() api.State {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.st
}

func (d *demoState) Subscribe() (<-chan struct{}, func()) {
	ch := make(chan struct{}, 1)
	d.mu.Lock()
	d.subs[ch] = true
	d.mu.Unlock()
	return ch, func() {
		d.mu.Lock()
		delete(d.subs, ch)
		d.mu.Unlock()
	}
}

func (d *demoState) set(st api.State) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.st = st
	for ch := range d.subs {
		select {
		case ch <- struct{}{}:
		default:
		}
	}
}

// demoFixes offers the privileged fixes and only says what they would do.
type demoFixes struct{}

func (demoFixes) Fixes(context.Context) []api.FixStatus {
	var out []api.FixStatus
	for _, info := range fix.All {
		if info.Privileged {
			out = append(out, api.FixStatus{Info: info, Available: true})
		}
	}
	return out
}

func (demoFixes) RunFix(_ context.Context, id string, _ api.FixOptions) (api.FixResult, error) {
	time.Sleep(2 * time.Second) // long enough to see the progress line
	return api.FixResult{Fix: id, Result: api.NotNeeded, Message: "Demo: nothing was changed.", Commands: []string{}}, nil
}

type demoChecker struct{ st *demoState }

func (c demoChecker) CheckNow() {
	st := c.st.State()
	st.UpdatedAt = time.Now()
	c.st.set(st)
}

func runAgent(ctx context.Context, socket, scenario string, log *slog.Logger) error {
	st := &demoState{st: stateOf(scenario, time.Now()), subs: map[chan struct{}]bool{}}
	ln, err := api.Listen(socket)
	if err != nil {
		return err
	}
	h := api.New(api.Config{State: st, Checker: demoChecker{st}, Fixes: demoFixes{}, Version: "demo", Log: log,
		LookupMember: func(uid int, _ string) (string, bool, error) { return "demo", uid == os.Geteuid(), nil }})
	next := make(chan os.Signal, 1)
	signal.Notify(next, syscall.SIGUSR1)
	go func() {
		i := 0
		for scenarios[i] != scenario && i < len(scenarios)-1 {
			i++
		}
		for range next {
			i = (i + 1) % len(scenarios)
			log.Info("switching scenario", "scenario", scenarios[i])
			st.set(stateOf(scenarios[i], time.Now()))
		}
	}()
	return h.Serve(ctx, ln)
}
