/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 shardsec authors
 */

/* SA database: SPI allocation, add / delete / lookup, outbound rekey,
 * deferred free under RCU with key wiping, and the "ipsec" section. */

#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_malloc.h>
#include <rte_rcu_qsbr.h>

#include "ss_test.h"
#include "ss_steer.h"
#include "ss_sa.h"

static const uint16_t ids[3] = { 1, 2, 0 };
static unsigned int db_seq;

static struct ss_sa_db *
mkdb(struct rte_rcu_qsbr *q)
{
	char name[32];
	struct ss_sa_db_conf c = {
		.name = name, .nb_servers = 3, .instance_bits = 4, .ids = ids,
		.max_tunnels = 4, .max_sa_per_server = 4096,
		.socket = SOCKET_ID_ANY,
	};
	struct ss_sa_tunnel_params tp = { .name = "t0" };
	struct ss_sa_db *db;

	snprintf(name, sizeof(name), "s%u", db_seq++);
	db = ss_sa_db_create(&c, q);
	ck_assert_ptr_nonnull(db);
	ck_assert_int_eq(ss_sa_tunnel_add(db, &tp, NULL), 0);
	return db;
}

static void
params(struct ss_sa_params *p, uint32_t spi, enum ss_sa_dir dir,
	uint16_t server)
{
	unsigned int i;

	memset(p, 0, sizeof(*p));
	p->spi = spi;
	p->dir = dir;
	p->server = server;
	p->algo = SS_SA_ALGO_AES_GCM_128;
	p->key_len = 20;
	for (i = 0; i < 20; i++)
		p->key[i] = (uint8_t)(0xa0 + i);
	ss_ipaddr_parse("192.0.2.1", &p->local);
	ss_ipaddr_parse("192.0.2.2", &p->peer);
}

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

START_TEST(test_spi_alloc)
{
	struct ss_sa_db *db = mkdb(NULL);
	static uint32_t v[3 * 100];
	struct ss_sa_params p;
	unsigned int s, i, n = 0;

	for (s = 0; s < 3; s++)
		for (i = 0; i < 100; i++) {
			uint32_t spi;

			ck_assert_int_eq(ss_sa_spi_alloc(db, (uint16_t)s, &spi),
				0);
			ck_assert_uint_ge(spi, 256);
			ck_assert_uint_eq(ss_steer_id_get(spi, 4), ids[s]);
			ck_assert_uint_eq(ss_sa_db_server_of_spi(db, spi), s);
			v[n++] = spi;
			/* half become live SAs, half stay reserved */
			if (i % 2 == 0) {
				params(&p, spi, SS_SA_DIR_IN, (uint16_t)s);
				ck_assert_int_eq(ss_sa_add(db, &p, NULL), 0);
			}
		}
	qsort(v, n, sizeof(v[0]), cmp_u32);
	for (i = 1; i < n; i++)
		ck_assert_uint_ne(v[i], v[i - 1]);
	/* reservations are capped, and released ones are usable again */
	{
		uint32_t spi;

		ck_assert_int_eq(ss_sa_spi_alloc(db, 0, &spi), 0);
		ss_sa_spi_release(db, spi);
		params(&p, spi, SS_SA_DIR_IN, 0);
		ck_assert_int_eq(ss_sa_add(db, &p, NULL), 0);
	}
	ck_assert_int_eq(ss_sa_spi_alloc(db, 3, NULL), -EINVAL);
	ss_sa_db_free(db);
}
END_TEST

START_TEST(test_add_del_lookup)
{
	struct ss_sa_db *db = mkdb(NULL);
	struct ss_sa_params p;
	struct ss_sa *in, *o1, *o2;
	struct ss_sa *const *out;
	char line[512];

	params(&p, 0x10000101, SS_SA_DIR_IN, 0);
	ck_assert_int_eq(ss_sa_add(db, &p, &in), 0);
	ck_assert_ptr_eq(ss_sa_lookup_in(db, 0, 0x10000101), in);
	ck_assert_ptr_null(ss_sa_lookup_in(db, 1, 0x10000101));
	ck_assert_ptr_null(ss_sa_lookup_in(db, 0, 0x10000102));
	/* duplicate, wrong id bits, reserved range, key length */
	ck_assert_int_eq(ss_sa_add(db, &p, NULL), -EEXIST);
	ck_assert_str_eq(ss_sa_db_errstr(db),
		"inbound SPI 0x10000101 is in use");
	params(&p, 0x20000101, SS_SA_DIR_IN, 0);
	ck_assert_int_eq(ss_sa_add(db, &p, NULL), -EINVAL);
	ck_assert_str_eq(ss_sa_db_errstr(db),
		"inbound SPI 0x20000101 carries instance-id 2, not server 0's id 1");
	params(&p, 200, SS_SA_DIR_OUT, 0);
	ck_assert_int_eq(ss_sa_add(db, &p, NULL), -EINVAL);
	ck_assert_str_eq(ss_sa_db_errstr(db),
		"SPI 0x000000c8: 0..255 are reserved (RFC 4303)");
	params(&p, 0x300, SS_SA_DIR_OUT, 0);
	p.key_len = 16;
	ck_assert_int_eq(ss_sa_add(db, &p, NULL), -EINVAL);
	ck_assert_str_eq(ss_sa_db_errstr(db),
		"SPI 0x00000300: aes-gcm-128 needs a 20-byte key, got 16");
	/* outbound: newest is the pick; deleting it falls back */
	params(&p, 0xabc, SS_SA_DIR_OUT, 1);
	ck_assert_int_eq(ss_sa_add(db, &p, &o1), 0);
	params(&p, 0xabd, SS_SA_DIR_OUT, 1);
	ck_assert_int_eq(ss_sa_add(db, &p, &o2), 0);
	out = ss_sa_out_table(db, 1);
	ck_assert_ptr_eq(out[0], o2);
	ck_assert(o2->active && !o1->active);
	ck_assert_ptr_null(ss_sa_out_table(db, 0)[0]);
	ck_assert_int_eq(ss_sa_del(db, 0xabd, SS_SA_DIR_OUT), 0);
	ck_assert_ptr_eq(out[0], o1);
	ck_assert(o1->active);
	ck_assert_int_eq(ss_sa_del(db, 0xabd, SS_SA_DIR_OUT), -ENOENT);
	ck_assert_int_eq(ss_sa_tunnel_del(db, 0), -EBUSY);
	/* the shell line: fields, never the key */
	ss_sa_format(in, line, sizeof(line));
	ck_assert_ptr_nonnull(strstr(line, "spi=0x10000101 id=1 server=0 in "
		"aes-gcm-128 tunnel"));
	ck_assert_ptr_null(strstr(line, "a0a1a2"));
	ck_assert_int_eq(ss_sa_del(db, 0x10000101, SS_SA_DIR_IN), 0);
	ck_assert_ptr_null(ss_sa_lookup_in(db, 0, 0x10000101));
	ck_assert_int_eq(ss_sa_del(db, 0xabc, SS_SA_DIR_OUT), 0);
	ck_assert_ptr_null(out[0]);
	ck_assert_int_eq(ss_sa_tunnel_del(db, 0), 0);
	ss_sa_db_free(db);
}
END_TEST

/* The per-server inbound cache answers what the hash answers: found,
 * not found, and after a delete (and a new SA on the same SPI) never an
 * older pointer; SPIs that share a slot evict each other. */
START_TEST(test_in_cache)
{
	struct ss_sa_db *db = mkdb(NULL);
	struct ss_sa_in_cache *c = calloc(1, sizeof(*c));
	struct ss_sa_params p;
	struct ss_sa *a, *b, *a2, *got[5];
	/* 0x10000101 and 0x10000141 share a slot (64 entries). */
	const uint32_t spi[4] = { 0x10000101, 0x10000141, 0x10000101,
		0x10000999 };
	unsigned int r;

	ck_assert_ptr_nonnull(c);
	params(&p, 0x10000101, SS_SA_DIR_IN, 0);
	ck_assert_int_eq(ss_sa_add(db, &p, &a), 0);
	params(&p, 0x10000141, SS_SA_DIR_IN, 0);
	ck_assert_int_eq(ss_sa_add(db, &p, &b), 0);
	for (r = 0; r < 3; r++) {
		ss_sa_lookup_in_cached(db, 0, c, spi, 4, got);
		ck_assert_ptr_eq(got[0], a);
		ck_assert_ptr_eq(got[1], b);
		ck_assert_ptr_eq(got[2], a);
		ck_assert_ptr_null(got[3]);
	}
	ck_assert_uint_gt(c->misses, 0);
	/* Runs of one SPI count and answer as one probe per packet would:
	 * a hit repeats as hits, a miss as misses (the slot is filled after
	 * the burst, by the last of the SPIs that share it). */
	{
		struct ss_sa_in_cache *c2 = calloc(1, sizeof(*c2));
		const uint32_t run1[4] = { 0x10000101, 0x10000101,
			0x10000141, 0x10000141 };
		const uint32_t run2[5] = { 0x10000141, 0x10000141,
			0x10000101, 0x10000101, 0x10000141 };

		ck_assert_ptr_nonnull(c2);
		ss_sa_lookup_in_cached(db, 0, c2, run1, 4, got);
		ck_assert_ptr_eq(got[0], a);
		ck_assert_ptr_eq(got[1], a);
		ck_assert_ptr_eq(got[2], b);
		ck_assert_ptr_eq(got[3], b);
		ck_assert_uint_eq(c2->hits, 0);
		ck_assert_uint_eq(c2->misses, 4);
		ss_sa_lookup_in_cached(db, 0, c2, run2, 5, got);
		ck_assert_ptr_eq(got[0], b);
		ck_assert_ptr_eq(got[1], b);
		ck_assert_ptr_eq(got[2], a);
		ck_assert_ptr_eq(got[3], a);
		ck_assert_ptr_eq(got[4], b);
		ck_assert_uint_eq(c2->hits, 3);
		ck_assert_uint_eq(c2->misses, 6);
		free(c2);
	}
	ck_assert_int_eq(ss_sa_del(db, 0x10000101, SS_SA_DIR_IN), 0);
	ss_sa_lookup_in_cached(db, 0, c, spi, 4, got);
	ck_assert_ptr_null(got[0]);
	ck_assert_ptr_eq(got[1], b);
	ck_assert_ptr_null(got[2]);
	params(&p, 0x10000101, SS_SA_DIR_IN, 0);
	ck_assert_int_eq(ss_sa_add(db, &p, &a2), 0);
	ss_sa_lookup_in_cached(db, 0, c, spi, 4, got);
	ck_assert_ptr_eq(got[0], a2);
	ck_assert_ptr_eq(got[2], a2);
	ck_assert_int_eq(ss_sa_del(db, 0x10000101, SS_SA_DIR_IN), 0);
	ck_assert_int_eq(ss_sa_del(db, 0x10000141, SS_SA_DIR_IN), 0);
	ss_sa_lookup_in_cached(db, 0, c, spi, 2, got);
	ck_assert_ptr_null(got[0]);
	ck_assert_ptr_null(got[1]);
	free(c);
	ss_sa_db_free(db);
}
END_TEST

/* Rekey responder (RFC 7296 2.8): the new outbound SA waits in standby,
 * the old one stays the pick until activation or until it is deleted. */
START_TEST(test_out_standby)
{
	struct ss_sa_db *db = mkdb(NULL);
	struct ss_sa *const *out;
	struct ss_sa_params p;
	struct ss_sa *o1, *o2, *o3, *o4;
	char line[512];

	out = ss_sa_out_table(db, 1);
	/* standby with nothing to replace: there is nothing else to send
	 * on, so it is the pick at once */
	params(&p, 0xc01, SS_SA_DIR_OUT, 1);
	p.standby = true;
	ck_assert_int_eq(ss_sa_add(db, &p, &o1), 0);
	ck_assert_ptr_eq(out[0], o1);
	ck_assert(o1->active && !o1->standby);
	/* standby next to a pick: installed, not chosen */
	params(&p, 0xc02, SS_SA_DIR_OUT, 1);
	p.standby = true;
	ck_assert_int_eq(ss_sa_add(db, &p, &o2), 0);
	ck_assert_ptr_eq(out[0], o1);
	ck_assert(o1->active && !o2->active && o2->standby);
	ss_sa_format(o2, line, sizeof(line));
	ck_assert_ptr_nonnull(strstr(line, " out aes-gcm-128 tunnel standby "));
	ss_sa_format(o1, line, sizeof(line));
	ck_assert_ptr_null(strstr(line, "standby"));
	/* other servers are untouched */
	ck_assert_ptr_null(ss_sa_out_table(db, 0)[0]);
	/* activation: the standby SA becomes the pick */
	ck_assert_int_eq(ss_sa_activate(db, 0, 0xc02), 0);
	ck_assert_ptr_eq(out[0], o2);
	ck_assert(o2->active && !o2->standby && !o1->active);
	/* again: nothing changes; unknown SPI or tunnel: -ENOENT */
	ck_assert_int_eq(ss_sa_activate(db, 0, 0xc02), 0);
	ck_assert_ptr_eq(out[0], o2);
	ck_assert_int_eq(ss_sa_activate(db, 0, 0xc09), -ENOENT);
	ck_assert_str_eq(ss_sa_db_errstr(db),
		"no outbound SA 0x00000c09 in tunnel 0");
	ck_assert_int_eq(ss_sa_activate(db, 1, 0xc02), -ENOENT);
	/* deleting the old (no longer picked) SA changes nothing */
	ck_assert_int_eq(ss_sa_del(db, 0xc01, SS_SA_DIR_OUT), 0);
	ck_assert_ptr_eq(out[0], o2);
	/* a standby SA whose pick is deleted takes over (the old pair's
	 * Delete came first) */
	params(&p, 0xc03, SS_SA_DIR_OUT, 1);
	p.standby = true;
	ck_assert_int_eq(ss_sa_add(db, &p, &o3), 0);
	ck_assert_ptr_eq(out[0], o2);
	ck_assert_int_eq(ss_sa_del(db, 0xc02, SS_SA_DIR_OUT), 0);
	ck_assert_ptr_eq(out[0], o3);
	ck_assert(o3->active && !o3->standby);
	/* a standby SA deleted before activation leaves the pick alone */
	params(&p, 0xc04, SS_SA_DIR_OUT, 1);
	p.standby = true;
	ck_assert_int_eq(ss_sa_add(db, &p, &o4), 0);
	ck_assert_int_eq(ss_sa_del(db, 0xc04, SS_SA_DIR_OUT), 0);
	ck_assert_ptr_eq(out[0], o3);
	ck_assert(o3->active);
	/* a plain add (initiator side) still replaces the pick at once */
	params(&p, 0xc05, SS_SA_DIR_OUT, 1);
	ck_assert_int_eq(ss_sa_add(db, &p, &o4), 0);
	ck_assert_ptr_eq(out[0], o4);
	ck_assert(o4->active && !o3->active);
	ss_sa_db_free(db);
}
END_TEST

/* A rekeyed pair's inbound SA: still found by the workers, shown as
 * retiring, deleted like any other. */
START_TEST(test_in_retire)
{
	struct ss_sa_db *db = mkdb(NULL);
	struct ss_sa_params p;
	struct ss_sa *in;
	char line[512];

	params(&p, 0x10000101, SS_SA_DIR_IN, 0);
	ck_assert_int_eq(ss_sa_add(db, &p, &in), 0);
	ss_sa_format(in, line, sizeof(line));
	ck_assert_ptr_null(strstr(line, "retiring"));
	ck_assert_int_eq(ss_sa_retire(db, 0x10000101), 0);
	ck_assert(in->retiring);
	ck_assert_ptr_eq(ss_sa_lookup_in(db, 0, 0x10000101), in);
	ss_sa_format(in, line, sizeof(line));
	ck_assert_ptr_nonnull(strstr(line, " in aes-gcm-128 tunnel retiring "));
	ck_assert_int_eq(ss_sa_retire(db, 0x10000102), -ENOENT);
	ck_assert_str_eq(ss_sa_db_errstr(db),
		"no inbound SA with SPI 0x10000102");
	ck_assert_int_eq(ss_sa_del(db, 0x10000101, SS_SA_DIR_IN), 0);
	ck_assert_ptr_null(ss_sa_lookup_in(db, 0, 0x10000101));
	ss_sa_db_free(db);
}
END_TEST

static unsigned int keys_freed;
static bool keys_zero;

static void
key_hook(const uint8_t *key, size_t len)
{
	size_t i;

	keys_freed++;
	for (i = 0; i < len; i++)
		if (key[i] != 0)
			keys_zero = false;
}

START_TEST(test_rcu_deferred_free)
{
	size_t sz = rte_rcu_qsbr_get_memsize(2);
	struct rte_rcu_qsbr *q = rte_zmalloc("q", sz, RTE_CACHE_LINE_SIZE);
	struct ss_sa_db *db;
	struct ss_sa_params p;
	struct ss_sa *sa, *held;

	ck_assert_ptr_nonnull(q);
	ck_assert_int_eq(rte_rcu_qsbr_init(q, 2), 0);
	/* two simulated workers (thread ids 0 and 1) */
	ck_assert_int_eq(rte_rcu_qsbr_thread_register(q, 0), 0);
	ck_assert_int_eq(rte_rcu_qsbr_thread_register(q, 1), 0);
	rte_rcu_qsbr_thread_online(q, 0);
	rte_rcu_qsbr_thread_online(q, 1);
	db = mkdb(q);
	params(&p, 0x10000400, SS_SA_DIR_IN, 0);
	ck_assert_int_eq(ss_sa_add(db, &p, &sa), 0);
	/* worker 0 holds the SA inside its read-side section */
	held = ss_sa_lookup_in(db, 0, 0x10000400);
	ck_assert_ptr_eq(held, sa);
	keys_freed = 0;
	keys_zero = true;
	ss_sa_test_key_freed = key_hook;
	ck_assert_int_eq(ss_sa_del(db, 0x10000400, SS_SA_DIR_IN), 0);
	/* gone for new readers, alive for the holder */
	ck_assert_ptr_null(ss_sa_lookup_in(db, 0, 0x10000400));
	ck_assert_uint_eq(ss_sa_db_reclaim(db), 1);
	ck_assert_uint_eq(keys_freed, 0);
	ck_assert_uint_eq(held->spi, 0x10000400);
	rte_rcu_qsbr_quiescent(q, 0);
	ck_assert_uint_eq(ss_sa_db_reclaim(db), 1);	/* worker 1 not yet */
	ck_assert_uint_eq(keys_freed, 0);
	rte_rcu_qsbr_quiescent(q, 1);
	ck_assert_uint_eq(ss_sa_db_reclaim(db), 0);
	ck_assert_uint_eq(keys_freed, 1);
	ck_assert(keys_zero);
	/* the SPI can be used again once the slot is free */
	ck_assert_int_eq(ss_sa_add(db, &p, NULL), 0);
	rte_rcu_qsbr_thread_offline(q, 0);
	rte_rcu_qsbr_thread_offline(q, 1);
	ss_sa_db_free(db);
	ck_assert_uint_eq(keys_freed, 2);
	ck_assert(keys_zero);
	ss_sa_test_key_freed = NULL;
	rte_free(q);
}
END_TEST

/* Servers added and removed at run time: a free index becomes live with
 * a free id, takes SPIs and SAs, and on removal loses its SAs (keys
 * wiped), its reserved SPIs and its id, which another index may take. */
START_TEST(test_server_add_del)
{
	char name[32];
	struct ss_sa_db_conf c = {
		.name = name, .nb_servers = 3, .instance_bits = 4, .ids = ids,
		.max_tunnels = 4, .max_sa_per_server = 64,
		.socket = SOCKET_ID_ANY, .max_servers = 5,
	};
	struct ss_sa_tunnel_params tp = { .name = "t0" };
	struct ss_sa_params p;
	struct ss_sa_db *db;
	uint32_t spi, spi2;

	snprintf(name, sizeof(name), "s%u", db_seq++);
	db = ss_sa_db_create(&c, NULL);
	ck_assert_ptr_nonnull(db);
	ck_assert_int_eq(ss_sa_tunnel_add(db, &tp, NULL), 0);
	ck_assert_uint_eq(ss_sa_db_nb_servers(db), 5);
	ck_assert(ss_sa_db_server_live(db, 2));
	ck_assert(!ss_sa_db_server_live(db, 3));
	/* a free index takes nothing */
	ck_assert_int_eq(ss_sa_spi_alloc(db, 3, &spi), -EINVAL);
	params(&p, 0x70000100, SS_SA_DIR_OUT, 3);
	ck_assert_int_eq(ss_sa_add(db, &p, NULL), -EINVAL);
	ck_assert_uint_eq(ss_sa_db_instance_id(db, 3), 0xffff);
	/* refused: live index, id in use, id too big, index out of range */
	ck_assert_int_eq(ss_sa_db_server_add(db, 1, 9), -EINVAL);
	ck_assert_int_eq(ss_sa_db_server_add(db, 3, 2), -EEXIST);
	ck_assert_str_eq(ss_sa_db_errstr(db), "instance-id 2 is server 1's");
	ck_assert_int_eq(ss_sa_db_server_add(db, 3, 16), -EINVAL);
	ck_assert_int_eq(ss_sa_db_server_add(db, 5, 9), -EINVAL);
	ck_assert_int_eq(ss_sa_db_server_add(db, 3, 9), 0);
	ck_assert(ss_sa_db_server_live(db, 3));
	ck_assert_uint_eq(ss_sa_db_instance_id(db, 3), 9);
	ck_assert_int_eq(ss_sa_spi_alloc(db, 3, &spi), 0);
	ck_assert_uint_eq(ss_steer_id_get(spi, 4), 9);
	ck_assert_uint_eq(ss_sa_db_server_of_spi(db, spi), 3);
	params(&p, spi, SS_SA_DIR_IN, 3);
	ck_assert_int_eq(ss_sa_add(db, &p, NULL), 0);
	ck_assert_ptr_nonnull(ss_sa_lookup_in(db, 3, spi));
	params(&p, 0x4242, SS_SA_DIR_OUT, 3);
	ck_assert_int_eq(ss_sa_add(db, &p, NULL), 0);
	ck_assert_ptr_nonnull(ss_sa_out_table(db, 3)[0]);
	/* an SA of another server stays */
	params(&p, 0x10000200, SS_SA_DIR_IN, 0);
	ck_assert_int_eq(ss_sa_add(db, &p, NULL), 0);
	ck_assert_int_eq(ss_sa_spi_alloc(db, 3, &spi2), 0);
	keys_freed = 0;
	keys_zero = true;
	ss_sa_test_key_freed = key_hook;
	ck_assert_int_eq(ss_sa_db_server_del(db, 3), 2);
	ss_sa_test_key_freed = NULL;
	ck_assert_uint_eq(keys_freed, 2);
	ck_assert(keys_zero);
	ck_assert(!ss_sa_db_server_live(db, 3));
	ck_assert_int_eq(ss_sa_db_server_del(db, 3), -EINVAL);
	ck_assert_ptr_null(ss_sa_lookup_in(db, 3, spi));
	ck_assert_ptr_null(ss_sa_out_table(db, 3)[0]);
	ck_assert_uint_eq(ss_sa_db_server_of_spi(db, spi), 0xffff);
	ck_assert_ptr_nonnull(ss_sa_lookup_in(db, 0, 0x10000200));
	ck_assert_int_eq(ss_sa_del(db, spi, SS_SA_DIR_IN), -ENOENT);
	/* id 9 is free again: index 4 takes it, index 3 is reused too */
	ck_assert_int_eq(ss_sa_db_server_add(db, 4, 9), 0);
	ck_assert_int_eq(ss_sa_db_server_add(db, 3, 10), 0);
	ck_assert_uint_eq(ss_sa_db_server_of_spi(db, spi), 4);
	params(&p, spi, SS_SA_DIR_IN, 4);
	ck_assert_int_eq(ss_sa_add(db, &p, NULL), 0);
	params(&p, spi2, SS_SA_DIR_IN, 3);
	/* spi2 carries id 9: not index 3's any more */
	ck_assert_int_eq(ss_sa_add(db, &p, NULL), -EINVAL);
	params(&p, spi2, SS_SA_DIR_IN, 4);
	ck_assert_int_eq(ss_sa_add(db, &p, NULL), 0);
	ss_sa_db_free(db);
}
END_TEST

/* ---- configuration -------------------------------------------------- */

static struct ss_config cfg;
static struct ss_cfg_error err;
static struct ss_sa_cfg sc;

#define HEAD "ports = ( { name = \"a\"; device = \"net_null0\"; " \
	"addresses = ( \"192.0.2.1/24\" ); } );\n" \
	"servers = ( { id = 1; lcore = 1; }, { id = 2; lcore = 1; } );\n"
#define TUN(sas) "ipsec = {\n replay_window = 1024;\n esn = true;\n" \
	" tunnels = ( {\n  name = \"remote\"; local = \"198.51.100.1\";\n" \
	"  peer = \"198.51.100.2\"; mode = \"tunnel\"; udp_encap = false;\n" \
	"  local_ts = [ \"10.1.0.0/16\" ]; remote_ts = [ \"10.2.0.0/16\" ];\n" \
	"  sas = ( " sas " ); } );\n policies = ( );\n};\n"
#define KEY20 "\"0x000102030405060708090a0b0c0d0e0f10111213\""

static int
load(const char *text)
{
	ss_cfg_free(&cfg);
	ss_cfg_unregister_all();
	ck_assert_int_eq(ss_sa_cfg_register(&sc), 0);
	return ss_cfg_load_string(text, "t.cfg", &cfg, &err);
}

static void
expect_err(const char *text, const char *msg)
{
	ck_assert_msg(load(text) == -EINVAL, "accepted: %s", text);
	ck_assert_str_eq(err.msg, msg);
}

START_TEST(test_cfg_good)
{
	struct ss_sa_db *db;
	struct ss_sa_db_conf c = {
		.name = "cfgdb", .nb_servers = 2, .instance_bits = 4,
		.socket = SOCKET_ID_ANY,
	};
	uint16_t sid[2];
	struct ss_cfg_error ce;
	struct ss_sa *sa;

	ck_assert_msg(load(HEAD TUN(
		"{ server = 1; dir = \"out\"; spi = 0x90000101;"
		" algo = \"aes-gcm-128\"; key = " KEY20 "; },\n"
		"{ server = 2; dir = \"in\"; spi = 0x20000101;"
		" algo = \"aes-gcm-128\"; key = " KEY20 "; replay_window = 128;"
		" backend = \"lookaside\"; }")) == 0, "%s", err.msg);
	ck_assert(sc.present);
	/* DF-clear packets too big once protected: fragmented by default */
	ck_assert(sc.fragment);
	ck_assert_uint_eq(sc.nb_tunnels, 1);
	ck_assert_uint_eq(sc.nb_sas, 2);
	ck_assert_uint_eq(sc.sas[0].spi, 0x90000101);
	ck_assert_uint_eq(sc.sas[0].server, 0);
	ck_assert(sc.sas[0].esn);
	ck_assert_uint_eq(sc.sas[1].server, 1);
	ck_assert_uint_eq(sc.sas[1].replay_window, 128);
	ck_assert_uint_eq(sc.sas[1].backend, SS_SA_BACKEND_LOOKASIDE);
	ck_assert_uint_eq(sc.sas[0].replay_window, 1024);
	ck_assert_uint_eq(sc.sas[1].nb_ts, 1);
	ck_assert_uint_eq(sc.sas[1].key[19], 0x13);
	ck_assert_ptr_nonnull(sc.policies);
	ck_assert_uint_eq(ss_sa_cfg_tunnel_by_name("remote", &sc), 0);
	ck_assert_uint_eq(ss_sa_cfg_tunnel_by_name("x", &sc),
		SS_SA_TUNNEL_NONE);
	sid[0] = cfg.servers[0].id;
	sid[1] = cfg.servers[1].id;
	c.ids = sid;
	db = ss_sa_db_create(&c, NULL);
	ck_assert_ptr_nonnull(db);
	ck_assert_msg(ss_sa_cfg_apply(&sc, db, &ce) == 0, "%s", ce.msg);
	sa = ss_sa_lookup_in(db, 1, 0x20000101);
	ck_assert_ptr_nonnull(sa);
	ck_assert_uint_eq(sa->replay_window, 128);
	ck_assert_ptr_nonnull(ss_sa_out_table(db, 0)[0]);
	ss_sa_db_free(db);
	/* What only the database finds names the SA's line, not just the
	 * file: here a database with only the first server. */
	c.nb_servers = 1;
	c.name = "cfgdb1";
	db = ss_sa_db_create(&c, NULL);
	ck_assert_ptr_nonnull(db);
	memset(&ce, 0, sizeof(ce));
	ck_assert_int_eq(ss_sa_cfg_apply(&sc, db, &ce), -EINVAL);
	ck_assert_str_eq(ce.msg, "t.cfg:11: ipsec.tunnels.[0].sas.[1]: "
		"SPI 0x20000101: no server index 1");
	ck_assert_int_eq(ce.line, 11);
	ss_sa_db_free(db);
	ss_sa_cfg_clear(&sc);
	ss_cfg_free(&cfg);
}
END_TEST

START_TEST(test_cfg_bad)
{
	ck_assert_int_eq(load(HEAD "ipsec = { fragment = false; };\n"), 0);
	ck_assert(!sc.fragment);
	expect_err(HEAD "ipsec = {\n fragment = 2; };\n",
		"t.cfg:4: ipsec.fragment: expected a boolean, got an integer");
	expect_err(HEAD TUN("{ server = 1; dir = \"in\"; spi = 0x20000101;"
		" algo = \"aes-gcm-128\"; key = " KEY20 "; }"),
		"t.cfg:10: ipsec.tunnels.[0].sas.[0].spi: inbound SPI 0x20000101"
		" must carry server id 1 in its top 4 bits (it carries 2)");
	expect_err(HEAD TUN("{ server = 3; dir = \"in\"; spi = 0x30000101;"
		" algo = \"aes-gcm-128\"; key = " KEY20 "; }"),
		"t.cfg:10: ipsec.tunnels.[0].sas.[0].server: no server with id 3"
		" in servers");
	expect_err(HEAD TUN("{ server = 1; dir = \"in\"; spi = 0x10000101;"
		" algo = \"aes-gcm-128\"; key = \"0x0001\"; }"),
		"t.cfg:10: ipsec.tunnels.[0].sas.[0].key: expected 20 bytes of hex,"
		" got 2");
	expect_err(HEAD TUN("{ server = 1; dir = \"in\"; spi = 0x10000101;"
		" algo = \"des\"; key = " KEY20 "; }"),
		"t.cfg:10: ipsec.tunnels.[0].sas.[0].algo: unknown algorithm 'des'"
		" (aes-gcm-128, aes-gcm-256, aes-cbc-128-hmac-sha256,"
		" aes-cbc-256-hmac-sha256, null-hmac-sha256)");
	expect_err(HEAD TUN("{ server = 1; dir = \"out\"; spi = 7;"
		" algo = \"aes-gcm-128\"; key = " KEY20 "; }"),
		"t.cfg:10: ipsec.tunnels.[0].sas.[0].spi: must be 256..4294967295,"
		" got 7 (0..255 are reserved)");
	expect_err(HEAD TUN("{ server = 1; dir = \"in\"; spi = 0x10000101;"
		" algo = \"aes-gcm-128\"; key = " KEY20 "; },"
		"{ server = 1; dir = \"in\"; spi = 0x10000101;"
		" algo = \"aes-gcm-128\"; key = " KEY20 "; }"),
		"t.cfg:10: ipsec.tunnels.[0].sas.[1].spi: inbound SPI 0x10000101"
		" used twice");
	expect_err(HEAD TUN("{ server = 1; dir = \"in\"; spi = 0x10000101;"
		" algo = \"aes-gcm-128\"; key = " KEY20 "; replay_window = 32; }"),
		"t.cfg:10: ipsec.tunnels.[0].sas.[0].replay_window: must be"
		" 64..4096, got 32");
	expect_err(HEAD "ipsec = { tunnels = ( { name = \"x\"; local ="
		" \"192.0.2.1\"; peer = \"2001:db8::1\"; } ); };\n",
		"t.cfg:3: ipsec.tunnels.[0].peer: local and peer must be of the"
		" same family");
	expect_err(HEAD "ipsec = { colour = 1; };\n",
		"t.cfg:3: ipsec: unknown setting 'colour'");
	ss_sa_cfg_clear(&sc);
	ss_cfg_free(&cfg);
	ss_cfg_unregister_all();
}
END_TEST

/* ipsec.hold: defaults without the section or the group, each setting,
 * and every bad value refused with file, line and the bound. */
START_TEST(test_cfg_hold)
{
	ck_assert_msg(load(HEAD) == 0, "%s", err.msg);
	ck_assert(!sc.present);
	ck_assert_uint_eq(sc.hold.packets, SS_SA_HOLD_PACKETS);
	ck_assert_uint_eq(sc.hold.bytes, SS_SA_HOLD_BYTES);
	ck_assert_uint_eq(sc.hold.timeout_ms, SS_SA_HOLD_TIMEOUT_MS);
	ck_assert_uint_eq(sc.hold.queues, SS_SA_HOLD_QUEUES);
	ck_assert(!sc.hold.icmp);
	ck_assert_msg(load(HEAD "ipsec = { esn = true; };\n") == 0, "%s",
		err.msg);
	ck_assert_uint_eq(sc.hold.packets, SS_SA_HOLD_PACKETS);
	ck_assert_msg(load(HEAD "ipsec = { hold = { packets = 7; bytes = 9000;"
		" timeout_ms = 250; queues = 3; answer = \"icmp\"; }; };\n") ==
		0, "%s", err.msg);
	ck_assert_uint_eq(sc.hold.packets, 7);
	ck_assert_uint_eq(sc.hold.bytes, 9000);
	ck_assert_uint_eq(sc.hold.timeout_ms, 250);
	ck_assert_uint_eq(sc.hold.queues, 3);
	ck_assert(sc.hold.icmp);
	ck_assert_msg(load(HEAD "ipsec = { hold = { packets = 0; }; };\n") ==
		0, "%s", err.msg);
	ck_assert_uint_eq(sc.hold.packets, 0);
	ck_assert_uint_eq(sc.hold.timeout_ms, SS_SA_HOLD_TIMEOUT_MS);
	expect_err(HEAD "ipsec = { hold = { packets = 5000; }; };\n",
		"t.cfg:3: ipsec.hold.packets: must be 0..4096, got 5000");
	expect_err(HEAD "ipsec = { hold = { queues = 0; }; };\n",
		"t.cfg:3: ipsec.hold.queues: must be 1..64, got 0");
	expect_err(HEAD "ipsec = { hold = { timeout_ms = 0; }; };\n",
		"t.cfg:3: ipsec.hold.timeout_ms: must be 1..3600000, got 0");
	expect_err(HEAD "ipsec = { hold = { bytes = 10; }; };\n",
		"t.cfg:3: ipsec.hold.bytes: must be 64..2147483647, got 10");
	expect_err(HEAD "ipsec = {\n hold = { answer = \"reset\"; };\n};\n",
		"t.cfg:4: ipsec.hold.answer: must be one of \"drop\", \"icmp\";"
		" got \"reset\"");
	expect_err(HEAD "ipsec = { hold = { size = 1; }; };\n",
		"t.cfg:3: ipsec.hold: unknown setting 'size'");
	expect_err(HEAD "ipsec = { hold = 5; };\n",
		"t.cfg:3: ipsec.hold: expected a group");
	/* the software NIC: off by default, on with its group or with
	 * backend "swnic" (default bounds then) */
	ck_assert_msg(load(HEAD "ipsec = { esn = true; };\n") == 0, "%s",
		err.msg);
	ck_assert(!sc.swnic);
	ck_assert_uint_eq(sc.backend, SS_SA_BACKEND_DEFAULT);
	ck_assert_msg(load(HEAD "ipsec = { backend = \"swnic\"; };\n") == 0,
		"%s", err.msg);
	ck_assert(sc.swnic);
	ck_assert_uint_eq(sc.backend, SS_SA_BACKEND_SWNIC);
	ck_assert_uint_eq(sc.swnic_slots, SS_SA_SWNIC_SLOTS);
	ck_assert_uint_eq(sc.swnic_latency_us, SS_SA_SWNIC_LATENCY_US);
	ck_assert_msg(load(HEAD "ipsec = { swnic = { slots = 8; latency_us = 0;"
		" }; };\n") == 0, "%s", err.msg);
	ck_assert(sc.swnic);
	ck_assert_uint_eq(sc.swnic_slots, 8);
	ck_assert_uint_eq(sc.swnic_latency_us, 0);
	expect_err(HEAD "ipsec = { swnic = { slots = 0; }; };\n",
		"t.cfg:3: ipsec.swnic.slots: must be 1..65536, got 0");
	expect_err(HEAD "ipsec = { swnic = { latency_us = 20000000; }; };\n",
		"t.cfg:3: ipsec.swnic.latency_us: must be 0..10000000, got"
		" 20000000");
	expect_err(HEAD "ipsec = { swnic = { speed = 1; }; };\n",
		"t.cfg:3: ipsec.swnic: unknown setting 'speed'");
	/* inline crypto: off by default, on with its group, which names
	 * the port; backend "inline" without it is refused */
	ck_assert(!sc.inline_on);
	ck_assert_msg(load(HEAD "ipsec = { backend = \"inline\";\n"
		" inline = { port = \"a\"; software = true; sessions = 8; };"
		" };\n") == 0, "%s", err.msg);
	ck_assert(sc.inline_on);
	ck_assert(sc.inline_software);
	ck_assert_uint_eq(sc.inline_port, 0);
	ck_assert_uint_eq(sc.inline_sessions, 8);
	ck_assert_uint_eq(sc.backend, SS_SA_BACKEND_INLINE);
	ck_assert_msg(load(HEAD "ipsec = { inline = { port = \"a\"; }; };\n")
		== 0, "%s", err.msg);
	ck_assert(sc.inline_on);
	ck_assert(!sc.inline_software);
	ck_assert_uint_eq(sc.inline_sessions, SS_SA_INLINE_SESSIONS);
	expect_err(HEAD "ipsec = {\n backend = \"inline\"; };\n",
		"t.cfg:3: ipsec: backend \"inline\" needs inline = { port = "
		"\"...\"; } naming the port whose NIC does the crypto");
	expect_err(HEAD "ipsec = { inline = { software = true; }; };\n",
		"t.cfg:3: ipsec.inline: missing required setting 'port'");
	expect_err(HEAD "ipsec = { inline = { port = \"b\"; }; };\n",
		"t.cfg:3: ipsec.inline.port: unknown port 'b' (ports: a)");
	expect_err(HEAD "ipsec = { inline = { port = \"a\"; sessions = 1; };"
		" };\n", "t.cfg:3: ipsec.inline.sessions: must be 2..65536, "
		"got 1");
	expect_err(HEAD "ipsec = { inline = { port = \"a\"; nic = 1; }; };\n",
		"t.cfg:3: ipsec.inline: unknown setting 'nic'");
	ss_sa_cfg_clear(&sc);
	ss_cfg_free(&cfg);
	ss_cfg_unregister_all();
}
END_TEST

static Suite *
sa_suite(void)
{
	Suite *s = suite_create("sa");
	TCase *tc = tcase_create("sa");

	tcase_add_test(tc, test_spi_alloc);
	tcase_add_test(tc, test_add_del_lookup);
	tcase_add_test(tc, test_in_cache);
	tcase_add_test(tc, test_out_standby);
	tcase_add_test(tc, test_in_retire);
	tcase_add_test(tc, test_rcu_deferred_free);
	tcase_add_test(tc, test_server_add_del);
	tcase_add_test(tc, test_cfg_good);
	tcase_add_test(tc, test_cfg_bad);
	tcase_add_test(tc, test_cfg_hold);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr;
	int failed;

	ss_test_eal_init(NULL);
	sr = srunner_create(sa_suite());
	srunner_set_fork_status(sr, CK_NOFORK);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
