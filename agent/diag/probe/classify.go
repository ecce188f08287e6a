package probe

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"
)

// Kind is the verdict on one probe: what its answer, or the lack of one,
// means for the person. The values appear in the check's data.
type Kind string

const (
	KindOK                Kind = "ok"                 // reached, nothing wrong (2xx, 3xx, 401, 404)
	KindUnexpected        Kind = "unexpected"         // reached, an answer Clearance has no meaning for
	KindChallenge         Kind = "challenge"          // cf-mitigated: challenge; a browser will pass
	KindBlocked           Kind = "blocked"            // Cloudflare 1020, WAF block page, IP/ASN bans
	KindRateLimited       Kind = "rate-limited"       // Cloudflare 1015 or HTTP 429
	KindServerError       Kind = "server-error"       // Cloudflare 52x/530 or an origin 5xx
	KindRegionUnsupported Kind = "region-unsupported" // OpenAI's unsupported_country_region_territory
	KindProbeLimited      Kind = "probe-limited"      // Cloudflare 1010: the probe's fingerprint
	KindCertDates         Kind = "certificate-dates"  // certificate expired or not yet valid: the clock
	KindIntercepted       Kind = "intercepted"        // certificate from an unknown authority
	KindDNS               Kind = "dns-failed"         // the name did not resolve
	KindUnreachable       Kind = "unreachable"        // TCP, TLS or HTTP failed or timed out
)

// Problem reports whether the verdict is something to tell a person about.
func (k Kind) Problem() bool { return k != KindOK && k != KindUnexpected }

// Verdict is what one probe means, with the facts that support it.
type Verdict struct {
	Kind Kind
	// Reason is one line for a person, such as "Access denied (Error 1020)".
	Reason string
	Status int // HTTP status; 0 when no response arrived
	// Cloudflare is set when Cloudflare's edge answered (server or cf-ray header).
	Cloudflare bool
	ErrorCode  int    // Cloudflare's error code (1xxx, 52x) from the body; 0 when none
	ErrorName  string // RFC 9457 error_name, or OpenAI's error.code
	RayID      string // cf-ray header, else the body's Ray ID
	// RetryAfter is the wait asked for, when HasRetryAfter is set.
	RetryAfter    time.Duration
	HasRetryAfter bool
	Stage         Stage        // for failures: how far the request got
	Timeout       bool         // for failures: the deadline ended it
	Cert          *CertFailure // for certificate failures
	Vendor        string       // for interception: the vendor the issuer names, when known
}

// Classify turns one probe into a verdict. It is a pure function of the
// response (status, headers, body, transport failure) and never panics.
// The order is the reference's: transport failures first, then a
// challenge (whatever the status), then the body's error code, then the
// status code.
func Classify(r *Response) Verdict {
	if r == nil {
		return Verdict{Kind: KindUnreachable, Reason: "no probe was made"}
	}
	if r.Err != nil {
		return classifyFailure(r)
	}
	return classifyAnswer(r.Status, r.Header, r.Body)
}

// classifyFailure judges a request that got no response.
func classifyFailure(r *Response) Verdict {
	v := Verdict{Kind: KindUnreachable, Stage: r.Stage, Timeout: r.Timeout, Cert: r.Cert}
	if c := r.Cert; c != nil {
		switch c.Problem {
		case CertExpired, CertNotYetValid:
			v.Kind, v.Reason = KindCertDates, certDatesReason(c)
			return v
		case CertUnknownAuthority:
			v.Kind, v.Vendor = KindIntercepted, InterceptionVendor(c.Issuer+" "+c.IssuerDN)
			v.Reason = interceptedReason(c.Issuer, v.Vendor)
			return v
		}
		v.Reason = "the server's certificate was refused"
		return v
	}
	if r.Stage == StageDNS {
		v.Kind, v.Reason = KindDNS, dnsReason(r.Err, r.Timeout)
		return v
	}
	v.Reason = failureReason(r.Stage, r.Timeout)
	return v
}

func certDatesReason(c *CertFailure) string {
	if c.Problem == CertNotYetValid {
		return fmt.Sprintf("the certificate is not valid until %s: is this computer's clock right?", c.NotBefore.UTC().Format(time.DateOnly))
	}
	return fmt.Sprintf("the certificate expired on %s: is this computer's clock right?", c.NotAfter.UTC().Format(time.DateOnly))
}

func interceptedReason(issuer, vendor string) string {
	if issuer == "" {
		issuer = "an unknown authority"
	} else {
		issuer = strconv.Quote(issuer)
	}
	if vendor != "" {
		return fmt.Sprintf("the connection is signed by %s (%s), which this computer does not trust", issuer, vendor)
	}
	return fmt.Sprintf("the connection is signed by %s, which this computer does not trust", issuer)
}

func dnsReason(err error, timeout bool) string {
	var de *net.DNSError
	switch {
	case timeout:
		return "the name lookup timed out"
	case errors.As(err, &de) && de.IsNotFound:
		return "the name does not exist for this computer's DNS"
	}
	return "the name lookup failed"
}

func failureReason(stage Stage, timeout bool) string {
	switch {
	case stage == StageConnect && timeout:
		return "timed out while connecting"
	case stage == StageConnect:
		return "the connection was refused or could not be made"
	case stage == StageTLS && timeout:
		return "timed out during the secure (TLS) handshake"
	case stage == StageTLS:
		return "the secure (TLS) connection failed"
	case timeout:
		return "timed out waiting for an answer"
	}
	return "the connection broke before an answer arrived"
}

// NeedsBody reports whether Classify reads the body of an answer with
// this status and headers: only an error's (a challenge page is a 403, 429
// or 503; Cloudflare's and OpenAI's error codes come in 4xx and 5xx
// bodies), and not a challenge's that its cf-mitigated header already
// names. Any other answer is judged by its status and headers alone, so a
// request made only to be judged (Request.JudgeOnly) need not read its
// body.
func NeedsBody(status int, h http.Header) bool { return status >= 400 && !mitigated(h) }

// classifyAnswer judges a response that arrived. Its body is read only
// where NeedsBody says so.
func classifyAnswer(status int, h http.Header, body []byte) Verdict {
	v := Verdict{Status: status, Cloudflare: fromCloudflare(h), RayID: headerRay(h)}
	v.RetryAfter, v.HasRetryAfter = retryAfter(h)
	if challenged(status, h, body, v.Cloudflare) {
		v.Kind, v.Reason = KindChallenge, "Cloudflare asks for a browser check"
		return v
	}
	var e errorBody
	if NeedsBody(status, h) {
		e = parseErrorBody(h, body)
	}
	v.ErrorCode, v.ErrorName = e.code, e.name
	if v.RayID == "" {
		v.RayID = e.rayID
	}
	if !v.HasRetryAfter && e.retryAfter > 0 {
		v.RetryAfter, v.HasRetryAfter = time.Duration(e.retryAfter)*time.Second, true
	}
	v.Kind, v.Reason = judge(status, e)
	return v
}

// judge picks the verdict from the status and what the body says.
func judge(status int, e errorBody) (Kind, string) {
	if k := codeKind(e.code, e.category); k != "" {
		return k, codeReason(k, e.code, status)
	}
	switch {
	case e.openAI == "unsupported_country_region_territory" || (status == http.StatusForbidden && e.region):
		return KindRegionUnsupported, "OpenAI does not serve this country or region"
	case status == http.StatusForbidden && e.blockPage:
		return KindBlocked, "Sorry, you have been blocked (Cloudflare firewall)"
	case status == http.StatusTooManyRequests && e.name != "":
		return KindRateLimited, fmt.Sprintf("Too many requests (HTTP 429: %s)", e.name)
	case status == http.StatusTooManyRequests:
		return KindRateLimited, "Too many requests (HTTP 429)"
	case status >= 500 && e.code != 0:
		return KindServerError, codeReason(KindServerError, e.code, status)
	case status >= 500:
		return KindServerError, fmt.Sprintf("server error (HTTP %d)", status)
	case status < 400 || status == http.StatusUnauthorized || status == http.StatusNotFound:
		return KindOK, fmt.Sprintf("HTTP %d", status)
	}
	return KindUnexpected, fmt.Sprintf("HTTP %d", status)
}

// codeKind maps Cloudflare's error codes, and for codes not listed the
// RFC 9457 error_category, to a verdict. Codes from
// fundamentals/reference/error-responses.mdx "Error categories".
func codeKind(code int, category string) Kind {
	switch code {
	case 1010:
		return KindProbeLimited
	case 1009: // the owner bans the visitor's country or region
		return KindRegionUnsupported
	case 1005, 1006, 1007, 1008, 1012, 1020, 1106, 1107, 1108, 1109:
		return KindBlocked
	case 1015, 1025, 1027, 1200:
		return KindRateLimited
	}
	switch {
	case code >= 500 && code <= 599:
		return KindServerError
	case category == "access_denied":
		return KindBlocked
	case category == "rate_limit":
		return KindRateLimited
	}
	return ""
}

func codeReason(k Kind, code, status int) string {
	switch k {
	case KindBlocked:
		return fmt.Sprintf("Access denied (Error %d)", code)
	case KindRateLimited:
		return fmt.Sprintf("Too many requests (Error %d)", code)
	case KindProbeLimited:
		return fmt.Sprintf("Cloudflare refused Clearance's own test (Error %d)", code)
	case KindRegionUnsupported:
		return fmt.Sprintf("this country or region is blocked (Error %d)", code)
	}
	if code == status {
		return fmt.Sprintf("Cloudflare error %d", code)
	}
	return fmt.Sprintf("Cloudflare error %d (HTTP %d)", code, status)
}

// fromCloudflare reports whether Cloudflare's edge sent the response.
func fromCloudflare(h http.Header) bool {
	return strings.EqualFold(strings.TrimSpace(h.Get("Server")), "cloudflare") || h.Get("Cf-Ray") != ""
}

// headerRay returns the cf-ray header ("<16 hex>-<COLO>"), bounded so that
// a hostile header cannot bloat the report.
func headerRay(h http.Header) string {
	return Printable(strings.TrimSpace(h.Get("Cf-Ray")), 64)
}

// challenged follows detect-response.mdx: the cf-mitigated header is the
// signal, whatever the status (Super Bot Fight Mode answers 429). Body
// markers count only on an error status from Cloudflare, because normal
// pages also load /cdn-cgi/challenge-platform/ scripts.
func challenged(status int, h http.Header, body []byte, cloudflare bool) bool {
	if mitigated(h) {
		return true
	}
	if !cloudflare || (status != http.StatusForbidden && status != http.StatusTooManyRequests && status != http.StatusServiceUnavailable) {
		return false
	}
	return reChallenge().Match(body)
}

// mitigated reports whether Cloudflare says in its cf-mitigated header that
// it answered with a challenge.
func mitigated(h http.Header) bool {
	for _, v := range h.Values("Cf-Mitigated") {
		if strings.EqualFold(strings.TrimSpace(v), "challenge") {
			return true
		}
	}
	return false
}

// retryAfter reads Retry-After: delta-seconds, or an HTTP date measured
// against the response's own Date header, so that a wrong local clock
// cannot distort it.
func retryAfter(h http.Header) (time.Duration, bool) {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0, false
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n < 0 || n > maxRetryAfter {
			return 0, false
		}
		return time.Duration(n) * time.Second, true
	}
	at, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	date, err := http.ParseTime(h.Get("Date"))
	if err != nil {
		return 0, false
	}
	d := at.Sub(date)
	if d < 0 || d > maxRetryAfter*time.Second {
		return 0, false
	}
	return d.Round(time.Second), true
}

// maxRetryAfter bounds a believable wait (one week, in seconds).
const maxRetryAfter = 7 * 24 * 3600

// errorBody is what an error body says, in any of its formats.
type errorBody struct {
	code       int    // Cloudflare error code
	name       string // error_name, or OpenAI's error.code / error.type
	category   string // RFC 9457 error_category
	rayID      string
	retryAfter int64  // seconds, from JSON retry_after
	openAI     string // OpenAI's error.code
	region     bool   // the body mentions an unsupported country
	blockPage  bool   // a Cloudflare block page without a code
}

// parseErrorBody reads Cloudflare's RFC 9457 JSON, OpenAI's JSON, the
// plain-text "error code: NNNN" and the HTML pages. JSON is tried first;
// the text and HTML parsers stay because a custom error page overrides the
// format and a live 1015 still came back as text despite Accept.
func parseErrorBody(h http.Header, body []byte) errorBody {
	var e errorBody
	if looksJSON(h, body) {
		parseJSONError(body, &e)
	}
	if e.code == 0 {
		e.code = textCode(body)
	}
	if e.rayID == "" {
		if m := reRayID().FindSubmatch(body); m != nil {
			e.rayID = string(m[1])
		}
	}
	e.region = bytes.Contains(bytes.ToLower(body), []byte("unsupported_country"))
	e.blockPage = reBlockPage().Match(body)
	return e
}

func looksJSON(h http.Header, body []byte) bool {
	return strings.Contains(strings.ToLower(h.Get("Content-Type")), "json") ||
		bytes.HasPrefix(bytes.TrimSpace(body), []byte("{"))
}

// parseJSONError reads the fields of both JSON shapes tolerantly: a field
// of an unexpected type is ignored rather than failing the whole body.
func parseJSONError(body []byte, e *errorBody) {
	var m map[string]json.RawMessage
	if json.Unmarshal(body, &m) != nil {
		return
	}
	if c, ok := jsonInt(m["error_code"]); ok && c > 0 && c < 10000 {
		e.code = int(c)
	}
	e.name = jsonString(m["error_name"])
	e.category = jsonString(m["error_category"])
	e.rayID = jsonString(m["ray_id"])
	if n, ok := jsonInt(m["retry_after"]); ok && n > 0 && n <= maxRetryAfter {
		e.retryAfter = n
	}
	var oe map[string]json.RawMessage
	if json.Unmarshal(m["error"], &oe) == nil {
		e.openAI = jsonString(oe["code"])
		if e.name == "" {
			e.name = e.openAI
		}
		if e.name == "" {
			e.name = jsonString(oe["type"])
		}
	}
}

// jsonString returns a JSON string value, bounded and printable; "" for
// anything else.
func jsonString(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return ""
	}
	return Printable(s, 128)
}

// jsonInt accepts a JSON number or a numeric string.
func jsonInt(raw json.RawMessage) (int64, bool) {
	var f float64
	if json.Unmarshal(raw, &f) == nil && f == float64(int64(f)) {
		return int64(f), true
	}
	if n, err := strconv.ParseInt(jsonString(raw), 10, 64); err == nil {
		return n, true
	}
	return 0, false
}

// textCode finds a Cloudflare error code in text or HTML: "error code:
// 1020" (plain text), "Error code <span>1020</span>" and "errorCode: 1020"
// (the HTML page and its script), "Error 1020" (newer pages).
func textCode(body []byte) int {
	for _, re := range reCodes() {
		if m := re.FindSubmatch(body); m != nil {
			if n, err := strconv.Atoi(string(m[1])); err == nil && (n >= 1000 && n <= 1999 || n >= 520 && n <= 530) {
				return n
			}
		}
	}
	return 0
}

// The patterns for error pages are compiled on first use, not at start:
// only an error's body is ever matched (NeedsBody), and compiling them (the
// {0,200} repetitions make large programs) cost every process 2–3 ms of
// CPU and 240 KB before it did anything.
var (
	reCodes = sync.OnceValue(func() []*regexp.Regexp {
		return []*regexp.Regexp{
			regexp.MustCompile(`(?i)error\s+code:?\s*(?:<[^<>]{0,200}>\s*)*(\d{3,4})\b`),
			regexp.MustCompile(`(?i)errorCode"?\s*:\s*(\d{3,4})\b`),
			regexp.MustCompile(`(?i)\berror\s+(1\d{3}|52\d|530)\b`),
		}
	})
	reRayID     = lazyRegexp(`(?i)ray\s+id:?\s*(?:<[^<>]{0,200}>\s*)*([0-9a-f]{16})\b`)
	reBlockPage = lazyRegexp(`(?i)<title>\s*Attention Required! \| Cloudflare\s*</title>|Sorry, you have been blocked|used Cloudflare to restrict access`)
	reChallenge = lazyRegexp(`(?i)<title>\s*Just a moment\.\.\.\s*</title>|_cf_chl_opt`)
)

func lazyRegexp(expr string) func() *regexp.Regexp {
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(expr) })
}

// Printable bounds text taken from a response to max bytes of printable
// characters: what a remote server sends must not reach a person's terminal
// as control sequences, nor flood the report.
func Printable(s string, max int) string {
	var b strings.Builder
	for _, r := range s {
		if !unicode.IsPrint(r) {
			continue
		}
		if b.Len()+utf8.RuneLen(r) > max {
			break
		}
		b.WriteRune(r)
	}
	return b.String()
}

// interceptors are words in certificate issuers that name the product
// that intercepts TLS: firewalls, secure web gateways, antivirus and
// debugging proxies. Tailscale's blockblame matches the first seven.
var interceptors = []struct{ words, vendor string }{
	{"aruba", "Aruba"},
	{"cisco", "Cisco"},
	{"fortinet", "Fortinet"},
	{"fortigate", "Fortinet"},
	{"huawei", "Huawei"},
	{"palo alto", "Palo Alto Networks"},
	{"paloaltonetworks", "Palo Alto Networks"},
	{"sophos", "Sophos"},
	{"ubiquiti", "Ubiquiti"},
	{"unifi", "Ubiquiti"},
	{"zscaler", "Zscaler"},
	{"netskope", "Netskope"},
	{"goskope", "Netskope"},
	{"blue coat", "Blue Coat (Symantec)"},
	{"bluecoat", "Blue Coat (Symantec)"},
	{"proxysg", "Blue Coat (Symantec)"},
	{"symantec", "Symantec"},
	{"kaspersky", "Kaspersky"},
	{"avast", "Avast"},
	{"avg", "AVG"},
	{"eset", "ESET"},
	{"bitdefender", "Bitdefender"},
	{"check point", "Check Point"},
	{"checkpoint", "Check Point"},
	{"sonicwall", "SonicWall"},
	{"watchguard", "WatchGuard"},
	{"barracuda", "Barracuda"},
	{"forcepoint", "Forcepoint"},
	{"websense", "Forcepoint"},
	{"mcafee", "McAfee"},
	{"trend micro", "Trend Micro"},
	{"norton", "Norton"},
	{"cloudflare for teams", "Cloudflare Gateway"},
	{"gateway ca cloudflare", "Cloudflare Gateway"},
	{"iboss", "iboss"},
	{"menlo security", "Menlo Security"},
	{"lightspeed", "Lightspeed Systems"},
	{"securly", "Securly"},
	{"smoothwall", "Smoothwall"},
	{"untangle", "Untangle"},
	{"mitmproxy", "mitmproxy"},
	{"fiddler", "Fiddler"},
	{"fiddlerroot", "Fiddler"},
	{"charles proxy", "Charles Proxy"},
	{"portswigger", "Burp Suite"},
}

// InterceptionVendor names the product an issuer belongs to, or "". It
// matches whole words, so that "eset" does not match "reset".
func InterceptionVendor(issuer string) string {
	words := " " + strings.Join(strings.FieldsFunc(strings.ToLower(issuer), func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9')
	}), " ") + " "
	for _, ic := range interceptors {
		if strings.Contains(words, " "+ic.words+" ") {
			return ic.vendor
		}
	}
	return ""
}
