/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 shardsec authors
 */

#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <unistd.h>

#include <rte_common.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_memory.h>

#include "ss_fuzz.h"

#if defined(__SANITIZE_ADDRESS__)
#define FZ_LSAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FZ_LSAN 1
#endif
#endif
#ifdef FZ_LSAN
#include <sanitizer/lsan_interface.h>
#endif

static uint64_t rs = 0x9e3779b97f4a7c15ull;

uint32_t
ss_fuzz_rnd(void)
{
	rs ^= rs << 13;
	rs ^= rs >> 7;
	rs ^= rs << 17;
	return (uint32_t)rs;
}

size_t
ss_fuzz_mutate(uint8_t *b, size_t len, size_t cap, const uint8_t *splice,
	size_t splice_len)
{
	static const uint8_t v[] = { 0, 1, 0x7f, 0x80, 0xff, 4, 8, 28, 46,
		33 };
	const unsigned int n = 1 + ss_fuzz_rnd() % 4;
	unsigned int i;

	for (i = 0; i < n; i++) {
		const size_t pos = len ? ss_fuzz_rnd() % len : 0;

		switch (ss_fuzz_rnd() % 8) {
		case 0: /* bit flip */
			if (len)
				b[pos] ^= (uint8_t)(1u << (ss_fuzz_rnd() % 8));
			break;
		case 1: /* interesting byte */
			if (len)
				b[pos] = v[ss_fuzz_rnd() % sizeof(v)];
			break;
		case 2: /* truncate */
			len = pos;
			break;
		case 3: /* extend with garbage */
			while (len < cap && ss_fuzz_rnd() % 8)
				b[len++] = (uint8_t)ss_fuzz_rnd();
			break;
		case 4: /* 16-bit length-ish field */
			if (len > 1 && pos + 1 < len) {
				const uint16_t x = (uint16_t)(ss_fuzz_rnd() %
					64);

				b[pos] = (uint8_t)(x >> 8);
				b[pos + 1] = (uint8_t)x;
			}
			break;
		case 5: /* splice in a chunk of another input */
			if (splice != NULL && splice_len != 0) {
				const size_t from = ss_fuzz_rnd() % splice_len;
				size_t cnt = splice_len - from;

				if (cnt > len - pos)
					cnt = len - pos;
				memcpy(b + pos, splice + from, cnt);
			}
			break;
		case 6: /* critical bit on */
			if (len)
				b[pos] |= 0x80;
			break;
		default: /* random byte */
			if (len)
				b[pos] = (uint8_t)ss_fuzz_rnd();
		}
	}
	return len;
}

static void
seed_write(const char *name, unsigned int k, const uint8_t *head,
	const uint8_t *b, size_t len)
{
	const char *dir = getenv("SS_FUZZ_SEED_DIR");
	char path[512];
	FILE *o;

	if (dir == NULL)
		return;
	snprintf(path, sizeof(path), "%s/%s-%02u", dir, name, k);
	o = fopen(path, "wb");
	if (o == NULL)
		return;
	if ((head != NULL && fwrite(head, 1, 1, o) != 1) ||
			fwrite(b, 1, len, o) != len)
		fprintf(stderr, "%s: short write\n", path);
	fclose(o);
}

void
ss_fuzz_seed_write(const char *name, unsigned int k, uint8_t head,
	const uint8_t *b, size_t len)
{
	seed_write(name, k, &head, b, len);
}

void
ss_fuzz_seed_write_raw(const char *name, unsigned int k, const uint8_t *b,
	size_t len)
{
	seed_write(name, k, NULL, b, len);
}

#ifdef FZ_LSAN
static int
lsan_root(const struct rte_memseg_list *msl, void *arg)
{
	(void)arg;
	if (msl->base_va != NULL && msl->len != 0)
		__lsan_register_root_region(msl->base_va, msl->len);
	return 0;
}
#endif

void
ss_fuzz_eal_init(const char *name)
{
	char prefix[64];
	char *argv[] = { (char *)(uintptr_t)name, (char *)"--no-huge",
		(char *)"--no-pci", (char *)"-m", (char *)"256",
		(char *)"--no-shconf", (char *)"--no-telemetry", (char *)"-l",
		(char *)"0", (char *)"--log-level=crit", prefix, NULL };

	snprintf(prefix, sizeof(prefix), "--file-prefix=%s%d", name,
		(int)getpid());
	if (rte_eal_init((int)RTE_DIM(argv) - 1, argv) < 0) {
		fprintf(stderr, "%s: rte_eal_init: %s\n", name,
			rte_strerror(rte_errno));
		exit(1);
	}
#ifdef FZ_LSAN
	rte_memseg_list_walk(lsan_root, NULL);
#endif
}

static long
replay_file(const char *path, int (*one)(const uint8_t *, size_t))
{
	static uint8_t buf[1 << 16];
	FILE *f = fopen(path, "rb");
	size_t n;

	if (f == NULL) {
		fprintf(stderr, "%s: cannot open\n", path);
		return 0;
	}
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	one(buf, n);
	return 1;
}

long
ss_fuzz_replay(int argc, char **argv,
	int (*one)(const uint8_t *data, size_t size))
{
	long done = 0;
	int i;

	if (argc < 2 || isdigit((unsigned char)argv[1][0]))
		return -1;
	for (i = 1; i < argc; i++) {
		struct stat sb;
		struct dirent *e;
		DIR *d;

		if (stat(argv[i], &sb) != 0 || !S_ISDIR(sb.st_mode)) {
			done += replay_file(argv[i], one);
			continue;
		}
		d = opendir(argv[i]);
		while (d != NULL && (e = readdir(d)) != NULL) {
			char path[4096];

			if (e->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/%s", argv[i],
				e->d_name);
			done += replay_file(path, one);
		}
		if (d != NULL)
			closedir(d);
	}
	return done;
}
