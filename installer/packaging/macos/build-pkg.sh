#!/bin/sh
# Builds the signed, notarized Clearance installer package on a Mac, from
# the layout `make dist-macos` made on Linux (this script's folder: root/,
# scripts/, component.plist, distribution.xml, pkg.env). It changes
# nothing in the layout: it works on a copy under work/ and writes
# Clearance-<version>-<arch>.pkg beside this script.
#
# The tray needs cgo and the macOS SDK, so the binary is built here from a
# checkout of the same commit (CLEARANCE_SOURCE); the cross-built binary
# in root/ has no tray and is only kept with NO_TRAY=1.
#
# Environment (identities are names in the login keychain, never secrets):
#   CLEARANCE_SOURCE    checkout of the commit in pkg.env, built with cgo
#   NO_TRAY=1           package the cross-built binary, which has no tray
#   APP_IDENTITY        "Developer ID Application: NAME (TEAMID)", for codesign
#   INSTALLER_IDENTITY  "Developer ID Installer: NAME (TEAMID)", for productsign
#   NOTARY_PROFILE      a profile saved by `xcrun notarytool store-credentials`
# Without the identities the package is built unsigned (ad-hoc signed app),
# for testing on this Mac only; without NOTARY_PROFILE it is not notarized.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
cd "$here"
# shellcheck source=/dev/null
. ./pkg.env

die() {
	echo "build-pkg.sh: $*" >&2
	exit 1
}

[ "$(uname -s)" = Darwin ] || die "pkgbuild, codesign and notarytool are macOS tools: run this on a Mac"
for tool in pkgbuild productbuild codesign xcrun ditto; do
	command -v "$tool" >/dev/null || die "$tool is missing: install Xcode's command line tools (xcode-select --install)"
done

work=$here/work
rm -rf "$work"
mkdir -p "$work"
ditto root "$work/root"
app=$work/root/Applications/Clearance.app
exe=$app/Contents/MacOS/clearance

if [ -n "${CLEARANCE_SOURCE:-}" ]; then
	head=$(git -C "$CLEARANCE_SOURCE" rev-parse HEAD)
	[ "$head" = "$COMMIT" ] || die "CLEARANCE_SOURCE is at $head, the layout was made from $COMMIT: check out that commit, or make dist-macos again"
	case $GOARCH in
	amd64) carch=x86_64 ;;
	arm64) carch=arm64 ;;
	*) die "unknown GOARCH $GOARCH in pkg.env" ;;
	esac
	# cgo's clang would target this Mac's macOS version; the app's
	# LSMinimumSystemVersion is Go's own minimum.
	(cd "$CLEARANCE_SOURCE" &&
		CGO_ENABLED=1 GOOS=darwin GOARCH=$GOARCH CC="clang -arch $carch" MACOSX_DEPLOYMENT_TARGET=$MACOS_MIN \
			go build -buildvcs=true -trimpath -ldflags "-s -w -X main.version=$VERSION" -o "$exe" ./cmd/clearance)
elif [ "${NO_TRAY:-}" = 1 ]; then
	echo "build-pkg.sh: packaging the cross-built binary: the tray will say it needs a Mac build" >&2
else
	die "set CLEARANCE_SOURCE to a checkout of $COMMIT to build the tray with cgo (or NO_TRAY=1 to package the cross-built binary, which has no tray)"
fi

# The hardened runtime is what notarization asks for; Go needs no
# entitlement under it.
if [ -n "${APP_IDENTITY:-}" ]; then
	codesign --force --options runtime --timestamp --sign "$APP_IDENTITY" "$app"
else
	echo "build-pkg.sh: APP_IDENTITY unset: the app is signed ad hoc, for this Mac only" >&2
	codesign --force --sign - "$app"
fi
codesign --verify --strict --verbose=2 "$app"

pkgbuild --root "$work/root" --component-plist component.plist --scripts scripts \
	--identifier "$IDENTIFIER" --version "$PKGVERSION" --install-location / \
	--ownership recommended "$work/Clearance-component.pkg"
productbuild --distribution distribution.xml --package-path "$work" "$work/Clearance-product.pkg"

out=$here/Clearance-$PKGVERSION-$GOARCH.pkg
if [ -n "${INSTALLER_IDENTITY:-}" ]; then
	productsign --timestamp --sign "$INSTALLER_IDENTITY" "$work/Clearance-product.pkg" "$out"
	pkgutil --check-signature "$out"
else
	out=$here/Clearance-$PKGVERSION-$GOARCH-unsigned.pkg
	cp "$work/Clearance-product.pkg" "$out"
	echo "build-pkg.sh: INSTALLER_IDENTITY unset: $out is unsigned, for testing only" >&2
fi

if [ -n "${NOTARY_PROFILE:-}" ] && [ -n "${INSTALLER_IDENTITY:-}" ]; then
	xcrun notarytool submit "$out" --keychain-profile "$NOTARY_PROFILE" --wait
	xcrun stapler staple "$out"
	xcrun stapler validate "$out"
	spctl --assess --type install --verbose=2 "$out"
else
	echo "build-pkg.sh: not notarized (needs INSTALLER_IDENTITY and NOTARY_PROFILE): Gatekeeper will refuse it on other Macs" >&2
fi
echo "$out"
