package assets

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/clearance-app/clearance/assets/internal/icon"
)

var states = []IconState{IconUnknown, IconClear, IconWarning, IconCritical}

func TestStateNamesMatchSource(t *testing.T) {
	if len(icon.States) != len(states) {
		t.Fatalf("source has %d states, package %d", len(icon.States), len(states))
	}
	for i, s := range states {
		if s.String() != icon.States[i] {
			t.Errorf("state %d is %q here, %q in the source", i, s, icon.States[i])
		}
	}
	if got := IconState(9).String(); got != "IconState(9)" {
		t.Errorf("IconState(9).String() = %q", got)
	}
}

// The committed files must be what the source draws now, and nothing
// else may lie beside them: otherwise an edit to the source (or to a file)
// drifts silently. Pixels are compared rather than bytes, since PNG
// compression may change between Go releases; the tolerance absorbs
// floating-point differences between architectures (fused multiply-add),
// far below what any change to a shape or colour makes.
func TestCommittedFilesMatchSource(t *testing.T) {
	want, err := icon.Files()
	if err != nil {
		t.Fatal(err)
	}
	var committed []string
	for _, dir := range []string{"png", "ico", "icns"} {
		err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				committed = append(committed, filepath.ToSlash(path))
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	var generated []string
	for name := range want {
		generated = append(generated, name)
	}
	sort.Strings(committed)
	sort.Strings(generated)
	if !equalStrings(committed, generated) {
		t.Fatalf("committed files %v, the source generates %v: run go generate ./assets", committed, generated)
	}
	for name, w := range want {
		got, err := os.ReadFile(filepath.FromSlash(name))
		if err != nil {
			t.Fatal(err)
		}
		gotImgs, wantImgs := decodeAll(t, name, got), decodeAll(t, name, w)
		if len(gotImgs) != len(wantImgs) {
			t.Errorf("%s holds %d images, the source %d: run go generate ./assets", name, len(gotImgs), len(wantImgs))
			continue
		}
		for i := range gotImgs {
			if d := maxDiff(gotImgs[i], wantImgs[i]); d > 8 {
				t.Errorf("%s image %d differs from the source by up to %d/255 per channel: run go generate ./assets", name, i, d)
			}
		}
	}
}

func TestFilesDecodeAtTheirSizes(t *testing.T) {
	for _, s := range states {
		for _, sz := range Sizes {
			b := PNG(s, sz)
			if b == nil {
				t.Fatalf("no %s PNG at %d px", s, sz)
			}
			img := decodePNG(t, b)
			if img.Bounds().Dx() != sz || img.Bounds().Dy() != sz {
				t.Errorf("%s-%d.png is %v", s, sz, img.Bounds())
			}
		}
		ico, err := os.ReadFile(filepath.Join("ico", s.String()+".ico"))
		if err != nil {
			t.Fatal(err)
		}
		entries, err := icon.DecodeICO(ico)
		if err != nil {
			t.Fatalf("%s.ico: %v", s, err)
		}
		if len(entries) != len(Sizes) {
			t.Fatalf("%s.ico has %d images, want %d", s, len(entries), len(Sizes))
		}
		for i, e := range entries {
			img := decodePNG(t, e.Data)
			if e.Width != Sizes[i] || e.Height != Sizes[i] || img.Bounds().Dx() != Sizes[i] || img.Bounds().Dy() != Sizes[i] {
				t.Errorf("%s.ico image %d: directory says %dx%d, PNG is %v, want %d px", s, i, e.Width, e.Height, img.Bounds(), Sizes[i])
			}
		}
	}
	if PNG(IconClear, 17) != nil {
		t.Error("PNG returned bytes for a size that is not generated")
	}
}

// Icon returns what this OS's tray takes: an ICO on Windows, a PNG
// elsewhere; either way every state's bytes decode, and a state out of
// range falls back to the unknown icon rather than to nothing.
func TestIconForThisOS(t *testing.T) {
	for _, s := range append(states, IconState(42)) {
		b := Icon(s)
		if len(b) == 0 {
			t.Fatalf("Icon(%s) is empty", s)
		}
		if imgs := decodeAll(t, s.String(), b); len(imgs) == 0 {
			t.Fatalf("Icon(%s) holds no image", s)
		}
	}
	if !bytes.Equal(Icon(IconState(42)), Icon(IconUnknown)) {
		t.Error("an out-of-range state does not get the unknown icon")
	}
}

// The states are told apart by shape, not only colour. What a person
// who sees no colour gets is lightness: composited on a neutral panel and
// reduced to luminance, any two states differ in a good share of their
// pixels (the silhouettes alone would not do: at 16 px an octagon is
// nearly a circle, so clear and critical differ by their glyphs).
func TestStatesDifferWithoutColour(t *testing.T) {
	panel := color.NRGBA{0x80, 0x80, 0x80, 0xff}
	for _, sz := range Sizes {
		lum := map[IconState][]float64{}
		for _, s := range states {
			img := decodePNG(t, PNG(s, sz))
			l := make([]float64, sz*sz)
			for y := 0; y < sz; y++ {
				for x := 0; x < sz; x++ {
					c := color.NRGBAModel.Convert(img.At(x, y)).(color.NRGBA)
					l[y*sz+x] = luminance(over(c, panel))
				}
			}
			lum[s] = l
		}
		for i, a := range states {
			for _, b := range states[i+1:] {
				diff := 0
				for p := range lum[a] {
					if contrast1(lum[a][p], lum[b][p]) >= 2 {
						diff++
					}
				}
				if share := float64(diff) / float64(sz*sz); share < 0.1 {
					t.Errorf("%d px: in grey, %s and %s differ in only %.0f%% of their pixels", sz, a, b, share*100)
				}
			}
		}
	}
}

// The silhouettes differ too where they can: warning's triangle and
// unknown's hollow ring from every other state.
func TestSilhouettesDiffer(t *testing.T) {
	for _, sz := range Sizes {
		masks := map[IconState][]bool{}
		for _, s := range states {
			img := decodePNG(t, PNG(s, sz))
			m := make([]bool, sz*sz)
			for y := 0; y < sz; y++ {
				for x := 0; x < sz; x++ {
					_, _, _, a := img.At(x, y).RGBA()
					m[y*sz+x] = a >= 0x8000
				}
			}
			masks[s] = m
		}
		for _, a := range []IconState{IconWarning, IconUnknown} {
			for _, b := range states {
				if a == b {
					continue
				}
				diff, union := 0, 0
				for p := range masks[a] {
					if masks[a][p] || masks[b][p] {
						union++
					}
					if masks[a][p] != masks[b][p] {
						diff++
					}
				}
				if share := float64(diff) / float64(union); share < 0.2 {
					t.Errorf("%d px: %s and %s silhouettes differ in only %.0f%% of their pixels", sz, a, b, share*100)
				}
			}
		}
	}
}

// panels are light and dark desktop panel colours (Windows, GNOME, KDE,
// Xfce defaults are near these). Mid-tone coloured panels (a blue accent
// taskbar) are on the contact sheet for a person to judge.
var panels = []color.NRGBA{
	{0xf2, 0xf2, 0xf2, 0xff},
	{0xd6, 0xd6, 0xd6, 0xff},
	{0x30, 0x30, 0x30, 0xff},
	{0x1a, 0x1a, 0x1a, 0xff},
}

// Every icon stands out on light and dark panels: on each, a good share
// of its pixels contrast with the panel by at least 3:1 (the WCAG minimum
// for graphics). The dark outline carries light panels, the fills carry
// dark ones; dropping either makes this fail.
func TestIconsStandOutOnLightAndDarkPanels(t *testing.T) {
	for _, s := range states {
		for _, sz := range Sizes {
			img := decodePNG(t, PNG(s, sz))
			for _, bg := range panels {
				visible, opaque := 0, 0
				for y := 0; y < sz; y++ {
					for x := 0; x < sz; x++ {
						c := color.NRGBAModel.Convert(img.At(x, y)).(color.NRGBA)
						if c.A < 0x80 {
							continue
						}
						opaque++
						if contrast(over(c, bg), bg) >= 3 {
							visible++
						}
					}
				}
				if share := float64(visible) / float64(opaque); share < 0.2 {
					t.Errorf("%s at %d px on panel %v: only %.0f%% of its pixels contrast 3:1 with the panel", s, sz, bg, share*100)
				}
			}
		}
	}
}

func decodeAll(t *testing.T, name string, b []byte) []image.Image {
	t.Helper()
	if bytes.HasPrefix(b, []byte("icns")) {
		entries, err := icon.DecodeICNS(b)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		var out []image.Image
		for _, e := range entries {
			out = append(out, decodePNG(t, e.Data))
		}
		return out
	}
	if bytes.HasPrefix(b, []byte{0, 0, 1, 0}) {
		entries, err := icon.DecodeICO(b)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		var out []image.Image
		for _, e := range entries {
			out = append(out, decodePNG(t, e.Data))
		}
		return out
	}
	return []image.Image{decodePNG(t, b)}
}

func decodePNG(t *testing.T, b []byte) image.Image {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("decode PNG: %v", err)
	}
	return img
}

func maxDiff(a, b image.Image) int {
	if a.Bounds() != b.Bounds() {
		return 255
	}
	worst := 0
	for y := a.Bounds().Min.Y; y < a.Bounds().Max.Y; y++ {
		for x := a.Bounds().Min.X; x < a.Bounds().Max.X; x++ {
			ca := color.NRGBAModel.Convert(a.At(x, y)).(color.NRGBA)
			cb := color.NRGBAModel.Convert(b.At(x, y)).(color.NRGBA)
			if ca.A == 0 && cb.A == 0 {
				continue
			}
			for _, d := range []int{int(ca.R) - int(cb.R), int(ca.G) - int(cb.G), int(ca.B) - int(cb.B), int(ca.A) - int(cb.A)} {
				worst = max(worst, abs(d))
			}
		}
	}
	return worst
}

// over composites c on the opaque background bg.
func over(c, bg color.NRGBA) color.NRGBA {
	a := float64(c.A) / 255
	mix := func(f, b uint8) uint8 { return uint8(math.Round(float64(f)*a + float64(b)*(1-a))) }
	return color.NRGBA{mix(c.R, bg.R), mix(c.G, bg.G), mix(c.B, bg.B), 0xff}
}

// contrast is the WCAG 2 contrast ratio of two opaque colours.
func contrast(a, b color.NRGBA) float64 { return contrast1(luminance(a), luminance(b)) }

func contrast1(la, lb float64) float64 {
	return (math.Max(la, lb) + 0.05) / (math.Min(la, lb) + 0.05)
}

func luminance(c color.NRGBA) float64 {
	lin := func(v uint8) float64 {
		s := float64(v) / 255
		if s <= 0.04045 {
			return s / 12.92
		}
		return math.Pow((s+0.055)/1.055, 2.4)
	}
	return 0.2126*lin(c.R) + 0.7152*lin(c.G) + 0.0722*lin(c.B)
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}
