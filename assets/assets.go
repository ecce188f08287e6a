// Package assets embeds Clearance's tray icons, one per tray state, for the
// tray. The icons' source is Go code in internal/icon; the PNG and ICO
// files beside this file, and the macOS app's icon in icns/ (which the
// package build copies, nothing embeds), are generated from it and
// committed:
//
//	go generate ./assets
//
// A test regenerates them and fails if the committed files differ, so edit
// the source, never the files. This package only hands out bytes: it must
// not decide which state the tray is in.
package assets

//go:generate go run ./gen -out .

import (
	"embed"
	"fmt"
)

// IconState is what the tray icon shows.
type IconState int

const (
	IconUnknown  IconState = iota // grey hollow ring: agent unreachable, or the first check still running
	IconClear                     // green circle with a check: nothing to do
	IconWarning                   // amber triangle with "!": warnings
	IconCritical                  // red octagon with a cross: something will fail
)

// String names the state as the generated files do.
func (s IconState) String() string {
	switch s {
	case IconUnknown:
		return "unknown"
	case IconClear:
		return "clear"
	case IconWarning:
		return "warning"
	case IconCritical:
		return "critical"
	}
	return fmt.Sprintf("IconState(%d)", int(s))
}

// Sizes are the pixel sizes of the generated PNGs, and the images inside
// each ICO.
var Sizes = []int{16, 24, 32, 48}

//go:embed png/*.png
var pngs embed.FS

// PNG returns the state's icon as a size×size PNG, or nil when no file of
// that state and size was generated (see Sizes).
func PNG(s IconState, size int) []byte {
	b, err := pngs.ReadFile(fmt.Sprintf("png/%s-%d.png", s, size))
	if err != nil {
		return nil
	}
	return b
}
