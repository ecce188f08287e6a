#!/bin/sh
# Prints one line per file and folder in DIR (DIR itself aside): its type,
# mode, time and SHA-256, and its path; two trees are the same if their
# lines are.
#
#	treesum.sh DIR
set -eu
cd "$1"
find . -mindepth 1 -print | LC_ALL=C sort | while IFS= read -r p; do
	if [ -f "$p" ] && [ ! -L "$p" ]; then
		sum=$(sha256sum <"$p" | cut -d' ' -f1)
	else
		sum=-
	fi
	printf '%s %s\n' "$(stat -c '%F %a %Y' "$p")" "$sum $p"
done
