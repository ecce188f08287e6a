package installer

import (
	"testing"
	"time"
)

// The .msi sets the recovery actions with sc.exe from windowsRestartDelay
// and windowsFailureReset; `clearance install` sets them through
// kardianos/service from serviceOptions. Both must say the same.
func TestMSIRecoveryActionsMatchServiceOptions(t *testing.T) {
	o := serviceOptions(Options{})
	if o["OnFailure"] != "restart" {
		t.Errorf("OnFailure = %v; the .msi restarts the service", o["OnFailure"])
	}
	d, err := time.ParseDuration(o["OnFailureDelayDuration"].(string))
	if err != nil || d != windowsRestartDelay {
		t.Errorf("OnFailureDelayDuration = %v; the .msi restarts after %v", o["OnFailureDelayDuration"], windowsRestartDelay)
	}
	if r, ok := o["OnFailureResetPeriod"].(int); !ok || time.Duration(r)*time.Second != windowsFailureReset {
		t.Errorf("OnFailureResetPeriod = %v; the .msi resets the count after %v", o["OnFailureResetPeriod"], windowsFailureReset)
	}
}
