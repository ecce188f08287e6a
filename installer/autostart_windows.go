package installer

import (
	"errors"
	"fmt"

	"golang.org/x/sys/windows/registry"
)

// trayAutostart is the machine's Run key: Explorer starts its values at
// each person's logon. Options.Root does not apply to the registry.
func trayAutostart(exe string) autostarter { return runKey{value: runKeyValue(exe)} }

type runKey struct{ value string }

const runKeyWhere = `HKLM\` + runKeyPath + `\` + runValueName

func (r runKey) install(string) (Step, error) {
	k, _, err := registry.CreateKey(registry.LOCAL_MACHINE, runKeyPath, registry.QUERY_VALUE|registry.SET_VALUE)
	if err != nil {
		return Step{}, fmt.Errorf("open the Run key to start the tray at login: %w", err)
	}
	defer k.Close()
	old, _, err := k.GetStringValue(runValueName)
	if err == nil && old == r.value {
		return Step{Done: "Already set: the tray starts at every login, for everyone (" + runKeyWhere + ")"}, nil
	}
	existed := err == nil
	if err := k.SetStringValue(runValueName, r.value); err != nil {
		return Step{}, fmt.Errorf("set the tray to start at login: %w", err)
	}
	if existed {
		return Step{Done: "Updated the tray's start at login (" + runKeyWhere + ")", Changed: true}, nil
	}
	return Step{Done: "Set the tray to start at every login, for everyone, from the next login on (" + runKeyWhere + ")", Changed: true}, nil
}

func (runKey) remove(string) (Step, error) {
	k, err := registry.OpenKey(registry.LOCAL_MACHINE, runKeyPath, registry.SET_VALUE)
	if errors.Is(err, registry.ErrNotExist) {
		return Step{Done: "Nothing to remove: the tray was not set to start at login"}, nil
	}
	if err != nil {
		return Step{}, fmt.Errorf("open the Run key: %w", err)
	}
	defer k.Close()
	err = k.DeleteValue(runValueName)
	if errors.Is(err, registry.ErrNotExist) {
		return Step{Done: "Nothing to remove: the tray was not set to start at login"}, nil
	}
	if err != nil {
		return Step{}, fmt.Errorf("remove the tray's start at login: %w", err)
	}
	return Step{Done: "Removed the tray's start at login (" + runKeyWhere + ")", Changed: true}, nil
}
