// Package icon is the source of Clearance's tray icons: each state's
// drawing, written as shapes in Go, and the rasterizer and ICO writer that
// turn them into the committed files under assets/ (go generate, in
// assets/gen). It must stay deterministic and free of other dependencies:
// a test regenerates every file and compares it with the committed one.
//
// The states are told apart by shape as well as colour, for people who do
// not see the colours: a filled circle with a check (clear), a triangle
// with "!" (warning), an octagon with a cross (critical), a hollow ring
// (unknown: agent unreachable or first check running).
// Every shape has a dark outline so that it stands out on light panels;
// the fills are light enough to stand out on dark ones.
package icon

import (
	"fmt"
	"image"
	"image/color"
	"math"
)

// States are the icon names, in the order of assets.IconState.
var States = []string{"unknown", "clear", "warning", "critical"}

// Sizes are the pixel sizes generated for every state: the tray sizes of
// 100 % to 200 % scaling, and what the Windows ICO carries.
var Sizes = []int{16, 24, 32, 48}

var (
	outline = color.NRGBA{0x1c, 0x1c, 0x1c, 0xff}
	white   = color.NRGBA{0xff, 0xff, 0xff, 0xff}
	green   = color.NRGBA{0x2e, 0xa0, 0x4c, 0xff}
	amber   = color.NRGBA{0xff, 0xb8, 0x1c, 0xff}
	red     = color.NRGBA{0xe8, 0x39, 0x2f, 0xff}
	grey    = color.NRGBA{0xa8, 0xad, 0xb3, 0xff}
)

// Draw renders the named state at size×size pixels.
func Draw(state string, size int) (*image.NRGBA, error) {
	s := float64(size)
	// Widths in pixels, with floors so that the 16 px icon keeps a full
	// pixel of outline and two-pixel strokes.
	ow := math.Max(1, s/16)     // outline
	pen := math.Max(1, s*0.058) // glyph pen radius
	c := s / 2                  // centre
	at := func(u, v float64) [2]float64 { return [2]float64{u * s, v * s} }

	var layers []layer
	switch state {
	case "clear":
		disc := circle(c, c, c)
		check := stroke(pen, at(0.27, 0.53), at(0.43, 0.69), at(0.74, 0.34))
		layers = []layer{
			{disc, outline},
			{grow(disc, -ow), green},
			{check, white},
		}
	case "warning":
		// A triangle whose corners are rounded by growing a smaller one.
		rc := s * 0.08
		tri := grow(polygon(at(0.5, 0.02+0.16), at(0.02+0.14, 0.96-0.08), at(0.98-0.14, 0.96-0.08)), rc)
		bang := union(
			stroke(pen, at(0.5, 0.40), at(0.5, 0.63)),
			circle(0.5*s, 0.80*s, pen*1.1),
		)
		layers = []layer{
			{tri, outline},
			{grow(tri, -ow), amber},
			{bang, outline},
		}
	case "critical":
		// Flat sides touching the canvas edges: inradius s/2.
		var pts [][2]float64
		r := c / math.Cos(math.Pi/8)
		for k := 0; k < 8; k++ {
			a := math.Pi/8 + float64(k)*math.Pi/4
			pts = append(pts, [2]float64{c + r*math.Cos(a), c + r*math.Sin(a)})
		}
		oct := polygon(pts...)
		cross := union(
			stroke(pen, at(0.33, 0.33), at(0.67, 0.67)),
			stroke(pen, at(0.67, 0.33), at(0.33, 0.67)),
		)
		layers = []layer{
			{oct, outline},
			{grow(oct, -ow), red},
			{cross, white},
		}
	case "unknown":
		// Hollow: nothing is known yet. A glyph inside would not fit
		// at 16 px beside a band thick enough to see.
		w := math.Max(4, s*0.24) // band width, outline included
		band := ring(c, c, c-w/2, w)
		layers = []layer{
			{band, outline},
			{grow(band, -ow), grey},
		}
	default:
		return nil, fmt.Errorf("no icon named %q", state)
	}
	return render(size, layers), nil
}
