//go:build darwin && !cgo

package tray

import (
	"context"

	"github.com/clearance-app/clearance/assets"
)

// noUI stands in on macOS builds without cgo: the macOS tray library is
// Objective-C, so such a build has no tray.
type noUI struct{}

func newSystrayUI(chan<- action, func(assets.IconState) []byte) ui { return noUI{} }

func (noUI) run(context.Context, func()) error {
	return ErrNoTray
}
func (noUI) show(view) {}
func (noUI) quit()     {}
