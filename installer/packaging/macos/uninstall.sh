#!/bin/sh
# Removes Clearance as its macOS package installed it (macOS has no way to
# remove a package): `clearance uninstall` first, which restores the DNS
# settings if Clearance switched them, stops the agent and removes its
# LaunchDaemon, the tray's LaunchAgent and the empty configuration folder;
# then the tray in the person's session, the app, the PATH entry, and the
# package's receipt. The group clearance is kept, as `clearance uninstall`
# keeps it. Run it again after a failure: each step is skipped once done.
#
#	sudo /Applications/Clearance.app/Contents/Resources/uninstall.sh
set -u
app=/Applications/Clearance.app
exe=$app/Contents/MacOS/clearance
pkgid=app.clearance.pkg
tray_label=app.clearance.tray

if [ "$(id -u)" -ne 0 ]; then
	echo "uninstall.sh: removing Clearance needs administrator rights; run: sudo $0" >&2
	exit 1
fi

# The receipt goes first: with it, `clearance uninstall` would only point
# back here.
pkgutil --forget "$pkgid" >/dev/null 2>&1 || true

if [ -x "$exe" ]; then
	if ! "$exe" uninstall; then
		echo "uninstall.sh: clearance uninstall failed, so nothing else was removed; fix what it says, then run this script again" >&2
		exit 1
	fi
fi

user=$(stat -f %Su /dev/console 2>/dev/null || true)
case $user in
'' | root | loginwindow) ;;
*)
	uid=$(id -u "$user" 2>/dev/null || true)
	if [ -n "$uid" ]; then
		launchctl bootout "gui/$uid/$tray_label" 2>/dev/null || true
	fi
	;;
esac

rm -f /private/etc/paths.d/clearance
rm -rf "$app"
echo "Clearance is removed. The group clearance is kept; to remove it too: sudo dseditgroup -o delete clearance"
