/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 shardsec authors
 */

/* Shell commands of the load balancer role: show lb [json] (VIPs, lb
 * port, per backend its instance-id, MAC, state and what it was sent, by
 * how the backend was chosen; health checks; connection tracking;
 * totals; drops), lb backend add|del|enable|disable|weight and lb
 * conntrack flush|idle. */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmdline.h>
#include <cmdline_parse.h>
#include <cmdline_parse_num.h>
#include <cmdline_parse_string.h>
#include <rte_cycles.h>

#include "ss_app.h"
#include "ss_app_lb.h"
#include "ss_shell.h"

static uint64_t
ms_since(uint64_t t, uint64_t now)
{
	return t == 0 || now < t ? 0 : (now - t) * 1000 / rte_get_timer_hz();
}

static void
show_lb(struct cmdline *cl, bool json)
{
	const struct ss_app_lb_cfg *c = &ss_app_lb_cfg;
	const struct ss_app_lb *lb = ss_app.lb;
	const uint64_t now = rte_get_timer_cycles();
	struct ss_lb_wstats *sum;
	struct ss_lb_bstats tot;
	char buf[INET6_ADDRSTRLEN + 4];
	unsigned int i, k;

	if (lb == NULL) {
		cmdline_printf(cl, json ? "{\"enabled\": false}\n" :
			"no load balancer (section 'lb')\n");
		return;
	}
	/* 256 ids: off the stack; cache-line aligned as its type says
	 * (the compiler uses aligned vector stores on it) */
	sum = aligned_alloc(RTE_CACHE_LINE_SIZE, sizeof(*sum));
	if (sum == NULL) {
		ss_shell_fail(cl, "out of memory");
		return;
	}
	ss_app_lb_stats_sum(&ss_app, sum);
	/* totals over every id: removed backends' packets stay counted */
	memset(&tot, 0, sizeof(tot));
	for (i = 0; i < SS_LB_MAX_IDS; i++) {
		tot.pkts += sum->b[i].pkts;
		tot.bytes += sum->b[i].bytes;
		tot.down += sum->b[i].down;
		for (k = 0; k < SS_LB_KIND_MAX; k++)
			tot.kind[k] += sum->b[i].kind[k];
	}
	if (json) {
		cmdline_printf(cl, "{\"enabled\": true, \"vips\": [");
		for (i = 0; i < c->nb_vips; i++)
			cmdline_printf(cl, "%s\"%s\"", i != 0 ? ", " : "",
				ss_ipaddr_str(&c->vips[i], buf, sizeof(buf)));
		cmdline_printf(cl, "], \"port\": \"%s\", \"ike_backend\": %u, "
			"\"health_ms\": %u, \"health_fall\": %u, "
			"\"health_rise\": %u, \"tables\": %" PRIu64 ", "
			"\"backends\": [", ss_app.cfg.ports[c->port].name,
			lb->ike_id, c->health_ms, c->health_fall,
			c->health_rise, lb->tables);
		for (i = 0; i <= lb->nb_be; i++) {
			const struct ss_lb_be *e = &lb->be[i];
			const struct ss_lb_bstats *b = i < lb->nb_be ?
				&sum->b[e->id] : &tot;

			if (i < lb->nb_be) {
				cmdline_printf(cl, "%s\n {\"id\": %u, \"mac\": \""
					RTE_ETHER_ADDR_PRT_FMT "\", \"state\": "
					"\"%s\", \"weight\": %u, \"checked\": "
					"%s, ", i != 0 ? "," : "", e->id,
					RTE_ETHER_ADDR_BYTES(&e->mac),
					ss_app_lb_state_name(e), e->weight,
					e->ip.family != 0 ? "true" : "false");
				if (e->ip.family != 0)
					cmdline_printf(cl, "\"ip\": \"%s\", "
						"\"probes\": %" PRIu64 ", "
						"\"answers\": %" PRIu64 ", "
						"\"misses_in_row\": %u, "
						"\"downs\": %" PRIu64 ", "
						"\"mac_mismatch\": %" PRIu64
						", \"last_answer_ms\": %"
						PRIu64 ", ", ss_ipaddr_str(
						&e->ip, buf, sizeof(buf)),
						e->probes, e->answers, e->fails,
						e->downs, e->mac_mismatch,
						ms_since(e->last_ok, now));
				cmdline_printf(cl, "\"state_ms\": %" PRIu64 ", ",
					ms_since(e->since, now));
			} else {
				cmdline_printf(cl, "],\n \"totals\": {");
			}
			cmdline_printf(cl, "\"packets\": %" PRIu64 ", "
				"\"bytes\": %" PRIu64 ", \"down\": %" PRIu64
				", \"kinds\": {", b->pkts, b->bytes, b->down);
			for (k = 0; k < SS_LB_KIND_MAX; k++)
				cmdline_printf(cl, "%s\"%s\": %" PRIu64,
					k != 0 ? ", " : "",
					ss_app_lb_kind_name(k), b->kind[k]);
			cmdline_printf(cl, "}}");
		}
		cmdline_printf(cl, ",\n \"conntrack\": {\"on\": %s, "
			"\"max_per_worker\": %u, \"idle_s\": %u, \"flushes\": "
			"%u, \"entries\": %" PRIu64 ", \"added\": %" PRIu64
			", \"kept\": %" PRIu64 ", \"moved\": %" PRIu64 ", "
			"\"expired\": %" PRIu64 ", \"full\": %" PRIu64 ", "
			"\"untracked\": %" PRIu64 "}",
			c->conn_max != 0 ? "true" : "false", c->conn_max,
			lb->ct_idle_s, lb->ct_epoch, sum->ct.entries,
			sum->ct.added, sum->ct.kept, sum->ct.moved,
			sum->ct.expired, sum->ct.full, sum->untracked);
		cmdline_printf(cl, ",\n \"fragments\": {\"in\": %" PRIu64
			", \"reassembled\": %" PRIu64 ", \"above_mtu\": %"
			PRIu64 ", \"datagrams\": %" PRIu64 ", \"sent\": %"
			PRIu64 ", \"icmp_too_big\": %" PRIu64 ", \"dropped\": %"
			PRIu64 ", \"reasm_dropped\": %" PRIu64
			", \"reasm_too_big\": %" PRIu64 ", \"ext_kept\": %"
			PRIu64 ", \"ext_evicted\": %" PRIu64 "}", sum->frag,
			lb->fst.reasm.done, sum->big, lb->fst.datagrams,
			lb->fst.sent, lb->fst.too_big, lb->fst.dropped,
			lb->fst.reasm.dropped, lb->fst.reasm.too_big,
			lb->fst.ext_kept, lb->fst.ext_evicted);
		cmdline_printf(cl, ",\n \"unknown_id\": %" PRIu64 ", \"bad\": %"
			PRIu64 "}\n", sum->unknown_id, sum->bad);
		free(sum);
		return;
	}
	cmdline_printf(cl, "  VIPs:");
	for (i = 0; i < c->nb_vips; i++)
		cmdline_printf(cl, " %s", ss_ipaddr_str(&c->vips[i], buf,
			sizeof(buf)));
	cmdline_printf(cl, "\n  port: %s   ike_backend: %u   health checks: ",
		ss_app.cfg.ports[c->port].name, lb->ike_id);
	if (c->health_ms != 0)
		cmdline_printf(cl, "every %u ms, down after %u missed, up "
			"after %u answered\n", c->health_ms, c->health_fall,
			c->health_rise);
	else
		cmdline_printf(cl, "off\n");
	cmdline_printf(cl, "  %-5s %-17s %-8s %6s %12s %14s %8s", "id",
		"mac", "state", "weight", "packets", "bytes", "down");
	for (k = 0; k < SS_LB_KIND_MAX; k++)
		cmdline_printf(cl, " %10s", ss_app_lb_kind_name(k));
	cmdline_printf(cl, "\n");
	for (i = 0; i <= lb->nb_be; i++) {
		const struct ss_lb_be *e = &lb->be[i];
		const struct ss_lb_bstats *b = i < lb->nb_be ?
			&sum->b[e->id] : &tot;

		if (i < lb->nb_be)
			cmdline_printf(cl, "  %-5u " RTE_ETHER_ADDR_PRT_FMT
				" %-8s %6u", e->id, RTE_ETHER_ADDR_BYTES(&e->mac),
				ss_app_lb_state_name(e), e->weight);
		else
			cmdline_printf(cl, "  %-5s %-17s %-8s %6s", "total", "",
				"", "");
		cmdline_printf(cl, " %12" PRIu64 " %14" PRIu64 " %8" PRIu64,
			b->pkts, b->bytes, b->down);
		for (k = 0; k < SS_LB_KIND_MAX; k++)
			cmdline_printf(cl, " %10" PRIu64, b->kind[k]);
		cmdline_printf(cl, "\n");
	}
	for (i = 0; i < lb->nb_be; i++) {
		const struct ss_lb_be *e = &lb->be[i];

		if (e->ip.family == 0)
			continue;
		cmdline_printf(cl, "  check %u %s: %" PRIu64 " probes, %" PRIu64
			" answered, last %" PRIu64 " ms ago, %u missed in a "
			"row, down %" PRIu64 " time(s), wrong MAC %" PRIu64
			"\n", e->id, ss_ipaddr_str(&e->ip, buf, sizeof(buf)),
			e->probes, e->answers, ms_since(e->last_ok, now),
			e->fails, e->downs, e->mac_mismatch);
	}
	if (c->conn_max != 0)
		cmdline_printf(cl, "  conntrack: %" PRIu64 " flows (at most %u "
			"per worker), idle %u s, %u flush(es); added %" PRIu64
			", kept %" PRIu64 ", moved %" PRIu64 ", expired %"
			PRIu64 ", full %" PRIu64 ", untracked %" PRIu64 "\n",
			sum->ct.entries, c->conn_max, lb->ct_idle_s,
			lb->ct_epoch, sum->ct.added, sum->ct.kept,
			sum->ct.moved, sum->ct.expired, sum->ct.full,
			sum->untracked);
	else
		cmdline_printf(cl, "  conntrack: off (conn_max 0)\n");
	cmdline_printf(cl, "  fragments: %" PRIu64 " in, %" PRIu64
		" datagrams whole again; %" PRIu64 " above the port's MTU (%u)"
		"; %" PRIu64 " to a backend in %" PRIu64 " frame(s), %" PRIu64
		" answered ICMP too big, %" PRIu64 " not sent; reassembly "
		"dropped %" PRIu64 " (timed out, overlapping, ...), too long "
		"%" PRIu64 "; IPv6 headers in front of the fragment header "
		"put back %" PRIu64 ", let go %" PRIu64 "\n", sum->frag,
		lb->fst.reasm.done, sum->big, lb->mtu, lb->fst.datagrams,
		lb->fst.sent, lb->fst.too_big, lb->fst.dropped,
		lb->fst.reasm.dropped, lb->fst.reasm.too_big,
		lb->fst.ext_kept, lb->fst.ext_evicted);
	cmdline_printf(cl, "  unknown_id %" PRIu64 "   bad %" PRIu64 "\n",
		sum->unknown_id, sum->bad);
	free(sum);
}

struct cmd_show_result {
	cmdline_fixed_string_t show;
	cmdline_fixed_string_t what;
	cmdline_fixed_string_t json;
};

static void
cmd_show_parsed(void *parsed, struct cmdline *cl, void *data)
{
	RTE_SET_USED(parsed);
	show_lb(cl, data == SS_SHELL_JSON);
}

static cmdline_parse_token_string_t cmd_show_show =
	TOKEN_STRING_INITIALIZER(struct cmd_show_result, show, "show");
static cmdline_parse_token_string_t cmd_show_what =
	TOKEN_STRING_INITIALIZER(struct cmd_show_result, what, "lb");
static cmdline_parse_token_string_t cmd_show_json =
	TOKEN_STRING_INITIALIZER(struct cmd_show_result, json, "json");

static cmdline_parse_inst_t cmd_show = {
	.f = cmd_show_parsed,
	.data = NULL,
	.help_str = "show lb: load balancer VIPs, backends and counters",
	.tokens = {
		(void *)&cmd_show_show,
		(void *)&cmd_show_what,
		NULL,
	},
};

static cmdline_parse_inst_t cmd_show_j = {
	.f = cmd_show_parsed,
	.data = SS_SHELL_JSON,
	.help_str = "show lb json: the same as JSON",
	.tokens = {
		(void *)&cmd_show_show,
		(void *)&cmd_show_what,
		(void *)&cmd_show_json,
		NULL,
	},
};

/* ---- lb backend add|del|enable|disable --------------------------------- */

struct cmd_lbb_result {
	cmdline_fixed_string_t lb;
	cmdline_fixed_string_t backend;
	cmdline_fixed_string_t verb;
	uint16_t id;
	cmdline_fixed_string_t mac;
	cmdline_fixed_string_t ip;
	uint16_t weight;
};

static const char *
lbb_why(int ret)
{
	switch (ret) {
	case -ENOENT:
		return ss_app.lb == NULL ? "no load balancer (section 'lb')" :
			"no such backend (see show lb)";
	case -EEXIST:
		return "that instance-id is already a backend";
	case -ENOSPC:
		return "64 backends already";
	case -ERANGE:
		return "a weight is 0 to 1000";
	case -EBUSY:
		return "it is the ike_backend";
	case -EINVAL:
		return "instance-id too large for instance_bits, MAC not "
			"unicast, or an IPv4 address the lb port cannot ask "
			"(it has none)";
	default:
		return strerror(-ret);
	}
}

static void
cmd_lbb_parsed(void *parsed, struct cmdline *cl, void *data)
{
	const struct cmd_lbb_result *r = parsed;
	struct rte_ether_addr mac;
	struct ss_ipaddr ip;
	int ret;

	if (strcmp(r->verb, "add") == 0) {
		if (rte_ether_unformat_addr(r->mac, &mac) < 0) {
			ss_shell_fail(cl, "malformed MAC '%s'", r->mac);
			return;
		}
		memset(&ip, 0, sizeof(ip));
		if (data != NULL && ss_ipaddr_parse(r->ip, &ip) < 0) {
			ss_shell_fail(cl, "malformed IP address '%s'", r->ip);
			return;
		}
		ret = ss_app_lb_backend_add(&ss_app, r->id, &mac,
			data != NULL ? &ip : NULL);
	} else if (strcmp(r->verb, "del") == 0) {
		ret = ss_app_lb_backend_del(&ss_app, r->id);
	} else if (strcmp(r->verb, "weight") == 0) {
		ret = ss_app_lb_backend_weight(&ss_app, r->id, r->weight);
	} else {
		ret = ss_app_lb_backend_enable(&ss_app, r->id,
			strcmp(r->verb, "enable") == 0);
	}
	if (ret < 0) {
		ss_shell_fail(cl, "lb backend %s %u: %s", r->verb, r->id,
			lbb_why(ret));
		return;
	}
	if (strcmp(r->verb, "weight") == 0) {
		cmdline_printf(cl, "lb backend %u: weight %u\n", r->id,
			r->weight);
		return;
	}
	cmdline_printf(cl, "lb backend %u: %s\n", r->id,
		strcmp(r->verb, "add") == 0 ? "added" :
		strcmp(r->verb, "del") == 0 ? "removed" :
		strcmp(r->verb, "enable") == 0 ? "enabled" : "disabled");
}

static cmdline_parse_token_string_t cmd_lbb_lb =
	TOKEN_STRING_INITIALIZER(struct cmd_lbb_result, lb, "lb");
static cmdline_parse_token_string_t cmd_lbb_backend =
	TOKEN_STRING_INITIALIZER(struct cmd_lbb_result, backend, "backend");
static cmdline_parse_token_string_t cmd_lbb_add =
	TOKEN_STRING_INITIALIZER(struct cmd_lbb_result, verb, "add");
static cmdline_parse_token_string_t cmd_lbb_other =
	TOKEN_STRING_INITIALIZER(struct cmd_lbb_result, verb,
		"del#enable#disable");
static cmdline_parse_token_num_t cmd_lbb_id =
	TOKEN_NUM_INITIALIZER(struct cmd_lbb_result, id, RTE_UINT16);
static cmdline_parse_token_string_t cmd_lbb_mac =
	TOKEN_STRING_INITIALIZER(struct cmd_lbb_result, mac, NULL);
static cmdline_parse_token_string_t cmd_lbb_ip =
	TOKEN_STRING_INITIALIZER(struct cmd_lbb_result, ip, NULL);

static cmdline_parse_token_string_t cmd_lbb_weight =
	TOKEN_STRING_INITIALIZER(struct cmd_lbb_result, verb, "weight");
static cmdline_parse_token_num_t cmd_lbb_w =
	TOKEN_NUM_INITIALIZER(struct cmd_lbb_result, weight, RTE_UINT16);

static cmdline_parse_inst_t cmd_lbb_weight_id = {
	.f = cmd_lbb_parsed,
	.data = NULL,
	.help_str = "lb backend weight <id> <0..1000>: its share of the "
		"hashed traffic (0: none, it keeps its own ids: a drain)",
	.tokens = {
		(void *)&cmd_lbb_lb,
		(void *)&cmd_lbb_backend,
		(void *)&cmd_lbb_weight,
		(void *)&cmd_lbb_id,
		(void *)&cmd_lbb_w,
		NULL,
	},
};

static cmdline_parse_inst_t cmd_lbb_add_mac = {
	.f = cmd_lbb_parsed,
	.data = NULL,
	.help_str = "lb backend add <id> <mac>: a backend that is not "
		"health-checked",
	.tokens = {
		(void *)&cmd_lbb_lb,
		(void *)&cmd_lbb_backend,
		(void *)&cmd_lbb_add,
		(void *)&cmd_lbb_id,
		(void *)&cmd_lbb_mac,
		NULL,
	},
};

static cmdline_parse_inst_t cmd_lbb_add_ip = {
	.f = cmd_lbb_parsed,
	.data = (void *)1,
	.help_str = "lb backend add <id> <mac> <ip>: a backend, "
		"health-checked at ip (ARP / neighbour solicitation)",
	.tokens = {
		(void *)&cmd_lbb_lb,
		(void *)&cmd_lbb_backend,
		(void *)&cmd_lbb_add,
		(void *)&cmd_lbb_id,
		(void *)&cmd_lbb_mac,
		(void *)&cmd_lbb_ip,
		NULL,
	},
};

static cmdline_parse_inst_t cmd_lbb_other_id = {
	.f = cmd_lbb_parsed,
	.data = NULL,
	.help_str = "lb backend del|enable|disable <id>: remove a backend, "
		"or take it out of / back into service",
	.tokens = {
		(void *)&cmd_lbb_lb,
		(void *)&cmd_lbb_backend,
		(void *)&cmd_lbb_other,
		(void *)&cmd_lbb_id,
		NULL,
	},
};

/* ---- lb conntrack flush | idle <s> ------------------------------------ */

struct cmd_lbct_result {
	cmdline_fixed_string_t lb;
	cmdline_fixed_string_t conntrack;
	cmdline_fixed_string_t verb;
	uint32_t seconds;
};

static void
cmd_lbct_parsed(void *parsed, struct cmdline *cl, void *data)
{
	const struct cmd_lbct_result *r = parsed;
	const bool idle = data != NULL;
	int ret;

	ret = idle ? ss_app_lb_ct_idle(&ss_app, r->seconds) :
		ss_app_lb_ct_flush(&ss_app);
	if (ret < 0) {
		ss_shell_fail(cl, "lb conntrack %s: %s", r->verb,
			ret == -ENOENT ? "no load balancer (section 'lb')" :
			ret == -ENOTSUP ? "connection tracking is off "
			"(conn_max 0)" : ret == -ERANGE ? "1 to 86400 seconds" :
			strerror(-ret));
		return;
	}
	if (idle)
		cmdline_printf(cl, "lb conntrack: idle %u s\n", r->seconds);
	else
		cmdline_printf(cl, "lb conntrack: flushed (every flow is "
			"hashed again on its next packet)\n");
}

static cmdline_parse_token_string_t cmd_lbct_lb =
	TOKEN_STRING_INITIALIZER(struct cmd_lbct_result, lb, "lb");
static cmdline_parse_token_string_t cmd_lbct_ct =
	TOKEN_STRING_INITIALIZER(struct cmd_lbct_result, conntrack,
		"conntrack");
static cmdline_parse_token_string_t cmd_lbct_flush =
	TOKEN_STRING_INITIALIZER(struct cmd_lbct_result, verb, "flush");
static cmdline_parse_token_string_t cmd_lbct_idle =
	TOKEN_STRING_INITIALIZER(struct cmd_lbct_result, verb, "idle");
static cmdline_parse_token_num_t cmd_lbct_s =
	TOKEN_NUM_INITIALIZER(struct cmd_lbct_result, seconds, RTE_UINT32);

static cmdline_parse_inst_t cmd_lbct_flush_i = {
	.f = cmd_lbct_parsed,
	.data = NULL,
	.help_str = "lb conntrack flush: forget every tracked flow",
	.tokens = {
		(void *)&cmd_lbct_lb,
		(void *)&cmd_lbct_ct,
		(void *)&cmd_lbct_flush,
		NULL,
	},
};

static cmdline_parse_inst_t cmd_lbct_idle_i = {
	.f = cmd_lbct_parsed,
	.data = (void *)1,
	.help_str = "lb conntrack idle <1..86400>: seconds a tracked flow "
		"may be idle",
	.tokens = {
		(void *)&cmd_lbct_lb,
		(void *)&cmd_lbct_ct,
		(void *)&cmd_lbct_idle,
		(void *)&cmd_lbct_s,
		NULL,
	},
};

cmdline_parse_inst_t *const ss_cmd_lb[] = {
	&cmd_show,
	&cmd_show_j,
	&cmd_lbb_add_mac,
	&cmd_lbb_add_ip,
	&cmd_lbb_other_id,
	&cmd_lbb_weight_id,
	&cmd_lbct_flush_i,
	&cmd_lbct_idle_i,
	NULL,
};

const struct ss_shell_help ss_help_lb[] = {
	{ "show lb [json]", "load balancer: VIPs, lb port, per backend its "
		"instance-id, MAC, state (up, down, disabled), weight, packets and "
		"bytes by kind (esp, esp-udp, gtpu, sctp, ike, hash), drops "
		"while down, health checks; connection tracking; totals, "
		"unknown_id, bad" },
	{ "lb backend add <id> <mac> [<ip>]", "add a backend while traffic "
		"flows (with ip: health-checked); only new hashed flows it "
		"wins go to it (tracked ones stay)" },
	{ "lb backend del <id>", "remove a backend (not the ike_backend); "
		"its hashed flows move to the others" },
	{ "lb backend enable|disable <id>", "put a backend back into / "
		"take it out of service (disabled: as down)" },
	{ "lb backend weight <id> <0..1000>", "its share of the hashed "
		"traffic; 0 drains it (no hashed flow, its own ids still "
		"reach it); only slots to or from it move; its tracked "
		"flows stay (a graceful drain)" },
	{ "lb conntrack flush", "forget every tracked flow: each is hashed "
		"again on its next packet" },
	{ "lb conntrack idle <1..86400>", "seconds a tracked flow may be "
		"idle before it is forgotten" },
	{ NULL, NULL },
};
