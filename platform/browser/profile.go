package browser

// Settings are a profile's own network settings, which may differ from
// the system's: the browser's DNS-over-HTTPS and its proxy.
type Settings struct {
	// DNSOverHTTPS is Chromium's dns_over_https (Local State, for every
	// profile) or Firefox's network.trr settings (prefs.js and user.js).
	DNSOverHTTPS DNSOverHTTPS
	Proxy        Proxy
}

// Extensions lists the extensions of profile p of b, enabled or not,
// with an error for each file that could not be read: Chromium's
// Preferences and Secure Preferences merged (an extension may be recorded
// in either), its manifest read from the extension's folder where the
// profile caches none, its "__MSG_…__" name resolved; Firefox's
// extensions.json.
func (b Browser) Extensions(p Profile) ([]Extension, []error) {
	if b.Family == Firefox {
		return firefoxExtensions(b, p)
	}
	return chromiumExtensions(b, p)
}

// Settings reads the DNS-over-HTTPS and proxy settings of profile p of b.
func (b Browser) Settings(p Profile) (Settings, []error) {
	if b.Family == Firefox {
		return firefoxSettings(b, p)
	}
	return chromiumSettings(b, p)
}
