//go:build !windows

package host

func detachConsole() {}
