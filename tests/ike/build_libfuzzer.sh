#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 shardsec authors
#
# Build tests/ike/fuzz_ike.c as a libFuzzer target (clang) with ASan and
# UBSan, then run it for a while over the seed corpus it makes itself:
#   tests/ike/build_libfuzzer.sh [OUTDIR] [-- libFuzzer args]
# e.g. tests/ike/build_libfuzzer.sh /tmp/fz -- -max_total_time=60
set -e
src=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:-/tmp/ss_fuzz_ike}
[ $# -gt 0 ] && shift
[ "$1" = "--" ] && shift
mkdir -p "$out"
clang -g -O1 -fsanitize=fuzzer,address,undefined \
	-include rte_config.h -DALLOW_EXPERIMENTAL_API -march=native \
	-DSS_IKE_FUZZING \
	$(pkg-config --cflags-only-I libdpdk) \
	-I"$src" -I"$src/lib/ike" -I"$src/lib/config" -I"$src/lib/steer" \
	-I"$src/tests/fuzz" \
	"$src"/tests/ike/fuzz_ike.c "$src"/tests/fuzz/ss_fuzz.c \
	"$src"/lib/ike/ss_ike_msg.c \
	"$src"/lib/ike/ss_ike_crypto.c "$src"/lib/ike/ss_ike_sa.c \
	"$src"/lib/ike/ss_ike_cfg.c "$src"/lib/ike/ss_ike_cert.c \
	"$src"/lib/config/ss_config.c \
	"$src"/lib/config/ss_config_get.c "$src"/lib/steer/ss_steer.c \
	$(pkg-config --libs libdpdk libconfig libcrypto) \
	-o "$out/fuzz_ike"
echo "built $out/fuzz_ike"
if [ $# -gt 0 ]; then
	mkdir -p "$out/corpus"
	SS_FUZZ_SEED_DIR="$out/corpus" "$out/fuzz_ike" "$out/corpus" "$@"
fi
