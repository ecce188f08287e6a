package installer

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"
)

// Stopping cancels run's context and waits for it; the cancellation it
// asked for is no error.
func TestProgramStopsRun(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := newProgram(context.Background(), func(ctx context.Context) error {
			<-ctx.Done()
			time.Sleep(time.Second) // cleaning up
			return ctx.Err()
		})
		p.begin()
		if err := p.end(stopTimeout); err != nil {
			t.Fatal(err)
		}
		if err := p.result(); err != nil {
			t.Errorf("result %v", err)
		}
	})
}

// A run that does not return in time is reported, not waited for.
func TestProgramStopDeadline(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		release := make(chan struct{})
		p := newProgram(context.Background(), func(ctx context.Context) error {
			<-release
			return nil
		})
		p.begin()
		err := p.end(stopTimeout)
		if err == nil || p.result() == nil {
			t.Errorf("end %v, result %v; want the deadline's error", err, p.result())
		}
		close(release)
	})
}

// A run that fails on its own is the result, so the process exits non-zero
// and the manager restarts it.
func TestProgramFailureIsTheResult(t *testing.T) {
	boom := errors.New("listen: another agent is already answering")
	p := newProgram(context.Background(), func(context.Context) error { return boom })
	p.begin()
	<-p.done
	if err := p.result(); !errors.Is(err, boom) {
		t.Errorf("result %v", err)
	}
	// Even when the stop came after the failure.
	if err := p.end(stopTimeout); err != nil {
		t.Fatal(err)
	}
	if err := p.result(); !errors.Is(err, boom) {
		t.Errorf("result after stop %v", err)
	}
}

func TestUnderServiceManagerByMarker(t *testing.T) {
	t.Setenv(markerEnv, "1")
	if !UnderServiceManager() {
		t.Error("the marker set by the service definition is not recognised")
	}
}

// Outside a manager, RunService is run(ctx).
func TestRunServiceInForeground(t *testing.T) {
	if UnderServiceManager() {
		t.Skip("this test process itself runs under a service manager")
	}
	ctx, cancel := context.WithCancel(context.Background())
	ran := false
	err := RunService(ctx, func(c context.Context) error {
		ran = true
		cancel()
		<-c.Done()
		return c.Err()
	})
	if !ran || !errors.Is(err, context.Canceled) {
		t.Errorf("ran %v, err %v", ran, err)
	}
}
