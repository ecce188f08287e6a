//go:build !unix && !windows

package browser

import "github.com/clearance-app/clearance/platform"

func chromiumRunning(Browser) (bool, string, error) { return false, "", platform.ErrNotSupported }

func firefoxProfileRunning(string, bool) (bool, string, error) {
	return false, "", platform.ErrNotSupported
}
