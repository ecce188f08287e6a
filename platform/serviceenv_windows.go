package platform

import "os"

var keepEnv = keepAll

// ResetEnv sets PATH to SystemPATH, in place: Windows has no exec, and
// keepAll keeps every other variable.
func ResetEnv() error { return os.Setenv("PATH", SystemPATH()) }
