/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 shardsec authors
 */

/*
 * How the bare crypto scales from one CPU to two on this host: the same
 * intel-ipsec-mb operations as ss_bench's crypto floor (AES-GCM-128
 * init/update/finalize; AES-CBC-128 + HMAC-SHA-256 jobs in bursts of 32
 * then flushed), on cache-hot buffers of each thread's own, run on CPU A
 * alone, then on A and B at once. Runs alternate, so that both kinds see
 * the same state of a shared host, and the medians are reported.
 *
 * The pipeline's two-worker scaling (issue 5: at least 1.9x) cannot be
 * better than the scaling of the crypto it is built around: where this
 * tool finds the bare operation slower with both CPUs busy, the host
 * (shared caches, memory, power, the hypervisor), not the pipeline, sets
 * that limit.
 *
 *   floor_scale [--cpus A,B] [--reps N] [--ms MS] [--csv FILE]
 */

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <x86intrin.h>

#define NO_COMPAT_IMB_API_053
#include <intel-ipsec-mb.h>

#define FS_BURST 32
#define FS_BUFS 64
#define FS_BUF_LEN 2048
#define FS_MAX_REPS 101

struct fs_size {
	const char *name;
	unsigned int n;
	uint16_t len[12];
};

/* Inner IP packet lengths, as ss_bench's rows (IMIX: 7:4:1 of
 * 64/570/1500, interleaved). */
static const struct fs_size sizes[] = {
	{ "64", 1, { 64 } },
	{ "512", 1, { 512 } },
	{ "1420", 1, { 1420 } },
	{ "imix", 12, { 64, 570, 64, 64, 570, 64, 1500, 64, 570, 64, 570,
		64 } },
};

struct fs_thread {
	int cpu;
	bool gcm;
	bool enc;
	const struct fs_size *sz;
	uint64_t ms;
	pthread_barrier_t *go;
	double cyc;		/* per packet */
	int err;
};

/* Bytes the ESP layer ciphers for an inner packet of len bytes. */
static uint32_t
plain_len(uint16_t len, bool gcm)
{
	const uint32_t a = gcm ? 4 : 16;

	return ((uint32_t)len + 2 + a - 1) / a * a;
}

static void *
fs_run(void *arg)
{
	struct fs_thread *t = arg;
	uint8_t *buf[FS_BUFS], key[32], ipad[32], opad[32], blk[64];
	uint8_t iv[12], aad[12], tag[FS_BURST][16];
	struct gcm_key_data *gk = NULL;
	uint8_t *ek = NULL, *dk = NULL;
	struct gcm_context_data ctx;
	IMB_MGR *m = NULL;
	uint64_t k = 0, pkts = 0, t0;
	struct timespec s, e;
	unsigned int i;
	cpu_set_t c;

	memset(buf, 0, sizeof(buf));
	CPU_ZERO(&c);
	CPU_SET(t->cpu, &c);
	t->err = pthread_setaffinity_np(pthread_self(), sizeof(c), &c);
	m = alloc_mb_mgr(0);
	if (t->err == 0 && m == NULL)
		t->err = ENOMEM;
	if (m != NULL)
		init_mb_mgr_auto(m, NULL);
	if (posix_memalign((void **)&gk, 64, sizeof(*gk)) != 0 ||
			posix_memalign((void **)&ek, 64, 16 * 15) != 0 ||
			posix_memalign((void **)&dk, 64, 16 * 15) != 0)
		t->err = ENOMEM;
	for (i = 0; i < FS_BUFS; i++)
		if (posix_memalign((void **)&buf[i], 64, FS_BUF_LEN) != 0)
			t->err = ENOMEM;
	pthread_barrier_wait(t->go);
	if (t->err != 0)
		goto out;
	/* throw-away keys: the cost does not depend on them */
	for (i = 0; i < sizeof(key); i++)
		key[i] = (uint8_t)(i * 37 + 11);
	for (i = 0; i < FS_BUFS; i++)
		memset(buf[i], (int)i, FS_BUF_LEN);
	IMB_AES128_GCM_PRE(m, key, gk);
	IMB_AES_KEYEXP_128(m, key, ek, dk);
	memset(blk, 0x36, sizeof(blk));
	IMB_SHA256_ONE_BLOCK(m, blk, ipad);
	memset(blk, 0x5c, sizeof(blk));
	IMB_SHA256_ONE_BLOCK(m, blk, opad);
	memset(iv, 0x5a, sizeof(iv));
	memset(aad, 0xa5, sizeof(aad));
	t0 = __rdtsc();
	clock_gettime(CLOCK_MONOTONIC, &s);
	for (;;) {
		for (i = 0; i < FS_BURST; i++, k++) {
			uint8_t *b = buf[k % FS_BUFS];
			const uint32_t p = plain_len(
				t->sz->len[k % t->sz->n], t->gcm);
			IMB_JOB *job;

			if (t->gcm && t->enc) {
				IMB_AES128_GCM_INIT(m, gk, &ctx, iv,
					aad, 8);
				IMB_AES128_GCM_ENC_UPDATE(m, gk, &ctx,
					b, b, p);
				IMB_AES128_GCM_ENC_FINALIZE(m, gk,
					&ctx, b + p, 16);
				continue;
			}
			if (t->gcm) {
				IMB_AES128_GCM_INIT(m, gk, &ctx, iv,
					aad, 8);
				IMB_AES128_GCM_DEC_UPDATE(m, gk, &ctx,
					b, b, p);
				IMB_AES128_GCM_DEC_FINALIZE(m, gk,
					&ctx, tag[i], 16);
				continue;
			}
			job = IMB_GET_NEXT_JOB(m);
			job->enc_keys = ek;
			job->dec_keys = dk;
			job->key_len_in_bytes = IMB_KEY_128_BYTES;
			job->src = b;
			job->dst = b;
			job->cipher_start_src_offset_in_bytes = 24;
			job->msg_len_to_cipher_in_bytes = p;
			job->iv = b + 8;
			job->iv_len_in_bytes = 16;
			job->hash_start_src_offset_in_bytes = 0;
			job->msg_len_to_hash_in_bytes = 24 + p;
			job->auth_tag_output = tag[i];
			job->auth_tag_output_len_in_bytes = 16;
			job->u.HMAC._hashed_auth_key_xor_ipad = ipad;
			job->u.HMAC._hashed_auth_key_xor_opad = opad;
			job->cipher_mode = IMB_CIPHER_CBC;
			job->hash_alg = IMB_AUTH_HMAC_SHA_256;
			job->cipher_direction = t->enc ?
				IMB_DIR_ENCRYPT : IMB_DIR_DECRYPT;
			job->chain_order = t->enc ?
				IMB_ORDER_CIPHER_HASH :
				IMB_ORDER_HASH_CIPHER;
			job = IMB_SUBMIT_JOB(m);
			if (job != NULL &&
					job->status != IMB_STATUS_COMPLETED)
				t->err = EIO;
		}
		while (!t->gcm) {
			IMB_JOB *job = IMB_FLUSH_JOB(m);

			if (job == NULL)
				break;
			if (job->status != IMB_STATUS_COMPLETED)
				t->err = EIO;
		}
		pkts += FS_BURST;
		/* the clock every 16 bursts: its cost stays out of
		 * the figures */
		if (pkts % (16 * FS_BURST) != 0)
			continue;
		clock_gettime(CLOCK_MONOTONIC, &e);
		if ((double)(e.tv_sec - s.tv_sec) * 1e3 +
				(double)(e.tv_nsec - s.tv_nsec) / 1e6 >=
				(double)t->ms)
			break;
	}
	t->cyc = (double)(__rdtsc() - t0) / (double)pkts;
out:
	for (i = 0; i < FS_BUFS; i++)
		free(buf[i]);
	free(gk);
	free(ek);
	free(dk);
	if (m != NULL)
		free_mb_mgr(m);
	return NULL;
}

static int
cmp_double(const void *a, const void *b)
{
	const double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double
median(double *v, unsigned int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return v[n / 2];
}

/* One run: on cpu[0] alone (nb 1) or on both at once (nb 2); *cyc gets
 * each thread's cycles per packet. 0 or an errno. */
static int
fs_once(const int cpu[2], unsigned int nb, bool gcm, bool enc,
	const struct fs_size *sz, uint64_t ms, double cyc[2])
{
	struct fs_thread t[2];
	pthread_barrier_t go;
	pthread_t th[2];
	unsigned int i;
	int err = 0;

	pthread_barrier_init(&go, NULL, nb);
	for (i = 0; i < nb; i++) {
		t[i] = (struct fs_thread){ .cpu = cpu[i], .gcm = gcm,
			.enc = enc, .sz = sz, .ms = ms, .go = &go };
		if (pthread_create(&th[i], NULL, fs_run, &t[i]) != 0)
			return EAGAIN;	/* nb 2: the first waits forever */
	}
	for (i = 0; i < nb; i++) {
		pthread_join(th[i], NULL);
		if (t[i].err != 0)
			err = t[i].err;
		cyc[i] = t[i].cyc;
	}
	pthread_barrier_destroy(&go);
	return err;
}

static void
usage(const char *prog)
{
	fprintf(stderr, "usage: %s [--cpus A,B] [--reps N] [--ms MS] "
		"[--csv FILE]\n"
		"Bare intel-ipsec-mb GCM-128 and CBC-128+HMAC-SHA-256, on CPU A "
		"alone and on A and B\nat once, alternating N times (default "
		"9, at most %d) for MS ms each (default\n200): medians and the "
		"scaling 2 x alone / both.\n", prog, FS_MAX_REPS);
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "cpus", required_argument, NULL, 'c' },
		{ "reps", required_argument, NULL, 'r' },
		{ "ms", required_argument, NULL, 'm' },
		{ "csv", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int cpu[2] = { 0, 1 }, o, err;
	unsigned int reps = 9, r, s, a, d;
	uint64_t ms = 200;
	FILE *csv = NULL;

	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 'c':
			if (sscanf(optarg, "%d,%d", &cpu[0], &cpu[1]) != 2 ||
					cpu[0] < 0 || cpu[1] < 0 ||
					cpu[0] == cpu[1]) {
				fprintf(stderr, "floor_scale: --cpus: two "
					"different CPU numbers, A,B\n");
				return 2;
			}
			break;
		case 'r':
			reps = (unsigned int)atoi(optarg);
			if (reps < 1 || reps > FS_MAX_REPS) {
				fprintf(stderr, "floor_scale: --reps: 1 to "
					"%d\n", FS_MAX_REPS);
				return 2;
			}
			break;
		case 'm':
			ms = (uint64_t)atoll(optarg);
			if (ms < 10 || ms > 10000) {
				fprintf(stderr, "floor_scale: --ms: 10 to "
					"10000\n");
				return 2;
			}
			break;
		case 'o':
			csv = fopen(optarg, "w");
			if (csv == NULL) {
				fprintf(stderr, "floor_scale: %s: %s\n",
					optarg, strerror(errno));
				return 1;
			}
			break;
		default:
			usage(argv[0]);
			return o == 'h' ? 0 : 2;
		}
	}
	if (csv != NULL)
		fprintf(csv, "dir,algo,size,alone_cycles,both_cycles_a,"
			"both_cycles_b,scaling,reps\n");
	printf("%-3s %-13s %-4s %10s %10s %10s %8s\n", "dir", "algo", "size",
		"alone", "both(A)", "both(B)", "scaling");
	for (a = 0; a < 2; a++) {
		for (d = 0; d < 2; d++) {
			for (s = 0; s < sizeof(sizes) / sizeof(sizes[0]);
					s++) {
				double al[FS_MAX_REPS], ba[FS_MAX_REPS];
				double bb[FS_MAX_REPS], c[2], ma, mba, mbb;
				const bool gcm = a == 0, enc = d == 0;

				for (r = 0; r < reps; r++) {
					err = fs_once(cpu, 1, gcm, enc,
						&sizes[s], ms, c);
					al[r] = c[0];
					if (err == 0)
						err = fs_once(cpu, 2, gcm, enc,
							&sizes[s], ms, c);
					if (err != 0) {
						fprintf(stderr, "floor_scale: "
							"CPUs %d,%d: %s\n",
							cpu[0], cpu[1],
							strerror(err));
						return 1;
					}
					ba[r] = c[0];
					bb[r] = c[1];
				}
				ma = median(al, reps);
				mba = median(ba, reps);
				mbb = median(bb, reps);
				printf("%-3s %-13s %-4s %10.1f %10.1f %10.1f "
					"%7.2fx\n", enc ? "out" : "in",
					gcm ? "gcm128" : "cbc128-sha256",
					sizes[s].name, ma, mba, mbb,
					2 * ma / ((mba + mbb) / 2));
				if (csv != NULL)
					fprintf(csv, "%s,%s,%s,%.1f,%.1f,%.1f,"
						"%.3f,%u\n", enc ? "out" : "in",
						gcm ? "gcm128" :
						"cbc128-sha256", sizes[s].name,
						ma, mba, mbb,
						2 * ma / ((mba + mbb) / 2),
						reps);
				fflush(stdout);
			}
		}
	}
	if (csv != NULL)
		fclose(csv);
	return 0;
}
