//go:build !windows

package browser

import "github.com/clearance-app/clearance/platform"

// runner is the Lookup's command runner, the real one by default (the
// desktops that answer through a command: xdg-utils, defaults).
func (l Lookup) runner() platform.Runner {
	if l.Run == nil {
		return platform.System
	}
	return l.Run
}
