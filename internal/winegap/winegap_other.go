//go:build !windows

package winegap

func underWine() bool { return false }

// The probes run only under Wine, which is Windows.
func udpMissing() bool          { return false }
func removeAllFails() bool      { return false }
func w32timeMissing() bool      { return false }
func notSession0() bool         { return false }
func fileSecurityIgnored() bool { return false }
func symlinksBroken() bool      { return false }
