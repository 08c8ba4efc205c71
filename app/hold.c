/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 shardsec authors
 */

/*
 * No retransmissions while an SA is negotiated: a packet that a PROTECT
 * policy sends into a tunnel without an SA on its server waits in that
 * server's hold queue (lib/hold, bounded by ipsec.hold) instead of being
 * dropped. The first packet of a queue sends an ACQUIRE to the control
 * lcore (the worker's acq ring), which asks IKE for the tunnel's peer.
 * Every poll while something is held, the worker looks for the SA in its
 * server's outbound table: once there, the held packets are protected
 * and sent first, in order, and newer packets of that tunnel are queued
 * behind them until the queue is empty. A packet the queue refuses
 * (full) or that waited ipsec.hold.timeout_ms is dropped with a counter
 * or, with answer "icmp", answered with ICMP unreachable by the control
 * lcore. Everything here but the ACQUIRE drain runs on the worker that
 * owns the server: no locks.
 */

#include <errno.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_log.h>
#include <rte_mbuf.h>

#include "ss_app.h"

#define HOLD_LOG(l, ...) rte_log(RTE_LOG_ ## l, RTE_LOGTYPE_USER1, \
	"shardsec: hold: " __VA_ARGS__)

/* The server's outbound SA of a tunnel (paused or not), or NULL. */
static const struct ss_sa *
hold_out_sa(const struct ss_app *app, uint16_t srv, uint32_t tunnel)
{
	struct ss_sa *const *tab = ss_sa_out_table(app->sadb, srv);

	if (tab == NULL || tunnel >= ss_sa_db_max_tunnels(app->sadb))
		return NULL;
	return __atomic_load_n(&tab[tunnel], __ATOMIC_ACQUIRE);
}

int
ss_app_hold_create(struct ss_app *app, uint16_t srv, int socket)
{
	const struct ss_sa_cfg_hold *hc = &app->sacfg.hold;
	struct ss_hold_conf c;

	app->hold[srv] = NULL;
	app->hold_in[srv] = NULL;
	if (hc->packets == 0)
		return 0;
	c.packets = hc->packets;
	c.bytes = hc->bytes;
	c.timeout_ms = hc->timeout_ms;
	c.queues = hc->queues;
	app->hold[srv] = ss_hold_create(&c, socket);
	app->hold_in[srv] = ss_hold_create(&c, socket);
	if (app->hold[srv] == NULL || app->hold_in[srv] == NULL) {
		ss_app_hold_free(app, srv);
		return -ENOMEM;
	}
	return 0;
}

void
ss_app_hold_free(struct ss_app *app, uint16_t srv)
{
	ss_hold_free(app->hold[srv]);
	app->hold[srv] = NULL;
	ss_hold_free(app->hold_in[srv]);
	app->hold_in[srv] = NULL;
}

/* A packet the hold would not take, or that waited in vain. */
static void
hold_answer(struct ss_app *app, struct ss_worker *w, struct rte_mbuf **m,
	uint16_t n)
{
	if (n == 0)
		return;
	if (app->sacfg.hold.icmp)
		ss_app_worker_punt(w, m, n, SS_PUNT_UNREACH);
	else
		rte_pktmbuf_free_bulk(m, n);
}

static void
hold_acquire(struct ss_worker *w, uint16_t srv, uint32_t tunnel)
{
	struct ss_acquire a = { .tunnel = tunnel, .server = srv, .pad = 0 };

	/* A full ring loses only the request, not the packets: the queue
	 * times out and the next packet asks again. */
	if (rte_ring_sp_enqueue_elem(w->acq, &a, sizeof(a)) != 0)
		w->st.acq_drops++;
}

void
ss_app_hold_aside(struct ss_app *app, struct ss_worker *w, uint16_t srv,
	struct rte_mbuf **m, const uint32_t tun[], uint16_t n)
{
	struct ss_hold *h = app->hold[srv];
	struct rte_mbuf *refused[SS_ESP_TOOBIG_MAX];
	const uint64_t now = rte_get_timer_cycles();
	uint16_t i, nr = 0;

	for (i = 0; i < n; i++) {
		const int r = ss_hold_push(h, tun[i], m[i], now);

		/* An SA that is there but paused (its key on the way to
		 * the NIC) needs no negotiation. */
		if (r == SS_HOLD_OPENED && hold_out_sa(app, srv, tun[i]) ==
				NULL)
			hold_acquire(w, srv, tun[i]);
		else if (r < 0)
			refused[nr++] = m[i];
	}
	w->hold_on = true;
	hold_answer(app, w, refused, nr);
}

void
ss_app_hold_in_aside(struct ss_app *app, struct ss_worker *w, uint16_t srv,
	struct rte_mbuf **m, const uint32_t spi[], uint16_t n)
{
	struct ss_hold *h = app->hold_in[srv];
	const uint64_t now = rte_get_timer_cycles();
	uint16_t i;

	/* ESP is never answered with ICMP: a refused one is only counted
	 * (by the hold) and dropped. */
	for (i = 0; i < n; i++)
		if (ss_hold_push(h, spi[i], m[i], now) < 0)
			rte_pktmbuf_free(m[i]);
	w->hold_on = true;
}

/* The server's outbound SA of a tunnel, once its key is usable. */
static bool
hold_sa_ready(const struct ss_app *app, uint16_t srv, uint32_t tunnel)
{
	const struct ss_sa *sa = hold_out_sa(app, srv, tunnel);

	return sa != NULL && !ss_esp_sa_paused(sa);
}

/* Whether the held ESP of spi can go: its inbound SA is there and not
 * paused, or it is neither there nor being negotiated (decryption then
 * counts the packets as unknown_spi). */
static bool
hold_in_ready(const struct ss_app *app, uint16_t srv, uint32_t spi)
{
	const struct ss_sa *sa = ss_sa_lookup_in(app->sadb, srv, spi);

	if (sa == NULL)
		return !ss_sa_spi_pending(app->sadb, spi);
	return !ss_esp_sa_paused(sa);
}

/* Send the inbound ESP held for SPIs whose SA is ready; returns how many.
 * Readiness is asked again before each batch: a batch that meets a new
 * paused SA (its SPI reused meanwhile) goes back to the queue, and must
 * not be taken again in this loop. */
static uint32_t
hold_in_release(struct ss_app *app, struct ss_worker *w, uint16_t srv)
{
	struct ss_hold *h = app->hold_in[srv];
	uint32_t spis[SS_HOLD_MAX_QUEUES];
	struct rte_mbuf *m[SS_BURST];
	uint32_t sent = 0;
	uint16_t nt, t, k;

	nt = ss_hold_tunnels(h, spis, SS_HOLD_MAX_QUEUES);
	for (t = 0; t < nt; t++) {
		while (hold_in_ready(app, srv, spis[t]) &&
				(k = ss_hold_take(h, spis[t], m,
					SS_BURST)) != 0) {
			ss_app_server_decrypt(app, w, srv, m, k, false);
			sent += k;
		}
	}
	return sent;
}

uint16_t
ss_app_hold_in_divert(struct ss_app *app, struct ss_worker *w, uint16_t srv,
	uint32_t spi[])
{
	struct ss_hold *h = app->hold_in[srv];

	if (ss_hold_nb_queues(h) == 0)
		return 0;
	hold_in_release(app, w, srv);
	return ss_hold_tunnels(h, spi, SS_ESP_DIVERT_MAX);
}

/* Send what is held for tunnels whose SA has come; returns how many.
 * Readiness is asked again before each batch: a rekey can put a new,
 * paused SA in place meanwhile, and the batch that meets it goes back
 * to the queue, not round this loop again. */
static uint32_t
hold_release(struct ss_app *app, struct ss_worker *w, uint16_t srv)
{
	struct ss_hold *h = app->hold[srv];
	uint32_t tuns[SS_HOLD_MAX_QUEUES], tun[SS_BURST];
	struct rte_mbuf *m[SS_BURST];
	uint16_t nt, t, i, k;
	uint32_t sent = 0;

	nt = ss_hold_tunnels(h, tuns, SS_HOLD_MAX_QUEUES);
	for (t = 0; t < nt; t++) {
		while (hold_sa_ready(app, srv, tuns[t]) &&
				(k = ss_hold_take(h, tuns[t], m,
					SS_BURST)) != 0) {
			for (i = 0; i < k; i++)
				tun[i] = tuns[t];
			ss_app_server_protect(app, w, srv, m, tun, k);
			sent += k;
		}
	}
	return sent;
}

uint16_t
ss_app_hold_divert(struct ss_app *app, struct ss_worker *w, uint16_t srv,
	struct rte_mbuf **m, uint32_t tun[], uint16_t n)
{
	struct ss_hold *h = app->hold[srv];
	uint32_t tuns[SS_HOLD_MAX_QUEUES];
	struct rte_mbuf *refused[SS_BURST];
	const uint64_t now = rte_get_timer_cycles();
	uint16_t nt, t, i, k = 0, nr = 0;

	if (h == NULL || ss_hold_nb_queues(h) == 0)
		return n;
	hold_release(app, w, srv);
	nt = ss_hold_tunnels(h, tuns, SS_HOLD_MAX_QUEUES);
	if (nt == 0)
		return n;
	for (i = 0; i < n; i++) {
		for (t = 0; t < nt; t++)
			if (tun[i] == tuns[t])
				break;
		if (t == nt) {
			m[k] = m[i];
			tun[k++] = tun[i];
		} else if (ss_hold_push(h, tun[i], m[i], now) < 0) {
			refused[nr++] = m[i];
		}
	}
	hold_answer(app, w, refused, nr);
	return k;
}

uint32_t
ss_app_hold_poll(struct ss_app *app, struct ss_worker *w)
{
	const struct ss_srv_list *l = __atomic_load_n(&w->list,
		__ATOMIC_ACQUIRE);
	struct rte_mbuf *m[SS_BURST];
	uint32_t tun[SS_BURST];
	uint32_t sent = 0;
	bool any = false;
	uint16_t k, n;
	uint64_t now;

	for (k = 0; k < l->n; k++) {
		struct ss_hold *h = app->hold[l->s[k]];
		struct ss_hold *hi = app->hold_in[l->s[k]];

		if (h == NULL)
			continue;
		if (ss_hold_nb_queues(hi) != 0) {
			sent += hold_in_release(app, w, l->s[k]);
			now = rte_get_timer_cycles();
			while (now >= ss_hold_deadline(hi) &&
					(n = ss_hold_expire(hi, now, m, tun,
						SS_BURST)) != 0)
				rte_pktmbuf_free_bulk(m, n);
			any |= ss_hold_nb_queues(hi) != 0;
		}
		if (ss_hold_nb_queues(h) == 0)
			continue;
		sent += hold_release(app, w, l->s[k]);
		now = rte_get_timer_cycles();
		while (now >= ss_hold_deadline(h) &&
				(n = ss_hold_expire(h, now, m, tun,
					SS_BURST)) != 0)
			hold_answer(app, w, m, n);
		any |= ss_hold_nb_queues(h) != 0;
	}
	w->hold_on = any;
	return sent;
}

/* One worker's ACQUIRE on the control lcore: IKE negotiates, or no one
 * can (a static tunnel, a "none" child) and the packets will time out. */
static void
hold_acquire_one(struct ss_app *app, const struct ss_acquire *a)
{
	const struct ss_sa_tunnel *t = ss_sa_tunnel_get(app->sadb, a->tunnel);
	const char *name = t != NULL ? t->name : "?";
	int ret = -ENOENT;

	app->ctl.acquires++;
#ifdef SS_HAVE_IKE
	ret = ss_app_ike_acquire(app, a->tunnel);
#endif
	if (ret == 0 || ret == -EINPROGRESS)
		HOLD_LOG(INFO, "acquire: tunnel %s, server %u: %s\n", name,
			a->server, ret == 0 ? "negotiating" :
			"negotiation under way");
	else
		HOLD_LOG(NOTICE, "acquire: tunnel %s, server %u: no SA can be "
			"negotiated (%s): its packets wait for an SA added by "
			"hand or time out\n", name, a->server,
			ret == -ENOENT ? "no IKE peer for it" :
			ret == -EPERM ? "its child starts by hand only" :
			strerror(-ret));
}

uint16_t
ss_app_hold_acquire_drain(struct ss_app *app)
{
	struct ss_acquire a[SS_BURST];
	uint16_t i, total = 0;
	unsigned int n, k;

	for (i = 0; i < app->nb_workers; i++) {
		n = rte_ring_sc_dequeue_burst_elem(app->workers[i].acq, a,
			sizeof(a[0]), SS_BURST, NULL);
		total += n;
		for (k = 0; k < n; k++)
			hold_acquire_one(app, &a[k]);
	}
	return total;
}
