#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 shardsec authors
#
# Install the Debian 12 packages shardsec needs to build, run and test,
# and only those that are missing. Touches nothing else on the machine.
#   usertools/ss-deps.sh [build|run|test]   (default: test = everything)
set -eu

what=${1:-test}
build="build-essential meson ninja-build pkg-config libdpdk-dev dpdk
libipsec-mb-dev libconfig-dev check libsubunit-dev libssl-dev libbsd-dev
libnuma-dev libpcap-dev python3"
run="iproute2 iputils-ping ethtool procps"
test="python3-scapy python3-cryptography tshark netcat-openbsd
strongswan-charon strongswan-swanctl libcharon-extra-plugins
libstrongswan-extra-plugins libstrongswan-standard-plugins gnuplot-nox clang
qemu-system-x86 busybox-static cpio kmod libnl-3-200 libnl-genl-3-200
libnl-route-3-200 libpcsclite1 libdbus-1-3"

case "$what" in
build) pkgs="$build" ;;
run) pkgs="$build $run" ;;
test) pkgs="$build $run $test" ;;
*) echo "usage: $0 [build|run|test]" >&2; exit 2 ;;
esac

missing=""
for p in $pkgs; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
			grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done
if [ -z "$missing" ]; then
	echo "ss-deps: all packages present"
	exit 0
fi
echo "ss-deps: installing:$missing"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
# tshark asks whether non-root users may capture: keep Debian's default (no).
echo "wireshark-common wireshark-common/install-setuid boolean false" |
	$SUDO debconf-set-selections
$SUDO apt-get update -q
# shellcheck disable=SC2086
$SUDO apt-get install -y -q --no-install-recommends $missing
