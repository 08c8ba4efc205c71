#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 shardsec authors
#
# Build a fuzz target of tests/fuzz (fuzz_dp: the packet path, the
# default; fuzz_mka: MKA; fuzz_cfg: the configuration) for libFuzzer with clang, ASan and UBSan (a
# meson build of its own, -Dlibfuzzer=true: the libraries get libFuzzer's
# coverage instrumentation), then run it over a corpus that starts from
# the target's own seeds:
#   tests/fuzz/run_libfuzzer.sh [TARGET] [BUILDDIR] [-- libFuzzer args]
# e.g. tests/fuzz/run_libfuzzer.sh fuzz_mka /tmp/ss_fuzz -- -max_total_time=600
# A crash leaves crash-* / leak-* files in the current directory; replay
# one with BUILDDIR/tests/fuzz/TARGET FILE.
set -e
src=$(cd "$(dirname "$0")/../.." && pwd)
target=fuzz_dp
case "${1:-}" in
fuzz_*) target=$1; shift ;;
esac
out=${1:-/tmp/ss_fuzz}
[ $# -gt 0 ] && shift
[ "${1:-}" = "--" ] && shift
if [ ! -f "$out/build.ninja" ]; then
	CC=clang meson setup "$out" "$src" -Dlibfuzzer=true \
		-Dsanitizers=true -Dbuildtype=debugoptimized >/dev/null
fi
ninja -C "$out" "tests/fuzz/$target" >/dev/null
echo "built $out/tests/fuzz/$target"
mkdir -p "$out/corpus-$target"
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export LSAN_OPTIONS="suppressions=$src/tests/fuzz/lsan.supp"
# libFuzzer reports what it found with 77 by default, which meson
# reads as a skipped test
dict=
[ -f "$src/tests/fuzz/$target.dict" ] && dict="-dict=$src/tests/fuzz/$target.dict"
SS_FUZZ_SEED_DIR="$out/corpus-$target" "$out/tests/fuzz/$target" \
	-error_exitcode=1 -timeout_exitcode=1 $dict "$out/corpus-$target" "$@"
