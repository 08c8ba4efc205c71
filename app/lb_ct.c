/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 shardsec authors
 */

/*
 * Load balancer connection tracking (ss_app_lb_ct.h): a worker's own
 * rte_hash of flows, each entry packed into the hash's data, so that a
 * kept flow costs its share of one bulk lookup per burst and nothing
 * else.
 */

#include <errno.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_errno.h>
#include <rte_hash.h>
#include <rte_hash_crc.h>
#include <rte_ip.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "ss_app_lb_ct.h"
#include "ss_steer.h"

/*
 * An entry is the hash's 64-bit data, beside its key: the backend's id
 * (8 bits), the epoch it was made in (16) and its last use in ticks
 * (40), so that a kept flow's packet reads nothing else and writes
 * nothing. The last use is written back only when it is more than an
 * eighth of the idle time old (a rte_hash_add_key_data of the key, once
 * per idle/8 per busy flow): an entry is then forgotten between 1 and
 * 9/8 idle times after its flow's last packet. The epoch's 16 bits
 * would take an entry that outlived 65536 flushes for a fresh one; the
 * sweep deletes stale entries long before (a full table in 8192 bursts
 * of 65536 entries).
 */
#define ENT_ID(d) ((uint16_t)((d) & 0xff))
#define ENT_EPOCH(d) ((uint16_t)((d) >> 8))
#define ENT_LAST(d) ((d) >> 24)
#define TICKS_MASK ((UINT64_C(1) << 40) - 1)

static inline uint64_t
ent_make(uint16_t id, uint32_t epoch, uint64_t now)
{
	return (uint64_t)(id & 0xff) | (uint64_t)(epoch & 0xffff) << 8 |
		(now & TICKS_MASK) << 24;
}

struct ss_lb_ct {
	struct rte_hash *h;
	uint32_t next;			/* sweep: rte_hash_iterate's */
	uint64_t live;
};

/* The key's hash: five 8-byte CRC steps, inlined into the burst loop
 * (rte_hash_crc's generic loop took some 65 instructions per key); also
 * the table's hash_func, so that its own lookups agree. */
static inline uint32_t
ct_hash_key(const struct ss_lb_ct_key *k)
{
	uint64_t w[5];
	uint32_t h;

	RTE_BUILD_BUG_ON(sizeof(*k) != sizeof(w));
	memcpy(w, k, sizeof(w));
	h = rte_hash_crc_8byte(w[0], 0x5eed1b0c);
	h = rte_hash_crc_8byte(w[1], h);
	h = rte_hash_crc_8byte(w[2], h);
	h = rte_hash_crc_8byte(w[3], h);
	return rte_hash_crc_8byte(w[4], h);
}

static uint32_t
ct_hash(const void *key, uint32_t len, uint32_t init)
{
	RTE_SET_USED(len);
	RTE_SET_USED(init);
	return ct_hash_key(key);
}

struct ss_lb_ct *
ss_lb_ct_create(const char *name, uint32_t entries, int socket)
{
	struct rte_hash_parameters hp = {
		.name = name,
		.entries = entries,
		.key_len = sizeof(struct ss_lb_ct_key),
		.hash_func = ct_hash,
		.socket_id = socket,
		/* no bucket overflow before the table is full: a flow is
		 * refused only for want of room */
		.extra_flag = RTE_HASH_EXTRA_FLAGS_EXT_TABLE,
	};
	struct ss_lb_ct *ct;

	if (entries < SS_LB_CT_MIN || entries > SS_LB_CT_MAX) {
		rte_errno = EINVAL;
		return NULL;
	}
	ct = rte_zmalloc_socket("ss_lb_ct", sizeof(*ct), RTE_CACHE_LINE_SIZE,
		socket);
	if (ct == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	ct->h = rte_hash_create(&hp);
	if (ct->h == NULL) {
		rte_free(ct);
		return NULL;
	}
	return ct;
}

void
ss_lb_ct_free(struct ss_lb_ct *ct)
{
	if (ct == NULL)
		return;
	rte_hash_free(ct->h);
	rte_free(ct);
}

int
ss_lb_ct_key_make(const struct rte_mbuf *m, const struct ss_steer_l4 *l4,
	struct ss_lb_ct_key *k)
{
	const uint8_t *ip = rte_pktmbuf_mtod_offset(m, const uint8_t *,
		m->l2_len);
	const uint32_t room = rte_pktmbuf_data_len(m) - m->l2_len;

	memset(k, 0, sizeof(*k));
	if (m->l2_len + sizeof(struct rte_ipv4_hdr) > rte_pktmbuf_data_len(m))
		return -1;
	if ((ip[0] >> 4) == 4) {
		memcpy(k->src, ip + offsetof(struct rte_ipv4_hdr, src_addr), 4);
		memcpy(k->dst, ip + offsetof(struct rte_ipv4_hdr, dst_addr), 4);
	} else if ((ip[0] >> 4) == 6 && room >= sizeof(struct rte_ipv6_hdr)) {
		k->v6 = 1;
		memcpy(k->src, ip + offsetof(struct rte_ipv6_hdr, src_addr),
			16);
		memcpy(k->dst, ip + offsetof(struct rte_ipv6_hdr, dst_addr),
			16);
	} else {
		return -1;
	}
	/* every fragment of a datagram is one flow (no ports), as lib/steer
	 * hashes them */
	k->proto = l4->proto;
	k->sport = rte_cpu_to_be_16(l4->sport);
	k->dport = rte_cpu_to_be_16(l4->dport);
	return 0;
}

/* Fresh: made in this epoch, used within idle + idle / 8 ticks (see
 * above). */
static inline bool
ct_fresh(uint64_t d, uint64_t now, uint64_t idle, uint32_t epoch)
{
	return ENT_EPOCH(d) == (uint16_t)epoch &&
		((now - ENT_LAST(d)) & TICKS_MASK) <= idle + idle / 8;
}

void
ss_lb_ct_assign(struct ss_lb_ct *ct, const struct ss_lb_ct_key *k[],
	uint16_t n, uint16_t id[], const uint8_t up[], uint64_t now,
	uint64_t idle, uint32_t epoch, struct ss_lb_ct_stats *st)
{
	void *data[RTE_HASH_LOOKUP_BULK_MAX];
	hash_sig_t sig[RTE_HASH_LOOKUP_BULK_MAX];
	uint64_t hits = 0;
	uint16_t i;

	RTE_ASSERT(n <= RTE_HASH_LOOKUP_BULK_MAX);
	if (n == 0)
		return;
	for (i = 0; i < n; i++)
		sig[i] = ct_hash_key(k[i]);
	if (rte_hash_lookup_with_hash_bulk_data(ct->h, (const void **)k, sig,
			n, &hits, data) < 0)
		return;
	for (i = 0; i < n; i++) {
		uint64_t d = (uintptr_t)data[i];

		if (likely(hits & (UINT64_C(1) << i))) {
			if (likely(ct_fresh(d, now, idle, epoch))) {
				if (likely(up[ENT_ID(d)] != 0)) {
					id[i] = ENT_ID(d);
					st->kept++;
					if (unlikely(((now - ENT_LAST(d)) &
							TICKS_MASK) > idle / 8))
						rte_hash_add_key_with_hash_data(
							ct->h, k[i], sig[i],
							(void *)(uintptr_t)
							ent_make(id[i], epoch,
							now));
					continue;
				}
				st->moved++;
			} else {
				st->expired++;
			}
		} else {
			int32_t p;

			/* a packet of a flow that an earlier one of this
			 * burst added: its entry, made just now */
			p = rte_hash_lookup_with_hash_data(ct->h, k[i], sig[i],
				&data[i]);
			if (unlikely(p >= 0)) {
				id[i] = ENT_ID((uintptr_t)data[i]);
				st->kept++;
				continue;
			}
			if (unlikely(rte_hash_add_key_with_hash_data(ct->h,
					k[i], sig[i], (void *)(uintptr_t)
					ent_make(id[i], epoch, now)) < 0)) {
				st->full++;
				continue;
			}
			ct->live++;
			st->added++;
			continue;
		}
		/* moved or expired: the hash's choice, from now */
		rte_hash_add_key_with_hash_data(ct->h, k[i], sig[i],
			(void *)(uintptr_t)ent_make(id[i], epoch, now));
	}
	st->entries = ct->live;
}

uint32_t
ss_lb_ct_sweep(struct ss_lb_ct *ct, uint32_t max, uint64_t now,
	uint64_t idle, uint32_t epoch, struct ss_lb_ct_stats *st)
{
	uint32_t i, del = 0;

	for (i = 0; i < max; i++) {
		const void *key;
		void *data;

		if (rte_hash_iterate(ct->h, &key, &data, &ct->next) < 0) {
			/* the end: from the start next time */
			ct->next = 0;
			break;
		}
		if (ct_fresh((uintptr_t)data, now, idle, epoch))
			continue;
		if (rte_hash_del_key(ct->h, key) >= 0) {
			ct->live--;
			del++;
		}
	}
	st->expired += del;
	st->entries = ct->live;
	return del;
}
