package browser

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// LocalState is what Clearance reads of a Chromium browser's Local State,
// the JSON file in its user-data folder.
type LocalState struct {
	// Profiles are profile.info_cache: each Dir is a folder name in the
	// user-data folder, Name what the browser shows; in the order of
	// profile.profiles_order, then the others by folder name.
	Profiles []Profile
	LastUsed string // profile.last_used: the folder of the profile opened last
	// DNSOverHTTPS is the browser's own secure-DNS setting.
	DNSOverHTTPS DNSOverHTTPS
	// ChromiumVersion is the version of the build that last wrote the
	// file (user_experience_metrics.stability.stats_version, without its
	// "-64" and channel suffixes); Built is that build's date
	// (stats_buildtime, seconds since 1970). Both empty when not recorded.
	ChromiumVersion string
	Built           time.Time
}

// DNSOverHTTPS is Chromium's dns_over_https setting: Mode "off",
// "automatic" (secure DNS when the system's resolver offers it) or
// "secure" (only the Templates); "" when never set.
type DNSOverHTTPS struct {
	Mode      string
	Templates []string // DoH URI templates (RFC 8484), split on whitespace
}

// ParseLocalState reads a Local State file (recorded from Chromium 156 in
// testdata/chromium-156).
func ParseLocalState(data []byte) (LocalState, error) {
	root, err := parseObject(data)
	if err != nil {
		return LocalState{}, fmt.Errorf("the Local State file is not valid JSON: %w", err)
	}
	var ls LocalState
	cache, _ := dig(root, "profile", "info_cache").(map[string]any)
	seen := map[string]bool{}
	add := func(dir string) {
		if seen[dir] {
			return
		}
		e, ok := cache[dir].(map[string]any)
		if !ok {
			return
		}
		seen[dir] = true
		ls.Profiles = append(ls.Profiles, Profile{Name: str(e["name"]), Dir: dir})
	}
	for _, dir := range stringList(dig(root, "profile", "profiles_order")) {
		add(dir)
	}
	rest := make([]string, 0, len(cache))
	for dir := range cache {
		rest = append(rest, dir)
	}
	sort.Strings(rest)
	for _, dir := range rest {
		add(dir)
	}
	ls.LastUsed = str(dig(root, "profile", "last_used"))
	ls.DNSOverHTTPS = DNSOverHTTPS{
		Mode:      str(dig(root, "dns_over_https", "mode")),
		Templates: strings.Fields(str(dig(root, "dns_over_https", "templates"))),
	}
	stability := dig(root, "user_experience_metrics", "stability")
	if v := str(dig(stability, "stats_version")); v != "" {
		ls.ChromiumVersion, _, _ = strings.Cut(v, "-")
	}
	if secs, ok := integer(dig(stability, "stats_buildtime")); ok && secs > 0 {
		ls.Built = time.Unix(secs, 0).UTC()
	}
	return ls, nil
}
