#!/bin/sh
# Builds the two shim DLLs that let Clearance's Windows build run under
# Wine 8 (see README.md) into OUTDIR, with mingw-w64:
#
#   build.sh OUTDIR WINE_IPHLPAPI
#
# WINE_IPHLPAPI is Wine's own iphlpapi.dll (a prefix's system32 holds a
# copy): the new iphlpapi.dll forwards each of its exports to it, renamed
# wine_iphlpapi.dll, so the list is read from the DLL itself, never kept
# by hand.
set -eu
out=$1
wine_iphlpapi=$2
here=$(dirname "$0")
cc=${CC:-x86_64-w64-mingw32-gcc}
objdump=${OBJDUMP:-x86_64-w64-mingw32-objdump}
mkdir -p "$out"

"$cc" -O2 -Wall -Wextra -Werror -shared -s -o "$out/bcryptprimitives.dll" \
	"$here/bcryptprimitives.c" "$here/bcryptprimitives.def" -ladvapi32

# The export names follow objdump's "[Ordinal/Name Pointer] Table" heading,
# one "[ n] Name" a line, up to the next blank line.
names=$("$objdump" -p "$wine_iphlpapi" |
	sed -n '/^\[Ordinal\/Name Pointer\] Table/,/^$/s/^[[:space:]]*\[[[:space:]]*[0-9]*\][[:space:]]*\([A-Za-z_][A-Za-z0-9_@]*\)$/\1/p')
if [ -z "$names" ]; then
	echo "build.sh: no exports found in $wine_iphlpapi" >&2
	exit 1
fi
{
	echo "LIBRARY iphlpapi.dll"
	echo "EXPORTS"
	echo "$names" | grep -vx GetIpInterfaceEntry | sed 's/.*/	&=wine_iphlpapi.&/'
	echo "	GetIpInterfaceEntry=shim_GetIpInterfaceEntry"
} >"$out/iphlpapi.def"
"$cc" -O2 -Wall -Wextra -Werror -shared -s -o "$out/iphlpapi.dll" \
	"$here/iphlpapi.c" "$out/iphlpapi.def"
