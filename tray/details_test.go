package tray

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/clearance-app/clearance/agent/finding"
)

func TestDetailsFile(t *testing.T) {
	now := time.Date(2026, 11, 27, 14, 30, 0, 0, time.UTC)
	fd := finding.ClockSkew.New(now.Add(-time.Hour), map[string]any{"offset_seconds": -92.4, "method": "ntp", "sources": []string{"time.cloudflare.com"}})
	dir := filepath.Join(t.TempDir(), "details")
	path, err := writeDetails(dir, fd, now)
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Base(path) != "clock-skew.txt" {
		t.Fatalf("path %s", path)
	}
	b, _ := os.ReadFile(path)
	text := string(b)
	for _, want := range []string{
		"The clock is wrong\n==================\n",
		fd.Detail,
		"Severity: Warning",
		"Seen since: 27 Nov 2026 13:30:00",
		"  - Sync the clock now",
		"  method: ntp\n  offset_seconds: -92.4\n  sources: [\"time.cloudflare.com\"]\n",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("details lack %q:\n%s", want, text)
		}
	}
	if got := fileURL("/home/ann/.cache/clearance/details/clock-skew.txt"); got != "file:///home/ann/.cache/clearance/details/clock-skew.txt" {
		t.Errorf("file URL %s", got)
	}
	if got := fileURL("/tmp/a b.txt"); got != "file:///tmp/a%20b.txt" {
		t.Errorf("file URL with a space %s", got)
	}
}
