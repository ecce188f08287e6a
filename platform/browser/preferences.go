package browser

import (
	"fmt"
	"path"
	"sort"
	"strings"
)

// Preferences is what Clearance reads of a Chromium profile's Preferences
// or Secure Preferences (both JSON; some installs record their
// extensions only in the second).
type Preferences struct {
	Extensions []Extension // extensions.settings, by ID
	Proxy      Proxy       // the "proxy" preference; Mode "system" when absent
}

// Proxy is a browser's own proxy setting. Mode is "system" (the
// system's settings: both families' default), "direct", "manual", "pac"
// or "auto_detect" (WPAD).
type Proxy struct {
	Mode string
	// Server is the manual proxy: Chromium's server list as written
	// ("host:port" or "http=host:port;https=host:port"), Firefox's
	// per-scheme proxies in the same form.
	Server string
	PACURL string
	Bypass string // the hosts that go direct, as written
}

// ParsePreferences reads a Preferences or Secure Preferences file
// (recorded from Chromium 156 in testdata/chromium-156).
func ParsePreferences(data []byte) (Preferences, error) {
	root, err := parseObject(data)
	if err != nil {
		return Preferences{}, fmt.Errorf("the preferences are not valid JSON: %w", err)
	}
	var p Preferences
	for id, e := range extensionSettings(root) {
		p.Extensions = append(p.Extensions, chromiumExtension(id, e))
	}
	sortExtensions(p.Extensions)
	p.Proxy = chromiumProxy(root["proxy"])
	return p, nil
}

func sortExtensions(exts []Extension) {
	sort.Slice(exts, func(i, j int) bool { return exts[i].ID < exts[j].ID })
}

// extensionSettings is extensions.settings: extension ID → its record.
func extensionSettings(root map[string]any) map[string]map[string]any {
	out := map[string]map[string]any{}
	settings, _ := dig(root, "extensions", "settings").(map[string]any)
	for id, v := range settings {
		if e, ok := v.(map[string]any); ok && id != "" {
			out[id] = e
		}
	}
	return out
}

// chromiumLocations are the values of an extension's "location"
// (extensions/common/mojom/manifest.mojom, ManifestLocation).
var chromiumLocations = map[int64]string{
	1: "internal", 2: "external-pref", 3: "external-registry", 4: "unpacked", 5: "component",
	6: "external-pref-download", 7: "external-policy-download", 8: "command-line",
	9: "external-policy", 10: "external-component",
}

// chromiumExtension reads one extensions.settings record: the manifest
// Chromium cached in it (not every version and location caches one), the
// permissions it granted (active_permissions), and its state. Chromium
// before 136 wrote "state" (1 enabled, 0 disabled) and a bit mask of
// disable_reasons; later versions write only disable_reasons, a list,
// which is empty or absent when the extension is enabled.
func chromiumExtension(id string, e map[string]any) Extension {
	x := Extension{ID: id, State: -1}
	if loc, ok := integer(e["location"]); ok {
		x.Location = chromiumLocations[loc]
		if x.Location == "" {
			x.Location = fmt.Sprint(loc)
		}
		x.Unpacked = loc == 4 || loc == 8
		x.Builtin = loc == 5 || loc == 10
	}
	x.Path = str(e["path"])
	if m, ok := e["manifest"].(map[string]any); ok {
		applyManifest(&x, readManifest(m))
	}
	active := e["active_permissions"]
	x.Permissions = union(x.Permissions, stringList(dig(active, "api"))...)
	x.Permissions = union(x.Permissions, stringList(dig(active, "manifest_permissions"))...)
	x.Hosts = union(x.Hosts, stringList(dig(active, "explicit_host"))...)
	x.ContentScripts = union(x.ContentScripts, stringList(dig(active, "scriptable_host"))...)
	if s, ok := integer(e["state"]); ok {
		x.State = int(s)
	}
	switch r := e["disable_reasons"].(type) {
	case float64:
		if n, ok := integer(r); ok {
			for bit := 0; bit < 63; bit++ {
				if n&(1<<bit) != 0 {
					x.DisableReasons = append(x.DisableReasons, 1<<bit)
				}
			}
		}
	case []any:
		for _, v := range r {
			if n, ok := integer(v); ok {
				x.DisableReasons = append(x.DisableReasons, int(n))
			}
		}
	}
	x.Enabled = (x.State == -1 || x.State == 1) && len(x.DisableReasons) == 0
	return x
}

func chromiumProxy(v any) Proxy {
	m, ok := v.(map[string]any)
	if !ok {
		return Proxy{Mode: "system"}
	}
	p := Proxy{Server: str(m["server"]), PACURL: str(m["pac_url"]), Bypass: str(m["bypass_list"])}
	// ProxyPrefs' mode names (components/proxy_config/proxy_prefs.cc).
	switch mode := str(m["mode"]); mode {
	case "fixed_servers":
		p.Mode = "manual"
	case "pac_script":
		p.Mode = "pac"
	case "":
		p.Mode = "system"
	default:
		p.Mode = mode // direct, auto_detect, system
	}
	return p
}

// Manifest is what Clearance reads of an extension's manifest.json.
type Manifest struct {
	Name           string
	Version        string
	DefaultLocale  string
	Type           string // "extension", "theme" or "app"
	Permissions    []string
	Hosts          []string
	ContentScripts []string // match patterns
}

// ParseManifest reads a Chromium extension's manifest.json (manifest
// versions 2 and 3: in version 2, host patterns are listed among the
// permissions).
func ParseManifest(data []byte) (Manifest, error) {
	// Manifests may start with a byte-order mark.
	data = []byte(strings.TrimPrefix(string(data), "\ufeff"))
	root, err := parseObject(data)
	if err != nil {
		return Manifest{}, fmt.Errorf("manifest.json is not valid JSON: %w", err)
	}
	return readManifest(root), nil
}

func readManifest(m map[string]any) Manifest {
	out := Manifest{Name: str(m["name"]), Version: str(m["version"]), DefaultLocale: str(m["default_locale"]), Type: "extension"}
	switch {
	case m["theme"] != nil:
		out.Type = "theme"
	case m["app"] != nil:
		out.Type = "app"
	}
	for _, p := range stringList(m["permissions"]) {
		if isHostPattern(p) {
			out.Hosts = union(out.Hosts, p)
		} else {
			out.Permissions = union(out.Permissions, p)
		}
	}
	out.Hosts = union(out.Hosts, stringList(m["host_permissions"])...)
	scripts, _ := m["content_scripts"].([]any)
	for _, cs := range scripts {
		out.ContentScripts = union(out.ContentScripts, stringList(dig(cs, "matches"))...)
	}
	return out
}

func applyManifest(x *Extension, m Manifest) {
	if x.Name == "" {
		x.Name = m.Name
	}
	if x.Version == "" {
		x.Version = m.Version
	}
	if x.Type == "" {
		x.Type = m.Type
	}
	x.Permissions = union(x.Permissions, m.Permissions...)
	x.Hosts = union(x.Hosts, m.Hosts...)
	x.ContentScripts = union(x.ContentScripts, m.ContentScripts...)
}

// isHostPattern tells a match pattern or origin from an API permission.
func isHostPattern(p string) bool {
	return p == "<all_urls>" || strings.Contains(p, "://")
}

// localizedName resolves a "__MSG_key__" name from the messages of the
// manifest's default locale (messages.json: {"key": {"message": "…"}},
// keys matched without regard to case). ok is false when s is no such
// placeholder or the key is not found.
func localizedName(s string, messages []byte) (string, bool) {
	key, found := strings.CutPrefix(s, "__MSG_")
	key, found2 := strings.CutSuffix(key, "__")
	if !found || !found2 || key == "" {
		return "", false
	}
	root, err := parseObject(messages)
	if err != nil {
		return "", false
	}
	for k, v := range root {
		if strings.EqualFold(k, key) {
			if msg := str(dig(v, "message")); msg != "" {
				return msg, true
			}
		}
	}
	return "", false
}

// cleanRelative accepts a relative slash path that stays inside its base.
func cleanRelative(p string) (string, bool) {
	p = path.Clean(strings.ReplaceAll(p, `\`, "/"))
	if p == "." || path.IsAbs(p) || p == ".." || strings.HasPrefix(p, "../") || strings.Contains(p, ":") {
		return "", false
	}
	return p, true
}
