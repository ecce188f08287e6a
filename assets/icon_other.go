//go:build !windows

package assets

// traySize is the PNG handed to the tray. Linux trays take one pixmap
// (fyne.io/systray decodes PNG only) and scale it to the panel; macOS
// draws it at menu-bar height. The largest size scales down cleanly on
// both, including at 200 % scaling.
const traySize = 48

// Icon returns the tray icon for s as a PNG. An unknown state gets the
// unknown icon.
func Icon(s IconState) []byte {
	if b := PNG(s, traySize); b != nil {
		return b
	}
	return PNG(IconUnknown, traySize)
}
