package platform

import (
	"slices"
	"testing"
)

// The Unix rule: PATH is the system's whatever it was, and of the caller's
// variables only Clearance's own, the journal's and the trust roots stay;
// proxy variables go, even as a service manager would set them (the agent
// probes direct; the README says so).
func TestServiceEnvUnix(t *testing.T) {
	got := serviceEnv([]string{
		"PATH=/home/eve/bin:/usr/bin",
		"LD_PRELOAD=/home/eve/evil.so",
		"GODEBUG=x509sha1=1",
		"HOME=/home/eve",
		"CLEARANCE_SERVICE=1",
		"CLEARANCE_CONFIG=/etc/clearance/other.toml",
		"JOURNAL_STREAM=8:1234",
		"SSL_CERT_FILE=/etc/ssl/company.pem",
		"HTTPS_PROXY=http://proxy.example:3128",
		"http_proxy=http://proxy.example:3128",
		"ALL_PROXY=socks5://proxy.example:1080",
		"NO_PROXY=.example.internal",
		"CLEARANCE_SERVICE=2",
		"Path=/home/eve/bin",
	}, "/usr/sbin:/usr/bin:/sbin:/bin", keepClearanceVars)
	want := []string{
		"PATH=/usr/sbin:/usr/bin:/sbin:/bin",
		"CLEARANCE_SERVICE=1",
		"CLEARANCE_CONFIG=/etc/clearance/other.toml",
		"JOURNAL_STREAM=8:1234",
		"SSL_CERT_FILE=/etc/ssl/company.pem",
	}
	if !slices.Equal(got, want) {
		t.Errorf("got  %q\nwant %q", got, want)
	}
	if !sameEnv(got, serviceEnv(got, "/usr/sbin:/usr/bin:/sbin:/bin", keepClearanceVars)) {
		t.Error("a second reset changes the environment again: the agent would exec itself forever")
	}
}

// The Windows rule: everything stays but Path, whatever its case, and the
// hidden per-drive variables keep their names.
func TestServiceEnvWindows(t *testing.T) {
	got := serviceEnv([]string{
		`=C:=C:\Users\eve`,
		`Path=C:\Users\eve\bin;C:\Windows\system32`,
		`SystemRoot=C:\Windows`,
		`ProgramData=C:\ProgramData`,
	}, `C:\Windows\system32`, keepAll)
	want := []string{`PATH=C:\Windows\system32`, `=C:=C:\Users\eve`, `SystemRoot=C:\Windows`, `ProgramData=C:\ProgramData`}
	if !slices.Equal(got, want) {
		t.Errorf("got  %q\nwant %q", got, want)
	}
}
