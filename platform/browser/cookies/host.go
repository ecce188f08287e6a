package cookies

import "strings"

// openAIDomains are the registrable domains whose cookies Clear removes,
// with every subdomain: the sites ChatGPT is served from and their static
// assets. Cloudflare's cookies (cf_clearance, __cf_bm, _cfuvid) are set on
// these same hosts.
var openAIDomains = []string{"openai.com", "chatgpt.com", "oaistatic.com"}

// IsOpenAIHost says whether a cookie's host, as a cookie database stores
// it, is openai.com, chatgpt.com, oaistatic.com or a subdomain of one.
// A domain cookie's host carries a leading dot (".chatgpt.com"), a
// host-only cookie's does not; both count. The match is exact, label by
// label and ignoring ASCII case: "chatgpt.com.evil.net", "notopenai.com"
// and "openai.com.cn" are not OpenAI's. A host that is not a plain DNS
// name (empty labels, a trailing dot, a port, characters a host name
// cannot hold) is never matched: when in doubt, a cookie stays.
func IsOpenAIHost(host string) bool {
	h := strings.TrimPrefix(host, ".")
	if h == "" || !isHostName(h) {
		return false
	}
	h = strings.ToLower(h) // ASCII only, as isHostName made sure
	for _, d := range openAIDomains {
		if h == d || strings.HasSuffix(h, "."+d) {
			return true
		}
	}
	return false
}

// isHostName says whether h is dot-separated non-empty labels of ASCII
// letters, digits, '-' and '_' (underscores occur in real host names,
// though DNS's host-name rules leave them out).
func isHostName(h string) bool {
	label := 0
	for i := 0; i < len(h); i++ {
		switch c := h[i]; {
		case c == '.':
			if label == 0 {
				return false
			}
			label = 0
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '-', c == '_':
			label++
		default:
			return false
		}
	}
	return label > 0
}
