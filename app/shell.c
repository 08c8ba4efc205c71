/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 shardsec authors
 */

/* The testpmd-style shell (rte_cmdline), interactive or from a script.
 * Commands run on the control lcore, between its other duties, so a slow
 * terminal never stalls a worker. */

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <unistd.h>

#include <cmdline.h>
#include <cmdline_parse.h>
#include <cmdline_parse_string.h>
#include <cmdline_rdline.h>
#include <cmdline_socket.h>
#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_telemetry.h>

#include "ss_app.h"
#include "ss_app_lb.h"
#include "ss_app_macsec.h"
#include "ss_shell.h"
#include "ss_shell_token.h"

#define PROMPT "shardsec> "

/* Set by a command that failed, so that a script knows. */
static int cmd_failed;

void
ss_shell_fail(struct cmdline *cl, const char *fmt, ...)
{
	va_list ap;
	char buf[512];

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	cmdline_printf(cl, "error: %s\n", buf);
	cmd_failed = 1;
}

int
ss_shell_port_arg(struct cmdline *cl, const char *arg, uint8_t *port)
{
	char *end;
	unsigned long v;
	uint8_t i;

	for (i = 0; i < ss_app.nb_ports; i++) {
		if (strcmp(arg, ss_app.cfg.ports[i].name) == 0) {
			*port = i;
			return 0;
		}
	}
	v = strtoul(arg, &end, 10);
	if (*arg == '\0' || *end != '\0' || v >= ss_app.nb_ports) {
		ss_shell_fail(cl, "no port %s (ports 0..%u or a port name)",
			arg, ss_app.nb_ports - 1);
		return -EINVAL;
	}
	*port = (uint8_t)v;
	return 0;
}

/* ---- show port stats / clear port stats ---------------------------- */

static void
port_stats_one(struct cmdline *cl, uint8_t i, bool json, bool first)
{
	struct rte_eth_stats s;
	uint16_t pid = ss_app.port_id[i];

	if (rte_eth_stats_get(pid, &s) != 0) {
		ss_shell_fail(cl, "cannot read stats of port %u", i);
		return;
	}
	if (json) {
		cmdline_printf(cl, "%s\n  {\"port\": %u, \"name\": \"%s\", "
			"\"rx_packets\": %" PRIu64 ", \"rx_missed\": %" PRIu64
			", \"rx_bytes\": %" PRIu64 ", \"rx_errors\": %" PRIu64
			", \"rx_nombuf\": %" PRIu64 ", \"tx_packets\": %"
			PRIu64 ", \"tx_errors\": %" PRIu64 ", \"tx_bytes\": %"
			PRIu64 "}", first ? "" : ",", i,
			ss_app.cfg.ports[i].name, s.ipackets, s.imissed,
			s.ibytes, s.ierrors, s.rx_nombuf, s.opackets,
			s.oerrors, s.obytes);
		return;
	}
	cmdline_printf(cl,
		"\n  ######################## NIC statistics for port %-2u (%s) "
		"########################\n", i, ss_app.cfg.ports[i].name);
	cmdline_printf(cl, "  RX-packets: %-14" PRIu64 " RX-missed: %-14"
		PRIu64 " RX-bytes:  %" PRIu64 "\n", s.ipackets, s.imissed,
		s.ibytes);
	cmdline_printf(cl, "  RX-errors:  %-14" PRIu64 " RX-nombuf: %" PRIu64
		"\n", s.ierrors, s.rx_nombuf);
	cmdline_printf(cl, "  TX-packets: %-14" PRIu64 " TX-errors: %-14"
		PRIu64 " TX-bytes:  %" PRIu64 "\n", s.opackets, s.oerrors,
		s.obytes);
	cmdline_printf(cl, "  ##########################################"
		"##################################################\n");
}

struct cmd_port_stats_result {
	cmdline_fixed_string_t show;
	cmdline_fixed_string_t port;
	cmdline_fixed_string_t stats;
	cmdline_fixed_string_t which;
	cmdline_fixed_string_t json;
};

static void
cmd_port_stats_parsed(void *parsed, struct cmdline *cl, void *data)
{
	struct cmd_port_stats_result *r = parsed;
	const bool clear = strcmp(r->show, "clear") == 0;
	const bool json = data == SS_SHELL_JSON;
	uint8_t i, lo = 0, hi = ss_app.nb_ports;

	if (strcmp(r->which, "all") != 0) {
		if (ss_shell_port_arg(cl, r->which, &lo) < 0)
			return;
		hi = lo + 1;
	}
	if (json)
		cmdline_printf(cl, "[");
	for (i = lo; i < hi; i++) {
		if (clear) {
			rte_eth_stats_reset(ss_app.port_id[i]);
			cmdline_printf(cl, "  NIC statistics for port %u "
				"cleared\n", i);
		} else {
			port_stats_one(cl, i, json, i == lo);
		}
	}
	if (json)
		cmdline_printf(cl, "\n]\n");
}

static cmdline_parse_token_string_t cmd_port_stats_show =
	TOKEN_STRING_INITIALIZER(struct cmd_port_stats_result, show,
		"show#clear");
static cmdline_parse_token_string_t cmd_port_stats_port =
	TOKEN_STRING_INITIALIZER(struct cmd_port_stats_result, port, "port");
static cmdline_parse_token_string_t cmd_port_stats_stats =
	TOKEN_STRING_INITIALIZER(struct cmd_port_stats_result, stats, "stats");
static struct ss_shell_token_choice cmd_port_stats_which =
	SS_SHELL_TOKEN_CHOICE(struct cmd_port_stats_result, which, "port",
		"ports", "all", ss_shell_list_ports, NULL, NULL);

static cmdline_parse_inst_t cmd_port_stats = {
	.f = cmd_port_stats_parsed,
	.help_str = "show|clear port stats all|<port_id>|<port_name>: "
		"NIC counters of one port or all",
	.tokens = {
		(void *)&cmd_port_stats_show,
		(void *)&cmd_port_stats_port,
		(void *)&cmd_port_stats_stats,
		(void *)&cmd_port_stats_which,
		NULL,
	},
};

static cmdline_parse_token_string_t cmd_port_stats_show_only =
	TOKEN_STRING_INITIALIZER(struct cmd_port_stats_result, show, "show");
static cmdline_parse_token_string_t cmd_port_stats_json =
	TOKEN_STRING_INITIALIZER(struct cmd_port_stats_result, json, "json");

static cmdline_parse_inst_t cmd_port_stats_j = {
	.f = cmd_port_stats_parsed,
	.data = SS_SHELL_JSON,
	.help_str = "show port stats all|<port> json: the same as JSON",
	.tokens = {
		(void *)&cmd_port_stats_show_only,
		(void *)&cmd_port_stats_port,
		(void *)&cmd_port_stats_stats,
		(void *)&cmd_port_stats_which,
		(void *)&cmd_port_stats_json,
		NULL,
	},
};

/* ---- show port info ------------------------------------------------ */

struct cmd_port_info_result {
	cmdline_fixed_string_t show;
	cmdline_fixed_string_t port;
	cmdline_fixed_string_t info;
	cmdline_fixed_string_t which;
	cmdline_fixed_string_t json;
};

static void
cmd_port_info_parsed(void *parsed, struct cmdline *cl, void *data)
{
	struct cmd_port_info_result *r = parsed;
	const struct ss_cfg_port *cp;
	struct rte_eth_dev_info info;
	struct rte_eth_link link;
	char name[RTE_ETH_NAME_MAX_LEN];
	char abuf[INET6_ADDRSTRLEN + 8];
	uint16_t pid, mtu = 0;
	uint8_t p, a;

	if (ss_shell_port_arg(cl, r->which, &p) < 0)
		return;
	cp = &ss_app.cfg.ports[p];
	pid = ss_app.port_id[p];
	if (rte_eth_dev_info_get(pid, &info) != 0) {
		ss_shell_fail(cl, "cannot read info of port %u", p);
		return;
	}
	rte_eth_dev_get_name_by_port(pid, name);
	rte_eth_link_get_nowait(pid, &link);
	rte_eth_dev_get_mtu(pid, &mtu);
	if (data == SS_SHELL_JSON) {
		cmdline_printf(cl, "{\"port\": %u, \"name\": \"%s\", "
			"\"device\": \"%s\", \"dpdk_port\": %u, \"driver\": "
			"\"%s\", \"mac\": \"" RTE_ETHER_ADDR_PRT_FMT "\", "
			"\"link_up\": %s, \"link_speed\": %u, \"mtu\": %u, "
			"\"mtu_configured\": %u, \"queues\": %u, "
			"\"promiscuous\": %s, \"addresses\": [", p, cp->name,
			name, pid, info.driver_name,
			RTE_ETHER_ADDR_BYTES(&ss_app.port_mac[p]),
			link.link_status ? "true" : "false", link.link_speed,
			mtu, cp->mtu, ss_app.nb_workers + 1,
			rte_eth_promiscuous_get(pid) == 1 ? "true" : "false");
		for (a = 0; a < cp->nb_addrs; a++)
			cmdline_printf(cl, "%s\"%s/%u\"", a == 0 ? "" : ", ",
				ss_ipaddr_str(&cp->addrs[a].addr, abuf,
					sizeof(abuf)), cp->addrs[a].len);
		cmdline_printf(cl, "]}\n");
		return;
	}
	cmdline_printf(cl, "\n********************* Infos for port %-2u "
		"*********************\n", p);
	cmdline_printf(cl, "Name: %s\nDevice: %s (DPDK port %u)\nDriver: %s\n",
		cp->name, name, pid, info.driver_name);
	cmdline_printf(cl, "MAC address: " RTE_ETHER_ADDR_PRT_FMT "\n",
		RTE_ETHER_ADDR_BYTES(&ss_app.port_mac[p]));
	cmdline_printf(cl, "Link status: %s\nLink speed: %u Mbps\n",
		link.link_status ? "up" : "down", link.link_speed);
	cmdline_printf(cl, "MTU: %u (configured %u)\n", mtu, cp->mtu);
	cmdline_printf(cl, "Queues: %u rx / %u tx (workers 0..%u, control %u)\n",
		ss_app.nb_workers + 1, ss_app.nb_workers + 1,
		ss_app.nb_workers - 1, ss_app.nb_workers);
	cmdline_printf(cl, "Promiscuous mode: %s\n",
		rte_eth_promiscuous_get(pid) == 1 ? "enabled" : "disabled");
	for (a = 0; a < cp->nb_addrs; a++)
		cmdline_printf(cl, "Address: %s/%u\n",
			ss_ipaddr_str(&cp->addrs[a].addr, abuf, sizeof(abuf)),
			cp->addrs[a].len);
}

static cmdline_parse_token_string_t cmd_port_info_show =
	TOKEN_STRING_INITIALIZER(struct cmd_port_info_result, show, "show");
static cmdline_parse_token_string_t cmd_port_info_port =
	TOKEN_STRING_INITIALIZER(struct cmd_port_info_result, port, "port");
static cmdline_parse_token_string_t cmd_port_info_info =
	TOKEN_STRING_INITIALIZER(struct cmd_port_info_result, info, "info");
static struct ss_shell_token_choice cmd_port_info_which =
	SS_SHELL_TOKEN_CHOICE(struct cmd_port_info_result, which, "port",
		"ports", NULL, ss_shell_list_ports, NULL, NULL);

static cmdline_parse_inst_t cmd_port_info = {
	.f = cmd_port_info_parsed,
	.help_str = "show port info <port_id>|<port_name>: driver, MAC, link, "
		"MTU, queues, addresses",
	.tokens = {
		(void *)&cmd_port_info_show,
		(void *)&cmd_port_info_port,
		(void *)&cmd_port_info_info,
		(void *)&cmd_port_info_which,
		NULL,
	},
};

static cmdline_parse_token_string_t cmd_port_info_json =
	TOKEN_STRING_INITIALIZER(struct cmd_port_info_result, json, "json");

static cmdline_parse_inst_t cmd_port_info_j = {
	.f = cmd_port_info_parsed,
	.data = SS_SHELL_JSON,
	.help_str = "show port info <port> json: the same as JSON",
	.tokens = {
		(void *)&cmd_port_info_show,
		(void *)&cmd_port_info_port,
		(void *)&cmd_port_info_info,
		(void *)&cmd_port_info_which,
		(void *)&cmd_port_info_json,
		NULL,
	},
};

/* ---- single-word "show X" commands --------------------------------- */

struct cmd_show_result {
	cmdline_fixed_string_t show;
	cmdline_fixed_string_t what;
	cmdline_fixed_string_t json;
};

static void
show_lcores(struct cmdline *cl, bool json)
{
	uint16_t i, k;

	if (json)
		cmdline_printf(cl, "[\n  {\"lcore\": %u, \"role\": \"control\", "
			"\"servers\": [], \"rx\": %" PRIu64 ", \"tx\": %" PRIu64
			", \"punted\": %" PRIu64 ", \"handoff\": %" PRIu64 "}",
			ss_app.main_lcore, ss_app.ctl.rx_pkts,
			ss_app.ctl.tx_pkts, ss_app.ctl.punt_rx,
			ss_app.ctl.handoff_tx);
	else
		cmdline_printf(cl, "%-6s %-10s %-12s %14s %14s %10s %10s %8s\n"
			"%-6u %-10s %-12s %14" PRIu64 " %14" PRIu64 " %10"
			PRIu64 " %10" PRIu64 " %8s\n", "lcore", "role",
			"servers", "rx", "tx", "punted", "handoff", "busy%",
			ss_app.main_lcore, "control", "-", ss_app.ctl.rx_pkts,
			ss_app.ctl.tx_pkts, ss_app.ctl.punt_rx,
			ss_app.ctl.handoff_tx, "-");
	for (i = 0; i < ss_app.nb_workers; i++) {
		const struct ss_worker *w = &ss_app.workers[i];
		const double busy = w->st.polls == 0 ? 0.0 :
			100.0 * (double)w->st.busy_polls / (double)w->st.polls;
		char ids[64] = "";
		size_t off = 0;
		char role[16];

		for (k = 0; k < w->nb_servers && off < sizeof(ids) - 8; k++)
			off += snprintf(ids + off, sizeof(ids) - off, "%s%u",
				k == 0 ? "" : ",",
				ss_app.cfg.servers[w->servers[k]].id);
		snprintf(role, sizeof(role), "worker %u", i);
		if (json)
			cmdline_printf(cl, ",\n  {\"lcore\": %u, \"role\": "
				"\"worker\", \"worker\": %u, \"servers\": [%s], "
				"\"rx\": %" PRIu64 ", \"tx\": %" PRIu64
				", \"punted\": %" PRIu64 ", \"handoff\": %" PRIu64
				", \"busy_pct\": %.1f}", w->lcore, i, ids,
				w->st.rx_pkts, w->st.tx_pkts, w->st.punted,
				w->st.handoff_tx, busy);
		else
			cmdline_printf(cl, "%-6u %-10s %-12s %14" PRIu64 " %14"
				PRIu64 " %10" PRIu64 " %10" PRIu64 " %7.1f%%\n",
				w->lcore, role, ids, w->st.rx_pkts,
				w->st.tx_pkts, w->st.punted, w->st.handoff_tx,
				busy);
	}
	if (json)
		cmdline_printf(cl, "\n]\n");
}

/* Counters grouped in sections: "name:" and aligned lines for people,
 * one JSON object of objects for scripts. */
/* Where 'show stats' goes: the shell, as text or JSON, or a telemetry
 * dict of one dict per section (tel set). */
struct kv_out {
	struct cmdline *cl;
	bool json;
	unsigned int sections;
	unsigned int keys;
	struct rte_tel_data *tel;
	struct rte_tel_data *cur;	/* the open section's */
	const char *cur_name;
};

/* The open section into the telemetry dict. */
static void
tel_close(struct kv_out *o)
{
	if (o->cur != NULL)
		rte_tel_data_add_dict_container(o->tel, o->cur_name, o->cur, 0);
	o->cur = NULL;
}

static void
sec(struct kv_out *o, const char *name)
{
	if (o->tel != NULL) {
		tel_close(o);
		o->cur = rte_tel_data_alloc();
		o->cur_name = name;
		if (o->cur != NULL)
			rte_tel_data_start_dict(o->cur);
		return;
	}
	if (o->json)
		cmdline_printf(o->cl, "%s\n  \"%s\": {", o->sections == 0 ?
			"{" : "},", name);
	else
		cmdline_printf(o->cl, "%s:\n", name);
	o->sections++;
	o->keys = 0;
}

static void
kv(struct kv_out *o, const char *name, uint64_t v)
{
	if (o->tel != NULL) {
		if (o->cur != NULL)
			rte_tel_data_add_dict_u64(o->cur, name, v);
		return;
	}
	if (o->json)
		cmdline_printf(o->cl, "%s\"%s\": %" PRIu64, o->keys == 0 ? "" :
			", ", name, v);
	else
		cmdline_printf(o->cl, "  %-24s %" PRIu64 "\n", name, v);
	o->keys++;
}

static void
sec_end(struct kv_out *o)
{
	if (o->tel != NULL) {
		tel_close(o);
		return;
	}
	if (o->json)
		cmdline_printf(o->cl, "%s\n", o->sections == 0 ? "{}" : "}\n}");
}

static void
stats_emit(struct kv_out *o)
{
	struct ss_net_stats sum;
	uint64_t v[16] = { 0 };
	uint16_t i;
	int d;

	memset(&sum, 0, sizeof(sum));
	ss_net_stats_add(&sum, &ss_app.ctl_net);
	for (i = 0; i < ss_app.nb_workers; i++) {
		const struct ss_worker_stats *s = &ss_app.workers[i].st;

		ss_net_stats_add(&sum, &ss_app.workers[i].net);
		v[0] += s->rx_pkts;
		v[1] += s->tx_pkts;
		v[2] += s->tx_drops;
		v[3] += s->punted;
		v[4] += s->punt_drops;
		v[5] += s->handoff_tx;
		v[6] += s->handoff_drops;
		v[7] += s->esp_no_spi;
		v[8] += s->srv_gone;
		v[9] += s->frag_shed;
		v[10] += s->too_big_shed;
	}
	sec(o, "workers");
	kv(o, "rx", v[0]);
	kv(o, "tx", v[1]);
	kv(o, "tx_queue_full", v[2]);
	kv(o, "punted", v[3]);
	kv(o, "punt_ring_full", v[4]);
	kv(o, "handoff", v[5]);
	kv(o, "handoff_ring_full", v[6]);
	kv(o, "esp_no_spi", v[7]);
	kv(o, "server_gone", v[8]);
	kv(o, "frag_shed", v[9]);
	kv(o, "too_big_shed", v[10]);
	sec(o, "control");
	kv(o, "rx", ss_app.ctl.rx_pkts);
	kv(o, "punt_rx",
		ss_app.ctl.punt_rx);
	kv(o, "tx", ss_app.ctl.tx_pkts);
	kv(o, "tx_drops",
		ss_app.ctl.tx_drops);
	kv(o, "unhandled",
		ss_app.ctl.unhandled);
	kv(o, "icmp_too_big_sent",
		ss_app.ctl.icmp_too_big);
	kv(o, "too_big_dropped",
		ss_app.ctl.too_big_dropped);
	kv(o, "acquires", ss_app.ctl.acquires);
	kv(o, "icmp_unreach_sent", ss_app.ctl.icmp_unreach);
	kv(o, "unreach_dropped", ss_app.ctl.unreach_dropped);
	kv(o, "prefragmented", ss_app.ctl.prefrag);
	kv(o, "prefrag_pieces", ss_app.ctl.prefrag_pieces);
	kv(o, "fwd_too_big", ss_app.ctl.fwd_too_big);
	kv(o, "fwd_fragmented", ss_app.ctl.fwd_fragmented);
	kv(o, "fwd_frag_pieces", ss_app.ctl.fwd_frag_pieces);
	kv(o, "icmp_rate_limited", ss_app.ctl.icmp_rate_limited);
	kv(o, "icmp_param_problem_sent", ss_app.ctl.icmp_param_problem);
	kv(o, "reasm_fragments", ss_app.ctl.reasm.fragments);
	kv(o, "reasm_done", ss_app.ctl.reasm.done);
	kv(o, "reasm_jumbo", ss_app.ctl.reasm.jumbo);
	kv(o, "reasm_too_big", ss_app.ctl.reasm.too_big);
	kv(o, "reasm_dropped", ss_app.ctl.reasm.dropped);
	sec(o, "hold");
	{
		struct ss_hold_stats hs;
		uint16_t s;

		memset(v, 0, sizeof(v));
		for (s = 0; s < SS_CFG_MAX_SERVERS; s++) {
			if (ss_app.hold[s] == NULL)
				continue;
			ss_hold_stats_get(ss_app.hold[s], &hs);
			v[0] += hs.held;
			v[1] += hs.released;
			v[2] += hs.overflow;
			v[3] += hs.no_queue;
			v[4] += hs.expired;
			v[5] += hs.flushed;
			v[6] += hs.now_packets;
			ss_hold_stats_get(ss_app.hold_in[s], &hs);
			v[8] += hs.held;
			v[9] += hs.released;
			v[10] += hs.overflow + hs.no_queue + hs.expired;
		}
		for (i = 0; i < ss_app.nb_workers; i++)
			v[7] += ss_app.workers[i].st.acq_drops;
		kv(o, "held", v[0]);
		kv(o, "released", v[1]);
		kv(o, "overflow", v[2]);
		kv(o, "no_queue", v[3]);
		kv(o, "expired", v[4]);
		kv(o, "flushed", v[5]);
		kv(o, "held_now", v[6]);
		kv(o, "acquire_ring_full", v[7]);
		kv(o, "in_held", v[8]);
		kv(o, "in_released", v[9]);
		kv(o, "in_dropped", v[10]);
	}
	memset(v, 0, sizeof(v));
	sec(o, "esp");
	{
		uint64_t esp[SS_SA_DROP_MAX] = { 0 };
		struct ss_esp_stats es;
		uint16_t s;

		for (s = 0; s < ss_app.cfg.nb_servers; s++) {
			if (ss_app.esp[s] == NULL)
				continue;
			ss_esp_server_stats(ss_app.esp[s], &es);
			v[0] += es.in_packets;
			v[1] += es.out_packets;
			v[2] += es.in_soft;
			for (d = 0; d < SS_SA_DROP_MAX; d++)
				esp[d] += es.drops[d];
		}
		kv(o, "decrypted", v[0]);
		kv(o, "encrypted", v[1]);
		kv(o, "inline_soft", v[2]);
		for (d = 0; d < SS_SA_DROP_MAX; d++)
			kv(o,
				ss_sa_drop_name(d), esp[d]);
	}
	sec(o, "steering");
	{
		struct ss_steer_stats t;
		unsigned int k;

		memset(&t, 0, sizeof(t));
		for (i = 0; i < ss_app.nb_workers; i++) {
			const struct ss_steer_stats *ws =
				&ss_app.workers[i].steer;

			for (k = 0; k < SS_STEER_KIND_MAX; k++)
				t.kind[k] += ws->kind[k];
			t.noid_gtpu += ws->noid_gtpu;
			t.noid_sctp += ws->noid_sctp;
			t.unknown_id += ws->unknown_id;
		}
		for (k = 0; k < SS_STEER_KIND_MAX; k++)
		{
			char name[40];

			snprintf(name, sizeof(name), "steer_%s",
				ss_steer_kind_name(k));
			kv(o, name, t.kind[k]);
		}
		kv(o, "noid_gtpu",
			t.noid_gtpu);
		kv(o, "noid_sctp",
			t.noid_sctp);
		kv(o, "unknown_id",
			t.unknown_id);
	}
	sec(o, "spd");
	{
		uint64_t hit = 0, miss = 0;

		for (i = 0; i < ss_app.nb_workers; i++) {
			uint64_t h, m;

			ss_spd_cache_stats(ss_app.workers[i].spd_cache, &h, &m);
			hit += h;
			miss += m;
		}
		kv(o, "cache_hit", hit);
		kv(o, "cache_miss", miss);
	}
	sec(o, "drops");
	for (d = 0; d < SS_NET_DROP_MAX; d++)
		kv(o,
			ss_net_drop_names[d], sum.drop[d]);
	sec_end(o);
}

static void
show_stats(struct cmdline *cl, bool json)
{
	struct kv_out o = { .cl = cl, .json = json };

	stats_emit(&o);
}

int
ss_shell_stats_tel(struct rte_tel_data *d)
{
	struct kv_out o = { .tel = d };

	rte_tel_data_start_dict(d);
	stats_emit(&o);
	return 0;
}

/* The configuration with the servers as they are now (server add/del
 * leave removed indexes in cfg.servers[]): dumped from a shallow copy. */
static void
show_config(FILE *f)
{
	struct ss_config *c = malloc(sizeof(*c));
	uint16_t s, n = 0;

	if (c == NULL) {
		ss_cfg_dump(&ss_app.cfg, f);
		return;
	}
	memcpy(c, &ss_app.cfg, sizeof(*c));
	for (s = 0; s < ss_app.cfg.nb_servers; s++)
		if (ss_app.srv_live[s])
			c->servers[n++] = ss_app.cfg.servers[s];
	c->nb_servers = n;
	ss_cfg_dump(c, f);
	free(c);
}

static void
cmd_show_parsed(void *parsed, struct cmdline *cl, void *data)
{
	struct cmd_show_result *r = parsed;
	const bool json = data == SS_SHELL_JSON;
	FILE *f;
	char *buf = NULL;
	size_t len = 0;

	if (strcmp(r->what, "config") == 0) {
		f = open_memstream(&buf, &len);
		if (f == NULL) {
			ss_shell_fail(cl, "out of memory");
			return;
		}
		show_config(f);
		fclose(f);
		/* cmdline_printf truncates long strings; the shell's output
		 * is stdout in every mode. */
		if (write(STDOUT_FILENO, buf, len) < 0)
			cmd_failed = 1;
		free(buf);
	} else if (strcmp(r->what, "lcores") == 0) {
		show_lcores(cl, json);
	} else if (strcmp(r->what, "stats") == 0) {
		show_stats(cl, json);
	}
}

static cmdline_parse_token_string_t cmd_show_show =
	TOKEN_STRING_INITIALIZER(struct cmd_show_result, show, "show");
static cmdline_parse_token_string_t cmd_show_what =
	TOKEN_STRING_INITIALIZER(struct cmd_show_result, what,
		"config#lcores#stats");
static cmdline_parse_token_string_t cmd_show_what_json =
	TOKEN_STRING_INITIALIZER(struct cmd_show_result, what,
		"lcores#stats");
static cmdline_parse_token_string_t cmd_show_json =
	TOKEN_STRING_INITIALIZER(struct cmd_show_result, json, "json");

static cmdline_parse_inst_t cmd_show = {
	.f = cmd_show_parsed,
	.data = NULL,
	.help_str = "show config|lcores|stats: effective configuration, "
		"lcore roles, per-reason counters",
	.tokens = {
		(void *)&cmd_show_show,
		(void *)&cmd_show_what,
		NULL,
	},
};

static cmdline_parse_inst_t cmd_show_j = {
	.f = cmd_show_parsed,
	.data = SS_SHELL_JSON,
	.help_str = "show lcores|stats json: the same as JSON",
	.tokens = {
		(void *)&cmd_show_show,
		(void *)&cmd_show_what_json,
		(void *)&cmd_show_json,
		NULL,
	},
};

/* ---- clear stats --------------------------------------------------- */

struct cmd_clear_result {
	cmdline_fixed_string_t clear;
	cmdline_fixed_string_t stats;
};

static void
cmd_clear_parsed(void *parsed, struct cmdline *cl, void *data)
{
	uint16_t i;

	RTE_SET_USED(parsed);
	RTE_SET_USED(data);
	/* Counters are written by their own lcore only; a clear racing with
	 * a worker can lose an increment, which is what every DPDK app's
	 * clear does too. */
	for (i = 0; i < ss_app.nb_workers; i++) {
		memset(&ss_app.workers[i].st, 0, sizeof(ss_app.workers[i].st));
		memset(&ss_app.workers[i].net, 0,
			sizeof(ss_app.workers[i].net));
	}
	memset(&ss_app.ctl, 0, sizeof(ss_app.ctl));
	memset(&ss_app.ctl_net, 0, sizeof(ss_app.ctl_net));
	memset(ss_app.srv, 0, sizeof(ss_app.srv));
	for (i = 0; i < SS_CFG_MAX_SERVERS; i++)
		if (ss_app.hold[i] != NULL) {
			ss_hold_stats_clear(ss_app.hold[i]);
			ss_hold_stats_clear(ss_app.hold_in[i]);
		}
	for (i = 0; i < ss_app.nb_ports; i++)
		rte_eth_stats_reset(ss_app.port_id[i]);
	for (i = 0; i < ss_app_macsec_nb_ports(); i++) {
		struct ss_app_msec_port *mp = ss_app_macsec_port((uint8_t)i);

		ss_macsec_stats_clear(mp->sy);
		ss_mka_stats_clear(mp->mka);
		mp->eapol_rx = mp->eapol_tx = mp->eapol_tx_drops = 0;
	}
	ss_app_lb_stats_clear(&ss_app);
	cmdline_printf(cl, "  all statistics cleared\n");
}

static cmdline_parse_token_string_t cmd_clear_clear =
	TOKEN_STRING_INITIALIZER(struct cmd_clear_result, clear, "clear");
static cmdline_parse_token_string_t cmd_clear_stats =
	TOKEN_STRING_INITIALIZER(struct cmd_clear_result, stats, "stats");

static cmdline_parse_inst_t cmd_clear = {
	.f = cmd_clear_parsed,
	.help_str = "clear stats: zero every software and NIC counter",
	.tokens = {
		(void *)&cmd_clear_clear,
		(void *)&cmd_clear_stats,
		NULL,
	},
};

/* ---- sleep (scripts) ----------------------------------------------- */

struct cmd_sleep_result {
	cmdline_fixed_string_t sleep;
	cmdline_fixed_string_t ms;
};

static uint64_t sleep_until;

static void
cmd_sleep_parsed(void *parsed, struct cmdline *cl, void *data)
{
	struct cmd_sleep_result *r = parsed;

	RTE_SET_USED(cl);
	RTE_SET_USED(data);
	/* The control loop keeps running while a script sleeps. */
	sleep_until = rte_get_timer_cycles() +
		rte_get_timer_hz() * strtoul(r->ms, NULL, 10) / 1000;
}

static cmdline_parse_token_string_t cmd_sleep_sleep =
	TOKEN_STRING_INITIALIZER(struct cmd_sleep_result, sleep, "sleep");
static int
check_ms(const char *word, char *err, size_t len, const void *arg)
{
	unsigned long v;
	char *end;

	RTE_SET_USED(arg);
	errno = 0;
	v = strtoul(word, &end, 10);
	if (word[0] < '0' || word[0] > '9' || *end != '\0' || errno != 0 ||
			v > 3600 * 1000) {
		snprintf(err, len, "bad duration '%s' (milliseconds, "
			"0..3600000)", word);
		return -EINVAL;
	}
	return 0;
}

static struct ss_shell_token_choice cmd_sleep_ms =
	SS_SHELL_TOKEN_CHOICE(struct cmd_sleep_result, ms, "duration",
		"durations", NULL, NULL, check_ms, NULL);

static cmdline_parse_inst_t cmd_sleep = {
	.f = cmd_sleep_parsed,
	.help_str = "sleep <ms>: pause a script while the gateway runs",
	.tokens = {
		(void *)&cmd_sleep_sleep,
		(void *)&cmd_sleep_ms,
		NULL,
	},
};

/* ---- quit ---------------------------------------------------------- */

struct cmd_quit_result {
	cmdline_fixed_string_t quit;
};

static void
cmd_quit_parsed(void *parsed, struct cmdline *cl, void *data)
{
	RTE_SET_USED(parsed);
	RTE_SET_USED(data);
	ss_app.quit = true;
	cmdline_quit(cl);
}

static cmdline_parse_token_string_t cmd_quit_quit =
	TOKEN_STRING_INITIALIZER(struct cmd_quit_result, quit, "quit");

static cmdline_parse_inst_t cmd_quit = {
	.f = cmd_quit_parsed,
	.help_str = "quit: stop the ports and exit",
	.tokens = {
		(void *)&cmd_quit_quit,
		NULL,
	},
};

/* ---- command groups, help ------------------------------------------ */

static cmdline_parse_inst_t cmd_help_all;
static cmdline_parse_inst_t cmd_help_one;

static cmdline_parse_inst_t *const cmds_ports[] = {
	&cmd_port_stats,
	&cmd_port_stats_j,
	&cmd_port_info,
	&cmd_port_info_j,
	NULL,
};

static const struct ss_shell_help help_ports[] = {
	{ "show port stats all|<port> [json]", "NIC counters (port id or "
		"name)" },
	{ "clear port stats all|<port>", "zero NIC counters" },
	{ "show port info <port> [json]", "driver, MAC, link, MTU, queues, "
		"addresses" },
	{ NULL, NULL },
};

static cmdline_parse_inst_t *const cmds_system[] = {
	&cmd_help_all,
	&cmd_help_one,
	&cmd_show,
	&cmd_show_j,
	&cmd_clear,
	&cmd_sleep,
	&cmd_quit,
	NULL,
};

static const struct ss_shell_help help_system[] = {
	{ "show config", "effective configuration (never keys)" },
	{ "show lcores [json]", "lcore roles, servers, rx/tx, busy%" },
	{ "show stats [json]", "every counter, drops by reason" },
	{ "clear stats", "zero every counter" },
	{ "sleep <ms>", "pause a command script while the gateway runs" },
	{ "help [<group>]", "the groups, or the commands of one group" },
	{ "quit", "stop the ports and exit" },
	{ NULL, NULL },
};

/* Every command file's commands and their help group, in the order
 * 'help' lists them. A new command file adds one line here. */
static const struct shell_group {
	const char *name;
	const char *what;
	cmdline_parse_inst_t *const *cmds;
	const struct ss_shell_help *help;
} groups[] = {
	{ "ports", "port statistics and information", cmds_ports,
		help_ports },
	{ "l3", "neighbours and routes", ss_cmd_l3, ss_help_l3 },
	{ "ipsec", "SAs, servers, policies", ss_cmd_ipsec, ss_help_ipsec },
	{ "servers", "add and remove servers at run time", ss_cmd_server,
		ss_help_server },
	{ "hold", "packets held while their SA is negotiated", ss_cmd_hold,
		ss_help_hold },
	{ "macsec", "MACsec ports and their MKA key agreement",
		ss_cmd_macsec, ss_help_macsec },
	{ "lb", "load balancer role: VIPs forwarded to their backends",
		ss_cmd_lb, ss_help_lb },
#ifdef SS_HAVE_IKE
	{ "ike", "IKEv2 peers, IKE and Child SAs", ss_cmd_ike, ss_help_ike },
#endif
	{ "log", "log levels of the libraries", ss_cmd_log, ss_help_log },
	{ "gen", "traffic generator and latency", ss_cmd_gen, ss_help_gen },
	{ "runtime", "cycles per packet of each worker stage",
		ss_cmd_runtime, ss_help_runtime },
	{ "system", "configuration, lcores, counters, scripts", cmds_system,
		help_system },
};

struct cmd_help_result {
	cmdline_fixed_string_t help;
	cmdline_fixed_string_t group;
};

static void
help_print(struct cmdline *cl, const struct shell_group *g)
{
	unsigned int i;

	cmdline_printf(cl, "\n%s: %s\n", g->name, g->what);
	for (i = 0; g->help[i].cmd != NULL; i++)
		cmdline_printf(cl, "  %-36s %s\n", g->help[i].cmd,
			g->help[i].what);
}

static void
cmd_help_parsed(void *parsed, struct cmdline *cl, void *data)
{
	struct cmd_help_result *r = parsed;
	unsigned int i;

	for (i = 0; i < RTE_DIM(groups); i++) {
		if (data == NULL && strcmp(r->group, groups[i].name) != 0)
			continue;
		help_print(cl, &groups[i]);
	}
	if (data != NULL)
		cmdline_printf(cl, "\nTAB completes every word; up/down "
			"arrows recall earlier lines.\n");
}

static int
list_groups(unsigned int idx, char *buf, size_t len, const void *arg)
{
	RTE_SET_USED(arg);
	if (idx >= RTE_DIM(groups))
		return -ENOENT;
	snprintf(buf, len, "%s", groups[idx].name);
	return 0;
}

static cmdline_parse_token_string_t cmd_help_help =
	TOKEN_STRING_INITIALIZER(struct cmd_help_result, help, "help");
static struct ss_shell_token_choice cmd_help_group =
	SS_SHELL_TOKEN_CHOICE(struct cmd_help_result, group, "group",
		"groups", NULL, list_groups, NULL, NULL);

static cmdline_parse_inst_t cmd_help_all = {
	.f = cmd_help_parsed,
	.data = (void *)1,
	.help_str = "help: list every command group",
	.tokens = {
		(void *)&cmd_help_help,
		NULL,
	},
};

static cmdline_parse_inst_t cmd_help_one = {
	.f = cmd_help_parsed,
	.data = NULL,
	.help_str = "help <group>: the commands of one group",
	.tokens = {
		(void *)&cmd_help_help,
		(void *)&cmd_help_group,
		NULL,
	},
};

/* The commands of every group, gathered once. */
static cmdline_parse_ctx_t main_ctx[160];

static void
ctx_init(void)
{
	unsigned int n = 0, g, i;

	if (main_ctx[0] != NULL)
		return;
	for (g = 0; g < RTE_DIM(groups); g++)
		for (i = 0; groups[g].cmds[i] != NULL; i++) {
			RTE_VERIFY(n < RTE_DIM(main_ctx) - 1);
			main_ctx[n++] = groups[g].cmds[i];
		}
	main_ctx[n] = NULL;
}

/* ---- running commands ---------------------------------------------- */

/* A word that no command's token accepted, with the reason its token
 * gave: "show port info: no port 7 (ports: 0,1,inside,outside)". */
static void
token_error_print(struct cmdline *cl, const char *line, const char *msg,
	const char *pos)
{
	size_t n;

	if (pos == NULL || pos < line || pos > line + strlen(line)) {
		cmdline_printf(cl, "error: %s\n", msg);
		return;
	}
	n = pos - line;
	while (n > 0 && (line[n - 1] == ' ' || line[n - 1] == '\t'))
		n--;
	cmdline_printf(cl, "error: %.*s: %s\n", (int)n, line, msg);
}

/* No command took the whole line and no token said why: find the
 * commands that matched most words and say what they expected next.
 * "show stats now" -> "show stats: unexpected 'now' (expected: json or
 * end of line)". */
#define EXPLAIN_WORDS 16

static void
explain_add(char *exp, size_t len, const char *what)
{
	size_t off = strlen(exp);
	const char *p = exp;
	size_t wl = strlen(what);

	/* each alternative once */
	while ((p = strstr(p, what)) != NULL) {
		if ((p == exp || p[-1] == '|') && (p[wl] == '|' ||
				p[wl] == '\0'))
			return;
		p += wl;
	}
	snprintf(exp + off, len - off, "%s%s", off ? "|" : "", what);
}

static void
explain(struct cmdline *cl, const char *line)
{
	const char *w[EXPLAIN_WORDS + 1];
	unsigned int nw = 0, best = 0, pass, k, i;
	char exp[256] = "", elt[128];
	const char *p = line;

	while (nw < EXPLAIN_WORDS) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\0' || *p == '\n' || *p == '\r' || *p == '#')
			break;
		w[nw++] = p;
		while (!cmdline_isendoftoken(*p))
			p++;
	}
	/* pass 0: how far the best command gets; pass 1: what it wants */
	for (pass = 0; pass < 2; pass++) {
		for (i = 0; main_ctx[i] != NULL; i++) {
			cmdline_parse_inst_t *inst = main_ctx[i];
			cmdline_parse_token_hdr_t *t = NULL;

			if (inst->tokens[0] == NULL)
				continue;	/* tokens made by f() */
			for (k = 0; k < nw; k++) {
				t = inst->tokens[k];
				if (t == NULL || t->ops->parse(t, w[k], NULL,
						0) < 0)
					break;
			}
			if (pass == 0) {
				best = RTE_MAX(best, k);
				continue;
			}
			if (k != best)
				continue;
			t = inst->tokens[k];
			if (t == NULL) {
				explain_add(exp, sizeof(exp), "end of line");
			} else if (t->ops->complete_get_nb != NULL &&
					t->ops->complete_get_nb(t) > 0) {
				int n = t->ops->complete_get_nb(t), e;

				for (e = 0; e < n; e++)
					if (t->ops->complete_get_elt(t, e, elt,
							sizeof(elt)) == 0)
						explain_add(exp, sizeof(exp),
							elt);
			} else if (t->ops->get_help != NULL &&
					t->ops->get_help(t, elt,
						sizeof(elt)) == 0) {
				explain_add(exp, sizeof(exp), elt);
			}
		}
	}
	ss_shell_token_error_reset();
	if (best == 0) {
		cmdline_printf(cl, "error: unknown command (try 'help')\n");
		return;
	}
	k = (unsigned int)((best < nw ? w[best] : p) - line);
	while (k > 0 && (line[k - 1] == ' ' || line[k - 1] == '\t'))
		k--;
	if (best < nw)
		cmdline_printf(cl, "error: %.*s: unexpected '%.*s' (expected: "
			"%s)\n", (int)k, line,
			(int)(strcspn(w[best], " \t\r\n#")), w[best], exp);
	else
		cmdline_printf(cl, "error: %.*s: missing argument (expected: "
			"%s)\n", (int)k, line, exp);
}

/* Run one line; returns 0 when it succeeded. */
static int
shell_exec(struct cmdline *cl, const char *line)
{
	const char *msg, *pos = NULL;
	int ret;

	/* an empty line or a comment does nothing */
	line += strspn(line, " \t");
	if (*line == '\0' || *line == '\n' || *line == '\r' || *line == '#')
		return 0;
	cmd_failed = 0;
	ss_shell_token_error_reset();
	ret = cmdline_parse(cl, line);
	/* On success cmdline_parse() returns the length it consumed. */
	if (ret >= 0)
		return cmd_failed ? -1 : 0;
	msg = ss_shell_token_error(&pos);
	if (msg != NULL && ret != CMDLINE_PARSE_AMBIGUOUS) {
		token_error_print(cl, line, msg, pos);
		return -1;
	}
	if (ret == CMDLINE_PARSE_AMBIGUOUS)
		cmdline_printf(cl, "error: ambiguous command\n");
	else
		explain(cl, line);
	return -1;
}

struct ss_shell {
	struct cmdline *cl;
	struct rdline *rdl;	/* interactive line editor */
	bool tty;
	/* script state */
	FILE *script;
	const char *script_name;
	unsigned int line_no;
	unsigned int errors;
};

static struct ss_shell script_shell;

int
ss_shell_script_open(struct ss_app *app, const char *path)
{
	struct ss_shell *sh = &script_shell;

	RTE_SET_USED(app);
	sh->script = fopen(path, "r");
	if (sh->script == NULL) {
		fprintf(stderr, "shardsec: cannot open command file %s: %s\n",
			path, strerror(errno));
		return -errno;
	}
	sh->script_name = path;
	ctx_init();
	/* cmdline_new prints its prompt at once: a script's lines are
	 * echoed after the prompt as they run instead (see below) */
	sh->cl = cmdline_new(main_ctx, "", -1, STDOUT_FILENO);
	if (sh->cl == NULL) {
		fclose(sh->script);
		sh->script = NULL;
		return -ENOMEM;
	}
	return 0;
}

/* One line of the script per call, so that the control loop keeps
 * running between commands (and during 'sleep'). Returns false at the
 * end of the script. */
bool
ss_shell_script_step(struct ss_app *app)
{
	struct ss_shell *sh = &script_shell;
	char line[1024];
	size_t len;

	if (sh->script == NULL)
		return false;
	if (sleep_until != 0) {
		if (rte_get_timer_cycles() < sleep_until)
			return true;
		sleep_until = 0;
	}
	/* room for the newline put back below */
	if (app->quit || fgets(line, sizeof(line) - 1, sh->script) == NULL) {
		fclose(sh->script);
		sh->script = NULL;
		cmdline_free(sh->cl);
		sh->cl = NULL;
		return false;
	}
	sh->line_no++;
	len = strlen(line);
	if (len == sizeof(line) - 2 && line[len - 1] != '\n' &&
			!feof(sh->script)) {
		int c;

		/* refused whole: its tail must not run as a command */
		while ((c = fgetc(sh->script)) != EOF && c != '\n')
			;
		sh->errors++;
		app->exit_status = 1;
		printf("%s:%u: line longer than %zu characters: not run\n",
			sh->script_name, sh->line_no, sizeof(line) - 3);
		fflush(stdout);
		return true;
	}
	while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		line[--len] = '\0';
	if (len == 0 || line[0] == '#')
		return true;
	printf(PROMPT "%s\n", line);
	fflush(stdout);
	strcat(line, "\n");
	if (shell_exec(sh->cl, line) != 0) {
		/* even when a later 'quit' ends the script early */
		sh->errors++;
		app->exit_status = 1;
		printf("%s:%u: command failed\n", sh->script_name,
			sh->line_no);
	}
	fflush(stdout);
	return true;
}

unsigned int
ss_shell_script_errors(void)
{
	return script_shell.errors;
}

/* The interactive shell: rte_cmdline for the terminal (raw mode on a
 * tty) and the parser, and our own rdline for the line editor so that a
 * validated line runs through shell_exec() (precise errors) while rdline
 * still gives echo, cursor keys, history and TAB completion. */
static struct ss_shell *live_shell;

static int
rdl_write_char(struct rdline *rdl, char c)
{
	RTE_SET_USED(rdl);
	return write(STDOUT_FILENO, &c, 1) == 1 ? 0 : -1;
}

static void
rdl_validate(struct rdline *rdl, const char *buf, unsigned int size)
{
	RTE_SET_USED(rdl);
	RTE_SET_USED(size);
	if (live_shell != NULL)
		shell_exec(live_shell->cl, buf);
}

static int
rdl_complete(struct rdline *rdl, const char *buf, char *dst,
	unsigned int dstsize, int *state)
{
	RTE_SET_USED(rdl);
	if (live_shell == NULL)
		return -1;
	return cmdline_complete(live_shell->cl, buf, state, dst, dstsize);
}

void *
ss_shell_start(struct ss_app *app)
{
	struct ss_shell *sh;

	RTE_SET_USED(app);
	sh = calloc(1, sizeof(*sh));
	if (sh == NULL)
		return NULL;
	sh->tty = isatty(STDIN_FILENO) == 1;
	ctx_init();
	/* cmdline's own prompt stays empty: ours comes from sh->rdl */
	if (sh->tty) {
		/* Raw terminal; cmdline_stdin_exit() restores it. */
		sh->cl = cmdline_stdin_new(main_ctx, "");
	} else {
		/* A pipe (tests, expect-style scripts): no terminal modes,
		 * but the same editor, parser and output. */
		sh->cl = cmdline_new(main_ctx, "", STDIN_FILENO,
			STDOUT_FILENO);
	}
	if (sh->cl == NULL) {
		free(sh);
		return NULL;
	}
	sh->rdl = rdline_new(rdl_write_char, rdl_validate, rdl_complete, sh);
	if (sh->rdl == NULL) {
		ss_shell_stop(sh);
		return NULL;
	}
	live_shell = sh;
	rdline_newline(sh->rdl, PROMPT);
	return sh;
}

/* Feed what the terminal sent to the line editor; false at EOF or when
 * the editor stopped. */
static bool
shell_in(struct ss_shell *sh, const char *buf, ssize_t n)
{
	ssize_t i;
	int ret;

	for (i = 0; i < n && !ss_app.quit; i++) {
		ret = rdline_char_in(sh->rdl, buf[i]);
		if (ret == RDLINE_RES_VALIDATED) {
			rdline_add_history(sh->rdl, rdline_get_buffer(sh->rdl));
			if (!ss_app.quit)
				rdline_newline(sh->rdl, PROMPT);
		} else if (ret == RDLINE_RES_EOF || ret == RDLINE_RES_EXITED) {
			return false;
		}
	}
	return true;
}

/* Read what is there ourselves (cmdline_poll() reads one byte per call
 * and, on a pipe that reached EOF, feeds 0xff forever); stop at EOF. */
bool
ss_shell_poll(void *arg)
{
	struct ss_shell *sh = arg;
	struct pollfd pfd = { .fd = STDIN_FILENO, .events = POLLIN };
	char buf[256];
	ssize_t n;

	if (sh == NULL)
		return true;
	if (poll(&pfd, 1, 0) <= 0)
		return true;
	n = read(STDIN_FILENO, buf, sizeof(buf));
	if (n <= 0)
		return false;
	return shell_in(sh, buf, n);
}

void
ss_shell_stop(void *arg)
{
	struct ss_shell *sh = arg;

	if (sh == NULL)
		return;
	if (live_shell == sh)
		live_shell = NULL;
	if (sh->rdl != NULL)
		rdline_free(sh->rdl);
	if (sh->tty)
		cmdline_stdin_exit(sh->cl);
	else
		cmdline_free(sh->cl);
	free(sh);
}
