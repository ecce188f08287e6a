//go:build unix

package installer

import "github.com/clearance-app/clearance/platform"

// serviceEnv: see unixServiceEnv.
func serviceEnv() map[string]string { return unixServiceEnv(platform.SystemPATH()) }
