/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 shardsec authors
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_random.h>

#include "ss_hold.h"
#include "ss_test.h"

/* ---- helpers ------------------------------------------------------ */

#define POOL_N 1024
#define T0 1000000000ull	/* an arbitrary start on the TSC clock */

static struct rte_mempool *
pool(void)
{
	return ss_test_pool(POOL_N);
}

/* A packet of len bytes (len > 0), its first bytes stamped with tag. */
static struct rte_mbuf *
mk(uint16_t len, uint32_t tag)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool());
	uint8_t *p;

	ck_assert_ptr_nonnull(m);
	p = (uint8_t *)rte_pktmbuf_append(m, len);
	ck_assert_ptr_nonnull(p);
	memset(p, 0, len);
	memcpy(p, &tag, RTE_MIN(len, (uint16_t)sizeof(tag)));
	return m;
}

static struct ss_hold *
mk_hold(uint32_t packets, uint32_t bytes, uint32_t timeout_ms,
	uint16_t queues)
{
	const struct ss_hold_conf c = {
		.packets = packets,
		.bytes = bytes,
		.timeout_ms = timeout_ms,
		.queues = queues,
	};
	struct ss_hold *h = ss_hold_create(&c, SOCKET_ID_ANY);

	ck_assert_ptr_nonnull(h);
	return h;
}

static struct ss_hold_stats
stats(const struct ss_hold *h)
{
	struct ss_hold_stats st;

	memset(&st, 0xa5, sizeof(st));
	ss_hold_stats_get(h, &st);
	return st;
}

/* The gauges are what we expect. */
static void
gauges_are(const struct ss_hold *h, uint32_t packets, uint32_t bytes,
	uint16_t queues)
{
	const struct ss_hold_stats st = stats(h);

	ck_assert_uint_eq(st.now_packets, packets);
	ck_assert_uint_eq(st.now_bytes, bytes);
	ck_assert_uint_eq(st.now_queues, queues);
	ck_assert_uint_eq(ss_hold_nb_queues(h), queues);
}

/* The open tunnels are exactly want[0..n), in that order. */
static void
tunnels_are(const struct ss_hold *h, const uint32_t *want, uint16_t n)
{
	uint32_t tun[SS_HOLD_MAX_QUEUES + 1];
	uint16_t i;

	ck_assert_uint_eq(ss_hold_tunnels(h, tun, RTE_DIM(tun)), n);
	for (i = 0; i < n; i++)
		ck_assert_uint_eq(tun[i], want[i]);
}

/* Take the tunnel's packets max at a time and check they are want[0..n)
 * in that order; frees them. */
static void
take_all(struct ss_hold *h, uint32_t tunnel, struct rte_mbuf *const *want,
	uint16_t n, uint16_t max)
{
	struct rte_mbuf *out[64];
	uint16_t got = 0;
	uint16_t k, i;

	ck_assert_uint_le(max, RTE_DIM(out));
	while (got < n) {
		const uint16_t expect = RTE_MIN(max, n - got);

		k = ss_hold_take(h, tunnel, out, max);
		ck_assert_uint_eq(k, expect);
		for (i = 0; i < k; i++)
			ck_assert_ptr_eq(out[i], want[got + i]);
		rte_pktmbuf_free_bulk(out, k);
		got += k;
	}
	ck_assert_uint_eq(ss_hold_take(h, tunnel, out, max), 0);
}

static uint64_t
ticks(uint32_t ms)
{
	/* The exact value, computed another way than the library does. */
	return (uint64_t)((unsigned __int128)ms * rte_get_timer_hz() / 1000);
}

/* ---- tests -------------------------------------------------------- */

START_TEST(test_create_bounds)
{
	/* Each one bound out of range. */
	static const struct ss_hold_conf bad[] = {
		{ .packets = 0, .bytes = 1500, .timeout_ms = 1000,
			.queues = 4 },
		{ .packets = SS_HOLD_MAX_PACKETS + 1, .bytes = 1500,
			.timeout_ms = 1000, .queues = 4 },
		{ .packets = UINT32_MAX, .bytes = 1500, .timeout_ms = 1000,
			.queues = 4 },
		{ .packets = 8, .bytes = 0, .timeout_ms = 1000, .queues = 4 },
		{ .packets = 8, .bytes = 1500, .timeout_ms = 0, .queues = 4 },
		{ .packets = 8, .bytes = 1500, .timeout_ms = 1000,
			.queues = 0 },
		{ .packets = 8, .bytes = 1500, .timeout_ms = 1000,
			.queues = SS_HOLD_MAX_QUEUES + 1 },
		{ .packets = 8, .bytes = 1500, .timeout_ms = 1000,
			.queues = UINT16_MAX },
	};
	const struct ss_hold_conf *got;
	struct rte_mbuf *out[1];
	uint32_t tun[1];
	struct ss_hold *h;
	unsigned int i;

	for (i = 0; i < RTE_DIM(bad); i++) {
		rte_errno = 0;
		ck_assert_msg(ss_hold_create(&bad[i], SOCKET_ID_ANY) == NULL,
			"bad conf %u accepted", i);
		ck_assert_int_eq(rte_errno, EINVAL);
	}
	rte_errno = 0;
	ck_assert_ptr_null(ss_hold_create(NULL, SOCKET_ID_ANY));
	ck_assert_int_eq(rte_errno, EINVAL);

	/* The largest everything, and the smallest. */
	h = mk_hold(SS_HOLD_MAX_PACKETS, UINT32_MAX, UINT32_MAX,
		SS_HOLD_MAX_QUEUES);
	got = ss_hold_conf_get(h);
	ck_assert_uint_eq(got->packets, SS_HOLD_MAX_PACKETS);
	ck_assert_uint_eq(got->bytes, UINT32_MAX);
	ck_assert_uint_eq(got->timeout_ms, UINT32_MAX);
	ck_assert_uint_eq(got->queues, SS_HOLD_MAX_QUEUES);
	ss_hold_free(h);
	h = mk_hold(1, 1, 1, 1);
	got = ss_hold_conf_get(h);
	ck_assert_uint_eq(got->packets, 1);
	ck_assert_uint_eq(got->bytes, 1);
	ck_assert_uint_eq(got->timeout_ms, 1);
	ck_assert_uint_eq(got->queues, 1);

	/* Empty: nothing to give, nothing to wait for. */
	gauges_are(h, 0, 0, 0);
	tunnels_are(h, NULL, 0);
	ck_assert_uint_eq(ss_hold_deadline(h), UINT64_MAX);
	ck_assert_uint_eq(ss_hold_take(h, 0, out, 1), 0);
	ck_assert_uint_eq(ss_hold_flush(h, 0), 0);
	ck_assert_uint_eq(ss_hold_expire(h, UINT64_MAX, out, tun, 1), 0);
	ss_hold_free(h);
	ss_hold_free(NULL);
}
END_TEST

START_TEST(test_order_take)
{
	const unsigned int avail = rte_mempool_avail_count(pool());
	struct ss_hold *h = mk_hold(8, 100000, 1000, 4);
	static const uint32_t t7[] = { 7 };
	struct rte_mbuf *m[12];
	struct rte_mbuf *out[8];
	uint32_t bytes = 0;
	uint16_t i, k;

	/* 11 packets, taken 3 at a time over a queue of 8: the ring wraps
	 * while packets are still coming in. */
	for (i = 0; i < 8; i++) {
		m[i] = mk(60 + i, i);
		bytes += 60 + i;
		ck_assert_int_eq(ss_hold_push(h, 7, m[i], T0 + i),
			i == 0 ? SS_HOLD_OPENED : SS_HOLD_QUEUED);
	}
	gauges_are(h, 8, bytes, 1);
	tunnels_are(h, t7, 1);
	k = ss_hold_take(h, 7, out, 3);
	ck_assert_uint_eq(k, 3);
	for (i = 0; i < 3; i++) {
		ck_assert_ptr_eq(out[i], m[i]);
		bytes -= 60 + i;
	}
	rte_pktmbuf_free_bulk(out, k);
	gauges_are(h, 5, bytes, 1);
	for (i = 8; i < 11; i++) {
		m[i] = mk(60 + i, i);
		bytes += 60 + i;
		ck_assert_int_eq(ss_hold_push(h, 7, m[i], T0 + i),
			SS_HOLD_QUEUED);
	}
	gauges_are(h, 8, bytes, 1);
	/* A take of 0 leaves the queue as it is. */
	ck_assert_uint_eq(ss_hold_take(h, 7, out, 0), 0);
	ck_assert_uint_eq(ss_hold_nb_queues(h), 1);
	/* Another tunnel's take takes nothing. */
	ck_assert_uint_eq(ss_hold_take(h, 8, out, 8), 0);
	take_all(h, 7, &m[3], 8, 3);
	gauges_are(h, 0, 0, 0);
	tunnels_are(h, NULL, 0);
	ck_assert_uint_eq(ss_hold_deadline(h), UINT64_MAX);
	ck_assert_uint_eq(stats(h).held, 11);
	ck_assert_uint_eq(stats(h).released, 11);
	ss_hold_free(h);
	ck_assert_uint_eq(rte_mempool_avail_count(pool()), avail);
}
END_TEST

START_TEST(test_interleave)
{
	const unsigned int avail = rte_mempool_avail_count(pool());
	struct ss_hold *h = mk_hold(16, 100000, 1000, 4);
	/* Opened in the order 5, 2, 9. */
	static const uint32_t order[] = { 5, 2, 5, 9, 2, 9, 5, 9, 2, 5 };
	static const uint32_t t529[] = { 5, 2, 9 };
	static const uint32_t t59[] = { 5, 9 };
	static const uint32_t t592[] = { 5, 9, 2 };
	static const uint32_t t92[] = { 9, 2 };
	static const uint32_t t2[] = { 2 };
	struct rte_mbuf *q5[4], *q2[3], *q9[3];
	uint16_t n5 = 0, n2 = 0, n9 = 0;
	struct rte_mbuf *out[4];
	uint16_t i;

	for (i = 0; i < RTE_DIM(order); i++) {
		struct rte_mbuf *m = mk(64 + i, i);
		const int opens = (order[i] == 5 && n5 == 0) ||
			(order[i] == 2 && n2 == 0) ||
			(order[i] == 9 && n9 == 0);

		if (order[i] == 5)
			q5[n5++] = m;
		else if (order[i] == 2)
			q2[n2++] = m;
		else
			q9[n9++] = m;
		ck_assert_int_eq(ss_hold_push(h, order[i], m, T0 + i),
			opens ? SS_HOLD_OPENED : SS_HOLD_QUEUED);
		/* Nothing closes here: a prefix of the opening order. */
		tunnels_are(h, t529, (n5 > 0) + (n2 > 0) + (n9 > 0));
	}
	ck_assert_uint_eq(stats(h).opened, 3);
	gauges_are(h, 10, 64 * 10 + 45, 3);
	tunnels_are(h, t529, 3);
	{
		uint32_t tun[3];

		/* max cuts the list short, from the front. */
		ck_assert_uint_eq(ss_hold_tunnels(h, tun, 2), 2);
		ck_assert_uint_eq(tun[0], 5);
		ck_assert_uint_eq(tun[1], 2);
		ck_assert_uint_eq(ss_hold_tunnels(h, tun, 0), 0);
	}

	/* Part of 5: it stays first. */
	ck_assert_uint_eq(ss_hold_take(h, 5, out, 2), 2);
	ck_assert_ptr_eq(out[0], q5[0]);
	ck_assert_ptr_eq(out[1], q5[1]);
	rte_pktmbuf_free_bulk(out, 2);
	tunnels_are(h, t529, 3);
	/* All of 2, the middle one: 5 stays before 9. */
	take_all(h, 2, q2, 3, 2);
	tunnels_are(h, t59, 2);
	/* 2 comes back, now last. */
	q2[0] = mk(64, 100);
	ck_assert_int_eq(ss_hold_push(h, 2, q2[0], T0), SS_HOLD_OPENED);
	tunnels_are(h, t592, 3);
	/* The first one closes. */
	take_all(h, 5, &q5[2], 2, 4);
	tunnels_are(h, t92, 2);
	take_all(h, 9, q9, 3, 1);
	tunnels_are(h, t2, 1);
	take_all(h, 2, q2, 1, 1);
	tunnels_are(h, NULL, 0);
	ck_assert_uint_eq(stats(h).opened, 4);
	ss_hold_free(h);
	ck_assert_uint_eq(rte_mempool_avail_count(pool()), avail);
}
END_TEST

START_TEST(test_opened_queued)
{
	const unsigned int avail = rte_mempool_avail_count(pool());
	struct ss_hold *h = mk_hold(4, 10000, 1000, 2);
	struct rte_mbuf *m[4];
	struct ss_hold_stats st;

	m[0] = mk(100, 0);
	m[1] = mk(100, 1);
	ck_assert_int_eq(ss_hold_push(h, 1, m[0], T0), SS_HOLD_OPENED);
	ck_assert_int_eq(ss_hold_push(h, 1, m[1], T0), SS_HOLD_QUEUED);
	take_all(h, 1, m, 2, 4);
	ck_assert_uint_eq(ss_hold_nb_queues(h), 0);
	/* Emptied and closed: the next packet opens it again (and asks
	 * for the SA again). */
	m[2] = mk(100, 2);
	m[3] = mk(100, 3);
	ck_assert_int_eq(ss_hold_push(h, 1, m[2], T0), SS_HOLD_OPENED);
	ck_assert_int_eq(ss_hold_push(h, 1, m[3], T0), SS_HOLD_QUEUED);
	st = stats(h);
	ck_assert_uint_eq(st.opened, 2);
	ck_assert_uint_eq(st.held, 4);
	ck_assert_uint_eq(st.released, 2);
	ck_assert_uint_eq(st.overflow, 0);
	ck_assert_uint_eq(st.no_queue, 0);
	take_all(h, 1, &m[2], 2, 1);
	ck_assert_uint_eq(stats(h).released, 4);
	ss_hold_free(h);
	ck_assert_uint_eq(rte_mempool_avail_count(pool()), avail);
}
END_TEST

START_TEST(test_packet_bound)
{
	const unsigned int avail = rte_mempool_avail_count(pool());
	struct ss_hold *h = mk_hold(4, 100000, 1000, 2);
	struct rte_mbuf *m[4], *x, *y;
	struct ss_hold_stats st;
	uint16_t i;

	for (i = 0; i < 4; i++) {
		m[i] = mk(100, i);
		ck_assert_int_ge(ss_hold_push(h, 3, m[i], T0 + i), 0);
	}
	x = mk(100, 99);
	ck_assert_int_eq(ss_hold_push(h, 3, x, T0 + 9), -ENOBUFS);
	ck_assert_int_eq(ss_hold_push(h, 3, x, T0 + 9), -ENOBUFS);
	/* Not taken: still ours to free, and still a whole packet. */
	ck_assert_uint_eq(rte_mbuf_refcnt_read(x), 1);
	ck_assert_uint_eq(rte_pktmbuf_pkt_len(x), 100);
	rte_pktmbuf_free(x);
	st = stats(h);
	ck_assert_uint_eq(st.overflow, 2);
	ck_assert_uint_eq(st.held, 4);
	ck_assert_uint_eq(st.opened, 1);
	gauges_are(h, 4, 400, 1);
	/* A full queue does not stop another tunnel. */
	y = mk(100, 100);
	ck_assert_int_eq(ss_hold_push(h, 4, y, T0), SS_HOLD_OPENED);
	take_all(h, 3, m, 4, 4);
	take_all(h, 4, &y, 1, 4);
	gauges_are(h, 0, 0, 0);

	/* One packet per queue. */
	ss_hold_free(h);
	h = mk_hold(1, 100000, 1000, 1);
	m[0] = mk(100, 0);
	x = mk(100, 1);
	ck_assert_int_eq(ss_hold_push(h, 3, m[0], T0), SS_HOLD_OPENED);
	ck_assert_int_eq(ss_hold_push(h, 3, x, T0), -ENOBUFS);
	rte_pktmbuf_free(x);
	take_all(h, 3, m, 1, 1);
	ss_hold_free(h);
	ck_assert_uint_eq(rte_mempool_avail_count(pool()), avail);
}
END_TEST

START_TEST(test_byte_bound)
{
	const unsigned int avail = rte_mempool_avail_count(pool());
	struct ss_hold *h = mk_hold(16, 1000, 1000, 2);
	static const uint32_t t1[] = { 1 };
	struct rte_mbuf *m[3], *x;
	struct ss_hold_stats st;

	m[0] = mk(400, 0);
	m[1] = mk(400, 1);
	ck_assert_int_eq(ss_hold_push(h, 1, m[0], T0), SS_HOLD_OPENED);
	ck_assert_int_eq(ss_hold_push(h, 1, m[1], T0), SS_HOLD_QUEUED);
	/* 800 + 201 > 1000: refused; 800 + 200 == 1000: held. */
	x = mk(201, 9);
	ck_assert_int_eq(ss_hold_push(h, 1, x, T0), -ENOBUFS);
	ck_assert_uint_eq(stats(h).overflow, 1);
	gauges_are(h, 2, 800, 1);
	rte_pktmbuf_free(x);
	m[2] = mk(200, 2);
	ck_assert_int_eq(ss_hold_push(h, 1, m[2], T0), SS_HOLD_QUEUED);
	gauges_are(h, 3, 1000, 1);
	x = mk(1, 9);
	ck_assert_int_eq(ss_hold_push(h, 1, x, T0), -ENOBUFS);
	ck_assert_uint_eq(stats(h).overflow, 2);

	/* Larger than any queue, on a new tunnel: refused, and no queue is
	 * left behind nor counted as opened (nothing to ask an SA for). */
	rte_pktmbuf_free(x);
	x = mk(1001, 9);
	ck_assert_int_eq(ss_hold_push(h, 2, x, T0), -ENOBUFS);
	st = stats(h);
	ck_assert_uint_eq(st.overflow, 3);
	ck_assert_uint_eq(st.opened, 1);
	ck_assert_uint_eq(st.held, 3);
	ck_assert_uint_eq(st.no_queue, 0);
	gauges_are(h, 3, 1000, 1);
	tunnels_are(h, t1, 1);
	ck_assert_uint_eq(ss_hold_take(h, 2, m, 1), 0);
	/* ... and the queue it did not take is still free. */
	rte_pktmbuf_free(x);
	x = mk(1000, 9);
	ck_assert_int_eq(ss_hold_push(h, 2, x, T0), SS_HOLD_OPENED);
	gauges_are(h, 4, 2000, 2);
	take_all(h, 2, &x, 1, 1);
	take_all(h, 1, m, 3, 2);
	gauges_are(h, 0, 0, 0);
	ss_hold_free(h);
	ck_assert_uint_eq(rte_mempool_avail_count(pool()), avail);
}
END_TEST

START_TEST(test_queue_bound)
{
	const unsigned int avail = rte_mempool_avail_count(pool());
	struct ss_hold *h = mk_hold(2, 1000, 1000, 3);
	static const uint32_t t_before[] = { 10, 11, 12 };
	static const uint32_t t_after[] = { 10, 12, 13 };
	struct rte_mbuf *m[SS_HOLD_MAX_QUEUES], *x;
	struct ss_hold_stats st;
	uint32_t t;

	for (t = 0; t < 3; t++) {
		m[t] = mk(100, t);
		ck_assert_int_eq(ss_hold_push(h, 10 + t, m[t], T0),
			SS_HOLD_OPENED);
	}
	x = mk(100, 9);
	ck_assert_int_eq(ss_hold_push(h, 13, x, T0), -ENOSPC);
	ck_assert_int_eq(ss_hold_push(h, 14, x, T0), -ENOSPC);
	st = stats(h);
	ck_assert_uint_eq(st.no_queue, 2);
	ck_assert_uint_eq(st.overflow, 0);
	ck_assert_uint_eq(st.opened, 3);
	ck_assert_uint_eq(st.held, 3);
	gauges_are(h, 3, 300, 3);
	tunnels_are(h, t_before, 3);
	/* An open tunnel still gets in. */
	m[3] = mk(100, 3);
	ck_assert_int_eq(ss_hold_push(h, 11, m[3], T0), SS_HOLD_QUEUED);
	/* Once one closes, the refused tunnel gets its queue, last. */
	{
		struct rte_mbuf *q11[2] = { m[1], m[3] };

		take_all(h, 11, q11, 2, 2);
	}
	ck_assert_int_eq(ss_hold_push(h, 13, x, T0), SS_HOLD_OPENED);
	tunnels_are(h, t_after, 3);
	ss_hold_free(h);
	ck_assert_uint_eq(rte_mempool_avail_count(pool()), avail);

	/* Every queue there is. */
	h = mk_hold(1, 1000, 1000, SS_HOLD_MAX_QUEUES);
	for (t = 0; t < SS_HOLD_MAX_QUEUES; t++) {
		m[t] = mk(10, t);
		ck_assert_int_eq(ss_hold_push(h, 1000 + t, m[t], T0 + t),
			SS_HOLD_OPENED);
	}
	x = mk(10, 9);
	ck_assert_int_eq(ss_hold_push(h, 5, x, T0), -ENOSPC);
	rte_pktmbuf_free(x);
	gauges_are(h, SS_HOLD_MAX_QUEUES, 10 * SS_HOLD_MAX_QUEUES,
		SS_HOLD_MAX_QUEUES);
	{
		uint32_t tun[SS_HOLD_MAX_QUEUES];

		ck_assert_uint_eq(ss_hold_tunnels(h, tun, RTE_DIM(tun)),
			SS_HOLD_MAX_QUEUES);
		for (t = 0; t < SS_HOLD_MAX_QUEUES; t++)
			ck_assert_uint_eq(tun[t], 1000 + t);
	}
	/* Free with every queue full: nothing leaks. */
	ss_hold_free(h);
	ck_assert_uint_eq(rte_mempool_avail_count(pool()), avail);
}
END_TEST

START_TEST(test_expire)
{
	const unsigned int avail = rte_mempool_avail_count(pool());
	const uint32_t ms = 7;
	const uint64_t to = ticks(ms);
	const uint64_t x = to / 3 + 1;
	struct ss_hold *h = mk_hold(8, 100000, ms, 4);
	static const uint32_t t1[] = { 1 };
	static const uint32_t t13[] = { 1, 3 };
	struct rte_mbuf *a[3], *b, *c[3];
	struct rte_mbuf *out[8];
	uint32_t tun[8];
	struct ss_hold_stats st;
	uint16_t k;

	ck_assert_uint_gt(to, 3);
	/* Tunnel 1: a0, a1 at t0, a2 at t0 + 2x; tunnel 2: b at t0 + x. */
	a[0] = mk(100, 0);
	a[1] = mk(100, 1);
	a[2] = mk(100, 2);
	b = mk(200, 3);
	ck_assert_int_eq(ss_hold_push(h, 1, a[0], T0), SS_HOLD_OPENED);
	ck_assert_int_eq(ss_hold_push(h, 1, a[1], T0), SS_HOLD_QUEUED);
	ck_assert_int_eq(ss_hold_push(h, 2, b, T0 + x), SS_HOLD_OPENED);
	ck_assert_int_eq(ss_hold_push(h, 1, a[2], T0 + 2 * x),
		SS_HOLD_QUEUED);
	ck_assert_uint_eq(ss_hold_deadline(h), T0 + to);

	/* One tick early: nothing; on the tick: a0 and a1. */
	ck_assert_uint_eq(ss_hold_expire(h, T0 + to - 1, out, tun, 8), 0);
	gauges_are(h, 4, 500, 2);
	k = ss_hold_expire(h, T0 + to, out, tun, 8);
	ck_assert_uint_eq(k, 2);
	ck_assert_ptr_eq(out[0], a[0]);
	ck_assert_ptr_eq(out[1], a[1]);
	ck_assert_uint_eq(tun[0], 1);
	ck_assert_uint_eq(tun[1], 1);
	rte_pktmbuf_free_bulk(out, k);
	gauges_are(h, 2, 300, 2);
	/* Now b is the oldest. */
	ck_assert_uint_eq(ss_hold_deadline(h), T0 + x + to);
	ck_assert_uint_eq(ss_hold_expire(h, T0 + x + to - 1, out, tun, 8),
		0);
	k = ss_hold_expire(h, T0 + x + to, out, tun, 8);
	ck_assert_uint_eq(k, 1);
	ck_assert_ptr_eq(out[0], b);
	ck_assert_uint_eq(tun[0], 2);
	rte_pktmbuf_free(out[0]);
	/* Tunnel 2 is emptied, so closed; 1 still holds a2. */
	tunnels_are(h, t1, 1);
	gauges_are(h, 1, 100, 1);
	ck_assert_uint_eq(ss_hold_deadline(h), T0 + 2 * x + to);
	st = stats(h);
	ck_assert_uint_eq(st.expired, 3);
	ck_assert_uint_eq(st.released, 0);

	/* Tunnel 3 behind it; a late 'now' expires both queues, at most
	 * max at a time, in queue order then oldest first. */
	c[0] = mk(100, 10);
	c[1] = mk(100, 11);
	c[2] = mk(100, 12);
	ck_assert_int_eq(ss_hold_push(h, 3, c[0], T0 + x), SS_HOLD_OPENED);
	ck_assert_int_eq(ss_hold_push(h, 3, c[1], T0 + 3 * x),
		SS_HOLD_QUEUED);
	ck_assert_int_eq(ss_hold_push(h, 3, c[2], T0 + 5 * x),
		SS_HOLD_QUEUED);
	tunnels_are(h, t13, 2);
	ck_assert_uint_eq(ss_hold_deadline(h), T0 + x + to);
	ck_assert_uint_eq(ss_hold_expire(h, UINT64_MAX, out, tun, 0), 0);
	k = ss_hold_expire(h, T0 + 3 * x + to, out, tun, 2);
	ck_assert_uint_eq(k, 2);
	ck_assert_ptr_eq(out[0], a[2]);
	ck_assert_uint_eq(tun[0], 1);
	ck_assert_ptr_eq(out[1], c[0]);
	ck_assert_uint_eq(tun[1], 3);
	rte_pktmbuf_free_bulk(out, k);
	k = ss_hold_expire(h, T0 + 3 * x + to, out, tun, 8);
	ck_assert_uint_eq(k, 1);
	ck_assert_ptr_eq(out[0], c[1]);
	ck_assert_uint_eq(tun[0], 3);
	rte_pktmbuf_free(out[0]);
	/* c2 is not due: it stays, and take still gets it. */
	ck_assert_uint_eq(ss_hold_deadline(h), T0 + 5 * x + to);
	gauges_are(h, 1, 100, 1);
	take_all(h, 3, &c[2], 1, 1);
	gauges_are(h, 0, 0, 0);
	ck_assert_uint_eq(ss_hold_deadline(h), UINT64_MAX);
	st = stats(h);
	ck_assert_uint_eq(st.expired, 6);
	ck_assert_uint_eq(st.released, 1);
	ss_hold_free(h);

	/* The longest timeout there is: no overflow on the way to ticks. */
	h = mk_hold(1, 1000, UINT32_MAX, 1);
	a[0] = mk(100, 0);
	ck_assert_int_eq(ss_hold_push(h, 1, a[0], 0), SS_HOLD_OPENED);
	ck_assert_uint_eq(ss_hold_deadline(h), ticks(UINT32_MAX));
	ck_assert_uint_eq(ss_hold_expire(h, ticks(UINT32_MAX) - 1, out,
		tun, 1), 0);
	ck_assert_uint_eq(ss_hold_expire(h, ticks(UINT32_MAX), out, tun, 1),
		1);
	ck_assert_ptr_eq(out[0], a[0]);
	rte_pktmbuf_free(out[0]);
	ss_hold_free(h);

	/* 1 s is hz ticks, exactly. */
	h = mk_hold(1, 1000, 1000, 1);
	a[0] = mk(100, 0);
	ck_assert_int_eq(ss_hold_push(h, 1, a[0], T0), SS_HOLD_OPENED);
	ck_assert_uint_eq(ss_hold_deadline(h), T0 + rte_get_timer_hz());
	ss_hold_free(h);
	ck_assert_uint_eq(rte_mempool_avail_count(pool()), avail);
}
END_TEST

START_TEST(test_flush_free)
{
	const unsigned int avail = rte_mempool_avail_count(pool());
	struct ss_hold *h = mk_hold(8, 100000, 1000, 4);
	static const uint32_t t2[] = { 2 };
	struct rte_mbuf *m;
	struct ss_hold_stats st;
	uint16_t i;

	for (i = 0; i < 5; i++) {
		m = mk(100, i);
		ck_assert_int_ge(ss_hold_push(h, 1, m, T0), 0);
	}
	for (i = 0; i < 3; i++) {
		m = mk(50, i);
		ck_assert_int_ge(ss_hold_push(h, 2, m, T0), 0);
	}
	ck_assert_uint_eq(rte_mempool_avail_count(pool()), avail - 8);
	gauges_are(h, 8, 650, 2);
	ck_assert_uint_eq(ss_hold_flush(h, 1), 5);
	ck_assert_uint_eq(rte_mempool_avail_count(pool()), avail - 3);
	gauges_are(h, 3, 150, 1);
	tunnels_are(h, t2, 1);
	ck_assert_uint_eq(ss_hold_flush(h, 1), 0);
	ck_assert_uint_eq(ss_hold_flush(h, 7), 0);
	st = stats(h);
	ck_assert_uint_eq(st.flushed, 5);
	ck_assert_uint_eq(st.released, 0);
	ck_assert_uint_eq(st.expired, 0);
	/* A flushed tunnel opens again. */
	m = mk(100, 9);
	ck_assert_int_eq(ss_hold_push(h, 1, m, T0), SS_HOLD_OPENED);
	/* Freed with 4 packets in two queues. */
	ss_hold_free(h);
	ck_assert_uint_eq(rte_mempool_avail_count(pool()), avail);

	/* Chained packets go back whole. */
	h = mk_hold(8, 100000, 1000, 4);
	{
		uint8_t b[300];

		memset(b, 0x45, sizeof(b));
		m = ss_test_mbuf_split(b, sizeof(b), 100);
		ck_assert_uint_eq(m->nb_segs, 2);
		ck_assert_int_eq(ss_hold_push(h, 4, m, T0), SS_HOLD_OPENED);
		gauges_are(h, 1, 300, 1);
		ck_assert_uint_eq(ss_hold_flush(h, 4), 1);
	}
	ss_hold_free(h);
	ck_assert_uint_eq(rte_mempool_avail_count(pool()), avail);
}
END_TEST

START_TEST(test_gauges_stats_clear)
{
	const unsigned int avail = rte_mempool_avail_count(pool());
	const uint64_t to = ticks(10);
	struct ss_hold *h = mk_hold(4, 1000, 10, 2);
	struct rte_mbuf *m[6], *x, *out[4];
	uint32_t tun[4];
	struct ss_hold_stats st;
	uint16_t i;

	for (i = 0; i < 6; i++)
		m[i] = mk(100 + i, i);
	ck_assert_int_eq(ss_hold_push(h, 1, m[0], T0), SS_HOLD_OPENED);
	ck_assert_int_eq(ss_hold_push(h, 1, m[1], T0 + 1), SS_HOLD_QUEUED);
	ck_assert_int_eq(ss_hold_push(h, 2, m[2], T0 + to), SS_HOLD_OPENED);
	ck_assert_int_eq(ss_hold_push(h, 2, m[3], T0 + to), SS_HOLD_QUEUED);
	gauges_are(h, 4, 100 + 101 + 102 + 103, 2);
	/* Refusals leave the gauges alone. */
	x = mk(100, 9);
	ck_assert_int_eq(ss_hold_push(h, 3, x, T0), -ENOSPC);
	rte_pktmbuf_free(x);
	x = mk(1000, 9);
	ck_assert_int_eq(ss_hold_push(h, 1, x, T0), -ENOBUFS);
	rte_pktmbuf_free(x);
	gauges_are(h, 4, 406, 2);
	/* Expire m0 only. */
	ck_assert_uint_eq(ss_hold_expire(h, T0 + to, out, tun, 4), 1);
	ck_assert_ptr_eq(out[0], m[0]);
	rte_pktmbuf_free(out[0]);
	gauges_are(h, 3, 306, 2);
	/* Take m2. */
	ck_assert_uint_eq(ss_hold_take(h, 2, out, 1), 1);
	ck_assert_ptr_eq(out[0], m[2]);
	rte_pktmbuf_free(out[0]);
	gauges_are(h, 2, 204, 2);
	ck_assert_int_eq(ss_hold_push(h, 2, m[4], T0 + to), SS_HOLD_QUEUED);
	gauges_are(h, 3, 308, 2);
	/* Flush tunnel 1 (m1). */
	ck_assert_uint_eq(ss_hold_flush(h, 1), 1);
	gauges_are(h, 2, 207, 1);

	st = stats(h);
	ck_assert_uint_eq(st.held, 5);
	ck_assert_uint_eq(st.released, 1);
	ck_assert_uint_eq(st.overflow, 1);
	ck_assert_uint_eq(st.no_queue, 1);
	ck_assert_uint_eq(st.expired, 1);
	ck_assert_uint_eq(st.flushed, 1);
	ck_assert_uint_eq(st.opened, 2);
	ss_hold_stats_clear(h);
	st = stats(h);
	ck_assert_uint_eq(st.held, 0);
	ck_assert_uint_eq(st.released, 0);
	ck_assert_uint_eq(st.overflow, 0);
	ck_assert_uint_eq(st.no_queue, 0);
	ck_assert_uint_eq(st.expired, 0);
	ck_assert_uint_eq(st.flushed, 0);
	ck_assert_uint_eq(st.opened, 0);
	gauges_are(h, 2, 207, 1);
	/* Counting goes on from zero. */
	ck_assert_int_eq(ss_hold_push(h, 5, m[5], T0), SS_HOLD_OPENED);
	st = stats(h);
	ck_assert_uint_eq(st.held, 1);
	ck_assert_uint_eq(st.opened, 1);
	gauges_are(h, 3, 312, 2);
	ss_hold_free(h);
	ck_assert_uint_eq(rte_mempool_avail_count(pool()), avail);
}
END_TEST

/* Random pushes, takes, expires and flushes against a plain model. */

#define M_TUN 6
#define M_PKT 5

struct model_q {
	struct rte_mbuf *m[M_PKT];
	uint64_t tsc[M_PKT];
	uint32_t n, bytes;
	uint32_t seq;		/* opening order, 0: closed */
};

static void
model_pop(struct model_q *q, uint16_t k)
{
	memmove(q->m, q->m + k, sizeof(q->m[0]) * (q->n - k));
	memmove(q->tsc, q->tsc + k, sizeof(q->tsc[0]) * (q->n - k));
	q->n -= k;
	q->bytes = 0;
	for (k = 0; k < q->n; k++)
		q->bytes += rte_pktmbuf_pkt_len(q->m[k]);
	if (q->n == 0)
		q->seq = 0;
}

/* The model's open tunnels in opening order; returns how many. */
static uint16_t
model_order(const struct model_q *mq, uint32_t *tun)
{
	uint16_t n = 0, i, j;

	for (i = 0; i < M_TUN; i++)
		if (mq[i].seq != 0)
			tun[n++] = i;
	for (i = 1; i < n; i++)
		for (j = i; j > 0 && mq[tun[j - 1]].seq > mq[tun[j]].seq; j--) {
			const uint32_t t = tun[j];

			tun[j] = tun[j - 1];
			tun[j - 1] = t;
		}
	return n;
}

START_TEST(test_model)
{
	const unsigned int avail = rte_mempool_avail_count(pool());
	const uint32_t ms = 3;
	const uint64_t to = ticks(ms);
	const uint32_t max_bytes = 1200;
	struct ss_hold *h = mk_hold(M_PKT, max_bytes, ms, 4);
	struct model_q mq[M_TUN];
	uint64_t now = T0;
	uint32_t seq = 0;
	unsigned int it;

	memset(mq, 0, sizeof(mq));
	rte_srand(20260501);
	for (it = 0; it < 20000; it++) {
		const uint32_t t = (uint32_t)rte_rand_max(M_TUN);
		struct model_q *q = &mq[t];
		const unsigned int op = (unsigned int)rte_rand_max(10);
		struct rte_mbuf *out[M_PKT * M_TUN];
		uint32_t tun[M_PKT * M_TUN];
		uint32_t want[M_TUN], got[M_TUN];
		uint32_t packets = 0, bytes = 0;
		uint16_t nq, k, i, j;

		now += rte_rand_max(to / 4 + 1);
		if (op < 5) {
			const uint16_t len = 20 + rte_rand_max(500);
			struct rte_mbuf *m = mk(len, it);
			int want_r;
			int r;

			nq = model_order(mq, want);
			if (q->seq == 0 && nq == 4)
				want_r = -ENOSPC;
			else if (q->n == M_PKT || q->bytes + len > max_bytes)
				want_r = -ENOBUFS;
			else
				want_r = q->seq == 0 ? SS_HOLD_OPENED :
					SS_HOLD_QUEUED;
			r = ss_hold_push(h, t, m, now);
			ck_assert_int_eq(r, want_r);
			if (r < 0) {
				rte_pktmbuf_free(m);
			} else {
				if (q->seq == 0)
					q->seq = ++seq;
				q->m[q->n] = m;
				q->tsc[q->n++] = now;
				q->bytes += len;
			}
		} else if (op < 7) {
			const uint16_t max = rte_rand_max(M_PKT + 1);

			k = ss_hold_take(h, t, out, max);
			ck_assert_uint_eq(k, RTE_MIN(max, q->n));
			for (i = 0; i < k; i++)
				ck_assert_ptr_eq(out[i], q->m[i]);
			rte_pktmbuf_free_bulk(out, k);
			if (k > 0)
				model_pop(q, k);
		} else if (op < 9) {
			const uint16_t max = rte_rand_max(RTE_DIM(out) + 1);
			uint16_t left = max;

			/* Expected: queue by queue in opening order, each
			 * from its head while due. */
			nq = model_order(mq, want);
			k = ss_hold_expire(h, now, out, tun, max);
			j = 0;
			for (i = 0; i < nq && left > 0; i++) {
				struct model_q *e = &mq[want[i]];
				uint16_t d = 0;

				while (d < e->n && d < left &&
						e->tsc[d] + to <= now) {
					ck_assert_uint_lt(j, k);
					ck_assert_ptr_eq(out[j], e->m[d]);
					ck_assert_uint_eq(tun[j], want[i]);
					j++;
					d++;
				}
				left -= d;
				if (d > 0)
					model_pop(e, d);
			}
			ck_assert_uint_eq(k, j);
			rte_pktmbuf_free_bulk(out, k);
		} else {
			ck_assert_uint_eq(ss_hold_flush(h, t), q->n);
			for (i = 0; i < q->n; i++)
				q->m[i] = NULL;
			q->n = 0;
			q->bytes = 0;
			q->seq = 0;
		}

		/* The whole state, after every step. */
		nq = model_order(mq, want);
		ck_assert_uint_eq(ss_hold_tunnels(h, got, M_TUN), nq);
		for (i = 0; i < nq; i++) {
			const struct model_q *e = &mq[want[i]];

			ck_assert_uint_eq(got[i], want[i]);
			packets += e->n;
			bytes += e->bytes;
		}
		gauges_are(h, packets, bytes, nq);
		{
			uint64_t d = UINT64_MAX;

			for (i = 0; i < nq; i++)
				d = RTE_MIN(d, mq[want[i]].tsc[0] + to);
			ck_assert_uint_eq(ss_hold_deadline(h), d);
		}
	}
	ss_hold_free(h);
	ck_assert_uint_eq(rte_mempool_avail_count(pool()), avail);
}
END_TEST

static Suite *
hold_suite(void)
{
	Suite *s = suite_create("hold");
	TCase *tc = tcase_create("hold");

	tcase_add_test(tc, test_create_bounds);
	tcase_add_test(tc, test_order_take);
	tcase_add_test(tc, test_interleave);
	tcase_add_test(tc, test_opened_queued);
	tcase_add_test(tc, test_packet_bound);
	tcase_add_test(tc, test_byte_bound);
	tcase_add_test(tc, test_queue_bound);
	tcase_add_test(tc, test_expire);
	tcase_add_test(tc, test_flush_free);
	tcase_add_test(tc, test_gauges_stats_clear);
	tcase_add_test(tc, test_model);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr;
	int failed;

	ss_test_eal_init(NULL);
	sr = srunner_create(hold_suite());
	srunner_set_fork_status(sr, CK_NOFORK);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
