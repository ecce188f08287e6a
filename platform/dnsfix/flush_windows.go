package dnsfix

import (
	"context"
	"errors"

	"golang.org/x/sys/windows"
)

// DnsFlushResolverCache is undocumented; Mullvad calls it instead of
// ipconfig, whose output is localized. It takes no arguments and returns a
// BOOL.
var procDnsFlushResolverCache = windows.NewLazySystemDLL("dnsapi.dll").NewProc("DnsFlushResolverCache")

func systemFlushOps() flushOps {
	return flushOps{windowsFlush: dnsFlushResolverCache}
}

func dnsFlushResolverCache(context.Context) error {
	if err := procDnsFlushResolverCache.Find(); err != nil {
		return err
	}
	r, _, err := procDnsFlushResolverCache.Call()
	if r != 0 {
		return nil
	}
	var errno windows.Errno
	if errors.As(err, &errno) && errno != 0 {
		return err
	}
	return errors.New("DnsFlushResolverCache returned FALSE")
}
