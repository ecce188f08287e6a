package browser

// Extension is one browser extension (Chromium) or add-on (Firefox) of a
// profile, as the profile records it.
type Extension struct {
	ID      string
	Name    string
	Version string
	// Type is "extension", or what else the browser calls it: "theme",
	// "app" (Chromium), "dictionary", "locale" (Firefox); "" when the
	// profile does not say.
	Type    string
	Enabled bool
	// Location is where it was installed from, in the browser's words:
	// Chromium's "internal" (a web store), "unpacked", "command-line",
	// "component", "external-policy", …; Firefox's "app-profile",
	// "app-builtin", "app-system-defaults", …
	Location string
	Unpacked bool // loaded from a folder, not installed from a package
	Builtin  bool // part of the browser itself (Chromium components, Firefox built-ins and system add-ons)
	// Path is its folder (Chromium) or package (Firefox), absolute where
	// the profile says enough to tell.
	Path string
	// Permissions are its API permissions ("proxy", "webRequest", …),
	// Hosts the hosts it may reach (match patterns and origins), and
	// ContentScripts the match patterns of the pages its scripts are put
	// into.
	Permissions    []string
	Hosts          []string
	ContentScripts []string
	// State and DisableReasons are Chromium's record of why it is off:
	// State (0 disabled, 1 enabled; -1 when absent, as since Chromium 136)
	// and the disable_reasons bits or list; both stay empty for Firefox.
	State          int
	DisableReasons []int
}
