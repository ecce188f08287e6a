package browser

import (
	"context"
	"errors"
	"fmt"

	"golang.org/x/sys/windows/registry"
)

// The user's choice of handler for a scheme. Windows 11 24H2 and later
// write it only under UserChoiceLatest\ProgId and leave the older
// UserChoice stale (microsoft/PowerToys#40115, AdguardForWindows#5867), so
// that one is read first.
var userChoiceKeys = []string{
	`Software\Microsoft\Windows\Shell\Associations\UrlAssociations\%s\UserChoiceLatest\ProgId`,
	`Software\Microsoft\Windows\Shell\Associations\UrlAssociations\%s\UserChoice`,
}

func findDefault(context.Context, Lookup) (DefaultApp, error) {
	progID, command, err := defaultBrowserCommand()
	if err != nil {
		return DefaultApp{}, err
	}
	return windowsDefault(progID, command)
}

// defaultBrowserCommand reads the user's https (else http) handler and
// the command its ProgId opens URLs with (HKCR merges the user's and the
// machine's classes).
func defaultBrowserCommand() (progID, command string, err error) {
	for _, scheme := range []string{"https", "http"} {
		for _, key := range userChoiceKeys {
			progID = readProgID(fmt.Sprintf(key, scheme))
			if progID != "" {
				break
			}
		}
		if progID != "" {
			break
		}
	}
	if progID == "" {
		return "", "", errors.New("no default browser is chosen for web addresses")
	}
	k, err := registry.OpenKey(registry.CLASSES_ROOT, progID+`\shell\open\command`, registry.QUERY_VALUE)
	if err != nil {
		return progID, "", fmt.Errorf("read the open command of %s: %w", progID, err)
	}
	defer k.Close()
	command, kind, err := k.GetStringValue("")
	if err != nil {
		return progID, "", fmt.Errorf("read the open command of %s: %w", progID, err)
	}
	if kind == registry.EXPAND_SZ {
		if s, err := registry.ExpandString(command); err == nil {
			command = s
		}
	}
	return progID, command, nil
}

// readProgID reads the ProgId value of an HKCU key; "" when absent.
func readProgID(path string) string {
	k, err := registry.OpenKey(registry.CURRENT_USER, path, registry.QUERY_VALUE)
	if err != nil {
		return ""
	}
	defer k.Close()
	v, _, err := k.GetStringValue("ProgId")
	if err != nil {
		return ""
	}
	return v
}
