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

void
ss_app_macsec_protect_tx(struct ss_app *app, struct ss_worker *w, uint8_t p,
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
