package tray

import (
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/clearance-app/clearance/agent/finding"
)

// "Details…" writes the finding to a small text file and opens it with the
// person's default viewer (a text editor, or the browser for file URLs).
// That works the same on every desktop, has room for the whole detail and
// the evidence, and can be copied into a support request; a notification
// would cut the text short, and macOS notifications cannot be scrolled.

// detailsText is the file's content, for a person.
func detailsText(f finding.Finding, now time.Time) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n%s\n\n", f.Title, strings.Repeat("=", len([]rune(f.Title))))
	fmt.Fprintf(&b, "%s\n\n", f.Detail)
	fmt.Fprintf(&b, "Severity: %s\n", severityLabel(f.Severity))
	if !f.Since.IsZero() {
		fmt.Fprintf(&b, "Seen since: %s\n", f.Since.In(now.Location()).Format("2 Jan 2006 15:04:05"))
	}
	fmt.Fprintf(&b, "Found by the %s check (code %s)\n", f.Check, f.Code)
	if len(f.Fixes) > 0 {
		b.WriteString("\nWhat Clearance can do:\n")
		for _, id := range f.Fixes {
			fmt.Fprintf(&b, "  - %s\n", fixTitle(id))
		}
	}
	if len(f.Evidence) > 0 {
		b.WriteString("\nWhat was measured:\n")
		keys := make([]string, 0, len(f.Evidence))
		for k := range f.Evidence {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			fmt.Fprintf(&b, "  %s: %s\n", k, evidenceValue(f.Evidence[k]))
		}
	}
	fmt.Fprintf(&b, "\nWritten by the Clearance tray at %s.\n", now.Format("2 Jan 2006 15:04:05"))
	return b.String()
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

// writeDetails writes the finding's details under dir and returns the path.
// One file per code, replaced each time: the directory never grows.
func writeDetails(dir string, f finding.Finding, now time.Time) (string, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("create %s: %w", dir, err)
	}
	name := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' {
			return r
		}
		return '_'
	}, string(f.Code))
	path := filepath.Join(dir, name+".txt")
	if err := os.WriteFile(path, []byte(detailsText(f, now)), 0o600); err != nil {
		return "", fmt.Errorf("write the details: %w", err)
	}
	return path, nil
}

// fileURL turns an absolute path into a file URL: file:///home/a/x.txt,
// file:///C:/Users/a/x.txt.
func fileURL(path string) string {
	p := filepath.ToSlash(path)
	if !strings.HasPrefix(p, "/") {
		p = "/" + p
	}
	return (&url.URL{Scheme: "file", Path: p}).String()
}
