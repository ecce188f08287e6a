package autostart

import (
	"errors"
	"fmt"
	"time"

	"golang.org/x/sys/windows/registry"
)

const (
	runKey      = `SOFTWARE\Microsoft\Windows\CurrentVersion\Run`
	approvedKey = `SOFTWARE\Microsoft\Windows\CurrentVersion\Explorer\StartupApproved\Run`
)

// installed reports whether the installer's HKLM Run value exists.
func installed() (bool, error) {
	k, err := registry.OpenKey(registry.LOCAL_MACHINE, runKey, registry.QUERY_VALUE)
	if errors.Is(err, registry.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("read HKLM\\%s: %w", runKey, err)
	}
	defer k.Close()
	_, _, err = k.GetValue(RunValue, nil)
	if errors.Is(err, registry.ErrNotExist) {
		return false, nil
	}
	return err == nil, nil
}

// approved reads a StartupApproved value under root; a missing one turns
// nothing off.
func approved(root registry.Key) (bool, error) {
	k, err := registry.OpenKey(root, approvedKey, registry.QUERY_VALUE)
	if errors.Is(err, registry.ErrNotExist) {
		return true, nil
	}
	if err != nil {
		return false, fmt.Errorf("read %s: %w", approvedKey, err)
	}
	defer k.Close()
	v, _, err := k.GetBinaryValue(RunValue)
	if errors.Is(err, registry.ErrNotExist) {
		return true, nil
	}
	if err != nil {
		return false, fmt.Errorf("read %s\\%s: %w", approvedKey, RunValue, err)
	}
	return startupApproved(v), nil
}

// enabled: registered in HKLM Run, and turned off neither for this user
// (HKCU) nor for the machine (HKLM, where an administrator's choice in
// Task Manager may land).
func enabled() (bool, error) {
	ok, err := installed()
	if err != nil || !ok {
		return false, err
	}
	for _, root := range []registry.Key{registry.CURRENT_USER, registry.LOCAL_MACHINE} {
		ok, err := approved(root)
		if err != nil || !ok {
			return false, err
		}
	}
	return true, nil
}

// setEnabled writes this user's StartupApproved value, as Task Manager
// does when the person switches the entry on or off.
func setEnabled(on bool) error {
	k, _, err := registry.CreateKey(registry.CURRENT_USER, approvedKey, registry.SET_VALUE)
	if err != nil {
		return fmt.Errorf("open HKCU\\%s: %w", approvedKey, err)
	}
	defer k.Close()
	if err := k.SetBinaryValue(RunValue, startupApprovedValue(on, time.Now())); err != nil {
		return fmt.Errorf("write HKCU\\%s\\%s: %w", approvedKey, RunValue, err)
	}
	if on {
		ok, err := installed()
		if err != nil {
			return err
		}
		if !ok {
			return ErrNotInstalled
		}
	}
	return nil
}
