#!/bin/sh
# Lays out, in OUT, what build-pkg.sh turns into the macOS package on a
# Mac; run by `make dist-macos` on Linux:
#
#	layout.sh OUT GOARCH
#
# with GO, VERSION, PKGVERSION and SOURCE_DATE_EPOCH in the environment.
# The binary is cross-built without cgo (it has no tray; build-pkg.sh
# builds the one that has). Every file's content, mode and time is fixed
# by the commit, so that two runs give the same tree (treesum.sh).
set -eu
out=$1
arch=$2
: "${GO:?}" "${VERSION:?}" "${PKGVERSION:?}" "${SOURCE_DATE_EPOCH:?}"
src=$(dirname "$0")
repo=$(cd "$src/../../.." && pwd)
appdir=Applications/Clearance.app
contents=$out/root/$appdir/Contents

case $arch in
amd64) hostarch=x86_64 ;;
arm64) hostarch=arm64 ;;
*)
	echo "layout.sh: GOARCH $arch: want amd64 or arm64" >&2
	exit 2
	;;
esac
# Go's own minimum macOS, which its linker writes into the binary.
macos_min=12.0
# CFBundleShortVersionString is three numbers; CFBundleVersion the
# package's version, which grows with every commit.
shortversion=$(echo "$PKGVERSION" | cut -d. -f1-3)

rm -rf "$out"
umask 022
mkdir -p "$contents/MacOS" "$contents/Resources" "$out/scripts" \
	"$out/root/Library/Application Support/Clearance" "$out/root/private/etc/paths.d"

GOOS=darwin GOARCH=$arch CGO_ENABLED=0 "$GO" build -buildvcs=true -trimpath \
	-ldflags "-s -w -X main.version=$VERSION" -o "$contents/MacOS/clearance" "$repo/cmd/clearance"

# The LaunchDaemon and the LaunchAgent, rendered by the installer package
# as `clearance install` writes them.
(cd "$repo" && "$GO" run ./installer/packaging/stage -target darwin -o "$out/stage")
cp -R "$out/stage/." "$out/root/"
rm -rf "$out/stage"

sed -e "s/@SHORTVERSION@/$shortversion/" -e "s/@PKGVERSION@/$PKGVERSION/" \
	"$src/Info.plist" >"$contents/Info.plist"
cp "$repo/assets/icns/clearance.icns" "$contents/Resources/clearance.icns"
cp "$src/uninstall.sh" "$contents/Resources/uninstall.sh"
# path_helper adds the app's folder to every shell's PATH, so that
# `clearance check` works in Terminal, without a link in /usr/local/bin,
# which Homebrew makes the user's.
echo "/$appdir/Contents/MacOS" >"$out/root/private/etc/paths.d/clearance"

cp "$src/scripts/preinstall" "$src/scripts/postinstall" "$src/scripts/launchd.sh" "$out/scripts/"
cp "$src/component.plist" "$src/build-pkg.sh" "$out/"
sed -e "s/@HOSTARCH@/$hostarch/" -e "s/@PKGVERSION@/$PKGVERSION/" \
	"$src/distribution.xml" >"$out/distribution.xml"
cat >"$out/pkg.env" <<ENV
IDENTIFIER=app.clearance.pkg
GOARCH=$arch
VERSION=$VERSION
PKGVERSION=$PKGVERSION
COMMIT=$(git -C "$repo" rev-parse HEAD)
MACOS_MIN=$macos_min
ENV

# Modes as the package installs them (pkgbuild keeps them; it makes the
# owner root:wheel), whatever the checkout's were; and one time for all.
find "$out" -type d -exec chmod 755 {} +
find "$out" -type f -exec chmod 644 {} +
chmod 755 "$contents/MacOS/clearance" "$contents/Resources/uninstall.sh" \
	"$out/scripts/preinstall" "$out/scripts/postinstall" "$out/build-pkg.sh"
find "$out" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
