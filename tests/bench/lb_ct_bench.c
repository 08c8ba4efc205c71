/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 shardsec authors
 */

/*
 * What the load balancer's connection tracking (app/lb_ct.c) costs a
 * worker per packet: the flow key made from the frame and what lib/steer
 * read of it (the LB's one classification, two backends), the bulk lookup
 * and the entry's update (a flow seen before, "kept"), or the insert (a
 * new flow, "added"), and the sweep of 8 entries per burst. Bursts of 32
 * frames drawn at random from F flows (UDP over IPv4, Ethernet), so that
 * the table's buckets and entries are as cold as F makes them. Not a
 * test: run it by hand,
 *   build/tests/bench/lb_ct_bench --no-pci --no-huge -m 1024 \
 *       --no-shconf --log-level=error -- [SECONDS [small]]
 * ("small": the 1024 kept flows only, e.g. under callgrind).
 * It prints one line per case: flows, table entries, cycles per packet
 * with the table and without it (the same frames, keys and draws), and
 * the difference: medians of 7 runs each, alternated; TSC cycles.
 */

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_mbuf.h>
#include <rte_random.h>

#include "ss_app_lb_ct.h"
#include "ss_steer.h"

#define BURST 32
#define RUNS 7

static uint8_t up[256];
static struct ss_steer_ctx *steer;

static struct rte_mbuf *
frame(struct rte_mempool *mp, uint32_t f)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(mp);
	uint8_t *b;

	if (m == NULL)
		return NULL;
	b = (uint8_t *)rte_pktmbuf_append(m, 14 + 20 + 8 + 18);
	if (b == NULL) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	memset(b, 0, 14 + 20 + 8 + 18);
	b[12] = 0x08;
	b[14] = 0x45;
	b[14 + 3] = 20 + 8 + 18;
	b[14 + 8] = 64;
	b[14 + 9] = 17;
	/* client 10.x.y.z:port -> VIP 198.51.100.10:443 */
	b[14 + 12] = 10;
	b[14 + 13] = (uint8_t)(f >> 16);
	b[14 + 14] = (uint8_t)(f >> 8);
	b[14 + 15] = (uint8_t)f;
	b[14 + 16] = 198;
	b[14 + 17] = 51;
	b[14 + 18] = 100;
	b[14 + 19] = 10;
	b[34] = (uint8_t)(0x80 | (f >> 24));
	b[35] = (uint8_t)(f * 7);
	b[36] = 443 >> 8;
	b[37] = 443 & 0xff;
	m->l2_len = 14;
	return m;
}

static int
cmp_u64(const void *a, const void *b)
{
	const uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* One run: 'bursts' bursts drawn from m[0..nf); cycles per packet. With
 * fresh, every packet is a flow never seen (m is walked in order). */
static double
run(struct ss_lb_ct *ct, struct rte_mbuf **m, uint32_t nf,
	uint32_t bursts, bool fresh, struct ss_lb_ct_stats *st)
{
	struct ss_lb_ct_key key[BURST];
	const struct ss_lb_ct_key *kp[BURST];
	struct rte_mbuf *b[BURST];
	struct ss_steer_l4 l4[BURST];
	uint16_t id[BURST], owner[BURST];
	uint8_t kind[BURST];
	const uint64_t idle = rte_get_tsc_hz() * 300;
	uint64_t t0, t1;
	uint32_t i, j, next = 0;

	for (j = 0; j < BURST; j++)
		kp[j] = &key[j];
	t0 = rte_rdtsc_precise();
	for (i = 0; i < bursts; i++) {
		const uint64_t now = rte_rdtsc();

		for (j = 0; j < BURST; j++)
			b[j] = fresh ? m[next++ % nf] :
				m[rte_rand_max(nf)];
		ss_steer_classify_burst_l4(steer, b, BURST, owner, kind, l4,
			NULL);
		for (j = 0; j < BURST; j++) {
			if (ss_lb_ct_key_make(b[j], &l4[j], &key[j]) < 0)
				abort();
			id[j] = 1 + owner[j];
		}
		if (ct == NULL)		/* the baseline: no tracking */
			continue;
		ss_lb_ct_assign(ct, kp, BURST, id, up, now, idle, 0, st);
		ss_lb_ct_sweep(ct, 8, now, idle, 0, st);
	}
	t1 = rte_rdtsc_precise();
	return (double)(t1 - t0) / ((double)bursts * BURST);
}

static void
bench(struct rte_mempool *mp, uint32_t nf, uint32_t size, bool fresh,
	double seconds)
{
	struct rte_mbuf **m = calloc(nf, sizeof(*m));
	struct ss_lb_ct_stats st;
	double r[RUNS];
	uint64_t c[RUNS], c0[RUNS];
	uint32_t i, bursts;
	char name[32];

	if (m == NULL)
		abort();
	for (i = 0; i < nf; i++) {
		m[i] = frame(mp, i);
		if (m[i] == NULL) {
			fprintf(stderr, "out of mbufs at %u\n", i);
			exit(1);
		}
	}
	/* fresh: each run adds nf new flows into an empty table */
	bursts = fresh ? nf / BURST : (uint32_t)(seconds * 2e6 / BURST);
	for (i = 0; i < RUNS; i++) {
		struct ss_lb_ct *ct;

		snprintf(name, sizeof(name), "lbctb%u_%u", nf, i);
		ct = ss_lb_ct_create(name, size, SOCKET_ID_ANY);
		if (ct == NULL) {
			fprintf(stderr, "table: %s\n", rte_strerror(rte_errno));
			exit(1);
		}
		memset(&st, 0, sizeof(st));
		if (!fresh)	/* every flow in the table first */
			run(ct, m, nf, nf / BURST + 1, true, &st);
		/* the baseline (the same frames, keys and draws, no table)
		 * and the tracked run, alternated */
		c0[i] = (uint64_t)(run(NULL, m, nf, bursts, fresh, &st) * 100);
		r[i] = run(ct, m, nf, bursts, fresh, &st);
		c[i] = (uint64_t)(r[i] * 100);
		ss_lb_ct_free(ct);
	}
	qsort(c, RUNS, sizeof(c[0]), cmp_u64);
	qsort(c0, RUNS, sizeof(c0[0]), cmp_u64);
	printf("%-6s %8u %9u %9.1f %9.1f %9.1f   (last run: kept %" PRIu64
		", added %" PRIu64 ", full %" PRIu64 ")\n",
		fresh ? "added" : "kept", nf, size, c[RUNS / 2] / 100.0,
		c0[RUNS / 2] / 100.0, (c[RUNS / 2] - (double)c0[RUNS / 2]) /
		100.0, st.kept, st.added, st.full);
	for (i = 0; i < nf; i++)
		rte_pktmbuf_free(m[i]);
	free(m);
}

int
main(int argc, char **argv)
{
	static const uint32_t flows[] = { 1024, 65536, 262144 };
	struct rte_mempool *mp;
	double seconds = 0.5;
	unsigned int i;
	bool small;
	int ret;

	ret = rte_eal_init(argc, argv);
	if (ret < 0) {
		fprintf(stderr, "EAL: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	if (argc - ret > 1)
		seconds = atof(argv[ret + 1]);
	/* "small": only 1024 kept flows (for callgrind's counts) */
	small = argc - ret > 2 && strcmp(argv[ret + 2], "small") == 0;
	mp = rte_pktmbuf_pool_create("lbctb", 262144 + 1024, 256, 0,
		RTE_PKTMBUF_HEADROOM + 128,
		SOCKET_ID_ANY);
	if (mp == NULL) {
		fprintf(stderr, "mbufs: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	memset(up, 1, sizeof(up));
	steer = ss_steer_ctx_create(4, (const uint16_t []){ 1, 2 }, 2);
	if (steer == NULL) {
		fprintf(stderr, "steer: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	printf("# lb connection tracking, cycles per packet (TSC %.2f GHz): "
		"classify + key + bulk lookup + update or insert + sweep of "
		"8 per burst of %u\n# base: the same loop without the table "
		"(frame, classify, key, random draw); ct = cyc/pkt - base\n"
		"case      flows   entries   cyc/pkt      base        ct\n",
		rte_get_tsc_hz() / 1e9, BURST);
	for (i = 0; i < (small ? 1 : RTE_DIM(flows)); i++)
		bench(mp, flows[i], flows[i] * 2 > SS_LB_CT_MIN ?
			flows[i] * 2 : SS_LB_CT_MIN, false, seconds);
	for (i = 0; !small && i < RTE_DIM(flows); i++)
		bench(mp, flows[i], flows[i] * 2, true, seconds);
	ss_steer_ctx_free(steer);
	rte_mempool_free(mp);
	rte_eal_cleanup();
	return 0;
}
