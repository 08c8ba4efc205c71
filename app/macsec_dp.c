/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 shardsec authors
 */

/*
 * The packet path of MACsec ports: the owning worker validates what the
 * port received and protects what leaves by it; every other lcore hands
 * such frames to the owner through the handoff rings (tagged with the
 * port), so that one lcore alone numbers each transmit SA's frames and
 * keeps each receive SA's replay state: no shared counter, no lock.
 */

#include <rte_branch_prediction.h>
#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "ss_app.h"
#include "ss_app_macsec.h"

#define MSEC_TAG(kind, port) ((uint32_t)(port) << 16 | (kind))

static void
handoff(struct ss_app *app, struct ss_worker *w, uint8_t p,
	struct rte_mbuf **m, uint16_t n, uint32_t kind)
{
	struct rte_ring *r = app->workers[app->msec_owner[p]].in[w->idx];
	unsigned int sent;
	uint16_t i;

	for (i = 0; i < n; i++)
		m[i]->hash.usr = MSEC_TAG(kind, p);
	sent = rte_ring_sp_enqueue_burst(r, (void **)m, n, NULL);
	w->st.handoff_tx += sent;
	w->st.msec_handoff += sent;
	if (unlikely(sent < n)) {
		w->st.handoff_drops += n - sent;
		rte_pktmbuf_free_bulk(&m[sent], n - sent);
	}
}

uint16_t
ss_app_macsec_validate(struct ss_app *app, struct ss_worker *w, uint8_t p,
	struct rte_mbuf **m, uint16_t n)
{
	struct rte_mbuf *ctl[SS_BURST], *drop[SS_BURST];
	uint16_t nc = 0, nd = 0;

	n = ss_macsec_validate_burst(app->msec[p], m, n, ctl, &nc, drop, &nd);
	if (nc != 0)
		ss_app_worker_punt(w, ctl, nc, SS_PUNT_CTL);
	if (nd != 0)
		rte_pktmbuf_free_bulk(drop, nd);
	return n;
}

static void
protect_send(struct ss_app *app, struct ss_worker *w, uint8_t p,
	struct rte_mbuf **m, uint16_t n)
{
	struct rte_mbuf *drop[SS_BURST];
	uint16_t nd = 0;

	n = ss_macsec_protect_burst(app->msec[p], m, n, drop, &nd);
	if (nd != 0)
		rte_pktmbuf_free_bulk(drop, nd);
	if (n != 0)
		ss_app_worker_tx_bulk(app, w, p, m, n);
}

/* Frames for a port without a SAK in use yet (MKA still agreeing the
 * first one) wait in its hold queue instead of being dropped; newer
 * frames queue behind held ones, so the port's frames leave in order. */
static void
hold_frames(struct ss_app *app, struct ss_worker *w, uint8_t p,
	struct rte_mbuf **m, uint16_t n)
{
	struct ss_hold *h = app->msec_hold[p];
	const uint64_t now = rte_get_timer_cycles();
	uint16_t i;

	for (i = 0; i < n; i++)
		if (ss_hold_push(h, 0, m[i], now) < 0)
			rte_pktmbuf_free(m[i]);	/* counted by the hold */
	w->msec_hold |= UINT32_C(1) << p;
}

void
ss_app_macsec_protect_tx(struct ss_app *app, struct ss_worker *w, uint8_t p,
	struct rte_mbuf **m, uint16_t n)
{
	const struct ss_hold *h = app->msec_hold[p];

	if (unlikely(h != NULL && (ss_hold_nb_queues(h) != 0 ||
			ss_macsec_tx_encoding_an(app->msec[p]) < 0))) {
		hold_frames(app, w, p, m, n);
		return;
	}
	protect_send(app, w, p, m, n);
}

uint32_t
ss_app_macsec_hold_poll(struct ss_app *app, struct ss_worker *w)
{
	struct rte_mbuf *m[SS_BURST];
	uint32_t tun[SS_BURST];
	uint32_t pend = w->msec_hold, done = 0;

	while (pend != 0) {
		const uint8_t p = (uint8_t)rte_bsf32(pend);
		struct ss_hold *h = app->msec_hold[p];
		uint16_t n;

		pend &= pend - 1;
		if (ss_macsec_tx_encoding_an(app->msec[p]) >= 0) {
			/* The SAK is in use: the held frames go first. */
			n = ss_hold_take(h, 0, m, SS_BURST);
			if (n != 0)
				protect_send(app, w, p, m, n);
		} else {
			n = ss_hold_expire(h, rte_get_timer_cycles(), m, tun,
				SS_BURST);
			if (n != 0)
				rte_pktmbuf_free_bulk(m, n);
		}
		done += n;
		if (ss_hold_nb_queues(h) == 0)
			w->msec_hold &= ~(UINT32_C(1) << p);
	}
	return done;
}

uint16_t
ss_app_macsec_rx(struct ss_app *app, struct ss_worker *w, uint8_t p,
	struct rte_mbuf **m, uint16_t n)
{
	if (likely(w->idx == app->msec_owner[p]))
		return ss_app_macsec_validate(app, w, p, m, n);
	handoff(app, w, p, m, n, SS_HO_MSEC_RX);
	return 0;
}

void
ss_app_macsec_tx(struct ss_app *app, struct ss_worker *w, uint8_t p,
	struct rte_mbuf **m, uint16_t n)
{
	if (likely(w->idx == app->msec_owner[p]))
		ss_app_macsec_protect_tx(app, w, p, m, n);
	else
		handoff(app, w, p, m, n, SS_HO_MSEC_TX);
}

void
ss_app_macsec_ctl_handoff(struct ss_app *app, uint8_t p, struct rte_mbuf *m,
	uint32_t kind)
{
	struct rte_ring *r =
		app->workers[app->msec_owner[p]].in[app->nb_workers];

	m->hash.usr = MSEC_TAG(kind, p);
	if (rte_ring_sp_enqueue(r, m) == 0) {
		app->ctl.handoff_tx++;
	} else {
		app->ctl.handoff_drops++;
		rte_pktmbuf_free(m);
	}
}
