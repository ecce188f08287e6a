// Package bundletest reads a diagnostics bundle back, for tests only.
package bundletest

import (
	"archive/zip"
	"bytes"
	"io"
	"testing"
)

// Files returns the bundle's files by name; it fails the test when b is not
// a zip whose every file reads.
func Files(t testing.TB, b []byte) map[string]string {
	t.Helper()
	z, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatalf("the bundle does not open as a zip: %v", err)
	}
	out := map[string]string{}
	for _, f := range z.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		out[f.Name] = string(data)
	}
	return out
}
