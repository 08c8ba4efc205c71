/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 shardsec authors
 */

/* rte_telemetry endpoints, so that dpdk-telemetry.py and monitoring
 * agents read the counters while the gateway runs. The callbacks run on
 * the telemetry thread and only read counters that their lcores own. */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_telemetry.h>

#include "ss_app.h"
#include "ss_shell.h"
#include "ss_app_lb.h"
#include "ss_app_macsec.h"
#include "macsec_priv.h"
#include "ss_inline.h"
#include "ss_swnic_esp.h"
#include "ss_swnic_sec.h"

static int
tm_ports(const char *cmd, const char *params, struct rte_tel_data *d)
{
	uint16_t i;

	RTE_SET_USED(cmd);
	RTE_SET_USED(params);
	rte_tel_data_start_dict(d);
	for (i = 0; i < ss_app.nb_ports; i++) {
		struct rte_tel_data *p = rte_tel_data_alloc();
		struct rte_eth_stats s;

		if (p == NULL)
			return -ENOMEM;
		memset(&s, 0, sizeof(s));
		rte_eth_stats_get(ss_app.port_id[i], &s);
		rte_tel_data_start_dict(p);
		rte_tel_data_add_dict_int(p, "port_id", ss_app.port_id[i]);
		rte_tel_data_add_dict_u64(p, "rx_packets", s.ipackets);
		rte_tel_data_add_dict_u64(p, "tx_packets", s.opackets);
		rte_tel_data_add_dict_u64(p, "rx_bytes", s.ibytes);
		rte_tel_data_add_dict_u64(p, "tx_bytes", s.obytes);
		rte_tel_data_add_dict_u64(p, "rx_missed", s.imissed);
		rte_tel_data_add_dict_u64(p, "rx_errors", s.ierrors);
		rte_tel_data_add_dict_u64(p, "tx_errors", s.oerrors);
		rte_tel_data_add_dict_container(d, ss_app.cfg.ports[i].name, p,
			0);
	}
	return 0;
}

static int
tm_servers(const char *cmd, const char *params, struct rte_tel_data *d)
{
	uint16_t s;

	RTE_SET_USED(cmd);
	RTE_SET_USED(params);
	rte_tel_data_start_dict(d);
	for (s = 0; s < ss_app.cfg.nb_servers; s++) {
		const struct ss_worker *w =
			&ss_app.workers[ss_app.server_worker[s]];
		struct rte_tel_data *p;
		char name[16];

		if (!ss_app.srv_live[s])
			continue;
		p = rte_tel_data_alloc();
		if (p == NULL)
			return -ENOMEM;
		rte_tel_data_start_dict(p);
		rte_tel_data_add_dict_int(p, "instance_id",
			ss_app.cfg.servers[s].id);
		rte_tel_data_add_dict_int(p, "lcore", w->lcore);
		rte_tel_data_add_dict_int(p, "worker", w->idx);
		rte_tel_data_add_dict_u64(p, "worker_rx", w->st.rx_pkts);
		rte_tel_data_add_dict_u64(p, "worker_tx", w->st.tx_pkts);
		rte_tel_data_add_dict_u64(p, "handoff_tx", w->st.handoff_tx);
		rte_tel_data_add_dict_u64(p, "handoff_rx", w->st.handoff_rx);
		rte_tel_data_add_dict_u64(p, "rx", ss_app.srv[s].rx);
		rte_tel_data_add_dict_u64(p, "esp_in", ss_app.srv[s].esp_in);
		rte_tel_data_add_dict_u64(p, "esp_out", ss_app.srv[s].esp_out);
		rte_tel_data_add_dict_u64(p, "handoff_in",
			ss_app.srv[s].handoff_in);
		rte_tel_data_add_dict_u64(p, "handoff_out",
			ss_app.srv[s].handoff_out);
		rte_tel_data_add_dict_u64(p, "resteer", ss_app.srv[s].resteer);
		if (ss_app.hold[s] != NULL) {
			struct ss_hold_stats hs;

			ss_hold_stats_get(ss_app.hold[s], &hs);
			rte_tel_data_add_dict_u64(p, "hold_now", hs.now_packets);
			rte_tel_data_add_dict_u64(p, "hold_held", hs.held);
			rte_tel_data_add_dict_u64(p, "hold_released",
				hs.released);
			rte_tel_data_add_dict_u64(p, "hold_overflow",
				hs.overflow + hs.no_queue);
			rte_tel_data_add_dict_u64(p, "hold_expired", hs.expired);
		}
		snprintf(name, sizeof(name), "server%u",
			ss_app.cfg.servers[s].id);
		rte_tel_data_add_dict_container(d, name, p, 0);
	}
	return 0;
}

static int
tm_stats(const char *cmd, const char *params, struct rte_tel_data *d)
{
	RTE_SET_USED(cmd);
	RTE_SET_USED(params);
	return ss_shell_stats_tel(d);
}

static int
tm_drops(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct ss_net_stats sum;
	uint16_t i;
	int r;

	RTE_SET_USED(cmd);
	RTE_SET_USED(params);
	memset(&sum, 0, sizeof(sum));
	ss_net_stats_add(&sum, &ss_app.ctl_net);
	for (i = 0; i < ss_app.nb_workers; i++)
		ss_net_stats_add(&sum, &ss_app.workers[i].net);
	rte_tel_data_start_dict(d);
	for (r = 0; r < SS_NET_DROP_MAX; r++)
		rte_tel_data_add_dict_u64(d, ss_net_drop_names[r], sum.drop[r]);
	return 0;
}

static int
tm_sa_one(const struct ss_sa *sa, void *arg)
{
	struct rte_tel_data *d = arg;
	struct rte_tel_data *p = rte_tel_data_alloc();
	char name[16];
	unsigned int r;

	if (p == NULL)
		return -ENOMEM;
	rte_tel_data_start_dict(p);
	rte_tel_data_add_dict_string(p, "dir",
		sa->dir == SS_SA_DIR_IN ? "in" : "out");
	rte_tel_data_add_dict_int(p, "instance_id", sa->instance_id);
	rte_tel_data_add_dict_int(p, "server", sa->server);
	rte_tel_data_add_dict_string(p, "algo", ss_sa_algo_name(sa->algo));
	rte_tel_data_add_dict_int(p, "standby", sa->standby);
	rte_tel_data_add_dict_int(p, "retiring", sa->retiring);
	rte_tel_data_add_dict_u64(p, "packets", sa->st.packets);
	rte_tel_data_add_dict_u64(p, "bytes", sa->st.bytes);
	rte_tel_data_add_dict_u64(p, sa->dir == SS_SA_DIR_IN ? "replay_top" :
		"seq", sa->dir == SS_SA_DIR_IN ? sa->st.replay_top :
		sa->st.seq);
	for (r = 0; r < SS_SA_DROP_MAX; r++)
		if (sa->st.drops[r] != 0)
			rte_tel_data_add_dict_u64(p, ss_sa_drop_name(r),
				sa->st.drops[r]);
	snprintf(name, sizeof(name), "0x%08x", sa->spi);
	rte_tel_data_add_dict_container(d, name, p, 0);
	return 0;
}

/* Never key bytes: only what "show sa" prints. */
static int
tm_sa(const char *cmd, const char *params, struct rte_tel_data *d)
{
	RTE_SET_USED(cmd);
	RTE_SET_USED(params);
	rte_tel_data_start_dict(d);
	if (ss_app.sadb != NULL)
		ss_sa_walk(ss_app.sadb, tm_sa_one, d);
	return 0;
}

/* 'show runtime' as raw sums: per worker, each stage's bursts, packets
 * and TSC cycles since 'runtime on' / 'clear runtime' (keys
 * <stage>_calls|_packets|_cycles, '-' in a stage's name as '_'). */
static int
tm_runtime(const char *cmd, const char *params, struct rte_tel_data *d)
{
	uint16_t i;

	RTE_SET_USED(cmd);
	RTE_SET_USED(params);
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_int(d, "on", ss_app.runtime_on);
	for (i = 0; i < ss_app.nb_workers; i++) {
		struct rte_tel_data *p = rte_tel_data_alloc();
		struct ss_runtime_view v;
		char name[48];
		unsigned int s;

		if (p == NULL)
			return -ENOMEM;
		ss_app_runtime_read(&ss_app, i, &v);
		rte_tel_data_start_dict(p);
		rte_tel_data_add_dict_int(p, "lcore", ss_app.workers[i].lcore);
		rte_tel_data_add_dict_u64(p, "busy_cycles", v.busy);
		rte_tel_data_add_dict_u64(p, "busy_polls", v.polls);
		for (s = 0; s < SS_STAGE_MAX; s++) {
			char n[24], *c;

			/* rte_telemetry takes [A-Za-z0-9_./] in names: a
			 * '-' would drop the entry */
			snprintf(n, sizeof(n), "%s", ss_app_stage_name(s));
			for (c = n; *c != '\0'; c++)
				if (*c == '-')
					*c = '_';
			snprintf(name, sizeof(name), "%s_calls", n);
			rte_tel_data_add_dict_u64(p, name, v.stage[s].calls);
			snprintf(name, sizeof(name), "%s_packets", n);
			rte_tel_data_add_dict_u64(p, name, v.stage[s].pkts);
			snprintf(name, sizeof(name), "%s_cycles", n);
			rte_tel_data_add_dict_u64(p, name, v.stage[s].cycles);
		}
		snprintf(name, sizeof(name), "worker%u", i);
		rte_tel_data_add_dict_container(d, name, p, 0);
	}
	return 0;
}

/* Counters only, read from the telemetry thread as every other view:
 * the NIC's key table itself is never exposed. */
static int
tm_swnic(const char *cmd, const char *params, struct rte_tel_data *d)
{
	const struct ss_swnic *dev = ss_swnic_esp_dev();
	struct ss_swnic_esp_stats e;
	struct ss_swnic_stats s;

	RTE_SET_USED(cmd);
	RTE_SET_USED(params);
	rte_tel_data_start_dict(d);
	if (dev == NULL)
		return 0;
	ss_swnic_stats_get(dev, &s);
	ss_swnic_esp_stats_get(&e);
	rte_tel_data_add_dict_u64(d, "slots", ss_swnic_conf_get(dev)->slots);
	rte_tel_data_add_dict_u64(d, "latency_us",
		ss_swnic_conf_get(dev)->latency_us);
	rte_tel_data_add_dict_u64(d, "used", s.used);
	rte_tel_data_add_dict_u64(d, "pending", s.pending);
	rte_tel_data_add_dict_u64(d, "stores", s.stores);
	rte_tel_data_add_dict_u64(d, "stored", s.stored);
	rte_tel_data_add_dict_u64(d, "refused", s.refused);
	rte_tel_data_add_dict_u64(d, "table_full", s.table_full);
	rte_tel_data_add_dict_u64(d, "erased", s.erased);
	rte_tel_data_add_dict_u64(d, "resumed", e.resumed);
	rte_tel_data_add_dict_u64(d, "store_max_us", s.wait_max_tsc *
		1000000 / rte_get_timer_hz());
	rte_tel_data_add_dict_u64(d, "paused_max_us", e.pause_max_tsc *
		1000000 / rte_get_timer_hz());
	return 0;
}

/* /shardsec/inline: the inline back-end's sessions and, on the software
 * inline NIC, what its transmit and receive did (never a key). */
static int
tm_inline(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct ss_swnic_sec_stats n;
	struct ss_inline_stats st;

	RTE_SET_USED(cmd);
	RTE_SET_USED(params);
	rte_tel_data_start_dict(d);
	if (!ss_inline_active())
		return 0;
	ss_inline_stats_get(&st);
	rte_tel_data_add_dict_string(d, "device", st.own_ctx ? "nic" :
		"software");
	rte_tel_data_add_dict_u64(d, "sessions", st.sessions);
	rte_tel_data_add_dict_u64(d, "created", st.created);
	rte_tel_data_add_dict_u64(d, "refused", st.refused);
	rte_tel_data_add_dict_u64(d, "destroyed", st.destroyed);
	rte_tel_data_add_dict_u64(d, "flows", st.flows);
	if (ss_app.swnic_sec == NULL)
		return 0;
	ss_swnic_sec_stats_get(ss_app.swnic_sec, &n);
	rte_tel_data_add_dict_u64(d, "tx_encrypted", n.tx_encrypted);
	rte_tel_data_add_dict_u64(d, "tx_dropped_no_session",
		n.tx_dropped_no_session);
	rte_tel_data_add_dict_u64(d, "tx_dropped_bad", n.tx_dropped_bad);
	rte_tel_data_add_dict_u64(d, "rx_decrypted", n.rx_decrypted);
	rte_tel_data_add_dict_u64(d, "rx_auth_failed", n.rx_auth_failed);
	rte_tel_data_add_dict_u64(d, "rx_bad", n.rx_bad);
	rte_tel_data_add_dict_u64(d, "rx_no_session", n.rx_no_session);
	return 0;
}

/* /shardsec/macsec: per MACsec port, the SecY's 802.1AE counters and the
 * MKA state the control lcore last published (never a key). */
static int
tm_macsec(const char *cmd, const char *params, struct rte_tel_data *d)
{
	uint8_t i;

	RTE_SET_USED(cmd);
	RTE_SET_USED(params);
	rte_tel_data_start_dict(d);
	for (i = 0; i < ss_app_macsec_nb_ports(); i++) {
		const struct ss_app_msec_port *mp = ss_app_macsec_port(i);
		struct rte_tel_data *p = rte_tel_data_alloc();
		struct ss_macsec_stats st;

		if (p == NULL)
			return -ENOMEM;
		ss_macsec_stats_get(mp->sy, &st);
		rte_tel_data_start_dict(p);
		rte_tel_data_add_dict_string(p, "mka_state",
			ss_app_mka_state_name((enum ss_mka_state)
			__atomic_load_n(&mp->tm_state, __ATOMIC_RELAXED)));
#define U(name, v) rte_tel_data_add_dict_u64(p, name, v)
		U("key_server", __atomic_load_n(&mp->tm_key_server,
			__ATOMIC_RELAXED));
		U("kn", __atomic_load_n(&mp->tm_kn, __ATOMIC_RELAXED));
		U("cak_generation", __atomic_load_n(&mp->tm_cak_generation,
			__ATOMIC_RELAXED));
		U("live_peers", __atomic_load_n(&mp->tm_live,
			__ATOMIC_RELAXED));
		U("out_pkts_protected", st.out_pkts_protected);
		U("out_pkts_encrypted", st.out_pkts_encrypted);
		U("out_pkts_no_sa", st.out_pkts_no_sa);
		U("in_pkts_ok", st.in_pkts_ok);
		U("in_pkts_not_valid", st.in_pkts_not_valid);
		U("in_pkts_invalid", st.in_pkts_invalid);
		U("in_pkts_late", st.in_pkts_late);
		U("in_pkts_no_tag", st.in_pkts_no_tag);
		U("in_pkts_bad_tag", st.in_pkts_bad_tag);
		U("in_pkts_unknown_sci", st.in_pkts_unknown_sci);
		U("in_pkts_not_using_sa", st.in_pkts_not_using_sa);
		U("in_pkts_eapol", st.in_pkts_eapol);
#undef U
		rte_tel_data_add_dict_container(d,
			ss_app.cfg.ports[mp->c.port].name, p, 0);
	}
	return 0;
}

/* The load balancer: per backend (by instance-id) its state and what it
 * was sent, by kind; totals and drops. The backend list changes on the
 * control lcore: read under its lock. */
static int
tm_lb(const char *cmd, const char *params, struct rte_tel_data *d)
{
	const struct ss_app_lb_cfg *c = &ss_app_lb_cfg;
	struct ss_app_lb *lb = ss_app.lb;
	struct ss_lb_wstats *sum;
	uint64_t tp = 0, tb = 0, td = 0;
	unsigned int i, k;
	char name[32];
	int ret = 0;

	RTE_SET_USED(cmd);
	RTE_SET_USED(params);
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_int(d, "enabled", lb != NULL);
	if (lb == NULL)
		return 0;
	/* 256 ids: off the stack; cache-line aligned as its type says
	 * (the compiler uses aligned vector stores on it) */
	sum = aligned_alloc(RTE_CACHE_LINE_SIZE, sizeof(*sum));
	if (sum == NULL)
		return -ENOMEM;
	ss_app_lb_stats_sum(&ss_app, sum);
	for (i = 0; i < SS_LB_MAX_IDS; i++) {
		tp += sum->b[i].pkts;
		tb += sum->b[i].bytes;
		td += sum->b[i].down;
	}
	rte_tel_data_add_dict_string(d, "port",
		ss_app.cfg.ports[c->port].name);
	rte_tel_data_add_dict_int(d, "ike_backend", lb->ike_id);
	rte_spinlock_lock(&lb->lock);
	for (i = 0; i < lb->nb_be; i++) {
		const struct ss_lb_be *e = &lb->be[i];
		const struct ss_lb_bstats *s = &sum->b[e->id];
		struct rte_tel_data *b = rte_tel_data_alloc();

		if (b == NULL) {
			ret = -ENOMEM;
			break;
		}
		rte_tel_data_start_dict(b);
		rte_tel_data_add_dict_int(b, "id", e->id);
		rte_tel_data_add_dict_string(b, "state",
			ss_app_lb_state_name(e));
		rte_tel_data_add_dict_int(b, "weight", e->weight);
		rte_tel_data_add_dict_u64(b, "packets", s->pkts);
		rte_tel_data_add_dict_u64(b, "bytes", s->bytes);
		rte_tel_data_add_dict_u64(b, "down", s->down);
		for (k = 0; k < SS_LB_KIND_MAX; k++)
			rte_tel_data_add_dict_u64(b, ss_app_lb_kind_name(k),
				s->kind[k]);
		if (e->ip.family != 0) {
			rte_tel_data_add_dict_u64(b, "probes", e->probes);
			rte_tel_data_add_dict_u64(b, "answers", e->answers);
			rte_tel_data_add_dict_u64(b, "downs", e->downs);
		}
		snprintf(name, sizeof(name), "backend%u", e->id);
		rte_tel_data_add_dict_container(d, name, b, 0);
	}
	rte_spinlock_unlock(&lb->lock);
	rte_tel_data_add_dict_u64(d, "packets", tp);
	rte_tel_data_add_dict_u64(d, "bytes", tb);
	rte_tel_data_add_dict_u64(d, "down", td);
	rte_tel_data_add_dict_u64(d, "unknown_id", sum->unknown_id);
	rte_tel_data_add_dict_u64(d, "bad", sum->bad);
	rte_tel_data_add_dict_int(d, "conntrack", c->conn_max != 0);
	rte_tel_data_add_dict_u64(d, "ct_entries", sum->ct.entries);
	rte_tel_data_add_dict_u64(d, "ct_added", sum->ct.added);
	rte_tel_data_add_dict_u64(d, "ct_kept", sum->ct.kept);
	rte_tel_data_add_dict_u64(d, "ct_moved", sum->ct.moved);
	rte_tel_data_add_dict_u64(d, "ct_expired", sum->ct.expired);
	rte_tel_data_add_dict_u64(d, "ct_full", sum->ct.full);
	rte_tel_data_add_dict_u64(d, "ct_untracked", sum->untracked);
	rte_tel_data_add_dict_u64(d, "frag_in", sum->frag);
	rte_tel_data_add_dict_u64(d, "frag_reassembled", lb->fst.reasm.done);
	rte_tel_data_add_dict_u64(d, "above_mtu", sum->big);
	rte_tel_data_add_dict_u64(d, "icmp_too_big", lb->fst.too_big);
	rte_tel_data_add_dict_u64(d, "frag_datagrams", lb->fst.datagrams);
	rte_tel_data_add_dict_u64(d, "frag_sent", lb->fst.sent);
	rte_tel_data_add_dict_u64(d, "frag_dropped", lb->fst.dropped);
	rte_tel_data_add_dict_u64(d, "frag_reasm_dropped",
		lb->fst.reasm.dropped);
	rte_tel_data_add_dict_u64(d, "frag_reasm_too_big",
		lb->fst.reasm.too_big);
	rte_tel_data_add_dict_u64(d, "frag_ext_kept", lb->fst.ext_kept);
	rte_tel_data_add_dict_u64(d, "frag_ext_evicted", lb->fst.ext_evicted);
	free(sum);
	return ret;
}

void
ss_app_telemetry_init(void)
{
	rte_telemetry_register_cmd("/shardsec/ports", tm_ports,
		"Per-port NIC counters, by port name");
	rte_telemetry_register_cmd("/shardsec/servers", tm_servers,
		"Per-server instance-id, lcore, worker and hold counters");
	rte_telemetry_register_cmd("/shardsec/sa", tm_sa,
		"Every SA: direction, instance-id, server, counters (no keys)");
	rte_telemetry_register_cmd("/shardsec/drops", tm_drops,
		"Drops by reason, summed over all lcores");
	rte_telemetry_register_cmd("/shardsec/stats", tm_stats,
		"Every counter of 'show stats', by section");
	rte_telemetry_register_cmd("/shardsec/swnic", tm_swnic,
		"Software inline NIC: key slots, pushes, store and pause times");
	rte_telemetry_register_cmd("/shardsec/inline", tm_inline,
		"Inline IPsec: rte_security sessions; the software inline "
		"NIC's packets encrypted, decrypted, failed, dropped");
	rte_telemetry_register_cmd("/shardsec/macsec", tm_macsec,
		"Per MACsec port: MKA state, KN, CAK generation, 802.1AE "
		"counters (no keys)");
	rte_telemetry_register_cmd("/shardsec/lb", tm_lb,
		"Load balancer: per backend packets and bytes by kind, "
		"unknown_id, bad, connection tracking (ct_*)");
	rte_telemetry_register_cmd("/shardsec/runtime", tm_runtime,
		"Per worker: bursts, packets and TSC cycles of each stage "
		"(while 'runtime on')");
#ifdef SS_HAVE_IKE
	ss_app_ike_tm_register();
#endif
}
