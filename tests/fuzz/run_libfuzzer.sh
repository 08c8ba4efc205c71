#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 shardsec authors
#
# Build the packet-path fuzz target (tests/fuzz/fuzz_dp.c) for libFuzzer
# with clang, ASan and UBSan (a meson build of its own, -Dlibfuzzer=true:
# the libraries get libFuzzer's coverage instrumentation), then run it
# over a corpus that starts from the target's own seed frames:
#   tests/fuzz/run_libfuzzer.sh [BUILDDIR] [-- libFuzzer args]
# e.g. tests/fuzz/run_libfuzzer.sh /tmp/ss_fuzz -- -max_total_time=600
# A crash leaves crash-* / leak-* files in the current directory; replay
# one with BUILDDIR/tests/fuzz/fuzz_dp FILE.
set -e
src=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:-/tmp/ss_fuzz_dp}
[ $# -gt 0 ] && shift
[ "${1:-}" = "--" ] && shift
if [ ! -f "$out/build.ninja" ]; then
	CC=clang meson setup "$out" "$src" -Dlibfuzzer=true \
		-Dsanitizers=true -Dbuildtype=debugoptimized >/dev/null
fi
ninja -C "$out" tests/fuzz/fuzz_dp >/dev/null
echo "built $out/tests/fuzz/fuzz_dp"
mkdir -p "$out/corpus"
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export LSAN_OPTIONS="suppressions=$src/tests/fuzz/lsan.supp"
SS_FUZZ_SEED_DIR="$out/corpus" "$out/tests/fuzz/fuzz_dp" "$out/corpus" "$@"
