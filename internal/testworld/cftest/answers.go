package cftest

import (
	"net/http"
	"strconv"
	"strings"
)

// answer is one fixed response. Every answer passes through the simulated
// edge, so it carries server: cloudflare and cf-ray, as the real ones do.
type answer struct {
	status int
	header map[string]string
	body   string
}

func (a answer) ServeHTTP(w http.ResponseWriter, _ *http.Request) {
	edge(w)
	for k, v := range a.header {
		w.Header().Set(k, v)
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(a.body)))
	w.WriteHeader(a.status)
	_, _ = w.Write([]byte(a.body))
}

const (
	textPlain = "text/plain; charset=UTF-8"
	textHTML  = "text/html; charset=UTF-8"
	appJSON   = "application/json; charset=utf-8"
)

var answers = map[Case]answer{
	// The web app: a normal page. Cloudflare injects its bot-management
	// script into normal pages too, so the challenge-platform path alone
	// must not read as a challenge.
	OK: {http.StatusOK, map[string]string{"Content-Type": textHTML}, okPage},

	// api.openai.com/v1/models without a key: reachable (docs/architecture.md,
	// "How the checks judge"). OpenAI's error JSON shape.
	Unauthorized: {http.StatusUnauthorized, map[string]string{"Content-Type": "application/json"},
		`{"error":{"message":"You didn't provide an API key.","type":"invalid_request_error","param":null,"code":null}}`},

	Redirect:     {http.StatusFound, map[string]string{"Location": "/auth/login"}, ""},
	LoopRedirect: {http.StatusFound, map[string]string{"Location": "/origin-503"}, ""},
	NotFound:     {http.StatusNotFound, map[string]string{"Content-Type": textHTML}, "<html><body>Not found</body></html>"},
	Teapot:       {http.StatusTeapot, map[string]string{"Content-Type": textPlain}, "I'm a teapot"},

	// 1020, plain text, as sent to non-browser clients: the Homebrew/brew
	// fixture Library/Homebrew/test/utils/curl_spec.rb; ChatGPT clients log
	// "error code: 1020 (code: 403)" (acheong08/ChatGPT #963, #1068).
	Block1020Text: {http.StatusForbidden, map[string]string{
		"Content-Type": textPlain,
		"Set-Cookie":   "__cf_bm=cftest; path=/; expires=Fri, 27-Nov-26 14:30:00 GMT; domain=.chatgpt.com; HttpOnly; Secure; SameSite=None",
	}, "error code: 1020"},

	// 1020, the browser page: acheong08/ChatGPT #1087 (title, h1,
	// "Error code <span>1020</span>", Ray ID, Country, Data center).
	Block1020HTML: {http.StatusForbidden, map[string]string{"Content-Type": textHTML}, page1020},

	// 1020, RFC 9457 JSON for Accept: application/json (CF changelog
	// 2026-03-11; fields from fundamentals/reference/error-responses.mdx;
	// error_name/category from the live capture in reference 1.3).
	Block1020JSON: {http.StatusForbidden, map[string]string{"Content-Type": appJSON}, json1020},

	// WAF managed/custom rule block: openai/codex #4284, #27752.
	WAFBlock: {http.StatusForbidden, map[string]string{"Content-Type": textHTML}, pageWAF},

	// Managed challenge: cloudflare-challenges/challenge-types/
	// challenge-pages/detect-response.mdx (cf-mitigated: challenge,
	// text/html); 403 since March 2023 (cloudflare-docs PR #7925).
	Challenge: {http.StatusForbidden, map[string]string{"Content-Type": textHTML, "Cf-Mitigated": "challenge"}, pageChallenge},
	// Super Bot Fight Mode answering 429 with a challenge: Good-Native/hover PR #382.
	Challenge429: {http.StatusTooManyRequests, map[string]string{"Content-Type": textHTML, "Cf-Mitigated": "challenge"}, pageChallenge},

	// 1015 stays text/plain despite Accept: application/json (the live
	// capture in reference 1.3); Retry-After 30 s (CF changelog
	// 2026-03-12-retry-after-header-for-1xxx-errors).
	RateLimit1015: {http.StatusTooManyRequests, map[string]string{"Content-Type": textPlain, "Retry-After": "30"}, "error code: 1015"},

	// OpenAI's own 429 (reference 1.5): JSON with error.type "requests".
	OpenAIRateLimit: {http.StatusTooManyRequests, map[string]string{"Content-Type": "application/json"},
		`{"error":{"message":"Rate limit reached for requests. Please try again later.","type":"requests","param":null,"code":"rate_limit_exceeded"}}`},

	// 522, RFC 9457 (since 2026-04-27 for 520-526): the example of
	// fundamentals/reference/error-responses.mdx; Retry-After 120 s.
	Edge522: {522, map[string]string{"Content-Type": appJSON, "Retry-After": "120"}, json522},

	// An origin 5xx passes through without Cloudflare's body
	// (cloudflare-5xx-errors/index.mdx; reference 1.6).
	Origin503: {http.StatusServiceUnavailable, map[string]string{"Content-Type": "text/plain"}, "upstream connect error or disconnect/reset before headers. reset reason: overflow"},

	// OpenAI's region block (reference 1.7).
	Region: {http.StatusForbidden, map[string]string{"Content-Type": "application/json"},
		`{"error":{"code":"unsupported_country_region_territory","message":"Country, region, or territory not supported","param":null,"type":"request_forbidden"}}`},

	// 1010, the probe's signature is banned (reference 1.2), in the plain
	// text form of the 1xxx errors.
	Probe1010: {http.StatusForbidden, map[string]string{"Content-Type": textPlain}, "error code: 1010"},
}

const okPage = `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>ChatGPT</title></head>
<body><div id="root"></div>
<script>(function(){var a=document.createElement('script');a.src='/cdn-cgi/challenge-platform/scripts/jsd/main.js';document.head.appendChild(a);})();</script>
</body></html>`

const page1020 = `<!DOCTYPE html>
<!--[if lt IE 7]> <html class="no-js ie6 oldie" lang="en-US"> <![endif]-->
<!--[if gt IE 8]><!--> <html class="no-js" lang="en-US"> <!--<![endif]-->
<head>
<title>Access denied | chatgpt.com used Cloudflare to restrict access</title>
<meta charset="UTF-8" />
<meta name="robots" content="noindex, nofollow" />
<link rel="stylesheet" id="cf_styles-css" href="/cdn-cgi/styles/main.css" />
<script>
(function(){if(document.addEventListener&&window.XMLHttpRequest&&JSON&&JSON.stringify){var e=function(a){a={event:"feedback clicked",properties:{errorCode:1020,helpful:a,version:1}};};}})();
</script>
</head>
<body>
   <div class="cf-main-wrapper" role="main">
      <div class="cf-header cf-section">
         <div class="cf-error-title">
            <h1>Access denied</h1>
            <span class="cf-code-label">Error code <span>1020</span></span>
         </div>
         <div class="cf-error-description">
            <p>You do not have access to chatgpt.com.</p><p>The site owner may have set restrictions that prevent you from accessing the site.</p>
         </div>
      </div>
      <div class="cf-error-details-wrapper">
         <div class="cf-error-details cf-error-1020">
            <p>Error code: 1020</p>
            <p>Ray ID: ` + RayHex + `</p>
            <p>Country: DE</p>
            <p>Data center: fra01</p>
            <p>IP: ` + TraceIP + `</p>
            <p>Timestamp: 2026-11-27 13:40:19 UTC</p>
         </div>
      </div>
      <div class="clearfix cf-footer cf-section" role="contentinfo">
         <p>Performance &amp; security by <a rel="noopener noreferrer" href="https://www.cloudflare.com?utm_source=1020_error" target="_blank">Cloudflare</a></p>
      </div>
   </div>
</body>
</html>`

const json1020 = `{
  "type": "https://developers.cloudflare.com/support/troubleshooting/http-status-codes/cloudflare-1xxx-errors/error-1020/",
  "title": "Error 1020: Access denied",
  "status": 403,
  "detail": "A firewall rule of the website blocked this request.",
  "instance": "` + RayHex + `",
  "error_code": 1020,
  "error_name": "firewall_rule_blocked",
  "error_category": "access_denied",
  "ray_id": "` + RayHex + `",
  "timestamp": "2026-11-27T13:40:19Z",
  "zone": "chatgpt.com",
  "cloudflare_error": true,
  "retryable": false,
  "owner_action_required": false,
  "what_you_should_do": "Do not retry. Contact the website owner with the Ray ID.",
  "footer": "This error was generated by Cloudflare on behalf of the website owner."
}`

const json522 = `{
  "type": "https://developers.cloudflare.com/support/troubleshooting/http-status-codes/cloudflare-5xx-errors/error-522/",
  "title": "Error 522: Connection timed out",
  "status": 522,
  "detail": "Cloudflare could not establish a TCP connection to the origin server.",
  "instance": "` + RayHex + `",
  "error_code": 522,
  "error_name": "connection_timeout",
  "error_category": "origin",
  "ray_id": "` + RayHex + `",
  "timestamp": "2026-11-27T13:40:19Z",
  "zone": "chatgpt.com",
  "cloudflare_error": true,
  "retryable": true,
  "retry_after": 120,
  "owner_action_required": true,
  "what_you_should_do": "Wait and retry after 120 seconds.",
  "footer": "This error was generated by Cloudflare on behalf of the website owner."
}`

const pageWAF = `<!DOCTYPE html>
<html class="no-js" lang="en-US">
<head>
<title>Attention Required! | Cloudflare</title>
<meta charset="UTF-8" />
<link rel="stylesheet" id="cf_styles-css" href="/cdn-cgi/styles/cf.errors.css" />
</head>
<body>
  <div id="cf-wrapper">
    <div id="cf-error-details" class="cf-error-details-wrapper">
      <div class="cf-wrapper cf-header cf-error-overview">
        <h1 data-translate="block_headline">Sorry, you have been blocked</h1>
        <h2 class="cf-subheadline"><span data-translate="unable_to_access">You are unable to access</span> chatgpt.com</h2>
      </div>
      <div class="cf-section cf-wrapper">
        <h2 data-translate="blocked_why_headline">Why have I been blocked?</h2>
        <p data-translate="blocked_why_detail">This website is using a security service to protect itself from online attacks.</p>
      </div>
      <div class="cf-error-footer cf-wrapper">
        <p><span class="cf-footer-item">Cloudflare Ray ID: <strong class="font-semibold">` + RayHex + `</strong></span></p>
      </div>
    </div>
  </div>
</body>
</html>`

const pageChallenge = `<!DOCTYPE html><html lang="en-US"><head><title>Just a moment...</title>
<meta http-equiv="Content-Type" content="text/html; charset=UTF-8">
<meta name="robots" content="noindex,nofollow">
</head><body><div class="main-wrapper" role="main"><div class="main-content">
<noscript><div class="h2"><span id="challenge-error-text">Enable JavaScript and cookies to continue</span></div></noscript>
</div></div>
<script>(function(){window._cf_chl_opt={cvId: '3',cZone: "chatgpt.com",cType: 'managed',cRay: '` + RayHex + `'};
var a=document.createElement('script');a.src='/cdn-cgi/challenge-platform/h/g/orchestrate/chl_page/v1?ray=` + RayHex + `';document.getElementsByTagName('head')[0].appendChild(a);}());</script>
</body></html>`

// AppPageSize is the size of the web app's page in the test internet: real
// app pages are of that order, and a probe that read them whole would move
// that much every run.
const AppPageSize = 96 << 10

// AppPage answers as the web app's first page does: the OK page, padded
// to AppPageSize with inline data of the kind an app page carries.
func AppPage() http.Handler {
	a := answers[OK]
	const filler = `{"route":"/c/[id]","chunk":"static/chunks/pages/c-0123456789abcdef.js"},` + "\n"
	at := strings.LastIndex(a.body, "</body>")
	pad := `<script>window.__ROUTES__=[` + "\n"
	var b strings.Builder
	b.WriteString(a.body[:at])
	b.WriteString(pad)
	for b.Len()+len(filler)+len("];</script>")+len(a.body)-at < AppPageSize {
		b.WriteString(filler)
	}
	b.WriteString("];</script>")
	b.WriteString(strings.Repeat(" ", AppPageSize-b.Len()-(len(a.body)-at)))
	b.WriteString(a.body[at:])
	a.body = b.String()
	return a
}
