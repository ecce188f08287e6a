#!/usr/bin/env bash
# Shows the Clearance tray as a person sees it, without a desktop: a virtual
# X display (Xvfb), a private session bus, an Xfce panel hosting the icon, a
# scripted agent serving a fixed state on the real API, and the tray. It
# takes screenshots of the icon, the open menu, a finding's submenu, the
# icon after the state changes, and a finding's details page, into OUTDIR
# (default ./tray-demo).
#
# Nothing on the machine changes: the agent is scripts/traydemo (its fixes
# only say what they would do), everything lives in a temporary directory,
# and every process started here is stopped at the end.
#
# Needs the Debian packages xvfb xfce4-panel xdotool imagemagick
# dbus-daemon, and for the details page xdg-utils and a browser (this
# script does not install them):
#   sudo apt-get install --no-install-recommends xvfb xfce4-panel xdotool imagemagick dbus-daemon
#   sudo apt-get install --no-install-recommends xdg-utils netsurf-gtk
#
# Usage: scripts/tray-demo.sh [OUTDIR]
set -euo pipefail

out=${1:-tray-demo}
for tool in Xvfb xfce4-panel xdotool import dbus-daemon gdbus go; do
	command -v "$tool" >/dev/null || { echo "tray-demo: $tool is missing (see the packages at the top of this script)" >&2; exit 2; }
done
mkdir -p "$out"
out=$(cd "$out" && pwd)
cd "$(dirname "$0")/.."

# The agent's socket must be in a directory that only root (or, run by
# another user, that user) can change, with every directory above it, as
# nothing under /tmp is: /run as root, else the runtime directory.
rundir=${XDG_RUNTIME_DIR:-}
[ "$(id -u)" = 0 ] && rundir=/run
[ -n "$rundir" ] || { echo "tray-demo: needs root, or XDG_RUNTIME_DIR for the agent's socket" >&2; exit 2; }
work=$(mktemp -d /tmp/clr-demo.XXXXXX)
sockdir=$(mktemp -d "$rundir/clr-demo.XXXXXX")
chmod 755 "$sockdir"
pids=()
cleanup() {
	for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
		kill "${pids[i]}" 2>/dev/null || true
	done
	wait 2>/dev/null || true
	rm -rf "$work" "$sockdir"
}
trap cleanup EXIT

echo "building clearance and scripts/traydemo…"
go build -o "$work/clearance" ./cmd/clearance
go build -o "$work/traydemo" ./scripts/traydemo

# A display number nobody uses.
for n in $(seq 90 120); do
	[ -e "/tmp/.X11-unix/X$n" ] || [ -e "/tmp/.X$n-lock" ] || { display=":$n"; break; }
done
Xvfb "$display" -screen 0 640x400x24 -nolisten tcp >"$work/xvfb.log" 2>&1 &
pids+=($!)
export DISPLAY=$display
for _ in $(seq 50); do xdotool getdisplaygeometry >/dev/null 2>&1 && break; sleep 0.1; done

# A home of its own: the panel's settings, and nothing of the person's.
export HOME=$work/home XDG_CONFIG_HOME=$work/home/.config XDG_CACHE_HOME=$work/home/.cache XDG_DATA_HOME=$work/home/.local/share
export XDG_RUNTIME_DIR=$work/run
mkdir -p "$XDG_CONFIG_HOME/xfce4/xfconf/xfce-perchannel-xml" "$XDG_RUNTIME_DIR"
chmod 700 "$XDG_RUNTIME_DIR"
# One panel along the top with only the status tray (which hosts
# StatusNotifierItems), so that the panel does not ask how to set itself up.
cat >"$XDG_CONFIG_HOME/xfce4/xfconf/xfce-perchannel-xml/xfce4-panel.xml" <<'EOF'
<?xml version="1.0" encoding="UTF-8"?>
<channel name="xfce4-panel" version="1.0">
  <property name="configver" type="int" value="2"/>
  <property name="panels" type="array">
    <value type="int" value="1"/>
    <property name="panel-1" type="empty">
      <property name="position" type="string" value="p=6;x=0;y=0"/>
      <property name="length" type="uint" value="100"/>
      <property name="position-locked" type="bool" value="true"/>
      <property name="size" type="uint" value="32"/>
      <property name="icon-size" type="uint" value="24"/>
      <property name="plugin-ids" type="array">
        <value type="int" value="1"/>
      </property>
    </property>
  </property>
  <property name="plugins" type="empty">
    <property name="plugin-1" type="string" value="systray">
      <property name="square-icons" type="bool" value="true"/>
      <property name="icon-size" type="int" value="24"/>
    </property>
  </property>
</channel>
EOF

# A private session bus; the panel's settings daemon (xfconfd) is started
# on it by activation.
dbus-daemon --session --nofork --print-address=1 --address="unix:path=$work/bus" >"$work/bus.addr" 2>"$work/bus.log" &
pids+=($!)
for _ in $(seq 50); do [ -s "$work/bus.addr" ] && break; sleep 0.1; done
export DBUS_SESSION_BUS_ADDRESS=$(head -n1 "$work/bus.addr")

xfce4-panel --disable-wm-check >"$work/panel.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do
	gdbus introspect --session --dest org.kde.StatusNotifierWatcher --object-path /StatusNotifierWatcher >/dev/null 2>&1 && break
	sleep 0.1
done

"$work/traydemo" agent -socket "$sockdir/agent.sock" -scenario problems >"$work/agent.log" 2>&1 &
agent=$!
pids+=($agent)
for _ in $(seq 50); do [ -S "$sockdir/agent.sock" ] && break; sleep 0.1; done

# The tray, as a person's session starts it (without their proxy settings,
# so that the proxy check probes nothing).
env -u http_proxy -u https_proxy -u HTTP_PROXY -u HTTPS_PROXY -u all_proxy -u ALL_PROXY \
	"$work/clearance" tray --socket "$sockdir/agent.sock" --verbose >"$work/tray.log" 2>&1 &
pids+=($!)
registered() {
	gdbus call --session --dest org.kde.StatusNotifierWatcher --object-path /StatusNotifierWatcher \
		--method org.freedesktop.DBus.Properties.Get org.kde.StatusNotifierWatcher RegisteredStatusNotifierItems 2>/dev/null |
		grep -q StatusNotifierItem
}
for _ in $(seq 100); do registered && break; sleep 0.1; done
registered || { echo "tray-demo: the icon never registered; logs in $work" >&2; cat "$work/tray.log" >&2; exit 1; }
sleep 2

shot() { import -window root "$out/$1"; echo "  $out/$1"; }
echo "screenshots:"
import -window root -crop 160x32+0+0 "$out/icon-problems.png"
echo "  $out/icon-problems.png"

# The icon is the panel's first item: open its menu, then a finding's submenu.
read -r icon_x icon_y <<<"16 16"
xdotool mousemove "$icon_x" "$icon_y" click 1
sleep 1.5
shot menu.png
xdotool mousemove "$((icon_x + 60))" "$((icon_y + ${DEMO_FINDING_Y:-62}))"
sleep 1.5
shot submenu.png
# Run the first fix ("Flush the DNS cache"), and open the menu while it runs.
xdotool mousemove "$((icon_x + 360))" "$((icon_y + ${DEMO_FINDING_Y:-62}))" click 1
sleep 0.5
xdotool mousemove "$icon_x" "$icon_y" click 1
sleep 0.7
shot progress.png
xdotool key Escape
sleep 3
xdotool mousemove "$icon_x" "$icon_y" click 1
sleep 1
shot result.png
xdotool key Escape
sleep 0.5

# The agent's state changes: the icon follows the pushed state.
kill -USR1 "$agent"
sleep 2
import -window root -crop 160x32+0+0 "$out/icon-clear.png"
echo "  $out/icon-clear.png"

# "Details…" of the first problem opens it as a page in the desktop's
# browser, through xdg-open; last, since the browser's window may cover the
# panel (it ends with the display). Needs xdg-utils and a browser: without
# xdg-open this is skipped.
if command -v xdg-open >/dev/null; then
	kill -USR1 "$agent" # the problems again
	sleep 2
	xdotool mousemove "$icon_x" "$icon_y" click 1
	sleep 1
	xdotool mousemove "$((icon_x + 60))" "$((icon_y + ${DEMO_DETAILS_Y:-87}))"
	sleep 1.5
	xdotool mousemove "$((icon_x + 330))" "$((icon_y + ${DEMO_DETAILS_Y:-87} + 50))" click 1
	sleep "${DEMO_BROWSER_WAIT:-8}"
	shot details.png
fi
