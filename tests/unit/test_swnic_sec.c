/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 shardsec authors
 */

/*
 * The software inline-crypto NIC (drivers/swnic/ss_swnic_sec.c) driven
 * the way an inline back-end drives a real one: rte_security sessions,
 * rte_ipsec INLINE_CRYPTO sessions, and ethdev bursts on a net_ring port
 * pair (port A carries the device; what A sends, B receives, and the
 * other way round). OpenSSL, not DPDK, checks and builds the ESP.
 */

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <pthread.h>

#include <check.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_cryptodev.h>
#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_ipsec.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_rcu_qsbr.h>
#include <rte_ring.h>
#include <rte_security.h>

#include "ss_crypto.h"
#include "ss_esp.h"
#include "ss_swnic_sec.h"
#include "ss_test.h"

/* ---- fixtures --------------------------------------------------------- */

static uint16_t port_a, port_b;	/* A: the NIC; B: the wire's end */
static struct rte_mempool *sess_pool;	/* rte_security sessions */
static struct ss_swnic_sec *dev;
static struct rte_security_ctx *ctx;

enum alg {
	ALG_GCM128,
	ALG_GCM256,
	ALG_CBC128,
	ALG_NULL,
};

static const uint8_t ckey[32] = {
	0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17,
	0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f,
	0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27,
	0x28, 0x29, 0x2a, 0x2b, 0x2c, 0x2d, 0x2e, 0x2f,
};
static const uint8_t akey[32] = {
	0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7,
	0xa8, 0xa9, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf,
	0xb0, 0xb1, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7,
	0xb8, 0xb9, 0xba, 0xbb, 0xbc, 0xbd, 0xbe, 0xbf,
};
static const uint8_t salt[4] = { 0xca, 0xfe, 0xba, 0xbe };

static const uint8_t local4[4] = { 192, 0, 2, 1 };
static const uint8_t peer4[4] = { 198, 51, 100, 1 };
static const uint8_t local6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
static const uint8_t peer6[16] = {
	0x20, 0x01, 0x0d, 0xb8, 0, 1, [15] = 2,
};

/* Packet fields are not aligned for 32-bit loads. */
static uint32_t
rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
		(uint32_t)p[2] << 8 | p[3];
}

static void
wr32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static unsigned int
alg_klen(enum alg a)
{
	return a == ALG_GCM256 ? 32 : a == ALG_NULL ? 0 : 16;
}

static unsigned int
alg_iv(enum alg a)
{
	return a == ALG_CBC128 ? 16 : a == ALG_NULL ? 0 : 8;
}

/* The xforms as lib/esp/ss_esp.c builds them for an SA. */
static void
xf_make(struct rte_crypto_sym_xform xf[2], enum alg a, bool out)
{
	memset(xf, 0, 2 * sizeof(xf[0]));
	if (a == ALG_GCM128 || a == ALG_GCM256) {
		xf[0].type = RTE_CRYPTO_SYM_XFORM_AEAD;
		xf[0].aead.op = out ? RTE_CRYPTO_AEAD_OP_ENCRYPT :
			RTE_CRYPTO_AEAD_OP_DECRYPT;
		xf[0].aead.algo = RTE_CRYPTO_AEAD_AES_GCM;
		xf[0].aead.key.data = ckey;
		xf[0].aead.key.length = (uint16_t)alg_klen(a);
		xf[0].aead.iv.offset = 128;
		xf[0].aead.iv.length = 12;
		xf[0].aead.digest_length = 16;
		xf[0].aead.aad_length = 8;
	} else {
		struct rte_crypto_sym_xform *c = out ? &xf[0] : &xf[1];
		struct rte_crypto_sym_xform *au = out ? &xf[1] : &xf[0];

		if (out)
			c->next = au;
		else
			au->next = c;
		c->type = RTE_CRYPTO_SYM_XFORM_CIPHER;
		c->cipher.op = out ? RTE_CRYPTO_CIPHER_OP_ENCRYPT :
			RTE_CRYPTO_CIPHER_OP_DECRYPT;
		c->cipher.algo = a == ALG_CBC128 ? RTE_CRYPTO_CIPHER_AES_CBC :
			RTE_CRYPTO_CIPHER_NULL;
		c->cipher.key.data = a == ALG_CBC128 ? ckey : NULL;
		c->cipher.key.length = (uint16_t)alg_klen(a);
		c->cipher.iv.offset = 128;
		c->cipher.iv.length = (uint16_t)(a == ALG_CBC128 ? 16 : 0);
		au->type = RTE_CRYPTO_SYM_XFORM_AUTH;
		au->auth.op = out ? RTE_CRYPTO_AUTH_OP_GENERATE :
			RTE_CRYPTO_AUTH_OP_VERIFY;
		au->auth.algo = RTE_CRYPTO_AUTH_SHA256_HMAC;
		au->auth.key.data = akey;
		au->auth.key.length = 32;
		au->auth.digest_length = 16;
	}
}

/* One SA as the inline back-end makes it: the device's rte_security
 * session and an rte_ipsec session of type INLINE_CRYPTO on it. */
struct tsa {
	enum alg alg;
	bool out;
	int tun;		/* 0 transport, 4, 6; 46: IPv4, IHL 6 */
	uint32_t spi;
	struct rte_crypto_sym_xform xf[2];
	struct rte_security_session_conf conf;
	void *ses;
	struct rte_ipsec_sa *sa;
	struct rte_ipsec_session ips;
};

static void
conf_make(struct tsa *t)
{
	struct rte_security_ipsec_xform *ix = &t->conf.ipsec;

	memset(&t->conf, 0, sizeof(t->conf));
	xf_make(t->xf, t->alg, t->out);
	t->conf.action_type = RTE_SECURITY_ACTION_TYPE_INLINE_CRYPTO;
	t->conf.protocol = RTE_SECURITY_PROTOCOL_IPSEC;
	t->conf.crypto_xform = &t->xf[0];
	ix->spi = t->spi;
	memcpy(&ix->salt, salt, 4);
	ix->direction = t->out ? RTE_SECURITY_IPSEC_SA_DIR_EGRESS :
		RTE_SECURITY_IPSEC_SA_DIR_INGRESS;
	ix->proto = RTE_SECURITY_IPSEC_SA_PROTO_ESP;
	ix->replay_win_sz = t->out ? 0 : 64;
	if (t->tun == 0) {
		ix->mode = RTE_SECURITY_IPSEC_SA_MODE_TRANSPORT;
	} else {
		ix->mode = RTE_SECURITY_IPSEC_SA_MODE_TUNNEL;
		if (t->tun == 4 || t->tun == 46) {
			ix->tunnel.type = RTE_SECURITY_IPSEC_TUNNEL_IPV4;
			memcpy(&ix->tunnel.ipv4.src_ip, t->out ? local4 : peer4,
				4);
			memcpy(&ix->tunnel.ipv4.dst_ip, t->out ? peer4 : local4,
				4);
		} else {
			ix->tunnel.type = RTE_SECURITY_IPSEC_TUNNEL_IPV6;
			memcpy(&ix->tunnel.ipv6.src_addr,
				t->out ? local6 : peer6, 16);
			memcpy(&ix->tunnel.ipv6.dst_addr,
				t->out ? peer6 : local6, 16);
		}
	}
}

static void
tsa_make(struct tsa *t, enum alg a, bool out, int tun, uint32_t spi)
{
	const struct rte_security_capability *cap;
	struct rte_security_capability_idx idx;
	struct rte_ipsec_sa_prm prm;
	union {
		struct rte_ipv4_hdr v4;
		struct rte_ipv6_hdr v6;
		uint8_t b[64];
	} hdr;
	int sz;

	memset(t, 0, sizeof(*t));
	t->alg = a;
	t->out = out;
	t->tun = tun;
	t->spi = spi;
	conf_make(t);
	t->ses = rte_security_session_create(ctx, &t->conf, sess_pool);
	ck_assert_ptr_nonnull(t->ses);

	memset(&prm, 0, sizeof(prm));
	memset(&hdr, 0, sizeof(hdr));
	prm.ipsec_xform = t->conf.ipsec;
	prm.crypto_xform = &t->xf[0];
	if (tun == 4 || tun == 46) {
		hdr.v4.version_ihl = tun == 4 ? 0x45 : 0x46;
		hdr.v4.time_to_live = 64;
		hdr.v4.next_proto_id = IPPROTO_ESP;
		memcpy(&hdr.v4.src_addr, local4, 4);
		memcpy(&hdr.v4.dst_addr, peer4, 4);
		/* Options: four NOPs (IHL 6). */
		memset(hdr.b + 20, 1, 4);
		prm.tun.hdr_len = tun == 4 ? 20 : 24;
		prm.tun.next_proto = IPPROTO_IPIP;
		prm.tun.hdr = &hdr;
	} else if (tun == 6) {
		hdr.v6.vtc_flow = rte_cpu_to_be_32(6u << 28);
		hdr.v6.hop_limits = 64;
		hdr.v6.proto = IPPROTO_ESP;
		memcpy(hdr.v6.src_addr, local6, 16);
		memcpy(hdr.v6.dst_addr, peer6, 16);
		prm.tun.hdr_len = sizeof(hdr.v6);
		prm.tun.next_proto = IPPROTO_IPIP;
		prm.tun.hdr = &hdr;
	} else {
		prm.trs.proto = IPPROTO_IPIP;
	}
	sz = rte_ipsec_sa_size(&prm);
	ck_assert_int_gt(sz, 0);
	t->sa = rte_zmalloc("tsa", (size_t)sz, RTE_CACHE_LINE_SIZE);
	ck_assert_ptr_nonnull(t->sa);
	ck_assert_int_eq(rte_ipsec_sa_init(t->sa, &prm, (uint32_t)sz), sz);

	idx.action = RTE_SECURITY_ACTION_TYPE_INLINE_CRYPTO;
	idx.protocol = RTE_SECURITY_PROTOCOL_IPSEC;
	idx.ipsec.proto = RTE_SECURITY_IPSEC_SA_PROTO_ESP;
	idx.ipsec.mode = t->conf.ipsec.mode;
	idx.ipsec.direction = t->conf.ipsec.direction;
	cap = rte_security_capability_get(ctx, &idx);
	ck_assert_ptr_nonnull(cap);
	t->ips.sa = t->sa;
	t->ips.type = RTE_SECURITY_ACTION_TYPE_INLINE_CRYPTO;
	t->ips.security.ses = t->ses;
	t->ips.security.ctx = ctx;
	t->ips.security.ol_flags = cap->ol_flags;
	ck_assert_int_eq(rte_ipsec_session_prepare(&t->ips), 0);
}

static void
tsa_free(struct tsa *t)
{
	if (t->ses != NULL)
		ck_assert_int_eq(rte_security_session_destroy(ctx, t->ses), 0);
	rte_ipsec_sa_fini(t->sa);
	rte_free(t->sa);
	memset(t, 0, sizeof(*t));
}

/* An inner IPv4/UDP packet of len bytes (len >= 28), checksummed. */
static uint16_t
inner_make(uint8_t *b, uint16_t len, uint8_t seed)
{
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)b;
	uint16_t i;

	memset(ip, 0, sizeof(*ip));
	ip->version_ihl = 0x45;
	ip->total_length = rte_cpu_to_be_16(len);
	ip->time_to_live = 63;
	ip->next_proto_id = IPPROTO_UDP;
	ip->src_addr = rte_cpu_to_be_32(0x0a000001);
	ip->dst_addr = rte_cpu_to_be_32(0x0a000102);
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	b[20] = 0x30;
	b[21] = 0x39;
	b[22] = 0x00;
	b[23] = 0x35;
	b[24] = (uint8_t)((len - 20) >> 8);
	b[25] = (uint8_t)(len - 20);
	b[26] = b[27] = 0;
	for (i = 28; i < len; i++)
		b[i] = (uint8_t)(seed + i * 7);
	return len;
}

static struct rte_mbuf *
mbuf_of(const uint8_t *b, uint16_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(ss_test_pool(2048));
	uint8_t *d;

	ck_assert_ptr_nonnull(m);
	d = (uint8_t *)rte_pktmbuf_append(m, len);
	ck_assert_ptr_nonnull(d);
	memcpy(d, b, len);
	return m;
}

static void
eth_prepend(struct rte_mbuf *m, uint16_t et)
{
	uint8_t *e = (uint8_t *)rte_pktmbuf_prepend(m, 14);

	ck_assert_ptr_nonnull(e);
	memset(e, 0x02, 6);
	memset(e + 6, 0x04, 6);
	e[12] = (uint8_t)(et >> 8);
	e[13] = (uint8_t)et;
	m->l2_len = 14;
}

/* The same with an 802.1Q tag (VLAN 7). */
static void
eth_prepend_vlan(struct rte_mbuf *m, uint16_t et)
{
	uint8_t *e = (uint8_t *)rte_pktmbuf_prepend(m, 18);

	ck_assert_ptr_nonnull(e);
	memset(e, 0x02, 6);
	memset(e + 6, 0x04, 6);
	e[12] = 0x81;
	e[13] = 0x00;
	e[14] = 0x00;
	e[15] = 0x07;
	e[16] = (uint8_t)(et >> 8);
	e[17] = (uint8_t)et;
	m->l2_len = 18;
}

static void
drain(uint16_t port)
{
	struct rte_mbuf *m[32];
	uint16_t n, i;

	while ((n = rte_eth_rx_burst(port, 0, m, RTE_DIM(m))) != 0)
		for (i = 0; i < n; i++)
			rte_pktmbuf_free(m[i]);
}

/* Sends m out of 'from' and returns what 'to' receives (one frame). */
static struct rte_mbuf *
wire(uint16_t from, uint16_t to, struct rte_mbuf *m)
{
	struct rte_mbuf *r[4];
	uint16_t n;

	ck_assert_uint_eq(rte_eth_tx_burst(from, 0, &m, 1), 1);
	n = rte_eth_rx_burst(to, 0, r, RTE_DIM(r));
	ck_assert_uint_eq(n, 1);
	return r[0];
}

static void
stats(struct ss_swnic_sec_stats *st)
{
	ss_swnic_sec_stats_get(dev, st);
}

/* ---- OpenSSL: the independent ESP ------------------------------------- */

static const EVP_CIPHER *
gcm_cipher(enum alg a)
{
	return a == ALG_GCM256 ? EVP_aes_256_gcm() : EVP_aes_128_gcm();
}

/* GCM in either direction; for decryption, 1 if the tag checks. */
static int
ossl_gcm(enum alg a, int enc, const uint8_t iv8[8], const uint8_t aad[8],
	const uint8_t *in, int len, uint8_t *out, uint8_t tag[16])
{
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	uint8_t nonce[12];
	int l = 0, ok;

	memcpy(nonce, salt, 4);
	memcpy(nonce + 4, iv8, 8);
	ck_assert_ptr_nonnull(c);
	ck_assert_int_eq(EVP_CipherInit_ex(c, gcm_cipher(a), NULL, NULL,
		NULL, enc), 1);
	ck_assert_int_eq(EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_IVLEN, 12,
		NULL), 1);
	ck_assert_int_eq(EVP_CipherInit_ex(c, NULL, NULL, ckey, nonce, enc),
		1);
	ck_assert_int_eq(EVP_CipherUpdate(c, NULL, &l, aad, 8), 1);
	ck_assert_int_eq(EVP_CipherUpdate(c, out, &l, in, len), 1);
	if (!enc)
		ck_assert_int_eq(EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG,
			16, tag), 1);
	ok = EVP_CipherFinal_ex(c, out + l, &l);
	if (enc)
		ck_assert_int_eq(EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG,
			16, tag), 1);
	EVP_CIPHER_CTX_free(c);
	return ok;
}

static void
ossl_cbc(int enc, const uint8_t iv[16], const uint8_t *in, int len,
	uint8_t *out)
{
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	int l = 0;

	ck_assert_ptr_nonnull(c);
	ck_assert_int_eq(EVP_CipherInit_ex(c, EVP_aes_128_cbc(), NULL, ckey,
		iv, enc), 1);
	EVP_CIPHER_CTX_set_padding(c, 0);
	ck_assert_int_eq(EVP_CipherUpdate(c, out, &l, in, len), 1);
	ck_assert_int_eq(l, len);
	ck_assert_int_eq(EVP_CipherFinal_ex(c, out + l, &l), 1);
	EVP_CIPHER_CTX_free(c);
}

static void
ossl_hmac(const uint8_t *in, size_t len, uint8_t out[16])
{
	uint8_t md[EVP_MAX_MD_SIZE];
	unsigned int ml = 0;

	ck_assert_ptr_nonnull(HMAC(EVP_sha256(), akey, 32, in, len, md, &ml));
	ck_assert_uint_eq(ml, 32);
	memcpy(out, md, 16);
}

/* Checks an ESP packet (from the ESP header, esp_len bytes) of t and
 * gives its decrypted payload (no trailer) in pt; returns its length.
 * Also checks padding and the next header. */
static int
esp_open(const struct tsa *t, const uint8_t *esp, int esp_len, uint8_t *pt,
	uint8_t next)
{
	const int iv = (int)alg_iv(t->alg);
	const int ct = esp_len - 8 - iv - 16;
	uint8_t icv[16];
	int padl, i;

	ck_assert_int_gt(ct, 0);
	ck_assert_uint_eq(rd32(esp), t->spi);
	if (t->alg == ALG_GCM128 || t->alg == ALG_GCM256) {
		memcpy(icv, esp + esp_len - 16, 16);
		ck_assert_int_eq(ossl_gcm(t->alg, 0, esp + 8, esp,
			esp + 16, ct, pt, icv), 1);
	} else {
		ossl_hmac(esp, (size_t)(esp_len - 16), icv);
		ck_assert_mem_eq(icv, esp + esp_len - 16, 16);
		if (t->alg == ALG_CBC128) {
			ck_assert_int_eq(ct % 16, 0);
			ossl_cbc(0, esp + 8, esp + 24, ct, pt);
		} else {
			memcpy(pt, esp + 8, (size_t)ct);
		}
	}
	ck_assert_uint_eq(pt[ct - 1], next);
	padl = pt[ct - 2];
	ck_assert_int_le(padl + 2, ct);
	for (i = 0; i < padl; i++)
		ck_assert_uint_eq(pt[ct - 2 - padl + i], (uint8_t)(i + 1));
	return ct - 2 - padl;
}

/* ESP (header to ICV) of payload pl for t with sequence number seq. */
static int
esp_seal(const struct tsa *t, uint32_t seq, const uint8_t *pl, int len,
	uint8_t next, uint8_t *esp)
{
	const int iv = (int)alg_iv(t->alg);
	const int align = t->alg == ALG_CBC128 ? 16 : 4;
	uint8_t pt[2048];
	int ct, padl, i;

	ct = RTE_ALIGN_CEIL(len + 2, align);
	padl = ct - len - 2;
	memcpy(pt, pl, (size_t)len);
	for (i = 0; i < padl; i++)
		pt[len + i] = (uint8_t)(i + 1);
	pt[ct - 2] = (uint8_t)padl;
	pt[ct - 1] = next;
	wr32(esp, t->spi);
	wr32(esp + 4, seq);
	for (i = 0; i < iv; i++)
		esp[8 + i] = (uint8_t)(0x5a ^ (seq + i));
	if (t->alg == ALG_GCM128 || t->alg == ALG_GCM256) {
		ck_assert_int_eq(ossl_gcm(t->alg, 1, esp + 8, esp, pt, ct,
			esp + 16, esp + 16 + ct), 1);
	} else {
		if (t->alg == ALG_CBC128)
			ossl_cbc(1, esp + 8, pt, ct, esp + 24);
		else
			memcpy(esp + 8, pt, (size_t)ct);
		ossl_hmac(esp, (size_t)(8 + iv + ct), esp + 8 + iv + ct);
	}
	return 8 + iv + ct + 16;
}

/* An Ethernet frame with an outer IPv4 (or IPv6) header to the local
 * address around an ESP packet for t; returns its length. */
static uint16_t
frame_in(const struct tsa *t, uint32_t seq, const uint8_t *inner, int len,
	uint8_t *f)
{
	const int ip = t->tun == 6 ? 40 : 20;
	const uint8_t next = t->tun == 0 ? inner[9] : IPPROTO_IPIP;
	int el;

	memset(f, 0, 14 + 40);
	memset(f, 0x02, 12);
	if (t->tun == 6) {
		struct rte_ipv6_hdr *h = (struct rte_ipv6_hdr *)(f + 14);

		f[12] = 0x86;
		f[13] = 0xdd;
		h->vtc_flow = rte_cpu_to_be_32(6u << 28);
		h->proto = IPPROTO_ESP;
		h->hop_limits = 64;
		memcpy(h->src_addr, peer6, 16);
		memcpy(h->dst_addr, local6, 16);
		el = esp_seal(t, seq, inner, len, next, f + 14 + ip);
		h->payload_len = rte_cpu_to_be_16((uint16_t)el);
	} else {
		struct rte_ipv4_hdr *h = (struct rte_ipv4_hdr *)(f + 14);

		f[12] = 0x08;
		f[13] = 0x00;
		if (t->tun == 0) {
			/* Transport: the inner IP header becomes the outer. */
			memcpy(h, inner, 20);
			inner += 20;
			len -= 20;
		} else {
			h->version_ihl = 0x45;
			h->time_to_live = 64;
			memcpy(&h->src_addr, peer4, 4);
			memcpy(&h->dst_addr, local4, 4);
		}
		h->next_proto_id = IPPROTO_ESP;
		el = esp_seal(t, seq, inner, len, next, f + 14 + ip);
		h->total_length = rte_cpu_to_be_16((uint16_t)(ip + el));
		h->hdr_checksum = 0;
		h->hdr_checksum = rte_ipv4_cksum(h);
	}
	return (uint16_t)(14 + ip + el);
}

/* ---- 1: capabilities -------------------------------------------------- */

START_TEST(test_caps)
{
	const struct rte_security_capability *c, *got;
	struct rte_security_capability_idx idx = {
		.action = RTE_SECURITY_ACTION_TYPE_INLINE_CRYPTO,
		.protocol = RTE_SECURITY_PROTOCOL_IPSEC,
		.ipsec = {
			.proto = RTE_SECURITY_IPSEC_SA_PROTO_ESP,
			.mode = RTE_SECURITY_IPSEC_SA_MODE_TUNNEL,
			.direction = RTE_SECURITY_IPSEC_SA_DIR_EGRESS,
		},
	};
	unsigned int n = 0, seen = 0, gcm = 0, cbc = 0, nul = 0, hmac = 0;
	const struct rte_cryptodev_capabilities *cc;

	c = rte_security_capabilities_get(ctx);
	ck_assert_ptr_nonnull(c);
	for (; c->action != RTE_SECURITY_ACTION_TYPE_NONE; c++, n++) {
		struct rte_security_ipsec_sa_options zero;

		/* NAT-T and per-session counts are the options it does */
		memset(&zero, 0, sizeof(zero));
		zero.udp_encap = 1;
		zero.stats = 1;
		ck_assert_int_eq(c->action,
			RTE_SECURITY_ACTION_TYPE_INLINE_CRYPTO);
		ck_assert_int_eq(c->protocol, RTE_SECURITY_PROTOCOL_IPSEC);
		ck_assert_int_eq(c->ipsec.proto,
			RTE_SECURITY_IPSEC_SA_PROTO_ESP);
		ck_assert_uint_eq(c->ipsec.replay_win_sz_max, 0);
		ck_assert_mem_eq(&c->ipsec.options, &zero, sizeof(zero));
		ck_assert_uint_eq(c->ol_flags,
			RTE_SECURITY_TX_OLOAD_NEED_MDATA);
		seen |= 1u << (c->ipsec.mode * 2 + c->ipsec.direction);
		cc = c->crypto_capabilities;
		ck_assert_ptr_nonnull(cc);
		gcm = cbc = nul = hmac = 0;
		for (; cc->op != RTE_CRYPTO_OP_TYPE_UNDEFINED; cc++) {
			const struct rte_cryptodev_symmetric_capability *sc =
				&cc->sym;

			ck_assert_int_eq(cc->op, RTE_CRYPTO_OP_TYPE_SYMMETRIC);
			if (sc->xform_type == RTE_CRYPTO_SYM_XFORM_AEAD) {
				ck_assert_int_eq(sc->aead.algo,
					RTE_CRYPTO_AEAD_AES_GCM);
				ck_assert_uint_eq(sc->aead.key_size.min, 16);
				ck_assert_uint_eq(sc->aead.key_size.max, 32);
				ck_assert_uint_eq(sc->aead.key_size.increment,
					16);
				ck_assert_uint_eq(sc->aead.digest_size.min, 16);
				ck_assert_uint_eq(sc->aead.digest_size.max, 16);
				ck_assert_uint_eq(sc->aead.aad_size.min, 8);
				ck_assert_uint_eq(sc->aead.aad_size.max, 8);
				ck_assert_uint_eq(sc->aead.iv_size.min, 12);
				ck_assert_uint_eq(sc->aead.iv_size.max, 12);
				gcm++;
			} else if (sc->xform_type ==
					RTE_CRYPTO_SYM_XFORM_CIPHER &&
					sc->cipher.algo ==
					RTE_CRYPTO_CIPHER_AES_CBC) {
				ck_assert_uint_eq(sc->cipher.key_size.min,
					16);
				ck_assert_uint_eq(sc->cipher.key_size.max,
					32);
				ck_assert_uint_eq(sc->cipher.iv_size.min, 16);
				ck_assert_uint_eq(sc->cipher.iv_size.max, 16);
				cbc++;
			} else if (sc->xform_type ==
					RTE_CRYPTO_SYM_XFORM_CIPHER) {
				ck_assert_int_eq(sc->cipher.algo,
					RTE_CRYPTO_CIPHER_NULL);
				nul++;
			} else {
				ck_assert_int_eq(sc->xform_type,
					RTE_CRYPTO_SYM_XFORM_AUTH);
				ck_assert_int_eq(sc->auth.algo,
					RTE_CRYPTO_AUTH_SHA256_HMAC);
				ck_assert_uint_eq(sc->auth.key_size.min, 32);
				ck_assert_uint_eq(sc->auth.key_size.max, 32);
				ck_assert_uint_eq(sc->auth.digest_size.min,
					16);
				ck_assert_uint_eq(sc->auth.digest_size.max,
					16);
				hmac++;
			}
		}
		ck_assert_uint_eq(gcm, 1);
		ck_assert_uint_eq(cbc, 1);
		ck_assert_uint_eq(nul, 1);
		ck_assert_uint_eq(hmac, 1);
	}
	ck_assert_uint_eq(n, 4);
	/* tunnel and transport, egress and ingress */
	ck_assert_uint_eq(seen,
		1u << (RTE_SECURITY_IPSEC_SA_MODE_TUNNEL * 2 +
			RTE_SECURITY_IPSEC_SA_DIR_EGRESS) |
		1u << (RTE_SECURITY_IPSEC_SA_MODE_TUNNEL * 2 +
			RTE_SECURITY_IPSEC_SA_DIR_INGRESS) |
		1u << (RTE_SECURITY_IPSEC_SA_MODE_TRANSPORT * 2 +
			RTE_SECURITY_IPSEC_SA_DIR_EGRESS) |
		1u << (RTE_SECURITY_IPSEC_SA_MODE_TRANSPORT * 2 +
			RTE_SECURITY_IPSEC_SA_DIR_INGRESS));
	got = rte_security_capability_get(ctx, &idx);
	ck_assert_ptr_nonnull(got);
	ck_assert_int_eq(got->ipsec.mode, RTE_SECURITY_IPSEC_SA_MODE_TUNNEL);
	ck_assert_int_eq(got->ipsec.direction,
		RTE_SECURITY_IPSEC_SA_DIR_EGRESS);
	/* Nothing for lookaside or AH. */
	idx.action = RTE_SECURITY_ACTION_TYPE_LOOKASIDE_PROTOCOL;
	ck_assert_ptr_null(rte_security_capability_get(ctx, &idx));
	idx.action = RTE_SECURITY_ACTION_TYPE_INLINE_CRYPTO;
	idx.ipsec.proto = RTE_SECURITY_IPSEC_SA_PROTO_AH;
	ck_assert_ptr_null(rte_security_capability_get(ctx, &idx));
}
END_TEST

/* ---- 2: egress -------------------------------------------------------- */

struct eg_case {
	enum alg alg;
	int tun;
};

static const struct eg_case eg_cases[] = {
	{ ALG_GCM128, 4 }, { ALG_GCM256, 4 }, { ALG_CBC128, 4 },
	{ ALG_NULL, 4 },
	{ ALG_GCM128, 0 }, { ALG_GCM256, 0 }, { ALG_CBC128, 0 },
	{ ALG_NULL, 0 },
	{ ALG_GCM128, 6 }, { ALG_CBC128, 6 },
	{ ALG_GCM128, 46 }, { ALG_NULL, 46 },
};

/* Lengths that hit every padding length for both granules. */
static const uint16_t eg_lens[] = { 28, 29, 30, 31, 43, 44, 100, 1400 };

START_TEST(test_egress)
{
	const struct eg_case *ec = &eg_cases[_i];
	struct ss_swnic_sec_stats s0, s1;
	struct rte_security_stats ss;
	uint8_t inner[1500], pt[2048];
	uint64_t bytes = 0;
	struct tsa t;
	unsigned int k;

	tsa_make(&t, ec->alg, true, ec->tun, 0x100 + (uint32_t)_i);
	stats(&s0);
	for (k = 0; k < RTE_DIM(eg_lens); k++) {
		const uint16_t len = inner_make(inner, eg_lens[k],
			(uint8_t)k);
		struct rte_mbuf *m = mbuf_of(inner, len), *r;
		const uint8_t *f;
		uint32_t ipl, esp_len, l2;
		uint16_t et;
		int n;

		m->l2_len = 0;
		m->l3_len = 20;
		ck_assert_uint_eq(rte_ipsec_pkt_process(&t.ips, &m, 1), 1);
		ck_assert(m->ol_flags & RTE_MBUF_F_TX_SEC_OFFLOAD);
		/* Every other frame has a VLAN tag. */
		et = ec->tun == 6 ? RTE_ETHER_TYPE_IPV6 : RTE_ETHER_TYPE_IPV4;
		if (k & 1)
			eth_prepend_vlan(m, et);
		else
			eth_prepend(m, et);
		l2 = m->l2_len;
		r = wire(port_a, port_b, m);
		ck_assert_ptr_eq(r, m);	/* ring: the same buffer */
		ck_assert(!(r->ol_flags & RTE_MBUF_F_TX_SEC_OFFLOAD));
		f = rte_pktmbuf_mtod(r, const uint8_t *);
		ck_assert_uint_eq(f[l2 - 2] << 8 | f[l2 - 1], et);
		if (ec->tun == 6) {
			ck_assert_uint_eq(f[l2 + 6], IPPROTO_ESP);
			ck_assert_mem_eq(f + l2 + 24, peer6, 16);
			ipl = 40;
			esp_len = (uint32_t)(f[l2 + 4] << 8 | f[l2 + 5]);
		} else {
			ipl = ec->tun == 46 ? 24 : 20;
			ck_assert_uint_eq(f[l2], 0x40 | ipl / 4);
			ck_assert_uint_eq(f[l2 + 9], IPPROTO_ESP);
			esp_len = (uint32_t)(f[l2 + 2] << 8 | f[l2 + 3]) - ipl;
			if (ec->tun != 0)
				ck_assert_mem_eq(f + l2 + 16, peer4, 4);
			else
				ck_assert_mem_eq(f + l2 + 16, inner + 16, 4);
		}
		ck_assert_uint_eq(r->pkt_len, l2 + ipl + esp_len);
		bytes += r->pkt_len;
		f += l2 - 14;	/* as if untagged, below */
		/* Sequence numbers from 1. */
		ck_assert_uint_eq(rd32(f + 14 + ipl + 4), k + 1);
		n = esp_open(&t, f + 14 + ipl, (int)esp_len, pt,
			ec->tun == 0 ? IPPROTO_UDP : IPPROTO_IPIP);
		if (ec->tun == 0) {
			ck_assert_int_eq(n, len - 20);
			ck_assert_mem_eq(pt, inner + 20, (size_t)n);
		} else {
			ck_assert_int_eq(n, len);
			ck_assert_mem_eq(pt, inner, len);
		}
		rte_pktmbuf_free(r);
	}
	stats(&s1);
	ck_assert_uint_eq(s1.tx_encrypted - s0.tx_encrypted, RTE_DIM(eg_lens));
	ck_assert_uint_eq(s1.tx_dropped_bad, s0.tx_dropped_bad);
	ck_assert_uint_eq(s1.tx_dropped_no_session, s0.tx_dropped_no_session);
	ck_assert_uint_eq(s1.sessions_egress, 1);
	/* the session's own counts: what it encrypted, frames as sent */
	ck_assert_int_eq(rte_security_session_stats_get(ctx, t.ses, &ss), 0);
	ck_assert_int_eq(ss.protocol, RTE_SECURITY_PROTOCOL_IPSEC);
	ck_assert_uint_eq(ss.ipsec.opackets, RTE_DIM(eg_lens));
	ck_assert_uint_eq(ss.ipsec.obytes, bytes);
	ck_assert_uint_eq(ss.ipsec.oerrors, 0);
	ck_assert_uint_eq(ss.ipsec.ipackets + ss.ipsec.ibytes, 0);
	/* without a session: the device's totals */
	ck_assert_int_eq(rte_security_session_stats_get(ctx, NULL, &ss), 0);
	ck_assert_uint_eq(ss.ipsec.opackets, s1.tx_encrypted);
	tsa_free(&t);
	stats(&s1);
	ck_assert_uint_eq(s1.sessions_egress, 0);
	/* a new session in the freed slot starts from zero */
	tsa_make(&t, ec->alg, true, ec->tun, 0x100 + (uint32_t)_i);
	ck_assert_int_eq(rte_security_session_stats_get(ctx, t.ses, &ss), 0);
	ck_assert_uint_eq(ss.ipsec.opackets + ss.ipsec.obytes, 0);
	tsa_free(&t);
}
END_TEST

/* A burst of packets of two SAs and a plain one, interleaved: each goes
 * out under its own keys, the plain one untouched. */
START_TEST(test_egress_burst)
{
	struct tsa t1, t2;
	struct rte_mbuf *m[7], *r[8];
	uint8_t inner[200], plain[100], pt[2048];
	uint32_t seq[2] = { 0, 0 };
	uint16_t i, n;

	tsa_make(&t1, ALG_GCM128, true, 4, 0x201);
	tsa_make(&t2, ALG_CBC128, true, 4, 0x202);
	inner_make(inner, 200, 9);
	inner_make(plain, 100, 3);
	for (i = 0; i < 7; i++) {
		if (i == 3) {
			m[i] = mbuf_of(plain, 100);
			eth_prepend(m[i], RTE_ETHER_TYPE_IPV4);
			continue;
		}
		m[i] = mbuf_of(inner, 200);
		m[i]->l2_len = 0;
		m[i]->l3_len = 20;
		ck_assert_uint_eq(rte_ipsec_pkt_process(i & 1 ? &t2.ips :
			&t1.ips, &m[i], 1), 1);
		eth_prepend(m[i], RTE_ETHER_TYPE_IPV4);
	}
	ck_assert_uint_eq(rte_eth_tx_burst(port_a, 0, m, 7), 7);
	n = rte_eth_rx_burst(port_b, 0, r, 8);
	ck_assert_uint_eq(n, 7);
	for (i = 0; i < 7; i++) {
		const uint8_t *f = rte_pktmbuf_mtod(r[i], const uint8_t *);
		const struct tsa *t = i & 1 ? &t2 : &t1;

		if (i == 3) {
			ck_assert_uint_eq(r[i]->pkt_len, 114);
			ck_assert_mem_eq(f + 14, plain, 100);
		} else {
			ck_assert_uint_eq(rd32(f + 38), ++seq[i & 1]);
			ck_assert_int_eq(esp_open(t, f + 34,
				(int)r[i]->pkt_len - 34, pt, IPPROTO_IPIP),
				200);
			ck_assert_mem_eq(pt, inner, 200);
		}
		rte_pktmbuf_free(r[i]);
	}
	tsa_free(&t1);
	tsa_free(&t2);
}
END_TEST

/* ---- 3: ingress ------------------------------------------------------- */

static const struct eg_case in_cases[] = {
	{ ALG_GCM128, 4 }, { ALG_GCM256, 4 }, { ALG_CBC128, 4 },
	{ ALG_NULL, 4 }, { ALG_GCM128, 6 }, { ALG_CBC128, 6 },
	{ ALG_GCM128, 0 }, { ALG_CBC128, 0 }, { ALG_NULL, 0 },
};

START_TEST(test_ingress)
{
	const struct eg_case ic = in_cases[_i];
	struct ss_swnic_sec_stats s0, s1;
	struct rte_security_stats ss;
	uint8_t inner[1500], f[2048];
	uint64_t fail = 0, bytes = 0;
	struct tsa t;
	unsigned int k;

	tsa_make(&t, ic.alg, false, ic.tun, 0x300 + (uint32_t)_i);
	stats(&s0);
	for (k = 0; k < RTE_DIM(eg_lens); k++) {
		const uint16_t len = inner_make(inner, eg_lens[k],
			(uint8_t)(k + 40));
		const uint16_t fl = frame_in(&t, k + 1, inner, len, f);
		const uint16_t ipl = ic.tun == 6 ? 40 : 20;
		struct rte_mbuf *m;

		/* A flipped byte of the ciphertext (its last, the next
		 * header) fails and is left as it came. */
		m = mbuf_of(f, fl);
		rte_pktmbuf_mtod(m, uint8_t *)[fl - 17] ^= 0x01;
		m = wire(port_b, port_a, m);
		ck_assert(m->ol_flags & RTE_MBUF_F_RX_SEC_OFFLOAD);
		ck_assert(m->ol_flags & RTE_MBUF_F_RX_SEC_OFFLOAD_FAILED);
		ck_assert_uint_eq(m->pkt_len, fl);
		f[fl - 17] ^= 0x01;
		ck_assert_mem_eq(rte_pktmbuf_mtod(m, uint8_t *), f, fl);
		f[fl - 17] ^= 0x01;
		fail++;
		/* rte_ipsec refuses what the NIC failed. */
		rte_pktmbuf_adj(m, 14);
		m->l2_len = 0;
		m->l3_len = ipl;
		ck_assert_uint_eq(rte_ipsec_pkt_process(&t.ips, &m, 1), 0);
		rte_pktmbuf_free(m);

		/* The good one. */
		bytes += fl;
		m = wire(port_b, port_a, mbuf_of(f, fl));
		ck_assert(m->ol_flags & RTE_MBUF_F_RX_SEC_OFFLOAD);
		ck_assert(!(m->ol_flags & RTE_MBUF_F_RX_SEC_OFFLOAD_FAILED));
		/* In place: only the ciphertext changed. */
		ck_assert_uint_eq(m->pkt_len, fl);
		ck_assert_mem_eq(rte_pktmbuf_mtod(m, uint8_t *), f,
			14u + ipl + 8 + alg_iv(ic.alg));
		ck_assert_mem_eq(rte_pktmbuf_mtod(m, uint8_t *) + fl - 16,
			f + fl - 16, 16);
		rte_pktmbuf_adj(m, 14);
		m->l2_len = 0;
		m->l3_len = ipl;
		ck_assert_uint_eq(rte_ipsec_pkt_process(&t.ips, &m, 1), 1);
		if (ic.tun == 0) {
			const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);

			/* rte_ipsec fixes protocol and length. */
			ck_assert_uint_eq(m->pkt_len, len);
			ck_assert_uint_eq(p[9], IPPROTO_UDP);
			ck_assert_uint_eq(p[2] << 8 | p[3], len);
			ck_assert_mem_eq(p + 20, inner + 20, len - 20u);
		} else {
			ck_assert_uint_eq(m->pkt_len, len);
			ck_assert_mem_eq(rte_pktmbuf_mtod(m, uint8_t *), inner,
				len);
		}
		rte_pktmbuf_free(m);
	}
	stats(&s1);
	ck_assert_uint_eq(s1.rx_decrypted - s0.rx_decrypted,
		RTE_DIM(eg_lens));
	ck_assert_uint_eq(s1.rx_auth_failed - s0.rx_auth_failed, fail);
	ck_assert_uint_eq(s1.rx_bad, s0.rx_bad);
	ck_assert_uint_eq(s1.rx_no_session, s0.rx_no_session);
	ck_assert_uint_eq(s1.sessions_ingress, 1);
	/* the session's own counts: decrypted, and failed the ICV */
	ck_assert_int_eq(rte_security_session_stats_get(ctx, t.ses, &ss), 0);
	ck_assert_uint_eq(ss.ipsec.ipackets, RTE_DIM(eg_lens));
	ck_assert_uint_eq(ss.ipsec.ibytes, bytes);
	ck_assert_uint_eq(ss.ipsec.ierrors, fail);
	ck_assert_uint_eq(ss.ipsec.opackets + ss.ipsec.oerrors, 0);
	tsa_free(&t);
}
END_TEST

/* A burst of one SA's packets with some bad ones among them: one crypto
 * run, and only the bad ones fail, each left exactly as it came. */
START_TEST(test_ingress_burst)
{
	static const enum alg algs[] = { ALG_GCM128, ALG_CBC128, ALG_NULL };
	enum { N = 9 };
	struct ss_swnic_sec_stats s0, s1;
	static uint8_t f[N][2048];
	uint8_t inner[300];
	uint16_t fl[N];
	struct rte_mbuf *m[N], *r[N + 1];
	struct tsa t;
	unsigned int i;

	inner_make(inner, 300, 11);
	tsa_make(&t, algs[_i], false, 4, 0xb01 + (uint32_t)_i);
	stats(&s0);
	for (i = 0; i < N; i++) {
		fl[i] = frame_in(&t, i + 1, inner, 300 - i, f[i]);
		if (i % 3 == 1)
			f[i][fl[i] - 20 - i] ^= 0x80;	/* bad */
		m[i] = mbuf_of(f[i], fl[i]);
	}
	ck_assert_uint_eq(rte_eth_tx_burst(port_b, 0, m, N), N);
	ck_assert_uint_eq(rte_eth_rx_burst(port_a, 0, r, N + 1), N);
	for (i = 0; i < N; i++) {
		const uint8_t *p = rte_pktmbuf_mtod(r[i], const uint8_t *);

		ck_assert(r[i]->ol_flags & RTE_MBUF_F_RX_SEC_OFFLOAD);
		if (i % 3 == 1) {
			ck_assert(r[i]->ol_flags &
				RTE_MBUF_F_RX_SEC_OFFLOAD_FAILED);
			ck_assert_mem_eq(p, f[i], fl[i]);
		} else {
			ck_assert(!(r[i]->ol_flags &
				RTE_MBUF_F_RX_SEC_OFFLOAD_FAILED));
			ck_assert_mem_eq(p + 14 + 20 + 8 + alg_iv(t.alg),
				inner, 300 - i);
		}
		rte_pktmbuf_free(r[i]);
	}
	stats(&s1);
	ck_assert_uint_eq(s1.rx_decrypted - s0.rx_decrypted, 6);
	ck_assert_uint_eq(s1.rx_auth_failed - s0.rx_auth_failed, 3);
	tsa_free(&t);
}
END_TEST

/* Unknown SPI, another tunnel address, non-ESP, short and ragged ESP. */
START_TEST(test_ingress_other)
{
	struct ss_swnic_sec_stats s0, s1;
	uint8_t inner[200], f[2048], g[2048];
	struct tsa t, u;
	struct rte_mbuf *m;
	uint16_t fl, gl;

	tsa_make(&t, ALG_CBC128, false, 4, 0x401);
	inner_make(inner, 200, 1);
	stats(&s0);

	/* Unknown SPI: untouched, counted. */
	u = t;
	u.spi = 0x402;
	fl = frame_in(&u, 1, inner, 200, f);
	m = wire(port_b, port_a, mbuf_of(f, fl));
	ck_assert_uint_eq(m->ol_flags & (RTE_MBUF_F_RX_SEC_OFFLOAD |
		RTE_MBUF_F_RX_SEC_OFFLOAD_FAILED), 0);
	ck_assert_uint_eq(m->pkt_len, fl);
	ck_assert_mem_eq(rte_pktmbuf_mtod(m, uint8_t *), f, fl);
	rte_pktmbuf_free(m);
	stats(&s1);
	ck_assert_uint_eq(s1.rx_no_session - s0.rx_no_session, 1);

	/* Known SPI to another address: a tunnel SA is keyed on both. */
	fl = frame_in(&t, 1, inner, 200, f);
	f[14 + 19] ^= 1;	/* last byte of the destination */
	m = wire(port_b, port_a, mbuf_of(f, fl));
	ck_assert_uint_eq(m->ol_flags & RTE_MBUF_F_RX_SEC_OFFLOAD, 0);
	ck_assert_mem_eq(rte_pktmbuf_mtod(m, uint8_t *), f, fl);
	rte_pktmbuf_free(m);
	stats(&s1);
	ck_assert_uint_eq(s1.rx_no_session - s0.rx_no_session, 2);

	/* Not ESP: untouched, not counted. */
	memcpy(g, f, 14);
	memcpy(g + 14, inner, 200);
	gl = 214;
	m = wire(port_b, port_a, mbuf_of(g, gl));
	ck_assert_uint_eq(m->ol_flags & RTE_MBUF_F_RX_SEC_OFFLOAD, 0);
	ck_assert_mem_eq(rte_pktmbuf_mtod(m, uint8_t *), g, gl);
	rte_pktmbuf_free(m);

	/* ESP in a VLAN tag is found. */
	fl = frame_in(&t, 1, inner, 200, f);
	memcpy(g, f, 12);
	g[12] = 0x81;
	g[13] = 0x00;
	g[14] = 0x00;
	g[15] = 0x07;
	memcpy(g + 16, f + 12, fl - 12u);
	m = wire(port_b, port_a, mbuf_of(g, fl + 4));
	ck_assert(m->ol_flags & RTE_MBUF_F_RX_SEC_OFFLOAD);
	ck_assert(!(m->ol_flags & RTE_MBUF_F_RX_SEC_OFFLOAD_FAILED));
	rte_pktmbuf_free(m);

	/* Ciphertext not a whole number of CBC blocks: failed, rx_bad. */
	memcpy(g, f, fl);
	gl = fl - 4;
	memmove(g + gl - 16, f + fl - 16, 16);
	g[16] = (uint8_t)((gl - 14) >> 8);
	g[17] = (uint8_t)(gl - 14);
	((struct rte_ipv4_hdr *)(g + 14))->hdr_checksum = 0;
	m = wire(port_b, port_a, mbuf_of(g, gl));
	ck_assert(m->ol_flags & RTE_MBUF_F_RX_SEC_OFFLOAD);
	ck_assert(m->ol_flags & RTE_MBUF_F_RX_SEC_OFFLOAD_FAILED);
	ck_assert_mem_eq(rte_pktmbuf_mtod(m, uint8_t *), g, gl);
	rte_pktmbuf_free(m);

	/* Too short for header, IV, a block and the ICV: rx_bad. */
	gl = 14 + 20 + 8 + 16 + 16;
	memcpy(g, f, gl);
	g[16] = 0;
	g[17] = (uint8_t)(gl - 14);
	m = wire(port_b, port_a, mbuf_of(g, gl));
	ck_assert(m->ol_flags & RTE_MBUF_F_RX_SEC_OFFLOAD_FAILED);
	rte_pktmbuf_free(m);

	/* A fragment is not the NIC's. */
	memcpy(g, f, fl);
	g[14 + 6] = 0x20;	/* MF */
	m = wire(port_b, port_a, mbuf_of(g, fl));
	ck_assert_uint_eq(m->ol_flags & RTE_MBUF_F_RX_SEC_OFFLOAD, 0);
	ck_assert_mem_eq(rte_pktmbuf_mtod(m, uint8_t *), g, fl);
	rte_pktmbuf_free(m);

	stats(&s1);
	ck_assert_uint_eq(s1.rx_bad - s0.rx_bad, 2);
	ck_assert_uint_eq(s1.rx_decrypted - s0.rx_decrypted, 1);
	ck_assert_uint_eq(s1.rx_no_session - s0.rx_no_session, 2);
	ck_assert_uint_eq(s1.rx_auth_failed, s0.rx_auth_failed);
	tsa_free(&t);
}
END_TEST

/* ---- 4: refusals ------------------------------------------------------ */

START_TEST(test_refuse)
{
	struct ss_swnic_sec_stats st;
	struct tsa t;

	memset(&t, 0, sizeof(t));
	t.alg = ALG_GCM128;
	t.out = true;
	t.tun = 4;
	t.spi = 0x501;

	/* The good conf is taken (so the refusals below are the field's). */
	conf_make(&t);
	t.ses = rte_security_session_create(ctx, &t.conf, sess_pool);
	ck_assert_ptr_nonnull(t.ses);
	ck_assert_int_eq(rte_security_session_destroy(ctx, t.ses), 0);

	conf_make(&t);
	t.conf.ipsec.options.esn = 1;
	ck_assert_ptr_null(rte_security_session_create(ctx, &t.conf,
		sess_pool));
	conf_make(&t);
	t.conf.ipsec.options.udp_ports_verify = 1;
	ck_assert_ptr_null(rte_security_session_create(ctx, &t.conf,
		sess_pool));
	conf_make(&t);
	t.xf[0].aead.digest_length = 12;
	ck_assert_ptr_null(rte_security_session_create(ctx, &t.conf,
		sess_pool));
	conf_make(&t);
	t.xf[0].aead.aad_length = 12;
	ck_assert_ptr_null(rte_security_session_create(ctx, &t.conf,
		sess_pool));
	conf_make(&t);
	t.conf.action_type = RTE_SECURITY_ACTION_TYPE_LOOKASIDE_PROTOCOL;
	ck_assert_ptr_null(rte_security_session_create(ctx, &t.conf,
		sess_pool));
	conf_make(&t);
	t.conf.ipsec.proto = RTE_SECURITY_IPSEC_SA_PROTO_AH;
	ck_assert_ptr_null(rte_security_session_create(ctx, &t.conf,
		sess_pool));
	/* CBC: digest 12, and the ingress order used for egress. */
	t.alg = ALG_CBC128;
	conf_make(&t);
	t.xf[1].auth.digest_length = 12;
	ck_assert_ptr_null(rte_security_session_create(ctx, &t.conf,
		sess_pool));
	conf_make(&t);
	t.xf[0].next = NULL;
	t.xf[1].next = &t.xf[0];
	t.conf.crypto_xform = &t.xf[1];
	ck_assert_ptr_null(rte_security_session_create(ctx, &t.conf,
		sess_pool));
	/* Ingress with egress ops. */
	conf_make(&t);
	t.conf.ipsec.direction = RTE_SECURITY_IPSEC_SA_DIR_INGRESS;
	ck_assert_ptr_null(rte_security_session_create(ctx, &t.conf,
		sess_pool));
	ss_swnic_sec_stats_get(dev, &st);
	ck_assert_uint_eq(st.sessions_egress + st.sessions_ingress, 0);
}
END_TEST

START_TEST(test_max_sessions)
{
	const struct ss_swnic_sec_conf c = {
		.max_sessions = 2,
		.socket = SOCKET_ID_ANY,
		.gcm_dev = ss_crypto_dev_gcm(),
		.mb_dev = ss_crypto_dev_mb(),
	};
	struct ss_swnic_sec *d2 = ss_swnic_sec_create(&c);
	struct rte_security_ctx *c2;
	struct ss_swnic_sec_stats st;
	struct tsa t;
	void *s[3];

	ck_assert_ptr_nonnull(d2);
	c2 = ss_swnic_sec_ctx(d2);
	memset(&t, 0, sizeof(t));
	t.alg = ALG_CBC128;
	t.tun = 4;
	t.spi = 0x601;
	conf_make(&t);	/* ingress: two crypto sessions each */
	s[0] = rte_security_session_create(c2, &t.conf, sess_pool);
	ck_assert_ptr_nonnull(s[0]);
	t.spi = 0x602;
	conf_make(&t);
	s[1] = rte_security_session_create(c2, &t.conf, sess_pool);
	ck_assert_ptr_nonnull(s[1]);
	t.spi = 0x603;
	conf_make(&t);
	s[2] = rte_security_session_create(c2, &t.conf, sess_pool);
	ck_assert_ptr_null(s[2]);
	ss_swnic_sec_stats_get(d2, &st);
	ck_assert_uint_eq(st.sessions_ingress, 2);
	/* A freed place is taken again. */
	ck_assert_int_eq(rte_security_session_destroy(c2, s[0]), 0);
	s[2] = rte_security_session_create(c2, &t.conf, sess_pool);
	ck_assert_ptr_nonnull(s[2]);
	ck_assert_int_eq(rte_security_session_destroy(c2, s[1]), 0);
	ck_assert_int_eq(rte_security_session_destroy(c2, s[2]), 0);
	ss_swnic_sec_free(d2);

	/* Bad confs. */
	{
		struct ss_swnic_sec_conf b = c;

		b.max_sessions = 0;
		ck_assert_ptr_null(ss_swnic_sec_create(&b));
		ck_assert_int_eq(rte_errno, EINVAL);
		b.max_sessions = 65537;
		ck_assert_ptr_null(ss_swnic_sec_create(&b));
		b = c;
		b.gcm_dev = 200;
		ck_assert_ptr_null(ss_swnic_sec_create(&b));
		ck_assert_ptr_null(ss_swnic_sec_create(NULL));
	}
	ss_swnic_sec_free(NULL);
}
END_TEST

/* ---- 5: Tx without metadata ------------------------------------------- */

START_TEST(test_tx_no_session)
{
	struct ss_swnic_sec_stats s0, s1;
	struct rte_mempool *mp = ss_test_pool(2048);
	struct rte_mbuf *m[3], *r[4];
	uint8_t inner[200];
	unsigned int avail;
	struct tsa t;

	drain(port_b);
	tsa_make(&t, ALG_GCM128, true, 4, 0x701);
	inner_make(inner, 200, 5);
	avail = rte_mempool_avail_count(mp);
	stats(&s0);

	/* Flagged, never given metadata. */
	m[0] = mbuf_of(inner, 200);
	eth_prepend(m[0], RTE_ETHER_TYPE_IPV4);
	m[0]->ol_flags |= RTE_MBUF_F_TX_SEC_OFFLOAD;
	ck_assert_uint_eq(rte_eth_tx_burst(port_a, 0, m, 1), 0);
	ck_assert_uint_eq(rte_eth_rx_burst(port_b, 0, r, 4), 0);
	ck_assert_uint_eq(rte_mempool_avail_count(mp), avail);
	stats(&s1);
	ck_assert_uint_eq(s1.tx_dropped_no_session -
		s0.tx_dropped_no_session, 1);
	ck_assert_uint_eq(s1.tx_encrypted, s0.tx_encrypted);

	/* Between two good ones: only it is dropped, in order. */
	m[0] = mbuf_of(inner, 200);
	m[1] = mbuf_of(inner, 200);
	m[2] = mbuf_of(inner, 200);
	m[0]->l3_len = m[2]->l3_len = 20;
	ck_assert_uint_eq(rte_ipsec_pkt_process(&t.ips, &m[0], 1), 1);
	ck_assert_uint_eq(rte_ipsec_pkt_process(&t.ips, &m[2], 1), 1);
	eth_prepend(m[0], RTE_ETHER_TYPE_IPV4);
	eth_prepend(m[1], RTE_ETHER_TYPE_IPV4);
	eth_prepend(m[2], RTE_ETHER_TYPE_IPV4);
	m[1]->ol_flags |= RTE_MBUF_F_TX_SEC_OFFLOAD;
	{
		struct rte_mbuf *sent[3] = { m[0], m[1], m[2] };

		ck_assert_uint_eq(rte_eth_tx_burst(port_a, 0, sent, 3), 2);
		ck_assert_ptr_eq(sent[0], m[0]);
		ck_assert_ptr_eq(sent[1], m[2]);
		ck_assert_ptr_null(sent[2]);
	}
	ck_assert_uint_eq(rte_eth_rx_burst(port_b, 0, r, 4), 2);
	ck_assert_ptr_eq(r[0], m[0]);
	ck_assert_ptr_eq(r[1], m[2]);
	rte_pktmbuf_free(r[0]);
	rte_pktmbuf_free(r[1]);

	/* Metadata of an ingress session is not egress metadata; a
	 * recycled mbuf does not keep the metadata it once had. */
	{
		struct tsa in;
		struct rte_mbuf *x = mbuf_of(inner, 200);

		tsa_make(&in, ALG_GCM128, false, 4, 0x702);
		eth_prepend(x, RTE_ETHER_TYPE_IPV4);
		ck_assert_int_eq(rte_security_set_pkt_metadata(ctx, in.ses,
			x, NULL), 0);
		x->ol_flags |= RTE_MBUF_F_TX_SEC_OFFLOAD;
		ck_assert_uint_eq(rte_eth_tx_burst(port_a, 0, &x, 1), 0);
		tsa_free(&in);
	}
	/* Malformed: not IP. */
	{
		struct rte_mbuf *x = mbuf_of(inner, 200);

		eth_prepend(x, 0x88b5);
		ck_assert_int_eq(rte_security_set_pkt_metadata(ctx, t.ses,
			x, NULL), 0);
		x->ol_flags |= RTE_MBUF_F_TX_SEC_OFFLOAD;
		ck_assert_uint_eq(rte_eth_tx_burst(port_a, 0, &x, 1), 0);
	}
	/* Chained. */
	{
		struct rte_mbuf *x = mbuf_of(inner, 200), *y;
		uint8_t buf[400];

		x->l3_len = 20;
		ck_assert_uint_eq(rte_ipsec_pkt_process(&t.ips, &x, 1), 1);
		eth_prepend(x, RTE_ETHER_TYPE_IPV4);
		memcpy(buf, rte_pktmbuf_mtod(x, uint8_t *), x->pkt_len);
		y = ss_test_mbuf_split(buf, (uint16_t)x->pkt_len, 50);
		y->ol_flags |= RTE_MBUF_F_TX_SEC_OFFLOAD;
		ck_assert_int_eq(rte_security_set_pkt_metadata(ctx, t.ses,
			y, NULL), 0);
		rte_pktmbuf_free(x);
		ck_assert_uint_eq(rte_eth_tx_burst(port_a, 0, &y, 1), 0);
	}
	ck_assert_uint_eq(rte_eth_rx_burst(port_b, 0, r, 4), 0);
	stats(&s1);
	ck_assert_uint_eq(s1.tx_dropped_no_session -
		s0.tx_dropped_no_session, 3);
	ck_assert_uint_eq(s1.tx_dropped_bad - s0.tx_dropped_bad, 2);
	ck_assert_uint_eq(s1.tx_encrypted - s0.tx_encrypted, 2);
	ck_assert_uint_eq(rte_mempool_avail_count(mp), avail);
	tsa_free(&t);
}
END_TEST

/* ---- 6: destroy ------------------------------------------------------- */

START_TEST(test_destroy)
{
	struct ss_swnic_sec_stats s0, s1;
	uint8_t inner[300], f[2048];
	struct rte_mbuf *m;
	struct tsa t;
	uint16_t fl;

	tsa_make(&t, ALG_GCM256, false, 4, 0x801);
	inner_make(inner, 300, 7);
	fl = frame_in(&t, 1, inner, 300, f);
	m = wire(port_b, port_a, mbuf_of(f, fl));
	ck_assert(m->ol_flags & RTE_MBUF_F_RX_SEC_OFFLOAD);
	ck_assert(!(m->ol_flags & RTE_MBUF_F_RX_SEC_OFFLOAD_FAILED));
	ck_assert_mem_ne(rte_pktmbuf_mtod(m, uint8_t *), f, fl);
	rte_pktmbuf_free(m);

	ck_assert_int_eq(rte_security_session_destroy(ctx, t.ses), 0);
	t.ses = NULL;
	stats(&s0);
	ck_assert_uint_eq(s0.sessions_ingress, 0);
	m = wire(port_b, port_a, mbuf_of(f, fl));
	ck_assert_uint_eq(m->ol_flags & (RTE_MBUF_F_RX_SEC_OFFLOAD |
		RTE_MBUF_F_RX_SEC_OFFLOAD_FAILED), 0);
	ck_assert_mem_eq(rte_pktmbuf_mtod(m, uint8_t *), f, fl);
	rte_pktmbuf_free(m);
	stats(&s1);
	ck_assert_uint_eq(s1.rx_no_session - s0.rx_no_session, 1);
	ck_assert_uint_eq(s1.rx_decrypted, s0.rx_decrypted);
	tsa_free(&t);
}
END_TEST

/* Many ingress SAs, the same SPI on two tunnel addresses, one removed
 * from the middle of a chain: the others are still found. */
START_TEST(test_spi_table)
{
	enum { N = 40 };
	static struct tsa t[N];
	uint8_t inner[100], f[2048];
	unsigned int i;

	inner_make(inner, 100, 2);
	for (i = 0; i < N; i++)
		tsa_make(&t[i], ALG_NULL, false, 4, 0x900 + i * 128);
	ck_assert_int_eq(rte_security_session_destroy(ctx, t[N / 2].ses), 0);
	t[N / 2].ses = NULL;
	for (i = 0; i < N; i++) {
		const uint16_t fl = frame_in(&t[i], 1, inner, 100, f);
		struct rte_mbuf *m = wire(port_b, port_a, mbuf_of(f, fl));

		if (i == N / 2)
			ck_assert_uint_eq(m->ol_flags &
				RTE_MBUF_F_RX_SEC_OFFLOAD, 0);
		else
			ck_assert(m->ol_flags & RTE_MBUF_F_RX_SEC_OFFLOAD &&
				!(m->ol_flags &
				RTE_MBUF_F_RX_SEC_OFFLOAD_FAILED));
		rte_pktmbuf_free(m);
	}
	for (i = 0; i < N; i++)
		tsa_free(&t[i]);
}
END_TEST

/* ---- concurrency: a poller while sessions come and go ------------------ */

struct poller {
	struct rte_rcu_qsbr *qs;
	const uint8_t *inner;
	const uint8_t *frame_n;	/* as sent, for the NULL SA */
	uint16_t len;
	volatile bool stop;
	volatile bool online;
	uint64_t ok_g, ok_n, untouched, wrong;
};

static void
bump(uint64_t *c)
{
	__atomic_fetch_add(c, 1, __ATOMIC_RELEASE);
}

static uint64_t
poller_seen(const struct poller *p)
{
	return __atomic_load_n(&p->ok_g, __ATOMIC_ACQUIRE) +
		__atomic_load_n(&p->ok_n, __ATOMIC_ACQUIRE) +
		__atomic_load_n(&p->untouched, __ATOMIC_ACQUIRE) +
		__atomic_load_n(&p->wrong, __ATOMIC_ACQUIRE);
}

static bool
rx_clean(const struct rte_mbuf *m)
{
	return (m->ol_flags & (RTE_MBUF_F_RX_SEC_OFFLOAD |
		RTE_MBUF_F_RX_SEC_OFFLOAD_FAILED)) ==
		RTE_MBUF_F_RX_SEC_OFFLOAD;
}

/* Polls port A, as a worker lcore would, reporting quiescent states.
 * The GCM SA's packets must all come out decrypted; the NULL SA's
 * either decrypted (plaintext under the HMAC) or left alone. */
static void *
poller_main(void *arg)
{
	struct poller *p = arg;
	struct rte_mbuf *m[32];
	uint16_t n, i;

	rte_rcu_qsbr_thread_register(p->qs, 0);
	rte_rcu_qsbr_thread_online(p->qs, 0);
	p->online = true;
	while (!p->stop) {
		n = rte_eth_rx_burst(port_a, 0, m, RTE_DIM(m));
		for (i = 0; i < n; i++) {
			const uint8_t *f = rte_pktmbuf_mtod(m[i],
				const uint8_t *);
			const uint32_t spi = rd32(f + 34);

			if (spi == 0xa02 && rx_clean(m[i]) &&
					memcmp(f + 50, p->inner, p->len) == 0)
				bump(&p->ok_g);
			else if (spi == 0xa01 && rx_clean(m[i]) &&
					memcmp(f + 42, p->inner, p->len) == 0)
				bump(&p->ok_n);
			else if (spi == 0xa01 && (m[i]->ol_flags &
					RTE_MBUF_F_RX_SEC_OFFLOAD) == 0 &&
					memcmp(f, p->frame_n,
					m[i]->pkt_len) == 0)
				bump(&p->untouched);
			else
				bump(&p->wrong);
			rte_pktmbuf_free(m[i]);
		}
		rte_rcu_qsbr_quiescent(p->qs, 0);
	}
	rte_rcu_qsbr_thread_offline(p->qs, 0);
	rte_rcu_qsbr_thread_unregister(p->qs, 0);
	return NULL;
}

START_TEST(test_rcu)
{
	const struct ss_swnic_sec_conf c = {
		.max_sessions = 8,
		.socket = SOCKET_ID_ANY,
		.gcm_dev = ss_crypto_dev_gcm(),
		.mb_dev = ss_crypto_dev_mb(),
		.qsbr = NULL,
	};
	struct ss_swnic_sec_conf cq = c;
	struct ss_swnic_sec *d2;
	struct poller p;
	struct tsa t, g;
	uint8_t inner[100], f[512], h[512];
	uint16_t fl, hl;
	pthread_t th;
	unsigned int round, k, sent = 0;
	struct ss_swnic_sec_stats st;
	size_t sz;

	/* This test's own device on port A, with RCU. */
	ss_swnic_sec_detach(dev, port_a);
	memset(&p, 0, sizeof(p));
	sz = rte_rcu_qsbr_get_memsize(1);
	p.qs = rte_zmalloc("sws_qs", sz, RTE_CACHE_LINE_SIZE);
	ck_assert_ptr_nonnull(p.qs);
	ck_assert_int_eq(rte_rcu_qsbr_init(p.qs, 1), 0);
	cq.qsbr = p.qs;
	d2 = ss_swnic_sec_create(&cq);
	ck_assert_ptr_nonnull(d2);
	ck_assert_int_eq(ss_swnic_sec_attach(d2, port_a), 0);

	/* A GCM SA that stays, a NULL one that comes and goes. */
	inner_make(inner, 100, 4);
	memset(&t, 0, sizeof(t));
	t.alg = ALG_NULL;
	t.tun = 4;
	t.spi = 0xa01;
	fl = frame_in(&t, 1, inner, 100, f);
	memset(&g, 0, sizeof(g));
	g.alg = ALG_GCM128;
	g.tun = 4;
	g.spi = 0xa02;
	conf_make(&g);
	g.ses = rte_security_session_create(ss_swnic_sec_ctx(d2), &g.conf,
		sess_pool);
	ck_assert_ptr_nonnull(g.ses);
	hl = frame_in(&g, 1, inner, 100, h);
	p.inner = inner;
	p.frame_n = f;
	p.len = 100;
	ck_assert_int_eq(pthread_create(&th, NULL, poller_main, &p), 0);
	/* Else the first destroys have no reader to wait for. */
	while (!p.online)
		rte_pause();
	for (round = 0; round < 300; round++) {
		conf_make(&t);
		t.ses = rte_security_session_create(ss_swnic_sec_ctx(d2),
			&t.conf, sess_pool);
		ck_assert_ptr_nonnull(t.ses);
		for (k = 0; k < 4; k++) {
			struct rte_mbuf *m[2] = { mbuf_of(f, fl),
				mbuf_of(h, hl) };

			uint16_t done = 0;

			/* The ring may be full: resend only the rest. */
			while (done < 2)
				done += rte_eth_tx_burst(port_b, 0, m + done,
					(uint16_t)(2 - done));
			sent++;
		}
		/* Every other round lets the poller see the session's
		 * frames; the others destroy it while they are in flight. */
		if (round & 1)
			while (poller_seen(&p) < 2u * sent)
				rte_pause();
		/* Waits for the poller: nothing reads the session after. */
		ck_assert_int_eq(rte_security_session_destroy(
			ss_swnic_sec_ctx(d2), t.ses), 0);
	}
	/* Let the ring run dry. */
	while (poller_seen(&p) < 2u * sent)
		rte_pause();
	p.stop = true;
	pthread_join(th, NULL);
	ck_assert_uint_eq(p.wrong, 0);
	ck_assert_uint_eq(p.ok_g, sent);
	ck_assert_uint_eq(p.ok_n + p.untouched, sent);
	ck_assert_uint_ge(p.ok_n, 150 * 4);
	ss_swnic_sec_stats_get(d2, &st);
	ck_assert_uint_eq(st.rx_decrypted, p.ok_g + p.ok_n);
	ck_assert_uint_eq(st.rx_no_session, p.untouched);
	ck_assert_uint_eq(st.rx_auth_failed, 0);
	ck_assert_int_eq(rte_security_session_destroy(ss_swnic_sec_ctx(d2),
		g.ses), 0);
	ss_swnic_sec_free(d2);
	rte_free(p.qs);
}
END_TEST

/* ---- runner ----------------------------------------------------------- */

/* Configured and started as an application would (net_ring takes its
 * queues back from the rings it was made with). */
static int
port_up(uint16_t p)
{
	struct rte_eth_conf conf;

	memset(&conf, 0, sizeof(conf));
	if (rte_eth_dev_configure(p, 1, 1, &conf) != 0 ||
			rte_eth_rx_queue_setup(p, 0, 256, SOCKET_ID_ANY, NULL,
				ss_test_pool(2048)) != 0 ||
			rte_eth_tx_queue_setup(p, 0, 256, SOCKET_ID_ANY,
				NULL) != 0)
		return -1;
	return rte_eth_dev_start(p);
}

/* Two ports on two rings, crossed: a wire. */
static int
ports_make(void)
{
	struct rte_ring *ab, *ba;
	int a, b;

	ab = rte_ring_create("sws_ab", 256, SOCKET_ID_ANY,
		RING_F_SP_ENQ | RING_F_SC_DEQ);
	ba = rte_ring_create("sws_ba", 256, SOCKET_ID_ANY,
		RING_F_SP_ENQ | RING_F_SC_DEQ);
	if (ab == NULL || ba == NULL)
		return -1;
	a = rte_eth_from_rings("sws_a", &ba, 1, &ab, 1, SOCKET_ID_ANY);
	b = rte_eth_from_rings("sws_b", &ab, 1, &ba, 1, SOCKET_ID_ANY);
	if (a < 0 || b < 0)
		return -1;
	port_a = (uint16_t)a;
	port_b = (uint16_t)b;
	return port_up(port_a) == 0 && port_up(port_b) == 0 ? 0 : -1;
}

static void
setup(void)
{
	const struct ss_swnic_sec_conf c = {
		.max_sessions = 128,
		.socket = SOCKET_ID_ANY,
		.gcm_dev = ss_crypto_dev_gcm(),
		.mb_dev = ss_crypto_dev_mb(),
	};

	dev = ss_swnic_sec_create(&c);
	ck_assert_ptr_nonnull(dev);
	ctx = ss_swnic_sec_ctx(dev);
	ck_assert_ptr_nonnull(ctx);
	if (sess_pool == NULL)
		sess_pool = rte_mempool_create("sws_sess", 256,
			rte_security_session_get_size(ctx), 0, 0, NULL, NULL,
			NULL, NULL, SOCKET_ID_ANY, 0);
	ck_assert_ptr_nonnull(sess_pool);
	ck_assert_int_eq(ss_swnic_sec_attach(dev, port_a), 0);
	ck_assert_int_eq(ss_swnic_sec_attach(dev, port_a), -EEXIST);
	drain(port_a);
	drain(port_b);
}

static void
teardown(void)
{
	drain(port_a);
	drain(port_b);
	ss_swnic_sec_free(dev);
	dev = NULL;
	ctx = NULL;
}

static Suite *
swnic_sec_suite(void)
{
	Suite *s = suite_create("swnic_sec");
	TCase *tc = tcase_create("swnic_sec");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_caps);
	tcase_add_loop_test(tc, test_egress, 0, RTE_DIM(eg_cases));
	tcase_add_test(tc, test_egress_burst);
	tcase_add_loop_test(tc, test_ingress, 0, RTE_DIM(in_cases));
	tcase_add_loop_test(tc, test_ingress_burst, 0, 3);
	tcase_add_test(tc, test_ingress_other);
	tcase_add_test(tc, test_refuse);
	tcase_add_test(tc, test_max_sessions);
	tcase_add_test(tc, test_tx_no_session);
	tcase_add_test(tc, test_destroy);
	tcase_add_test(tc, test_spi_table);
	tcase_add_test(tc, test_rcu);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr;
	int failed;

	ss_test_eal_init(NULL);
	if (ss_esp_crypto_init(SOCKET_ID_ANY, 1) != 0) {
		fprintf(stderr, "no crypto devices\n");
		return EXIT_FAILURE;
	}
	if (ports_make() != 0) {
		fprintf(stderr, "no ring ports\n");
		return EXIT_FAILURE;
	}
	sr = srunner_create(swnic_sec_suite());
	srunner_set_fork_status(sr, CK_NOFORK);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	rte_eth_dev_stop(port_a);
	rte_eth_dev_stop(port_b);
	rte_eth_dev_close(port_a);
	rte_eth_dev_close(port_b);
	rte_mempool_free(sess_pool);
	ss_esp_crypto_fini();
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
