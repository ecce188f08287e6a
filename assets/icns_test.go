package assets

import (
	"bytes"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"github.com/clearance-app/clearance/assets/internal/icon"
)

// The macOS app's icon holds one PNG per size macOS asks of an app icon,
// each under the ICNS type for its size (ic07 128 px … ic10 1024 px),
// with lengths that add up to the file's: what the Finder reads.
func TestAppIconICNS(t *testing.T) {
	b, err := os.ReadFile(filepath.FromSlash(icon.ICNSPath))
	if err != nil {
		t.Fatal(err)
	}
	entries, err := icon.DecodeICNS(b)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		typ  string
		size int
	}{{"ic07", 128}, {"ic08", 256}, {"ic09", 512}, {"ic10", 1024}}
	if len(entries) != len(want) {
		t.Fatalf("%d images, want %d", len(entries), len(want))
	}
	for i, e := range entries {
		cfg, err := png.DecodeConfig(bytes.NewReader(e.Data))
		if err != nil {
			t.Fatalf("%s: %v", e.Type, err)
		}
		if e.Type != want[i].typ || cfg.Width != want[i].size || cfg.Height != want[i].size {
			t.Errorf("image %d is %s at %dx%d, want %s at %d px", i, e.Type, cfg.Width, cfg.Height, want[i].typ, want[i].size)
		}
	}
}

// Sizes ICNS has no PNG type for are refused, and a truncated or
// inconsistent file is not read.
func TestICNSRefusals(t *testing.T) {
	img, err := icon.Draw("clear", 48)
	if err != nil {
		t.Fatal(err)
	}
	var p bytes.Buffer
	if err := png.Encode(&p, img); err != nil {
		t.Fatal(err)
	}
	if _, err := icon.EncodeICNS([][]byte{p.Bytes()}); err == nil {
		t.Error("a 48 px image was packed into an ICNS")
	}
	good, err := os.ReadFile(filepath.FromSlash(icon.ICNSPath))
	if err != nil {
		t.Fatal(err)
	}
	for name, b := range map[string][]byte{
		"truncated":  good[:len(good)-1],
		"not icns":   append([]byte("icnx"), good[4:]...),
		"long entry": append(append([]byte{}, good[:12]...), append([]byte{0xff, 0xff, 0xff, 0xff}, good[16:]...)...),
	} {
		if _, err := icon.DecodeICNS(b); err == nil {
			t.Errorf("%s: decoded", name)
		}
	}
}
