#!/usr/bin/env bash
# Makes the README's pictures of the tray (docs/images/*.png) from the
# screenshots of scripts/tray-demo.sh: the real `clearance tray` in an Xfce
# panel under Xvfb, showing the fixed state of the scripted agent
# (scripts/traydemo). It crops them to what matters and strips their
# timestamps, so that a run on an unchanged tray changes no byte.
#
# Needs what scripts/tray-demo.sh needs (Debian packages xvfb xfce4-panel
# xdotool imagemagick dbus-daemon) and root or XDG_RUNTIME_DIR. Nothing on
# the machine changes.
#
# Usage: scripts/readme-screenshot.sh [OUTDIR]   (default docs/images)
set -euo pipefail

cd "$(dirname "$0")/.."
out=${1:-docs/images}
mkdir -p "$out"
shots=$(mktemp -d /tmp/clr-shots.XXXXXX)
trap 'rm -rf "$shots"' EXIT

bash scripts/tray-demo.sh "$shots" >"$shots.log" 2>&1 || { cat "$shots.log" >&2; rm -f "$shots.log"; exit 1; }
rm -f "$shots.log"

# PNG without dates or other metadata, so the bytes depend on the pixels only.
save_to() {
	local dst=$1
	shift
	convert "$@" -strip -define png:exclude-chunks=date,time "$dst"
}

# The menu with a finding's submenu open, from the panel's top-left corner
# to 6 pixels past the menus: their extent is what is not the display's
# black background below the 32-pixel panel.
panel=32
read -r w h x y < <(convert "$shots/submenu.png" -crop "640x368+0+$((panel + 1))" +repage \
	-bordercolor black -border 1 -trim -format '%w %h %X %Y\n' info:)
right=$((x - 1 + w + 6)) bottom=$((panel + 1 + y - 1 + h + 6))
save_to "$out/tray-menu.png" "$shots/submenu.png" -crop "${right}x${bottom}+0+0" +repage

# The icon in the panel, with problems (red) and all clear (green).
save_to "$out/tray-icon-problems.png" "$shots/icon-problems.png" -crop "${panel}x${panel}+0+0" +repage
save_to "$out/tray-icon-clear.png" "$shots/icon-clear.png" -crop "${panel}x${panel}+0+0" +repage
ls -l "$out"/tray-*.png
