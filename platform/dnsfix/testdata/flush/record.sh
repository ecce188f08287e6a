#!/bin/sh
# Records what dnsmasqPIDs reads, from real dnsmasq processes in a throwaway
# network namespace (run as root; nothing outside the namespace is touched).
#
#   record.sh DIR 'DNSMASQ ARGS' ['DNSMASQ ARGS'...]
#
# starts one dnsmasq per argument inside the namespace, then copies into DIR:
# proc/net/udp and udp6 as the namespace sees them, and for each dnsmasq
# proc/PID/comm, proc/PID/status and proc/PID/fd.links ("FD TARGET" per
# line, what readlink(2) returns for proc/PID/fd/FD), plus proc/1/comm.
set -eu
dir=$1; shift
ns=clr-flush-rec-$$
ip netns add "$ns"
trap 'for p in $pids; do kill "$p" 2>/dev/null || true; done; ip netns del "$ns"' EXIT
ip -n "$ns" link set lo up
pids=
for args in "$@"; do
	# shellcheck disable=SC2086 # one string of arguments per dnsmasq
	ip netns exec "$ns" dnsmasq --conf-file=/dev/null --no-daemon --no-resolv --no-hosts \
		--server=127.0.0.2 $args >/dev/null 2>&1 &
	pids="$pids $!"
done
sleep 1
mkdir -p "$dir/proc/net" "$dir/proc/1"
ip netns exec "$ns" cat /proc/net/udp >"$dir/proc/net/udp"
ip netns exec "$ns" cat /proc/net/udp6 >"$dir/proc/net/udp6"
cat /proc/1/comm >"$dir/proc/1/comm"
for p in $pids; do
	mkdir -p "$dir/proc/$p"
	cat "/proc/$p/comm" >"$dir/proc/$p/comm"
	cat "/proc/$p/status" >"$dir/proc/$p/status"
	for f in /proc/"$p"/fd/*; do
		echo "${f##*/} $(readlink "$f")"
	done >"$dir/proc/$p/fd.links"
done
