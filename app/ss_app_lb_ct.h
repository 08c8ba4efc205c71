/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 shardsec authors
 */

#ifndef SS_APP_LB_CT_H
#define SS_APP_LB_CT_H

/*
 * Load balancer connection tracking: one table per worker (rte_hash,
 * written and read by that worker only: the NIC's RSS sends a flow to
 * one queue, so to one worker) that remembers which backend each hashed
 * flow (5-tuple) went to. A flow keeps its backend while that backend is
 * up, whatever the hash now says: a backend added, or a weight changed,
 * moves only new flows, and weight 0 drains a backend gracefully. An
 * entry is forgotten when its flow has been idle for the idle time,
 * when the control lcore flushes (an epoch: entries of an older one are
 * stale, and no worker's table is touched from outside), or when its
 * backend is down, disabled or removed (the flow is hashed again). A
 * full table is counted and its new flows are hashed as without it.
 */

#include <stdbool.h>
#include <stdint.h>

struct rte_hash;
struct rte_mbuf;
struct ss_steer_l4;

#define SS_LB_CT_MIN 64
#define SS_LB_CT_MAX (1u << 24)
#define SS_LB_CT_IDLE_MAX 86400		/* seconds */

/* The flow: addresses (IPv4 in the first 4 bytes, the rest 0), ports in
 * network order (0: a fragment, or a protocol without ports). */
struct ss_lb_ct_key {
	uint8_t src[16];
	uint8_t dst[16];
	uint16_t sport;
	uint16_t dport;
	uint8_t proto;
	uint8_t v6;
	uint8_t pad[2];
};

struct ss_lb_ct_stats {
	uint64_t added;		/* flows that got an entry */
	uint64_t kept;		/* packets sent where their entry said */
	uint64_t moved;		/* entries whose backend was not up: hashed
				 * again */
	uint64_t expired;	/* entries idle too long or flushed */
	uint64_t full;		/* new flows with no room: hashed only */
	uint64_t entries;	/* in the table now */
};

struct ss_lb_ct;

/** A table of 'entries' flows (SS_LB_CT_MIN..SS_LB_CT_MAX) on 'socket',
 * for one worker; NULL with rte_errno set. 'name' must be unique. */
struct ss_lb_ct *
ss_lb_ct_create(const char *name, uint32_t entries, int socket);

void
ss_lb_ct_free(struct ss_lb_ct *ct);

/** The flow of m (data at L2, l2_len bytes of link header): its
 * addresses read from the IP header in the first segment, its protocol
 * and ports from what lib/steer's classification read of it (l4; the
 * headers are not parsed twice). 0, or -1 if the IP header is not there
 * (such a packet is not tracked). */
int
ss_lb_ct_key_make(const struct rte_mbuf *m, const struct ss_steer_l4 *l4,
	struct ss_lb_ct_key *k);

/*
 * n flows of one burst (n <= 64). On entry id[i] is the backend the hash
 * chose; on return, the one to send to: the flow's entry's when it has
 * a fresh one (made in 'epoch', used within 'idle' ticks of 'now': any
 * unit, 40 bits of it; an entry is forgotten between idle and 9/8 idle
 * after its last use) whose backend is up (up[id] != 0, ids < 256),
 * else the hash's, which the entry then records.
 */
void
ss_lb_ct_assign(struct ss_lb_ct *ct, const struct ss_lb_ct_key *k[],
	uint16_t n, uint16_t id[], const uint8_t up[], uint64_t now,
	uint64_t idle, uint32_t epoch, struct ss_lb_ct_stats *st);

/** Look at up to 'max' entries from where the last call stopped and
 * delete those that are stale (as in ss_lb_ct_assign); returns how many
 * were deleted (also counted in st). */
uint32_t
ss_lb_ct_sweep(struct ss_lb_ct *ct, uint32_t max, uint64_t now,
	uint64_t idle, uint32_t epoch, struct ss_lb_ct_stats *st);

#endif /* SS_APP_LB_CT_H */
