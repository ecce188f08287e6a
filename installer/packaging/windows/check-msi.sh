#!/usr/bin/env bash
# Checks Clearance's .msi with msitools (Debian's msitools), without Windows:
#
#   check-msi.sh dist/clearance-0.3.0.5-windows-amd64.msi
#       reads its tables and checks that it installs clearance.exe into
#       Program Files, registers and controls the service as `clearance
#       install` does, sets the recovery actions, puts the tray in HKLM's
#       Run key, replaces older versions, and carries the version in its name.
#
#   check-msi.sh --same A.msi B.msi
#       checks that two builds of one commit are the same package: every
#       table alike, and every stream (the cabinet with clearance.exe, the
#       icon) byte for byte. Only the summary information may differ: wixl
#       stamps it with the time of the build and a new package code.
#
# The expected values are written out here on purpose, apart from the
# template and the installer package the .msi is made from, so that a wrong
# change there is caught rather than copied. Exits 1 with every failure listed.
set -uo pipefail

fails=0
fail() {
	echo "check-msi: FAIL: $*" >&2
	fails=$((fails + 1))
}

need() {
	command -v "$1" >/dev/null || { echo "check-msi: $1 is missing: apt-get install msitools" >&2; exit 2; }
}
need msiinfo

# msiinfo export writes a table's binary cells (the Icon table's icon) as
# files under the current folder, so everything runs in a scratch one.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
abs() { realpath -e -- "$1" 2>/dev/null || { echo "check-msi: no such file: $1" >&2; exit 2; }; }

# table MSI NAME: the table's rows, tab-separated, without msiinfo's CRs;
# the first line names the columns, the two after it (types, keys) are dropped.
table() {
	msiinfo export "$1" "$2" | tr -d '\r' | sed '2,3d'
}

# rows MSI TABLE COL=VALUE...: the rows whose columns have these values,
# printed as COL=VALUE lines per row, rows separated by a blank line.
rows() {
	local msi=$1 tbl=$2
	shift 2
	table "$msi" "$tbl" | awk -F'\t' -v conds="$(printf '%s\n' "$@")" '
		NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; ncol = NF; split($0, names, "\t")
			n = split(conds, c, "\n"); next }
		{
			ok = 1
			for (j = 1; j <= n; j++) {
				if (c[j] == "") continue
				k = substr(c[j], 1, index(c[j], "=") - 1); v = substr(c[j], index(c[j], "=") + 1)
				if (!(k in col) || $(col[k]) != v) ok = 0
			}
			if (ok) { for (i = 1; i <= ncol; i++) print names[i] "=" $i; print "" }
		}'
}

# expect WHAT MSI TABLE COL=VALUE...: exactly one row has all these values.
expect() {
	local what=$1 msi=$2 tbl=$3
	shift 3
	local n
	n=$(rows "$msi" "$tbl" "$@" | grep -c '^$')
	if [ "$n" -ne 1 ]; then
		fail "$what: want one row in $tbl with $*, found $n. The table has:"
		table "$msi" "$tbl" | sed 's/^/    /' >&2
	fi
}

# in_order WHAT MSI ACTION...: the actions are in InstallExecuteSequence,
# in this order.
in_order() {
	local what=$1 msi=$2 prev=-1 a n seqs=""
	shift 2
	for a in "$@"; do
		n=$(value "$msi" InstallExecuteSequence "Action=$a" Sequence)
		seqs="$seqs $a=${n:-missing}"
		if [ -z "$n" ] || [ "$n" -le "$prev" ]; then prev=999999; else prev=$n; fi
	done
	[ "$prev" -ne 999999 ] || fail "$what: want these actions in this order in InstallExecuteSequence:$seqs"
}

# value MSI TABLE KEYCOL=KEY COL: one column of the row with that key.
value() {
	rows "$1" "$2" "$3" | sed -n "s/^$4=//p" | head -1
}

check() {
	local msi
	msi=$(abs "$1") || exit 2
	cd "$work" || exit 2
	local version
	version=$(basename "$msi" | sed -nE 's/^clearance-([0-9]+\.[0-9]+\.[0-9]+\.[0-9]+)-windows-amd64\.msi$/\1/p')
	[ -n "$version" ] || fail "the file's name $(basename "$msi") is not clearance-a.b.c.d-windows-amd64.msi"

	# The product: its version, and the UpgradeCode that every version shares
	# (a changed one would install beside the old version instead of replacing it).
	expect "the product's version is the one in the file's name" "$msi" Property Property=ProductVersion "Value=$version"
	expect "the product's name" "$msi" Property Property=ProductName Value=Clearance
	expect "the UpgradeCode is the fixed one" "$msi" Property Property=UpgradeCode 'Value={B8779E8D-444A-48A6-A467-8B04EBBD8D6B}'
	expect "installed for all users" "$msi" Property Property=ALLUSERS Value=1
	local pc
	pc=$(value "$msi" Property Property=ProductCode Value)
	[[ $pc =~ ^\{[0-9A-F]{8}-[0-9A-F]{4}-5[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}\}$ ]] ||
		fail "the ProductCode '$pc' is not the name-based GUID the stage command derives from the version"
	msiinfo suminfo "$msi" | grep -qx 'Template: x64;1033' || fail "the package is not marked for x64 (summary Template)"

	# clearance.exe, in C:\Program Files\Clearance (the 64-bit one).
	expect "clearance.exe is a file of the Service component" "$msi" File File=ClearanceExe FileName=clearance.exe Component_=Service
	expect "the Service component installs into INSTALLDIR, 64-bit, keyed by clearance.exe" "$msi" Component Component=Service Directory_=INSTALLDIR Attributes=256 KeyPath=ClearanceExe
	expect "INSTALLDIR is Clearance in Program Files" "$msi" Directory Directory=INSTALLDIR Directory_Parent=ProgramFiles64Folder DefaultDir=Clearance
	expect "ProgramFiles64Folder is at the root" "$msi" Directory Directory=ProgramFiles64Folder Directory_Parent=TARGETDIR

	# The service, as `clearance install` registers it: "<exe>" agent, own
	# process (16), automatic start (2), errors logged (1), LocalSystem.
	expect "the service is registered" "$msi" ServiceInstall Name=clearance Arguments=agent ServiceType=16 StartType=2 ErrorControl=1 StartName=LocalSystem Component_=Service DisplayName=Clearance
	[ -n "$(value "$msi" ServiceInstall Name=clearance Description)" ] || fail "the service has no description"
	# Event 163 = 1 start at install + 2 stop at install + 32 stop at
	# uninstall + 128 delete at uninstall; Wait=1: each waits for the service.
	expect "the service is started at install, stopped before any change, and removed at uninstall" "$msi" ServiceControl Name=clearance Event=163 Wait=1 Component_=Service

	# Recovery actions, by sc.exe as SYSTEM (3186 = exe named by a property,
	# deferred, not impersonated, failure ignored), after the service is
	# registered and before it starts.
	expect "sc.exe is found in System32" "$msi" CustomAction Action=FindSc Type=51 Source=ClearanceScExe 'Target=[System64Folder]sc.exe'
	expect "the recovery actions: restart after 5 s, count reset after a day" "$msi" CustomAction Action=SetRecovery Type=3186 Source=ClearanceScExe 'Target=failure clearance reset= 86400 actions= restart/5000'
	expect "the recovery actions apply to errors too" "$msi" CustomAction Action=SetRecoveryOnErrors Type=3186 Source=ClearanceScExe 'Target=failureflag clearance 1'
	in_order "sc.exe is found before the recovery actions run, which run between registering the service and starting it" "$msi" \
		CostFinalize FindSc InstallServices SetRecovery SetRecoveryOnErrors StartServices
	for a in FindSc SetRecovery SetRecoveryOnErrors; do
		expect "$a runs at install and repair, not at removal" "$msi" InstallExecuteSequence "Action=$a" 'Condition=NOT REMOVE~="ALL"'
	done

	# On removal, not an upgrade's: dns-restore through the agent before it
	# stops (3122 = exe named by a property, deferred, not impersonated,
	# failure stops the removal).
	expect "the program is found for the removal" "$msi" CustomAction Action=FindClearance Type=51 Source=ClearanceProgram 'Target=[#ClearanceExe]'
	expect "DNS is put back on removal" "$msi" CustomAction Action=RestoreDNS Type=3122 Source=ClearanceProgram 'Target=fix dns-restore'
	in_order "DNS is put back while the agent still runs" "$msi" CostFinalize FindClearance InstallInitialize RestoreDNS StopServices
	for a in FindClearance RestoreDNS; do
		expect "$a runs at removal only, not an upgrade's" "$msi" InstallExecuteSequence "Action=$a" 'Condition=REMOVE~="ALL" AND NOT UPGRADINGPRODUCTCODE'
	done

	# The service's event log source, as kardianos/service registers it.
	local evkey='SYSTEM\CurrentControlSet\Services\EventLog\Application\clearance'
	expect "event source: CustomSource" "$msi" Registry Root=2 "Key=$evkey" Name=CustomSource Value=#1 Component_=Service
	expect "event source: EventCreate.exe's messages, REG_EXPAND_SZ" "$msi" Registry Root=2 "Key=$evkey" Name=EventMessageFile 'Value=#%%SystemRoot%\System32\EventCreate.exe' Component_=Service
	expect "event source: errors, warnings, information" "$msi" Registry Root=2 "Key=$evkey" Name=TypesSupported Value=#7 Component_=Service

	# The tray at every logon: HKLM (Root 2), 64-bit view, the installed
	# clearance.exe quoted.
	expect "the tray starts at logon from HKLM's Run key" "$msi" Registry Root=2 'Key=Software\Microsoft\Windows\CurrentVersion\Run' Name=Clearance 'Value="[#ClearanceExe]" tray --autostart' Component_=TrayAutostart
	expect "the TrayAutostart component is 64-bit and keyed by its registry value" "$msi" Component Component=TrayAutostart Attributes=260
	for c in Service TrayAutostart; do
		expect "the feature installs $c" "$msi" FeatureComponents Feature_=Clearance "Component_=$c"
	done

	# Upgrades: every version below the next a.b.(c+1) is replaced (Windows
	# Installer ignores the fourth number), a newer one is refused.
	if [ -n "$version" ]; then
		local next
		next=$(echo "$version" | awk -F. '{ printf "%d.%d.%d", $1, $2, $3 + 1 }')
		expect "older versions and this one are replaced" "$msi" Upgrade VersionMin=0.0.0 "VersionMax=$next" Attributes=256 ActionProperty=CLEARANCE_OLDER_FOUND
		expect "newer versions are detected" "$msi" Upgrade "VersionMin=$next" VersionMax= Attributes=258 ActionProperty=CLEARANCE_NEWER_FOUND
	fi
	expect "a newer version stops the installation" "$msi" LaunchCondition 'Condition=NOT CLEARANCE_NEWER_FOUND'
	in_order "the old version is removed whole before this one installs" "$msi" InstallValidate RemoveExistingProducts InstallInitialize
	expect "secure properties for the upgrade" "$msi" Property Property=SecureCustomProperties 'Value=CLEARANCE_OLDER_FOUND;CLEARANCE_NEWER_FOUND'
}

same() {
	local a b tmp=$work
	a=$(abs "$1") || exit 2
	b=$(abs "$2") || exit 2
	cd "$work" || exit 2
	local ta tb
	ta=$(msiinfo tables "$a" | tr -d '\r' | sort)
	tb=$(msiinfo tables "$b" | tr -d '\r' | sort)
	[ "$ta" = "$tb" ] || fail "the two packages have different tables: $(diff <(echo "$ta") <(echo "$tb") | tr '\n' ' ')"
	local t n=0
	for t in $ta; do
		case $t in _SummaryInformation | _ForceCodepage) continue ;; esac
		n=$((n + 1))
		if ! diff -u --label "$a:$t" --label "$b:$t" <(msiinfo export "$a" "$t") <(msiinfo export "$b" "$t") >"$tmp/diff"; then
			fail "table $t differs between the two builds:"
			sed 's/^/    /' "$tmp/diff" >&2
		fi
	done
	local sa sb s m=0
	sa=$(msiinfo streams "$a" | tr -d '\r' | sort)
	sb=$(msiinfo streams "$b" | tr -d '\r' | sort)
	[ "$sa" = "$sb" ] || fail "the two packages have different streams: $(diff <(echo "$sa") <(echo "$sb") | tr '\n' ' ')"
	for s in $sa; do
		case $s in *SummaryInformation) continue ;; esac # named "\005SummaryInformation"
		m=$((m + 1))
		msiinfo extract "$a" "$s" >"$tmp/a" && msiinfo extract "$b" "$s" >"$tmp/b" ||
			{ fail "could not extract stream $s"; continue; }
		cmp -s "$tmp/a" "$tmp/b" || fail "stream $s differs between the two builds ($(stat -c %s "$tmp/a") and $(stat -c %s "$tmp/b") bytes)"
	done
	# clearance.exe itself, unpacked from each cabinet.
	if command -v msiextract >/dev/null; then
		mkdir "$tmp/xa" "$tmp/xb"
		(cd "$tmp/xa" && msiextract "$a" >/dev/null) && (cd "$tmp/xb" && msiextract "$b" >/dev/null) ||
			fail "msiextract could not unpack the packages"
		local ea eb
		ea=$(find "$tmp/xa" -name clearance.exe | head -1)
		eb=$(find "$tmp/xb" -name clearance.exe | head -1)
		if [ -z "$ea" ] || [ -z "$eb" ]; then
			fail "clearance.exe is not in both packages"
		elif ! cmp -s "$ea" "$eb"; then
			fail "clearance.exe differs between the two builds: $(sha256sum "$ea" "$eb" | awk '{print $1}' | tr '\n' ' ')"
		else
			echo "check-msi: clearance.exe identical, sha256 $(sha256sum "$ea" | awk '{print $1}')"
		fi
	fi
	echo "check-msi: compared $n tables and $m streams"
}

case ${1:-} in
--same)
	[ $# -eq 3 ] || { echo "usage: check-msi.sh --same A.msi B.msi" >&2; exit 2; }
	same "$2" "$3"
	;;
'' | -*)
	echo "usage: check-msi.sh MSI | check-msi.sh --same A.msi B.msi" >&2
	exit 2
	;;
*)
	[ $# -eq 1 ] || { echo "usage: check-msi.sh MSI" >&2; exit 2; }
	check "$1"
	;;
esac

if [ "$fails" -gt 0 ]; then
	if [ "$1" = --same ]; then
		echo "check-msi: $fails check(s) failed: two builds of one commit gave different packages; see above" >&2
	else
		echo "check-msi: $fails check(s) failed: the .msi would not install Clearance as it should; see above" >&2
	fi
	exit 1
fi
echo "check-msi: ok ${*: -1}"
