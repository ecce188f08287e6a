package icon

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
)

// PNGPath and ICOPath name the generated files, relative to assets/;
// ICNSPath is the macOS app's icon.
func PNGPath(state string, size int) string { return fmt.Sprintf("png/%s-%d.png", state, size) }
func ICOPath(state string) string           { return fmt.Sprintf("ico/%s.ico", state) }

const ICNSPath = "icns/clearance.icns"

// Files renders every generated file, keyed by its path under assets/.
func Files() (map[string][]byte, error) {
	out := map[string][]byte{}
	for _, st := range States {
		var pngs [][]byte
		for _, sz := range Sizes {
			b, err := encodePNG(st, sz)
			if err != nil {
				return nil, err
			}
			out[PNGPath(st, sz)] = b
			pngs = append(pngs, b)
		}
		ico, err := EncodeICO(pngs)
		if err != nil {
			return nil, err
		}
		out[ICOPath(st)] = ico
	}
	var pngs [][]byte
	for _, sz := range AppIconSizes {
		b, err := encodePNG(AppIconState, sz)
		if err != nil {
			return nil, err
		}
		pngs = append(pngs, b)
	}
	icns, err := EncodeICNS(pngs)
	if err != nil {
		return nil, err
	}
	out[ICNSPath] = icns
	return out, nil
}

func encodePNG(state string, size int) ([]byte, error) {
	img, err := Draw(state, size)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Panels are the backgrounds the contact sheet shows the icons on: light
// and dark desktop panels, and the mid grey where neither helps.
var Panels = []color.NRGBA{
	{0xf2, 0xf2, 0xf2, 0xff},
	{0xd6, 0xd6, 0xd6, 0xff},
	{0x30, 0x30, 0x30, 0xff},
	{0x1a, 0x1a, 0x1a, 0xff},
	{0x3a, 0x5a, 0x8c, 0xff},
}

// Sheet draws every state at the given sizes on every panel colour, at
// actual size and enlarged zoom times (nearest neighbour, to show real
// pixels), for a person to judge legibility.
func Sheet(sizes []int, zoom int) (*image.NRGBA, error) {
	const pad = 8
	cell, largest := 0, 0
	for _, sz := range sizes {
		cell += sz + pad + sz*zoom + pad
		largest = max(largest, sz)
	}
	rowH := largest*zoom + 2*pad
	sheet := image.NewNRGBA(image.Rect(0, 0, len(States)*cell+pad, len(Panels)*rowH))
	for pi, bg := range Panels {
		r := image.Rect(0, pi*rowH, sheet.Bounds().Dx(), (pi+1)*rowH)
		draw.Draw(sheet, r, &image.Uniform{bg}, image.Point{}, draw.Src)
		x := pad
		for _, st := range States {
			for _, sz := range sizes {
				img, err := Draw(st, sz)
				if err != nil {
					return nil, err
				}
				y := pi*rowH + pad
				draw.Draw(sheet, image.Rect(x, y, x+sz, y+sz), img, image.Point{}, draw.Over)
				x += sz + pad
				big := image.NewNRGBA(image.Rect(0, 0, sz*zoom, sz*zoom))
				for yy := 0; yy < sz*zoom; yy++ {
					for xx := 0; xx < sz*zoom; xx++ {
						big.SetNRGBA(xx, yy, img.NRGBAAt(xx/zoom, yy/zoom))
					}
				}
				draw.Draw(sheet, image.Rect(x, y, x+sz*zoom, y+sz*zoom), big, image.Point{}, draw.Over)
				x += sz*zoom + pad
			}
		}
	}
	return sheet, nil
}
