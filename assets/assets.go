// Package assets embeds Clearance's icons (source and generated), one per
// tray state, for the tray (issue 4).
package assets
