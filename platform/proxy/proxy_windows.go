package proxy

import (
	"context"
	"errors"
	"fmt"

	"golang.org/x/sys/windows/registry"

	"github.com/clearance-app/clearance/platform"
)

const (
	internetSettingsKey = `Software\Microsoft\Windows\CurrentVersion\Internet Settings`
	internetPolicyKey   = `Software\Policies\Microsoft\Windows\CurrentVersion\Internet Settings`
	// connectionsKey holds DefaultConnectionSettings, the binary value with
	// the switches the settings pages show (parseWinINETConnection).
	connectionsKey = internetSettingsKey + `\Connections`
)

// proxySettings reads WinINET's values, read-only. Under the policy
// ProxySettingsPerUser = 0 the settings are the machine's, in HKLM: the
// string values and DefaultConnectionSettings alike. Run from
// a service, HKCU is the service account's hive, not the person's: the
// proxy check belongs to the user's process.
func proxySettings(context.Context, platform.Runner) ([]Setting, error) {
	root, perMachine := registry.CURRENT_USER, perMachineProxy()
	if perMachine {
		root = registry.LOCAL_MACHINE
	}
	v, err := readWinINET(root)
	if err != nil {
		return nil, &SourceError{Source: SourceWindows, Err: err}
	}
	v.PerMachine = perMachine
	return v.Settings(), nil
}

// perMachineProxy reports whether policy makes proxy settings per machine.
func perMachineProxy() bool {
	k, err := registry.OpenKey(registry.LOCAL_MACHINE, internetPolicyKey, registry.QUERY_VALUE)
	if err != nil {
		return false
	}
	defer k.Close()
	n, _, err := k.GetIntegerValue("ProxySettingsPerUser")
	return err == nil && n == 0
}

func readWinINET(root registry.Key) (WinINETValues, error) {
	k, err := registry.OpenKey(root, internetSettingsKey, registry.QUERY_VALUE)
	if errors.Is(err, registry.ErrNotExist) {
		return WinINETValues{}, nil // never configured
	}
	if err != nil {
		return WinINETValues{}, fmt.Errorf("open the Internet Settings key: %w", err)
	}
	defer k.Close()
	var v WinINETValues
	if n, _, err := k.GetIntegerValue("ProxyEnable"); err == nil {
		v.ProxyEnable = n != 0
	} else if s, _, err := k.GetStringValue("ProxyEnable"); err == nil {
		v.ProxyEnable = s != "" && s != "0" // some tools write it as a string
	}
	v.ProxyServer = stringValue(k, "ProxyServer")
	v.ProxyOverride = stringValue(k, "ProxyOverride")
	v.AutoConfigURL = stringValue(k, "AutoConfigURL")
	v.ConnectionSettings = connectionSettings(root)
	return v, nil
}

// connectionSettings reads DefaultConnectionSettings; nil when it is
// absent or not binary, and Settings then goes by the string values.
func connectionSettings(root registry.Key) []byte {
	k, err := registry.OpenKey(root, connectionsKey, registry.QUERY_VALUE)
	if err != nil {
		return nil
	}
	defer k.Close()
	b, _, err := k.GetBinaryValue("DefaultConnectionSettings")
	if err != nil {
		return nil
	}
	return b
}

// stringValue reads a string value; a missing or mistyped value is empty.
func stringValue(k registry.Key, name string) string {
	s, _, err := k.GetStringValue(name)
	if err != nil {
		return ""
	}
	return s
}
