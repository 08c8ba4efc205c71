/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 shardsec authors
 */

/* The load balancer's connection tracking (app/lb_ct.c): flow keys from
 * real frames (through lib/steer's classification, as the LB makes
 * them), and the table's decisions. */

#include <check.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_errno.h>
#include <rte_mbuf.h>

#include "ss_app_lb_ct.h"
#include "ss_steer.h"
#include "ss_test.h"

#define IDLE 1000	/* timer cycles, for the tests' own clock */

static uint8_t up[256];

/* A frame: Ethernet, IPv4 (or IPv6) from src/dst host bytes, proto, with
 * ports (or whatever 4 bytes) after the header, then zeros: 20 bytes of
 * L4 in all, as a TCP header needs; frag: IPv4 offset 8. */
static struct rte_mbuf *
frame4(uint8_t s, uint8_t d, uint8_t proto, uint16_t sp, uint16_t dp,
	bool frag, uint8_t ihl)
{
	uint8_t b[128] = { 0 };
	const uint32_t hl = ihl * 4u;

	b[12] = 0x08;
	b[14] = 0x40 | ihl;
	b[14 + 2] = 0;
	b[14 + 3] = (uint8_t)(hl + 20);
	if (frag)
		b[14 + 7] = 1;		/* offset 8 bytes */
	b[14 + 8] = 64;
	b[14 + 9] = proto;
	b[14 + 12] = 10;
	b[14 + 15] = s;
	b[14 + 16] = 198;
	b[14 + 19] = d;
	b[14 + hl] = sp >> 8;
	b[14 + hl + 1] = sp & 0xff;
	b[14 + hl + 2] = dp >> 8;
	b[14 + hl + 3] = dp & 0xff;
	return ss_test_mbuf_split(b, (uint16_t)(14 + hl + 20),
		(uint16_t)(14 + hl + 20));
}

static struct rte_mbuf *
frame6(uint8_t nh0, bool ext, uint8_t proto, uint16_t sp, uint16_t dp)
{
	uint8_t b[160] = { 0 };
	uint32_t off = 54;

	b[12] = 0x86;
	b[13] = 0xdd;
	b[14] = 0x60;
	b[14 + 6] = ext ? nh0 : proto;
	b[14 + 7] = 64;
	b[14 + 8] = 0xfd;
	b[14 + 23] = 1;
	b[14 + 24] = 0x20;
	b[14 + 39] = 2;
	if (ext) {
		b[off] = proto;		/* next header */
		b[off + 1] = 0;		/* 8 bytes */
		if (nh0 == 44)
			b[off + 3] = 0x01;	/* more fragments */
		off += 8;
	}
	b[off] = sp >> 8;
	b[off + 1] = sp & 0xff;
	b[off + 2] = dp >> 8;
	b[off + 3] = dp & 0xff;
	b[14 + 5] = (uint8_t)(off + 20 - 54);
	return ss_test_mbuf_split(b, (uint16_t)(off + 20),
		(uint16_t)(off + 20));
}

/* Two servers, as the LB classifies VIP packets. */
static struct ss_steer_ctx *steer;

/* The key as the LB makes it: lib/steer's one parse, then the key; -2
 * when classification finds the headers bad (the LB drops those). */
static int
key_get(struct rte_mbuf *m, struct ss_lb_ct_key *k)
{
	struct ss_steer_l4 l4;
	uint16_t owner;
	uint8_t kind;

	m->l2_len = 14;
	ss_steer_classify_burst_l4(steer, &m, 1, &owner, &kind, &l4, NULL);
	if (kind == SS_STEER_BAD)
		return -2;
	return ss_lb_ct_key_make(m, &l4, k);
}

static struct ss_lb_ct_key
key_of(struct rte_mbuf *m)
{
	struct ss_lb_ct_key k;

	ck_assert_int_eq(key_get(m, &k), 0);
	rte_pktmbuf_free(m);
	return k;
}

START_TEST(test_keys)
{
	const struct ss_steer_l4 l4 = { .sport = 1, .dport = 2, .proto = 17 };
	struct ss_lb_ct_key a, b;
	struct rte_mbuf *m;

	steer = ss_steer_ctx_create(4, (const uint16_t []){ 1, 2 }, 2);
	ck_assert_ptr_nonnull(steer);

	/* UDP: addresses, ports in network order, the rest zero */
	a = key_of(frame4(1, 2, 17, 1000, 7777, false, 5));
	ck_assert_uint_eq(a.src[0], 10);
	ck_assert_uint_eq(a.src[3], 1);
	ck_assert_uint_eq(a.dst[0], 198);
	ck_assert_uint_eq(a.dst[3], 2);
	ck_assert_uint_eq(a.src[4], 0);
	ck_assert_uint_eq(a.sport, rte_cpu_to_be_16(1000));
	ck_assert_uint_eq(a.dport, rte_cpu_to_be_16(7777));
	ck_assert_uint_eq(a.proto, 17);
	ck_assert_uint_eq(a.v6, 0);
	/* options: the same flow */
	b = key_of(frame4(1, 2, 17, 1000, 7777, false, 7));
	ck_assert_mem_eq(&a, &b, sizeof(a));
	/* another source port: another flow */
	b = key_of(frame4(1, 2, 17, 1001, 7777, false, 5));
	ck_assert_mem_ne(&a, &b, sizeof(a));
	/* a fragment: no ports (every fragment one flow) */
	b = key_of(frame4(1, 2, 17, 1000, 7777, true, 5));
	ck_assert_uint_eq(b.sport, 0);
	ck_assert_uint_eq(b.dport, 0);
	/* ICMP: no ports */
	b = key_of(frame4(1, 2, 1, 0x0800, 1, false, 5));
	ck_assert_uint_eq(b.sport, 0);
	ck_assert_uint_eq(b.proto, 1);
	/* TCP and SCTP have ports */
	b = key_of(frame4(1, 2, 6, 1000, 80, false, 5));
	ck_assert_uint_eq(b.dport, rte_cpu_to_be_16(80));
	b = key_of(frame4(1, 2, 132, 36412, 36412, false, 5));
	ck_assert_uint_eq(b.sport, rte_cpu_to_be_16(36412));
	/* IPv6, and behind a destination options header */
	a = key_of(frame6(0, false, 17, 5000, 53));
	ck_assert_uint_eq(a.v6, 1);
	ck_assert_uint_eq(a.src[0], 0xfd);
	ck_assert_uint_eq(a.dst[15], 2);
	ck_assert_uint_eq(a.dport, rte_cpu_to_be_16(53));
	b = key_of(frame6(60, true, 17, 5000, 53));
	ck_assert_mem_eq(&a, &b, sizeof(a));
	/* IPv6 fragment header: the protocol, no ports */
	b = key_of(frame6(44, true, 17, 5000, 53));
	ck_assert_uint_eq(b.proto, 17);
	ck_assert_uint_eq(b.sport, 0);
	/* a TCP header cut short is not taken for one */
	m = frame4(1, 2, 6, 1000, 80, false, 5);
	rte_pktmbuf_trim(m, 1);
	*rte_pktmbuf_mtod_offset(m, uint8_t *, 14 + 3) = 20 + 19;
	ck_assert_int_eq(key_get(m, &a), -2);
	rte_pktmbuf_free(m);
	/* unreadable: IHL below 5, UDP ports cut off, not IP (bad to
	 * classification, never keyed) */
	m = frame4(1, 2, 17, 1, 2, false, 4);
	ck_assert_int_eq(key_get(m, &a), -2);
	rte_pktmbuf_free(m);
	m = frame4(1, 2, 17, 1, 2, false, 5);
	rte_pktmbuf_trim(m, 22);
	ck_assert_int_eq(key_get(m, &a), -2);
	*rte_pktmbuf_mtod_offset(m, uint8_t *, 14) = 0x55;
	ck_assert_int_eq(key_get(m, &a), -2);
	rte_pktmbuf_free(m);
	/* and the key itself wants an IPv4 or IPv6 header whole in the
	 * first segment */
	m = frame4(1, 2, 17, 1, 2, false, 5);
	m->l2_len = 14;
	ck_assert_int_eq(ss_lb_ct_key_make(m, &l4, &a), 0);
	ck_assert_uint_eq(a.sport, rte_cpu_to_be_16(1));
	*rte_pktmbuf_mtod_offset(m, uint8_t *, 14) = 0x55;
	ck_assert_int_eq(ss_lb_ct_key_make(m, &l4, &a), -1);
	*rte_pktmbuf_mtod_offset(m, uint8_t *, 14) = 0x60;
	ck_assert_int_eq(ss_lb_ct_key_make(m, &l4, &a), 0);
	ck_assert_uint_eq(a.v6, 1);
	rte_pktmbuf_trim(m, rte_pktmbuf_data_len(m) - (14 + 39));
	ck_assert_int_eq(ss_lb_ct_key_make(m, &l4, &a), -1);
	*rte_pktmbuf_mtod_offset(m, uint8_t *, 14) = 0x45;
	ck_assert_int_eq(ss_lb_ct_key_make(m, &l4, &a), 0);
	rte_pktmbuf_trim(m, rte_pktmbuf_data_len(m) - (14 + 19));
	ck_assert_int_eq(ss_lb_ct_key_make(m, &l4, &a), -1);
	rte_pktmbuf_free(m);
	ss_steer_ctx_free(steer);
	steer = NULL;
}
END_TEST

/* n keys: flow f's source port is 1000 + f */
static void
keys(struct ss_lb_ct_key *k, const struct ss_lb_ct_key **kp, unsigned int n,
	unsigned int first)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		memset(&k[i], 0, sizeof(k[i]));
		k[i].src[0] = 10;
		k[i].dst[0] = 198;
		k[i].proto = 17;
		k[i].sport = rte_cpu_to_be_16((uint16_t)(1000 + first + i));
		k[i].dport = rte_cpu_to_be_16(7777);
		kp[i] = &k[i];
	}
}

static void
fill(uint16_t *id, unsigned int n, uint16_t v)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		id[i] = v;
}

START_TEST(test_assign)
{
	struct ss_lb_ct *ct = ss_lb_ct_create("t_ct", 1024, SOCKET_ID_ANY);
	struct ss_lb_ct_key k[32];
	const struct ss_lb_ct_key *kp[32];
	struct ss_lb_ct_stats st = { 0 };
	uint16_t id[32];
	unsigned int i;

	ck_assert_ptr_nonnull(ct);
	memset(up, 1, sizeof(up));
	keys(k, kp, 32, 0);
	/* new: each flow takes the hash's backend, alternating 1 and 2 */
	for (i = 0; i < 32; i++)
		id[i] = 1 + i % 2;
	ss_lb_ct_assign(ct, kp, 32, id, up, 100, IDLE, 0, &st);
	ck_assert_uint_eq(st.added, 32);
	ck_assert_uint_eq(st.entries, 32);
	/* the hash now says 3 for all: every flow keeps its backend */
	fill(id, 32, 3);
	ss_lb_ct_assign(ct, kp, 32, id, up, 200, IDLE, 0, &st);
	for (i = 0; i < 32; i++)
		ck_assert_uint_eq(id[i], 1 + i % 2);
	ck_assert_uint_eq(st.kept, 32);
	ck_assert_uint_eq(st.added, 32);
	/* backend 2 down: its flows move to the hash's choice, and stay
	 * there when 2 comes back */
	up[2] = 0;
	fill(id, 32, 3);
	ss_lb_ct_assign(ct, kp, 32, id, up, 300, IDLE, 0, &st);
	for (i = 0; i < 32; i++)
		ck_assert_uint_eq(id[i], i % 2 ? 3 : 1);
	ck_assert_uint_eq(st.moved, 16);
	up[2] = 1;
	fill(id, 32, 2);
	ss_lb_ct_assign(ct, kp, 32, id, up, 400, IDLE, 0, &st);
	for (i = 0; i < 32; i++)
		ck_assert_uint_eq(id[i], i % 2 ? 3 : 1);
	/* idle: flows 0..15 used at 1300, 16..31 not since 400; at 1500
	 * the first half is kept, the second has expired and is hashed */
	fill(id, 16, 4);
	ss_lb_ct_assign(ct, kp, 16, id, up, 1300, IDLE, 0, &st);
	fill(id, 32, 4);
	st.expired = 0;
	ss_lb_ct_assign(ct, kp, 32, id, up, 1500, IDLE, 0, &st);
	for (i = 0; i < 32; i++)
		ck_assert_uint_eq(id[i], i < 16 ? (i % 2 ? 3 : 1) : 4);
	ck_assert_uint_eq(st.expired, 16);
	/* a new epoch (flush): every flow is hashed again */
	fill(id, 32, 5);
	ss_lb_ct_assign(ct, kp, 32, id, up, 1600, IDLE, 1, &st);
	for (i = 0; i < 32; i++)
		ck_assert_uint_eq(id[i], 5);
	ck_assert_uint_eq(st.expired, 48);
	ck_assert_uint_eq(st.entries, 32);
	/* a flow in use never expires (its entry's last use is written
	 * back every idle / 8), one left idle does within 9/8 idle */
	keys(k, kp, 2, 700);
	for (i = 0; i <= 40; i++) {
		id[0] = 8;
		id[1] = 8;
		ss_lb_ct_assign(ct, kp, i < 5 ? 2 : 1, id, up, 2000 + i * 100,
			IDLE, 1, &st);
		ck_assert_uint_eq(id[0], 8);
	}
	id[0] = 9;
	id[1] = 9;
	ss_lb_ct_assign(ct, kp, 2, id, up, 2000 + 40 * 100, IDLE, 1, &st);
	ck_assert_uint_eq(id[0], 8);	/* used just now */
	ck_assert_uint_eq(id[1], 9);	/* idle since 2400: forgotten */
	id[0] = 9;
	ss_lb_ct_assign(ct, kp, 1, id, up, 2000 + 40 * 100 + IDLE + IDLE / 8
		+ 1, IDLE, 1, &st);
	ck_assert_uint_eq(id[0], 9);
	ck_assert_uint_eq(st.entries, 34);
	/* the same new flow twice in a burst: one entry, both kept on it */
	keys(k, kp, 2, 500);
	kp[1] = kp[0];
	id[0] = 6;
	id[1] = 6;
	st.added = 0;
	st.kept = 0;
	ss_lb_ct_assign(ct, kp, 2, id, up, 1600, IDLE, 1, &st);
	ck_assert_uint_eq(st.added, 1);
	ck_assert_uint_eq(st.kept, 1);
	ck_assert_uint_eq(id[1], 6);
	ck_assert_uint_eq(st.entries, 35);
	ss_lb_ct_free(ct);
}
END_TEST

START_TEST(test_full_and_sweep)
{
	struct ss_lb_ct *ct = ss_lb_ct_create("t_ct2", SS_LB_CT_MIN,
		SOCKET_ID_ANY);
	struct ss_lb_ct_key k[32];
	const struct ss_lb_ct_key *kp[32];
	struct ss_lb_ct_stats st = { 0 };
	uint16_t id[32];
	unsigned int b, i;
	uint32_t del = 0;

	ck_assert_ptr_nonnull(ct);
	memset(up, 1, sizeof(up));
	/* 96 flows into 64 entries: 64 added, 32 hashed only */
	for (b = 0; b < 3; b++) {
		keys(k, kp, 32, b * 32);
		fill(id, 32, 1 + b);
		ss_lb_ct_assign(ct, kp, 32, id, up, 10, IDLE, 0, &st);
		for (i = 0; i < 32; i++)
			ck_assert_uint_eq(id[i], 1 + b);
	}
	ck_assert_uint_eq(st.added, 64);
	ck_assert_uint_eq(st.full, 32);
	ck_assert_uint_eq(st.entries, 64);
	/* the first 32 used again at 900; at 1500 the sweep deletes the
	 * other 32 (idle since 10), a few at a time */
	keys(k, kp, 32, 0);
	ss_lb_ct_assign(ct, kp, 32, id, up, 900, IDLE, 0, &st);
	for (i = 0; i < 40; i++)
		del += ss_lb_ct_sweep(ct, 4, 1500, IDLE, 0, &st);
	ck_assert_uint_eq(del, 32);
	ck_assert_uint_eq(st.entries, 32);
	/* room again: the third batch gets entries */
	keys(k, kp, 32, 64);
	fill(id, 32, 7);
	st.added = 0;
	ss_lb_ct_assign(ct, kp, 32, id, up, 1500, IDLE, 0, &st);
	ck_assert_uint_eq(st.added, 32);
	ck_assert_uint_eq(st.entries, 64);
	/* a flush: the sweep empties the table */
	del = 0;
	for (i = 0; i < 40; i++)
		del += ss_lb_ct_sweep(ct, 4, 1500, IDLE, 1, &st);
	ck_assert_uint_eq(del, 64);
	ck_assert_uint_eq(st.entries, 0);
	ss_lb_ct_free(ct);
	/* sizes out of range */
	ck_assert_ptr_null(ss_lb_ct_create("t_ct3", SS_LB_CT_MIN - 1,
		SOCKET_ID_ANY));
	ck_assert_int_eq(rte_errno, EINVAL);
	ck_assert_ptr_null(ss_lb_ct_create("t_ct3", SS_LB_CT_MAX + 1,
		SOCKET_ID_ANY));
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("lb_ct");
	TCase *tc = tcase_create("lb_ct");
	SRunner *sr;
	int nf;

	ss_test_eal_init(NULL);
	tcase_add_test(tc, test_keys);
	tcase_add_test(tc, test_assign);
	tcase_add_test(tc, test_full_and_sweep);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_set_fork_status(sr, CK_NOFORK);
	srunner_run_all(sr, CK_NORMAL);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf == 0 ? 0 : 1;
}
