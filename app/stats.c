/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 shardsec authors
 */

/* The --stats-on-exit summary. */

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_ethdev.h>

#include "ss_app.h"
#include "ss_app_lb.h"
#include "ss_app_macsec.h"
#include "ss_inline.h"
#include "ss_swnic_sec.h"

static void
print_lb(const struct ss_app *app, FILE *f)
{
	const struct ss_app_lb *lb = app->lb;
	struct ss_lb_wstats *sum;
	uint16_t i;

	if (lb == NULL)
		return;
	/* 256 ids: off the stack, aligned as its type says */
	sum = aligned_alloc(RTE_CACHE_LINE_SIZE, sizeof(*sum));
	if (sum == NULL)
		return;
	ss_app_lb_stats_sum(app, sum);
	for (i = 0; i < lb->nb_be; i++) {
		const struct ss_lb_be *b = &lb->be[i];
		const struct ss_lb_bstats *s = &sum->b[b->id];

		fprintf(f, "lb backend %u (%s): packets %" PRIu64 " bytes %"
			PRIu64 " down %" PRIu64 " esp %" PRIu64 " esp-udp %"
			PRIu64 " gtpu %" PRIu64 " sctp %" PRIu64 " ike %" PRIu64
			" hash %" PRIu64 "\n", b->id, ss_app_lb_state_name(b),
			s->pkts, s->bytes, s->down, s->kind[SS_LB_ESP],
			s->kind[SS_LB_ESP_UDP], s->kind[SS_LB_GTPU],
			s->kind[SS_LB_SCTP], s->kind[SS_LB_IKE],
			s->kind[SS_LB_HASH]);
	}
	fprintf(f, "lb: unknown-id %" PRIu64 " bad %" PRIu64 "\n",
		sum->unknown_id, sum->bad);
	fprintf(f, "lb fragments: in %" PRIu64 " reassembled %" PRIu64
		" above-mtu %" PRIu64 " datagrams %" PRIu64 " sent %" PRIu64
		" icmp-too-big %" PRIu64 " dropped %" PRIu64 " reasm-dropped %"
		PRIu64 " reasm-too-big %" PRIu64 " ext-kept %" PRIu64
		" ext-evicted %" PRIu64 "\n", sum->frag,
		lb->fst.reasm.done, sum->big, lb->fst.datagrams, lb->fst.sent,
		lb->fst.too_big, lb->fst.dropped, lb->fst.reasm.dropped,
		lb->fst.reasm.too_big, lb->fst.ext_kept, lb->fst.ext_evicted);
	if (lb->ct[0] != NULL)
		fprintf(f, "lb conntrack: entries %" PRIu64 " added %" PRIu64
			" kept %" PRIu64 " moved %" PRIu64 " expired %" PRIu64
			" full %" PRIu64 " untracked %" PRIu64 "\n",
			sum->ct.entries, sum->ct.added, sum->ct.kept,
			sum->ct.moved, sum->ct.expired, sum->ct.full,
			sum->untracked);
	free(sum);
}

static void
print_inline(const struct ss_app *app, FILE *f)
{
	struct ss_swnic_sec_stats n;
	struct ss_inline_stats st;

	if (!ss_inline_active())
		return;
	ss_inline_stats_get(&st);
	fprintf(f, "inline (%s): sessions %u created %" PRIu64 " refused %"
		PRIu64 " destroyed %" PRIu64 " flows %" PRIu64 "\n",
		st.own_ctx ? "nic" : "software", st.sessions, st.created,
		st.refused, st.destroyed, st.flows);
	if (app->swnic_sec == NULL)
		return;
	ss_swnic_sec_stats_get(app->swnic_sec, &n);
	fprintf(f, "inline nic: tx encrypted %" PRIu64 " no-session %" PRIu64
		" bad %" PRIu64 "; rx decrypted %" PRIu64 " auth-failed %"
		PRIu64 " bad %" PRIu64 " no-session %" PRIu64 "\n",
		n.tx_encrypted, n.tx_dropped_no_session, n.tx_dropped_bad,
		n.rx_decrypted, n.rx_auth_failed, n.rx_bad, n.rx_no_session);
}

void
ss_app_print_stats(const struct ss_app *app, FILE *f)
{
	struct ss_net_stats sum;
	uint16_t i;
	int d;

	for (i = 0; i < app->nb_ports; i++) {
		struct rte_eth_stats s;

		if (rte_eth_stats_get(app->port_id[i], &s) != 0)
			continue;
		fprintf(f, "port %u (%s): rx %" PRIu64 " tx %" PRIu64
			" missed %" PRIu64 " rx-errors %" PRIu64
			" tx-errors %" PRIu64 "\n", i, app->cfg.ports[i].name,
			s.ipackets, s.opackets, s.imissed, s.ierrors,
			s.oerrors);
	}
	memset(&sum, 0, sizeof(sum));
	ss_net_stats_add(&sum, &app->ctl_net);
	for (i = 0; i < app->nb_workers; i++) {
		const struct ss_worker_stats *s = &app->workers[i].st;

		ss_net_stats_add(&sum, &app->workers[i].net);
		fprintf(f, "worker %u (lcore %u): rx %" PRIu64 " tx %" PRIu64
			" punted %" PRIu64 " handoff %" PRIu64 "/%" PRIu64
			" tx-full %" PRIu64 "\n", i, app->workers[i].lcore,
			s->rx_pkts, s->tx_pkts, s->punted, s->handoff_tx,
			s->handoff_rx, s->tx_drops);
	}
	fprintf(f, "control: rx %" PRIu64 " punt-rx %" PRIu64 " tx %" PRIu64
		" unhandled %" PRIu64 " reassembled %" PRIu64 "/%" PRIu64
		" fragments (dropped %" PRIu64 ", too big %" PRIu64 ")\n",
		app->ctl.rx_pkts, app->ctl.punt_rx, app->ctl.tx_pkts,
		app->ctl.unhandled, app->ctl.reasm.done,
		app->ctl.reasm.fragments, app->ctl.reasm.dropped,
		app->ctl.reasm.too_big);
	for (i = 0; i < SS_CFG_MAX_SERVERS; i++) {
		struct ss_hold_stats hs;

		if (app->hold[i] == NULL)
			continue;
		ss_hold_stats_get(app->hold[i], &hs);
		if (hs.held + hs.overflow + hs.no_queue == 0)
			continue;
		fprintf(f, "hold server %u: held %" PRIu64 " released %" PRIu64
			" overflow %" PRIu64 " no-queue %" PRIu64 " expired %"
			PRIu64 " flushed %" PRIu64 " now %u\n", i, hs.held,
			hs.released, hs.overflow, hs.no_queue, hs.expired,
			hs.flushed, hs.now_packets);
	}
	print_inline(app, f);
	for (i = 0; i < ss_app_macsec_nb_ports(); i++) {
		const struct ss_app_msec_port *mp =
			ss_app_macsec_port((uint8_t)i);
		struct ss_macsec_stats ms;
		struct ss_mka_stats ks;

		ss_macsec_stats_get(mp->sy, &ms);
		ss_mka_stats_get(mp->mka, &ks);
		fprintf(f, "macsec %s: out protected %" PRIu64 " encrypted %"
			PRIu64 " no-sa %" PRIu64 "; in ok %" PRIu64
			" not-valid %" PRIu64 " invalid %" PRIu64 " late %"
			PRIu64 " no-tag %" PRIu64 " bad-tag %" PRIu64
			" unknown-sci %" PRIu64 " not-using-sa %" PRIu64
			"; mka rx %" PRIu64 " tx %" PRIu64 " bad-icv %" PRIu64
			" saks %" PRIu64 " cak-renewals %" PRIu64 "\n",
			app->cfg.ports[mp->c.port].name,
			ms.out_pkts_protected, ms.out_pkts_encrypted,
			ms.out_pkts_no_sa, ms.in_pkts_ok, ms.in_pkts_not_valid,
			ms.in_pkts_invalid, ms.in_pkts_late, ms.in_pkts_no_tag,
			ms.in_pkts_bad_tag, ms.in_pkts_unknown_sci,
			ms.in_pkts_not_using_sa, ks.rx_mkpdu, ks.tx_mkpdu,
			ks.rx_bad_icv, ks.sak_installed, ks.cak_renew_done);
	}
	print_lb(app, f);
	for (d = 0; d < SS_NET_DROP_MAX; d++)
		if (sum.drop[d] != 0)
			fprintf(f, "drop %-24s %" PRIu64 "\n",
				ss_net_drop_names[d], sum.drop[d]);
}
