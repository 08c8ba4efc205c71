#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 shardsec authors
#
# README command 1: install what is missing, build, and run the gateway's
# main job on the embedded default configuration:
#
#   inside host (netns ss-demo-in)  192.0.2.2, 2001:db8:1::2
#        | veth ssgw-in  (DPDK net_af_packet0)
#     shardsec   2 servers (instance-ids 1, 2) on worker lcores 1, 2
#        | veth ssgw-out (DPDK net_af_packet1)
#   outside host (netns ss-demo-out) 198.51.100.2, 2001:db8:2::2,
#                                    203.0.113.1 and 2001:db8:3::1 behind it
#
# Traffic (ping and a TCP transfer, IPv4 and IPv6) runs from the inside
# host through the gateway while the shell is open. --batch prints the
# counters and exits instead of opening the shell.
set -eu
cd "$(dirname "$0")/.."
batch=0
[ "${1:-}" = "--batch" ] && batch=1

usertools/ss-deps.sh run
[ -f build/build.ninja ] || meson setup build
ninja -C build

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
NI=ss-demo-in
NO=ss-demo-out

net_down() {
	$SUDO ip netns del $NI 2>/dev/null || true
	$SUDO ip netns del $NO 2>/dev/null || true
	$SUDO ip link del ssgw-in 2>/dev/null || true
	$SUDO ip link del ssgw-out 2>/dev/null || true
}
cleanup() {
	if [ -n "${tpid:-}" ]; then kill "$tpid" 2>/dev/null || true; fi
	net_down
	rm -rf "$work"
}
net_down		# left over from an interrupted run
work=$(mktemp -d /tmp/shardsec-demo.XXXXXX)
trap cleanup EXIT INT TERM

host() { # ns gw-end v4 gw4 v6 gw6
	$SUDO ip netns add "$1"
	$SUDO ip link add "$2" type veth peer name eth0 netns "$1"
	$SUDO sysctl -qw "net.ipv6.conf.$2.disable_ipv6=1"
	$SUDO ip link set "$2" up
	$SUDO ip netns exec "$1" sh -e -c "
		ip link set lo up
		ip addr add $3/24 dev eth0
		ip addr add $5/64 dev eth0 nodad
		ip link set eth0 up
		ethtool -K eth0 tx off >/dev/null
		ip route add default via $4
		ip -6 route add default via $6"
}
host $NI ssgw-in 192.0.2.2 192.0.2.1 2001:db8:1::2 2001:db8:1::1
host $NO ssgw-out 198.51.100.2 198.51.100.1 2001:db8:2::2 2001:db8:2::1
$SUDO ip netns exec $NO ip addr add 203.0.113.1/32 dev lo
$SUDO ip netns exec $NO ip addr add 2001:db8:3::1/128 dev lo

ncpu=$(nproc)
if [ "$ncpu" -ge 3 ]; then lcores="-l 0-2"; else lcores="--lcores=(0-2)@(0-$((ncpu - 1)))"; fi

# Traffic from the inside host once the gateway is up.
(
	sleep 4
	for a in 198.51.100.2 2001:db8:2::2 203.0.113.1 2001:db8:3::1; do
		$SUDO ip netns exec $NI ping -c 3 -i 0.3 -W 2 $a |
			tail -2 | head -1 | sed "s/^/[demo] ping $a: /"
	done
	$SUDO ip netns exec $NO sh -c 'nc -l 5001 > /dev/null' &
	sleep 0.5
	head -c 4000000 /dev/urandom > "$work/blob"
	t0=$(date +%s.%N)
	$SUDO ip netns exec $NI sh -c "nc -N -w 10 203.0.113.1 5001 < $work/blob" &&
		echo "[demo] TCP 4 MB to 203.0.113.1 through the gateway in" \
			"$(awk "BEGIN { print $(date +%s.%N) - $t0 }") s"
	echo "[demo] traffic done: try 'show port stats all', 'show neigh'," \
		"'show lcores', 'show stats', 'help', 'quit'"
) > "$work/traffic.log" 2>&1 &
tpid=$!

# $lcores is two words on purpose.
# shellcheck disable=SC2086
if [ $batch -eq 1 ]; then
	printf '%s\n' "sleep 9000" "show port stats all" "show neigh" \
		"show route" "show lcores" "show stats" "quit" > "$work/cmds"
	$SUDO build/app/shardsec $lcores --no-pci --no-huge -m 512 \
		--file-prefix shardsec-demo -- --cmdline-file "$work/cmds"
	wait "$tpid" || true
	cat "$work/traffic.log"
	grep -q " 0% packet loss" "$work/traffic.log"
else
	( sleep 12; cat "$work/traffic.log" ) &
	$SUDO build/app/shardsec $lcores --no-pci --no-huge -m 512 \
		--file-prefix shardsec-demo -- -i
fi
