package check

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/clearance-app/clearance/agent/diag/probe"
)

// FuzzStatusPage feeds the status page's answer — status, content type and
// body, which whoever answers for status.openai.com chooses — through
// reading and judging. There is always a verdict in words, and none of
// the page's own text reaches a person unprintable: the summary and the
// finding's evidence are what the report and the tray show.
func FuzzStatusPage(f *testing.F) {
	f.Add(200, "application/json; charset=utf-8", []byte(statusSummaryJSON("none", "All Systems Operational", statusAllUp...)))
	f.Add(200, "application/json", []byte(statusSummaryJSON("major", "Partial System Outage", statusWith(statusAllUp, "Login", "major_outage")...)))
	f.Add(200, "application/json", []byte(`{"status":{"indicator":"minor","description":"\u001b[2JDegraded"},"components":[{"name":"Conversations\u0007","status":"degraded_performance"}]}`))
	f.Add(200, "application/json", []byte(`{"status":{"indicator":"\u001b[31mred"}}`))
	f.Add(200, "text/html", []byte("<html>maintenance</html>"))
	f.Add(503, "application/json", []byte(`{}`))
	f.Add(200, "application/json", []byte(`{"status":{"indicator":null},"components":7}`))
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, status int, contentType string, body []byte) {
		resp := &probe.Response{Status: status, Header: http.Header{"Content-Type": {contentType}}, Body: body}
		sum, problem := statusReadPage(resp)
		if problem != "" {
			return
		}
		res := statusJudge(now, sum, map[string]any{})
		if res.Summary == "" {
			t.Fatalf("no summary: %+v", res)
		}
		if !printable(res.Summary) {
			t.Fatalf("summary %q holds unprintable text from the page", res.Summary)
		}
		for _, fd := range res.Findings {
			ev, err := json.Marshal(fd.Evidence)
			if err != nil {
				t.Fatal(err)
			}
			var strs []string
			collectStrings(fd.Evidence, &strs)
			for _, s := range strs {
				if !printable(s) {
					t.Fatalf("evidence %s holds unprintable text from the page", ev)
				}
			}
		}
	})
}

func printable(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return !unicode.IsPrint(r) }) < 0
}

// collectStrings gathers every string in evidence, however nested.
func collectStrings(v any, out *[]string) {
	switch v := v.(type) {
	case string:
		*out = append(*out, v)
	case []string:
		*out = append(*out, v...)
	case map[string]any:
		for _, x := range v {
			collectStrings(x, out)
		}
	case []any:
		for _, x := range v {
			collectStrings(x, out)
		}
	}
}
