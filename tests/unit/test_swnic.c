/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 shardsec authors
 */

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>

#include <check.h>
#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_malloc.h>

#include "ss_esp_mb.h"
#include "ss_sa.h"
#include "ss_swnic.h"
#include "ss_test.h"

/* ---- helpers ------------------------------------------------------ */

#define T0 1000000000ull	/* an arbitrary start on the TSC clock */

/* The firmware builds real intel-ipsec-mb states. */
static const struct ss_swnic_ops mb_ops = {
	.state_make = ss_esp_mb_state_make,
	.state_free = ss_esp_mb_state_free,
};

/* GCM-128 out and in, GCM-256 out, CBC-128 + HMAC-SHA-256 out. */
static struct ss_sa sa_out, sa_in, sa_256, sa_cbc;

static const uint8_t key20[20] = {
	0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09,
	0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0xca, 0xfe, 0xba, 0xbe,
};
static uint8_t key36[36];
static uint8_t key48[48];

static void
sa_init(struct ss_sa *sa, uint32_t spi, uint8_t dir, uint8_t algo)
{
	memset(sa, 0, sizeof(*sa));
	sa->spi = spi;
	sa->dir = dir;
	sa->mode = SS_SA_MODE_TUNNEL;
	sa->algo = algo;
	sa->local.family = AF_INET;
	sa->local.v4 = rte_cpu_to_be_32(0xc0000201);	/* 192.0.2.1 */
	sa->peer.family = AF_INET;
	sa->peer.v4 = rte_cpu_to_be_32(0xc6336401);	/* 198.51.100.1 */
	sa->inner_family = AF_INET;
}

static void
fixtures(void)
{
	unsigned int i;

	sa_init(&sa_out, 0x1001, SS_SA_DIR_OUT, SS_SA_ALGO_AES_GCM_128);
	sa_init(&sa_in, 0x1002, SS_SA_DIR_IN, SS_SA_ALGO_AES_GCM_128);
	sa_init(&sa_256, 0x1003, SS_SA_DIR_OUT, SS_SA_ALGO_AES_GCM_256);
	sa_init(&sa_cbc, 0x1004, SS_SA_DIR_OUT,
		SS_SA_ALGO_AES_CBC_128_HMAC_SHA256);
	for (i = 0; i < sizeof(key36); i++)
		key36[i] = (uint8_t)(0x40 + i);
	for (i = 0; i < sizeof(key48); i++)
		key48[i] = (uint8_t)(0x80 + i);
}

static uint64_t
ticks(uint32_t us)
{
	/* The exact value, computed another way than the driver does. */
	return (uint64_t)((unsigned __int128)us * rte_get_timer_hz() /
		1000000);
}

static struct ss_swnic *
mk_ops(uint32_t slots, uint32_t latency_us, const struct ss_swnic_ops *ops)
{
	const struct ss_swnic_conf c = {
		.slots = slots,
		.latency_us = latency_us,
		.socket = SOCKET_ID_ANY,
		.ops = ops,
	};
	struct ss_swnic *d = ss_swnic_create(&c);

	ck_assert_ptr_nonnull(d);
	return d;
}

static struct ss_swnic *
mk(uint32_t slots, uint32_t latency_us)
{
	return mk_ops(slots, latency_us, &mb_ops);
}

/* A GCM-128 request with key20; returns its slot. */
static int
put(struct ss_swnic *d, const struct ss_sa *sa, uint64_t cookie,
	uint64_t now_tsc)
{
	const int s = ss_swnic_store(d, sa, key20, sizeof(key20), cookie,
		now_tsc);

	ck_assert_int_ge(s, 0);
	ck_assert_uint_lt((uint32_t)s, ss_swnic_conf_get(d)->slots);
	return s;
}

/* Every counter and gauge is what we expect. */
static void
stats_eq(const struct ss_swnic *d, const struct ss_swnic_stats *w)
{
	struct ss_swnic_stats st;

	memset(&st, 0xa5, sizeof(st));
	ss_swnic_stats_get(d, &st);
	ck_assert_uint_eq(st.stores, w->stores);
	ck_assert_uint_eq(st.stored, w->stored);
	ck_assert_uint_eq(st.refused, w->refused);
	ck_assert_uint_eq(st.table_full, w->table_full);
	ck_assert_uint_eq(st.erased, w->erased);
	ck_assert_uint_eq(st.cancelled, w->cancelled);
	ck_assert_uint_eq(st.wait_min_tsc, w->wait_min_tsc);
	ck_assert_uint_eq(st.wait_max_tsc, w->wait_max_tsc);
	ck_assert_uint_eq(st.wait_sum_tsc, w->wait_sum_tsc);
	ck_assert_uint_eq(st.used, w->used);
	ck_assert_uint_eq(st.pending, w->pending);
}

/* The oldest unread completion is this one. */
static void
next_is(struct ss_swnic *d, uint64_t cookie, int slot, int32_t status,
	uint64_t wait_tsc)
{
	struct ss_swnic_completion c;

	memset(&c, 0xa5, sizeof(c));
	ck_assert_uint_eq(ss_swnic_completions(d, &c, 1), 1);
	ck_assert_uint_eq(c.cookie, cookie);
	ck_assert_uint_eq(c.slot, (uint32_t)slot);
	ck_assert_int_eq(c.status, status);
	ck_assert_uint_eq(c.wait_tsc, wait_tsc);
}

static void
no_completion(struct ss_swnic *d)
{
	struct ss_swnic_completion c[4];

	ck_assert_uint_eq(ss_swnic_completions(d, c, RTE_DIM(c)), 0);
}

/* Live rte_malloc allocations: the device and the states it built live
 * there, out of LeakSanitizer's sight. */
static uint64_t
heap_allocs(void)
{
	struct rte_malloc_socket_stats ms;
	uint64_t n = 0;
	unsigned int i;

	for (i = 0; i < rte_socket_count(); i++) {
		ck_assert_int_eq(rte_malloc_get_socket_stats(
			rte_socket_id_by_idx(i), &ms), 0);
		n += ms.alloc_count;
	}
	return n;
}

/* The real builder, watched: what the firmware gave it and what was
 * freed. */
static struct {
	const struct ss_sa *sa;
	const uint8_t *key;	/* the device's copy */
	uint8_t seen[SS_SWNIC_KEY_MAX];
	uint8_t klen;
	void *state;		/* the last one built */
	unsigned int makes;	/* states built */
	unsigned int frees;
	void *freed;		/* the last one freed */
} rec;

static void *
rec_make(const struct ss_sa *sa, const uint8_t *key, uint8_t klen,
	char *err, size_t len)
{
	rec.sa = sa;
	rec.key = key;
	rec.klen = klen;
	memcpy(rec.seen, key, RTE_MIN(klen, (uint8_t)sizeof(rec.seen)));
	rec.state = ss_esp_mb_state_make(sa, key, klen, err, len);
	if (rec.state != NULL)
		rec.makes++;
	return rec.state;
}

static void
rec_free(void *state)
{
	rec.frees++;
	rec.freed = state;
	ss_esp_mb_state_free(state);
}

static const struct ss_swnic_ops rec_ops = {
	.state_make = rec_make,
	.state_free = rec_free,
};

/* ---- tests -------------------------------------------------------- */

/* An empty device: nothing to do, nothing to give, nothing counted. */
static void
empty_ok(struct ss_swnic *d, uint32_t slots)
{
	const struct ss_swnic_stats zero = { 0 };

	stats_eq(d, &zero);
	ck_assert_uint_eq(ss_swnic_poll(d, UINT64_MAX), 0);
	no_completion(d);
	ck_assert_ptr_null(ss_swnic_state(d, 0));
	ck_assert_ptr_null(ss_swnic_state(d, slots - 1));
	ck_assert_ptr_null(ss_swnic_state(d, slots));
	ck_assert_ptr_null(ss_swnic_state(d, UINT32_MAX));
	ss_swnic_erase(d, 0);
	ss_swnic_erase(d, slots - 1);
	ss_swnic_erase(d, slots);
	ss_swnic_erase(d, UINT32_MAX);
	stats_eq(d, &zero);
}

START_TEST(test_create_bounds)
{
	static const struct ss_swnic_ops no_make = {
		.state_free = ss_esp_mb_state_free,
	};
	static const struct ss_swnic_ops no_free = {
		.state_make = ss_esp_mb_state_make,
	};
	static const struct ss_swnic_ops neither = { NULL, NULL };
	/* Each one bound out of range, or an op missing. */
	static const struct ss_swnic_conf bad[] = {
		{ .slots = 0, .ops = &mb_ops },
		{ .slots = SS_SWNIC_MAX_SLOTS + 1, .ops = &mb_ops },
		{ .slots = UINT32_MAX, .ops = &mb_ops },
		{ .slots = 1, .latency_us = SS_SWNIC_MAX_LATENCY_US + 1,
			.ops = &mb_ops },
		{ .slots = 1, .latency_us = UINT32_MAX, .ops = &mb_ops },
		{ .slots = 1, .ops = NULL },
		{ .slots = 1, .ops = &no_make },
		{ .slots = 1, .ops = &no_free },
		{ .slots = 1, .ops = &neither },
	};
	const uint64_t heap = heap_allocs();
	const struct ss_swnic_conf *got;
	struct ss_swnic_conf c;
	struct ss_swnic *d;
	unsigned int i;

	for (i = 0; i < RTE_DIM(bad); i++) {
		rte_errno = 0;
		ck_assert_msg(ss_swnic_create(&bad[i]) == NULL,
			"bad conf %u accepted", i);
		ck_assert_int_eq(rte_errno, EINVAL);
	}
	rte_errno = 0;
	ck_assert_ptr_null(ss_swnic_create(NULL));
	ck_assert_int_eq(rte_errno, EINVAL);
	ck_assert_uint_eq(heap_allocs(), heap);

	/* The largest table and latency. */
	c.slots = SS_SWNIC_MAX_SLOTS;
	c.latency_us = SS_SWNIC_MAX_LATENCY_US;
	c.socket = SOCKET_ID_ANY;
	c.ops = &mb_ops;
	d = ss_swnic_create(&c);
	ck_assert_ptr_nonnull(d);
	memset(&c, 0, sizeof(c));	/* the device keeps its own */
	got = ss_swnic_conf_get(d);
	ck_assert_uint_eq(got->slots, SS_SWNIC_MAX_SLOTS);
	ck_assert_uint_eq(got->latency_us, SS_SWNIC_MAX_LATENCY_US);
	ck_assert_int_eq(got->socket, SOCKET_ID_ANY);
	ck_assert_ptr_nonnull(got->ops);
	ck_assert_ptr_eq(got->ops->state_make, ss_esp_mb_state_make);
	ck_assert_ptr_eq(got->ops->state_free, ss_esp_mb_state_free);
	empty_ok(d, SS_SWNIC_MAX_SLOTS);
	ss_swnic_free(d);

	/* The smallest, on this lcore's socket. */
	c.slots = 1;
	c.latency_us = 0;
	c.socket = (int)rte_socket_id();
	c.ops = &mb_ops;
	d = ss_swnic_create(&c);
	ck_assert_ptr_nonnull(d);
	got = ss_swnic_conf_get(d);
	ck_assert_uint_eq(got->slots, 1);
	ck_assert_uint_eq(got->latency_us, 0);
	ck_assert_int_eq(got->socket, (int)rte_socket_id());
	empty_ok(d, 1);
	ss_swnic_free(d);
	ss_swnic_free(NULL);
	ck_assert_uint_eq(heap_allocs(), heap);
}
END_TEST

START_TEST(test_store_args)
{
	struct ss_swnic *d = mk(1, 0);
	const struct ss_swnic_stats zero = { 0 };
	uint8_t big[SS_SWNIC_KEY_MAX + 1];
	int s;

	memset(big, 0x5a, sizeof(big));
	ck_assert_int_eq(ss_swnic_store(NULL, &sa_out, key20, 20, 1, T0),
		-EINVAL);
	ck_assert_int_eq(ss_swnic_store(d, NULL, key20, 20, 1, T0), -EINVAL);
	ck_assert_int_eq(ss_swnic_store(d, &sa_out, NULL, 20, 1, T0),
		-EINVAL);
	ck_assert_int_eq(ss_swnic_store(d, &sa_out, key20, 0, 1, T0),
		-EINVAL);
	ck_assert_int_eq(ss_swnic_store(d, &sa_out, big,
		SS_SWNIC_KEY_MAX + 1, 1, T0), -EINVAL);
	stats_eq(d, &zero);
	ck_assert_uint_eq(ss_swnic_poll(d, UINT64_MAX), 0);
	no_completion(d);

	/* The longest key is taken; the builder then refuses it, as
	 * GCM-128 wants 20 bytes. */
	s = ss_swnic_store(d, &sa_out, big, SS_SWNIC_KEY_MAX, 5, T0);
	ck_assert_int_ge(s, 0);
	/* Full now, but a bad request is still just bad. */
	ck_assert_int_eq(ss_swnic_store(d, NULL, key20, 20, 6, T0), -EINVAL);
	stats_eq(d, &(struct ss_swnic_stats){
		.stores = 1, .used = 1, .pending = 1 });
	ck_assert_uint_eq(ss_swnic_poll(d, T0), 1);
	next_is(d, 5, s, -EINVAL, 0);
	ck_assert_ptr_null(ss_swnic_state(d, s));
	stats_eq(d, &(struct ss_swnic_stats){
		.stores = 1, .refused = 1, .used = 1 });
	ss_swnic_free(d);
}
END_TEST

START_TEST(test_latency)
{
	static const uint32_t lat_us[] = {
		1, 1000, 999999, 1000000, 1234567, SS_SWNIC_MAX_LATENCY_US,
	};
	unsigned int i;

	for (i = 0; i < RTE_DIM(lat_us); i++) {
		struct ss_swnic *d = mk(4, lat_us[i]);
		const uint64_t l = ticks(lat_us[i]);
		const uint64_t t1 = T0 + l + 5;
		void *st0;
		int s0, s1;

		ck_assert_uint_gt(l, 0);
		s0 = put(d, &sa_out, 0x1000 + i, T0);
		stats_eq(d, &(struct ss_swnic_stats){
			.stores = 1, .used = 1, .pending = 1 });
		/* Not yet due: nothing taken, built or answered. */
		ck_assert_uint_eq(ss_swnic_poll(d, T0), 0);
		ck_assert_uint_eq(ss_swnic_poll(d, T0 + l - 1), 0);
		ck_assert_ptr_null(ss_swnic_state(d, s0));
		no_completion(d);
		stats_eq(d, &(struct ss_swnic_stats){
			.stores = 1, .used = 1, .pending = 1 });

		/* Due to the cycle. */
		ck_assert_uint_eq(ss_swnic_poll(d, T0 + l), 1);
		st0 = ss_swnic_state(d, s0);
		ck_assert_ptr_nonnull(st0);
		next_is(d, 0x1000 + i, s0, 0, l);
		no_completion(d);
		stats_eq(d, &(struct ss_swnic_stats){
			.stores = 1, .stored = 1, .used = 1,
			.wait_min_tsc = l, .wait_max_tsc = l,
			.wait_sum_tsc = l });
		ck_assert_uint_eq(ss_swnic_poll(d, UINT64_MAX), 0);
		ck_assert_ptr_eq(ss_swnic_state(d, s0), st0);

		/* A second one, polled for late: its wait says so. */
		s1 = put(d, &sa_in, 0x2000 + i, t1);
		ck_assert_int_ne(s1, s0);
		ck_assert_uint_eq(ss_swnic_poll(d, t1 + l - 1), 0);
		ck_assert_ptr_null(ss_swnic_state(d, s1));
		ck_assert_uint_eq(ss_swnic_poll(d, t1 + l + 7), 1);
		next_is(d, 0x2000 + i, s1, 0, l + 7);
		ck_assert_ptr_nonnull(ss_swnic_state(d, s1));
		ck_assert_ptr_ne(ss_swnic_state(d, s1), st0);
		stats_eq(d, &(struct ss_swnic_stats){
			.stores = 2, .stored = 2, .used = 2,
			.wait_min_tsc = l, .wait_max_tsc = l + 7,
			.wait_sum_tsc = 2 * l + 7 });
		ss_swnic_free(d);
	}
}
END_TEST

START_TEST(test_latency_zero)
{
	struct ss_swnic *d = mk(2, 0);
	int s;

	s = put(d, &sa_out, 7, T0);
	/* A "now" before the request's own stamp is not late enough. */
	ck_assert_uint_eq(ss_swnic_poll(d, T0 - 1), 0);
	ck_assert_ptr_null(ss_swnic_state(d, s));
	ck_assert_uint_eq(ss_swnic_poll(d, T0), 1);
	ck_assert_ptr_nonnull(ss_swnic_state(d, s));
	next_is(d, 7, s, 0, 0);
	stats_eq(d, &(struct ss_swnic_stats){
		.stores = 1, .stored = 1, .used = 1 });
	ss_swnic_erase(d, s);

	/* The clock's first tick. */
	s = put(d, &sa_in, 8, 0);
	ck_assert_uint_eq(ss_swnic_poll(d, 0), 1);
	next_is(d, 8, s, 0, 0);
	ck_assert_ptr_nonnull(ss_swnic_state(d, s));
	ss_swnic_free(d);
}
END_TEST

START_TEST(test_clock_end)
{
	struct ss_swnic *d = mk(2, 1000);
	const uint64_t l = ticks(1000);
	int a, b;

	/* a falls due one cycle before the clock's end; b's due time is
	 * past it, and waits for the last cycle rather than wrap. */
	a = put(d, &sa_out, 1, UINT64_MAX - l - 1);
	b = put(d, &sa_in, 2, UINT64_MAX - 10);
	ck_assert_uint_eq(ss_swnic_poll(d, UINT64_MAX - l - 2), 0);
	ck_assert_uint_eq(ss_swnic_poll(d, UINT64_MAX - 11), 0);
	ck_assert_uint_eq(ss_swnic_poll(d, UINT64_MAX - 2), 0);
	ck_assert_uint_eq(ss_swnic_poll(d, UINT64_MAX - 1), 1);
	next_is(d, 1, a, 0, l);
	ck_assert_uint_eq(ss_swnic_poll(d, UINT64_MAX - 1), 0);
	no_completion(d);
	ck_assert_uint_eq(ss_swnic_poll(d, UINT64_MAX), 1);
	next_is(d, 2, b, 0, 10);
	ss_swnic_free(d);
}
END_TEST

START_TEST(test_fifo)
{
	struct ss_swnic *d = mk(8, 1000);
	const uint64_t l = ticks(1000);
	const uint64_t step = l / 4;	/* requests overlap in flight */
	const uint64_t now1 = T0 + 2 * step + l + step / 2;
	const uint64_t now2 = T0 + 4 * step + l;
	const uint64_t t = T0 + 4 * l;
	struct ss_swnic_completion c[8];
	uint64_t w[5];
	int s[5], a, b;
	unsigned int i;

	for (i = 0; i < RTE_DIM(s); i++)
		s[i] = put(d, &sa_out, 100 + i, T0 + i * step);
	/* Request i is due at T0 + i * step + l. */
	ck_assert_uint_eq(ss_swnic_poll(d, T0 + l - 1), 0);
	no_completion(d);
	ck_assert_uint_eq(ss_swnic_poll(d, T0 + l), 1);
	w[0] = l;
	next_is(d, 100, s[0], 0, w[0]);
	no_completion(d);
	ck_assert_ptr_null(ss_swnic_state(d, s[1]));

	/* 1 and 2 due, 3 not yet. */
	ck_assert_uint_eq(ss_swnic_poll(d, now1), 2);
	ck_assert_ptr_nonnull(ss_swnic_state(d, s[2]));
	ck_assert_ptr_null(ss_swnic_state(d, s[3]));
	w[1] = now1 - (T0 + step);
	w[2] = now1 - (T0 + 2 * step);
	ck_assert_uint_eq(ss_swnic_completions(d, c, 1), 1);
	ck_assert_uint_eq(c[0].cookie, 101);
	ck_assert_uint_eq(c[0].slot, (uint32_t)s[1]);
	ck_assert_int_eq(c[0].status, 0);
	ck_assert_uint_eq(c[0].wait_tsc, w[1]);
	ck_assert_uint_eq(ss_swnic_poll(d, T0 + 3 * step + l - 1), 0);
	ck_assert_uint_eq(ss_swnic_completions(d, c, RTE_DIM(c)), 1);
	ck_assert_uint_eq(c[0].cookie, 102);
	ck_assert_uint_eq(c[0].slot, (uint32_t)s[2]);
	ck_assert_uint_eq(c[0].wait_tsc, w[2]);

	/* The rest, in one poll, in order. */
	ck_assert_uint_eq(ss_swnic_poll(d, now2), 2);
	w[3] = now2 - (T0 + 3 * step);
	w[4] = now2 - (T0 + 4 * step);
	ck_assert_uint_eq(ss_swnic_completions(d, c, RTE_DIM(c)), 2);
	for (i = 0; i < 2; i++) {
		ck_assert_uint_eq(c[i].cookie, 103 + i);
		ck_assert_uint_eq(c[i].slot, (uint32_t)s[3 + i]);
		ck_assert_int_eq(c[i].status, 0);
		ck_assert_uint_eq(c[i].wait_tsc, w[3 + i]);
	}
	stats_eq(d, &(struct ss_swnic_stats){
		.stores = 5, .stored = 5, .used = 5,
		.wait_min_tsc = l, .wait_max_tsc = w[1],
		.wait_sum_tsc = w[0] + w[1] + w[2] + w[3] + w[4] });

	/* A later request with an older stamp does not overtake. */
	a = put(d, &sa_out, 200, t + 100);
	b = put(d, &sa_out, 201, t);
	ck_assert_uint_eq(ss_swnic_poll(d, t + l), 0);
	ck_assert_ptr_null(ss_swnic_state(d, b));
	ck_assert_uint_eq(ss_swnic_poll(d, t + 100 + l), 2);
	next_is(d, 200, a, 0, l);
	next_is(d, 201, b, 0, l + 100);
	no_completion(d);
	ss_swnic_free(d);
}
END_TEST

START_TEST(test_table_full)
{
	const uint64_t l = ticks(1000);
	const uint64_t t1 = T0 + 2 * l;
	struct ss_swnic_completion c[8];
	struct ss_swnic *d = mk(4, 1000);
	bool seen[4] = { false };
	uint64_t heap;
	bool *big;
	unsigned int i;
	int s;

	for (i = 0; i < 4; i++) {
		s = put(d, &sa_out, i, T0);
		ck_assert(!seen[s]);
		seen[s] = true;
	}
	ck_assert_int_eq(ss_swnic_store(d, &sa_out, key20, 20, 9, T0),
		-ENOSPC);
	ck_assert_int_eq(ss_swnic_store(d, &sa_in, key20, 20, 9, T0),
		-ENOSPC);
	stats_eq(d, &(struct ss_swnic_stats){
		.stores = 4, .table_full = 2, .used = 4, .pending = 4 });
	/* Stored slots are still taken. */
	ck_assert_uint_eq(ss_swnic_poll(d, T0 + l), 4);
	ck_assert_int_eq(ss_swnic_store(d, &sa_out, key20, 20, 9, T0),
		-ENOSPC);
	ck_assert_uint_eq(ss_swnic_completions(d, c, RTE_DIM(c)), 4);

	/* An erase makes room, for one. */
	ss_swnic_erase(d, 2);
	ck_assert_ptr_null(ss_swnic_state(d, 2));
	s = put(d, &sa_in, 99, t1);
	ck_assert_int_eq(s, 2);
	ck_assert_int_eq(ss_swnic_store(d, &sa_out, key20, 20, 9, t1),
		-ENOSPC);
	ck_assert_uint_eq(ss_swnic_poll(d, t1 + l), 1);
	next_is(d, 99, 2, 0, l);
	ck_assert_ptr_nonnull(ss_swnic_state(d, 2));
	stats_eq(d, &(struct ss_swnic_stats){
		.stores = 5, .stored = 5, .table_full = 4, .erased = 1,
		.used = 4, .wait_min_tsc = l, .wait_max_tsc = l,
		.wait_sum_tsc = 5 * l });
	ss_swnic_free(d);

	/* The largest table, filled with requests, then freed. */
	heap = heap_allocs();
	big = calloc(SS_SWNIC_MAX_SLOTS, sizeof(*big));
	ck_assert_ptr_nonnull(big);
	d = mk(SS_SWNIC_MAX_SLOTS, 1000);
	for (i = 0; i < SS_SWNIC_MAX_SLOTS; i++) {
		s = ss_swnic_store(d, &sa_out, key20, 20, i, T0 + i);
		ck_assert_msg(s >= 0 && s < SS_SWNIC_MAX_SLOTS && !big[s],
			"store %u: slot %d", i, s);
		big[s] = true;
	}
	ck_assert_int_eq(ss_swnic_store(d, &sa_out, key20, 20, 9, T0),
		-ENOSPC);
	stats_eq(d, &(struct ss_swnic_stats){
		.stores = SS_SWNIC_MAX_SLOTS, .table_full = 1,
		.used = SS_SWNIC_MAX_SLOTS, .pending = SS_SWNIC_MAX_SLOTS });
	ss_swnic_free(d);
	free(big);
	ck_assert_uint_eq(heap_allocs(), heap);
}
END_TEST

START_TEST(test_erase_pending)
{
	const uint64_t l = ticks(1000);
	struct ss_swnic *d = mk(1, 1000);
	unsigned int k;
	int s, s2, s3;

	s = put(d, &sa_out, 1, T0);
	ss_swnic_erase(d, s);
	stats_eq(d, &(struct ss_swnic_stats){
		.stores = 1, .erased = 1, .cancelled = 1 });
	ss_swnic_erase(d, s);		/* free now: ignored */
	stats_eq(d, &(struct ss_swnic_stats){
		.stores = 1, .erased = 1, .cancelled = 1 });

	/* The slot again, for another request: only that one is
	 * answered, when it is due. */
	s2 = put(d, &sa_out, 2, T0 + 1);
	ck_assert_int_eq(s2, s);
	ck_assert_uint_eq(ss_swnic_poll(d, T0 + l), 0);
	no_completion(d);
	ck_assert_ptr_null(ss_swnic_state(d, s));
	ck_assert_uint_eq(ss_swnic_poll(d, T0 + 1 + l), 1);
	next_is(d, 2, s, 0, l);
	no_completion(d);
	stats_eq(d, &(struct ss_swnic_stats){
		.stores = 2, .stored = 1, .erased = 1, .cancelled = 1,
		.used = 1, .wait_min_tsc = l, .wait_max_tsc = l,
		.wait_sum_tsc = l });
	ss_swnic_erase(d, s);

	/* Many more requests cancelled than the table has slots, with no
	 * poll between: none of them is ever answered. */
	for (k = 0; k < 10; k++) {
		s = put(d, &sa_out, 10 + k, T0 + 2 * l + k);
		ss_swnic_erase(d, s);
	}
	s = put(d, &sa_out, 77, T0 + 3 * l);
	ck_assert_uint_eq(ss_swnic_poll(d, UINT64_MAX), 1);
	next_is(d, 77, s, 0, UINT64_MAX - (T0 + 3 * l));
	no_completion(d);
	stats_eq(d, &(struct ss_swnic_stats){
		.stores = 13, .stored = 2, .erased = 12, .cancelled = 11,
		.used = 1, .wait_min_tsc = l,
		.wait_max_tsc = UINT64_MAX - (T0 + 3 * l),
		.wait_sum_tsc = l + UINT64_MAX - (T0 + 3 * l) });
	ss_swnic_free(d);

	/* One cancelled between two others: those two keep their order. */
	d = mk(3, 1000);
	s = put(d, &sa_out, 1, T0);
	s2 = put(d, &sa_in, 2, T0 + 1);
	s3 = put(d, &sa_out, 3, T0 + 2);
	ss_swnic_erase(d, s2);
	ck_assert_uint_eq(ss_swnic_poll(d, T0 + 2 + l), 2);
	next_is(d, 1, s, 0, l + 2);
	next_is(d, 3, s3, 0, l);
	no_completion(d);
	ck_assert_ptr_null(ss_swnic_state(d, s2));
	stats_eq(d, &(struct ss_swnic_stats){
		.stores = 3, .stored = 2, .erased = 1, .cancelled = 1,
		.used = 2, .wait_min_tsc = l, .wait_max_tsc = l + 2,
		.wait_sum_tsc = 2 * l + 2 });
	ss_swnic_free(d);
}
END_TEST

START_TEST(test_erase_unread)
{
	const uint64_t l = ticks(1000);
	struct ss_swnic *d = mk(3, 1000);
	const uint64_t heap = heap_allocs();
	int a, b, c;

	a = put(d, &sa_out, 1, T0);
	ck_assert_uint_eq(ss_swnic_poll(d, T0 + l), 1);
	ck_assert_ptr_nonnull(ss_swnic_state(d, a));
	ck_assert_uint_eq(heap_allocs(), heap + 1);
	/* Stored, answer not read: the answer goes with the slot. */
	ss_swnic_erase(d, a);
	ck_assert_ptr_null(ss_swnic_state(d, a));
	ck_assert_uint_eq(heap_allocs(), heap);
	no_completion(d);
	stats_eq(d, &(struct ss_swnic_stats){
		.stores = 1, .stored = 1, .erased = 1,
		.wait_min_tsc = l, .wait_max_tsc = l, .wait_sum_tsc = l });

	/* The same slot again gives one answer, its own. */
	b = put(d, &sa_in, 2, T0 + l);
	ck_assert_int_eq(b, a);
	ck_assert_uint_eq(ss_swnic_poll(d, T0 + 2 * l), 1);
	next_is(d, 2, b, 0, l);
	no_completion(d);
	ss_swnic_erase(d, b);
	ck_assert_uint_eq(heap_allocs(), heap);

	/* The middle one of three answers dropped. */
	a = put(d, &sa_out, 10, T0 + 3 * l);
	b = put(d, &sa_in, 11, T0 + 3 * l);
	c = put(d, &sa_out, 12, T0 + 3 * l);
	ck_assert_uint_eq(ss_swnic_poll(d, T0 + 4 * l), 3);
	ck_assert_uint_eq(heap_allocs(), heap + 3);
	ss_swnic_erase(d, b);
	ck_assert_uint_eq(heap_allocs(), heap + 2);
	next_is(d, 10, a, 0, l);
	next_is(d, 12, c, 0, l);
	no_completion(d);
	/* Read, then erased: the state goes too. */
	ss_swnic_erase(d, a);
	ck_assert_uint_eq(heap_allocs(), heap + 1);
	stats_eq(d, &(struct ss_swnic_stats){
		.stores = 5, .stored = 5, .erased = 4, .used = 1,
		.wait_min_tsc = l, .wait_max_tsc = l, .wait_sum_tsc = 5 * l });
	ss_swnic_free(d);
	ck_assert_uint_eq(heap_allocs(), heap - 1);	/* the device */
}
END_TEST

START_TEST(test_refused)
{
	const uint64_t l = ticks(1000);
	struct ss_swnic *d = mk(8, 1000);
	const uint64_t heap = heap_allocs();
	int a, b, c, e, f, g;

	/* Armed with nothing to take: stays armed. */
	ss_swnic_test_fail_next(d, -EIO);
	ck_assert_uint_eq(ss_swnic_poll(d, UINT64_MAX), 0);
	a = put(d, &sa_out, 1, T0);
	b = put(d, &sa_out, 2, T0);
	ck_assert_uint_eq(ss_swnic_poll(d, T0 + l), 2);
	next_is(d, 1, a, -EIO, l);
	next_is(d, 2, b, 0, l);		/* one-shot */
	ck_assert_ptr_null(ss_swnic_state(d, a));
	ck_assert_ptr_nonnull(ss_swnic_state(d, b));
	ck_assert_uint_eq(heap_allocs(), heap + 1);
	/* A refused slot is still the host's until it erases it. */
	stats_eq(d, &(struct ss_swnic_stats){
		.stores = 2, .stored = 1, .refused = 1, .used = 2,
		.wait_min_tsc = l, .wait_max_tsc = l, .wait_sum_tsc = l });

	/* The real builder refuses a key of the wrong length. */
	c = ss_swnic_store(d, &sa_out, key20, 16, 3, T0);
	ck_assert_int_ge(c, 0);
	e = ss_swnic_store(d, &sa_256, key20, 20, 4, T0);
	ck_assert_int_ge(e, 0);
	f = ss_swnic_store(d, &sa_256, key36, 36, 5, T0);
	ck_assert_int_ge(f, 0);
	ck_assert_uint_eq(ss_swnic_poll(d, T0 + l), 3);
	next_is(d, 3, c, -EINVAL, l);
	next_is(d, 4, e, -EINVAL, l);
	next_is(d, 5, f, 0, l);
	ck_assert_ptr_null(ss_swnic_state(d, c));
	ck_assert_ptr_null(ss_swnic_state(d, e));
	ck_assert_ptr_nonnull(ss_swnic_state(d, f));
	ck_assert_uint_eq(heap_allocs(), heap + 2);

	/* A cancelled request does not use up the armed failure; and the
	 * failure is the one asked for. */
	ss_swnic_test_fail_next(d, -ETIMEDOUT);
	g = put(d, &sa_out, 6, T0);
	ss_swnic_erase(d, g);
	g = put(d, &sa_out, 7, T0);
	ck_assert_uint_eq(ss_swnic_poll(d, T0 + l), 1);
	next_is(d, 7, g, -ETIMEDOUT, l);

	/* Disarmed by a non-negative err. */
	ss_swnic_test_fail_next(d, -EIO);
	ss_swnic_test_fail_next(d, 0);
	ss_swnic_erase(d, g);
	g = put(d, &sa_out, 8, T0);
	ck_assert_uint_eq(ss_swnic_poll(d, T0 + l), 1);
	next_is(d, 8, g, 0, l);
	stats_eq(d, &(struct ss_swnic_stats){
		.stores = 8, .stored = 3, .refused = 4, .erased = 2,
		.cancelled = 1, .used = 6, .wait_min_tsc = l,
		.wait_max_tsc = l, .wait_sum_tsc = 3 * l });

	/* Refused slots erase like the others, with nothing to free. */
	ss_swnic_erase(d, a);
	ss_swnic_erase(d, c);
	ss_swnic_erase(d, e);
	ck_assert_uint_eq(heap_allocs(), heap + 3);
	stats_eq(d, &(struct ss_swnic_stats){
		.stores = 8, .stored = 3, .refused = 4, .erased = 5,
		.cancelled = 1, .used = 3, .wait_min_tsc = l,
		.wait_max_tsc = l, .wait_sum_tsc = 3 * l });
	ss_swnic_free(d);
	ck_assert_uint_eq(heap_allocs(), heap - 1);
}
END_TEST

START_TEST(test_key_copy)
{
	uint8_t buf[sizeof(key20)];
	struct ss_swnic *d;
	void *st;
	unsigned int i;
	int s;

	memset(&rec, 0, sizeof(rec));
	d = mk_ops(4, 0, &rec_ops);
	memcpy(buf, key20, sizeof(buf));
	s = ss_swnic_store(d, &sa_out, buf, sizeof(buf), 1, T0);
	ck_assert_int_ge(s, 0);
	/* The request holds its own copy of the key. */
	memset(buf, 0xff, sizeof(buf));
	ck_assert_uint_eq(rec.makes, 0);
	ck_assert_uint_eq(ss_swnic_poll(d, T0), 1);
	ck_assert_uint_eq(rec.makes, 1);
	ck_assert_ptr_eq(rec.sa, &sa_out);
	ck_assert_uint_eq(rec.klen, sizeof(key20));
	ck_assert_ptr_ne(rec.key, buf);
	ck_assert_mem_eq(rec.seen, key20, sizeof(key20));
	st = ss_swnic_state(d, s);
	ck_assert_ptr_eq(st, rec.state);
	/* Taken, so wiped: rec.key points into the live device. */
	for (i = 0; i < sizeof(key20); i++)
		ck_assert_uint_eq(rec.key[i], 0);
	next_is(d, 1, s, 0, 0);
	ss_swnic_erase(d, s);
	ck_assert_uint_eq(rec.frees, 1);
	ck_assert_ptr_eq(rec.freed, st);

	/* A cancelled request never reaches the builder. */
	s = put(d, &sa_in, 2, T0);
	ss_swnic_erase(d, s);
	ck_assert_uint_eq(ss_swnic_poll(d, UINT64_MAX), 0);
	ck_assert_uint_eq(rec.makes, 1);

	/* Nor does one the test hook refuses. */
	ss_swnic_test_fail_next(d, -EIO);
	s = put(d, &sa_in, 3, T0);
	ck_assert_uint_eq(ss_swnic_poll(d, T0), 1);
	ck_assert_uint_eq(rec.makes, 1);
	next_is(d, 3, s, -EIO, 0);

	/* Free erases what is left: stored, refused and pending slots. */
	s = put(d, &sa_cbc, 4, T0);
	ck_assert_int_ge(ss_swnic_store(d, &sa_cbc, key48, 48, 5, T0), 0);
	ck_assert_uint_eq(ss_swnic_poll(d, T0), 2);
	ck_assert_uint_eq(rec.makes, 2);
	st = ss_swnic_state(d, s);
	ck_assert_ptr_null(st);		/* 20 bytes: not a CBC key */
	ck_assert_uint_eq(rec.klen, 48);
	ck_assert_mem_eq(rec.seen, key48, sizeof(key48));
	st = rec.state;
	ck_assert_ptr_nonnull(st);
	put(d, &sa_out, 6, T0 + 1);
	ss_swnic_free(d);
	ck_assert_uint_eq(rec.frees, 2);
	ck_assert_ptr_eq(rec.freed, st);
}
END_TEST

START_TEST(test_free_busy)
{
	const uint64_t l = ticks(1000);
	const uint64_t step = l / 8;
	const uint64_t heap = heap_allocs();
	struct ss_swnic_completion c[2];
	struct ss_swnic *d;
	unsigned int i;

	memset(&rec, 0, sizeof(rec));
	d = mk_ops(8, 1000, &rec_ops);
	for (i = 0; i < 8; i++)
		put(d, i % 2 != 0 ? &sa_in : &sa_out, i, T0 + i * step);
	ss_swnic_test_fail_next(d, -EIO);
	/* 0 refused, 1..4 stored (1 and 2 read), 5..7 pending. */
	ck_assert_uint_eq(ss_swnic_poll(d, T0 + 4 * step + l), 5);
	ck_assert_uint_eq(ss_swnic_completions(d, c, 2), 2);
	ck_assert_uint_eq(c[0].cookie, 0);
	ck_assert_uint_eq(c[1].cookie, 1);
	ck_assert_uint_eq(rec.makes, 4);
	ck_assert_uint_eq(heap_allocs(), heap + 1 + 4);
	ss_swnic_free(d);
	ck_assert_uint_eq(rec.frees, 4);
	ck_assert_uint_eq(heap_allocs(), heap);

	/* And with the plain ops: every slot stored, none read. */
	d = mk(4, 0);
	for (i = 0; i < 4; i++)
		put(d, &sa_out, i, T0);
	ck_assert_uint_eq(ss_swnic_poll(d, T0), 4);
	ck_assert_uint_eq(heap_allocs(), heap + 1 + 4);
	ss_swnic_free(d);
	ck_assert_uint_eq(heap_allocs(), heap);
}
END_TEST

START_TEST(test_real_state)
{
	/* The last is the first again: same SA and key, own state. */
	const struct ss_sa *const sa[] = {
		&sa_out, &sa_in, &sa_256, &sa_cbc, &sa_out,
	};
	const uint8_t *const key[] = { key20, key20, key36, key48, key20 };
	static const uint8_t klen[] = { 20, 20, 36, 48, 20 };
	struct ss_swnic *d = mk(8, 0);
	const uint64_t heap = heap_allocs();
	void *st[RTE_DIM(sa)];
	int s[RTE_DIM(sa)];
	unsigned int i, j;
	char err[128];

	for (i = 0; i < RTE_DIM(sa); i++) {
		s[i] = ss_swnic_store(d, sa[i], key[i], klen[i], i, T0);
		ck_assert_int_ge(s[i], 0);
	}
	ck_assert_uint_eq(ss_swnic_poll(d, T0), RTE_DIM(sa));
	for (i = 0; i < RTE_DIM(sa); i++) {
		next_is(d, i, s[i], 0, 0);
		st[i] = ss_swnic_state(d, s[i]);
		ck_assert_ptr_nonnull(st[i]);
		for (j = 0; j < i; j++)
			ck_assert_ptr_ne(st[i], st[j]);
	}
	ck_assert_uint_eq(heap_allocs(), heap + RTE_DIM(sa));

	/* Each is an allocation the size of a state ipsec-mb makes. */
	for (i = 0; i < RTE_DIM(sa); i++) {
		void *direct = ss_esp_mb_state_make(sa[i], key[i], klen[i],
			err, sizeof(err));
		size_t sz = 0, dsz = 0;

		ck_assert_msg(direct != NULL, "%s", err);
		ck_assert_int_eq(rte_malloc_validate(direct, &dsz), 0);
		ck_assert_int_eq(rte_malloc_validate(st[i], &sz), 0);
		ck_assert_uint_eq(sz, dsz);
		ss_esp_mb_state_free(direct);
	}
	for (i = 0; i < RTE_DIM(sa); i++) {
		ss_swnic_erase(d, s[i]);
		ck_assert_ptr_null(ss_swnic_state(d, s[i]));
	}
	ck_assert_uint_eq(heap_allocs(), heap);
	ss_swnic_free(d);
}
END_TEST

static Suite *
swnic_suite(void)
{
	Suite *s = suite_create("swnic");
	TCase *tc = tcase_create("swnic");

	tcase_add_test(tc, test_create_bounds);
	tcase_add_test(tc, test_store_args);
	tcase_add_test(tc, test_latency);
	tcase_add_test(tc, test_latency_zero);
	tcase_add_test(tc, test_clock_end);
	tcase_add_test(tc, test_fifo);
	tcase_add_test(tc, test_table_full);
	tcase_add_test(tc, test_erase_pending);
	tcase_add_test(tc, test_erase_unread);
	tcase_add_test(tc, test_refused);
	tcase_add_test(tc, test_key_copy);
	tcase_add_test(tc, test_free_busy);
	tcase_add_test(tc, test_real_state);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr;
	int failed;

	ss_test_eal_init(NULL);
	fixtures();
	sr = srunner_create(swnic_suite());
	srunner_set_fork_status(sr, CK_NOFORK);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
