package probe

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/clearance-app/clearance/internal/testworld/cftest"
)

// recorded returns the response the cftest handler gives for a case,
// without a network: the classifier is a pure function of it.
func recorded(t *testing.T, c cftest.Case) *Response {
	t.Helper()
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodGet, "https://chatgpt.com/", nil)
	req.Header.Set("Accept", "application/json")
	cftest.Handler(c).ServeHTTP(rec, req)
	res := rec.Result()
	return &Response{Status: res.StatusCode, Header: res.Header, Body: rec.Body.Bytes()}
}

func TestClassifyCloudflareAnswers(t *testing.T) {
	tests := []struct {
		c          cftest.Case
		kind       Kind
		code       int
		ray        string
		retryAfter time.Duration // 0: none expected
		reason     string        // substring
	}{
		{cftest.OK, KindOK, 0, cftest.Ray, 0, "HTTP 200"},
		{cftest.Unauthorized, KindOK, 0, cftest.Ray, 0, "HTTP 401"},
		{cftest.Redirect, KindOK, 0, cftest.Ray, 0, "HTTP 302"},
		{cftest.NotFound, KindOK, 0, cftest.Ray, 0, "HTTP 404"},
		{cftest.Teapot, KindUnexpected, 0, cftest.Ray, 0, "HTTP 418"},
		{cftest.Block1020Text, KindBlocked, 1020, cftest.Ray, 0, "Access denied (Error 1020)"},
		{cftest.Block1020HTML, KindBlocked, 1020, cftest.Ray, 0, "Access denied (Error 1020)"},
		{cftest.Block1020JSON, KindBlocked, 1020, cftest.Ray, 0, "Access denied (Error 1020)"},
		{cftest.WAFBlock, KindBlocked, 0, cftest.Ray, 0, "blocked"},
		{cftest.Challenge, KindChallenge, 0, cftest.Ray, 0, "browser check"},
		{cftest.Challenge429, KindChallenge, 0, cftest.Ray, 0, "browser check"},
		{cftest.RateLimit1015, KindRateLimited, 1015, cftest.Ray, 30 * time.Second, "Error 1015"},
		{cftest.OpenAIRateLimit, KindRateLimited, 0, cftest.Ray, 0, "rate_limit_exceeded"},
		{cftest.Edge522, KindServerError, 522, cftest.Ray, 120 * time.Second, "Cloudflare error 522"},
		{cftest.Origin503, KindServerError, 0, cftest.Ray, 0, "HTTP 503"},
		{cftest.Region, KindRegionUnsupported, 0, cftest.Ray, 0, "country or region"},
		{cftest.Probe1010, KindProbeLimited, 1010, cftest.Ray, 0, "Error 1010"},
	}
	for _, tt := range tests {
		t.Run(string(tt.c), func(t *testing.T) {
			v := Classify(recorded(t, tt.c))
			if v.Kind != tt.kind || v.ErrorCode != tt.code || v.RayID != tt.ray {
				t.Errorf("got kind %q code %d ray %q; want %q %d %q", v.Kind, v.ErrorCode, v.RayID, tt.kind, tt.code, tt.ray)
			}
			if v.HasRetryAfter != (tt.retryAfter != 0) || v.RetryAfter != tt.retryAfter {
				t.Errorf("retry after %v (%v); want %v", v.RetryAfter, v.HasRetryAfter, tt.retryAfter)
			}
			if !strings.Contains(v.Reason, tt.reason) {
				t.Errorf("reason %q does not say %q", v.Reason, tt.reason)
			}
			if !v.Cloudflare {
				t.Error("an answer through the edge was not recognised as Cloudflare's")
			}
		})
	}
}

// answer builds a response from a status, header lines and a body.
func answer(status int, body string, header ...string) *Response {
	h := http.Header{}
	for _, kv := range header {
		k, v, _ := strings.Cut(kv, ":")
		h.Add(strings.TrimSpace(k), strings.TrimSpace(v))
	}
	return &Response{Status: status, Header: h, Body: []byte(body)}
}

func TestClassifyEdgeCases(t *testing.T) {
	tests := []struct {
		name   string
		r      *Response
		kind   Kind
		code   int
		ray    string
		retry  time.Duration
		hasRet bool
	}{
		{"challenge header in any case, on a 503", answer(503, "", "cf-mitigated: Challenge"), KindChallenge, 0, "", 0, false},
		{"challenge page without the header", answer(403, "<title>Just a moment...</title>", "server: cloudflare"), KindChallenge, 0, "", 0, false},
		{"challenge markers on a 200 are a normal page", answer(200, "window._cf_chl_opt={}", "server: cloudflare"), KindOK, 0, "", 0, false},
		{"challenge markers not from Cloudflare", answer(403, "<title>Just a moment...</title>"), KindUnexpected, 0, "", 0, false},
		{"ray from JSON when no header", answer(403, `{"error_code":1020,"ray_id":"0123456789abcdef"}`, "content-type: application/problem+json"), KindBlocked, 1020, "0123456789abcdef", 0, false},
		{"ray from an HTML page when no header", answer(403, "<p>Error code: 1020</p><p>Ray ID: 7a4c42104def397f</p>"), KindBlocked, 1020, "7a4c42104def397f", 0, false},
		{"retry-after as a date against the Date header", answer(429, "error code: 1015", "Date: Fri, 27 Nov 2026 13:00:00 GMT", "Retry-After: Fri, 27 Nov 2026 13:01:30 GMT"), KindRateLimited, 1015, "", 90 * time.Second, true},
		{"retry-after date without a Date header is ignored", answer(429, "", "Retry-After: Fri, 27 Nov 2026 13:01:30 GMT"), KindRateLimited, 0, "", 0, false},
		{"negative retry-after is ignored", answer(429, "", "Retry-After: -5"), KindRateLimited, 0, "", 0, false},
		{"retry_after from JSON", answer(429, `{"error_code":1015,"retry_after":30}`, "content-type: application/json"), KindRateLimited, 1015, "", 30 * time.Second, true},
		{"header retry-after wins over JSON", answer(429, `{"error_code":1015,"retry_after":30}`, "content-type: application/json", "Retry-After: 60"), KindRateLimited, 1015, "", 60 * time.Second, true},
		{"error_code as a string", answer(403, `{"error_code":"1020"}`), KindBlocked, 1020, "", 0, false},
		{"error_code of a wrong type", answer(403, `{"error_code":{"x":1}}`), KindUnexpected, 0, "", 0, false},
		{"unknown code in the access_denied category", answer(403, `{"error_code":1106,"error_category":"access_denied"}`), KindBlocked, 1106, "", 0, false},
		{"category alone", answer(403, `{"error_code":1111,"error_category":"access_denied"}`), KindBlocked, 1111, "", 0, false},
		{"country ban 1009", answer(403, "error code: 1009"), KindRegionUnsupported, 1009, "", 0, false},
		{"1015 on an HTML page", answer(429, `<span class="cf-code-label">Error code <span>1015</span></span>`), KindRateLimited, 1015, "", 0, false},
		{"Access denied page with no code", answer(403, "<title>Access denied | chatgpt.com used Cloudflare to restrict access</title>"), KindBlocked, 0, "", 0, false},
		{"530 with a 1016 page", answer(530, "error code: 1016"), KindServerError, 1016, "", 0, false},
		{"origin 500", answer(500, "Internal Server Error"), KindServerError, 0, "", 0, false},
		{"region as text on a 403", answer(403, "unsupported_country_region_territory"), KindRegionUnsupported, 0, "", 0, false},
		{"code in a 200 body means nothing", answer(200, "error code: 1020"), KindOK, 0, "", 0, false},
		{"plain 403", answer(403, "Forbidden"), KindUnexpected, 0, "", 0, false},
		{"301", answer(301, ""), KindOK, 0, "", 0, false},
		{"hostile cf-ray is cleaned", answer(200, "", "cf-ray: abc\x01def"), KindOK, 0, "abcdef", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := Classify(tt.r)
			if v.Kind != tt.kind || v.ErrorCode != tt.code || v.RayID != tt.ray {
				t.Errorf("got kind %q code %d ray %q; want %q %d %q", v.Kind, v.ErrorCode, v.RayID, tt.kind, tt.code, tt.ray)
			}
			if v.RetryAfter != tt.retry || v.HasRetryAfter != tt.hasRet {
				t.Errorf("retry after %v (%v); want %v (%v)", v.RetryAfter, v.HasRetryAfter, tt.retry, tt.hasRet)
			}
			if v.Reason == "" {
				t.Error("no reason for a person")
			}
		})
	}
}

func TestClassifyFailures(t *testing.T) {
	nb, na := time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2028, 1, 1, 0, 0, 0, 0, time.UTC)
	fail := func(stage Stage, timeout bool, cert *CertFailure, err error) *Response {
		if err == nil {
			err = errors.New("failed")
		}
		return &Response{Err: err, Stage: stage, Timeout: timeout, Cert: cert}
	}
	tests := []struct {
		name   string
		r      *Response
		kind   Kind
		reason string
		vendor string
	}{
		{"nil", nil, KindUnreachable, "no probe", ""},
		{"name not found", fail(StageDNS, false, nil, fmt.Errorf("dial: %w", &net.DNSError{Err: "no such host", Name: "chatgpt.com", IsNotFound: true})), KindDNS, "does not exist", ""},
		{"lookup timeout", fail(StageDNS, true, nil, nil), KindDNS, "timed out", ""},
		{"connect refused", fail(StageConnect, false, nil, nil), KindUnreachable, "refused", ""},
		{"connect timeout", fail(StageConnect, true, nil, nil), KindUnreachable, "timed out while connecting", ""},
		{"tls reset", fail(StageTLS, false, nil, nil), KindUnreachable, "TLS", ""},
		{"tls timeout", fail(StageTLS, true, nil, nil), KindUnreachable, "timed out during", ""},
		{"http broke", fail(StageHTTP, false, nil, nil), KindUnreachable, "broke", ""},
		{"http timeout", fail(StageHTTP, true, nil, nil), KindUnreachable, "waiting for an answer", ""},
		{"expired", fail(StageTLS, false, &CertFailure{Problem: CertExpired, NotBefore: nb, NotAfter: na}, nil), KindCertDates, "expired on 2028-01-01", ""},
		{"not yet valid", fail(StageTLS, false, &CertFailure{Problem: CertNotYetValid, NotBefore: nb, NotAfter: na}, nil), KindCertDates, "not valid until 2027-01-01", ""},
		{"unknown authority, vendor in CN", fail(StageTLS, false, &CertFailure{Problem: CertUnknownAuthority, Issuer: "FortiGate CA"}, nil), KindIntercepted, `"FortiGate CA" (Fortinet)`, "Fortinet"},
		{"unknown authority, vendor in O", fail(StageTLS, false, &CertFailure{Problem: CertUnknownAuthority, Issuer: "Forward Trust CA", IssuerDN: "CN=Forward Trust CA,O=Palo Alto Networks"}, nil), KindIntercepted, "Palo Alto Networks", "Palo Alto Networks"},
		{"unknown authority, unknown vendor", fail(StageTLS, false, &CertFailure{Problem: CertUnknownAuthority, Issuer: "Acme Co"}, nil), KindIntercepted, `"Acme Co"`, ""},
		{"hostname mismatch", fail(StageTLS, false, &CertFailure{Problem: CertHostname, Issuer: "R11"}, nil), KindUnreachable, "certificate was refused", ""},
		{"a response that also failed counts as the failure", &Response{Err: errors.New("x"), Stage: StageHTTP, Status: 200}, KindUnreachable, "broke", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := Classify(tt.r)
			if v.Kind != tt.kind || !strings.Contains(v.Reason, tt.reason) || v.Vendor != tt.vendor {
				t.Errorf("got %q %q vendor %q; want %q, reason with %q, vendor %q", v.Kind, v.Reason, v.Vendor, tt.kind, tt.reason, tt.vendor)
			}
		})
	}
}

func TestInterceptionVendor(t *testing.T) {
	tests := map[string]string{
		"Zscaler Intermediate Root CA (zscaler.net) (t)":     "Zscaler",
		"CN=ca.acme.goskope.com,OU=certadmin,O=Netskope Inc": "Netskope",
		"Fortinet_CA_SSL":                                  "Fortinet",
		"CN=Sophos SSL CA_C123,O=Sophos":                   "Sophos",
		"Kaspersky Anti-Virus Personal Root Certificate":   "Kaspersky",
		"Avast Web/Mail Shield Root":                       "Avast",
		"AVG Web/Mail Shield Root":                         "AVG",
		"ESET SSL Filter CA":                               "ESET",
		"Bitdefender Personal CA.Net-Defender":             "Bitdefender",
		"CN=Cisco Umbrella Secondary SubCA ord-SG,O=Cisco": "Cisco",
		"Huawei Web Security Gateway CA":                   "Huawei",
		"Aruba ClearPass":                                  "Aruba",
		"UniFi Gateway CA":                                 "Ubiquiti",
		"Blue Coat ProxySG":                                "Blue Coat (Symantec)",
		"Gateway CA - Cloudflare Managed G1 5a1d":          "Cloudflare Gateway",
		"DO_NOT_TRUST_FiddlerRoot":                         "Fiddler",
		"mitmproxy":                                        "mitmproxy",
		"CN=Connection Reset Authority":                    "", // "eset" inside a word
		"CN=Savage Labs":                                   "", // "avg" inside a word
		"Let's Encrypt R11":                                "",
		"":                                                 "",
	}
	for issuer, want := range tests {
		if got := InterceptionVendor(issuer); got != want {
			t.Errorf("InterceptionVendor(%q) = %q; want %q", issuer, got, want)
		}
	}
}

// knownKinds are every verdict Classify may return.
var knownKinds = map[Kind]bool{
	KindOK: true, KindUnexpected: true, KindChallenge: true, KindBlocked: true, KindRateLimited: true,
	KindServerError: true, KindRegionUnsupported: true, KindProbeLimited: true, KindCertDates: true,
	KindIntercepted: true, KindDNS: true, KindUnreachable: true,
}

// FuzzClassify feeds arbitrary statuses, header blocks, bodies and
// failures. Classify must not panic, must return a known verdict with a
// reason, and must keep the documented order: failures first, then a
// challenge header whatever the status.
func FuzzClassify(f *testing.F) {
	f.Add(403, "server: cloudflare\ncf-ray: "+cftest.Ray+"\ncontent-type: text/plain", []byte("error code: 1020"), "", false, uint8(0))
	f.Add(429, "cf-mitigated: challenge\ncontent-type: text/html", []byte("<title>Just a moment...</title>"), "", false, uint8(0))
	f.Add(429, "retry-after: 30", []byte("error code: 1015"), "", false, uint8(0))
	f.Add(429, "retry-after: Fri, 27 Nov 2026 13:01:30 GMT\ndate: Fri, 27 Nov 2026 13:00:00 GMT", []byte(""), "", false, uint8(0))
	f.Add(522, "content-type: application/json", []byte(`{"error_code":522,"retry_after":120,"ray_id":"9f140b785e57c458"}`), "", false, uint8(0))
	f.Add(403, "content-type: application/json", []byte(`{"error":{"code":"unsupported_country_region_territory","type":"request_forbidden"}}`), "", false, uint8(0))
	f.Add(403, "", []byte(`<title>Attention Required! | Cloudflare</title> Ray ID: <strong>0123456789abcdef</strong>`), "", false, uint8(0))
	f.Add(403, "", []byte(`{"error_code":1e400}`), "", false, uint8(0))
	f.Add(0, "", []byte(nil), "tls", true, uint8(3))
	f.Add(0, "", []byte(nil), "dns", false, uint8(0))
	f.Add(200, "", []byte("error code: 1020"), "", false, uint8(0))
	f.Fuzz(func(t *testing.T, status int, header string, body []byte, stage string, timeout bool, cert uint8) {
		r := &Response{Status: status, Header: http.Header{}, Body: body}
		for line := range strings.Lines(header) {
			if k, v, ok := strings.Cut(line, ":"); ok {
				r.Header.Add(strings.TrimSpace(k), strings.TrimSpace(v))
			}
		}
		if stage != "" {
			r.Err, r.Stage, r.Timeout = errors.New("failed"), Stage(stage), timeout
			problems := []CertProblem{CertExpired, CertNotYetValid, CertUnknownAuthority, CertHostname, CertOther}
			if int(cert) < len(problems) {
				r.Cert = &CertFailure{Problem: problems[cert], Issuer: header}
			}
		}
		v := Classify(r)
		if !knownKinds[v.Kind] || v.Reason == "" {
			t.Fatalf("verdict %q with reason %q", v.Kind, v.Reason)
		}
		if r.Err != nil && v.Kind.Problem() == false {
			t.Fatalf("a failed request judged %q", v.Kind)
		}
		if r.Err == nil && strings.EqualFold(strings.TrimSpace(r.Header.Get("Cf-Mitigated")), "challenge") && v.Kind != KindChallenge {
			t.Fatalf("challenge header judged %q", v.Kind)
		}
		if v.RetryAfter < 0 || v.RetryAfter > maxRetryAfter*time.Second || (!v.HasRetryAfter && v.RetryAfter != 0) {
			t.Fatalf("retry after %v (%v)", v.RetryAfter, v.HasRetryAfter)
		}
		if len(v.RayID) > 64 || Printable(v.RayID, 64) != v.RayID {
			t.Fatalf("ray id %q is not bounded printable text", v.RayID)
		}
	})
}

// FuzzRetryAfter: a Retry-After value and a Date header, as any server
// sends them. A wait read is whole seconds within a week, and a plain
// number of seconds is read as itself.
func FuzzRetryAfter(f *testing.F) {
	f.Add("30", "")
	f.Add("Fri, 27 Nov 2026 13:01:30 GMT", "Fri, 27 Nov 2026 13:00:00 GMT")
	f.Add("Friday, 27-Nov-26 13:01:30 GMT", "Fri Nov 27 13:00:00 2026")
	f.Add("-1", "")
	f.Add("604801", "")
	f.Add(" 0120 ", "")
	f.Fuzz(func(t *testing.T, value, date string) {
		h := http.Header{"Retry-After": {value}, "Date": {date}}
		d, ok := retryAfter(h)
		if !ok {
			if d != 0 {
				t.Fatalf("%v without a wait", d)
			}
			return
		}
		if d < 0 || d > maxRetryAfter*time.Second || d%time.Second != 0 {
			t.Fatalf("Retry-After %q, Date %q: wait %v", value, date, d)
		}
		if n, err := strconv.ParseInt(strings.TrimSpace(value), 10, 64); err == nil && d != time.Duration(n)*time.Second {
			t.Fatalf("Retry-After %q read as %v", value, d)
		}
	})
}
