#!/usr/bin/env bash
# same-dist.sh A B: two `make dist` outputs of one commit hold the same
# files with the same bytes. An .msi embeds a timestamp and GUIDs of its
# own, so it is left to its own check, which compares its tables.
set -euo pipefail
a=$1 b=$2
list() { (cd "$1" && find . -type f | LC_ALL=C sort); }
if ! diff <(list "$a") <(list "$b"); then
	echo "same-dist: the two builds made different files (above)" >&2
	exit 1
fi
bad=0 n=0
while IFS= read -r f; do
	case $f in *.msi) continue ;; esac
	n=$((n + 1))
	if ! cmp -s "$a/$f" "$b/$f"; then
		echo "same-dist: $f differs between the two builds" >&2
		bad=1
	fi
done < <(list "$a")
if [ "$bad" -ne 0 ]; then
	echo "same-dist: the build is not reproducible; see docs on SOURCE_DATE_EPOCH in the Makefile" >&2
	exit 1
fi
echo "same-dist: $n files identical in $a and $b"
