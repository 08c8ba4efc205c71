/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 shardsec authors
 */

/*
 * MACsec SecY data path benchmark (lib/macsec), on one lcore.
 *
 * Two SecYs, A (measured) and B (its peer): each has a transmit SA and a
 * receive SC for the other's SCI, confidentiality on (E=C=1, offset 0),
 * replay protection with a window of 0, validateFrames Strict. Rows:
 * each cipher x direction x frame size:
 *
 *   protect   ss_macsec_protect_burst on A (timed), then B validates the
 *             batch back to plain frames (not timed: the restore, which
 *             also proves that every frame was protected right);
 *   validate  B protects the batch (not timed), then
 *             ss_macsec_validate_burst on A (timed), which restores them.
 *
 * Sizes are whole Ethernet frames as the mbuf holds them (DA to the end
 * of the payload, no FCS, as a NIC that strips the CRC delivers them):
 * 64, 512, 1514 and IMIX 7:4:1 of 64/594/1518, interleaved. The user
 * data that GCM en/decrypts is the frame less the two MACs (len - 12),
 * the AAD the MACs and the SecTAG with SCI (28 octets). Protected frames
 * are 32 octets longer (SecTAG 16, ICV 16).
 *
 * What is measured: per batch (-n frames, default 4096, in bursts of 32
 * on the same mbufs every batch), TSC cycles of the timed pass / frames;
 * the row reports the median (and the best) of -b batches. Beside every
 * batch, in the same run, two crypto floors:
 *
 *   floor     the bare intel-ipsec-mb one-call GCM (IMB_AES128/256_GCM_
 *             ENC for protect, _DEC for validate) on one cache-hot
 *             buffer of the same length with a 28-octet AAD, once per
 *             frame of the batch (the same sizes in the same order): what
 *             the crypto alone costs;
 *   floor_mb  the same call in place on each mbuf's own user data (and
 *             its first 28 octets as AAD), in the same rotation over the
 *             batch's mbufs, undone (the inverse op, not timed) after:
 *             the crypto plus the frames' bytes coming back from the
 *             caches as far as the batch pushed them.
 *
 * overhead = median - floor; of it, floor_mb - floor is the data's
 * arrival (cache misses any code touching those bytes pays) and
 * median - floor_mb what the SecY itself adds (SecTAG, IV, SC/SA lookup,
 * replay check, counters, mbuf updates, the burst loop).
 *
 * What is not measured: mbuf allocation and freeing (the mbufs are
 * allocated once and reused: protect -> validate -> restore), RX/TX, the
 * restore passes and the undo of floor_mb, writing the frames (once per
 * row, before its warm-up batches). The timed passes run on data last
 * touched a whole batch earlier (4096 frames of 1514 octets are ~8 MB:
 * beyond L2, so the larger rows pay L3 or DRAM), as a NIC's frames are
 * not in L1 either.
 *
 * Every burst must keep all its frames (none dropped), and at the end of
 * each row every frame must be byte for byte the one written: else the
 * row is FAIL and the program exits non-zero.
 *
 *   macsec_bench [EAL-ARGS --] [-o FILE] [-n FRAMES] [-b BATCHES]
 *                [-c CIPHERS] [-s SIZES] [-d DIRS]
 *
 * Without EAL arguments it runs with --no-huge --no-pci -m 512
 * --file-prefix msb<pid> -l 0; --no-pci is added where the given ones
 * lack it (the bench needs no device and must not touch one).
 */

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Only the IMB_ names: the old short ones (CBC, ENCRYPT...) clash. */
#define NO_COMPAT_IMB_API_053
#include <intel-ipsec-mb.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ether.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "ss_macsec.h"

#define MSB_BURST 32
#define MSB_ETH_MACS 12
#define MSB_AAD_LEN (MSB_ETH_MACS + SS_MACSEC_SECTAG_LEN)
#define MSB_MAX_FRAME 1518
#define MSB_WARMUP 2
#define MSB_IMIX_N 12
#define MSB_MAX_SIZES 8

#define SCI_A UINT64_C(0x0200aabbccdd0001)
#define SCI_B UINT64_C(0x0200112233440001)

struct msb_cipher {
	const char *name;
	enum ss_macsec_cipher c;
	bool k256;
	bool xpn;
};

static const struct msb_cipher ciphers[] = {
	{ "gcm-aes-128", SS_MACSEC_GCM_AES_128, false, false },
	{ "gcm-aes-256", SS_MACSEC_GCM_AES_256, true, false },
	{ "gcm-aes-xpn-128", SS_MACSEC_GCM_AES_XPN_128, false, true },
	{ "gcm-aes-xpn-256", SS_MACSEC_GCM_AES_XPN_256, true, true },
};

/* IMIX 7:4:1, spread out so that a burst sees the mix, not runs of one
 * size. */
static const uint16_t imix[MSB_IMIX_N] = {
	64, 594, 64, 64, 594, 64, 1518, 64, 594, 64, 64, 594,
};

/* A size: a frame length, or 0 for IMIX. */
struct msb_size {
	char name[8];
	uint16_t len;
};

/* One row's figures, in TSC cycles per frame. */
struct msb_row {
	double med;
	double min;
	double p90;
	double floor;
	double floor_mb;
	double avg_len;		/* frame octets, plain */
	uint32_t frames;	/* per batch */
	bool ok;
	char why[96];
};

static struct {
	struct rte_mempool *mp;
	struct rte_mbuf **m;
	uint16_t *len;		/* this row's frame lengths */
	uint32_t nb;		/* frames per batch (-n) */
	uint32_t batches;	/* -b */
	uint64_t hz;
	IMB_MGR *mgr;		/* the floors' own manager */
	IMB_ARCH arch;
	struct gcm_key_data *gk;	/* the floors' key schedule */
	uint8_t *fbuf;		/* the hot floor's buffer */
	uint8_t *faad;
	double *s_tot, *s_fl, *s_flmb, *s_tmp;
	bool cipher_on[RTE_DIM(ciphers)];
	struct msb_size sizes[MSB_MAX_SIZES];
	unsigned int nb_sizes;
	bool dir_prot, dir_val;
	const char *csv;
} B = {
	.nb = 4096,
	.batches = 101,
};

/* ---- SecYs ---- */

static struct ss_macsec_key
mk_key(const struct msb_cipher *c, uint8_t seed, uint32_t ssci)
{
	struct ss_macsec_key k;
	unsigned int i;

	memset(&k, 0, sizeof(k));
	k.sak_len = c->k256 ? 32 : 16;
	for (i = 0; i < k.sak_len; i++)
		k.sak[i] = (uint8_t)(seed * 31 + i);
	if (c->xpn) {
		k.ssci = ssci;
		for (i = 0; i < sizeof(k.salt); i++)
			k.salt[i] = (uint8_t)(seed * 17 + i * 5);
	}
	return k;
}

static struct ss_macsec *
mk_secy(const struct msb_cipher *c, uint64_t sci)
{
	const struct ss_macsec_conf cf = {
		.sci = sci,
		.cipher = c->c,
		.confidentiality = true,
		.replay_protect = true,
		.replay_window = 0,
		.validate = SS_MACSEC_VALIDATE_STRICT,
		.qsbr = NULL,	/* one thread: SAs are wiped at once */
		.socket = SOCKET_ID_ANY,
	};
	char err[128] = "";
	struct ss_macsec *s = ss_macsec_create(&cf, err, sizeof(err));

	if (s == NULL)
		fprintf(stderr, "macsec_bench: SecY: %s\n", err);
	return s;
}

/* A and B, each sending on AN 0 and receiving the other's SC on AN 0. */
static int
mk_pair(const struct msb_cipher *c, struct ss_macsec **a,
	struct ss_macsec **b)
{
	struct ss_macsec_key ka = mk_key(c, 1, 0x11);
	struct ss_macsec_key kb = mk_key(c, 2, 0x22);
	int rc;

	*a = mk_secy(c, SCI_A);
	*b = mk_secy(c, SCI_B);
	if (*a == NULL || *b == NULL)
		return -ENOMEM;
	rc = ss_macsec_tx_sa_install(*a, 0, &ka, 1);
	rc = rc != 0 ? rc : ss_macsec_tx_sa_use(*a, 0);
	rc = rc != 0 ? rc : ss_macsec_tx_sa_install(*b, 0, &kb, 1);
	rc = rc != 0 ? rc : ss_macsec_tx_sa_use(*b, 0);
	rc = rc != 0 ? rc : ss_macsec_rx_sc_add(*a, SCI_B);
	rc = rc != 0 ? rc : ss_macsec_rx_sa_install(*a, SCI_B, 0, &kb, 1);
	rc = rc != 0 ? rc : ss_macsec_rx_sc_add(*b, SCI_A);
	rc = rc != 0 ? rc : ss_macsec_rx_sa_install(*b, SCI_A, 0, &ka, 1);
	explicit_bzero(&ka, sizeof(ka));
	explicit_bzero(&kb, sizeof(kb));
	return rc;
}

/* ---- frames ---- */

static void
fill_frame(uint8_t *p, uint16_t len, uint32_t seed)
{
	static const uint8_t macs[MSB_ETH_MACS] = {
		0x02, 0x00, 0x11, 0x22, 0x33, 0x44,
		0x02, 0x00, 0xaa, 0xbb, 0xcc, 0xdd,
	};
	uint16_t i;

	memcpy(p, macs, sizeof(macs));
	p[12] = 0x08;
	p[13] = 0x00;
	for (i = 14; i < len; i++)
		p[i] = (uint8_t)(seed * 13 + i * 7);
}

/* Write this row's frames into the mbufs (as at RX: default headroom,
 * one segment). */
static void
frames_write(const struct msb_size *z)
{
	uint32_t i;

	for (i = 0; i < B.nb; i++) {
		struct rte_mbuf *m = B.m[i];

		B.len[i] = z->len != 0 ? z->len : imix[i % MSB_IMIX_N];
		rte_pktmbuf_reset(m);
		fill_frame((uint8_t *)rte_pktmbuf_append(m, B.len[i]),
			B.len[i], i);
	}
}

/* Every frame is the one frames_write wrote. */
static bool
frames_check(char *why, size_t len)
{
	uint8_t want[MSB_MAX_FRAME];
	uint32_t i;

	for (i = 0; i < B.nb; i++) {
		const struct rte_mbuf *m = B.m[i];

		fill_frame(want, B.len[i], i);
		if (m->nb_segs != 1 || m->pkt_len != B.len[i] ||
				m->data_len != B.len[i] ||
				m->data_off != RTE_PKTMBUF_HEADROOM ||
				memcmp(rte_pktmbuf_mtod(m, const uint8_t *),
					want, B.len[i]) != 0) {
			snprintf(why, len, "frame %u differs after the row", i);
			return false;
		}
	}
	return true;
}

/* ---- the passes over a batch ---- */

/* Protect (s) the whole batch; false if a frame was dropped. */
static bool
pass_protect(struct ss_macsec *s)
{
	struct rte_mbuf *drop[MSB_BURST];
	uint32_t i;
	uint16_t n, nd;
	bool ok = true;

	for (i = 0; i < B.nb; i += n) {
		n = (uint16_t)RTE_MIN(B.nb - i, (uint32_t)MSB_BURST);
		ok &= ss_macsec_protect_burst(s, &B.m[i], n, drop, &nd) == n;
	}
	return ok;
}

static bool
pass_validate(struct ss_macsec *s)
{
	struct rte_mbuf *ctl[MSB_BURST];
	struct rte_mbuf *drop[MSB_BURST];
	uint32_t i;
	uint16_t n, nc, nd;
	bool ok = true;

	for (i = 0; i < B.nb; i += n) {
		n = (uint16_t)RTE_MIN(B.nb - i, (uint32_t)MSB_BURST);
		ok &= ss_macsec_validate_burst(s, &B.m[i], n, ctl, &nc, drop,
			&nd) == n;
	}
	return ok;
}

/* The bare one-call GCM, as lib/macsec makes it (context on the stack,
 * 16-octet tag). */
static inline void
gcm_call(bool k256, bool enc, uint8_t *data, uint64_t len,
	const uint8_t *aad, uint8_t *tag)
{
	static const uint8_t iv[12] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 };
	struct gcm_context_data ctx;

	if (k256) {
		if (enc)
			IMB_AES256_GCM_ENC(B.mgr, B.gk, &ctx, data, data, len,
				iv, aad, MSB_AAD_LEN, tag, SS_MACSEC_ICV_LEN);
		else
			IMB_AES256_GCM_DEC(B.mgr, B.gk, &ctx, data, data, len,
				iv, aad, MSB_AAD_LEN, tag, SS_MACSEC_ICV_LEN);
	} else {
		if (enc)
			IMB_AES128_GCM_ENC(B.mgr, B.gk, &ctx, data, data, len,
				iv, aad, MSB_AAD_LEN, tag, SS_MACSEC_ICV_LEN);
		else
			IMB_AES128_GCM_DEC(B.mgr, B.gk, &ctx, data, data, len,
				iv, aad, MSB_AAD_LEN, tag, SS_MACSEC_ICV_LEN);
	}
}

/* The hot floor: one buffer, the batch's lengths. */
static void
pass_floor(bool k256, bool enc)
{
	uint8_t tag[SS_MACSEC_ICV_LEN];
	uint32_t i;

	for (i = 0; i < B.nb; i++)
		gcm_call(k256, enc, B.fbuf, B.len[i] - MSB_ETH_MACS, B.faad,
			tag);
}

/* The floor on the mbufs' own bytes (in place: run it again with !enc
 * to undo it, GCM's CTR mode being its own inverse). */
static void
pass_floor_mb(bool k256, bool enc)
{
	uint8_t tag[SS_MACSEC_ICV_LEN];
	uint32_t i;

	for (i = 0; i < B.nb; i++) {
		uint8_t *p = rte_pktmbuf_mtod(B.m[i], uint8_t *);

		gcm_call(k256, enc, p + MSB_ETH_MACS,
			B.len[i] - MSB_ETH_MACS, p, tag);
	}
}

/* ---- rows ---- */

static int
cmp_double(const void *a, const void *b)
{
	const double x = *(const double *)a;
	const double y = *(const double *)b;

	return (x > y) - (x < y);
}

/* q-quantile (nearest rank) of n samples, which are left alone. */
static double
quantile(const double *v, uint32_t n, double q)
{
	uint32_t k = (uint32_t)(q * (n - 1) + 0.5);

	memcpy(B.s_tmp, v, n * sizeof(*v));
	qsort(B.s_tmp, n, sizeof(*v), cmp_double);
	return B.s_tmp[k];
}

static int
row_run(const struct msb_cipher *c, bool prot, const struct msb_size *z,
	struct msb_row *r)
{
	struct ss_macsec *a, *b;
	uint64_t t0, t1, sum = 0;
	uint32_t it, i;
	bool ok = true;
	int rc;

	memset(r, 0, sizeof(*r));
	rc = mk_pair(c, &a, &b);
	if (rc != 0) {
		ss_macsec_free(a);
		ss_macsec_free(b);
		return rc;
	}
	frames_write(z);
	for (i = 0; i < B.nb; i++)
		sum += B.len[i];
	r->avg_len = (double)sum / B.nb;
	r->frames = B.nb;

	for (it = 0; it < MSB_WARMUP + B.batches && ok; it++) {
		const uint32_t k = it - MSB_WARMUP;	/* sample, if >= 0 */

		if (prot) {
			t0 = rte_rdtsc_precise();
			ok &= pass_protect(a);
			t1 = rte_rdtsc_precise();
			ok &= pass_validate(b);
		} else {
			ok &= pass_protect(b);
			t0 = rte_rdtsc_precise();
			ok &= pass_validate(a);
			t1 = rte_rdtsc_precise();
		}
		if (it >= MSB_WARMUP)
			B.s_tot[k] = (double)(t1 - t0) / B.nb;

		t0 = rte_rdtsc_precise();
		pass_floor(c->k256, prot);
		t1 = rte_rdtsc_precise();
		if (it >= MSB_WARMUP)
			B.s_fl[k] = (double)(t1 - t0) / B.nb;

		t0 = rte_rdtsc_precise();
		pass_floor_mb(c->k256, prot);
		t1 = rte_rdtsc_precise();
		pass_floor_mb(c->k256, !prot);
		if (it >= MSB_WARMUP)
			B.s_flmb[k] = (double)(t1 - t0) / B.nb;
	}
	if (!ok)
		snprintf(r->why, sizeof(r->why), "a frame was dropped");
	else
		ok = frames_check(r->why, sizeof(r->why));
	r->ok = ok;
	if (ok) {
		r->med = quantile(B.s_tot, B.batches, 0.5);
		r->min = quantile(B.s_tot, B.batches, 0.0);
		r->p90 = quantile(B.s_tot, B.batches, 0.9);
		r->floor = quantile(B.s_fl, B.batches, 0.5);
		r->floor_mb = quantile(B.s_flmb, B.batches, 0.5);
	}
	ss_macsec_free(a);
	ss_macsec_free(b);
	return 0;
}

static void
row_emit(FILE *csv, const struct msb_cipher *c, bool prot,
	const struct msb_size *z, const struct msb_row *r)
{
	const double mpps = r->ok ? (double)B.hz / r->med / 1e6 : 0;
	const double gbps = mpps * r->avg_len * 8 / 1e3;

	if (r->ok)
		printf("%-15s %-8s %-5s %8.1f %8.1f %7.3f %7.2f %8.1f %8.1f "
			"%8.1f %5.0f%% %8.1f %8.1f  ok\n",
			c->name, prot ? "protect" : "validate", z->name,
			r->med, r->min, mpps, gbps, r->floor, r->floor_mb,
			r->med - r->floor, 100 * (r->med - r->floor) / r->med,
			r->floor_mb - r->floor, r->med - r->floor_mb);
	else
		printf("%-15s %-8s %-5s FAIL: %s\n", c->name,
			prot ? "protect" : "validate", z->name, r->why);
	fflush(stdout);
	if (csv == NULL)
		return;
	fprintf(csv, "%s,%s,%s,%.1f,%u,%u,%.1f,%.1f,%.1f,%.3f,%.3f,%.1f,"
		"%.1f,%.1f,%.1f,%.1f,%.0f,%s\n",
		c->name, prot ? "protect" : "validate", z->name, r->avg_len,
		r->frames, B.batches, r->med, r->min, r->p90, mpps, gbps,
		r->floor, r->floor_mb, r->med - r->floor,
		r->floor_mb - r->floor, r->med - r->floor_mb,
		(double)B.hz / 1e6, r->ok ? "ok" : "FAIL");
	fflush(csv);
}

/* ---- setup ---- */

static void
usage(const char *prog)
{
	fprintf(stderr,
		"usage: %s [EAL-ARGS --] [-o FILE] [-n FRAMES] [-b BATCHES]\n"
		"  [-c gcm-aes-128,gcm-aes-256,gcm-aes-xpn-128,gcm-aes-xpn-256]\n"
		"  [-s 64,512,1514,imix] [-d protect,validate]\n"
		"  -o  write the rows as CSV to FILE\n"
		"  -n  frames per batch (default 4096, bursts of %u)\n"
		"  -b  batches per row (default 101; the row is their median)\n"
		"Sizes are Ethernet frames without FCS (14..%u octets);\n"
		"imix is 7:4:1 of 64/594/1518.\n",
		prog, MSB_BURST, MSB_MAX_FRAME);
}

static int
parse_sizes(char *arg)
{
	char *save = NULL;
	char *t;

	B.nb_sizes = 0;
	for (t = strtok_r(arg, ",", &save); t != NULL;
			t = strtok_r(NULL, ",", &save)) {
		struct msb_size *z = &B.sizes[B.nb_sizes];
		char *end;
		unsigned long v;

		if (B.nb_sizes == MSB_MAX_SIZES)
			return -1;
		if (strcmp(t, "imix") == 0) {
			z->len = 0;
		} else {
			v = strtoul(t, &end, 10);
			if (*end != '\0' || v < RTE_ETHER_HDR_LEN ||
					v > MSB_MAX_FRAME)
				return -1;
			z->len = (uint16_t)v;
		}
		snprintf(z->name, sizeof(z->name), "%s", t);
		B.nb_sizes++;
	}
	return B.nb_sizes == 0 ? -1 : 0;
}

static int
parse_ciphers(char *arg)
{
	char *save = NULL;
	char *t;
	unsigned int i;

	memset(B.cipher_on, 0, sizeof(B.cipher_on));
	for (t = strtok_r(arg, ",", &save); t != NULL;
			t = strtok_r(NULL, ",", &save)) {
		for (i = 0; i < RTE_DIM(ciphers); i++)
			if (strcmp(t, ciphers[i].name) == 0)
				break;
		if (i == RTE_DIM(ciphers))
			return -1;
		B.cipher_on[i] = true;
	}
	return 0;
}

static int
parse_dirs(char *arg)
{
	char *save = NULL;
	char *t;

	B.dir_prot = false;
	B.dir_val = false;
	for (t = strtok_r(arg, ",", &save); t != NULL;
			t = strtok_r(NULL, ",", &save)) {
		if (strcmp(t, "protect") == 0)
			B.dir_prot = true;
		else if (strcmp(t, "validate") == 0)
			B.dir_val = true;
		else
			return -1;
	}
	return B.dir_prot || B.dir_val ? 0 : -1;
}

static int
parse_args(int argc, char **argv)
{
	char sizes[] = "64,512,1514,imix";
	unsigned long v;
	char *end;
	int opt;
	unsigned int i;

	for (i = 0; i < RTE_DIM(ciphers); i++)
		B.cipher_on[i] = true;
	B.dir_prot = true;
	B.dir_val = true;
	if (parse_sizes(sizes) < 0)
		return -1;
	while ((opt = getopt(argc, argv, "o:n:b:c:s:d:h")) != -1) {
		switch (opt) {
		case 'o':
			B.csv = optarg;
			break;
		case 'n':
		case 'b':
			v = strtoul(optarg, &end, 10);
			if (*end != '\0' || v < 1 || v > (1u << 20))
				return -1;
			if (opt == 'n')
				B.nb = (uint32_t)v;
			else
				B.batches = (uint32_t)v;
			break;
		case 'c':
			if (parse_ciphers(optarg) < 0)
				return -1;
			break;
		case 's':
			if (parse_sizes(optarg) < 0)
				return -1;
			break;
		case 'd':
			if (parse_dirs(optarg) < 0)
				return -1;
			break;
		default:
			return -1;
		}
	}
	return optind == argc ? 0 : -1;
}

/* EAL arguments: the caller's (up to "--"), with --no-pci added where
 * they lack it, or this bench's defaults where there are none. *rest:
 * the index of the slot that becomes the bench's own argv[0]. */
static int
eal_start(int argc, char **argv, int *rest)
{
	static char prefix[32];
	char *eargv[64];
	int eargc = 0;
	int sep = -1;
	bool nopci = false;
	int i, rc;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0) {
			sep = i;
			break;
		}
		if (strcmp(argv[i], "--no-pci") == 0)
			nopci = true;
	}
	eargv[eargc++] = argv[0];
	*rest = sep < 0 ? 0 : sep;
	if (sep < 0 || sep == 1) {
		snprintf(prefix, sizeof(prefix), "msb%d", (int)getpid());
		eargv[eargc++] = (char *)(uintptr_t)"--no-huge";
		eargv[eargc++] = (char *)(uintptr_t)"--no-pci";
		eargv[eargc++] = (char *)(uintptr_t)"-m";
		eargv[eargc++] = (char *)(uintptr_t)"512";
		eargv[eargc++] = (char *)(uintptr_t)"--file-prefix";
		eargv[eargc++] = prefix;
		eargv[eargc++] = (char *)(uintptr_t)"-l";
		eargv[eargc++] = (char *)(uintptr_t)"0";
	} else {
		if (sep + 2 > (int)RTE_DIM(eargv))
			return -E2BIG;
		for (i = 1; i < sep; i++)
			eargv[eargc++] = argv[i];
		if (!nopci)
			eargv[eargc++] = (char *)(uintptr_t)"--no-pci";
	}
	rc = rte_eal_init(eargc, eargv);
	return rc < 0 ? rc : 0;
}

static int
setup(void)
{
	unsigned int i;
	/* A batch's mbufs, plus the pool's per-lcore cache. */
	const uint32_t nmb = B.nb + 512;

	B.hz = rte_get_tsc_hz();
	B.mp = rte_pktmbuf_pool_create("msb_pool", nmb, 256, 0,
		RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	B.m = rte_zmalloc("msb_m", B.nb * sizeof(*B.m), 0);
	B.len = rte_zmalloc("msb_len", B.nb * sizeof(*B.len), 0);
	B.s_tot = rte_zmalloc("msb_s", 4 * B.batches * sizeof(double), 0);
	B.gk = rte_zmalloc("msb_gk", sizeof(*B.gk), 64);
	B.fbuf = rte_zmalloc("msb_fb", MSB_MAX_FRAME, 64);
	B.faad = rte_zmalloc("msb_aad", 64, 64);
	if (B.mp == NULL || B.m == NULL || B.len == NULL || B.s_tot == NULL ||
			B.gk == NULL || B.fbuf == NULL || B.faad == NULL)
		return -ENOMEM;
	B.s_fl = B.s_tot + B.batches;
	B.s_flmb = B.s_fl + B.batches;
	B.s_tmp = B.s_flmb + B.batches;
	if (rte_pktmbuf_alloc_bulk(B.mp, B.m, B.nb) != 0)
		return -ENOMEM;
	/* Every frame, protected, must fit: headroom for the SecTAG (the
	 * default 128), tailroom for the ICV. */
	if (rte_pktmbuf_data_room_size(B.mp) < RTE_PKTMBUF_HEADROOM +
			MSB_MAX_FRAME + SS_MACSEC_ICV_LEN)
		return -ENOSPC;

	B.mgr = alloc_mb_mgr(0);
	if (B.mgr == NULL)
		return -ENOMEM;
	/* The same choice of code path as lib/macsec's managers. */
	init_mb_mgr_auto(B.mgr, &B.arch);
	if (imb_get_errno(B.mgr) != 0)
		return -EINVAL;
	for (i = 0; i < MSB_MAX_FRAME; i++)
		B.fbuf[i] = (uint8_t)i;
	for (i = 0; i < MSB_AAD_LEN; i++)
		B.faad[i] = (uint8_t)(i + 7);
	return 0;
}

/* The floor's key schedule for cipher c (the key's value does not
 * change the cost). */
static void
floor_key(const struct msb_cipher *c)
{
	uint8_t key[32];
	unsigned int i;

	for (i = 0; i < sizeof(key); i++)
		key[i] = (uint8_t)(i * 3 + 1);
	if (c->k256)
		IMB_AES256_GCM_PRE(B.mgr, key, B.gk);
	else
		IMB_AES128_GCM_PRE(B.mgr, key, B.gk);
}

int
main(int argc, char **argv)
{
	static const char *const arch_names[] = {
		"none", "noaesni", "sse", "avx", "avx2", "avx512",
	};
	FILE *csv = NULL;
	unsigned int ci, si, nfail = 0;
	int rest, rc, d;

	rc = eal_start(argc, argv, &rest);
	if (rc < 0) {
		fprintf(stderr, "macsec_bench: EAL init failed (%d)\n", rc);
		return 1;
	}
	argc -= rest;
	argv += rest;
	argv[0] = (char *)(uintptr_t)"macsec_bench";
	if (parse_args(argc, argv) < 0) {
		usage("macsec_bench");
		rte_eal_cleanup();
		return 2;
	}
	rc = setup();
	if (rc < 0) {
		fprintf(stderr, "macsec_bench: setup: %s\n", strerror(-rc));
		rte_eal_cleanup();
		return 1;
	}
	if (B.csv != NULL) {
		csv = fopen(B.csv, "w");
		if (csv == NULL) {
			perror(B.csv);
			rte_eal_cleanup();
			return 1;
		}
		fprintf(csv, "cipher,dir,size,avg_frame_bytes,frames_per_batch,"
			"batches,cycles_median,cycles_min,cycles_p90,mpps,gbps,"
			"floor_cycles,floor_mb_cycles,overhead_cycles,"
			"overhead_data_cycles,overhead_secy_cycles,tsc_mhz,"
			"verified\n");
	}
	printf("macsec_bench: TSC %.0f MHz, intel-ipsec-mb %s (%s), %u frames "
		"per batch in bursts of %u, %u batches per row (+%u warm-up), "
		"memory in %s, confidentiality on\n",
		(double)B.hz / 1e6, imb_get_version_str(),
		(unsigned int)B.arch < RTE_DIM(arch_names) ?
			arch_names[B.arch] : "?",
		B.nb, MSB_BURST, B.batches, MSB_WARMUP,
		rte_eal_has_hugepages() ? "hugepages" : "4 KB pages (--no-huge)");
	printf("cycles are TSC cycles per frame (median of the batches); "
		"Gbit/s of plain frame octets, no FCS/preamble/IFG\n");
	printf("%-15s %-8s %-5s %8s %8s %7s %7s %8s %8s %8s %6s %8s %8s  %s\n",
		"cipher", "dir", "size", "cyc/fr", "min", "Mpps", "Gbit/s",
		"floor", "floor_mb", "overhead", "ovh%", "data", "secy",
		"check");
	fflush(stdout);
	for (ci = 0; ci < RTE_DIM(ciphers); ci++) {
		if (!B.cipher_on[ci])
			continue;
		floor_key(&ciphers[ci]);
		for (d = 0; d < 2; d++) {
			const bool prot = d == 0;

			if ((prot && !B.dir_prot) || (!prot && !B.dir_val))
				continue;
			for (si = 0; si < B.nb_sizes; si++) {
				struct msb_row r;

				rc = row_run(&ciphers[ci], prot,
					&B.sizes[si], &r);
				if (rc != 0) {
					fprintf(stderr, "macsec_bench: SecYs: "
						"%s\n", strerror(-rc));
					nfail++;
					continue;
				}
				row_emit(csv, &ciphers[ci], prot,
					&B.sizes[si], &r);
				nfail += !r.ok;
			}
		}
	}
	if (csv != NULL)
		fclose(csv);
	printf("floor: bare IMB GCM one-call on a hot buffer (len - 12, "
		"AAD 28); floor_mb: the same on the frames' own bytes;\n"
		"overhead = cyc/fr - floor = data (floor_mb - floor) + secy "
		"(cyc/fr - floor_mb)\n");
	rte_pktmbuf_free_bulk(B.m, B.nb);
	free_mb_mgr(B.mgr);
	rte_eal_cleanup();
	return nfail == 0 ? 0 : 1;
}
