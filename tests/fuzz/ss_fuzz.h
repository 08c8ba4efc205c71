/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 shardsec authors
 */

#ifndef SS_FUZZ_H
#define SS_FUZZ_H

/* The built-in mutator of the fuzz targets' plain programs (their
 * bounded runs in the test suite; libFuzzer brings its own): a
 * reproducible xorshift generator and a few byte-level mutations. */

#include <stddef.h>
#include <stdint.h>

/** The next pseudo-random number (the same sequence every run). */
uint32_t
ss_fuzz_rnd(void);

/**
 * Mutate the len bytes at b in place (1 to 4 of: bit flip, interesting
 * byte, truncation, random tail up to cap, small 16-bit length, a chunk
 * of splice[0..splice_len) copied in, top bit set, random byte).
 * Returns the new length (<= cap).
 */
size_t
ss_fuzz_mutate(uint8_t *b, size_t len, size_t cap, const uint8_t *splice,
	size_t splice_len);

/**
 * With SS_FUZZ_SEED_DIR set (a libFuzzer corpus to start from), write
 * seed input k there as DIR/NAME-k: the head byte, then len bytes at b.
 * Without it, nothing.
 */
void
ss_fuzz_seed_write(const char *name, unsigned int k, uint8_t head,
	const uint8_t *b, size_t len);

/**
 * The plain programs' replay: when argv[1] is not a number, each
 * argument is an input file, or a folder of them (a libFuzzer corpus, a
 * crash file), run once through one(). Returns how many ran, or -1 when
 * argv[1] is a number (or absent): the caller mutates instead.
 */
long
ss_fuzz_replay(int argc, char **argv,
	int (*one)(const uint8_t *data, size_t size));

/**
 * As ss_fuzz_seed_write, without the head byte (text inputs).
 */
void
ss_fuzz_seed_write_raw(const char *name, unsigned int k, const uint8_t *b,
	size_t len);

/**
 * Start DPDK for a fuzz target: no hugepages, no PCI, lcore 0, 256 MB,
 * critical logs only, a file prefix of the target's own. Under ASan,
 * DPDK's memory becomes a LeakSanitizer root: LeakSanitizer does not
 * look into it, and the state kept there points to what was allocated
 * with malloc (ipsec-mb managers, hold queues), which would otherwise
 * be reported as leaked while that state lives. Exits on failure.
 */
void
ss_fuzz_eal_init(const char *name);

#endif /* SS_FUZZ_H */
