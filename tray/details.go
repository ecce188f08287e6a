package tray

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"html/template"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/clearance-app/clearance/agent/diag/finding"
	"github.com/clearance-app/clearance/platform"
)

// "Details…" writes the finding as a small page where the browser can read
// it (detailsDir: on Linux, a folder in the download directory, for snap
// and Flatpak browsers), and opens it with the desktop's program for HTML
// (the browser) as a local file. That works the same on every desktop, has
// room for the whole detail and the evidence, and can be copied into a
// support request; a notification would cut the text short, and macOS
// notifications cannot be scrolled.
//
// The page is static and self-contained: no script, nothing loaded from
// anywhere (its Content-Security-Policy forbids both), every value escaped
// by html/template. The fixes are only named: their buttons stay in the
// tray, and no local endpoint serves the page, so nothing on the web can
// start a fix.

//go:embed details.html
var detailsPage string

var detailsTemplate = template.Must(template.New("details").Parse(detailsPage))

// detailsView is what the page shows, as text; the template escapes it.
type detailsView struct {
	Title, Detail           string
	Severity, SeverityClass string
	Since, Written          string
	Check, Code             string
	Fixes                   []string
	Evidence                []evidenceRow
}

type evidenceRow struct{ Name, Value string }

// detailsHTML renders the page for f, with times in now's zone.
func detailsHTML(f finding.Finding, now time.Time) ([]byte, error) {
	const layout = "2 Jan 2006 15:04:05"
	v := detailsView{
		Title:         f.Title,
		Detail:        f.Detail,
		Severity:      severityLabel(f.Severity),
		SeverityClass: severityClass(f.Severity),
		Written:       now.Format(layout),
		Check:         f.Check,
		Code:          string(f.Code),
	}
	if !f.Since.IsZero() {
		v.Since = f.Since.In(now.Location()).Format(layout)
	}
	for _, id := range f.Fixes {
		v.Fixes = append(v.Fixes, fixTitle(id))
	}
	for _, k := range slices.Sorted(maps.Keys(f.Evidence)) {
		v.Evidence = append(v.Evidence, evidenceRow{k, evidenceValue(f.Evidence[k])})
	}
	var b bytes.Buffer
	if err := detailsTemplate.Execute(&b, v); err != nil {
		return nil, fmt.Errorf("render the details: %w", err)
	}
	return b.Bytes(), nil
}

// severityClass picks the page's colour for a severity.
func severityClass(s finding.Severity) string {
	switch s {
	case finding.Critical:
		return "critical"
	case finding.Warning:
		return "warning"
	}
	return "info"
}

// evidenceValue shows one measured value: strings as they are, anything
// else as compact JSON.
func evidenceValue(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// writeDetails writes the finding's page under dir (detailsDir), made a
// directory only the person may enter, and returns its path. One file per code, replaced
// whole each time (a browser never reads half a page), so the directory
// never grows.
func writeDetails(dir string, f finding.Finding, now time.Time) (string, error) {
	page, err := detailsHTML(f, now)
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("create %s: %w", dir, err)
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		return "", fmt.Errorf("make %s private: %w", dir, err)
	}
	name := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' {
			return r
		}
		return '_'
	}, string(f.Code))
	path := filepath.Join(dir, name+".html")
	platform.RemoveStaleTemps(path) // what a write killed half-way left; harmless if it stays
	if err := platform.WriteFileAtomic(path, page, 0o600, false); err != nil {
		return "", fmt.Errorf("write the details: %w", err)
	}
	return path, nil
}
