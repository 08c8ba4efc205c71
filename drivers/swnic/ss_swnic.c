/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 shardsec authors
 */

/*
 * swnic: the key table of a software inline-crypto NIC (ss_swnic.h).
 *
 * The slot table, the free stack, the mailbox and the completion queue
 * are one allocation: the free stack and both FIFOs are lists threaded
 * through the slots themselves, since a slot is on at most one of them at
 * a time (free, waiting in the mailbox, or with a completion not yet
 * read). Erasing a slot unlinks it from whichever FIFO it is on, so a
 * cancelled request or a dropped completion leaves nothing behind. Rings
 * of slot indexes with generation tags would keep such dead entries until
 * the firmware or the host walked past them: a host that stores and
 * erases faster than it polls would fill a ring of 'slots' entries with
 * them. Every operation but ss_swnic_free is O(1) per request.
 */

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_malloc.h>

#include "ss_swnic.h"

#define NIL UINT32_MAX		/* end of a list */

enum slot_phase {
	SLOT_FREE = 0,
	SLOT_PENDING,		/* in the mailbox, key held */
	SLOT_STORED,		/* state built */
	SLOT_REFUSED,		/* the firmware said no; still the host's */
};

struct swnic_slot {
	const struct ss_sa *sa;
	void *state;		/* SLOT_STORED only */
	uint64_t cookie;
	uint64_t req_tsc;
	uint64_t wait_tsc;	/* of its completion */
	/* Links on the free stack (next only), the mailbox or the
	 * completion queue. */
	uint32_t prev;
	uint32_t next;
	int32_t status;		/* of its completion */
	uint8_t phase;		/* enum slot_phase */
	bool unread;		/* on the completion queue */
	uint8_t klen;
	uint8_t key[SS_SWNIC_KEY_MAX];	/* SLOT_PENDING only, else zero */
};

struct swnic_fifo {
	uint32_t head;		/* oldest */
	uint32_t tail;
};

struct ss_swnic {
	struct ss_swnic_conf conf;	/* conf.ops points at ops */
	struct ss_swnic_ops ops;
	uint64_t latency_tsc;
	uint32_t free_top;
	int32_t fail_next;		/* < 0: refuse the next request */
	struct swnic_fifo mbox;
	struct swnic_fifo done;
	struct ss_swnic_stats stats;
	struct swnic_slot slot[];	/* conf.slots */
};

/* us * hz / 1000000 without the product overflowing 64 bits. */
static uint64_t
us_to_tsc(uint32_t us, uint64_t hz)
{
	return hz / 1000000 * us + hz % 1000000 * us / 1000000;
}

static bool
conf_ok(const struct ss_swnic_conf *c)
{
	return c->slots >= 1 && c->slots <= SS_SWNIC_MAX_SLOTS &&
		c->latency_us <= SS_SWNIC_MAX_LATENCY_US &&
		c->ops != NULL && c->ops->state_make != NULL &&
		c->ops->state_free != NULL;
}

struct ss_swnic *
ss_swnic_create(const struct ss_swnic_conf *conf)
{
	struct ss_swnic *d;
	size_t sz;
	uint32_t i;

	if (conf == NULL || !conf_ok(conf)) {
		rte_errno = EINVAL;
		return NULL;
	}
	sz = sizeof(*d) + sizeof(d->slot[0]) * conf->slots;
	d = rte_zmalloc_socket("ss_swnic", sz, RTE_CACHE_LINE_SIZE,
		conf->socket);
	if (d == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	/* Our own copy: the caller's ops need not outlive create. */
	d->ops = *conf->ops;
	d->conf = *conf;
	d->conf.ops = &d->ops;
	d->latency_tsc = us_to_tsc(conf->latency_us, rte_get_timer_hz());
	/* Stacked so that slot 0 is handed out first. */
	for (i = 0; i < conf->slots; i++)
		d->slot[i].next = i + 1 < conf->slots ? i + 1 : NIL;
	d->free_top = 0;
	d->mbox.head = NIL;
	d->mbox.tail = NIL;
	d->done.head = NIL;
	d->done.tail = NIL;
	return d;
}

static void
fifo_push(struct ss_swnic *d, struct swnic_fifo *f, uint32_t i)
{
	struct swnic_slot *s = &d->slot[i];

	s->prev = f->tail;
	s->next = NIL;
	if (f->tail == NIL)
		f->head = i;
	else
		d->slot[f->tail].next = i;
	f->tail = i;
}

static void
fifo_unlink(struct ss_swnic *d, struct swnic_fifo *f, uint32_t i)
{
	const struct swnic_slot *s = &d->slot[i];

	if (s->prev == NIL)
		f->head = s->next;
	else
		d->slot[s->prev].next = s->next;
	if (s->next == NIL)
		f->tail = s->prev;
	else
		d->slot[s->next].prev = s->prev;
}

static void
key_wipe(struct swnic_slot *s)
{
	explicit_bzero(s->key, sizeof(s->key));
	s->klen = 0;
}

void
ss_swnic_erase(struct ss_swnic *d, uint32_t slot)
{
	struct swnic_slot *s;

	if (slot >= d->conf.slots)
		return;
	s = &d->slot[slot];
	switch (s->phase) {
	case SLOT_FREE:
		return;
	case SLOT_PENDING:
		fifo_unlink(d, &d->mbox, slot);
		key_wipe(s);
		d->stats.cancelled++;
		d->stats.pending--;
		break;
	case SLOT_STORED:
		d->ops.state_free(s->state);
		s->state = NULL;
		break;
	case SLOT_REFUSED:
		break;		/* nothing was built */
	}
	if (s->unread) {
		fifo_unlink(d, &d->done, slot);
		s->unread = false;
	}
	s->phase = SLOT_FREE;
	s->sa = NULL;
	s->next = d->free_top;
	d->free_top = slot;
	d->stats.used--;
	d->stats.erased++;
}

void
ss_swnic_free(struct ss_swnic *d)
{
	uint32_t i;

	if (d == NULL)
		return;
	for (i = 0; i < d->conf.slots; i++)
		ss_swnic_erase(d, i);
	rte_free(d);
}

int
ss_swnic_store(struct ss_swnic *d, const struct ss_sa *sa,
	const uint8_t *key, uint8_t klen, uint64_t cookie, uint64_t now_tsc)
{
	struct swnic_slot *s;
	uint32_t i;

	if (d == NULL || sa == NULL || key == NULL || klen == 0 ||
			klen > SS_SWNIC_KEY_MAX)
		return -EINVAL;
	if (d->free_top == NIL) {
		d->stats.table_full++;
		return -ENOSPC;
	}
	i = d->free_top;
	s = &d->slot[i];
	d->free_top = s->next;
	s->phase = SLOT_PENDING;
	s->sa = sa;
	s->state = NULL;
	s->cookie = cookie;
	s->req_tsc = now_tsc;
	memcpy(s->key, key, klen);
	s->klen = klen;
	fifo_push(d, &d->mbox, i);
	d->stats.stores++;
	d->stats.used++;
	d->stats.pending++;
	return (int)i;
}

/* When the firmware takes a request made at req_tsc. */
static uint64_t
due_tsc(const struct ss_swnic *d, uint64_t req_tsc)
{
	/* Saturate: a stamp this close to the clock wrapping must wait,
	 * not be taken at once. */
	if (req_tsc > UINT64_MAX - d->latency_tsc)
		return UINT64_MAX;
	return req_tsc + d->latency_tsc;
}

/* Build the state of the mailbox's head (already unlinked) and queue its
 * completion. */
static void
take(struct ss_swnic *d, uint32_t i, uint64_t now_tsc)
{
	struct swnic_slot *s = &d->slot[i];
	struct ss_swnic_stats *st = &d->stats;
	/* The status is the answer; the text has nowhere to go. */
	char err[128];

	if (d->fail_next < 0) {
		s->status = d->fail_next;
		d->fail_next = 0;
	} else {
		rte_errno = 0;
		s->state = d->ops.state_make(s->sa, s->key, s->klen, err,
			sizeof(err));
		if (s->state != NULL)
			s->status = 0;
		else
			s->status = rte_errno > 0 ? -rte_errno : -EIO;
	}
	key_wipe(s);
	s->wait_tsc = now_tsc - s->req_tsc;
	s->unread = true;
	fifo_push(d, &d->done, i);
	st->pending--;
	if (s->status != 0) {
		s->phase = SLOT_REFUSED;
		st->refused++;
		return;
	}
	s->phase = SLOT_STORED;
	st->stored++;
	if (st->stored == 1 || s->wait_tsc < st->wait_min_tsc)
		st->wait_min_tsc = s->wait_tsc;
	if (s->wait_tsc > st->wait_max_tsc)
		st->wait_max_tsc = s->wait_tsc;
	st->wait_sum_tsc += s->wait_tsc;
}

unsigned int
ss_swnic_poll(struct ss_swnic *d, uint64_t now_tsc)
{
	unsigned int n = 0;

	/* Strict request order: one not yet due holds back those after it,
	 * as a device's mailbox does. */
	while (d->mbox.head != NIL &&
			due_tsc(d, d->slot[d->mbox.head].req_tsc) <= now_tsc) {
		const uint32_t i = d->mbox.head;

		fifo_unlink(d, &d->mbox, i);
		take(d, i, now_tsc);
		n++;
	}
	return n;
}

unsigned int
ss_swnic_completions(struct ss_swnic *d, struct ss_swnic_completion out[],
	unsigned int max)
{
	unsigned int n;

	for (n = 0; n < max && d->done.head != NIL; n++) {
		const uint32_t i = d->done.head;
		struct swnic_slot *s = &d->slot[i];

		fifo_unlink(d, &d->done, i);
		s->unread = false;
		out[n].cookie = s->cookie;
		out[n].slot = i;
		out[n].status = s->status;
		out[n].wait_tsc = s->wait_tsc;
	}
	return n;
}

void *
ss_swnic_state(const struct ss_swnic *d, uint32_t slot)
{
	if (slot >= d->conf.slots || d->slot[slot].phase != SLOT_STORED)
		return NULL;
	return d->slot[slot].state;
}

void
ss_swnic_stats_get(const struct ss_swnic *d, struct ss_swnic_stats *st)
{
	*st = d->stats;
}

const struct ss_swnic_conf *
ss_swnic_conf_get(const struct ss_swnic *d)
{
	return &d->conf;
}

void
ss_swnic_test_fail_next(struct ss_swnic *d, int err)
{
	/* 0 or more: nothing armed (a refusal is always an -errno). */
	d->fail_next = err < 0 ? err : 0;
}
