//go:build darwin && !cgo

package tray

import (
	"context"
	"errors"

	"github.com/clearance-app/clearance/assets"
)

// noUI stands in on macOS builds without cgo: the macOS tray library is
// Objective-C, so such a build has no tray.
type noUI struct{}

func newSystrayUI(chan<- action, func(assets.IconState) []byte) ui { return noUI{} }

func (noUI) run(context.Context, func()) error {
	return errors.New("this build of Clearance has no tray: on macOS the tray needs a build with cgo")
}
func (noUI) show(view) {}
func (noUI) quit()     {}
