package icon

import (
	"image"
	"image/color"
	"math"
)

// A shape is a signed distance function in pixels: negative inside,
// positive outside. Distances rather than plain inside/outside tests let
// one shape give both its fill and, grown by a few pixels, its outline,
// with round corners on both.
type shape func(x, y float64) float64

func circle(cx, cy, r float64) shape {
	return func(x, y float64) float64 { return math.Hypot(x-cx, y-cy) - r }
}

// ring is a band of width w centred on the circle of radius r.
func ring(cx, cy, r, w float64) shape {
	return func(x, y float64) float64 { return math.Abs(math.Hypot(x-cx, y-cy)-r) - w/2 }
}

// stroke is a polyline drawn with a round pen of radius r.
func stroke(r float64, pts ...[2]float64) shape {
	return func(x, y float64) float64 {
		d := math.Inf(1)
		for i := 0; i+1 < len(pts); i++ {
			d = math.Min(d, segmentDist(x, y, pts[i], pts[i+1]))
		}
		return d - r
	}
}

// polygon is a convex or concave polygon with exact distances, so that
// growing it rounds its corners instead of stretching them into spikes.
func polygon(pts ...[2]float64) shape {
	return func(x, y float64) float64 {
		d := math.Inf(1)
		inside := false
		for i, j := 0, len(pts)-1; i < len(pts); j, i = i, i+1 {
			a, b := pts[j], pts[i]
			d = math.Min(d, segmentDist(x, y, a, b))
			if (a[1] > y) != (b[1] > y) && x < (b[0]-a[0])*(y-a[1])/(b[1]-a[1])+a[0] {
				inside = !inside
			}
		}
		if inside {
			return -d
		}
		return d
	}
}

// grow moves a shape's edge outward by d pixels (inward when d < 0).
func grow(s shape, d float64) shape {
	return func(x, y float64) float64 { return s(x, y) - d }
}

func union(ss ...shape) shape {
	return func(x, y float64) float64 {
		d := math.Inf(1)
		for _, s := range ss {
			d = math.Min(d, s(x, y))
		}
		return d
	}
}

func segmentDist(x, y float64, a, b [2]float64) float64 {
	dx, dy := b[0]-a[0], b[1]-a[1]
	t := 0.0
	if l := dx*dx + dy*dy; l > 0 {
		t = math.Max(0, math.Min(1, ((x-a[0])*dx+(y-a[1])*dy)/l))
	}
	return math.Hypot(x-a[0]-t*dx, y-a[1]-t*dy)
}

// layer paints a shape in one colour; an icon is layers painted in order.
type layer struct {
	shape shape
	color color.NRGBA
}

// samples per pixel edge: 8×8 coverage samples give 65 levels of
// anti-aliasing, plenty for shapes this simple.
const samples = 8

// render paints layers on a transparent size×size canvas.
func render(size int, layers []layer) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, size, size))
	for py := 0; py < size; py++ {
		for px := 0; px < size; px++ {
			// Premultiplied accumulation, then back to straight alpha.
			var r, g, b, a float64
			for _, l := range layers {
				hit := 0
				for sy := 0; sy < samples; sy++ {
					for sx := 0; sx < samples; sx++ {
						x := float64(px) + (float64(sx)+0.5)/samples
						y := float64(py) + (float64(sy)+0.5)/samples
						if l.shape(x, y) <= 0 {
							hit++
						}
					}
				}
				if hit == 0 {
					continue
				}
				cov := float64(hit) / (samples * samples) * float64(l.color.A) / 255
				r = float64(l.color.R)/255*cov + r*(1-cov)
				g = float64(l.color.G)/255*cov + g*(1-cov)
				b = float64(l.color.B)/255*cov + b*(1-cov)
				a = cov + a*(1-cov)
			}
			if a == 0 {
				continue
			}
			img.SetNRGBA(px, py, color.NRGBA{
				R: uint8(math.Round(r / a * 255)),
				G: uint8(math.Round(g / a * 255)),
				B: uint8(math.Round(b / a * 255)),
				A: uint8(math.Round(a * 255)),
			})
		}
	}
	return img
}
