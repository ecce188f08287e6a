//go:build !windows

package platform

func detachConsole() {}
