package installer

import "text/template"

// sysvScript is the agent's init script where no systemd runs (a
// serviceDef template). Debian's update-rc.d and insserv read the LSB
// header, Red Hat's chkconfig its own line; both name the service
// "clearance". The agent runs in the background with its output appended
// to /var/log/clearance.{log,err} and its pid in /var/run/clearance.pid,
// the files kardianos/service's own script used, so that an agent
// installed by an older version is still found and stopped.
//
// status exits 3 when stopped, as the LSB asks.
//
// Nothing is read from the environment of whoever runs the script (it
// may be a person's shell through service(8)): PATH and the marker are
// set here, and no /etc/default or /etc/sysconfig file is sourced.
var sysvScript = template.Must(template.New("sysv").Funcs(serviceFuncs).Parse(`#!/bin/sh
# chkconfig: 2345 99 01
# description: {{.Description}}

### BEGIN INIT INFO
# Provides:          clearance
# Required-Start:    $network $remote_fs $syslog
# Required-Stop:     $network $remote_fs $syslog
# Default-Start:     2 3 4 5
# Default-Stop:      0 1 6
# Short-Description: Clearance agent
# Description:       {{.Description}}
### END INIT INFO

{{range .Env}}{{.Name}}={{shellQuote .Value}}
export {{.Name}}
{{end}}umask 022

pid_file=/var/run/clearance.pid
stdout_log=/var/log/clearance.log
stderr_log=/var/log/clearance.err

is_running() {
    [ -f "$pid_file" ] && pid=$(cat "$pid_file") && [ -n "$pid" ] && [ -e "/proc/$pid/stat" ]
}

case "$1" in
    start)
        if is_running; then
            echo "Clearance is already running"
            exit 0
        fi
        echo "Starting Clearance"
        {{shellQuote .Exe}}{{range .Args}} {{shellQuote .}}{{end}} </dev/null >>"$stdout_log" 2>>"$stderr_log" &
        echo $! >"$pid_file"
        if ! is_running; then
            echo "Clearance did not start; see $stderr_log"
            exit 1
        fi
        ;;
    stop)
        if ! is_running; then
            echo "Clearance is not running"
            rm -f "$pid_file"
            exit 0
        fi
        echo "Stopping Clearance"
        kill "$pid"
        for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
            is_running || break
            sleep 1
        done
        if is_running; then
            echo "Clearance has not stopped after 20 seconds; see $stderr_log"
            exit 1
        fi
        rm -f "$pid_file"
        ;;
    restart|force-reload)
        "$0" stop && "$0" start
        ;;
    status)
        # "Running" and "Stopped" first: kardianos/service reads them.
        if is_running; then
            echo "Running (pid $pid)"
        else
            echo "Stopped"
            exit 3
        fi
        ;;
    *)
        echo "Usage: $0 {start|stop|restart|force-reload|status}"
        exit 2
        ;;
esac
exit 0
`))
