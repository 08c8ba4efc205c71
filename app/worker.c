/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 shardsec authors
 */

/* Worker lcores ("servers"): poll their queue on every port, classify,
 * forward, and hand control-plane frames to the control lcore. */

#include <errno.h>
#include <string.h>
#include <time.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_ip.h>
#include <rte_prefetch.h>

#include "ss_app.h"

#define APP_LOG(l, ...) rte_log(RTE_LOG_ ## l, RTE_LOGTYPE_USER1, \
	"shardsec: " __VA_ARGS__)

/* Empty polls before an adaptive worker starts to nap. */
#define SS_IDLE_POLLS 256
#define SS_IDLE_NAP_NS 20000

static void
tx_drop_cb(struct rte_mbuf **pkts, uint16_t unsent, void *arg)
{
	struct ss_worker *w = arg;

	w->st.tx_drops += unsent;
	w->st.tx_pkts -= unsent;
	rte_pktmbuf_free_bulk(pkts, unsent);
}

static void
worker_punt(struct ss_worker *w, struct rte_mbuf **m, uint16_t n,
	uint32_t reason)
{
	unsigned int sent;
	uint16_t i;

	if (n == 0)
		return;
	for (i = 0; i < n; i++)
		m[i]->hash.usr = reason;
	sent = rte_ring_sp_enqueue_burst(w->punt, (void **)m, n, NULL);
	w->st.punted += sent;
	if (unlikely(sent < n)) {
		w->st.punt_drops += n - sent;
		rte_pktmbuf_free_bulk(&m[sent], n - sent);
	}
}

static void
worker_forward(struct ss_app *app, struct ss_worker *w,
	struct rte_mbuf **m, uint16_t n)
{
	int16_t res[SS_BURST];
	struct rte_mbuf *hold[SS_BURST];
	uint16_t i, nh = 0;

	if (n == 0)
		return;
	ss_net_forward_burst(m, n, res, &w->net);
	for (i = 0; i < n; i++) {
		if (likely(res[i] >= 0)) {
			w->st.tx_pkts++;
			rte_eth_tx_buffer(app->port_id[res[i]], w->idx,
				w->txb[res[i]], m[i]);
		} else if (res[i] == SS_NET_FWD_HOLD) {
			hold[nh++] = m[i];
		} else {
			rte_pktmbuf_free(m[i]);
		}
	}
	worker_punt(w, hold, nh, SS_PUNT_HOLD);
}

static void
worker_input(struct ss_app *app, struct ss_worker *w, uint8_t port,
	struct rte_mbuf **m, uint16_t n)
{
	uint8_t cls[SS_BURST];
	struct rte_mbuf *fwd[SS_BURST], *punt[SS_BURST];
	uint16_t i, nf = 0, np = 0;

	ss_net_classify_burst(m, n, port, cls, &w->net);
	for (i = 0; i < n; i++) {
		switch (cls[i]) {
		case SS_NET_CLASS_FORWARD:
			fwd[nf++] = m[i];
			break;
		case SS_NET_CLASS_PUNT:
			punt[np++] = m[i];
			break;
		case SS_NET_CLASS_ESP:
			/* No SA database in this build: nothing can own it. */
			w->st.esp_unhandled++;
			rte_pktmbuf_free(m[i]);
			break;
		default:
			rte_pktmbuf_free(m[i]);
			break;
		}
	}
	worker_punt(w, punt, np, SS_PUNT_CTL);
	worker_forward(app, w, fwd, nf);
}

static uint16_t
worker_drain_handoff(struct ss_app *app, struct ss_worker *w)
{
	struct rte_mbuf *m[SS_BURST];
	uint16_t j, total = 0;

	for (j = 0; j <= app->nb_workers; j++) {
		unsigned int n;

		if (w->in[j] == NULL)
			continue;
		n = rte_ring_sc_dequeue_burst(w->in[j], (void **)m, SS_BURST,
			NULL);
		if (n == 0)
			continue;
		w->st.handoff_rx += n;
		total += n;
		/* Handed-over packets were validated by the lcore that
		 * received them; only transit packets are handed over. */
		worker_forward(app, w, m, n);
	}
	return total;
}

int
ss_app_worker_main(void *arg)
{
	struct ss_app *app = &ss_app;
	struct ss_worker *w = arg;
	const bool adaptive = app->cfg.poll_mode == SS_CFG_POLL_ADAPTIVE;
	const struct timespec nap = { 0, SS_IDLE_NAP_NS };
	struct rte_mbuf *m[SS_BURST];
	unsigned int idle = 0;
	uint8_t p;

	APP_LOG(INFO, "worker %u on lcore %u: %u server(s)\n", w->idx,
		w->lcore, w->nb_servers);
	while (!app->quit) {
		uint32_t got = 0;

		for (p = 0; p < app->nb_ports; p++) {
			uint16_t n = rte_eth_rx_burst(app->port_id[p], w->idx,
				m, SS_BURST);

			if (n == 0)
				continue;
			got += n;
			w->st.rx_pkts += n;
			worker_input(app, w, p, m, n);
		}
		got += worker_drain_handoff(app, w);
		for (p = 0; p < app->nb_ports; p++)
			rte_eth_tx_buffer_flush(app->port_id[p], w->idx,
				w->txb[p]);
		w->st.polls++;
		if (got != 0) {
			w->st.busy_polls++;
			idle = 0;
		} else if (adaptive && ++idle > SS_IDLE_POLLS) {
			nanosleep(&nap, NULL);
		} else {
			rte_pause();
		}
	}
	return 0;
}

int
ss_app_workers_init(struct ss_app *app)
{
	char name[RTE_RING_NAMESIZE];
	uint16_t i, j;
	uint8_t p;

	for (i = 0; i < app->nb_workers; i++) {
		struct ss_worker *w = &app->workers[i];
		int socket = (int)rte_lcore_to_socket_id(w->lcore);

		snprintf(name, sizeof(name), "ss_punt_%u", i);
		w->punt = rte_ring_create(name, SS_PUNT_RING, socket,
			RING_F_SP_ENQ | RING_F_SC_DEQ);
		if (w->punt == NULL)
			goto nomem;
		for (j = 0; j <= app->nb_workers; j++) {
			if (j == i)
				continue;
			snprintf(name, sizeof(name), "ss_ho_%u_%u", j, i);
			w->in[j] = rte_ring_create(name, SS_HANDOFF_RING,
				socket, RING_F_SP_ENQ | RING_F_SC_DEQ);
			if (w->in[j] == NULL)
				goto nomem;
		}
		for (p = 0; p < app->nb_ports; p++) {
			w->txb[p] = rte_zmalloc_socket("ss_txb",
				RTE_ETH_TX_BUFFER_SIZE(SS_BURST), 0, socket);
			if (w->txb[p] == NULL)
				goto nomem;
			rte_eth_tx_buffer_init(w->txb[p], SS_BURST);
			rte_eth_tx_buffer_set_err_callback(w->txb[p],
				tx_drop_cb, w);
		}
	}
	return 0;
nomem:
	APP_LOG(ERR, "cannot allocate worker rings/buffers: %s\n",
		rte_strerror(rte_errno));
	return -ENOMEM;
}

static void
ring_drain_free(struct rte_ring *r)
{
	void *m;

	if (r == NULL)
		return;
	while (rte_ring_dequeue(r, &m) == 0)
		rte_pktmbuf_free(m);
	rte_ring_free(r);
}

void
ss_app_workers_fini(struct ss_app *app)
{
	uint16_t i, j;
	uint8_t p;

	for (i = 0; i < app->nb_workers; i++) {
		struct ss_worker *w = &app->workers[i];

		ring_drain_free(w->punt);
		w->punt = NULL;
		for (j = 0; j <= app->nb_workers; j++) {
			ring_drain_free(w->in[j]);
			w->in[j] = NULL;
		}
		for (p = 0; p < app->nb_ports; p++) {
			if (w->txb[p] != NULL)
				rte_pktmbuf_free_bulk(w->txb[p]->pkts,
					w->txb[p]->length);
			rte_free(w->txb[p]);
			w->txb[p] = NULL;
		}
	}
}

/* Symmetric over the address pair so both directions of a flow pick the
 * same worker. */
uint16_t
ss_app_ctl_owner(const struct ss_app *app, const struct rte_mbuf *m)
{
	const uint8_t *l3 = rte_pktmbuf_mtod_offset(m, const uint8_t *,
		m->l2_len);
	uint32_t h = 0;
	unsigned int i;

	if (app->nb_workers == 1)
		return 0;
	if (RTE_ETH_IS_IPV4_HDR(m->packet_type)) {
		const struct rte_ipv4_hdr *ip = (const void *)l3;

		h = ip->src_addr ^ ip->dst_addr;
	} else if (RTE_ETH_IS_IPV6_HDR(m->packet_type)) {
		const struct rte_ipv6_hdr *ip6 = (const void *)l3;

		for (i = 0; i < 16; i += 4) {
			uint32_t a, b;

			memcpy(&a, &ip6->src_addr[i], 4);
			memcpy(&b, &ip6->dst_addr[i], 4);
			h ^= a ^ b;
		}
	}
	h ^= h >> 16;
	h ^= h >> 8;
	return (uint16_t)(h % app->nb_workers);
}
