//go:build !windows

package host

import "os"

func isAdmin() bool { return os.Geteuid() == 0 }
