/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 shardsec authors
 */

/* The control lcore: drains the punt rings, answers ARP/ND/ICMP, holds
 * packets waiting for a neighbour, polls its own RX queue, runs the timers
 * and the shell. It sleeps when it has nothing to do because on small
 * machines it shares a core with a worker. */

#include <errno.h>
#include <time.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>

#include "ss_app.h"
#include "ss_app_lb.h"
#include "ss_app_macsec.h"
#include "ss_shell.h"
#include "ss_swnic_esp.h"

#define CTL_TIMER_MS 10
#define CTL_NAP_US 200

int
ss_app_ctl_tx(uint8_t port, struct rte_mbuf *m, void *arg)
{
	struct ss_app *app = arg;

	/* A MACsec port's frames are protected by its owning worker. */
	if (port < app->nb_ports && (app->msec_mask >> port & 1)) {
		ss_app_macsec_ctl_handoff(app, port, m, SS_HO_MSEC_TX);
		return 0;
	}
	if (port >= app->nb_ports ||
			rte_eth_tx_burst(app->port_id[port], app->nb_workers,
				&m, 1) != 1) {
		app->ctl.tx_drops++;
		rte_pktmbuf_free(m);
		return -ENOBUFS;
	}
	app->ctl.tx_pkts++;
	return 0;
}

static void
ctl_punted(struct ss_app *app, struct rte_mbuf *m)
{
	int port = ss_app_port_index(app, m->port);

	if ((m->hash.usr & 0xffff) == SS_PUNT_TOO_BIG) {
		ss_app_icmp_too_big(app, m, (uint16_t)(m->hash.usr >> 16));
		return;
	}
	if (m->hash.usr == SS_PUNT_UNREACH) {
		ss_app_icmp_unreach(app, m);
		return;
	}
	if ((m->hash.usr & 0xff) == SS_PUNT_FWD_TOO_BIG) {
		ss_app_fwd_too_big(app, m);
		return;
	}
	if (m->hash.usr == SS_PUNT_LB_FRAG) {
		ss_app_lb_frag_input(app, m);
		return;
	}
	if (port < 0) {
		app->ctl.unhandled++;
		rte_pktmbuf_free(m);
		return;
	}
	if (m->hash.usr == SS_PUNT_HOLD) {
		ss_net_ctl_hold(m, &app->ctl_net);
		return;
	}
	if (unlikely((m->packet_type & RTE_PTYPE_L4_MASK) ==
			RTE_PTYPE_L4_FRAG)) {
		ss_app_reasm_input(app, m, (uint8_t)port);
		return;
	}
	if (unlikely((m->packet_type & (RTE_PTYPE_L3_MASK |
			RTE_PTYPE_L4_MASK)) == RTE_PTYPE_L3_IPV6_EXT)) {
		const int ptr = ss_net_ip6_rh_pointer(m);

		if (ptr >= 0) {
			ss_app_icmp_param_problem(app, m, (uint32_t)ptr);
			return;
		}
	}
	if (ss_app_macsec_ctl_input(app, m, (uint8_t)port) != -ENOTSUP)
		return;
	if (ss_net_ctl_input(m, (uint8_t)port, &app->ctl_net) != -ENOTSUP)
		return;
#ifdef SS_HAVE_IKE
	if (ss_app_ike_input(app, m, (uint8_t)port) != -ENOTSUP)
		return;
#endif
	/* MKA (EAPOL) lands here once it exists; until then counted. */
	app->ctl.unhandled++;
	rte_pktmbuf_free(m);
}

void
ss_app_ctl_dispatch(struct ss_app *app, struct rte_mbuf *m, uint8_t cls)
{
	struct ss_worker *w;

	switch (cls) {
	case SS_NET_CLASS_PUNT:
		m->hash.usr = SS_PUNT_CTL;
		ctl_punted(app, m);
		break;
	case SS_NET_CLASS_FORWARD:
	case SS_NET_CLASS_ESP:
	case SS_APP_CLASS_ROUTE:
		/* The worker steers it to its server, or routes it. */
		m->hash.usr = cls;
		w = &app->workers[ss_app_ctl_owner(app, m)];
		if (rte_ring_sp_enqueue(w->in[app->nb_workers], m) == 0) {
			app->ctl.handoff_tx++;
		} else {
			app->ctl.handoff_drops++;
			rte_pktmbuf_free(m);
		}
		break;
	default:
		rte_pktmbuf_free(m);
		break;
	}
}

/* Frames that arrive on the control lcore's own RX queue (af_packet fans
 * out over every queue; some NICs cannot keep RSS off it). Control-plane
 * frames stay here; transit packets go to a worker. */
static uint16_t
ctl_rx(struct ss_app *app)
{
	struct rte_mbuf *m[SS_BURST];
	uint8_t cls[SS_BURST];
	uint16_t total = 0;
	uint8_t p;

	for (p = 0; p < app->nb_ports; p++) {
		uint16_t n, i;

		n = rte_eth_rx_burst(app->port_id[p], app->nb_workers, m,
			SS_BURST);
		if (n == 0)
			continue;
		total += n;
		app->ctl.rx_pkts += n;
		if (unlikely(app->msec_mask >> p & 1)) {
			/* MKPDUs are ours; the rest is validated by the
			 * port's owner before anything reads it. */
			for (i = 0; i < n; i++)
				if (ss_app_macsec_ctl_input(app, m[i], p) ==
						-ENOTSUP)
					ss_app_macsec_ctl_handoff(app, p, m[i],
						SS_HO_MSEC_RX);
			continue;
		}
		ss_net_classify_burst(m, n, p, cls, &app->ctl_net);
		for (i = 0; i < n; i++)
			ss_app_ctl_dispatch(app, m[i], cls[i]);
	}
	return total;
}

static uint16_t
ctl_drain_punt(struct ss_app *app)
{
	struct rte_mbuf *m[SS_BURST];
	uint16_t i, total = 0;

	for (i = 0; i < app->nb_workers; i++) {
		unsigned int n, k;

		n = rte_ring_sc_dequeue_burst(app->workers[i].punt,
			(void **)m, SS_BURST, NULL);
		app->ctl.punt_rx += n;
		total += n;
		for (k = 0; k < n; k++)
			ctl_punted(app, m[k]);
	}
	return total;
}

static uint64_t ctl_next_timer;

uint16_t
ss_app_ctl_service(struct ss_app *app)
{
	const uint64_t period = rte_get_timer_hz() * CTL_TIMER_MS / 1000;
	uint64_t now;
	uint16_t work;

	work = ctl_drain_punt(app);
	work += ss_app_hold_acquire_drain(app);
	work += ctl_rx(app);
	now = rte_get_timer_cycles();
	/* the NIC's firmware, and the SAs its completions resume */
	work += ss_swnic_esp_service(now);
	if (now >= ctl_next_timer) {
		ss_net_ctl_timer(now, &app->ctl_net);
		ss_app_macsec_timer(app, now);
		ss_app_lb_timer(app, now);
		/* Free SAs that every worker has moved past. */
		ss_sa_db_reclaim(app->sadb);
		ss_app_servers_timer(app);
		ss_app_reasm_timer(app);
#ifdef SS_HAVE_IKE
		ss_app_ike_timer(app, now);
		ss_app_ike_tm_publish(app);
#endif
		ctl_next_timer = now + period;
	}
	return work;
}

void
ss_app_ctl_loop(struct ss_app *app)
{
	bool script = app->cmdline_file != NULL;
	void *sh = NULL;

	ctl_next_timer = rte_get_timer_cycles() +
		rte_get_timer_hz() * CTL_TIMER_MS / 1000;
	if (!script && app->interactive)
		sh = ss_shell_start(app);
	while (!app->quit) {
		uint16_t work;

		work = ss_app_ctl_service(app);
		if (script && !ss_shell_script_step(app)) {
			script = false;
			if (ss_shell_script_errors() != 0)
				app->exit_status = 1;
			if (app->interactive)
				sh = ss_shell_start(app);
			else
				app->quit = true;
		}
		if (sh != NULL && !ss_shell_poll(sh)) {
			ss_shell_stop(sh);
			sh = NULL;
			app->quit = true;
		}
		app->ctl.loops++;
		if (work == 0) {
			app->ctl.sleeps++;
			rte_delay_us_sleep(CTL_NAP_US);
		}
	}
	if (sh != NULL)
		ss_shell_stop(sh);
}
