# shellcheck shell=sh disable=SC2034 # the names are used by the scripts that source this
# Shared by preinstall and postinstall (sourced; Installer runs both from
# this folder). The names are those of the installer package: the agent's
# label and plist (installer/launchdaemon.go) and the tray's
# (installer/autostart.go).
daemon_label=clearance
daemon_plist=/Library/LaunchDaemons/clearance.plist
tray_label=app.clearance.tray
tray_plist=/Library/LaunchAgents/app.clearance.tray.plist

# console_uid prints the uid of the person logged in at the screen, and
# nothing at the login window (where the console belongs to root) or
# when no one is logged in: the tray only runs in a person's session.
console_uid() {
	user=$(stat -f %Su /dev/console 2>/dev/null) || return 0
	case $user in
	'' | root | loginwindow) return 0 ;;
	esac
	id -u "$user" 2>/dev/null || true
}

# live_system says whether the package goes onto the running system ($3
# is the target volume): on another volume, nothing is to be started.
live_system() {
	[ "${1:-/}" = / ]
}
