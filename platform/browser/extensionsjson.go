package browser

import (
	"fmt"
	"strings"
)

// ParseExtensionsJSON reads a Firefox profile's extensions.json, the
// add-on manager's database (recorded from Firefox ESR 153 in
// testdata/firefox-esr-153): every entry of addons[], enabled when it is
// active and neither the person nor the application disabled it.
func ParseExtensionsJSON(data []byte) ([]Extension, error) {
	root, err := parseObject(data)
	if err != nil {
		return nil, fmt.Errorf("extensions.json is not valid JSON: %w", err)
	}
	addons, ok := root["addons"].([]any)
	if !ok && root["addons"] != nil {
		return nil, fmt.Errorf("extensions.json has no list of add-ons")
	}
	var out []Extension
	for _, v := range addons {
		a, ok := v.(map[string]any)
		if !ok || str(a["id"]) == "" {
			continue
		}
		x := Extension{
			ID:       str(a["id"]),
			Name:     str(dig(a, "defaultLocale", "name")),
			Version:  str(a["version"]),
			Type:     str(a["type"]),
			Location: str(a["location"]),
			Path:     str(a["path"]),
			State:    -1,
		}
		active, _ := boolean(a["active"])
		x.Enabled = active
		for _, k := range []string{"userDisabled", "appDisabled", "softDisabled", "embedderDisabled"} {
			if off, _ := boolean(a[k]); off {
				x.Enabled = false
			}
		}
		// Mozilla's own: built into the application (app-builtin,
		// app-builtin-addons) or its system add-ons (app-system-defaults,
		// app-system-addons). app-system-share and app-system-local are
		// what a distribution or an administrator put in system folders:
		// not the browser's own.
		x.Builtin = strings.HasPrefix(x.Location, "app-builtin") ||
			x.Location == "app-system-defaults" || x.Location == "app-system-addons"
		x.Unpacked = x.Location == "app-temporary"
		perms := a["userPermissions"]
		x.Permissions = union(x.Permissions, stringList(dig(perms, "permissions"))...)
		x.Hosts = union(x.Hosts, stringList(dig(perms, "origins"))...)
		out = append(out, x)
	}
	sortExtensions(out)
	return out, nil
}
