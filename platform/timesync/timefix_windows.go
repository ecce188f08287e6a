package timesync

import (
	"context"
	"errors"
	"fmt"
	"time"

	"golang.org/x/sys/windows"
	"golang.org/x/sys/windows/svc"
	"golang.org/x/sys/windows/svc/mgr"

	"github.com/clearance-app/clearance/platform"
)

// syncTimeService reads W32Time's state from the service control manager
// and the registry, as Read does, and asks it to resync.
func syncTimeService(ctx context.Context, _ platform.Runner, ch *platform.Changes) (string, error) {
	st, err := readW32Time()
	if err != nil {
		return "", fmt.Errorf("read the Windows Time service: %w", err)
	}
	return syncW32Time(ctx, st, ch, startW32Time)
}

// startW32Time starts the service and waits until it runs, as net start
// does, but judged by the service state rather than net's localized text.
// A service started meanwhile by its trigger is fine.
func startW32Time(ctx context.Context) error {
	scm, err := windows.OpenSCManager(nil, nil, windows.SC_MANAGER_CONNECT)
	if err != nil {
		return fmt.Errorf("open the service control manager: %w", err)
	}
	defer windows.CloseServiceHandle(scm)
	name, _ := windows.UTF16PtrFromString("W32Time")
	h, err := windows.OpenService(scm, name, windows.SERVICE_START|windows.SERVICE_QUERY_STATUS)
	if err != nil {
		return fmt.Errorf("open the W32Time service: %w", err)
	}
	s := &mgr.Service{Name: "W32Time", Handle: h}
	defer s.Close()
	if err := s.Start(); err != nil && !errors.Is(err, windows.ERROR_SERVICE_ALREADY_RUNNING) {
		return err
	}
	// The service manager sends no event when a service has started: its
	// state is asked until it says so.
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		st, err := s.Query()
		if err != nil {
			return fmt.Errorf("query the W32Time service: %w", err)
		}
		switch st.State {
		case svc.Running:
			return nil
		case svc.Stopped:
			return errors.New("the service stopped again right after starting")
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("waiting for the service to start: %w", ctx.Err())
		case <-tick.C:
		}
	}
}
