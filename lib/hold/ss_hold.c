/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 shardsec authors
 */

/*
 * Hold queues. Every ring is carved out of one allocation made at create,
 * so that holding a packet never allocates on the worker's path. Open
 * queues sit in a compact array in opening order: the worker scans it
 * (at most SS_HOLD_MAX_QUEUES, usually one or two) rather than keep a
 * map, and ss_hold_tunnels gives the order for free. Closed queues wait
 * on a free stack.
 */

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "ss_hold.h"

struct hold_ent {
	struct rte_mbuf *m;
	uint64_t tsc;
};

struct hold_queue {
	struct hold_ent *ring;	/* conf.packets entries */
	uint32_t tunnel;
	uint32_t head;		/* oldest entry */
	uint32_t count;
	uint32_t bytes;
};

struct ss_hold {
	struct ss_hold_conf conf;
	uint64_t timeout_tsc;
	uint16_t nb_open;
	uint16_t nb_free;
	struct ss_hold_stats stats;
	struct hold_queue *open[SS_HOLD_MAX_QUEUES];	/* opening order */
	struct hold_queue *free[SS_HOLD_MAX_QUEUES];
	struct hold_queue queue[SS_HOLD_MAX_QUEUES];
	struct hold_ent ents[];	/* conf.queues rings of conf.packets */
};

/* ms * hz / 1000 without the product overflowing 64 bits. */
static uint64_t
ms_to_tsc(uint32_t ms, uint64_t hz)
{
	return hz / 1000 * ms + hz % 1000 * ms / 1000;
}

static bool
conf_ok(const struct ss_hold_conf *c)
{
	return c->packets >= 1 && c->packets <= SS_HOLD_MAX_PACKETS &&
		c->bytes >= 1 && c->timeout_ms >= 1 &&
		c->queues >= 1 && c->queues <= SS_HOLD_MAX_QUEUES;
}

struct ss_hold *
ss_hold_create(const struct ss_hold_conf *conf, int socket)
{
	struct ss_hold *h;
	size_t sz;
	uint16_t i;

	if (conf == NULL || !conf_ok(conf)) {
		rte_errno = EINVAL;
		return NULL;
	}
	sz = sizeof(*h) +
		sizeof(h->ents[0]) * conf->queues * conf->packets;
	h = rte_zmalloc_socket("ss_hold", sz, RTE_CACHE_LINE_SIZE, socket);
	if (h == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	h->conf = *conf;
	h->timeout_tsc = ms_to_tsc(conf->timeout_ms, rte_get_timer_hz());
	/* Stacked so that queue 0 is handed out first. */
	for (i = 0; i < conf->queues; i++) {
		h->queue[i].ring = &h->ents[(size_t)i * conf->packets];
		h->free[conf->queues - 1 - i] = &h->queue[i];
	}
	h->nb_free = conf->queues;
	return h;
}

/* Index of the tunnel's queue in h->open, or -1. */
static int
find(const struct ss_hold *h, uint32_t tunnel)
{
	uint16_t i;

	for (i = 0; i < h->nb_open; i++)
		if (h->open[i]->tunnel == tunnel)
			return i;
	return -1;
}

/* Close the empty queue at h->open[i]; the others keep their order. */
static void
close_queue(struct ss_hold *h, uint16_t i)
{
	struct hold_queue *q = h->open[i];

	memmove(&h->open[i], &h->open[i + 1],
		sizeof(h->open[0]) * (h->nb_open - i - 1));
	h->nb_open--;
	h->free[h->nb_free++] = q;
	h->stats.now_queues = h->nb_open;
}

/* The oldest packet of a non-empty queue. */
static struct rte_mbuf *
pop(struct ss_hold *h, struct hold_queue *q)
{
	struct rte_mbuf *m = q->ring[q->head].m;
	const uint32_t len = rte_pktmbuf_pkt_len(m);

	if (++q->head == h->conf.packets)
		q->head = 0;
	q->count--;
	q->bytes -= len;
	h->stats.now_packets--;
	h->stats.now_bytes -= len;
	return m;
}

/* When the queue's oldest packet expires. */
static uint64_t
head_deadline(const struct ss_hold *h, const struct hold_queue *q)
{
	const uint64_t tsc = q->ring[q->head].tsc;

	/* Saturate: a stamp this close to the clock wrapping must wait, not
	 * expire at once. */
	if (tsc > UINT64_MAX - h->timeout_tsc)
		return UINT64_MAX;
	return tsc + h->timeout_tsc;
}

/* Pop and free all of h->open[i] and close it; returns how many. */
static uint32_t
flush_queue(struct ss_hold *h, uint16_t i)
{
	struct hold_queue *q = h->open[i];
	uint32_t n = 0;

	while (q->count > 0) {
		rte_pktmbuf_free(pop(h, q));
		n++;
	}
	close_queue(h, i);
	h->stats.flushed += n;
	return n;
}

void
ss_hold_free(struct ss_hold *h)
{
	if (h == NULL)
		return;
	while (h->nb_open > 0)
		flush_queue(h, h->nb_open - 1);
	rte_free(h);
}

int
ss_hold_push(struct ss_hold *h, uint32_t tunnel, struct rte_mbuf *m,
	uint64_t now_tsc)
{
	const int i = find(h, tunnel);
	const uint32_t len = rte_pktmbuf_pkt_len(m);
	int ret = SS_HOLD_QUEUED;
	struct hold_queue *q;
	uint32_t tail;

	if (i >= 0) {
		q = h->open[i];
		if (q->count == h->conf.packets ||
				len > h->conf.bytes - q->bytes) {
			h->stats.overflow++;
			return -ENOBUFS;
		}
	} else {
		if (h->nb_free == 0) {
			h->stats.no_queue++;
			return -ENOSPC;
		}
		/* A packet no queue could ever take must not open one (and
		 * set off an ACQUIRE) only to leave it empty. */
		if (len > h->conf.bytes) {
			h->stats.overflow++;
			return -ENOBUFS;
		}
		q = h->free[--h->nb_free];
		q->tunnel = tunnel;
		h->open[h->nb_open++] = q;
		h->stats.now_queues = h->nb_open;
		h->stats.opened++;
		ret = SS_HOLD_OPENED;
	}
	tail = q->head + q->count;
	if (tail >= h->conf.packets)
		tail -= h->conf.packets;
	q->ring[tail].m = m;
	q->ring[tail].tsc = now_tsc;
	q->count++;
	q->bytes += len;
	h->stats.held++;
	h->stats.now_packets++;
	h->stats.now_bytes += len;
	return ret;
}

uint16_t
ss_hold_nb_queues(const struct ss_hold *h)
{
	return h->nb_open;
}

uint16_t
ss_hold_tunnels(const struct ss_hold *h, uint32_t tun[], uint16_t max)
{
	const uint16_t n = RTE_MIN(h->nb_open, max);
	uint16_t i;

	for (i = 0; i < n; i++)
		tun[i] = h->open[i]->tunnel;
	return n;
}

uint16_t
ss_hold_take(struct ss_hold *h, uint32_t tunnel, struct rte_mbuf *out[],
	uint16_t max)
{
	const int i = find(h, tunnel);
	struct hold_queue *q;
	uint16_t n;

	if (i < 0)
		return 0;
	q = h->open[i];
	for (n = 0; n < max && q->count > 0; n++)
		out[n] = pop(h, q);
	if (q->count == 0)
		close_queue(h, i);
	h->stats.released += n;
	return n;
}

uint64_t
ss_hold_deadline(const struct ss_hold *h)
{
	uint64_t d = UINT64_MAX;
	uint16_t i;

	/* Arrival order within a queue: its head is its oldest. */
	for (i = 0; i < h->nb_open; i++)
		d = RTE_MIN(d, head_deadline(h, h->open[i]));
	return d;
}

uint16_t
ss_hold_expire(struct ss_hold *h, uint64_t now_tsc, struct rte_mbuf *out[],
	uint32_t tun[], uint16_t max)
{
	uint16_t i = 0;
	uint16_t k = 0;

	while (i < h->nb_open && k < max) {
		struct hold_queue *q = h->open[i];

		while (k < max && q->count > 0 &&
				head_deadline(h, q) <= now_tsc) {
			tun[k] = q->tunnel;
			out[k++] = pop(h, q);
		}
		/* Closing moves the next queue into slot i. */
		if (q->count == 0)
			close_queue(h, i);
		else
			i++;
	}
	h->stats.expired += k;
	return k;
}

uint32_t
ss_hold_flush(struct ss_hold *h, uint32_t tunnel)
{
	const int i = find(h, tunnel);

	if (i < 0)
		return 0;
	return flush_queue(h, i);
}

void
ss_hold_stats_get(const struct ss_hold *h, struct ss_hold_stats *st)
{
	*st = h->stats;
}

void
ss_hold_stats_clear(struct ss_hold *h)
{
	struct ss_hold_stats *st = &h->stats;

	st->held = 0;
	st->released = 0;
	st->overflow = 0;
	st->no_queue = 0;
	st->expired = 0;
	st->flushed = 0;
	st->opened = 0;
}

const struct ss_hold_conf *
ss_hold_conf_get(const struct ss_hold *h)
{
	return &h->conf;
}
