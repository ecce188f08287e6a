package netstate

import (
	"context"
	"testing"

	"github.com/clearance-app/clearance/platform/internal/platformtest"
)

// Two watchers share one registration; cancelling each closes its channel,
// and the registration ends with the last of them.
func TestWatchNetworkCancelCloses(t *testing.T) {
	ctx1, cancel1 := context.WithCancel(context.Background())
	defer cancel1()
	ctx2, cancel2 := context.WithCancel(context.Background())
	defer cancel2()
	ch1, err := WatchNetwork(ctx1)
	if err != nil {
		t.Fatal(err)
	}
	ch2, err := WatchNetwork(ctx2)
	if err != nil {
		t.Fatal(err)
	}
	cancel1()
	platformtest.WaitClosed(t, ch1)
	winRegMu.Lock()
	registered := len(winHandles)
	winRegMu.Unlock()
	if registered != 2 {
		t.Errorf("%d notifications registered while a watcher remains, want 2", registered)
	}
	cancel2()
	platformtest.WaitClosed(t, ch2)
	platformtest.WaitFor(t, "the registration to end", func() bool {
		winRegMu.Lock()
		defer winRegMu.Unlock()
		return len(winHandles) == 0
	})
}
