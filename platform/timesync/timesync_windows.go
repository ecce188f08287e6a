package timesync

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"unsafe"

	"golang.org/x/sys/windows"
	"golang.org/x/sys/windows/registry"
	"golang.org/x/sys/windows/svc"
	"golang.org/x/sys/windows/svc/mgr"

	"github.com/clearance-app/clearance/platform"
	"github.com/clearance-app/clearance/platform/host"
)

// timeSyncStatus reads W32Time's state from the service control manager and
// its Type from the registry, Group Policy's first: values, not the
// localized text of w32tm or sc. The Runner is not needed.
func timeSyncStatus(context.Context, platform.Runner, host.ProcessReader) (State, error) {
	st, err := readW32Time()
	if err != nil {
		return State{}, err
	}
	return w32TimeVerdict(st), nil
}

func readW32Time() (w32TimeState, error) {
	st, err := w32TimeService()
	if err != nil || !st.Installed {
		return st, err
	}
	// An unreadable or absent Type leaves "": the verdict then goes by the
	// other one, or by the service state alone.
	st.PolicyType, _ = w32TimeType(w32TimePolicyKey)
	st.Type, _ = w32TimeType(w32TimeServiceKey)
	return st, nil
}

// w32TimeService asks the service control manager with query rights only:
// mgr.Connect and Mgr.OpenService ask for full access, which a person
// running `clearance check` without elevation does not have.
func w32TimeService() (w32TimeState, error) {
	scm, err := windows.OpenSCManager(nil, nil, windows.SC_MANAGER_CONNECT)
	if err != nil {
		return w32TimeState{}, fmt.Errorf("open the service control manager: %w", err)
	}
	defer windows.CloseServiceHandle(scm)
	name, _ := windows.UTF16PtrFromString("W32Time")
	h, err := windows.OpenService(scm, name, windows.SERVICE_QUERY_STATUS|windows.SERVICE_QUERY_CONFIG)
	if errors.Is(err, windows.ERROR_SERVICE_DOES_NOT_EXIST) {
		return w32TimeState{}, nil
	}
	if err != nil {
		return w32TimeState{}, fmt.Errorf("open the W32Time service: %w", err)
	}
	s := &mgr.Service{Name: "W32Time", Handle: h}
	defer s.Close()
	status, err := s.Query()
	if err != nil {
		return w32TimeState{}, fmt.Errorf("query the W32Time service: %w", err)
	}
	start, err := serviceStartType(h)
	if err != nil {
		return w32TimeState{}, fmt.Errorf("read the W32Time start type: %w", err)
	}
	return w32TimeState{
		Installed:    true,
		Running:      status.State == svc.Running || status.State == svc.StartPending,
		Disabled:     start == windows.SERVICE_DISABLED,
		TriggerStart: hasTriggers(h),
	}, nil
}

// serviceStartType reads the start type with one QueryServiceConfig.
// mgr.Service.Config would also query the description, delayed start and
// SID type, and fail the whole status if any of those failed.
func serviceStartType(h windows.Handle) (uint32, error) {
	n := uint32(1024)
	for range 3 {
		buf := make([]byte, n)
		cfg := (*windows.QUERY_SERVICE_CONFIG)(unsafe.Pointer(&buf[0]))
		err := windows.QueryServiceConfig(h, cfg, n, &n)
		if err == nil {
			return cfg.StartType, nil
		}
		if !errors.Is(err, windows.ERROR_INSUFFICIENT_BUFFER) || n <= uint32(len(buf)) {
			return 0, err
		}
	}
	return 0, fmt.Errorf("the service configuration kept growing")
}

// hasTriggers reports whether the service has start triggers
// (SERVICE_TRIGGER_INFO.cTriggers > 0); false when that cannot be read.
func hasTriggers(h windows.Handle) bool {
	var needed uint32
	err := windows.QueryServiceConfig2(h, windows.SERVICE_CONFIG_TRIGGER_INFO, nil, 0, &needed)
	if !errors.Is(err, windows.ERROR_INSUFFICIENT_BUFFER) || needed < 4 {
		return false
	}
	buf := make([]byte, needed)
	if err := windows.QueryServiceConfig2(h, windows.SERVICE_CONFIG_TRIGGER_INFO, &buf[0], needed, &needed); err != nil {
		return false
	}
	return binary.LittleEndian.Uint32(buf[:4]) > 0
}

// Where Parameters\Type lives: Group Policy's key, which wins, and the
// service's own.
const (
	w32TimePolicyKey  = `SOFTWARE\Policies\Microsoft\W32Time\Parameters`
	w32TimeServiceKey = `SYSTEM\CurrentControlSet\Services\W32Time\Parameters`
)

// w32TimeType reads Type (NoSync, NTP, NT5DS, AllSync) from one of them.
func w32TimeType(key string) (string, error) {
	k, err := registry.OpenKey(registry.LOCAL_MACHINE, key, registry.QUERY_VALUE)
	if err != nil {
		return "", fmt.Errorf("open %s: %w", key, err)
	}
	defer k.Close()
	v, _, err := k.GetStringValue("Type")
	if err != nil {
		return "", fmt.Errorf("read the W32Time Type: %w", err)
	}
	return v, nil
}
