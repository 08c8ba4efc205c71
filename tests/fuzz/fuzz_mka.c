/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 shardsec authors
 */

/*
 * Fuzz target for MKA (lib/mka): the MKPDU parser and the participant's
 * state machine, as a MACsec port's control plane meets frames off the
 * wire.
 *
 * Two participants, A (key server) and B, share a CAK and exchange
 * MKPDUs in simulated time. Each input is delivered to B at one of four
 * points of their session, then both run on for 3 s:
 *   0: at once (B knows no one); 1: live peers with a SAK distributed;
 *   2: after a SAK rekey; 3: in the middle of a CAK renewal.
 * Input: [flags][MKPDU frame]. Flags bits 0-1: the point. Bit 7: the
 * harness signs the frame with the ICK B uses (when it parses that far),
 * so that mutations reach past the ICV check. Bit 6: it also writes A's
 * SCI, MI and next MN into the basic parameter set, and puts today's
 * MIs (and B's MN) where the recorded session's are, so that the frame
 * reads as A's next MKPDU, listing B, and reaches the live peer's
 * handling (peer lists, SAK use, key server election, CAK renewal).
 * Bit 5: a distributed SAK in it gets the key number after B's latest,
 * so that B unwraps (mutated) key material instead of ignoring a key it
 * has.
 *
 * libFuzzer: tests/fuzz/run_libfuzzer.sh (the fuzz_mka target).
 * Plain program (-DSS_FUZZ_STANDALONE, built by meson): a built-in
 * mutator runs N iterations (argv[1], default 5000) over the MKPDUs of a
 * recorded session.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_log.h>

#include "lib/mka/ss_mka_priv.h"
#include "ss_fuzz.h"

#define FM_FRAME_MAX 1600
#define FM_Q 64
#define FM_SEEDS 48
/* the basic parameter set, behind Ethernet (14) and EAPOL (4) */
#define FM_OFF_SCI (14 + 4 + 4)
#define FM_OFF_MI (FM_OFF_SCI + 8)
#define FM_OFF_MN (FM_OFF_MI + MKA_MI_LEN)

struct fm_frame {
	uint8_t f[FM_FRAME_MAX];
	size_t len;
	int from;
};

static struct {
	struct ss_mka *k[2];
	struct ss_mka_conf conf[2];
	struct ss_mka_ops ops[2];
	struct fm_frame q[FM_Q];
	unsigned int qh, qt;
	uint64_t now;
	int8_t tx_an[2];
} M;

static struct fm_frame seeds[FM_SEEDS];
static unsigned int nb_seeds;
static bool recording;
static uint8_t rec_mi[2][MKA_MI_LEN];	/* the recorded session's MIs */
/* B's counters, summed over the inputs */
static struct ss_mka_stats sum;

static int
op_tx(void *arg, const uint8_t *f, size_t len)
{
	const int from = (int)(intptr_t)arg;
	struct fm_frame *s;

	if (M.qt - M.qh >= FM_Q || len > FM_FRAME_MAX)
		return -ENOBUFS;
	s = &M.q[M.qt++ % FM_Q];
	memcpy(s->f, f, len);
	s->len = len;
	s->from = from;
	if (recording && nb_seeds < FM_SEEDS)
		seeds[nb_seeds++] = *s;
	return 0;
}

/* The SecY side: every install succeeds at once. */
static int
op_rx_install(void *arg, uint64_t sci, uint32_t ssci,
	const struct ss_mka_sak *sak, uint64_t lowest_pn)
{
	(void)arg;
	(void)sci;
	(void)ssci;
	(void)sak;
	(void)lowest_pn;
	return 0;
}

static int
op_tx_install(void *arg, uint32_t ssci, const struct ss_mka_sak *sak,
	uint64_t next_pn)
{
	(void)arg;
	(void)ssci;
	(void)sak;
	(void)next_pn;
	return 0;
}

static int
op_tx_use(void *arg, uint8_t an)
{
	M.tx_an[(intptr_t)arg] = (int8_t)an;
	return 0;
}

static int
op_sa_delete(void *arg, bool tx, uint64_t sci, uint8_t an)
{
	(void)arg;
	(void)tx;
	(void)sci;
	(void)an;
	return 0;
}

static uint64_t
op_tx_next_pn(void *arg, uint8_t an)
{
	(void)arg;
	(void)an;
	return 1;
}

static uint64_t
op_rx_lowest_pn(void *arg, uint64_t sci, uint8_t an)
{
	(void)arg;
	(void)sci;
	(void)an;
	return 1;
}

static void
start(void)
{
	static const uint8_t cak[16] = { 0x13, 0x5b, 0xd7, 0x58, 0xb0, 0xee,
		0x5c, 0x11, 0xc5, 0x5f, 0xf6, 0xab, 0x19, 0xfd, 0xb1, 0x99 };
	char err[128];
	int i;

	memset(&M, 0, sizeof(M));
	M.now = 1000;
	for (i = 0; i < 2; i++) {
		struct ss_mka_conf *c = &M.conf[i];

		M.ops[i] = (struct ss_mka_ops){
			.tx = op_tx, .rx_sa_install = op_rx_install,
			.tx_sa_install = op_tx_install, .tx_sa_use = op_tx_use,
			.sa_delete = op_sa_delete,
			.tx_next_pn = op_tx_next_pn,
			.rx_lowest_pn = op_rx_lowest_pn,
			.arg = (void *)(intptr_t)i,
		};
		memcpy(c->cak, cak, sizeof(cak));
		c->cak_len = 16;
		memcpy(c->ckn, "fuzz-ckn-0001", 13);
		c->ckn_len = 13;
		memcpy(c->mac, "\x02\x00\x00\x00\x00", 5);
		c->mac[5] = (uint8_t)(i + 1);
		c->port_id = 1;
		c->key_server_priority = i == 0 ? 0 : 16;
		c->cipher = SS_MKA_GCM_AES_XPN_128;
		c->confidentiality = true;
		c->hello_ms = 2000;
		c->life_ms = 6000;
		c->ops = &M.ops[i];
		M.tx_an[i] = -1;
		M.k[i] = ss_mka_create(c, M.now, err, sizeof(err));
		if (M.k[i] == NULL) {
			fprintf(stderr, "fuzz_mka: %s\n", err);
			abort();
		}
	}
}

static void
stop(void)
{
	ss_mka_free(M.k[0]);
	ss_mka_free(M.k[1]);
	M.k[0] = M.k[1] = NULL;
}

static void
deliver(void)
{
	unsigned int steps = 0;

	while (M.qh != M.qt && steps++ < 1000) {
		const struct fm_frame *s = &M.q[M.qh++ % FM_Q];

		ss_mka_rx(M.k[!s->from], s->f, s->len, M.now);
	}
}

static void
run(uint64_t ms)
{
	const uint64_t end = M.now + ms;

	while (M.now < end) {
		ss_mka_tick(M.k[0], M.now);
		ss_mka_tick(M.k[1], M.now);
		deliver();
		M.now += 100;
	}
}

/* Bring the pair to point p (see the top of this file). */
static void
reach(unsigned int p)
{
	start();
	if (p == 0)
		return;
	run(2500);
	if (p >= 2) {
		ss_mka_sak_rekey(M.k[0], M.now);
		run(2500);
	}
	if (p == 3) {
		ss_mka_cak_renew(M.k[0], M.now);
		ss_mka_tick(M.k[0], M.now);
		/* A's offer is on its way; B has not answered yet */
	}
}

static void
put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

int
LLVMFuzzerInitialize(int *argc, char ***argv);
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t f[FM_FRAME_MAX];
	const struct ss_mka *a;
	struct mka_pdu p;
	size_t len;
	unsigned int i;

	if (size < 2 || size - 1 > sizeof(f))
		return 0;
	len = size - 1;
	memcpy(f, data + 1, len);
	reach(data[0] & 3);
	a = M.k[0];
	if ((data[0] & 0x40) && len >= FM_OFF_MN + 4) {
		size_t o;

		/* the recorded MIs are today's; B listed with its MN */
		for (o = 0; o + MKA_MI_LEN <= len; o++) {
			for (i = 0; i < 2; i++) {
				if (memcmp(f + o, rec_mi[i], MKA_MI_LEN) != 0)
					continue;
				memcpy(f + o, M.k[i]->mi, MKA_MI_LEN);
				if (i == 1 && o + MKA_MI_LEN + 4 <= len)
					put_be32(f + o + MKA_MI_LEN,
						M.k[1]->mn);
			}
		}
		for (i = 0; i < 8; i++)
			f[FM_OFF_SCI + i] = (uint8_t)(a->sci >> (56 - 8 * i));
		memcpy(f + FM_OFF_MI, a->mi, MKA_MI_LEN);
		put_be32(f + FM_OFF_MN, a->mn + 1);
	}
	if ((data[0] & 0x20) && mka_pdu_decode(f, len, &p) == 0 &&
			p.has_dist && p.dist.wrapped != NULL) {
		const size_t kn = (size_t)(p.dist.wrapped - f) - 4 -
			(p.dist.has_cs ? 8 : 0);

		put_be32(f + kn, M.k[1]->lat.sak.kn + 1);
	}
	if ((data[0] & 0x80) && mka_pdu_decode(f, len, &p) == 0 &&
			p.icv_off + MKA_ICV_LEN <= len)
		mka_icv(M.k[1]->ca.ick, M.k[1]->ca.cak_len, f, p.icv_off,
			f + p.icv_off);
	/* what A had on its way first, then the frame */
	deliver();
	ss_mka_rx(M.k[1], f, len, M.now);
	run(3000);
	{
		struct ss_mka_stats st;
		uint64_t *d = (uint64_t *)&sum;
		const uint64_t *s = (const uint64_t *)&st;

		ss_mka_stats_get(M.k[1], &st);
		for (i = 0; i < sizeof(st) / sizeof(uint64_t); i++)
			d[i] += s[i];
	}
	stop();
	return 0;
}

/* The MKPDUs of a whole session: hellos, SAK distribution and use, a
 * rekey, a CAK renewal. */
static void
record(void)
{
	nb_seeds = 0;
	recording = true;
	reach(3);
	memcpy(rec_mi[0], M.k[0]->mi, MKA_MI_LEN);
	memcpy(rec_mi[1], M.k[1]->mi, MKA_MI_LEN);
	run(3000);
	recording = false;
	stop();
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	unsigned int k;

	(void)argc;
	(void)argv;
	/* a peer that stops listing B is normal here: not worth a line */
	rte_log_set_level(ss_mka_logtype, RTE_LOG_ERR);
	record();
	for (k = 0; k < nb_seeds; k++)
		ss_fuzz_seed_write("mka", k, (uint8_t)(0xe0 | (k % 4)),
			seeds[k].f, seeds[k].len);
	return 0;
}

#ifdef SS_FUZZ_STANDALONE
int
main(int argc, char **argv)
{
	const unsigned long iters = argc > 1 ? strtoul(argv[1], NULL, 0) :
		5000;
	static uint8_t buf[FM_FRAME_MAX + 1];
	unsigned long i;
	long replayed;
	size_t len;

	LLVMFuzzerInitialize(&argc, &argv);
	replayed = ss_fuzz_replay(argc, argv, LLVMFuzzerTestOneInput);
	if (replayed >= 0) {
		printf("fuzz_mka: %ld inputs replayed\n", replayed);
		return 0;
	}
	/* the session must have come through: the seeds are what makes
	 * the mutations land where they matter */
	if (nb_seeds < 8) {
		fprintf(stderr, "fuzz_mka: only %u MKPDUs recorded\n",
			nb_seeds);
		return 1;
	}
	printf("fuzz_mka: %u recorded MKPDUs, %lu iterations\n", nb_seeds,
		iters);
	for (i = 0; i < iters; i++) {
		const struct fm_frame *s = &seeds[ss_fuzz_rnd() % nb_seeds];
		const struct fm_frame *o = &seeds[ss_fuzz_rnd() % nb_seeds];
		const uint32_t r = ss_fuzz_rnd();

		/* mostly signed, often as A's next MKPDU */
		buf[0] = (uint8_t)((r & 3) | ((r >> 2) % 8 != 0 ? 0x80 : 0) |
			((r >> 5) % 4 != 0 ? 0x40 : 0) |
			((r >> 7) % 2 != 0 ? 0x20 : 0));
		memcpy(buf + 1, s->f, s->len);
		len = 1 + ss_fuzz_mutate(buf + 1, s->len, sizeof(buf) - 1,
			o->f, o->len);
		LLVMFuzzerTestOneInput(buf, len);
	}
	/* where the frames ended, with the session's own MKPDUs */
	printf("fuzz_mka: B's MKPDUs: %lu taken, %lu bad format, %lu bad "
		"ICV, %lu unknown CKN, %lu replayed; SAKs received %lu, "
		"unwrap failed %lu; CAK renewals done %lu, bad offers %lu\n",
		(unsigned long)sum.rx_mkpdu, (unsigned long)sum.rx_bad_format,
		(unsigned long)sum.rx_bad_icv,
		(unsigned long)sum.rx_unknown_ckn,
		(unsigned long)sum.rx_replayed,
		(unsigned long)sum.sak_received,
		(unsigned long)sum.sak_unwrap_failed,
		(unsigned long)sum.cak_renew_done,
		(unsigned long)sum.cak_renew_bad);
	printf("fuzz_mka: done, no crash\n");
	return 0;
}
#endif
