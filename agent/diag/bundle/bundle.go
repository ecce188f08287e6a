// Package bundle writes the diagnostics bundle of `clearance report`: one
// zip of named parts (the check report, the agent's state, logs, the
// network's tables…) and a manifest that says where each came from and
// whether it could be read, with host names, login names and addresses
// replaced by placeholders (Redactor). It reads nothing from the machine
// itself: the parts are handed to it, so that what goes in is the caller's
// to choose and a test's to plant.
package bundle

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"time"
)

// MaxPartBytes bounds what one part puts in the zip: a huge log or table
// cannot make a huge bundle. A longer part keeps, once redacted, its
// first lines that fit.
const MaxPartBytes = 1 << 20

// ManifestName is the manifest's name in the zip.
const ManifestName = "manifest.json"

// Part is one file of the bundle, or why it could not be had.
type Part struct {
	Name   string // its name in the zip ("check.json")
	Source string // where it came from, for a person ("GET /v1/state", "/var/log/clearance.err")
	Data   []byte
	// Err is why the part could not be read; Data is then left out.
	Err error
	// NeedsAdmin is true when Err is a lack of rights that an
	// administrator does not have (the service's log, for a person).
	NeedsAdmin bool
}

// Manifest is manifest.json: what the bundle holds.
type Manifest struct {
	Version   int            `json:"version"`
	CreatedAt time.Time      `json:"created_at"`
	Redacted  bool           `json:"redacted"`
	Replaced  map[string]int `json:"replaced"` // placeholders given, by kind (host, user, ip4, ip6, mac)
	Parts     []PartEntry    `json:"parts"`
}

// PartEntry is one part in the manifest.
type PartEntry struct {
	Name       string `json:"name"`
	Source     string `json:"source"`
	Read       bool   `json:"read"`
	Bytes      int    `json:"bytes"`               // in the zip, after redaction
	Truncated  bool   `json:"truncated,omitempty"` // cut at MaxPartBytes
	Error      string `json:"error,omitempty"`
	NeedsAdmin bool   `json:"needs_admin,omitempty"`
}

// Write writes the zip of parts and the manifest to w. With r, every part,
// every source and every error passes through it; nil writes them as they
// are. The manifest lists the parts in the order given; it is written
// last, so that it can count what redaction replaced.
func Write(w io.Writer, parts []Part, r *Redactor, created time.Time) (Manifest, error) {
	redact, redactPart := func(b []byte) []byte { return b }, func(b []byte) []byte { return b }
	if r != nil {
		redact, redactPart = r.Redact, r.RedactPart
	}
	m := Manifest{Version: 1, CreatedAt: created.UTC(), Redacted: r != nil, Replaced: map[string]int{}, Parts: []PartEntry{}}
	z := zip.NewWriter(w)
	for _, p := range parts {
		e := PartEntry{Name: p.Name, Source: string(redact([]byte(p.Source)))}
		if p.Err != nil {
			e.Error = string(redact([]byte(p.Err.Error())))
			e.NeedsAdmin = p.NeedsAdmin
			m.Parts = append(m.Parts, e)
			continue
		}
		// Redacted whole, then cut: a cut made first could leave half an
		// address ("10.1.2.") or half a name that redaction no longer
		// knows.
		data := redactPart(p.Data)
		data, e.Truncated = cut(data, MaxPartBytes)
		if err := add(z, p.Name, created, data); err != nil {
			return Manifest{}, err
		}
		e.Read, e.Bytes = true, len(data)
		m.Parts = append(m.Parts, e)
	}
	if r != nil {
		m.Replaced = r.Counts()
	}
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return Manifest{}, err
	}
	if err := add(z, ManifestName, created, append(b, '\n')); err != nil {
		return Manifest{}, err
	}
	if err := z.Close(); err != nil {
		return Manifest{}, fmt.Errorf("finish the zip: %w", err)
	}
	return m, nil
}

// cut keeps the lines of b that fit in limit bytes, or its first limit bytes
// when its first line is longer, and says whether it cut.
func cut(b []byte, limit int) ([]byte, bool) {
	if len(b) <= limit {
		return b, false
	}
	if i := bytes.LastIndexByte(b[:limit], '\n'); i >= 0 {
		return b[:i+1], true
	}
	return b[:limit], true
}

func add(z *zip.Writer, name string, at time.Time, data []byte) error {
	f, err := z.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: at})
	if err != nil {
		return fmt.Errorf("add %s to the zip: %w", name, err)
	}
	if _, err := f.Write(data); err != nil {
		return fmt.Errorf("add %s to the zip: %w", name, err)
	}
	return nil
}
