#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 shardsec authors
#
# README command 2: install what is missing, build (release and
# ASan+UBSan), run every test: the Check unit suites under both builds,
# then the integration tests (network namespaces, af_packet, scapy).
# Exits non-zero on any failure.
set -eu
cd "$(dirname "$0")/.."
usertools/ss-deps.sh test

jobs=$(nproc)
if [ ! -f build/build.ninja ]; then
	meson setup build
fi
ninja -C build -j "$jobs"
if [ ! -f build-san/build.ninja ]; then
	meson setup build-san -Dsanitizers=true -Dbuildtype=debug
fi
ninja -C build-san -j "$jobs"

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
rc=0
echo "== unit and integration tests (ASan+UBSan build)"
$SUDO meson test -C build-san --suite unit --suite integration \
	--print-errorlogs --timeout-multiplier 3 || rc=1
echo "== unit and integration tests (release build)"
$SUDO meson test -C build --print-errorlogs --timeout-multiplier 2 || rc=1
exit $rc
