package installer

import (
	"html"
	"maps"
	"slices"
	"strings"

	"github.com/clearance-app/clearance/platform"
)

// The agent's LaunchDaemon: where launchd reads it (kardianos/service's
// path for a system service) and where its output goes (kardianos's log
// paths, which serviceLogFiles lists).
const (
	launchDaemonPath   = "/Library/LaunchDaemons/" + ServiceName + ".plist"
	launchDaemonOutLog = "/var/log/" + ServiceName + ".out.log"
	launchDaemonErrLog = "/var/log/" + ServiceName + ".err.log"
)

// launchDaemonPlist is the agent's LaunchDaemon (launchd.plist(5)): exe
// with args, started at boot and restarted whenever it ends, with the
// service marker and macOS's system PATH. It is rendered here, not by
// kardianos/service, so that the macOS package, built on Linux, carries
// the very file `clearance install` writes on a Mac, which hands this text
// to kardianos as its LaunchdConfig (service_darwin.go). Keys and values
// are those of kardianos v1.3.0's own template, in the same order, escaped
// as it escapes them (html.EscapeString, which registrationRuns expects).
// It holds no "{{", so kardianos's template engine copies it unchanged.
func launchDaemonPlist(exe string, args []string) string {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
	<key>Disabled</key>
	<false/>
	<key>EnvironmentVariables</key>
	<dict>
`)
	env := unixServiceEnv(platform.UnixSystemPATH("darwin"))
	for _, k := range slices.Sorted(maps.Keys(env)) {
		b.WriteString("\t\t<key>" + html.EscapeString(k) + "</key>\n")
		b.WriteString("\t\t<string>" + html.EscapeString(env[k]) + "</string>\n")
	}
	b.WriteString(`	</dict>
	<key>KeepAlive</key>
	<true/>
	<key>Label</key>
	<string>` + ServiceName + `</string>
	<key>ProgramArguments</key>
	<array>
`)
	for _, a := range append([]string{exe}, args...) {
		b.WriteString("\t\t<string>" + html.EscapeString(a) + "</string>\n")
	}
	b.WriteString(`	</array>
	<key>RunAtLoad</key>
	<true/>
	<key>SessionCreate</key>
	<false/>
	<key>StandardErrorPath</key>
	<string>` + launchDaemonErrLog + `</string>
	<key>StandardOutPath</key>
	<string>` + launchDaemonOutLog + `</string>
</dict>
</plist>
`)
	return b.String()
}

// unixServiceEnv is the service's environment on a Unix whose system PATH
// is path: the marker, and that PATH, so that the agent never starts with
// the PATH of whoever ran install or restart (a SysV script passes it on);
// the agent resets the rest itself (platform.ResetEnv).
func unixServiceEnv(path string) map[string]string {
	return map[string]string{markerEnv: "1", "PATH": path}
}
