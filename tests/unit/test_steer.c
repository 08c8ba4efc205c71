/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 shardsec authors
 */

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <rte_byteorder.h>
#include <rte_ethdev.h>
#include <rte_cycles.h>
#include <rte_mbuf.h>
#include <rte_random.h>
#include <rte_thash.h>

#include "ss_steer.h"
#include "ss_test.h"

/* ---- packet builder ------------------------------------------------ */

struct tuple {
	int v6;
	uint8_t src[16], dst[16];
	uint8_t proto;
};

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static void
put32(uint8_t *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p + 2, v & 0xffff);
}

/* Ethernet + IP(v4/v6) + l4[0..l4len); ip_len_cut shortens the length the
 * IP header claims (0: exact). Data starts at Ethernet, l2_len = 14. */
static struct rte_mbuf *
mk_pkt(const struct tuple *t, const uint8_t *l4, uint16_t l4len,
	uint16_t ip_len_cut)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(ss_test_pool(1024));
	const uint16_t iphl = t->v6 ? 40 : 20;
	uint8_t *p;

	ck_assert_ptr_nonnull(m);
	p = (uint8_t *)rte_pktmbuf_append(m, 14 + iphl + l4len);
	ck_assert_ptr_nonnull(p);
	memset(p, 0, 14 + iphl);
	put16(p + 12, t->v6 ? 0x86dd : 0x0800);
	p += 14;
	if (t->v6) {
		p[0] = 0x60;
		put16(p + 4, l4len - ip_len_cut);
		p[6] = t->proto;
		p[7] = 64;
		memcpy(p + 8, t->src, 16);
		memcpy(p + 24, t->dst, 16);
	} else {
		p[0] = 0x45;
		put16(p + 2, 20 + l4len - ip_len_cut);
		p[8] = 64;
		p[9] = t->proto;
		memcpy(p + 12, t->src, 4);
		memcpy(p + 16, t->dst, 4);
	}
	memcpy(p + iphl, l4, l4len);
	m->l2_len = 14;
	m->l3_len = iphl;
	m->packet_type = RTE_PTYPE_L2_ETHER | (t->v6 ? RTE_PTYPE_L3_IPV6 :
		RTE_PTYPE_L3_IPV4);
	return m;
}

static uint16_t
mk_udp(uint8_t *b, uint16_t sport, uint16_t dport, const uint8_t *pl,
	uint16_t plen)
{
	put16(b, sport);
	put16(b + 2, dport);
	put16(b + 4, 8 + plen);
	put16(b + 6, 0);
	memcpy(b + 8, pl, plen);
	return 8 + plen;
}

static void
tuple_v4(struct tuple *t, uint32_t s, uint32_t d, uint8_t proto)
{
	memset(t, 0, sizeof(*t));
	put32(t->src, s);
	put32(t->dst, d);
	t->proto = proto;
}

static void
tuple_v6(struct tuple *t, uint8_t s_last, uint8_t d_last, uint8_t proto)
{
	static const uint8_t base[16] = { 0x20, 0x01, 0x0d, 0xb8 };

	memset(t, 0, sizeof(*t));
	t->v6 = 1;
	memcpy(t->src, base, 16);
	memcpy(t->dst, base, 16);
	t->src[15] = s_last;
	t->dst[15] = d_last;
	t->proto = proto;
}

/* The L3 form of the flag, as lib/esp promises it for inner packets
 * (data at the IPv4 header, IHL 5, pkt_len == data_len == total length
 * >= 20), holds for m but for l2_len. */
static bool
ip4_checked_l3_ok(const struct rte_mbuf *m)
{
	const uint8_t *ip = rte_pktmbuf_mtod(m, const uint8_t *);
	uint16_t tot;

	if (m->data_len != m->pkt_len || m->pkt_len < 20 || ip[0] != 0x45)
		return false;
	tot = (uint16_t)(ip[2] << 8 | ip[3]);
	return tot >= 20 && m->pkt_len == tot;
}

/* Classify m (data at L3) as an inner packet without the flag; where
 * its L3 form holds, again with it (l2_len 0: trusted; l2_len 14: not):
 * the same owner, kind and counters each time. Returns the kind, owner
 * through *owner, counters added to *st; *checked counts the packets
 * that went through the trusted branch. */
static uint8_t
classify_inner1(const struct ss_steer_ctx *ctx, struct rte_mbuf *m,
	uint16_t *owner, struct ss_steer_stats *st, unsigned int *checked)
{
	const uint16_t l2 = m->l2_len;
	struct ss_steer_stats s1, s2;
	uint8_t kind = 0xee, k2;
	uint16_t o2;
	unsigned int pass;

	memset(&s1, 0, sizeof(s1));
	m->packet_type &= ~SS_STEER_PTYPE_IP4_CHECKED;
	ss_steer_classify_inner_burst(ctx, &m, 1, owner, &kind, &s1);
	for (pass = 0; pass < 2 && ip4_checked_l3_ok(m); pass++) {
		m->packet_type |= SS_STEER_PTYPE_IP4_CHECKED;
		m->l2_len = pass == 0 ? 0 : 14;
		memset(&s2, 0, sizeof(s2));
		k2 = 0xee;
		ss_steer_classify_inner_burst(ctx, &m, 1, &o2, &k2, &s2);
		ck_assert_uint_eq(k2, kind);
		ck_assert_uint_eq(o2, *owner);
		ck_assert_mem_eq(&s1, &s2, sizeof(s1));
		*checked += pass == 0;
	}
	m->packet_type &= ~SS_STEER_PTYPE_IP4_CHECKED;
	m->l2_len = l2;
	if (st != NULL)
		*st = s1;
	return kind;
}

/* What ss_steer_classify_burst_l4 read of the last packet classify1
 * took. */
static struct ss_steer_l4 last_l4;

/* Classify one packet, free it, return kind; owner through *owner.
 * ss_steer_classify_burst_l4 decides the same (its transport header in
 * last_l4). Where the IPv4 header is as classification's flag promises,
 * the packet is classified with the flag too: same owner, kind, counters,
 * and (_l4) the same transport header.
 * A packet at L2 (l2_len 14, one segment) is then classified as an
 * inner packet from its IP header on, with and without the flag's L3
 * form: the same again. */
static uint8_t
classify1(const struct ss_steer_ctx *ctx, struct rte_mbuf *m,
	uint16_t *owner, struct ss_steer_stats *st)
{
	struct ss_steer_stats s1, s2;
	uint8_t kind = 0xee, k2 = 0xee;
	uint16_t o2;
	unsigned int i, checked = 0;

	memset(&s1, 0, sizeof(s1));
	memset(&s2, 0, sizeof(s2));
	m->packet_type &= ~SS_STEER_PTYPE_IP4_CHECKED;
	ss_steer_classify_burst(ctx, &m, 1, owner, &kind, &s1);
	memset(&last_l4, 0xee, sizeof(last_l4));
	ss_steer_classify_burst_l4(ctx, &m, 1, &o2, &k2, &last_l4, &s2);
	ck_assert_uint_eq(k2, kind);
	ck_assert_uint_eq(o2, *owner);
	ck_assert_mem_eq(&s1, &s2, sizeof(s1));
	if (ss_test_ip4_checked_ok(m)) {
		struct ss_steer_l4 l4c;

		m->packet_type |= SS_STEER_PTYPE_IP4_CHECKED;
		memset(&s2, 0, sizeof(s2));
		ss_steer_classify_burst(ctx, &m, 1, &o2, &k2, &s2);
		ck_assert_uint_eq(k2, kind);
		ck_assert_uint_eq(o2, *owner);
		ck_assert_mem_eq(&s1, &s2, sizeof(s1));
		memset(&s2, 0, sizeof(s2));
		memset(&l4c, 0xee, sizeof(l4c));
		ss_steer_classify_burst_l4(ctx, &m, 1, &o2, &k2, &l4c, &s2);
		ck_assert_uint_eq(k2, kind);
		ck_assert_uint_eq(o2, *owner);
		ck_assert_mem_eq(&s1, &s2, sizeof(s1));
		if (kind != SS_STEER_BAD)
			ck_assert_mem_eq(&l4c, &last_l4, sizeof(l4c));
		memset(&s2, 0, sizeof(s2));
	}
	if (m->l2_len == 14 && m->nb_segs == 1 && m->data_len >= 14) {
		rte_pktmbuf_adj(m, 14);
		k2 = classify_inner1(ctx, m, &o2, &s2, &checked);
		ck_assert_uint_eq(k2, kind);
		ck_assert_uint_eq(o2, *owner);
		ck_assert_mem_eq(&s1, &s2, sizeof(s1));
	}
	if (st != NULL) {
		for (i = 0; i < SS_STEER_KIND_MAX; i++)
			st->kind[i] += s1.kind[i];
		st->noid_gtpu += s1.noid_gtpu;
		st->noid_sctp += s1.noid_sctp;
		st->unknown_id += s1.unknown_id;
	}
	rte_pktmbuf_free(m);
	return kind;
}

/* ---- codec --------------------------------------------------------- */

START_TEST(test_codec_roundtrip)
{
	static const uint32_t fixed[] = { 0, 1, 255, 256, 0x7fffffff,
		0x80000000, 0xffffffff, 0x12345678 };
	unsigned int bits, id, r;

	for (bits = 1; bits <= 8; bits++) {
		for (id = 0; id < (1u << bits); id++) {
			for (r = 0; r < RTE_DIM(fixed) + 64; r++) {
				const uint32_t v = r < RTE_DIM(fixed) ?
					fixed[r] : (uint32_t)rte_rand();
				const uint32_t e = ss_steer_id_set(v, id, bits);

				ck_assert_uint_eq(ss_steer_id_get(e, bits), id);
				/* low bits untouched */
				ck_assert_uint_eq(e & (UINT32_MAX >> bits),
					v & (UINT32_MAX >> bits));
				/* id is the top bits, nowhere else */
				ck_assert_uint_eq(e >> (32 - bits), id);
			}
		}
	}
}
END_TEST

START_TEST(test_codec_reserved)
{
	static const uint32_t fixed[] = { 0, 1, 255, 256, 0xff, 0x100,
		0xffffffff, 0x00ffffff };
	unsigned int bits, id, r;

	for (bits = 1; bits <= 8; bits++) {
		for (id = 0; id < (1u << bits); id++) {
			for (r = 0; r < RTE_DIM(fixed) + 256; r++) {
				/* small randoms too: id 0 is the risky one */
				const uint32_t v = r < RTE_DIM(fixed) ?
					fixed[r] : r < 128 ? r :
					(uint32_t)rte_rand();
				const uint32_t spi = ss_steer_spi_make(id,
					bits, v);
				const uint32_t teid = ss_steer_teid_make(id,
					bits, v);
				const uint32_t tag = ss_steer_vtag_make(id,
					bits, v);

				ck_assert_uint_ge(spi, 256);
				ck_assert_uint_ne(teid, 0);
				ck_assert_uint_ne(tag, 0);
				ck_assert_uint_eq(ss_steer_id_get(spi, bits),
					id);
				ck_assert_uint_eq(ss_steer_id_get(teid, bits),
					id);
				ck_assert_uint_eq(ss_steer_id_get(tag, bits),
					id);
			}
		}
	}
	/* the fix is deterministic */
	ck_assert_uint_eq(ss_steer_spi_make(0, 8, 5),
		ss_steer_spi_make(0, 8, 5));
	ck_assert_uint_eq(ss_steer_teid_make(0, 4, 0),
		ss_steer_teid_make(0, 4, 0));
}
END_TEST

START_TEST(test_ctx_create)
{
	const uint16_t dup[] = { 1, 2, 1 };
	const uint16_t big[] = { 16 };
	const uint16_t ok[] = { 3, 7, 12, 0 };
	struct ss_steer_ctx *ctx;
	unsigned int id;

	ck_assert_ptr_null(ss_steer_ctx_create(4, dup, 3));
	ck_assert_ptr_null(ss_steer_ctx_create(4, big, 1));
	ck_assert_ptr_null(ss_steer_ctx_create(0, ok, 4));
	ck_assert_ptr_null(ss_steer_ctx_create(9, ok, 4));
	ck_assert_ptr_null(ss_steer_ctx_create(4, ok, 0));
	ctx = ss_steer_ctx_create(4, ok, 4);
	ck_assert_ptr_nonnull(ctx);
	for (id = 0; id < 16; id++) {
		uint16_t want = SS_STEER_OWNER_NONE;
		unsigned int i;

		for (i = 0; i < 4; i++)
			if (ok[i] == id)
				want = i;
		ck_assert_uint_eq(ss_steer_lookup(ctx, id), want);
	}
	ck_assert_uint_eq(ss_steer_lookup(ctx, 300), SS_STEER_OWNER_NONE);
	ck_assert_int_eq(ss_steer_hash_map_set(ctx, 4, 0), -EINVAL);
	ck_assert_int_eq(ss_steer_hash_map_set(ctx, 0, 4), -EINVAL);
	ss_steer_ctx_free(ctx);
}
END_TEST

/* ---- classification ------------------------------------------------ */

static struct ss_steer_ctx *
ctx4(void)
{
	/* bits 4: server i has id 3, 7, 12, 0 */
	static const uint16_t ids[] = { 3, 7, 12, 0 };
	struct ss_steer_ctx *ctx = ss_steer_ctx_create(4, ids, 4);

	ck_assert_ptr_nonnull(ctx);
	return ctx;
}

START_TEST(test_classify_esp)
{
	struct ss_steer_ctx *ctx = ctx4();
	struct ss_steer_stats st;
	uint8_t l4[64], pl[32];
	struct tuple t;
	uint16_t owner, len;
	int v6;

	memset(&st, 0, sizeof(st));
	memset(pl, 0xab, sizeof(pl));
	for (v6 = 0; v6 <= 1; v6++) {
		/* proto 50, SPI with id 7 -> server 1 */
		if (v6)
			tuple_v6(&t, 1, 2, 50);
		else
			tuple_v4(&t, 0xc0000201, 0xcb007101, 50);
		memset(l4, 0x11, sizeof(l4));
		put32(l4, ss_steer_spi_make(7, 4, 0x123456));
		ck_assert_uint_eq(classify1(ctx, mk_pkt(&t, l4, 40, 0),
			&owner, &st), SS_STEER_ESP);
		ck_assert_uint_eq(owner, 1);
		/* id 12 -> server 2 */
		put32(l4, ss_steer_spi_make(12, 4, 0xfff));
		ck_assert_uint_eq(classify1(ctx, mk_pkt(&t, l4, 40, 0),
			&owner, &st), SS_STEER_ESP);
		ck_assert_uint_eq(owner, 2);
		/* id 5 not configured */
		put32(l4, ss_steer_spi_make(5, 4, 0xfff));
		ck_assert_uint_eq(classify1(ctx, mk_pkt(&t, l4, 40, 0),
			&owner, &st), SS_STEER_ESP);
		ck_assert_uint_eq(owner, SS_STEER_OWNER_NONE);
		/* ESP shorter than SPI + seq: bad */
		ck_assert_uint_eq(classify1(ctx, mk_pkt(&t, l4, 7, 0),
			&owner, &st), SS_STEER_BAD);
		ck_assert_uint_eq(owner, SS_STEER_OWNER_NONE);

		/* UDP 4500, non-zero marker: ESP, id 3 -> server 0 */
		t.proto = 17;
		put32(pl, ss_steer_spi_make(3, 4, 77));
		len = mk_udp(l4, 4500, 4500, pl, 32);
		ck_assert_uint_eq(classify1(ctx, mk_pkt(&t, l4, len, 0),
			&owner, &st), SS_STEER_ESP);
		ck_assert_uint_eq(owner, 0);
		/* NAT port on the source side: still ESP (dst 4500) */
		len = mk_udp(l4, 31000, 4500, pl, 32);
		ck_assert_uint_eq(classify1(ctx, mk_pkt(&t, l4, len, 0),
			&owner, &st), SS_STEER_ESP);
		ck_assert_uint_eq(owner, 0);
		/* non-ESP marker (IKE): hashed */
		put32(pl, 0);
		len = mk_udp(l4, 4500, 4500, pl, 32);
		ck_assert_uint_eq(classify1(ctx, mk_pkt(&t, l4, len, 0),
			&owner, &st), SS_STEER_HASH);
		ck_assert_uint_lt(owner, 4);
		/* NAT keepalive: one 0xff byte: hashed */
		pl[0] = 0xff;
		len = mk_udp(l4, 4500, 4500, pl, 1);
		ck_assert_uint_eq(classify1(ctx, mk_pkt(&t, l4, len, 0),
			&owner, &st), SS_STEER_HASH);
		ck_assert_uint_lt(owner, 4);
		/* UDP header cut by the IP length: bad */
		len = mk_udp(l4, 4500, 4500, pl, 1);
		ck_assert_uint_eq(classify1(ctx, mk_pkt(&t, l4, len, 3),
			&owner, &st), SS_STEER_BAD);
	}
	ck_assert_uint_eq(st.kind[SS_STEER_ESP], 10);
	ck_assert_uint_eq(st.kind[SS_STEER_HASH], 4);
	ck_assert_uint_eq(st.kind[SS_STEER_BAD], 4);
	ck_assert_uint_eq(st.unknown_id, 2);
	ss_steer_ctx_free(ctx);
}
END_TEST

static uint16_t
mk_gtpu(uint8_t *b, uint16_t sport, uint16_t dport, uint8_t flags,
	uint8_t type, uint32_t teid)
{
	uint8_t g[28];

	memset(g, 0x45, sizeof(g));
	g[0] = flags;
	g[1] = type;
	put16(g + 2, 20);
	put32(g + 4, teid);
	return mk_udp(b, sport, dport, g, sizeof(g));
}

START_TEST(test_classify_gtpu)
{
	struct ss_steer_ctx *ctx = ctx4();
	struct ss_steer_stats st;
	uint8_t l4[64];
	struct tuple t;
	uint16_t owner, len;
	int v6;

	memset(&st, 0, sizeof(st));
	for (v6 = 0; v6 <= 1; v6++) {
		if (v6)
			tuple_v6(&t, 9, 10, 17);
		else
			tuple_v4(&t, 0x0a000001, 0x0a000002, 17);
		/* G-PDU, id 0 -> server 3; dst 2152 then src 2152 */
		len = mk_gtpu(l4, 2152, 2152, 0x30, 0xff,
			ss_steer_teid_make(0, 4, 0x42));
		ck_assert_uint_eq(classify1(ctx, mk_pkt(&t, l4, len, 0),
			&owner, &st), SS_STEER_GTPU);
		ck_assert_uint_eq(owner, 3);
		len = mk_gtpu(l4, 2152, 40000, 0x32, 0xff,
			ss_steer_teid_make(12, 4, 0x42));
		ck_assert_uint_eq(classify1(ctx, mk_pkt(&t, l4, len, 0),
			&owner, &st), SS_STEER_GTPU);
		ck_assert_uint_eq(owner, 2);
		/* echo request (type 1, TEID 0): hashed, noid */
		len = mk_gtpu(l4, 2152, 2152, 0x32, 1, 0);
		ck_assert_uint_eq(classify1(ctx, mk_pkt(&t, l4, len, 0),
			&owner, &st), SS_STEER_HASH);
		ck_assert_uint_lt(owner, 4);
		/* G-PDU with TEID 0: hashed, noid */
		len = mk_gtpu(l4, 2152, 2152, 0x30, 0xff, 0);
		ck_assert_uint_eq(classify1(ctx, mk_pkt(&t, l4, len, 0),
			&owner, &st), SS_STEER_HASH);
		/* GTP' (PT 0) and version 2: not GTP-U G-PDU */
		len = mk_gtpu(l4, 2152, 2152, 0x20, 0xff, 0x30000000);
		ck_assert_uint_eq(classify1(ctx, mk_pkt(&t, l4, len, 0),
			&owner, &st), SS_STEER_HASH);
		len = mk_gtpu(l4, 2152, 2152, 0x50, 0xff, 0x30000000);
		ck_assert_uint_eq(classify1(ctx, mk_pkt(&t, l4, len, 0),
			&owner, &st), SS_STEER_HASH);
		/* GTP-U header cut short: bad */
		len = mk_gtpu(l4, 2152, 2152, 0x30, 0xff, 0x30000000);
		ck_assert_uint_eq(classify1(ctx, mk_pkt(&t, l4, 8 + 7, 0),
			&owner, &st), SS_STEER_BAD);
		/* ... by the IP length too */
		ck_assert_uint_eq(classify1(ctx, mk_pkt(&t, l4, len,
			len - 15), &owner, &st), SS_STEER_BAD);
	}
	ck_assert_uint_eq(st.kind[SS_STEER_GTPU], 4);
	ck_assert_uint_eq(st.kind[SS_STEER_HASH], 8);
	ck_assert_uint_eq(st.noid_gtpu, 8);
	ck_assert_uint_eq(st.kind[SS_STEER_BAD], 4);
	ck_assert_uint_eq(st.unknown_id, 0);
	ss_steer_ctx_free(ctx);
}
END_TEST

START_TEST(test_classify_sctp)
{
	struct ss_steer_ctx *ctx = ctx4();
	struct ss_steer_stats st;
	uint8_t l4[64];
	struct tuple t;
	uint16_t owner;
	int v6;

	memset(&st, 0, sizeof(st));
	memset(l4, 0, sizeof(l4));
	for (v6 = 0; v6 <= 1; v6++) {
		if (v6)
			tuple_v6(&t, 3, 4, 132);
		else
			tuple_v4(&t, 0x0a000003, 0x0a000004, 132);
		put16(l4, 36412);
		put16(l4 + 2, 36412);
		put32(l4 + 4, ss_steer_vtag_make(7, 4, 99));
		ck_assert_uint_eq(classify1(ctx, mk_pkt(&t, l4, 28, 0),
			&owner, &st), SS_STEER_SCTP);
		ck_assert_uint_eq(owner, 1);
		/* unknown id 1 */
		put32(l4 + 4, ss_steer_vtag_make(1, 4, 99));
		ck_assert_uint_eq(classify1(ctx, mk_pkt(&t, l4, 28, 0),
			&owner, &st), SS_STEER_SCTP);
		ck_assert_uint_eq(owner, SS_STEER_OWNER_NONE);
		/* INIT: vtag 0 -> hashed, noid */
		put32(l4 + 4, 0);
		ck_assert_uint_eq(classify1(ctx, mk_pkt(&t, l4, 28, 0),
			&owner, &st), SS_STEER_HASH);
		ck_assert_uint_lt(owner, 4);
		/* common header truncated */
		ck_assert_uint_eq(classify1(ctx, mk_pkt(&t, l4, 11, 0),
			&owner, &st), SS_STEER_BAD);
	}
	ck_assert_uint_eq(st.kind[SS_STEER_SCTP], 4);
	ck_assert_uint_eq(st.kind[SS_STEER_HASH], 2);
	ck_assert_uint_eq(st.noid_sctp, 2);
	ck_assert_uint_eq(st.kind[SS_STEER_BAD], 2);
	ck_assert_uint_eq(st.unknown_id, 2);
	ss_steer_ctx_free(ctx);
}
END_TEST

START_TEST(test_classify_plain_and_bad)
{
	struct ss_steer_ctx *ctx = ctx4();
	struct ss_steer_stats st;
	struct rte_mbuf *m;
	uint8_t l4[64], pl[16];
	struct tuple t;
	uint16_t owner, len;
	int v6;

	memset(&st, 0, sizeof(st));
	memset(l4, 0, sizeof(l4));
	memset(pl, 0, sizeof(pl));
	for (v6 = 0; v6 <= 1; v6++) {
		if (v6)
			tuple_v6(&t, 5, 6, 17);
		else
			tuple_v4(&t, 0x0a000005, 0x0a000006, 17);
		len = mk_udp(l4, 1234, 53, pl, 16);
		ck_assert_uint_eq(classify1(ctx, mk_pkt(&t, l4, len, 0),
			&owner, &st), SS_STEER_HASH);
		ck_assert_uint_lt(owner, 4);
		/* UDP header truncated */
		ck_assert_uint_eq(classify1(ctx, mk_pkt(&t, l4, 7, 0),
			&owner, &st), SS_STEER_BAD);
		/* TCP */
		t.proto = 6;
		put16(l4, 40000);
		put16(l4 + 2, 80);
		l4[12] = 0x50;
		ck_assert_uint_eq(classify1(ctx, mk_pkt(&t, l4, 20, 0),
			&owner, &st), SS_STEER_HASH);
		ck_assert_uint_lt(owner, 4);
		/* TCP header truncated */
		ck_assert_uint_eq(classify1(ctx, mk_pkt(&t, l4, 19, 0),
			&owner, &st), SS_STEER_BAD);
		/* ICMP: hashed on addresses */
		t.proto = v6 ? 58 : 1;
		ck_assert_uint_eq(classify1(ctx, mk_pkt(&t, l4, 8, 0),
			&owner, &st), SS_STEER_HASH);
		/* IP length beyond the frame */
		m = mk_pkt(&t, l4, 8, 0);
		rte_pktmbuf_trim(m, 1);
		ck_assert_uint_eq(classify1(ctx, m, &owner, &st),
			SS_STEER_BAD);
		/* IP header itself truncated */
		m = mk_pkt(&t, l4, 8, 0);
		rte_pktmbuf_trim(m, m->pkt_len - 14 - 10);
		ck_assert_uint_eq(classify1(ctx, m, &owner, &st),
			SS_STEER_BAD);
		ck_assert_uint_eq(owner, SS_STEER_OWNER_NONE);
	}
	/* not IP at all (version 5) */
	tuple_v4(&t, 1, 2, 17);
	m = mk_pkt(&t, l4, 8, 0);
	*rte_pktmbuf_mtod_offset(m, uint8_t *, 14) = 0x55;
	ck_assert_uint_eq(classify1(ctx, m, &owner, &st), SS_STEER_BAD);
	/* IPv4 IHL < 5 */
	m = mk_pkt(&t, l4, 8, 0);
	*rte_pktmbuf_mtod_offset(m, uint8_t *, 14) = 0x44;
	ck_assert_uint_eq(classify1(ctx, m, &owner, &st), SS_STEER_BAD);
	ck_assert_uint_eq(st.kind[SS_STEER_HASH], 6);
	ck_assert_uint_eq(st.kind[SS_STEER_BAD], 10);
	ss_steer_ctx_free(ctx);
}
END_TEST

/* One server: every hashed packet is its own (the hash is not even
 * computed), while kinds, bad headers and unknown ids are told apart
 * and counted exactly as with four servers. */
START_TEST(test_one_server)
{
	static const uint16_t one[] = { 7 };
	struct ss_steer_ctx *c1 = ss_steer_ctx_create(4, one, 1);
	struct ss_steer_ctx *c4 = ctx4();
	struct ss_steer_stats s1, s4;
	uint8_t l4[64], pl[16];
	struct tuple t;
	uint16_t o1, o4, len;
	unsigned int i;

	ck_assert_ptr_nonnull(c1);
	memset(&s1, 0, sizeof(s1));
	memset(&s4, 0, sizeof(s4));
	memset(pl, 0x5a, sizeof(pl));
	for (i = 0; i < 600; i++) {
		const uint8_t protos[] = { 17, 6, 1, 50, 132, 47 };
		uint8_t k1, k4;

		if (i % 2)
			tuple_v6(&t, (uint8_t)rte_rand(), (uint8_t)rte_rand(),
				protos[i % 6]);
		else
			tuple_v4(&t, (uint32_t)rte_rand(),
				(uint32_t)rte_rand(), protos[i % 6]);
		memset(l4, 0, sizeof(l4));
		len = mk_udp(l4, (uint16_t)rte_rand(), (uint16_t)rte_rand(),
			pl, sizeof(pl));
		if (t.proto == 50 || t.proto == 132)
			/* SPI / verification tag: id 7 (server 0 of c1,
			 * server 1 of c4), 12 (c4 only) or 0 */
			put32(l4 + (t.proto == 50 ? 0 : 4),
				i % 3 == 2 ? 0 : ss_steer_spi_make(
				i % 3 ? 12 : 7, 4, (uint32_t)rte_rand()));
		if (i % 7 == 0)
			len = 3;	/* truncated L4 header: bad */
		k1 = classify1(c1, mk_pkt(&t, l4, len, 0), &o1, &s1);
		k4 = classify1(c4, mk_pkt(&t, l4, len, 0), &o4, &s4);
		ck_assert_uint_eq(k1, k4);
		if (k1 == SS_STEER_HASH)
			ck_assert_uint_eq(o1, 0);
		else if (k1 == SS_STEER_BAD)
			ck_assert_uint_eq(o1, SS_STEER_OWNER_NONE);
		else if (o4 == 1)
			ck_assert_uint_eq(o1, 0);
		else
			ck_assert_uint_eq(o1, SS_STEER_OWNER_NONE);
	}
	ck_assert_uint_gt(s1.kind[SS_STEER_HASH], 0);
	ck_assert_uint_gt(s1.kind[SS_STEER_ESP], 0);
	ck_assert_uint_gt(s1.kind[SS_STEER_SCTP], 0);
	ck_assert_uint_gt(s1.kind[SS_STEER_BAD], 0);
	ck_assert_mem_eq(s1.kind, s4.kind, sizeof(s1.kind));
	/* 12 is a server of c4 only */
	ck_assert_uint_gt(s1.unknown_id, s4.unknown_id);
	ss_steer_ctx_free(c1);
	ss_steer_ctx_free(c4);
}
END_TEST

/* Fragments of one datagram all go where the first one goes; IPv6
 * extension headers are walked to reach the SPI. */
START_TEST(test_classify_frag_ext)
{
	struct ss_steer_ctx *ctx = ctx4();
	struct rte_mbuf *m;
	uint8_t l4[64], *ip;
	struct tuple t;
	uint16_t owner, first;
	unsigned int i;

	memset(l4, 0, sizeof(l4));
	for (i = 0; i < 64; i++) {
		tuple_v4(&t, 0x0a000000 + i, 0x0b000000 + 7 * i, 17);
		put16(l4, 1000 + i);
		put16(l4 + 2, 2000 + i);
		/* first fragment (MF) */
		m = mk_pkt(&t, l4, 24, 0);
		ip = rte_pktmbuf_mtod_offset(m, uint8_t *, 14);
		put16(ip + 6, 0x2000);
		ck_assert_uint_eq(classify1(ctx, m, &first, NULL),
			SS_STEER_HASH);
		/* a later fragment: no ports in it */
		memset(l4, 0x99, 8);
		m = mk_pkt(&t, l4, 24, 0);
		ip = rte_pktmbuf_mtod_offset(m, uint8_t *, 14);
		put16(ip + 6, 3);
		ck_assert_uint_eq(classify1(ctx, m, &owner, NULL),
			SS_STEER_HASH);
		ck_assert_uint_eq(owner, first);
	}
	/* IPv6: hop-by-hop + destination options, then ESP id 12 */
	tuple_v6(&t, 1, 2, 0);
	memset(l4, 0, sizeof(l4));
	l4[0] = 60;		/* next: dstopts */
	l4[1] = 0;		/* 8 bytes */
	l4[8] = 50;		/* next: ESP */
	l4[9] = 1;		/* 16 bytes */
	put32(l4 + 24, ss_steer_spi_make(12, 4, 5));
	ck_assert_uint_eq(classify1(ctx, mk_pkt(&t, l4, 40, 0), &owner, NULL),
		SS_STEER_ESP);
	ck_assert_uint_eq(owner, 2);
	/* extension header running past the packet */
	l4[9] = 200;
	ck_assert_uint_eq(classify1(ctx, mk_pkt(&t, l4, 40, 0), &owner, NULL),
		SS_STEER_BAD);
	ss_steer_ctx_free(ctx);
}
END_TEST

/* What ss_steer_classify_burst_l4 tells of the transport header: the
 * protocol after extension headers, ports in host order, UDP, IKE (500,
 * or 4500 with the zero marker) and fragments. */
START_TEST(test_classify_l4)
{
	static const uint8_t zero[8], keepalive[1] = { 0xff };
	struct ss_steer_ctx *ctx = ctx4();
	uint8_t l4[64], pl[16];
	struct rte_mbuf *m;
	struct tuple t;
	uint16_t owner, len;
	int v6;

	for (v6 = 0; v6 < 2; v6++) {
		if (v6)
			tuple_v6(&t, 1, 2, 17);
		else
			tuple_v4(&t, 0x0a000001, 0x0a000002, 17);
		/* IKE on 500 */
		memset(pl, 0x21, sizeof(pl));
		len = mk_udp(l4, 40000, 500, pl, 16);
		ck_assert_uint_eq(classify1(ctx, mk_pkt(&t, l4, len, 0),
			&owner, NULL), SS_STEER_HASH);
		ck_assert_uint_eq(last_l4.proto, 17);
		ck_assert_uint_eq(last_l4.sport, 40000);
		ck_assert_uint_eq(last_l4.dport, 500);
		ck_assert_uint_eq(last_l4.flags,
			SS_STEER_L4_UDP | SS_STEER_L4_IKE);
		/* on 4500 behind the zero marker; only 4 bytes of it */
		len = mk_udp(l4, 4500, 4500, zero, 8);
		ck_assert_uint_eq(classify1(ctx, mk_pkt(&t, l4, len, 0),
			&owner, NULL), SS_STEER_HASH);
		ck_assert_uint_eq(last_l4.flags,
			SS_STEER_L4_UDP | SS_STEER_L4_IKE);
		len = mk_udp(l4, 4500, 4500, zero, 4);
		classify1(ctx, mk_pkt(&t, l4, len, 0), &owner, NULL);
		ck_assert_uint_eq(last_l4.flags,
			SS_STEER_L4_UDP | SS_STEER_L4_IKE);
		/* a NAT-T keepalive and 3 zero bytes are not IKE */
		len = mk_udp(l4, 4500, 4500, keepalive, 1);
		classify1(ctx, mk_pkt(&t, l4, len, 0), &owner, NULL);
		ck_assert_uint_eq(last_l4.flags, SS_STEER_L4_UDP);
		len = mk_udp(l4, 4500, 4500, zero, 3);
		classify1(ctx, mk_pkt(&t, l4, len, 0), &owner, NULL);
		ck_assert_uint_eq(last_l4.flags, SS_STEER_L4_UDP);
		/* IKE's ports from the other side are not IKE to us */
		len = mk_udp(l4, 500, 40000, pl, 16);
		classify1(ctx, mk_pkt(&t, l4, len, 0), &owner, NULL);
		ck_assert_uint_eq(last_l4.flags, SS_STEER_L4_UDP);
		/* ESP in UDP: by its SPI, and UDP */
		put32(pl, ss_steer_spi_make(7, 4, 99));
		put32(pl + 4, 1);
		len = mk_udp(l4, 4500, 4500, pl, 16);
		ck_assert_uint_eq(classify1(ctx, mk_pkt(&t, l4, len, 0),
			&owner, NULL), SS_STEER_ESP);
		ck_assert_uint_eq(owner, 1);
		ck_assert_uint_eq(last_l4.flags, SS_STEER_L4_UDP);
		ck_assert_uint_eq(last_l4.dport, 4500);
		/* ESP: no ports, no flags */
		t.proto = 50;
		memcpy(l4, pl, 16);
		ck_assert_uint_eq(classify1(ctx, mk_pkt(&t, l4, 16, 0),
			&owner, NULL), SS_STEER_ESP);
		ck_assert_uint_eq(last_l4.proto, 50);
		ck_assert_uint_eq(last_l4.sport, 0);
		ck_assert_uint_eq(last_l4.flags, 0);
		/* TCP: its ports */
		t.proto = 6;
		memset(l4, 0, 20);
		put16(l4, 33000);
		put16(l4 + 2, 443);
		classify1(ctx, mk_pkt(&t, l4, 20, 0), &owner, NULL);
		ck_assert_uint_eq(last_l4.proto, 6);
		ck_assert_uint_eq(last_l4.sport, 33000);
		ck_assert_uint_eq(last_l4.dport, 443);
		ck_assert_uint_eq(last_l4.flags, 0);
		/* ICMP: none */
		t.proto = v6 ? 58 : 1;
		classify1(ctx, mk_pkt(&t, l4, 20, 0), &owner, NULL);
		ck_assert_uint_eq(last_l4.proto, t.proto);
		ck_assert_uint_eq(last_l4.sport, 0);
		ck_assert_uint_eq(last_l4.dport, 0);
	}
	/* IPv4 fragment of IKE: the protocol, no ports, FRAG */
	tuple_v4(&t, 0x0a000001, 0x0a000002, 17);
	len = mk_udp(l4, 40000, 500, pl, 16);
	m = mk_pkt(&t, l4, len, 0);
	put16(rte_pktmbuf_mtod_offset(m, uint8_t *, 14 + 6), 0x2000);
	classify1(ctx, m, &owner, NULL);
	ck_assert_uint_eq(last_l4.proto, 17);
	ck_assert_uint_eq(last_l4.sport, 0);
	ck_assert_uint_eq(last_l4.flags, SS_STEER_L4_FRAG);
	/* IPv6: destination options then UDP 500; a fragment header
	 * (offset 8) then UDP */
	tuple_v6(&t, 1, 2, 60);
	memset(l4, 0, sizeof(l4));
	l4[0] = 17;
	mk_udp(l4 + 8, 40001, 500, pl, 16);
	classify1(ctx, mk_pkt(&t, l4, 8 + 24, 0), &owner, NULL);
	ck_assert_uint_eq(last_l4.proto, 17);
	ck_assert_uint_eq(last_l4.sport, 40001);
	ck_assert_uint_eq(last_l4.flags, SS_STEER_L4_UDP | SS_STEER_L4_IKE);
	t.proto = 44;
	put16(l4 + 2, 8);
	classify1(ctx, mk_pkt(&t, l4, 8 + 24, 0), &owner, NULL);
	ck_assert_uint_eq(last_l4.proto, 17);
	ck_assert_uint_eq(last_l4.dport, 0);
	ck_assert_uint_eq(last_l4.flags, SS_STEER_L4_FRAG);
	ss_steer_ctx_free(ctx);
}
END_TEST

START_TEST(test_hash_symmetric)
{
	struct ss_steer_ctx *ctx = ctx4();
	uint8_t a[16], b[16], l4[32], pl[8];
	struct rte_mbuf *m[2];
	uint16_t owner[2];
	uint8_t kind[2];
	struct tuple t, r;
	unsigned int i, j, diff = 0;

	memset(pl, 0, sizeof(pl));
	for (i = 0; i < 20000; i++) {
		const uint8_t alen = (i & 1) ? 16 : 4;
		const uint16_t sp = rte_rand(), dp = rte_rand();
		const uint8_t proto = rte_rand();

		for (j = 0; j < 16; j++) {
			a[j] = rte_rand();
			b[j] = rte_rand();
		}
		ck_assert_uint_eq(ss_steer_hash_tuple(a, b, alen, sp, dp,
			proto), ss_steer_hash_tuple(b, a, alen, dp, sp, proto));
		diff += ss_steer_hash_tuple(a, b, alen, sp, dp, proto) !=
			ss_steer_hash_tuple(a, b, alen, sp, dp, proto + 1);
	}
	/* proto is part of the hash */
	ck_assert_uint_gt(diff, 19000);
	/* and on real packets, both directions land on one server */
	for (i = 0; i < 2000; i++) {
		const uint16_t sp = rte_rand(), dp = rte_rand();

		if (sp == 4500 || dp == 4500 || sp == 2152 || dp == 2152)
			continue;
		if (i & 1) {
			tuple_v6(&t, 0, 0, 17);
			for (j = 8; j < 16; j++) {
				t.src[j] = rte_rand();
				t.dst[j] = rte_rand();
			}
		} else {
			tuple_v4(&t, rte_rand(), rte_rand(), 17);
		}
		r = t;
		memcpy(r.src, t.dst, 16);
		memcpy(r.dst, t.src, 16);
		mk_udp(l4, sp, dp, pl, 8);
		m[0] = mk_pkt(&t, l4, 16, 0);
		mk_udp(l4, dp, sp, pl, 8);
		m[1] = mk_pkt(&r, l4, 16, 0);
		ss_steer_classify_burst(ctx, m, 2, owner, kind, NULL);
		ck_assert_uint_eq(kind[0], SS_STEER_HASH);
		ck_assert_uint_eq(kind[1], SS_STEER_HASH);
		ck_assert_uint_eq(owner[0], owner[1]);
		rte_pktmbuf_free_bulk(m, 2);
	}
	ss_steer_ctx_free(ctx);
}
END_TEST

/* Rendezvous spread of the hash (the load balancer's): balanced, the
 * same whatever the indexes' order, shares that follow the weights, and
 * minimal moves when a server leaves, comes back, joins or changes
 * weight. */
static void
rdv_ids(const struct ss_steer_ctx *ctx, uint16_t out[256])
{
	unsigned int s;

	for (s = 0; s < 256; s++)
		out[s] = ctx->id_of_server[ctx->hash_map[s]];
}

START_TEST(test_rendezvous)
{
	static const uint16_t ids[] = { 3, 7, 12, 200 };
	static const uint16_t rev[] = { 200, SS_STEER_OWNER_NONE, 12, 7, 3 };
	static const uint16_t five[] = { 3, 7, 12, 200, 90 };
	struct ss_steer_ctx *a = ss_steer_ctx_create(8, ids, 4);
	struct ss_steer_ctx *b = ss_steer_ctx_create_slots(8, rev, 5);
	struct ss_steer_ctx *c = ss_steer_ctx_create(8, five, 5);
	uint16_t w[5] = { 1, 1, 1, 1, 1 };
	uint16_t m0[256], m1[256], m2[256];
	unsigned int s, i, per[256] = { 0 }, moved;
	struct rte_mbuf *m[2];
	uint16_t owner[2];
	uint8_t kind[2], l4[16], pl[8] = { 0 };
	struct tuple t;

	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(b);
	ck_assert_ptr_nonnull(c);
	ck_assert_int_eq(ss_steer_hash_rendezvous(a, 256, w), 0);
	ck_assert_uint_eq(a->nb_servers, 256);
	rdv_ids(a, m0);
	for (s = 0; s < 256; s++)
		per[m0[s]]++;
	/* 64 each expected: a 256-slot sample of a uniform hash */
	for (i = 0; i < 4; i++)
		ck_assert_msg(per[ids[i]] >= 40 && per[ids[i]] <= 90,
			"id %u has %u slots", ids[i], per[ids[i]]);
	/* the same map from other indexes, in another order, with a
	 * free index */
	ck_assert_int_eq(ss_steer_hash_rendezvous(b, 256, w), 0);
	rdv_ids(b, m1);
	ck_assert_mem_eq(m0, m1, sizeof(m0));
	/* id 7 leaves (weight 0): only its slots move, to each of the
	 * others */
	w[1] = 0;
	ck_assert_int_eq(ss_steer_hash_rendezvous(a, 256, w), 0);
	rdv_ids(a, m1);
	memset(per, 0, sizeof(per));
	for (s = 0; s < 256; s++) {
		ck_assert_uint_ne(m1[s], 7);
		if (m0[s] != 7)
			ck_assert_uint_eq(m1[s], m0[s]);
		else
			per[m1[s]]++;
	}
	ck_assert_uint_gt(per[3], 0);
	ck_assert_uint_gt(per[12], 0);
	ck_assert_uint_gt(per[200], 0);
	/* and comes back: exactly the first map */
	w[1] = 1;
	ck_assert_int_eq(ss_steer_hash_rendezvous(a, 256, w), 0);
	rdv_ids(a, m1);
	ck_assert_mem_eq(m0, m1, sizeof(m0));
	/* id 90 joins: the slots that move all go to it, about a fifth */
	ck_assert_int_eq(ss_steer_hash_rendezvous(c, 256, w), 0);
	rdv_ids(c, m2);
	moved = 0;
	for (s = 0; s < 256; s++)
		if (m2[s] != m0[s]) {
			ck_assert_uint_eq(m2[s], 90);
			moved++;
		}
	ck_assert_msg(moved >= 30 && moved <= 75, "%u slots moved", moved);
	/* weights: id 12 at 4 of 7 gets about 4/7 of the slots, and the
	 * slots that move all go to it; back to 1, the first map */
	w[2] = 4;
	ck_assert_int_eq(ss_steer_hash_rendezvous(a, 256, w), 0);
	rdv_ids(a, m1);
	moved = 0;
	for (s = 0; s < 256; s++) {
		if (m1[s] != m0[s])
			ck_assert_uint_eq(m1[s], 12);
		moved += m1[s] == 12;
	}
	ck_assert_msg(moved >= 116 && moved <= 176, "id 12 has %u slots",
		moved);
	w[2] = 1;
	ck_assert_int_eq(ss_steer_hash_rendezvous(a, 256, w), 0);
	rdv_ids(a, m1);
	ck_assert_mem_eq(m0, m1, sizeof(m0));
	/* the classifier follows the map: a flow's owner is its slot's */
	for (i = 0; i < 64; i++) {
		tuple_v4(&t, rte_rand(), rte_rand(), 17);
		mk_udp(l4, 1000 + i, 2000, pl, 8);
		m[0] = mk_pkt(&t, l4, 16, 0);
		ss_steer_classify_burst(c, m, 1, owner, kind, NULL);
		ck_assert_uint_eq(kind[0], SS_STEER_HASH);
		ck_assert_uint_ne(owner[0], SS_STEER_OWNER_NONE);
		rte_pktmbuf_free(m[0]);
	}
	/* refusals */
	ck_assert_int_eq(ss_steer_hash_rendezvous(a, 0, w), -EINVAL);
	ck_assert_int_eq(ss_steer_hash_rendezvous(a, 257, w), -EINVAL);
	ck_assert_int_eq(ss_steer_hash_rendezvous(a, 256, NULL), -EINVAL);
	memset(w, 0, sizeof(w));
	ck_assert_int_eq(ss_steer_hash_rendezvous(a, 256, w), -EINVAL);
	ss_steer_ctx_free(a);
	ss_steer_ctx_free(b);
	ss_steer_ctx_free(c);
}
END_TEST

/* Four ids on two servers' worth of hash slots: ids keep their own server,
 * hashed traffic spreads evenly over the servers the map names. */
START_TEST(test_ids_over_servers)
{
	static const uint16_t ids[] = { 1, 5, 9, 13 };
	struct ss_steer_ctx *ctx = ss_steer_ctx_create(4, ids, 4);
	struct rte_mbuf *m[32];
	unsigned int per[4] = { 0 };
	uint16_t owner[32];
	uint8_t kind[32], l4[32], pl[8];
	struct ss_steer_stats st;
	struct tuple t;
	unsigned int i, j, id;

	ck_assert_ptr_nonnull(ctx);
	/* slots 0,1 -> server 0 and 2,3 -> server 2 */
	ck_assert_int_eq(ss_steer_hash_map_set(ctx, 1, 0), 0);
	ck_assert_int_eq(ss_steer_hash_map_set(ctx, 3, 2), 0);
	memset(&st, 0, sizeof(st));
	memset(pl, 0, sizeof(pl));
	for (id = 0; id < 16; id++) {
		tuple_v4(&t, 0x0a000001, 0x0a000002, 50);
		for (j = 0; j < 32; j++) {
			memset(l4, 0, sizeof(l4));
			put32(l4, ss_steer_spi_make(id, 4, rte_rand()));
			m[j] = mk_pkt(&t, l4, 16, 0);
		}
		ss_steer_classify_burst(ctx, m, 32, owner, kind, &st);
		for (j = 0; j < 32; j++) {
			ck_assert_uint_eq(kind[j], SS_STEER_ESP);
			ck_assert_uint_eq(owner[j], ss_steer_lookup(ctx, id));
			if ((id & 3) == 1)
				ck_assert_uint_eq(owner[j], id / 4);
			else
				ck_assert_uint_eq(owner[j],
					SS_STEER_OWNER_NONE);
		}
		rte_pktmbuf_free_bulk(m, 32);
	}
	ck_assert_uint_eq(st.unknown_id, 12 * 32);
	for (i = 0; i < 200; i++) {
		for (j = 0; j < 32; j++) {
			tuple_v4(&t, rte_rand(), rte_rand(), 17);
			mk_udp(l4, 10000 + j, 20000 + i, pl, 8);
			m[j] = mk_pkt(&t, l4, 16, 0);
		}
		ss_steer_classify_burst(ctx, m, 32, owner, kind, &st);
		for (j = 0; j < 32; j++) {
			ck_assert_uint_eq(kind[j], SS_STEER_HASH);
			ck_assert_uint_lt(owner[j], 4);
			per[owner[j]]++;
		}
		rte_pktmbuf_free_bulk(m, 32);
	}
	ck_assert_uint_eq(per[1], 0);
	ck_assert_uint_eq(per[3], 0);
	/* 6400 flows over two servers: each within 10% of half */
	ck_assert_uint_gt(per[0], 2880);
	ck_assert_uint_gt(per[2], 2880);
	ss_steer_ctx_free(ctx);
}
END_TEST

/* Free server indexes (run-time server add/del): ids of live indexes
 * steer to them, the free index gets nothing, hashed flows spread over
 * the live ones only, and a context without a live index is refused. */
START_TEST(test_ctx_slots)
{
	const uint16_t N = SS_STEER_OWNER_NONE;
	const uint16_t none[] = { N, N };
	const uint16_t dup[] = { 4, N, 4 };
	const uint16_t ids[] = { 3, N, 12 };
	struct ss_steer_ctx *ctx;
	struct rte_mbuf *m[32];
	unsigned int per[3] = { 0 };
	uint16_t owner[32];
	uint8_t kind[32], l4[32], pl[8];
	struct ss_steer_stats st;
	struct tuple t;
	unsigned int i, j;

	ck_assert_ptr_null(ss_steer_ctx_create_slots(4, none, 2));
	ck_assert_ptr_null(ss_steer_ctx_create_slots(4, dup, 3));
	/* the dense form keeps refusing an id that does not fit */
	ck_assert_ptr_null(ss_steer_ctx_create(4, ids, 3));
	ctx = ss_steer_ctx_create_slots(4, ids, 3);
	ck_assert_ptr_nonnull(ctx);
	ck_assert_uint_eq(ctx->nb_servers, 2);
	ck_assert_uint_eq(ctx->nb_slots, 3);
	ck_assert_uint_eq(ss_steer_lookup(ctx, 3), 0);
	ck_assert_uint_eq(ss_steer_lookup(ctx, 12), 2);
	ck_assert_uint_eq(ctx->id_of_server[1], SS_STEER_OWNER_NONE);
	for (i = 0; i < 16; i++)
		if (i != 3 && i != 12)
			ck_assert_uint_eq(ss_steer_lookup(ctx, i),
				SS_STEER_OWNER_NONE);
	/* hash slots only name live indexes */
	ck_assert_int_eq(ss_steer_hash_map_set(ctx, 0, 1), -EINVAL);
	ck_assert_int_eq(ss_steer_hash_map_set(ctx, 2, 0), -EINVAL);
	memset(&st, 0, sizeof(st));
	memset(pl, 0, sizeof(pl));
	for (i = 0; i < 100; i++) {
		for (j = 0; j < 32; j++) {
			tuple_v4(&t, rte_rand(), rte_rand(), 17);
			mk_udp(l4, 10000 + j, 20000 + i, pl, 8);
			m[j] = mk_pkt(&t, l4, 16, 0);
		}
		ss_steer_classify_burst(ctx, m, 32, owner, kind, &st);
		for (j = 0; j < 32; j++) {
			ck_assert_uint_eq(kind[j], SS_STEER_HASH);
			ck_assert_uint_lt(owner[j], 3);
			per[owner[j]]++;
		}
		rte_pktmbuf_free_bulk(m, 32);
	}
	ck_assert_uint_eq(per[1], 0);
	ck_assert_uint_gt(per[0], 1000);
	ck_assert_uint_gt(per[2], 1000);
	/* ESP to the id of no server: no owner, counted */
	tuple_v4(&t, 0x0a000001, 0x0a000002, 50);
	memset(l4, 0, sizeof(l4));
	put32(l4, ss_steer_spi_make(5, 4, rte_rand()));
	m[0] = mk_pkt(&t, l4, 16, 0);
	ss_steer_classify_burst(ctx, m, 1, owner, kind, &st);
	ck_assert_uint_eq(kind[0], SS_STEER_ESP);
	ck_assert_uint_eq(owner[0], SS_STEER_OWNER_NONE);
	ck_assert_uint_eq(st.unknown_id, 1);
	rte_pktmbuf_free(m[0]);
	ss_steer_ctx_free(ctx);
}
END_TEST

START_TEST(test_inner)
{
	struct ss_steer_ctx *ctx = ctx4();
	struct rte_mbuf *m;
	uint8_t l4[64];
	uint16_t owner, len;
	uint8_t kind;
	struct tuple t;

	tuple_v4(&t, 0x0a000001, 0x0a000002, 17);
	len = mk_gtpu(l4, 2152, 2152, 0x30, 0xff,
		ss_steer_teid_make(7, 4, 1));
	m = mk_pkt(&t, l4, len, 0);
	/* strip Ethernet: data at L3, l2_len left stale on purpose */
	rte_pktmbuf_adj(m, 14);
	ss_steer_classify_inner_burst(ctx, &m, 1, &owner, &kind, NULL);
	ck_assert_uint_eq(kind, SS_STEER_GTPU);
	ck_assert_uint_eq(owner, 1);
	/* the outer classifier with l2_len 0 agrees */
	m->l2_len = 0;
	ss_steer_classify_burst(ctx, &m, 1, &owner, &kind, NULL);
	ck_assert_uint_eq(kind, SS_STEER_GTPU);
	ck_assert_uint_eq(owner, 1);
	rte_pktmbuf_free(m);
	ss_steer_ctx_free(ctx);
}
END_TEST

/* The same bytes in one segment or two (ss_test_mbuf_split), at L2. */
static struct rte_mbuf *
mk_seg(const uint8_t *b, uint16_t len, uint16_t cut)
{
	struct rte_mbuf *m = ss_test_mbuf_split(b, len, cut);

	m->l2_len = 14;
	return m;
}

/* One of the packet shapes of test_segmented into b (Ethernet first):
 * returns its length. */
static uint16_t
shape(uint8_t *b, unsigned int k)
{
	const unsigned int v6 = k % 7 == 6;
	const uint8_t ihl = v6 ? 40 : (k & 8) ? 24 : 20;	/* options */
	static const uint8_t protos[] = { 17, 17, 17, 50, 6, 132, 47 };
	const uint8_t proto = protos[(k / 16) % RTE_DIM(protos)];
	uint8_t *ip = b + 14, *l4 = ip + ihl;
	uint16_t l4len = 32, iplen;
	unsigned int i;

	memset(b, 0, 14 + ihl);
	put16(b + 12, v6 ? 0x86dd : 0x0800);
	for (i = 0; i < l4len; i++)
		l4[i] = rte_rand();
	put16(l4, 1000 + k);
	put16(l4 + 2, 2000 + k % 5);
	if (proto == 17 && (k / 16) % 3 == 1) {
		/* NAT-T: ESP, or a keepalive when short */
		put16(l4 + 2, 4500);
		if (k & 1)
			l4len = 9;
	} else if (proto == 17 && (k / 16) % 3 == 2) {
		/* GTP-U: G-PDU or echo (TEID 0) */
		put16(l4 + 2, 2152);
		l4[8] = 0x30;
		l4[9] = (k & 1) ? 1 : 0xff;
	}
	if (proto == 132 && (k & 1))
		memset(l4 + 4, 0, 4);		/* vtag 0: INIT */
	/* IP length: exact, cut short into the L4 header, or too long */
	iplen = ihl + l4len - ((k & 3) == 1 ? l4len - 3 : 0) +
		((k & 3) == 2 && (k & 4) ? 1 : 0);
	if (v6) {
		ip[0] = 0x60;
		put16(ip + 4, iplen - 40);
		ip[6] = proto;
		for (i = 8; i < 40; i++)
			ip[i] = rte_rand();
	} else {
		ip[0] = 0x40 | ihl / 4;
		put16(ip + 2, (k & 3) == 3 && (k & 4) ? 19 : iplen);
		/* some fragments: first (MF), later (offset) */
		put16(ip + 6, (k & 0x70) == 0x20 ? 0x2000 :
			(k & 0x70) == 0x30 ? 0x0003 : 0);
		ip[9] = proto;
		for (i = 12; i < 20; i++)
			ip[i] = rte_rand();
	}
	return 14 + ihl + l4len;
}

/* Headers split over segments at every point give what the one-segment
 * packet gives (the first segment is read directly, the rest with
 * rte_pktmbuf_read); hashed packets land where ss_steer_hash_tuple says. */
START_TEST(test_segmented)
{
	struct ss_steer_ctx *ctx = ctx4();
	struct ss_steer_stats st1, st2;
	struct ss_steer_l4 l4a, l4b;
	struct rte_mbuf *m;
	uint8_t b[128], kind, k2;
	uint16_t owner, o2, len, cut;
	unsigned int k, kinds = 0, checked = 0, ichecked = 0;

	for (k = 0; k < 448; k++) {
		len = shape(b, k);
		m = mk_seg(b, len, len);
		memset(&st1, 0, sizeof(st1));
		ss_steer_classify_burst(ctx, &m, 1, &owner, &kind, &st1);
		memset(&st2, 0, sizeof(st2));
		ss_steer_classify_burst_l4(ctx, &m, 1, &o2, &k2, &l4a, &st2);
		ck_assert_uint_eq(k2, kind);
		ck_assert_uint_eq(o2, owner);
		ck_assert_int_eq(memcmp(&st1, &st2, sizeof(st1)), 0);
		if (ss_test_ip4_checked_ok(m)) {
			/* as classification would mark it: same result */
			m->packet_type |= SS_STEER_PTYPE_IP4_CHECKED;
			memset(&st2, 0, sizeof(st2));
			ss_steer_classify_burst(ctx, &m, 1, &o2, &k2, &st2);
			ck_assert_uint_eq(k2, kind);
			ck_assert_uint_eq(o2, owner);
			ck_assert_int_eq(memcmp(&st1, &st2, sizeof(st1)), 0);
			checked++;
		}
		rte_pktmbuf_free(m);
		kinds |= 1u << kind;
		if (kind == SS_STEER_HASH && b[14] == 0x45 && b[23] == 17 &&
				(b[20] & 0x3f) == 0 && b[21] == 0) {
			const uint32_t h = ss_steer_hash_tuple(b + 26, b + 30,
				4, (uint16_t)(b[34] << 8 | b[35]),
				(uint16_t)(b[36] << 8 | b[37]), 17);

			ck_assert_uint_eq(owner, ctx->hash_map[((uint64_t)h *
				ctx->nb_servers) >> 32]);
		}
		for (cut = 1; cut < len; cut++) {
			m = mk_seg(b, len, cut);
			memset(&st2, 0, sizeof(st2));
			ss_steer_classify_burst(ctx, &m, 1, &o2, &k2, &st2);
			ck_assert_uint_eq(k2, kind);
			ck_assert_uint_eq(o2, owner);
			ck_assert_int_eq(memcmp(&st1, &st2, sizeof(st1)), 0);
			/* what it read of the transport header: the same
			 * wherever the segments break */
			ss_steer_classify_burst_l4(ctx, &m, 1, &o2, &k2, &l4b,
				&st2);
			ck_assert_uint_eq(k2, kind);
			if (kind != SS_STEER_BAD)
				ck_assert_mem_eq(&l4a, &l4b, sizeof(l4a));
			rte_pktmbuf_free(m);
		}
		/* The same IP packet as an inner one (data at L3, l2_len
		 * stale): whole, with and without lib/esp's flag, and
		 * split at every point. */
		m = ss_test_mbuf_split(b + 14, len - 14, len - 14);
		m->l2_len = 14;
		k2 = classify_inner1(ctx, m, &o2, &st2, &ichecked);
		ck_assert_uint_eq(k2, kind);
		ck_assert_uint_eq(o2, owner);
		ck_assert_int_eq(memcmp(&st1, &st2, sizeof(st1)), 0);
		rte_pktmbuf_free(m);
		for (cut = 1; cut < len - 14; cut++) {
			m = ss_test_mbuf_split(b + 14, len - 14, cut);
			memset(&st2, 0, sizeof(st2));
			ss_steer_classify_inner_burst(ctx, &m, 1, &o2, &k2,
				&st2);
			ck_assert_uint_eq(k2, kind);
			ck_assert_uint_eq(o2, owner);
			ck_assert_int_eq(memcmp(&st1, &st2, sizeof(st1)), 0);
			rte_pktmbuf_free(m);
		}
	}
	/* every kind came up */
	ck_assert_uint_eq(kinds, (1u << SS_STEER_KIND_MAX) - 1);
	ck_assert_uint_gt(checked, 50);
	ck_assert_uint_eq(ichecked, checked);
	ss_steer_ctx_free(ctx);
}
END_TEST

/* ---- NIC steering ---------------------------------------------------- */

START_TEST(test_flow_null)
{
	struct ss_steer_ctx *ctx = ctx4();
	const uint16_t queues[4] = { 0, 1, 0, 1 };
	struct rte_eth_conf conf;
	char report[512];
	uint16_t port, q;
	int rc;

	ck_assert_int_eq(rte_eth_dev_get_port_by_name("net_null0", &port), 0);
	memset(&conf, 0, sizeof(conf));
	ck_assert_int_eq(rte_eth_dev_configure(port, 2, 2, &conf), 0);
	for (q = 0; q < 2; q++) {
		ck_assert_int_eq(rte_eth_rx_queue_setup(port, q, 64, 0, NULL,
			ss_test_pool(1024)), 0);
		ck_assert_int_eq(rte_eth_tx_queue_setup(port, q, 64, 0, NULL),
			0);
	}
	ck_assert_int_eq(rte_eth_dev_start(port), 0);
	rc = ss_steer_flow_install(port, ctx, queues, report, sizeof(report));
	ck_assert_int_eq(rc, 0);
	ck_assert_ptr_nonnull(strstr(report, "esp: refused ("));
	ck_assert_ptr_nonnull(strstr(report, "gtpu: refused ("));
	ck_assert_ptr_nonnull(strstr(report, "sctp: refused ("));
	/* a tiny report buffer is truncated, not overrun */
	rc = ss_steer_flow_install(port, ctx, queues, report, 8);
	ck_assert_int_eq(rc, 0);
	ck_assert_uint_lt(strlen(report), 8);
	ck_assert_int_eq(ss_steer_flow_install(port, NULL, queues, report,
		sizeof(report)), -EINVAL);
	ck_assert_int_eq(ss_steer_flow_install(RTE_MAX_ETHPORTS - 1, ctx,
		queues, report, sizeof(report)), -EINVAL);
	ck_assert_int_eq(ss_steer_flow_flush(port), 0);
	ck_assert_int_eq(rte_eth_dev_stop(port), 0);
	ss_steer_ctx_free(ctx);
}
END_TEST

/* ---- benchmark ("test_steer bench"; not part of the suite) ---------- */

START_TEST(test_bench)
{
	/* the symmetric Toeplitz key: 0x6d5a repeated */
	static uint8_t key[40];
	struct ss_steer_ctx *ctx = ctx4();
	struct rte_mbuf *m[1024];
	uint32_t tup[1024][4], sink = 0;
	uint16_t owner[32];
	uint8_t kind[32], l4[64], pl[16];
	struct tuple t;
	uint64_t t0, best = UINT64_MAX, best_h = UINT64_MAX,
		best_t = UINT64_MAX;
	unsigned int i, rep;

	for (i = 0; i < sizeof(key); i += 2) {
		key[i] = 0x6d;
		key[i + 1] = 0x5a;
	}
	memset(pl, 0, sizeof(pl));
	for (i = 0; i < RTE_DIM(m); i++) {
		uint16_t len;

		if (i % 4 == 3) {
			tuple_v4(&t, rte_rand(), rte_rand(), 50);
			memset(l4, 0, sizeof(l4));
			put32(l4, ss_steer_spi_make(i % 16, 4, rte_rand()));
			len = 16;
		} else {
			if (i % 4 == 2)
				tuple_v6(&t, rte_rand(), rte_rand(), 17);
			else
				tuple_v4(&t, rte_rand(), rte_rand(), 17);
			len = mk_udp(l4, rte_rand(), 53, pl, 16);
		}
		m[i] = mk_pkt(&t, l4, len, 0);
		tup[i][0] = rte_rand();
		tup[i][1] = rte_rand();
		tup[i][2] = rte_rand();
		tup[i][3] = 0;
	}
	for (rep = 0; rep < 20; rep++) {
		t0 = rte_rdtsc_precise();
		for (i = 0; i < RTE_DIM(m); i += 32)
			ss_steer_classify_burst(ctx, &m[i], 32, owner, kind,
				NULL);
		best = RTE_MIN(best, rte_rdtsc_precise() - t0);
		t0 = rte_rdtsc_precise();
		for (i = 0; i < RTE_DIM(m); i++)
			sink += ss_steer_hash_tuple(&tup[i][0], &tup[i][1], 4,
				tup[i][2], tup[i][2] >> 16, 17);
		best_h = RTE_MIN(best_h, rte_rdtsc_precise() - t0);
		t0 = rte_rdtsc_precise();
		for (i = 0; i < RTE_DIM(m); i++)
			sink += rte_softrss(tup[i], 3, key);
		best_t = RTE_MIN(best_t, rte_rdtsc_precise() - t0);
	}
	printf("steer bench: classify_burst %.1f cycles/packet (1/4 ESP, "
		"1/4 UDP v6, 1/2 UDP v4); IPv4 5-tuple hash: ss_steer %.1f "
		"cycles, rte_softrss symmetric key %.1f cycles (sink %u)\n",
		(double)best / RTE_DIM(m), (double)best_h / RTE_DIM(m),
		(double)best_t / RTE_DIM(m), sink & 1);
	rte_pktmbuf_free_bulk(m, RTE_DIM(m));
	ss_steer_ctx_free(ctx);
}
END_TEST

static Suite *
steer_suite(void)
{
	Suite *s = suite_create("steer");
	TCase *tc = tcase_create("steer");

	tcase_add_test(tc, test_codec_roundtrip);
	tcase_add_test(tc, test_codec_reserved);
	tcase_add_test(tc, test_ctx_create);
	tcase_add_test(tc, test_classify_esp);
	tcase_add_test(tc, test_classify_gtpu);
	tcase_add_test(tc, test_classify_sctp);
	tcase_add_test(tc, test_classify_plain_and_bad);
	tcase_add_test(tc, test_classify_frag_ext);
	tcase_add_test(tc, test_one_server);
	tcase_add_test(tc, test_classify_l4);
	tcase_add_test(tc, test_hash_symmetric);
	tcase_add_test(tc, test_ids_over_servers);
	tcase_add_test(tc, test_inner);
	tcase_add_test(tc, test_segmented);
	tcase_add_test(tc, test_ctx_slots);
	tcase_add_test(tc, test_rendezvous);
	tcase_add_test(tc, test_flow_null);
	suite_add_tcase(s, tc);
	return s;
}

int
main(int argc, char **argv)
{
	static const char *const extra[] = { "--vdev=net_null0", NULL };
	SRunner *sr;
	int failed;

	ss_test_eal_init(extra);
	if (argc > 1 && strcmp(argv[1], "bench") == 0) {
		Suite *s = suite_create("steer-bench");
		TCase *tc = tcase_create("bench");

		tcase_add_test(tc, test_bench);
		suite_add_tcase(s, tc);
		sr = srunner_create(s);
	} else {
		sr = srunner_create(steer_suite());
	}
	srunner_set_fork_status(sr, CK_NOFORK);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
