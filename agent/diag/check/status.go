package check

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"mime"
	"strings"
	"time"

	"github.com/clearance-app/clearance/agent/diag/config"
	"github.com/clearance-app/clearance/agent/diag/finding"
	"github.com/clearance-app/clearance/agent/diag/probe"
)

// statusCheck reads OpenAI's status page: when OpenAI itself reports a
// problem, nothing on this computer needs fixing. The page is read softly:
// anything but the expected JSON makes the check an error with a plain
// reason, never a finding.
var statusCheck = Check{
	Name:    "status",
	Needs:   []string{"network"},
	Timeout: func(c *config.Config) time.Duration { return c.Status.Timeout.D() },
	Run:     runStatus,
}

// statusSummary is the part of the Atlassian-Statuspage-compatible
// summary.json that Clearance reads (status.openai.com serves it from
// incident.io). Pointers tell a missing field from an empty one.
type statusSummary struct {
	Status *struct {
		Indicator   *string `json:"indicator"`
		Description string  `json:"description"`
	} `json:"status"`
	Components []struct {
		Name   string `json:"name"`
		Status string `json:"status"`
	} `json:"components"`
}

// statusRelevantComponents are the parts of OpenAI's status page that a person
// using ChatGPT depends on, matched case-insensitively as substrings of the
// component names: the ChatGPT product itself (the "ChatGPT" group,
// Conversations, Login, Voice mode, GPTs, Files, image generation, search,
// deep research, agent, Codex, Sora) and the API endpoints that ChatGPT's
// apps and Codex call (Responses, Chat Completions). API-only parts
// (fine-tuning, batch, embeddings, moderation, Realtime) are left out: a
// problem there does not stop ChatGPT. When the page reports a problem and
// none of these is listed, the finding names every part not operational.
var statusRelevantComponents = []string{
	"chatgpt", "conversation", "login", "voice mode", "gpts", "files",
	"image generation", "search", "deep research", "agent", "codex", "sora",
	"responses", "chat completions",
}

func runStatus(ctx context.Context, env *Env) Result {
	url := env.Config.Status.URL
	resp := env.Probe.Do(ctx, probe.Request{
		URL:    url,
		Limit:  probe.JSONLimit,
		Header: map[string]string{"Accept": "application/json"},
	})
	sum, problem := statusReadPage(resp)
	data := map[string]any{"url": url}
	if resp.Reached() {
		data["http_status"] = resp.Status
	}
	if problem != "" {
		return Result{Status: Error, Summary: problem, Data: data}
	}
	return statusJudge(env.Now(), sum, data)
}

// statusReadPage decodes the answer, or says in plain words why it cannot.
func statusReadPage(resp *probe.Response) (statusSummary, string) {
	var sum statusSummary
	switch {
	case !resp.Reached():
		if resp.Timeout {
			return sum, "the status page did not answer in time"
		}
		return sum, "the status page could not be reached: " + probe.Classify(resp).Reason
	case resp.Status != 200:
		return sum, fmt.Sprintf("the status page answered HTTP %d instead of its JSON", resp.Status)
	case resp.Truncated:
		return sum, fmt.Sprintf("the status page's answer was larger than %d KiB or cut short, so it was not read", probe.JSONLimit>>10)
	case statusLooksLikeHTML(resp):
		return sum, "the status page answered with HTML, not its JSON"
	}
	if err := json.Unmarshal(resp.Body, &sum); err != nil {
		return sum, "the status page's JSON could not be read (it is malformed)"
	}
	if sum.Status == nil || sum.Status.Indicator == nil {
		return sum, "the status page's JSON has no overall status indicator"
	}
	return sum, ""
}

func statusLooksLikeHTML(resp *probe.Response) bool {
	if mt, _, err := mime.ParseMediaType(resp.Header.Get("Content-Type")); err == nil && strings.Contains(mt, "html") {
		return true
	}
	return bytes.HasPrefix(bytes.TrimSpace(resp.Body), []byte("<"))
}

// statusJudge turns the indicator into a verdict: minor is a warning, major
// and critical are critical, none (and maintenance) pass.
func statusJudge(now time.Time, sum statusSummary, data map[string]any) Result {
	// The page's own words reach the report and a terminal: bound them.
	indicator, description := *sum.Status.Indicator, probe.Printable(sum.Status.Description, 200)
	data["indicator"] = indicator
	data["description"] = description
	var down, relevant []string
	var parts []map[string]string
	for _, c := range sum.Components {
		if c.Status == "" || c.Status == "operational" {
			continue
		}
		c.Name, c.Status = probe.Printable(c.Name, 80), probe.Printable(c.Status, 40)
		down = append(down, c.Name)
		parts = append(parts, map[string]string{"name": c.Name, "status": c.Status})
		if statusRelevant(c.Name) {
			relevant = append(relevant, c.Name)
		}
	}
	data["not_operational"] = NonNil(parts)

	var sev finding.Severity
	switch indicator {
	case "none", "maintenance":
		return Result{Status: Pass, Summary: "OpenAI reports: " + statusOrDefault(description, "no problem"), Data: data}
	case "minor":
		sev = finding.Warning
	case "major", "critical":
		sev = finding.Critical
	default:
		return Result{Status: Error, Summary: fmt.Sprintf("the status page reports an unknown status %q", indicator), Data: data}
	}
	named := relevant
	if len(named) == 0 {
		named = down
	}
	f := finding.OpenAIOutage.New(now, map[string]any{
		"indicator":   indicator,
		"description": description,
		"components":  NonNil(named),
	})
	f.Severity = sev
	summary := fmt.Sprintf("OpenAI reports a %s problem: %s", indicator, statusOrDefault(description, "no description"))
	if len(named) > 0 {
		summary += " (" + strings.Join(named, ", ") + ")"
	}
	return Result{Summary: summary, Data: data, Findings: []finding.Finding{f}}
}

func statusRelevant(name string) bool {
	n := strings.ToLower(name)
	for _, r := range statusRelevantComponents {
		if strings.Contains(n, r) {
			return true
		}
	}
	return false
}

func statusOrDefault(s, def string) string {
	if strings.TrimSpace(s) == "" {
		return def
	}
	return s
}
