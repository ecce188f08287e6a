package check

import (
	"net/netip"
	"net/url"
)

// hostName returns a URL's host without its port ("" when it has none):
// the name that is resolved.
func hostName(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return ""
	}
	return u.Hostname()
}

// hostLabel returns a URL's host[:port] for people to read, or the URL
// itself when it has no host.
func hostLabel(rawURL string) string {
	if u, err := url.Parse(rawURL); err == nil && u.Host != "" {
		return u.Host
	}
	return rawURL
}

func isIPLiteral(host string) bool {
	_, err := netip.ParseAddr(host)
	return err == nil
}
