package assets

import (
	"embed"
	"fmt"
)

//go:embed ico/*.ico
var icos embed.FS

// Icon returns the tray icon for s in the format the system tray takes
// here: an ICO holding every size, so Windows picks the one for the
// display's scaling. An unknown state gets the unknown icon.
func Icon(s IconState) []byte {
	b, err := icos.ReadFile(fmt.Sprintf("ico/%s.ico", s))
	if err != nil {
		b, _ = icos.ReadFile(fmt.Sprintf("ico/%s.ico", IconUnknown))
	}
	return b
}
