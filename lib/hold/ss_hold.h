/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 shardsec authors
 */

#ifndef SS_HOLD_H
#define SS_HOLD_H

/**
 * Hold queues: outbound packets that a PROTECT policy sends into a
 * tunnel that has no SA on this server yet wait here, in arrival order,
 * instead of being dropped, while the control lcore negotiates the SA
 * (the first packet of a queue is what triggers the ACQUIRE). When the
 * SA is installed the worker takes them out, oldest first, and encrypts
 * them before any newer packet of that tunnel.
 *
 * One object per server, used only by the worker lcore that runs the
 * server (no locks, no atomics); the control lcore only reads the
 * counters. Each tunnel has its own queue, bounded in packets and in
 * bytes; a packet that has waited the timeout is handed back by
 * ss_hold_expire. What a queue refuses or expires is the caller's to
 * answer (drop with a counter, or ICMP unreachable): nothing is freed
 * here except by ss_hold_flush and ss_hold_free.
 */

#include <stdint.h>

struct rte_mbuf;

#define SS_HOLD_MAX_PACKETS 4096
#define SS_HOLD_MAX_QUEUES 64

/** Bounds of every queue of one object. */
struct ss_hold_conf {
	uint32_t packets;	/* per queue, 1..SS_HOLD_MAX_PACKETS */
	uint32_t bytes;		/* per queue (pkt_len summed), >= 1 */
	uint32_t timeout_ms;	/* a packet this old expires, >= 1 */
	uint16_t queues;	/* tunnels held at once,
				 * 1..SS_HOLD_MAX_QUEUES */
};

/** Written by the owning worker only. */
struct ss_hold_stats {
	uint64_t held;		/* packets taken in */
	uint64_t released;	/* given back by ss_hold_take */
	uint64_t overflow;	/* refused: the tunnel's queue is full, or
				 * the packet alone exceeds conf.bytes */
	uint64_t no_queue;	/* refused: every queue serves another
				 * tunnel */
	uint64_t expired;	/* given back by ss_hold_expire */
	uint64_t flushed;	/* freed by ss_hold_flush / ss_hold_free */
	uint64_t opened;	/* queues opened (first packet: ACQUIRE) */
	uint32_t now_packets;	/* held right now */
	uint64_t now_bytes;	/* up to queues x conf.bytes */
	uint16_t now_queues;
};

/** ss_hold_push results (>= 0: the packet is held). */
#define SS_HOLD_QUEUED 0	/* behind others of its tunnel */
#define SS_HOLD_OPENED 1	/* first of a new queue: ask for the SA */

struct ss_hold;

/** Create an empty object on 'socket'. NULL with rte_errno set (EINVAL
 * for bounds out of range, ENOMEM). */
struct ss_hold *
ss_hold_create(const struct ss_hold_conf *conf, int socket);

/** Free the object and every packet still held (counted as flushed).
 * NULL is fine. */
void
ss_hold_free(struct ss_hold *h);

/**
 * Hold m (data at the IP header) for 'tunnel', arrived at now_tsc
 * (rte_get_timer_cycles() clock). Returns SS_HOLD_OPENED or
 * SS_HOLD_QUEUED when m is held; -ENOBUFS when the tunnel's queue
 * already has conf.packets packets or m would take it over conf.bytes,
 * -ENOSPC when the tunnel has no queue and all conf.queues are in use
 * (checked first): then m stays the caller's and the refusal is counted.
 * A packet larger than conf.bytes opens no queue. now_tsc must not go
 * backwards between the pushes of one object.
 */
int
ss_hold_push(struct ss_hold *h, uint32_t tunnel, struct rte_mbuf *m,
	uint64_t now_tsc);

/** Number of open queues: 0 is the worker's cheap test, every poll. */
uint16_t
ss_hold_nb_queues(const struct ss_hold *h);

/** Tunnels that have a queue, in the order the queues were opened;
 * returns how many were written (at most max). */
uint16_t
ss_hold_tunnels(const struct ss_hold *h, uint32_t tun[], uint16_t max);

/** Take up to max packets of the tunnel's queue, oldest first; the queue
 * is closed once empty. Returns the count (0: no queue). */
uint16_t
ss_hold_take(struct ss_hold *h, uint32_t tunnel, struct rte_mbuf *out[],
	uint16_t max);

/** TSC at which the oldest held packet expires; UINT64_MAX when none. */
uint64_t
ss_hold_deadline(const struct ss_hold *h);

/**
 * Take up to max packets that have waited conf.timeout_ms or longer at
 * now_tsc, each with its tunnel in tun[], oldest first within a queue
 * and queue after queue in opening order; emptied queues are closed.
 * Returns the count.
 */
uint16_t
ss_hold_expire(struct ss_hold *h, uint64_t now_tsc, struct rte_mbuf *out[],
	uint32_t tun[], uint16_t max);

/** Free the tunnel's held packets and close its queue (the tunnel is
 * gone). Returns how many were freed. */
uint32_t
ss_hold_flush(struct ss_hold *h, uint32_t tunnel);

/** A copy of the counters (any lcore: plain reads of worker-written
 * fields, as for every other per-server counter). */
void
ss_hold_stats_get(const struct ss_hold *h, struct ss_hold_stats *st);

/** Zero the event counters (held .. opened); the now_* gauges stay. */
void
ss_hold_stats_clear(struct ss_hold *h);

/** The bounds the object was made with. */
const struct ss_hold_conf *
ss_hold_conf_get(const struct ss_hold *h);

#endif /* SS_HOLD_H */
