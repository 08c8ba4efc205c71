/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 shardsec authors
 */

#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_random.h>
#include <rte_rcu_qsbr.h>

#include "ss_macsec.h"
#include "ss_test.h"

/* ---- helpers ------------------------------------------------------ */

#define POOL_N 2048
#define MAXF 1600

static const uint8_t xpn_salt[12] = {
	0xE6, 0x30, 0xE8, 0x1A, 0x48, 0xDE, 0x86, 0xA2, 0x1C, 0x66, 0xFA, 0x6D,
};
#define XPN_SSCI 0x7A30C118u

static struct rte_mempool *
pool(void)
{
	return ss_test_pool(POOL_N);
}

static bool
is_xpn(enum ss_macsec_cipher c)
{
	return c == SS_MACSEC_GCM_AES_XPN_128 || c == SS_MACSEC_GCM_AES_XPN_256;
}

static bool
is_256(enum ss_macsec_cipher c)
{
	return c == SS_MACSEC_GCM_AES_256 || c == SS_MACSEC_GCM_AES_XPN_256;
}

static struct ss_macsec *
mk_secy(uint64_t sci, enum ss_macsec_cipher c, bool conf, bool replay,
	uint32_t window, enum ss_macsec_validate v)
{
	const struct ss_macsec_conf cf = {
		.sci = sci,
		.cipher = c,
		.confidentiality = conf,
		.replay_protect = replay,
		.replay_window = window,
		.validate = v,
		.qsbr = NULL,
		.socket = SOCKET_ID_ANY,
	};
	char err[128] = "";
	struct ss_macsec *s = ss_macsec_create(&cf, err, sizeof(err));

	ck_assert_msg(s != NULL, "create: %s", err);
	return s;
}

/* A key for cipher c from seed (XPN: the Annex salt and SSCI). */
static struct ss_macsec_key
mk_key(enum ss_macsec_cipher c, uint8_t seed)
{
	struct ss_macsec_key k;
	unsigned int i;

	memset(&k, 0, sizeof(k));
	k.sak_len = is_256(c) ? 32 : 16;
	for (i = 0; i < k.sak_len; i++)
		k.sak[i] = (uint8_t)(seed * 31 + i);
	if (is_xpn(c)) {
		k.ssci = XPN_SSCI;
		memcpy(k.salt, xpn_salt, sizeof(k.salt));
	}
	return k;
}

static struct rte_mbuf *
mk_mbuf(const uint8_t *b, uint16_t len)
{
	return ss_test_mbuf_split(b, len, len);
}

/* A plain frame: DA, SA 02:00:aa:bb:cc:dd, EtherType 0x0800, payload
 * from seed; len >= 14. */
static void
fill_frame(uint8_t *b, uint16_t len, uint32_t seed)
{
	static const uint8_t macs[12] = {
		0x02, 0x00, 0x11, 0x22, 0x33, 0x44,
		0x02, 0x00, 0xaa, 0xbb, 0xcc, 0xdd,
	};
	uint16_t i;

	memcpy(b, macs, 12);
	b[12] = 0x08;
	b[13] = 0x00;
	for (i = 14; i < len; i++)
		b[i] = (uint8_t)(seed * 13 + i * 7);
}

static void
mbuf_is(const struct rte_mbuf *m, const uint8_t *b, uint16_t len)
{
	ck_assert_uint_eq(m->nb_segs, 1);
	ck_assert_uint_eq(rte_pktmbuf_pkt_len(m), len);
	ck_assert_uint_eq(rte_pktmbuf_data_len(m), len);
	ck_assert_msg(memcmp(rte_pktmbuf_mtod(m, const uint8_t *), b, len) == 0,
		"frame bytes differ");
}

/* Protect one frame: the mbuf, or NULL if it was dropped (freed). */
static struct rte_mbuf *
protect1(struct ss_macsec *s, struct rte_mbuf *m)
{
	struct rte_mbuf *v[1] = { m };
	struct rte_mbuf *drop[1];
	uint16_t nd = 77;
	uint16_t k = ss_macsec_protect_burst(s, v, 1, drop, &nd);

	ck_assert_uint_eq(k + nd, 1);
	if (k == 0) {
		ck_assert_ptr_eq(drop[0], m);
		rte_pktmbuf_free(m);
		return NULL;
	}
	ck_assert_ptr_eq(v[0], m);
	return m;
}

enum verdict { V_PASS, V_CTL, V_DROP };

/* Validate one frame; the mbuf stays the caller's to free unless it was
 * dropped (freed here). */
static enum verdict
validate1(struct ss_macsec *s, struct rte_mbuf *m)
{
	struct rte_mbuf *v[1] = { m };
	struct rte_mbuf *ctl[1];
	struct rte_mbuf *drop[1];
	uint16_t nc = 77;
	uint16_t nd = 77;
	uint16_t k = ss_macsec_validate_burst(s, v, 1, ctl, &nc, drop, &nd);

	ck_assert_uint_eq(k + nc + nd, 1);
	if (k == 1) {
		ck_assert_ptr_eq(v[0], m);
		return V_PASS;
	}
	if (nc == 1) {
		ck_assert_ptr_eq(ctl[0], m);
		return V_CTL;
	}
	ck_assert_ptr_eq(drop[0], m);
	rte_pktmbuf_free(m);
	return V_DROP;
}

/* Validate the bytes b: the verdict (the mbuf is freed). */
static enum verdict
validate_bytes(struct ss_macsec *s, const uint8_t *b, uint16_t len)
{
	struct rte_mbuf *m = mk_mbuf(b, len);
	enum verdict r = validate1(s, m);

	if (r != V_DROP)
		rte_pktmbuf_free(m);
	return r;
}

static struct ss_macsec_stats
stats(const struct ss_macsec *s)
{
	struct ss_macsec_stats st;

	memset(&st, 0xa5, sizeof(st));
	ss_macsec_stats_get(s, &st);
	return st;
}

/* Every counter is what want says. */
#define STATS_ARE(s, want) stats_are(s, want, __LINE__)
static void
stats_are(const struct ss_macsec *s, const struct ss_macsec_stats *want,
	int line)
{
	const struct ss_macsec_stats got = stats(s);
	const uint64_t *g = (const uint64_t *)&got;
	const uint64_t *w = (const uint64_t *)want;
	unsigned int i;

	for (i = 0; i < sizeof(got) / sizeof(uint64_t); i++)
		ck_assert_msg(g[i] == w[i],
			"line %d: counter #%u is %" PRIu64 ", want %" PRIu64,
			line, i, g[i], w[i]);
}

/* A protecting (tx) and a validating (rx) SecY that share key k in AN an
 * of the tx SCI. */
struct pair {
	struct ss_macsec *tx;
	struct ss_macsec *rx;
	uint64_t sci;
};

#define TX_SCI 0x0200aabbccdd0001ull

static struct pair
mk_pair(enum ss_macsec_cipher c, bool conf, uint32_t window,
	enum ss_macsec_validate v, uint8_t an, uint64_t pn)
{
	const struct ss_macsec_key k = mk_key(c, 1);
	struct pair p;

	p.sci = TX_SCI;
	p.tx = mk_secy(TX_SCI, c, conf, true, 0, v);
	p.rx = mk_secy(0x0200112233440001ull, c, conf, true, window, v);
	ck_assert_int_eq(ss_macsec_tx_sa_install(p.tx, an, &k, pn), 0);
	ck_assert_int_eq(ss_macsec_tx_sa_use(p.tx, an), 0);
	ck_assert_int_eq(ss_macsec_rx_sc_add(p.rx, TX_SCI), 0);
	ck_assert_int_eq(ss_macsec_rx_sa_install(p.rx, TX_SCI, an, &k, pn), 0);
	return p;
}

static void
pair_free(struct pair *p)
{
	ss_macsec_free(p->tx);
	ss_macsec_free(p->rx);
}

/* A protected frame of len plain octets (seed): its bytes in out, the
 * plain frame in plain; returns the protected length. */
static uint16_t
mk_secure(struct ss_macsec *tx, uint16_t len, uint32_t seed, uint8_t *plain,
	uint8_t *out)
{
	struct rte_mbuf *m;
	uint16_t n;

	fill_frame(plain, len, seed);
	m = protect1(tx, mk_mbuf(plain, len));
	ck_assert_ptr_nonnull(m);
	n = (uint16_t)rte_pktmbuf_pkt_len(m);
	ck_assert_uint_eq(n, len + 32);
	memcpy(out, rte_pktmbuf_mtod(m, const uint8_t *), n);
	rte_pktmbuf_free(m);
	return n;
}

static const enum ss_macsec_cipher ciphers[] = {
	SS_MACSEC_GCM_AES_128, SS_MACSEC_GCM_AES_256,
	SS_MACSEC_GCM_AES_XPN_128, SS_MACSEC_GCM_AES_XPN_256,
};

/* ---- 1. known answers: IEEE 802.1AE Annex C / 802.1AEbw ------------ */

/* From DPDK's app/test/test_security_inline_macsec_vectors.h, which
 * carries the 802.1AE-2018 Annex C (GCM-AES) and the MACsec GCM-AES-XPN
 * test vectors. XPN: SSCI 0x7A30C118, salt xpn_salt, PN high half
 * 0xB0DF459C. "protect": SC=1 vectors, checked both ways; the others
 * (ES=1, SC=0: SCI from the source MAC) are receive only. */
struct kat {
	enum ss_macsec_cipher cipher;
	bool confidentiality;
	bool protect;
	uint64_t sci;
	uint8_t an;
	uint64_t pn;
	const char *key;
	const char *plain;
	const char *secure;
};

static const struct kat kats[] = {
	{	/* C.2.1 60B conf */
		.cipher = SS_MACSEC_GCM_AES_128,
		.confidentiality = true, .protect = true,
		.sci = 0x12153524c0895e81ull, .an = 2, .pn = 0xb2c28465ull,
		.key =
		"ad7a2bd03eac835a6f620fdcb506b345",
		.plain =
		"d609b1f056637a0d46df998d08000f101112131415161718191a1b1c1d1e1f20"
		"2122232425262728292a2b2c2d2e2f303132333435363738393a0002",
		.secure =
		"d609b1f056637a0d46df998d88e52e00b2c2846512153524c0895e81701afa1c"
		"c039c0d765128a665dab69243899bf7318ccdc81c9931da17fbe8edd7d17cb8b"
		"4c26fc81e3284f2b7fba713d4f8d55e7d3f06fd5a13c0c29b9d5b880",
	},
	{	/* C.2.2 60B conf */
		.cipher = SS_MACSEC_GCM_AES_256,
		.confidentiality = true, .protect = true,
		.sci = 0x12153524c0895e81ull, .an = 2, .pn = 0xb2c28465ull,
		.key =
		"e3c08a8f06c6e3ad95a70557b23f75483ce33021a9c72b7025666204c69c0b72",
		.plain =
		"d609b1f056637a0d46df998d08000f101112131415161718191a1b1c1d1e1f20"
		"2122232425262728292a2b2c2d2e2f303132333435363738393a0002",
		.secure =
		"d609b1f056637a0d46df998d88e52e00b2c2846512153524c0895e81e2006eb4"
		"2f5277022d9b19925bc419d7a592666c925fe2ef718eb4e308efeaa7c5273b39"
		"4118860a5be2a97f56ab78365ca597cdbb3edb8d1a1151ea0af7b436",
	},
	{	/* 60B conf */
		.cipher = SS_MACSEC_GCM_AES_XPN_128,
		.confidentiality = true, .protect = true,
		.sci = 0x12153524c0895e81ull, .an = 2, .pn = 0xb0df459cb2c28465ull,
		.key =
		"ad7a2bd03eac835a6f620fdcb506b345",
		.plain =
		"d609b1f056637a0d46df998d08000f101112131415161718191a1b1c1d1e1f20"
		"2122232425262728292a2b2c2d2e2f303132333435363738393a0002",
		.secure =
		"d609b1f056637a0d46df998d88e52e00b2c2846512153524c0895e810712d980"
		"ca50bbed35a0fa566338729ffa16d19ffcf07b3a1e7919b3776aacec8a593720"
		"8b483a7691984d380792e07fc2c3c79f263fa6bff8e7581e2ce45af8",
	},
	{	/* 60B conf */
		.cipher = SS_MACSEC_GCM_AES_XPN_256,
		.confidentiality = true, .protect = true,
		.sci = 0x12153524c0895e81ull, .an = 2, .pn = 0xb0df459cb2c28465ull,
		.key =
		"e3c08a8f06c6e3ad95a70557b23f75483ce33021a9c72b7025666204c69c0b72",
		.plain =
		"d609b1f056637a0d46df998d08000f101112131415161718191a1b1c1d1e1f20"
		"2122232425262728292a2b2c2d2e2f303132333435363738393a0002",
		.secure =
		"d609b1f056637a0d46df998d88e52e00b2c2846512153524c0895e813eb04a4b"
		"bf54c6eb1222a9aea00c38687f6c3520d976a3b694800650ce6585e620a41919"
		"17d2a605d870c78d2752ce493b442ac0c816d7abd70ad65c25d46413",
	},
	{	/* 54B integrity */
		.cipher = SS_MACSEC_GCM_AES_128,
		.confidentiality = false, .protect = true,
		.sci = 0x12153524c0895e81ull, .an = 2, .pn = 0xb2c28465ull,
		.key =
		"ad7a2bd03eac835a6f620fdcb506b345",
		.plain =
		"d609b1f056637a0d46df998d08000f101112131415161718191a1b1c1d1e1f20"
		"2122232425262728292a2b2c2d2e2f30313233340001",
		.secure =
		"d609b1f056637a0d46df998d88e5222ab2c2846512153524c0895e8108000f10"
		"1112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f30"
		"313233340001f09478a9b09007d06f46e9b6a1da25dd",
	},
	{	/* 54B integrity */
		.cipher = SS_MACSEC_GCM_AES_256,
		.confidentiality = false, .protect = true,
		.sci = 0x12153524c0895e81ull, .an = 2, .pn = 0xb2c28465ull,
		.key =
		"e3c08a8f06c6e3ad95a70557b23f75483ce33021a9c72b7025666204c69c0b72",
		.plain =
		"d609b1f056637a0d46df998d08000f101112131415161718191a1b1c1d1e1f20"
		"2122232425262728292a2b2c2d2e2f30313233340001",
		.secure =
		"d609b1f056637a0d46df998d88e5222ab2c2846512153524c0895e8108000f10"
		"1112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f30"
		"3132333400012f0bc5af409e06d609ea8b7d0fa5ea50",
	},
	{	/* 54B integrity */
		.cipher = SS_MACSEC_GCM_AES_XPN_128,
		.confidentiality = false, .protect = true,
		.sci = 0x12153524c0895e81ull, .an = 2, .pn = 0xb0df459cb2c28465ull,
		.key =
		"ad7a2bd03eac835a6f620fdcb506b345",
		.plain =
		"d609b1f056637a0d46df998d08000f101112131415161718191a1b1c1d1e1f20"
		"2122232425262728292a2b2c2d2e2f30313233340001",
		.secure =
		"d609b1f056637a0d46df998d88e5222ab2c2846512153524c0895e8108000f10"
		"1112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f30"
		"31323334000117fe1981ebdd4afc5062697e8baa0c23",
	},
	{	/* 54B integrity */
		.cipher = SS_MACSEC_GCM_AES_XPN_256,
		.confidentiality = false, .protect = true,
		.sci = 0x12153524c0895e81ull, .an = 2, .pn = 0xb0df459cb2c28465ull,
		.key =
		"e3c08a8f06c6e3ad95a70557b23f75483ce33021a9c72b7025666204c69c0b72",
		.plain =
		"d609b1f056637a0d46df998d08000f101112131415161718191a1b1c1d1e1f20"
		"2122232425262728292a2b2c2d2e2f30313233340001",
		.secure =
		"d609b1f056637a0d46df998d88e5222ab2c2846512153524c0895e8108000f10"
		"1112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f30"
		"3132333400014dbd2f6a754a6cf728cc129ba6931577",
	},
	{	/* 64B conf */
		.cipher = SS_MACSEC_GCM_AES_128,
		.confidentiality = true, .protect = true,
		.sci = 0xfe2fcd14241b882cull, .an = 0, .pn = 0x2ull,
		.key =
		"071b113b0ca743fecccf3d051f737382",
		.plain =
		"e20106d7cd0df0761e8dcd3d08000f101112131415161718191a1b1c1d1e1f20"
		"2122232425262728292a2b2c2d2e2f3031323334353637383940414243444546",
		.secure =
		"e20106d7cd0df0761e8dcd3d88e52c0000000002fe2fcd14241b882c39389744"
		"a26d713d1427c73e029681ad47822acf197912490f935a324379ef9d70f8a9be"
		"3d005d22da873dc1be1b13d999dbf1c84bc4f8c60978b9bb5dc004f3207d1487",
	},
	{	/* 54B conf, ES=1 SC=0 */
		.cipher = SS_MACSEC_GCM_AES_128,
		.confidentiality = true, .protect = false,
		.sci = 0xf0761e8dcd3d0001ull, .an = 0, .pn = 0x76d457edull,
		.key =
		"071b113b0ca743fecccf3d051f737382",
		.plain =
		"e20106d7cd0df0761e8dcd3d08000f101112131415161718191a1b1c1d1e1f20"
		"2122232425262728292a2b2c2d2e2f30313233340004",
		.secure =
		"e20106d7cd0df0761e8dcd3d88e54c2a76d457ed13b4c72b389dc5018e72a171"
		"dd85a5d3752274d3a019fbcaed09a425cd9b2e1c9b72eee7c9de7d52b3f3d6a5"
		"284f4a6d3fe22a5d6c2b960494c3",
	},
	{	/* 54B conf, ES=1 SC=0 */
		.cipher = SS_MACSEC_GCM_AES_256,
		.confidentiality = true, .protect = false,
		.sci = 0xf0761e8dcd3d0001ull, .an = 0, .pn = 0x76d457edull,
		.key =
		"691d3ee909d7f54167fd1ca0b5d769081f2bde1aee655fdbab80bd5295ae6be7",
		.plain =
		"e20106d7cd0df0761e8dcd3d08000f101112131415161718191a1b1c1d1e1f20"
		"2122232425262728292a2b2c2d2e2f30313233340004",
		.secure =
		"e20106d7cd0df0761e8dcd3d88e54c2a76d457edc1623f55730c93533097adda"
		"d25664966125352b43adacbd61c5ef3ac90b5bee929ce4630ea79f6ce51912af"
		"39c2d1fdc2051f8b7b3c9d397ef2",
	},
	{	/* 54B conf, ES=1 SC=0 */
		.cipher = SS_MACSEC_GCM_AES_XPN_128,
		.confidentiality = true, .protect = false,
		.sci = 0xf0761e8dcd3d0001ull, .an = 0, .pn = 0xb0df459c76d457edull,
		.key =
		"071b113b0ca743fecccf3d051f737382",
		.plain =
		"e20106d7cd0df0761e8dcd3d08000f101112131415161718191a1b1c1d1e1f20"
		"2122232425262728292a2b2c2d2e2f30313233340004",
		.secure =
		"e20106d7cd0df0761e8dcd3d88e54c2a76d457ed9ca46984430203ed416ebdc2"
		"fe2622ba3e5eab6961c36383009e187e9b0c88564653b9abd216441c6ab6f0a2"
		"32e9e44c978cf7cd84d43484d101",
	},
	{	/* 54B conf, ES=1 SC=0 */
		.cipher = SS_MACSEC_GCM_AES_XPN_256,
		.confidentiality = true, .protect = false,
		.sci = 0xf0761e8dcd3d0001ull, .an = 0, .pn = 0xb0df459c76d457edull,
		.key =
		"691d3ee909d7f54167fd1ca0b5d769081f2bde1aee655fdbab80bd5295ae6be7",
		.plain =
		"e20106d7cd0df0761e8dcd3d08000f101112131415161718191a1b1c1d1e1f20"
		"2122232425262728292a2b2c2d2e2f30313233340004",
		.secure =
		"e20106d7cd0df0761e8dcd3d88e54c2a76d457ed88d9f7d1f1578ee34ba7b1ab"
		"c89893ef1d3398c9f1dd3e47fbd8553e0ff786ef5699eb01ea10420d0ebd39a0"
		"e273c4c7f95ed843207d7a497dfa",
	},
	{	/* 60B integrity, ES=1 SC=0 */
		.cipher = SS_MACSEC_GCM_AES_128,
		.confidentiality = false, .protect = false,
		.sci = 0xf0761e8dcd3d0001ull, .an = 0, .pn = 0x76d457edull,
		.key =
		"071b113b0ca743fecccf3d051f737382",
		.plain =
		"e20106d7cd0df0761e8dcd3d08000f101112131415161718191a1b1c1d1e1f20"
		"2122232425262728292a2b2c2d2e2f303132333435363738393a0003",
		.secure =
		"e20106d7cd0df0761e8dcd3d88e5400076d457ed08000f101112131415161718"
		"191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f303132333435363738"
		"393a00030c017bc73b227dfcc9bafa1c41acc353",
	},
	{	/* 60B integrity, ES=1 SC=0 */
		.cipher = SS_MACSEC_GCM_AES_256,
		.confidentiality = false, .protect = false,
		.sci = 0xf0761e8dcd3d0001ull, .an = 0, .pn = 0x76d457edull,
		.key =
		"691d3ee909d7f54167fd1ca0b5d769081f2bde1aee655fdbab80bd5295ae6be7",
		.plain =
		"e20106d7cd0df0761e8dcd3d08000f101112131415161718191a1b1c1d1e1f20"
		"2122232425262728292a2b2c2d2e2f303132333435363738393a0003",
		.secure =
		"e20106d7cd0df0761e8dcd3d88e5400076d457ed08000f101112131415161718"
		"191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f303132333435363738"
		"393a000335217c774bbc31b63166bcf9d4abed07",
	},
	{	/* 60B integrity, ES=1 SC=0 */
		.cipher = SS_MACSEC_GCM_AES_XPN_128,
		.confidentiality = false, .protect = false,
		.sci = 0xf0761e8dcd3d0001ull, .an = 0, .pn = 0xb0df459c76d457edull,
		.key =
		"071b113b0ca743fecccf3d051f737382",
		.plain =
		"e20106d7cd0df0761e8dcd3d08000f101112131415161718191a1b1c1d1e1f20"
		"2122232425262728292a2b2c2d2e2f303132333435363738393a0003",
		.secure =
		"e20106d7cd0df0761e8dcd3d88e5400076d457ed08000f101112131415161718"
		"191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f303132333435363738"
		"393a0003abc40685a3cf911d3787e49db6a7265e",
	},
};

START_TEST(test_kat)
{
	unsigned int i;

	for (i = 0; i < RTE_DIM(kats); i++) {
		const struct kat *v = &kats[i];
		uint8_t plain[MAXF], secure[MAXF];
		const size_t pl = ss_test_hex(v->plain, plain, sizeof(plain));
		const size_t sl = ss_test_hex(v->secure, secure,
			sizeof(secure));
		struct ss_macsec_key k = mk_key(v->cipher, 0);
		struct ss_macsec_stats want;
		struct ss_macsec *s;
		struct rte_mbuf *m;

		k.sak_len = (uint8_t)ss_test_hex(v->key, k.sak, sizeof(k.sak));
		if (v->protect) {
			s = mk_secy(v->sci, v->cipher, v->confidentiality, true,
				0, SS_MACSEC_VALIDATE_STRICT);
			ck_assert_int_eq(ss_macsec_tx_sa_install(s, v->an, &k,
				v->pn), 0);
			ck_assert_int_eq(ss_macsec_tx_sa_use(s, v->an), 0);
			m = protect1(s, mk_mbuf(plain, (uint16_t)pl));
			ck_assert_msg(m != NULL, "vector %u dropped", i);
			mbuf_is(m, secure, (uint16_t)sl);
			rte_pktmbuf_free(m);
			ck_assert_uint_eq(ss_macsec_tx_next_pn(s, v->an),
				v->pn + 1);
			memset(&want, 0, sizeof(want));
			if (v->confidentiality) {
				want.out_pkts_encrypted = 1;
				want.out_octets_encrypted = pl - 12;
			} else {
				want.out_pkts_protected = 1;
				want.out_octets_protected = pl - 12;
			}
			STATS_ARE(s, &want);
			ss_macsec_free(s);
		}
		s = mk_secy(1, v->cipher, v->confidentiality, true, 0,
			SS_MACSEC_VALIDATE_STRICT);
		ck_assert_int_eq(ss_macsec_rx_sc_add(s, v->sci), 0);
		ck_assert_int_eq(ss_macsec_rx_sa_install(s, v->sci, v->an, &k,
			v->pn), 0);
		m = mk_mbuf(secure, (uint16_t)sl);
		ck_assert_msg(validate1(s, m) == V_PASS, "vector %u refused",
			i);
		mbuf_is(m, plain, (uint16_t)pl);
		rte_pktmbuf_free(m);
		memset(&want, 0, sizeof(want));
		want.in_pkts_ok = 1;
		if (v->confidentiality)
			want.in_octets_decrypted = pl - 12;
		else
			want.in_octets_validated = pl - 12;
		STATS_ARE(s, &want);
		ck_assert_uint_eq(ss_macsec_rx_lowest_pn(s, v->sci, v->an),
			v->pn + 1);
		/* A second time: replayed. XPN (10.6.2) recovers a PN below
		 * lowestPN's low half into the next 2^32, whose ICV fails. */
		ck_assert(validate_bytes(s, secure, (uint16_t)sl) == V_DROP);
		if (is_xpn(v->cipher))
			want.in_pkts_not_valid = 1;
		else
			want.in_pkts_late = 1;
		STATS_ARE(s, &want);
		ss_macsec_free(s);
	}
}
END_TEST

/* ---- 2. scapy.contrib.macsec --------------------------------------- */

/* Made by tests/unit/macsec_scapy.py (scapy 2.5 MACsecSA, an
 * independent implementation): SCI 0x0200AABBCCDD0001, AN 1, SSCI
 * 0x01020304, salt a0..ab; pairs of (plain, protected) frames. */
struct scapy_vec {
	enum ss_macsec_cipher cipher;
	bool confidentiality;
	uint64_t pn;
	const char *plain;
	const char *secure;
};

static const struct scapy_vec scapy_vecs[] = {
	{	/* gcm128_conf */
		.cipher = SS_MACSEC_GCM_AES_128, .confidentiality = true,
		.pn = 0x1234ull,
		.plain =
		"0200112233440200aabbccdd080045000080000100004011666a0a0000010a00"
		"000200010002006cd59d00070e151c232a31383f464d545b626970777e858c93"
		"9aa1a8afb6bdc4cbd2d9e0e7eef5fc030a11181f262d343b424950575e656c73"
		"7a81888f969da4abb2b9c0c7ced5dce3eaf1f8ff060d141b222930373e454c53"
		"5a61686f767d848b9299a0a7aeb5",
		.secure =
		"0200112233440200aabbccdd88e52d00000012340200aabbccdd00013b14f4ba"
		"fd9456eaf3b19664fd0c827b45090e846960dd647ac929fea1b10e874765be9d"
		"0a6fdd3226017eaecde93df41ed9a132f9882767999833d4e19c08f14b74c262"
		"81cb48534f40ff98c56a781039bc2310c9b1b1a33885f38892224b4667f85e07"
		"07ad5a56f0becfb7095270d9714a6cc52af9795497049a40d280d1764a03d273"
		"c4b3758bb34b8feafebf742abd31",
	},
	{	/* gcm128_integ */
		.cipher = SS_MACSEC_GCM_AES_128, .confidentiality = false,
		.pn = 0x1235ull,
		.plain =
		"0200112233440200aabbccdd08004500002000010000401166ca0a0000010a00"
		"000200010002000cddb400070e15",
		.secure =
		"0200112233440200aabbccdd88e52122000012350200aabbccdd000108004500"
		"002000010000401166ca0a0000010a00000200010002000cddb400070e15a47a"
		"dbdd2e4e6b100724579536daf018",
	},
	{	/* gcm256_conf */
		.cipher = SS_MACSEC_GCM_AES_256, .confidentiality = true,
		.pn = 0xfffffffeull,
		.plain =
		"0200112233440200aabbccdd08004500014800010000401165a20a0000010a00"
		"00020001000201347dfb00070e151c232a31383f464d545b626970777e858c93"
		"9aa1a8afb6bdc4cbd2d9e0e7eef5fc030a11181f262d343b424950575e656c73"
		"7a81888f969da4abb2b9c0c7ced5dce3eaf1f8ff060d141b222930373e454c53"
		"5a61686f767d848b9299a0a7aeb5bcc3cad1d8dfe6edf4fb020910171e252c33"
		"3a41484f565d646b727980878e959ca3aab1b8bfc6cdd4dbe2e9f0f7fe050c13"
		"1a21282f363d444b525960676e757c838a91989fa6adb4bbc2c9d0d7dee5ecf3"
		"fa01080f161d242b323940474e555c636a71787f868d949ba2a9b0b7bec5ccd3"
		"dae1e8eff6fd040b121920272e353c434a51585f666d747b828990979ea5acb3"
		"bac1c8cfd6dde4ebf2f900070e151c232a31383f464d545b626970777e858c93"
		"9aa1a8afb6bdc4cbd2d9e0e7eef5fc030a11181f262d",
		.secure =
		"0200112233440200aabbccdd88e52d00fffffffe0200aabbccdd00013fe82ef7"
		"2999ed3c2fc368f0c292f47e9e3f2b9466541335e6bfba5e99469ec601bd151b"
		"81a25b66d21492ae3984264863e865646146bf3c2e1288acacff77f0ebe40100"
		"9784566b54bc899d0f363e7d6b012b1468f2225fca18f7907c143f1312d320b3"
		"778e4ab90e6c82b03a89be4b20cc612a23da795f55c70b82358b2429f8c72cff"
		"ca219aa7a48acfd1a75ebf4bc9a968ebe7b5e3cf7accb77aa10f0fdcc6c319db"
		"64e190bcf4ddfade8de9b45752f5a8c82733dd513ab910a7cba6b58ba8d415fc"
		"af1f4c04ed8b7bce4edaa422ea36c393129db83f67106b72649371ad54641185"
		"0e6cec0b79928c8b47744d0569b7779105b04d8c218c4506401a561d2af8be27"
		"d74173534480ef9de6789d8687cdfb28f5fec3615ac6034d18e6b5561dd5c9e1"
		"3362ddd79c612ff6424e585deb85188111a9a1d8026a1e3e276cfb60a0e2a0d4"
		"c66b8c6b1156adda563e53c89633470c687bfb0d5063",
	},
	{	/* xpn128_conf */
		.cipher = SS_MACSEC_GCM_AES_XPN_128, .confidentiality = true,
		.pn = 0x5fffffff0ull,
		.plain =
		"0200112233440200aabbccdd08004500005c000100004011668e0a0000010a00"
		"0002000100020048bd4a00070e151c232a31383f464d545b626970777e858c93"
		"9aa1a8afb6bdc4cbd2d9e0e7eef5fc030a11181f262d343b424950575e656c73"
		"7a81888f969da4abb2b9",
		.secure =
		"0200112233440200aabbccdd88e52d00fffffff00200aabbccdd00013666be53"
		"cea5b33413e7594c2c4b16840bdad918b2cd0aafbe86ec0ad03a530ea09ae902"
		"3fda82145c7a061c208146ae63a4a50586d9eec76e74065b9879f83c7fa53a71"
		"ae61d1865963c99970ec6425da35bed7328af4984da22123d8a54634680f3c54"
		"410e305a64484636a32b",
	},
	{	/* xpn256_integ */
		.cipher = SS_MACSEC_GCM_AES_XPN_256, .confidentiality = false,
		.pn = 0x100000001ull,
		.plain =
		"0200112233440200aabbccdd0800450000e400010000401166060a0000010a00"
		"00020001000200d006a900070e151c232a31383f464d545b626970777e858c93"
		"9aa1a8afb6bdc4cbd2d9e0e7eef5fc030a11181f262d343b424950575e656c73"
		"7a81888f969da4abb2b9c0c7ced5dce3eaf1f8ff060d141b222930373e454c53"
		"5a61686f767d848b9299a0a7aeb5bcc3cad1d8dfe6edf4fb020910171e252c33"
		"3a41484f565d646b727980878e959ca3aab1b8bfc6cdd4dbe2e9f0f7fe050c13"
		"1a21282f363d444b525960676e757c838a91989fa6adb4bbc2c9d0d7dee5ecf3"
		"fa01080f161d242b323940474e555c636a71",
		.secure =
		"0200112233440200aabbccdd88e52100000000010200aabbccdd000108004500"
		"00e400010000401166060a0000010a0000020001000200d006a900070e151c23"
		"2a31383f464d545b626970777e858c939aa1a8afb6bdc4cbd2d9e0e7eef5fc03"
		"0a11181f262d343b424950575e656c737a81888f969da4abb2b9c0c7ced5dce3"
		"eaf1f8ff060d141b222930373e454c535a61686f767d848b9299a0a7aeb5bcc3"
		"cad1d8dfe6edf4fb020910171e252c333a41484f565d646b727980878e959ca3"
		"aab1b8bfc6cdd4dbe2e9f0f7fe050c131a21282f363d444b525960676e757c83"
		"8a91989fa6adb4bbc2c9d0d7dee5ecf3fa01080f161d242b323940474e555c63"
		"6a7160108d22f8f4ff8b559e8d60b53bac8f",
	},
};

START_TEST(test_scapy)
{
	unsigned int i;

	for (i = 0; i < RTE_DIM(scapy_vecs); i++) {
		const struct scapy_vec *v = &scapy_vecs[i];
		uint8_t plain[MAXF], secure[MAXF];
		const size_t pl = ss_test_hex(v->plain, plain, sizeof(plain));
		const size_t sl = ss_test_hex(v->secure, secure,
			sizeof(secure));
		struct ss_macsec_key k;
		struct ss_macsec *s;
		struct rte_mbuf *m;
		unsigned int j;

		memset(&k, 0, sizeof(k));
		k.sak_len = is_256(v->cipher) ? 32 : 16;
		for (j = 0; j < k.sak_len; j++)
			k.sak[j] = (uint8_t)j;
		k.ssci = 0x01020304;
		for (j = 0; j < 12; j++)
			k.salt[j] = (uint8_t)(0xa0 + j);
		s = mk_secy(TX_SCI, v->cipher, v->confidentiality, true, 0,
			SS_MACSEC_VALIDATE_STRICT);
		ck_assert_int_eq(ss_macsec_tx_sa_install(s, 1, &k, v->pn), 0);
		ck_assert_int_eq(ss_macsec_tx_sa_use(s, 1), 0);
		m = protect1(s, mk_mbuf(plain, (uint16_t)pl));
		ck_assert_ptr_nonnull(m);
		mbuf_is(m, secure, (uint16_t)sl);
		rte_pktmbuf_free(m);
		ck_assert_int_eq(ss_macsec_rx_sc_add(s, TX_SCI), 0);
		ck_assert_int_eq(ss_macsec_rx_sa_install(s, TX_SCI, 1, &k,
			v->pn - 3), 0);
		m = mk_mbuf(secure, (uint16_t)sl);
		ck_assert_msg(validate1(s, m) == V_PASS, "scapy %u refused", i);
		mbuf_is(m, plain, (uint16_t)pl);
		rte_pktmbuf_free(m);
		ck_assert_uint_eq(stats(s).in_pkts_ok, 1);
		ss_macsec_free(s);
	}
}
END_TEST

/* ---- 3. round trip ------------------------------------------------- */

/* Every size from 14 to 1514 octets, in bursts of 32, each cipher with
 * and without confidentiality. */
START_TEST(test_roundtrip)
{
	static uint8_t plain[32][MAXF];
	unsigned int ci, conf;

	for (ci = 0; ci < RTE_DIM(ciphers); ci++)
	for (conf = 0; conf < 2; conf++) {
		struct pair p = mk_pair(ciphers[ci], conf != 0, 0,
			SS_MACSEC_VALIDATE_STRICT, 3, 1);
		uint32_t len = 14;
		uint64_t frames = 0;
		uint64_t octets = 0;
		struct ss_macsec_stats want;

		while (len <= 1514) {
			struct rte_mbuf *m[32], *ctl[32], *drop[32];
			uint16_t lens[32];
			uint16_t n, i, k, nc, nd;

			for (n = 0; n < 32 && len <= 1514; n++, len++) {
				lens[n] = (uint16_t)len;
				fill_frame(plain[n], lens[n], len + ci);
				m[n] = mk_mbuf(plain[n], lens[n]);
				octets += len - 12;
			}
			k = ss_macsec_protect_burst(p.tx, m, n, drop, &nd);
			ck_assert_uint_eq(k, n);
			ck_assert_uint_eq(nd, 0);
			for (i = 0; i < n; i++) {
				const uint8_t *b = rte_pktmbuf_mtod(m[i],
					const uint8_t *);

				ck_assert_uint_eq(m[i]->pkt_len, lens[i] + 32);
				ck_assert_uint_eq(b[12], 0x88);
				ck_assert_uint_eq(b[13], 0xe5);
				ck_assert_uint_eq(b[14], conf ? 0x2f : 0x23);
				ck_assert_uint_eq(b[15], lens[i] - 12 < 48 ?
					lens[i] - 12 : 0);
				/* Encrypted data differs from the plain. */
				if (conf && lens[i] > 20)
					ck_assert(memcmp(b + 28, plain[i] + 12,
						lens[i] - 12) != 0);
			}
			k = ss_macsec_validate_burst(p.rx, m, n, ctl, &nc,
				drop, &nd);
			ck_assert_uint_eq(k, n);
			ck_assert_uint_eq(nc, 0);
			ck_assert_uint_eq(nd, 0);
			for (i = 0; i < n; i++) {
				mbuf_is(m[i], plain[i], lens[i]);
				rte_pktmbuf_free(m[i]);
			}
			frames += n;
		}
		memset(&want, 0, sizeof(want));
		want.in_pkts_ok = frames;
		if (conf)
			want.in_octets_decrypted = octets;
		else
			want.in_octets_validated = octets;
		STATS_ARE(p.rx, &want);
		memset(&want, 0, sizeof(want));
		if (conf) {
			want.out_pkts_encrypted = frames;
			want.out_octets_encrypted = octets;
		} else {
			want.out_pkts_protected = frames;
			want.out_octets_protected = octets;
		}
		STATS_ARE(p.tx, &want);
		ck_assert_uint_eq(ss_macsec_tx_next_pn(p.tx, 3), frames + 1);
		pair_free(&p);
	}
	ck_assert_uint_eq(rte_mempool_avail_count(pool()), POOL_N);
}
END_TEST

/* ---- 4. bad input -------------------------------------------------- */

/* One altered copy of a good frame, validated by a fresh rx SecY: the
 * verdict, the counters (only 'field' moved by one), and what passed. */
enum field {
	F_NONE,
	F_NOT_VALID, F_INVALID, F_NO_SCI, F_UNKNOWN_SCI, F_NOT_USING_SA,
	F_UNUSED_SA, F_LATE, F_BAD_TAG, F_NO_TAG, F_UNTAGGED, F_EAPOL,
	F_MALFORMED, F_OK,
};

static void
bump(struct ss_macsec_stats *w, enum field f)
{
	switch (f) {
	case F_NOT_VALID: w->in_pkts_not_valid++; break;
	case F_INVALID: w->in_pkts_invalid++; break;
	case F_NO_SCI: w->in_pkts_no_sci++; break;
	case F_UNKNOWN_SCI: w->in_pkts_unknown_sci++; break;
	case F_NOT_USING_SA: w->in_pkts_not_using_sa++; break;
	case F_UNUSED_SA: w->in_pkts_unused_sa++; break;
	case F_LATE: w->in_pkts_late++; break;
	case F_BAD_TAG: w->in_pkts_bad_tag++; break;
	case F_NO_TAG: w->in_pkts_no_tag++; break;
	case F_UNTAGGED: w->in_pkts_untagged++; break;
	case F_EAPOL: w->in_pkts_eapol++; break;
	case F_MALFORMED: w->in_pkts_malformed++; break;
	case F_OK: w->in_pkts_ok++; break;
	default: break;
	}
}

struct bad_ctx {
	struct pair p;
	uint8_t plain[MAXF];
	uint8_t sec[MAXF];
	uint16_t plen;
	uint16_t slen;
	bool conf;
};

/* Validate b (len) on ctx's rx: verdict v and one counter f. */
static void
expect(struct bad_ctx *c, const uint8_t *b, uint16_t len, enum verdict v,
	enum field f, int line)
{
	struct ss_macsec_stats want = stats(c->p.rx);
	enum verdict got = validate_bytes(c->p.rx, b, len);

	ck_assert_msg(got == v, "line %d: verdict %d, want %d", line, got, v);
	bump(&want, f);
	if (f == F_OK && c->conf)
		want.in_octets_decrypted += c->plen - 12;
	else if (f == F_OK)
		want.in_octets_validated += c->plen - 12;
	stats_are(c->p.rx, &want, line);
}
#define EXPECT(c, b, len, v, f) expect(c, b, len, v, f, __LINE__)

static void
bad_setup(struct bad_ctx *c, bool conf, enum ss_macsec_validate v,
	uint16_t plen)
{
	c->p = mk_pair(SS_MACSEC_GCM_AES_128, conf, 0, v, 0, 1000);
	c->plen = plen;
	c->conf = conf;
	c->slen = mk_secure(c->p.tx, plen, 7, c->plain, c->sec);
}

START_TEST(test_bad_strict)
{
	struct bad_ctx c;
	uint8_t b[MAXF];
	unsigned int conf;

	for (conf = 0; conf < 2; conf++) {
		bad_setup(&c, conf != 0, SS_MACSEC_VALIDATE_STRICT, 100);
		/* A data bit, an ICV bit, a MAC bit, a SecTAG PN bit. */
		memcpy(b, c.sec, c.slen);
		b[40] ^= 0x10;
		EXPECT(&c, b, c.slen, V_DROP, F_NOT_VALID);
		memcpy(b, c.sec, c.slen);
		b[c.slen - 1] ^= 0x01;
		EXPECT(&c, b, c.slen, V_DROP, F_NOT_VALID);
		memcpy(b, c.sec, c.slen);
		b[3] ^= 0x80;
		EXPECT(&c, b, c.slen, V_DROP, F_NOT_VALID);
		memcpy(b, c.sec, c.slen);
		b[19] ^= 0x01;
		EXPECT(&c, b, c.slen, V_DROP, F_NOT_VALID);
		/* Unknown SCI. */
		memcpy(b, c.sec, c.slen);
		b[27] ^= 0x02;
		EXPECT(&c, b, c.slen, V_DROP, F_NO_SCI);
		/* AN 2 not installed. */
		memcpy(b, c.sec, c.slen);
		b[14] = (uint8_t)((b[14] & ~3) | 2);
		EXPECT(&c, b, c.slen, V_DROP, F_NOT_USING_SA);
		/* SecTAG rules (9.12). */
		memcpy(b, c.sec, c.slen);
		b[14] |= 0x80;				/* V */
		EXPECT(&c, b, c.slen, V_DROP, F_BAD_TAG);
		memcpy(b, c.sec, c.slen);
		b[14] |= 0x40;				/* ES with SC */
		EXPECT(&c, b, c.slen, V_DROP, F_BAD_TAG);
		memcpy(b, c.sec, c.slen);
		b[14] |= 0x10;				/* SCB with SC */
		EXPECT(&c, b, c.slen, V_DROP, F_BAD_TAG);
		memcpy(b, c.sec, c.slen);
		b[15] = 20;			/* SL for a long frame */
		EXPECT(&c, b, c.slen, V_DROP, F_BAD_TAG);
		memcpy(b, c.sec, c.slen);
		b[15] = 0x40;			/* SL's reserved bits */
		EXPECT(&c, b, c.slen, V_DROP, F_BAD_TAG);
		memcpy(b, c.sec, c.slen);
		b[15] = 48;			/* SL out of range */
		EXPECT(&c, b, c.slen, V_DROP, F_BAD_TAG);
		memcpy(b, c.sec, c.slen);
		memset(b + 16, 0, 4);			/* PN 0 */
		EXPECT(&c, b, c.slen, V_DROP, F_BAD_TAG);
		/* Truncated: shorter than SecTAG + ICV (+ 1), or than a long
		 * frame with SL 0. */
		EXPECT(&c, c.sec, 12 + 16 + 16, V_DROP, F_BAD_TAG);
		EXPECT(&c, c.sec, 20, V_DROP, F_BAD_TAG);
		EXPECT(&c, c.sec, 15, V_DROP, F_BAD_TAG);
		EXPECT(&c, c.sec, c.slen - 60, V_DROP, F_BAD_TAG);
		/* Not Ethernet. */
		EXPECT(&c, c.sec, 13, V_DROP, F_MALFORMED);
		/* Untagged: dropped. EAPOL: to the control plane. */
		EXPECT(&c, c.plain, c.plen, V_DROP, F_NO_TAG);
		memcpy(b, c.plain, c.plen);
		b[12] = 0x88;
		b[13] = 0x8e;
		{
			struct rte_mbuf *m = mk_mbuf(b, c.plen);
			struct ss_macsec_stats want = stats(c.p.rx);

			ck_assert(validate1(c.p.rx, m) == V_CTL);
			mbuf_is(m, b, c.plen);
			rte_pktmbuf_free(m);
			want.in_pkts_eapol++;
			STATS_ARE(c.p.rx, &want);
		}
		/* The good frame still passes, then is a replay. */
		EXPECT(&c, c.sec, c.slen, V_PASS, F_OK);
		EXPECT(&c, c.sec, c.slen, V_DROP, F_LATE);
		pair_free(&c.p);
	}
	ck_assert_uint_eq(rte_mempool_avail_count(pool()), POOL_N);
}
END_TEST

/* validateFrames Check: integrity-only frames that fail pass (802.1AE
 * 10.6.5: InPktsInvalid, InPktsUnknownSCI, InPktsUnusedSA), encrypted
 * ones (C=1) cannot and are dropped. */
START_TEST(test_bad_check)
{
	struct bad_ctx c;
	uint8_t b[MAXF];
	struct rte_mbuf *m;

	bad_setup(&c, false, SS_MACSEC_VALIDATE_CHECK, 100);
	memcpy(b, c.sec, c.slen);
	b[40] ^= 0x10;
	m = mk_mbuf(b, c.slen);
	{
		struct ss_macsec_stats want = stats(c.p.rx);
		uint8_t expect_plain[MAXF];

		ck_assert(validate1(c.p.rx, m) == V_PASS);
		memcpy(expect_plain, c.plain, c.plen);
		expect_plain[40 - 16] ^= 0x10;
		mbuf_is(m, expect_plain, c.plen);
		want.in_pkts_invalid++;
		STATS_ARE(c.p.rx, &want);
	}
	rte_pktmbuf_free(m);
	memcpy(b, c.sec, c.slen);
	b[27] ^= 0x02;
	EXPECT(&c, b, c.slen, V_PASS, F_UNKNOWN_SCI);
	memcpy(b, c.sec, c.slen);
	b[14] = (uint8_t)((b[14] & ~3) | 2);
	EXPECT(&c, b, c.slen, V_PASS, F_UNUSED_SA);
	EXPECT(&c, c.sec, c.slen - 60, V_DROP, F_BAD_TAG);
	{
		struct ss_macsec_stats want = stats(c.p.rx);

		m = mk_mbuf(c.plain, c.plen);
		ck_assert(validate1(c.p.rx, m) == V_PASS);
		mbuf_is(m, c.plain, c.plen);
		rte_pktmbuf_free(m);
		want.in_pkts_untagged++;
		STATS_ARE(c.p.rx, &want);
	}
	EXPECT(&c, c.sec, c.slen, V_PASS, F_OK);
	EXPECT(&c, c.sec, c.slen, V_DROP, F_LATE);
	pair_free(&c.p);

	bad_setup(&c, true, SS_MACSEC_VALIDATE_CHECK, 100);
	memcpy(b, c.sec, c.slen);
	b[40] ^= 0x10;
	EXPECT(&c, b, c.slen, V_DROP, F_NOT_VALID);
	memcpy(b, c.sec, c.slen);
	b[27] ^= 0x02;
	EXPECT(&c, b, c.slen, V_DROP, F_NO_SCI);
	memcpy(b, c.sec, c.slen);
	b[14] = (uint8_t)((b[14] & ~3) | 2);
	EXPECT(&c, b, c.slen, V_DROP, F_NOT_USING_SA);
	EXPECT(&c, c.sec, c.slen, V_PASS, F_OK);
	pair_free(&c.p);
	ck_assert_uint_eq(rte_mempool_avail_count(pool()), POOL_N);
}
END_TEST

/* validateFrames Disabled: integrity-only frames pass unchecked (even
 * a bad one); encrypted ones (C=1) are still validated. A short frame
 * padded to 60 octets by the MAC is cut back to what SL says. */
START_TEST(test_disabled_padding)
{
	struct bad_ctx c;
	uint8_t b[MAXF];
	struct rte_mbuf *m;

	bad_setup(&c, false, SS_MACSEC_VALIDATE_DISABLED, 100);
	memcpy(b, c.sec, c.slen);
	b[40] ^= 0x10;
	{
		struct ss_macsec_stats want = stats(c.p.rx);

		m = mk_mbuf(b, c.slen);
		ck_assert(validate1(c.p.rx, m) == V_PASS);
		ck_assert_uint_eq(m->pkt_len, c.plen);
		rte_pktmbuf_free(m);
		want.in_pkts_unchecked++;
		STATS_ARE(c.p.rx, &want);
	}
	pair_free(&c.p);
	bad_setup(&c, true, SS_MACSEC_VALIDATE_DISABLED, 100);
	memcpy(b, c.sec, c.slen);
	b[40] ^= 0x10;
	EXPECT(&c, b, c.slen, V_DROP, F_NOT_VALID);
	EXPECT(&c, c.sec, c.slen, V_PASS, F_OK);
	pair_free(&c.p);

	/* 20 octets protected: 52, SL 8; padded to 60. */
	bad_setup(&c, true, SS_MACSEC_VALIDATE_STRICT, 20);
	ck_assert_uint_eq(c.sec[15], 8);
	memcpy(b, c.sec, c.slen);
	memset(b + c.slen, 0, 61 - c.slen);
	m = mk_mbuf(b, 60);
	ck_assert(validate1(c.p.rx, m) == V_PASS);
	mbuf_is(m, c.plain, c.plen);
	rte_pktmbuf_free(m);
	/* Longer than the minimum frame: SL must be exact. */
	EXPECT(&c, b, 61, V_DROP, F_BAD_TAG);
	pair_free(&c.p);
}
END_TEST

/* SC=0 frames: ES=0 names no SCI; it is the single peer's when there is
 * exactly one receive SC, else undeterminable (InPktsNoSCI). */
START_TEST(test_implicit_sci)
{
	struct bad_ctx c;
	uint8_t b[MAXF];
	uint16_t len;

	bad_setup(&c, true, SS_MACSEC_VALIDATE_STRICT, 100);
	/* The SCI out of the SecTAG, SC cleared: the ICV no longer
	 * matches, but the frame reaches the SA check of the only SC. */
	memcpy(b, c.sec, 20);
	memcpy(b + 20, c.sec + 28, c.slen - 28);
	len = c.slen - 8;
	b[14] &= (uint8_t)~0x20;
	EXPECT(&c, b, len, V_DROP, F_NOT_VALID);
	ck_assert_int_eq(ss_macsec_rx_sc_add(c.p.rx, 0x1234), 0);
	EXPECT(&c, b, len, V_DROP, F_NO_SCI);
	ck_assert_int_eq(ss_macsec_rx_sc_del(c.p.rx, 0x1234), 0);
	EXPECT(&c, b, len, V_DROP, F_NOT_VALID);
	/* ES=1: the source MAC with port 1, which is TX_SCI. */
	b[14] |= 0x40;
	EXPECT(&c, b, len, V_DROP, F_NOT_VALID);
	b[11] ^= 1;
	EXPECT(&c, b, len, V_DROP, F_NO_SCI);
	pair_free(&c.p);
}
END_TEST

/* Transmit: EAPOL passes clear; no SA, PN exhausted, no room, not
 * Ethernet are dropped, each with its counter. */
START_TEST(test_tx_drops)
{
	const struct ss_macsec_key k = mk_key(SS_MACSEC_GCM_AES_128, 3);
	const struct ss_macsec_key kx = mk_key(SS_MACSEC_GCM_AES_XPN_128, 3);
	struct ss_macsec *s = mk_secy(TX_SCI, SS_MACSEC_GCM_AES_128, true,
		true, 0, SS_MACSEC_VALIDATE_STRICT);
	struct ss_macsec_stats want;
	uint8_t plain[MAXF];
	struct rte_mbuf *m;

	memset(&want, 0, sizeof(want));
	fill_frame(plain, 100, 1);
	ck_assert_ptr_null(protect1(s, mk_mbuf(plain, 100)));
	want.out_pkts_no_sa++;
	STATS_ARE(s, &want);
	plain[12] = 0x88;
	plain[13] = 0x8e;
	m = protect1(s, mk_mbuf(plain, 100));
	ck_assert_ptr_nonnull(m);
	mbuf_is(m, plain, 100);
	rte_pktmbuf_free(m);
	STATS_ARE(s, &want);
	plain[12] = 0x08;
	plain[13] = 0x00;

	ck_assert_int_eq(ss_macsec_tx_sa_install(s, 0, &k, UINT32_MAX), 0);
	ck_assert_int_eq(ss_macsec_tx_sa_use(s, 0), 0);
	m = protect1(s, mk_mbuf(plain, 100));
	ck_assert_ptr_nonnull(m);
	rte_pktmbuf_free(m);
	want.out_pkts_encrypted++;
	want.out_octets_encrypted += 88;
	ck_assert_ptr_null(protect1(s, mk_mbuf(plain, 100)));
	want.out_pkts_pn_exhausted++;
	STATS_ARE(s, &want);

	ck_assert_int_eq(ss_macsec_tx_sa_install(s, 1, &k, 1), 0);
	ck_assert_int_eq(ss_macsec_tx_sa_use(s, 1), 0);
	m = mk_mbuf(plain, 100);
	rte_pktmbuf_prepend(m, (uint16_t)(rte_pktmbuf_headroom(m) - 8));
	ck_assert_ptr_null(protect1(s, m));
	want.out_pkts_too_long++;
	m = mk_mbuf(plain, 100);
	ck_assert_ptr_nonnull(rte_pktmbuf_append(m,
		(uint16_t)(rte_pktmbuf_tailroom(m) - 8)));
	ck_assert_ptr_null(protect1(s, m));
	want.out_pkts_too_long++;
	ck_assert_ptr_null(protect1(s, mk_mbuf(plain, 13)));
	want.out_pkts_malformed++;
	ck_assert_ptr_null(protect1(s, ss_test_mbuf_split(plain, 100, 50)));
	want.out_pkts_malformed++;
	STATS_ARE(s, &want);
	/* The encoding SA deleted: no SA again. */
	ck_assert_int_eq(ss_macsec_sa_delete(s, true, 0, 1), 0);
	ck_assert_int_eq(ss_macsec_tx_encoding_an(s), -ENOENT);
	ck_assert_ptr_null(protect1(s, mk_mbuf(plain, 100)));
	want.out_pkts_no_sa++;
	STATS_ARE(s, &want);
	ss_macsec_free(s);

	/* XPN: the last PN is 2^64 - 1. */
	s = mk_secy(TX_SCI, SS_MACSEC_GCM_AES_XPN_128, false, true, 0,
		SS_MACSEC_VALIDATE_STRICT);
	ck_assert_int_eq(ss_macsec_tx_sa_install(s, 2, &kx, UINT64_MAX - 1),
		0);
	ck_assert_int_eq(ss_macsec_tx_sa_use(s, 2), 0);
	memset(&want, 0, sizeof(want));
	m = protect1(s, mk_mbuf(plain, 100));
	ck_assert_ptr_nonnull(m);
	rte_pktmbuf_free(m);
	m = protect1(s, mk_mbuf(plain, 100));
	ck_assert_ptr_nonnull(m);
	rte_pktmbuf_free(m);
	want.out_pkts_protected = 2;
	want.out_octets_protected = 2 * 88;
	ck_assert_ptr_null(protect1(s, mk_mbuf(plain, 100)));
	want.out_pkts_pn_exhausted++;
	STATS_ARE(s, &want);
	ss_macsec_free(s);
	ck_assert_uint_eq(rte_mempool_avail_count(pool()), POOL_N);
}
END_TEST

START_TEST(test_ctl_errors)
{
	const struct ss_macsec_key k = mk_key(SS_MACSEC_GCM_AES_128, 3);
	struct ss_macsec_key k256 = mk_key(SS_MACSEC_GCM_AES_256, 3);
	struct ss_macsec_conf cf = {
		.cipher = SS_MACSEC_GCM_AES_128,
		.replay_window = SS_MACSEC_MAX_REPLAY_WINDOW + 1,
		.socket = SOCKET_ID_ANY,
	};
	char err[128] = "";
	struct ss_macsec *s;
	unsigned int i;

	ck_assert_ptr_null(ss_macsec_create(&cf, err, sizeof(err)));
	ck_assert(strlen(err) > 0);
	cf.replay_window = 0;
	cf.cipher = (enum ss_macsec_cipher)9;
	err[0] = '\0';
	ck_assert_ptr_null(ss_macsec_create(&cf, err, sizeof(err)));
	ck_assert(strlen(err) > 0);
	s = mk_secy(1, SS_MACSEC_GCM_AES_128, true, true, 0,
		SS_MACSEC_VALIDATE_STRICT);
	ck_assert_int_eq(ss_macsec_tx_sa_install(s, 0, &k256, 1), -EINVAL);
	ck_assert_int_eq(ss_macsec_tx_sa_install(s, 4, &k, 1), -EINVAL);
	ck_assert_int_eq(ss_macsec_tx_sa_install(s, 0, &k, 0), -ERANGE);
	ck_assert_int_eq(ss_macsec_tx_sa_install(s, 0, &k,
		(uint64_t)UINT32_MAX + 1), -ERANGE);
	ck_assert_int_eq(ss_macsec_tx_sa_use(s, 1), -ENOENT);
	ck_assert_int_eq(ss_macsec_tx_encoding_an(s), -ENOENT);
	ck_assert_int_eq(ss_macsec_tx_sa_install(s, 0, &k, 5), 0);
	ck_assert_int_eq(ss_macsec_tx_sa_use(s, 0), 0);
	ck_assert_int_eq(ss_macsec_tx_encoding_an(s), 0);
	ck_assert_int_eq(ss_macsec_tx_sa_install(s, 0, &k, 5), -EBUSY);
	ck_assert_uint_eq(ss_macsec_tx_next_pn(s, 0), 5);
	ck_assert_uint_eq(ss_macsec_tx_next_pn(s, 1), 0);
	ck_assert_int_eq(ss_macsec_rx_sa_install(s, 7, 0, &k, 1), -ENOENT);
	ck_assert_int_eq(ss_macsec_sa_delete(s, false, 7, 0), -ENOENT);
	ck_assert_int_eq(ss_macsec_sa_delete(s, true, 0, 3), -ENOENT);
	for (i = 0; i < SS_MACSEC_MAX_RX_SC; i++)
		ck_assert_int_eq(ss_macsec_rx_sc_add(s, 100 + i), 0);
	ck_assert_int_eq(ss_macsec_rx_sc_add(s, 100), 0);	/* idempotent */
	ck_assert_int_eq(ss_macsec_rx_sc_add(s, 99), -ENOSPC);
	ck_assert_int_eq(ss_macsec_rx_sc_del(s, 105), 0);
	ck_assert_int_eq(ss_macsec_rx_sc_del(s, 105), -ENOENT);
	ck_assert_int_eq(ss_macsec_rx_sc_add(s, 99), 0);
	ck_assert_int_eq(ss_macsec_rx_sa_install(s, 99, 1, &k, 0), 0);
	ck_assert_uint_eq(ss_macsec_rx_lowest_pn(s, 99, 1), 1);
	ck_assert_uint_eq(ss_macsec_rx_lowest_pn(s, 99, 2), 0);
	ss_macsec_free(s);
}
END_TEST

/* ---- 5. replay window ---------------------------------------------- */

#define RN 40	/* frames with PN 1..RN */

/* Every frame of PN 1..RN, protected once. */
static void
mk_stream(struct ss_macsec *tx, uint8_t sec[][128], uint16_t *slen)
{
	uint8_t plain[MAXF];
	unsigned int i;

	for (i = 1; i <= RN; i++)
		slen[i] = mk_secure(tx, 60, i, plain, sec[i]);
}

/* Exhaustively for one window: PN p held back and delivered after the
 * frames 1..q (without p); it is taken iff it is still in the window,
 * a second copy never is, and every other frame is taken. */
static void
replay_exhaustive(uint32_t w)
{
	static uint8_t sec[RN + 1][128];
	static uint16_t slen[RN + 1];
	const struct ss_macsec_key k = mk_key(SS_MACSEC_GCM_AES_128, 1);
	struct pair p = mk_pair(SS_MACSEC_GCM_AES_128, true, w,
		SS_MACSEC_VALIDATE_STRICT, 0, 1);
	unsigned int pn, q, i;

	mk_stream(p.tx, sec, slen);
	for (pn = 1; pn <= RN; pn++)
	for (q = pn - 1; q <= RN; q++) {
		struct ss_macsec_stats want;
		unsigned int highest = 0;
		bool take;

		if (q == pn)
			continue;
		/* A fresh SA; the frames 1..q without pn first. */
		ck_assert_int_eq(ss_macsec_rx_sa_install(p.rx, TX_SCI, 0,
			&k, 1), 0);
		ss_macsec_stats_clear(p.rx);
		memset(&want, 0, sizeof(want));
		highest = 0;
		for (i = 1; i <= q; i++) {
			if (i == pn)
				continue;
			ck_assert(validate_bytes(p.rx, sec[i], slen[i]) ==
				V_PASS);
			want.in_pkts_ok++;
			highest = i;
		}
		take = pn > highest || highest - pn < w;
		ck_assert_msg(validate_bytes(p.rx, sec[pn], slen[pn]) ==
			(take ? V_PASS : V_DROP), "w %u pn %u after %u", w, pn,
			q);
		if (take)
			want.in_pkts_ok++;
		else
			want.in_pkts_late++;
		/* A duplicate, always refused. */
		ck_assert(validate_bytes(p.rx, sec[pn], slen[pn]) == V_DROP);
		want.in_pkts_late++;
		for (i = q + 1; i <= RN; i++) {
			if (i == pn)
				continue;
			ck_assert(validate_bytes(p.rx, sec[i], slen[i]) ==
				V_PASS);
			want.in_pkts_ok++;
		}
		want.in_octets_decrypted = want.in_pkts_ok * 48;
		STATS_ARE(p.rx, &want);
		ck_assert_uint_eq(ss_macsec_rx_lowest_pn(p.rx, TX_SCI, 0),
			RN + 1 > w ? RN + 1 - w : 1);
	}
	pair_free(&p);
}

START_TEST(test_replay_window0)
{
	replay_exhaustive(0);
}
END_TEST

START_TEST(test_replay_window32)
{
	replay_exhaustive(32);
}
END_TEST

/* Random order against a model of the window: the bitmap refuses what
 * the model has seen, lowestPN refuses what fell out of the window. */
START_TEST(test_replay_random)
{
	static uint8_t sec[RN + 1][128];
	static uint16_t slen[RN + 1];
	const uint32_t w = 8;
	struct pair p = mk_pair(SS_MACSEC_GCM_AES_256, true, w,
		SS_MACSEC_VALIDATE_STRICT, 0, 1);
	bool seen[RN + 1];
	uint64_t next = 1, lowest = 1;
	unsigned int round, i;

	mk_stream(p.tx, sec, slen);
	rte_srand(42);
	for (round = 0; round < 200; round++) {
		const struct ss_macsec_key k = mk_key(SS_MACSEC_GCM_AES_256,
			1);

		ck_assert_int_eq(ss_macsec_rx_sa_install(p.rx, TX_SCI, 0,
			&k, 1), 0);
		memset(seen, 0, sizeof(seen));
		next = 1;
		lowest = 1;
		for (i = 0; i < 3 * RN; i++) {
			const unsigned int pn = 1 + (unsigned int)
				rte_rand_max(RN);
			const bool take = pn >= lowest && !seen[pn];

			ck_assert_msg(validate_bytes(p.rx, sec[pn], slen[pn])
				== (take ? V_PASS : V_DROP), "pn %u", pn);
			if (!take)
				continue;
			seen[pn] = true;
			if (pn >= next) {
				next = pn + 1;
				if (next > w && next - w > lowest)
					lowest = next - w;
			}
			ck_assert_uint_eq(ss_macsec_rx_lowest_pn(p.rx, TX_SCI,
				0), lowest);
		}
	}
	pair_free(&p);
}
END_TEST

/* XPN: the PN's high half is recovered across 2^32, in and out of
 * order, with the window. */
START_TEST(test_xpn_recover)
{
	const uint64_t base = ((uint64_t)7 << 32) - 5;
	static uint8_t sec[12][128];
	static uint16_t slen[12];
	uint8_t plain[MAXF];
	const struct ss_macsec_key k = mk_key(SS_MACSEC_GCM_AES_XPN_256, 1);
	struct pair p = mk_pair(SS_MACSEC_GCM_AES_XPN_256, true, 4,
		SS_MACSEC_VALIDATE_STRICT, 1, base);
	static const unsigned int order[] = { 0, 1, 5, 3, 4, 8, 2, 6, 7, 9, 11,
		10 };
	static const bool take[] = { 1, 1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1 };
	unsigned int i;

	for (i = 0; i < 12; i++)
		slen[i] = mk_secure(p.tx, 80, i, plain, sec[i]);
	ck_assert_uint_eq(ss_macsec_tx_next_pn(p.tx, 1), base + 12);
	/* The wire carries the low half only. */
	ck_assert_uint_eq(sec[5][16] << 24 | sec[5][17] << 16 |
		sec[5][18] << 8 | sec[5][19], 0);
	for (i = 0; i < RTE_DIM(order); i++) {
		const unsigned int j = order[i];

		ck_assert_msg(validate_bytes(p.rx, sec[j], slen[j]) ==
			(take[i] ? V_PASS : V_DROP), "frame %u", j);
	}
	/* Frame 2 came after lowestPN moved to base + 5 = 7 * 2^32: its
	 * low half is above lowestPN's, so it is recovered into 7 * 2^32
	 * (10.6.2), not its own 6 * 2^32, and fails its ICV. */
	ck_assert_uint_eq(stats(p.rx).in_pkts_ok, 11);
	ck_assert_uint_eq(stats(p.rx).in_pkts_late, 0);
	ck_assert_uint_eq(stats(p.rx).in_pkts_not_valid, 1);
	ck_assert_uint_eq(ss_macsec_rx_lowest_pn(p.rx, TX_SCI, 1),
		base + 12 - 4);
	/* All refused a second time: lowestPN is now 7 * 2^32 + 3, so the
	 * frames with a low half >= 3 (PN 8..11) are recovered right and
	 * refused as seen, the others land in another 2^32 and fail their
	 * ICV (10.6.2). */
	for (i = 0; i < 12; i++)
		ck_assert(validate_bytes(p.rx, sec[i], slen[i]) == V_DROP);
	ck_assert_uint_eq(stats(p.rx).in_pkts_late, 4);
	ck_assert_uint_eq(stats(p.rx).in_pkts_not_valid, 1 + 8);
	/* Installed past the boundary, the same frames from before it are
	 * recovered into the next 2^32 and fail their ICV. */
	ck_assert_int_eq(ss_macsec_rx_sa_install(p.rx, TX_SCI, 1, &k,
		base + 6), 0);
	ck_assert(validate_bytes(p.rx, sec[0], slen[0]) == V_DROP);
	ck_assert_uint_eq(stats(p.rx).in_pkts_not_valid, 10);
	ck_assert(validate_bytes(p.rx, sec[6], slen[6]) == V_PASS);
	pair_free(&p);
}
END_TEST

/* ---- 6. rollover --------------------------------------------------- */

START_TEST(test_rollover)
{
	const struct ss_macsec_key k1 = mk_key(SS_MACSEC_GCM_AES_XPN_128, 9);
	struct pair p = mk_pair(SS_MACSEC_GCM_AES_XPN_128, true, 0,
		SS_MACSEC_VALIDATE_STRICT, 0, 1);
	static uint8_t plain[32][MAXF];
	unsigned int burst, total = 0;

	ck_assert_int_eq(ss_macsec_tx_sa_install(p.tx, 1, &k1, 1), 0);
	ck_assert_int_eq(ss_macsec_rx_sa_install(p.rx, TX_SCI, 1, &k1, 1), 0);
	for (burst = 0; burst < 8; burst++) {
		struct rte_mbuf *m[32], *ctl[32], *drop[32];
		const uint8_t an = burst < 4 ? 0 : 1;
		uint16_t i, k, nc, nd;

		if (burst == 4)
			ck_assert_int_eq(ss_macsec_tx_sa_use(p.tx, 1), 0);
		for (i = 0; i < 32; i++) {
			fill_frame(plain[i], (uint16_t)(64 + i), burst * 32 + i);
			m[i] = mk_mbuf(plain[i], (uint16_t)(64 + i));
		}
		ck_assert_uint_eq(ss_macsec_protect_burst(p.tx, m, 32, drop,
			&nd), 32);
		for (i = 0; i < 32; i++)
			ck_assert_uint_eq(rte_pktmbuf_mtod(m[i],
				uint8_t *)[14] & 3, an);
		k = ss_macsec_validate_burst(p.rx, m, 32, ctl, &nc, drop, &nd);
		ck_assert_uint_eq(k, 32);
		for (i = 0; i < 32; i++) {
			mbuf_is(m[i], plain[i], (uint16_t)(64 + i));
			rte_pktmbuf_free(m[i]);
		}
		total += 32;
	}
	ck_assert_uint_eq(stats(p.rx).in_pkts_ok, total);
	ck_assert_uint_eq(ss_macsec_tx_next_pn(p.tx, 0), 129);
	ck_assert_uint_eq(ss_macsec_tx_next_pn(p.tx, 1), 129);
	ck_assert_uint_eq(ss_macsec_rx_lowest_pn(p.rx, TX_SCI, 0), 129);
	ck_assert_uint_eq(ss_macsec_rx_lowest_pn(p.rx, TX_SCI, 1), 129);
	/* The old SA goes; the old AN's frames are refused. */
	ck_assert_int_eq(ss_macsec_sa_delete(p.rx, false, TX_SCI, 0), 0);
	ck_assert_int_eq(ss_macsec_sa_delete(p.tx, true, 0, 0), 0);
	ck_assert_uint_eq(ss_macsec_rx_lowest_pn(p.rx, TX_SCI, 0), 0);
	pair_free(&p);
	ck_assert_uint_eq(rte_mempool_avail_count(pool()), POOL_N);
}
END_TEST

/* ---- 7. delete ----------------------------------------------------- */

/* Without QSBR: the SA is gone at once, its AN's frames refused. With
 * QSBR: while the reader has not passed a quiescent state nothing is
 * reclaimed (the defer queue fills and delete says -ENOSPC, leaving the
 * SA in place and working); after it has, deletes go through. */
START_TEST(test_delete)
{
	const struct ss_macsec_key k = mk_key(SS_MACSEC_GCM_AES_128, 1);
	struct pair p = mk_pair(SS_MACSEC_GCM_AES_128, false, 0,
		SS_MACSEC_VALIDATE_STRICT, 2, 1);
	uint8_t plain[MAXF], sec[2][MAXF];
	uint16_t slen[2];
	struct ss_macsec_conf cf = {
		.sci = 5,
		.cipher = SS_MACSEC_GCM_AES_128,
		.confidentiality = false,
		.replay_protect = true,
		.validate = SS_MACSEC_VALIDATE_STRICT,
		.socket = SOCKET_ID_ANY,
	};
	struct rte_rcu_qsbr *v;
	struct ss_macsec *s;
	char err[128];
	unsigned int i;
	int rc = 0;

	slen[0] = mk_secure(p.tx, 80, 1, plain, sec[0]);
	slen[1] = mk_secure(p.tx, 80, 2, plain, sec[1]);
	ck_assert(validate_bytes(p.rx, sec[0], slen[0]) == V_PASS);
	ck_assert_int_eq(ss_macsec_sa_delete(p.rx, false, TX_SCI, 2), 0);
	ck_assert_int_eq(ss_macsec_sa_delete(p.rx, false, TX_SCI, 2), -ENOENT);
	ck_assert(validate_bytes(p.rx, sec[1], slen[1]) == V_DROP);
	ck_assert_uint_eq(stats(p.rx).in_pkts_not_using_sa, 1);
	pair_free(&p);

	v = rte_zmalloc(NULL, rte_rcu_qsbr_get_memsize(1), RTE_CACHE_LINE_SIZE);
	ck_assert_ptr_nonnull(v);
	ck_assert_int_eq(rte_rcu_qsbr_init(v, 1), 0);
	ck_assert_int_eq(rte_rcu_qsbr_thread_register(v, 0), 0);
	rte_rcu_qsbr_thread_online(v, 0);
	cf.qsbr = v;
	s = ss_macsec_create(&cf, err, sizeof(err));
	ck_assert_msg(s != NULL, "%s", err);
	ck_assert_int_eq(ss_macsec_rx_sc_add(s, TX_SCI), 0);
	for (i = 0; i < 1000 && rc == 0; i++) {
		ck_assert_int_eq(ss_macsec_rx_sa_install(s, TX_SCI, 2, &k, 1),
			0);
		rc = ss_macsec_sa_delete(s, false, TX_SCI, 2);
	}
	ck_assert_int_eq(rc, -ENOSPC);
	ck_assert_uint_gt(i, 10);
	/* The SA delete refused is still there and validates. */
	ck_assert(validate_bytes(s, sec[0], slen[0]) == V_PASS);
	rte_rcu_qsbr_quiescent(v, 0);
	ck_assert_int_eq(ss_macsec_sa_delete(s, false, TX_SCI, 2), 0);
	ck_assert(validate_bytes(s, sec[1], slen[1]) == V_DROP);
	ck_assert_int_eq(ss_macsec_rx_sc_del(s, TX_SCI), 0);
	rte_rcu_qsbr_quiescent(v, 0);
	ss_macsec_free(s);
	rte_rcu_qsbr_thread_offline(v, 0);
	rte_free(v);
}
END_TEST

static Suite *
macsec_suite(void)
{
	Suite *s = suite_create("macsec");
	TCase *tc = tcase_create("macsec");

	tcase_set_timeout(tc, 600);
	tcase_add_test(tc, test_kat);
	tcase_add_test(tc, test_scapy);
	tcase_add_test(tc, test_roundtrip);
	tcase_add_test(tc, test_bad_strict);
	tcase_add_test(tc, test_bad_check);
	tcase_add_test(tc, test_implicit_sci);
	tcase_add_test(tc, test_disabled_padding);
	tcase_add_test(tc, test_tx_drops);
	tcase_add_test(tc, test_ctl_errors);
	tcase_add_test(tc, test_replay_window0);
	tcase_add_test(tc, test_replay_window32);
	tcase_add_test(tc, test_replay_random);
	tcase_add_test(tc, test_xpn_recover);
	tcase_add_test(tc, test_rollover);
	tcase_add_test(tc, test_delete);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr;
	int failed;

	ss_test_eal_init(NULL);
	sr = srunner_create(macsec_suite());
	srunner_set_fork_status(sr, CK_NOFORK);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
