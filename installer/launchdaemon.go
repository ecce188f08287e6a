package installer

import (
	"html"
	"text/template"

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

// launchDaemonPlist is the agent's LaunchDaemon (launchd.plist(5)), the
// same from `clearance install` on a Mac, which hands it to kardianos as
// its LaunchdConfig (service_darwin.go), and in the macOS package, built
// on Linux (MacPackageFiles): so it holds macOS's system PATH whatever
// system renders it.
func launchDaemonPlist(o Options) string {
	return serviceDefWithEnv(o, unixServiceEnv(platform.UnixSystemPATH("darwin"))).render(launchdPlist)
}

// launchdPlist is the LaunchDaemon, a serviceDef template: the agent
// started at boot and restarted whenever it ends, with the service marker
// and the PATH. Its keys and values are those of kardianos v1.3.0's own
// template, in the same order, escaped as it escapes them (as
// html.EscapeString does, which registrationRuns expects).
var launchdPlist = template.Must(template.New("launchd").Funcs(serviceFuncs).Funcs(template.FuncMap{"xml": html.EscapeString}).Parse(`<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
	<key>Disabled</key>
	<false/>
	<key>EnvironmentVariables</key>
	<dict>
{{- range .Env}}
		<key>{{xml .Name}}</key>
		<string>{{xml .Value}}</string>
{{- end}}
	</dict>
	<key>KeepAlive</key>
	<true/>
	<key>Label</key>
	<string>` + ServiceName + `</string>
	<key>ProgramArguments</key>
	<array>
		<string>{{xml .Exe}}</string>
{{- range .Args}}
		<string>{{xml .}}</string>
{{- end}}
	</array>
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
`))

// unixServiceEnv is the service's environment on a Unix whose system PATH
// is path: the marker, and that PATH, so that the agent never starts with
// the PATH of whoever ran install or restart (a SysV script passes it on);
// the agent resets the rest itself (platform.ResetEnv).
func unixServiceEnv(path string) map[string]string {
	return map[string]string{markerEnv: "1", "PATH": path}
}
