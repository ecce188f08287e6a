package check

import (
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync"
)

// group runs the goroutines a check starts. A panic in one of them would
// otherwise end the whole process (a panic is recovered only on its own
// goroutine's stack): group recovers it and raises it again in Wait, on
// the check's own goroutine, where runOne reports it as the check's
// internal error, as it does a panic in the check itself.
type group struct {
	// Log, when set, is told of a panic at once: for a goroutine the check
	// may stop waiting for at its deadline, whose panic no Wait raises.
	Log *slog.Logger

	wg   sync.WaitGroup
	mu   sync.Mutex
	fail *goroutinePanic // the first panic; later ones are the same bug
}

// goroutinePanic carries a recovered panic with the stack where it
// happened, which Wait's own stack would not show.
type goroutinePanic struct {
	value  any
	stack  []byte
	logged bool // by group.Log already
}

func (p *goroutinePanic) String() string { return fmt.Sprint(p.value) }

// Go runs f in a new goroutine.
func (g *group) Go(f func()) {
	g.wg.Go(func() {
		defer func() {
			if v := recover(); v != nil {
				p := &goroutinePanic{value: v, stack: debug.Stack(), logged: g.Log != nil}
				if g.Log != nil {
					g.Log.Error("check goroutine panicked", "panic", v, "stack", string(p.stack))
				}
				g.mu.Lock()
				if g.fail == nil {
					g.fail = p
				}
				g.mu.Unlock()
			}
		}()
		f()
	})
}

// Wait waits for every goroutine started by Go, then raises the first
// panic among them, if any.
func (g *group) Wait() {
	g.wg.Wait()
	if g.fail != nil { // wg.Wait orders the goroutines' writes before this read
		panic(g.fail)
	}
}

// concurrently calls f on every item at once and returns the results in
// the order of items.
func concurrently[T, R any](items []T, f func(T) R) []R {
	out := make([]R, len(items))
	var g group
	for i, it := range items {
		g.Go(func() { out[i] = f(it) })
	}
	g.Wait()
	return out
}
