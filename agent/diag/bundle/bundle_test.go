package bundle

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/clearance-app/clearance/agent/diag/bundle/bundletest"
)

// Every part, and the manifest's sources and errors, pass through the
// redactor; a part that could not be read is listed with why, and one
// too big is cut.
func TestWrite(t *testing.T) {
	at := time.Date(2026, 12, 5, 1, 0, 0, 0, time.UTC)
	parts := []Part{
		{Name: "a.json", Source: "GET /v1/state", Data: []byte(`{"ip":"93.184.216.34","host":"laptop"}`)},
		{Name: "log.txt", Source: "/home/alice/log", Err: errors.New("open /home/alice/log: permission denied"), NeedsAdmin: true},
		{Name: "big.txt", Source: "a big one", Data: bytes.Repeat([]byte("x"), MaxPartBytes+10)},
	}
	var buf bytes.Buffer
	m, err := Write(&buf, parts, NewRedactor([]string{"laptop"}, []string{"alice"}), at)
	if err != nil {
		t.Fatal(err)
	}
	files := bundletest.Files(t, buf.Bytes())
	if len(files) != 3 || files["a.json"] != `{"ip":"ip4-1","host":"host-1"}` || len(files["big.txt"]) != MaxPartBytes {
		t.Fatalf("files %d, a.json %q, big.txt %d bytes", len(files), files["a.json"], len(files["big.txt"]))
	}
	var got Manifest
	if err := json.Unmarshal([]byte(files[ManifestName]), &got); err != nil {
		t.Fatal(err)
	}
	if !got.CreatedAt.Equal(at) || !got.Redacted || got.Replaced["ip4"] != 1 || got.Replaced["user"] != 1 || len(got.Parts) != 3 {
		t.Fatalf("manifest %+v", got)
	}
	if e := got.Parts[1]; e.Read || !e.NeedsAdmin || e.Source != "/home/user-1/log" || e.Error != "open /home/user-1/log: permission denied" {
		t.Errorf("unread part %+v", e)
	}
	if e := got.Parts[2]; !e.Read || !e.Truncated || e.Bytes != MaxPartBytes {
		t.Errorf("big part %+v", e)
	}
	for name, data := range files {
		if strings.Contains(data, "alice") || strings.Contains(data, "93.184") {
			t.Errorf("%s holds a planted value: %s", name, data)
		}
	}
	if m.Parts[0].Bytes != len(files["a.json"]) {
		t.Errorf("returned manifest %+v", m)
	}

	// A long part is redacted whole, then cut at a line: the cut leaves
	// no part of an address ("10.1.2") that redaction could no longer
	// know. Cut first at MaxPartBytes, this one would end in "10.1.2".
	lines := "#########\n" + strings.Repeat("10.1.2.3 alice\n", 100000)
	buf.Reset()
	m, err = Write(&buf, []Part{{Name: "log.txt", Source: "a log", Data: []byte(lines)}}, NewRedactor(nil, []string{"alice"}), at)
	if err != nil {
		t.Fatal(err)
	}
	log := bundletest.Files(t, buf.Bytes())["log.txt"]
	if !m.Parts[0].Truncated || len(log) > MaxPartBytes || len(log) < MaxPartBytes-100 || !strings.HasSuffix(log, "ip4-1 user-1\n") || strings.Contains(log, "10.1") || strings.Contains(log, "alic") {
		t.Errorf("cut part: %d bytes, truncated %v, ends %q", len(log), m.Parts[0].Truncated, log[max(0, len(log)-40):])
	}

	// Without a redactor, the parts go in as they are.
	buf.Reset()
	if _, err := Write(&buf, parts[:1], nil, at); err != nil {
		t.Fatal(err)
	}
	if files := bundletest.Files(t, buf.Bytes()); files["a.json"] != string(parts[0].Data) || !strings.Contains(files[ManifestName], `"redacted": false`) {
		t.Fatalf("unredacted: %q", files)
	}
}
