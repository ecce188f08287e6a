package proxy

import (
	"testing"

	"github.com/clearance-app/clearance/platform/internal/platformtest"
)

// The desktops' proxy settings are read from their tools' output and
// their files, which the person (or anything running as them) writes:
// reading must not panic the check, and each setting read is one a person
// can be shown.

// checkSettings fails on a setting of another source, a mode the check
// does not know, a manual proxy without an address, or any setting
// alongside an error.
func checkSettings(t *testing.T, source string, ss []Setting, err error) {
	t.Helper()
	if err != nil && ss != nil {
		t.Fatalf("settings %+v with an error (%v)", ss, err)
	}
	for _, s := range ss {
		switch s.Mode {
		case ModeNone, ModeManual, ModePAC, ModeWPAD, ModeEnv:
		default:
			t.Fatalf("setting %+v of an unknown mode", s)
		}
		if s.Source != source || (s.Mode == ModeManual && s.URL == "") {
			t.Fatalf("setting %+v", s)
		}
		if s.AppliesToHTTPS() && s.URL == "" {
			t.Fatalf("setting %+v applies to HTTPS without a proxy", s)
		}
		_ = s.Display()
	}
}

// FuzzParseScutilProxy: `scutil --proxy` on macOS. A dictionary read gives
// at least one setting ("no proxy" when nothing is on).
func FuzzParseScutilProxy(f *testing.F) {
	platformtest.Seed(f, "proxy/scutil-*")
	f.Fuzz(func(t *testing.T, out []byte) {
		ss, err := ParseScutilProxy(out)
		checkSettings(t, SourceMacOS, ss, err)
		if err == nil && len(ss) == 0 {
			t.Fatal("no setting and no error")
		}
	})
}

// FuzzParseGSettingsProxy: `gsettings list-recursively
// org.gnome.system.proxy`.
func FuzzParseGSettingsProxy(f *testing.F) {
	platformtest.Seed(f, "proxy/gsettings-*")
	f.Fuzz(func(t *testing.T, out []byte) {
		ss, err := ParseGSettingsProxy(out)
		checkSettings(t, SourceGNOME, ss, err)
	})
}

// FuzzParseKioslaverc: KDE's kioslaverc file.
func FuzzParseKioslaverc(f *testing.F) {
	platformtest.Seed(f, "proxy/kioslaverc-*")
	f.Fuzz(func(t *testing.T, data []byte) {
		checkSettings(t, SourceKDE, ParseKioslaverc(data), nil)
	})
}
