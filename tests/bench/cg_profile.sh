#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 shardsec authors
#
# Instructions per packet in the worker, by function, under callgrind:
# repeatable on a busy machine, unlike cycles. Used to judge changes on
# the packet path (tests/bench/run.sh gives the cycles).
#
#   tests/bench/cg_profile.sh BUILD_DIR out|in [ss_bench options...]
#
# BUILD_DIR should be configured with -Dcpu_instruction_set=x86-64-v3
# -Ddebug=true (valgrind 3.19 has no AVX-512; -g gives source lines).
# Prints the total, the total without the worker loop's own instructions
# (those grow with idle polls, since valgrind slows the generator), and
# the top functions by their own instructions per packet. The raw
# callgrind file is kept (path printed) for callgrind_annotate --auto=yes.

set -u
if [ $# -lt 2 ]; then
	sed -n '5,16p' "$0"
	exit 2
fi
BUILD=$1
DIR=$2
shift 2
BIN=$BUILD/tests/bench/ss_bench
OUT=$(mktemp /tmp/ss_cg.XXXXXX)
PKTS=$(valgrind --tool=callgrind --dump-instr=no --callgrind-out-file="$OUT" \
	--toggle-collect=ss_app_worker_main "$BIN" --no-pci --no-huge -m 1024 \
	--no-shconf --no-telemetry --log-level=error --lcores '0@(0-1),1@0' -- \
	--workers 1 --sizes 64 --seconds 0.5 --batch 2048 --dirs "$DIR" \
	--algo gcm "$@" 2>&1 | tee "$OUT.log" | grep -o ', [0-9]* pkts' |
	grep -o '[0-9]*')
if [ -z "$PKTS" ] || ! grep -q verified "$OUT.log"; then
	echo "ss_bench failed or the row was not verified: $OUT.log"
	exit 1
fi
callgrind_annotate "$OUT" 2>/dev/null > "$OUT.txt"
TOT=$(awk '/PROGRAM TOTALS/ { gsub(",", "", $1); print $1; exit }' "$OUT.txt")
LOOP=$(awk '/worker.c:ss_app_worker_main / { gsub(",", "", $1); print $1; exit }' "$OUT.txt")
echo "$DIR: $PKTS packets, $((TOT / PKTS)) instructions/packet," \
	"$(((TOT - ${LOOP:-0}) / PKTS)) without the worker loop's own"
awk -v p="$PKTS" '/^ *[0-9,]+ +\( *[0-9.]+%\) / && !/PROGRAM TOTALS/ {
	v = $1; gsub(",", "", v); n = $NF
	if ($NF ~ /^\[/) n = $(NF - 1)
	sub(/.*\//, "", n); printf "  %6.1f %s\n", v / p, n
}' "$OUT.txt" | head -20
echo "callgrind file: $OUT"
