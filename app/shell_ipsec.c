/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 shardsec authors
 */

/* Shell commands of the IPsec dataplane: show sa, show servers, show spd.
 * Never prints key bytes. */

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <cmdline.h>
#include <cmdline_parse.h>
#include <cmdline_parse_string.h>
#include <rte_ethdev.h>

#include "ss_app.h"
#include "ss_shell.h"
#include "ss_shell_token.h"

struct sa_walk_arg {
	struct cmdline *cl;
	bool all;
	uint32_t spi;
	unsigned int found;
};

static int
sa_cb(const struct ss_sa *sa, void *arg)
{
	struct sa_walk_arg *a = arg;
	struct ss_esp_nic_stats ns;
	char buf[512], nic[96] = "";
	unsigned int r;

	if (!a->all && sa->spi != a->spi)
		return 0;
	a->found++;
	ss_sa_format(sa, buf, sizeof(buf));
	/* what the NIC counted for the SA's session, where it keeps that */
	if (ss_esp_sa_nic_stats(sa, &ns) == 0)
		snprintf(nic, sizeof(nic), " nic: packets=%" PRIu64 " bytes=%"
			PRIu64 " failed=%" PRIu64, ns.packets, ns.bytes,
			ns.failed);
	/* paused: its key is on the way to the NIC, packets are held */
	cmdline_printf(a->cl, "%s%s%s\n", buf,
		ss_esp_sa_paused(sa) ? " paused" : "", nic);
	if (a->all)
		return 0;
	/* One SA asked for: every drop reason, zero or not. */
	for (r = 0; r < SS_SA_DROP_MAX; r++)
		cmdline_printf(a->cl, "  %-20s %" PRIu64 "\n",
			ss_sa_drop_name(r), sa->st.drops[r]);
	return 0;
}

struct cmd_show_sa_result {
	cmdline_fixed_string_t show;
	cmdline_fixed_string_t sa;
	cmdline_fixed_string_t spi;
	cmdline_fixed_string_t json;
};

static int sa_json_cb(const struct ss_sa *sa, void *arg);

static void
show_sa(struct cmdline *cl, const char *spi, bool json)
{
	struct sa_walk_arg a = { .cl = cl, .all = spi == NULL };
	unsigned int n = 0;
	void *jarg[3] = { cl, &n, NULL };

	/* the token checked it */
	if (spi != NULL && ss_shell_spi_parse(spi, &a.spi) < 0)
		return;
	if (json) {
		jarg[2] = spi != NULL ? &a.spi : NULL;
		cmdline_printf(cl, "[");
		ss_sa_walk(ss_app.sadb, sa_json_cb, jarg);
		cmdline_printf(cl, "\n]\n");
		return;
	}
	ss_sa_walk(ss_app.sadb, sa_cb, &a);
	if (spi != NULL && a.found == 0)
		ss_shell_fail(cl, "no SA with SPI 0x%08x", a.spi);
	else if (a.found == 0)
		cmdline_printf(cl, "no SAs\n");
}

/* data: 0 all, 1 <spi>|json, 2 <spi> json */
static void
cmd_show_sa_parsed(void *parsed, struct cmdline *cl, void *data)
{
	struct cmd_show_sa_result *r = parsed;
	const uintptr_t form = (uintptr_t)data;

	if (form == 0)
		show_sa(cl, NULL, false);
	else if (form == 1 && strcmp(r->spi, "json") == 0)
		show_sa(cl, NULL, true);
	else
		show_sa(cl, r->spi, form == 2);
}

static cmdline_parse_token_string_t cmd_show_sa_show =
	TOKEN_STRING_INITIALIZER(struct cmd_show_sa_result, show, "show");
static cmdline_parse_token_string_t cmd_show_sa_sa =
	TOKEN_STRING_INITIALIZER(struct cmd_show_sa_result, sa, "sa");
static struct ss_shell_token_choice cmd_show_sa_spi_json =
	SS_SHELL_TOKEN_CHOICE(struct cmd_show_sa_result, spi, "SPI", "SPIs",
		"json", ss_shell_list_spis, ss_shell_check_spi,
		SS_SHELL_SPI_ANY);
static struct ss_shell_token_choice cmd_show_sa_spi =
	SS_SHELL_TOKEN_CHOICE(struct cmd_show_sa_result, spi, "SPI", "SPIs",
		NULL, ss_shell_list_spis, ss_shell_check_spi,
		SS_SHELL_SPI_ANY);
static cmdline_parse_token_string_t cmd_show_sa_json =
	TOKEN_STRING_INITIALIZER(struct cmd_show_sa_result, json, "json");

static cmdline_parse_inst_t cmd_show_sa_all = {
	.f = cmd_show_sa_parsed,
	.data = (void *)0,
	.help_str = "show sa: every SA (SPI, id, server, dir, algorithm, mode, "
		"encap, seq, replay top, packets, bytes, drops)",
	.tokens = {
		(void *)&cmd_show_sa_show,
		(void *)&cmd_show_sa_sa,
		NULL,
	},
};

static cmdline_parse_inst_t cmd_show_sa_one = {
	.f = cmd_show_sa_parsed,
	.data = (void *)1,
	.help_str = "show sa <spi>|json: one SA with every drop counter (SPI "
		"in hex), or every SA as JSON",
	.tokens = {
		(void *)&cmd_show_sa_show,
		(void *)&cmd_show_sa_sa,
		(void *)&cmd_show_sa_spi_json,
		NULL,
	},
};

static cmdline_parse_inst_t cmd_show_sa_one_j = {
	.f = cmd_show_sa_parsed,
	.data = (void *)2,
	.help_str = "show sa <spi> json: one SA as JSON",
	.tokens = {
		(void *)&cmd_show_sa_show,
		(void *)&cmd_show_sa_sa,
		(void *)&cmd_show_sa_spi,
		(void *)&cmd_show_sa_json,
		NULL,
	},
};

/* ---- show servers / show spd --------------------------------------- */

struct cmd_show2_result {
	cmdline_fixed_string_t show;
	cmdline_fixed_string_t what;
};

static int
count_sa_cb(const struct ss_sa *sa, void *arg)
{
	uint32_t *n = arg;

	n[sa->server]++;
	return 0;
}

/* Every server, or the one at index 'only' (>= 0). */
static void
show_servers(struct cmdline *cl, int only, bool json)
{
	uint32_t nsa[SS_CFG_MAX_SERVERS] = { 0 };
	unsigned int n = 0;
	uint16_t s;

	ss_sa_walk(ss_app.sadb, count_sa_cb, nsa);
	if (json)
		cmdline_printf(cl, "[");
	else
		cmdline_printf(cl, "%-6s %-6s %-6s %4s %12s %12s %12s %12s "
			"%10s %10s %9s %9s\n", "server", "id", "lcore", "sas",
			"rx", "esp-in", "esp-out", "bypass", "handoff-in",
			"handoff-out", "resteer", "discard");
	for (s = 0; s < ss_app.cfg.nb_servers; s++) {
		const struct ss_server_stats *st = &ss_app.srv[s];
		const unsigned int lcore =
			ss_app.workers[ss_app.server_worker[s]].lcore;

		if ((only >= 0 && s != only) || !ss_app.srv_live[s])
			continue;
		if (json)
			cmdline_printf(cl, "%s\n  {\"server\": %u, "
				"\"instance_id\": %u, \"lcore\": %u, \"sas\": %u, "
				"\"rx\": %" PRIu64 ", \"esp_in\": %" PRIu64
				", \"esp_out\": %" PRIu64 ", \"bypass\": %" PRIu64
				", \"handoff_in\": %" PRIu64 ", \"handoff_out\": %"
				PRIu64 ", \"resteer\": %" PRIu64
				", \"spd_discard\": %" PRIu64 ", \"too_big\": %"
				PRIu64 "}", n++ == 0 ? "" : ",", s,
				ss_app.cfg.servers[s].id, lcore, nsa[s],
				st->rx, st->esp_in, st->esp_out, st->bypass,
				st->handoff_in, st->handoff_out, st->resteer,
				st->spd_discard, st->too_big);
		else
			cmdline_printf(cl, "%-6u %-6u %-6u %4u %12" PRIu64
				" %12" PRIu64 " %12" PRIu64 " %12" PRIu64
				" %10" PRIu64 " %10" PRIu64 " %9" PRIu64 " %9"
				PRIu64 "\n", s, ss_app.cfg.servers[s].id,
				lcore, nsa[s], st->rx, st->esp_in,
				st->esp_out, st->bypass, st->handoff_in,
				st->handoff_out, st->resteer,
				st->spd_discard);
	}
	if (json)
		cmdline_printf(cl, "\n]\n");
}

static int
spd_cb(const struct ss_spd_rule *r, uint64_t hits, void *arg)
{
	struct cmdline *cl = ((void **)arg)[0];
	unsigned int *json = ((void **)arg)[1];
	char src[64], dst[64], tun[40] = "-";

	if (r->action == SS_SPD_PROTECT) {
		const struct ss_sa_tunnel *t =
			ss_sa_tunnel_get(ss_app.sadb, r->tunnel);

		snprintf(tun, sizeof(tun), "%s", t != NULL ? t->name : "?");
	}
	if (json != NULL) {
		cmdline_printf(cl, "%s\n  {\"name\": \"%s\", \"priority\": %u, "
			"\"src\": \"%s\", \"dst\": \"%s\", \"proto\": %u, "
			"\"sport\": [%u, %u], \"dport\": [%u, %u], "
			"\"action\": \"%s\", \"tunnel\": \"%s\", \"hits\": %"
			PRIu64 "}", (*json)++ == 0 ? "" : ",", r->name,
			r->priority, ss_prefix_str(&r->src, src, sizeof(src)),
			ss_prefix_str(&r->dst, dst, sizeof(dst)), r->proto,
			r->sport_lo, r->sport_hi, r->dport_lo, r->dport_hi,
			ss_spd_action_name(r->action), tun, hits);
		return 0;
	}
	cmdline_printf(cl, "%-16s %5u %-24s %-24s %5u %5u-%-5u %5u-%-5u %-8s "
		"%-12s %12" PRIu64 "\n", r->name, r->priority,
		ss_prefix_str(&r->src, src, sizeof(src)),
		ss_prefix_str(&r->dst, dst, sizeof(dst)), r->proto,
		r->sport_lo, r->sport_hi, r->dport_lo, r->dport_hi,
		ss_spd_action_name(r->action), tun, hits);
	return 0;
}

static void
cmd_show2_parsed(void *parsed, struct cmdline *cl, void *data)
{
	struct cmd_show2_result *r = parsed;
	uint64_t dflt = 0, malformed = 0;

	void *arg[2] = { cl, NULL };

	RTE_SET_USED(data);
	if (strcmp(r->what, "servers") == 0) {
		show_servers(cl, -1, false);
		return;
	}
	cmdline_printf(cl, "%-16s %5s %-24s %-24s %5s %11s %11s %-8s %-12s "
		"%12s\n", "name", "prio", "src", "dst", "proto", "sport",
		"dport", "action", "tunnel", "hits");
	ss_spd_walk(ss_app.spd, spd_cb, arg);
	ss_spd_hits_other(ss_app.spd, &dflt, &malformed);
	cmdline_printf(cl, "default action hits: %" PRIu64 ", malformed: %"
		PRIu64 "\n", dflt, malformed);
}

static cmdline_parse_token_string_t cmd_show2_show =
	TOKEN_STRING_INITIALIZER(struct cmd_show2_result, show, "show");
static cmdline_parse_token_string_t cmd_show2_what =
	TOKEN_STRING_INITIALIZER(struct cmd_show2_result, what, "servers#spd");

static cmdline_parse_inst_t cmd_show_servers_spd = {
	.f = cmd_show2_parsed,
	.help_str = "show servers|spd: per-server counters (lcore, SAs, "
		"handed-over packets, re-steers) or the security policies",
	.tokens = {
		(void *)&cmd_show2_show,
		(void *)&cmd_show2_what,
		NULL,
	},
};

/* ---- show servers <id> [json] ------------------------------------- */

struct cmd_server_result {
	cmdline_fixed_string_t show;
	cmdline_fixed_string_t servers;
	cmdline_fixed_string_t id;
	cmdline_fixed_string_t json;
};

static void
cmd_server_parsed(void *parsed, struct cmdline *cl, void *data)
{
	struct cmd_server_result *r = parsed;
	const int s = ss_shell_server_index(r->id);

	if (s < 0) {
		ss_shell_fail(cl, "show servers: no server %s", r->id);
		return;
	}
	show_servers(cl, s, data == SS_SHELL_JSON);
}

static cmdline_parse_token_string_t cmd_server_show =
	TOKEN_STRING_INITIALIZER(struct cmd_server_result, show, "show");
static cmdline_parse_token_string_t cmd_server_servers =
	TOKEN_STRING_INITIALIZER(struct cmd_server_result, servers, "servers");
static struct ss_shell_token_choice cmd_server_id =
	SS_SHELL_TOKEN_CHOICE(struct cmd_server_result, id, "server",
		"servers", NULL, ss_shell_list_servers, NULL, NULL);
static cmdline_parse_token_string_t cmd_server_json =
	TOKEN_STRING_INITIALIZER(struct cmd_server_result, json, "json");

static cmdline_parse_inst_t cmd_server = {
	.f = cmd_server_parsed,
	.data = NULL,
	.help_str = "show servers <id>: one server (by instance-id)",
	.tokens = {
		(void *)&cmd_server_show,
		(void *)&cmd_server_servers,
		(void *)&cmd_server_id,
		NULL,
	},
};

static cmdline_parse_inst_t cmd_server_j = {
	.f = cmd_server_parsed,
	.data = SS_SHELL_JSON,
	.help_str = "show servers <id> json: one server as JSON",
	.tokens = {
		(void *)&cmd_server_show,
		(void *)&cmd_server_servers,
		(void *)&cmd_server_id,
		(void *)&cmd_server_json,
		NULL,
	},
};

/* ---- sa del -------------------------------------------------------- */

struct cmd_sa_del_result {
	cmdline_fixed_string_t sa;
	cmdline_fixed_string_t del;
	cmdline_fixed_string_t dir;
	cmdline_fixed_string_t spi;
};

static void
cmd_sa_del_parsed(void *parsed, struct cmdline *cl, void *data)
{
	struct cmd_sa_del_result *r = parsed;
	const enum ss_sa_dir dir = strcmp(r->dir, "in") == 0 ?
		SS_SA_DIR_IN : SS_SA_DIR_OUT;
	uint32_t spi;
	unsigned long v;
	int ret;

	RTE_SET_USED(data);
	/* the token checked it */
	if (ss_shell_spi_parse(r->spi, &spi) < 0)
		return;
	v = spi;
	/* Workers stop finding it at once; its memory and keys go after
	 * every worker has passed a quiescent point. */
	ret = ss_sa_del(ss_app.sadb, (uint32_t)v, dir);
	if (ret < 0) {
		ss_shell_fail(cl, "cannot delete %s SA 0x%08lx: %s", r->dir, v,
			ret == -ENOENT ? "no such SA" : strerror(-ret));
		return;
	}
	cmdline_printf(cl, "  deleted %s SA 0x%08lx\n", r->dir, v);
}

static cmdline_parse_token_string_t cmd_sa_del_sa =
	TOKEN_STRING_INITIALIZER(struct cmd_sa_del_result, sa, "sa");
static cmdline_parse_token_string_t cmd_sa_del_del =
	TOKEN_STRING_INITIALIZER(struct cmd_sa_del_result, del, "del");
static cmdline_parse_token_string_t cmd_sa_del_in =
	TOKEN_STRING_INITIALIZER(struct cmd_sa_del_result, dir, "in");
static cmdline_parse_token_string_t cmd_sa_del_out =
	TOKEN_STRING_INITIALIZER(struct cmd_sa_del_result, dir, "out");
static struct ss_shell_token_choice cmd_sa_del_spi_in =
	SS_SHELL_TOKEN_CHOICE(struct cmd_sa_del_result, spi, "in SA",
		"in SPIs", NULL, ss_shell_list_spis, ss_shell_check_spi,
		SS_SHELL_SPI_IN);
static struct ss_shell_token_choice cmd_sa_del_spi_out =
	SS_SHELL_TOKEN_CHOICE(struct cmd_sa_del_result, spi, "out SA",
		"out SPIs", NULL, ss_shell_list_spis, ss_shell_check_spi,
		SS_SHELL_SPI_OUT);

static cmdline_parse_inst_t cmd_sa_del_in_inst = {
	.f = cmd_sa_del_parsed,
	.help_str = "sa del in <spi>: delete an inbound SA while traffic "
		"flows (keys wiped once no worker can see it)",
	.tokens = {
		(void *)&cmd_sa_del_sa,
		(void *)&cmd_sa_del_del,
		(void *)&cmd_sa_del_in,
		(void *)&cmd_sa_del_spi_in,
		NULL,
	},
};

static cmdline_parse_inst_t cmd_sa_del_out_inst = {
	.f = cmd_sa_del_parsed,
	.help_str = "sa del out <spi>: delete an outbound SA",
	.tokens = {
		(void *)&cmd_sa_del_sa,
		(void *)&cmd_sa_del_del,
		(void *)&cmd_sa_del_out,
		(void *)&cmd_sa_del_spi_out,
		NULL,
	},
};

/* ---- json variants for scripts ---------------------------------------- */

struct cmd_json_result {
	cmdline_fixed_string_t show;
	cmdline_fixed_string_t what;
	cmdline_fixed_string_t json;
};

static int
sa_json_cb(const struct ss_sa *sa, void *arg)
{
	struct cmdline *cl = ((void **)arg)[0];
	unsigned int *n = ((void **)arg)[1];
	const uint32_t *only = ((void **)arg)[2];
	struct ss_esp_nic_stats ns;
	unsigned int r;

	if (only != NULL && sa->spi != *only)
		return 0;
	cmdline_printf(cl, "%s\n  {\"spi\": \"0x%08x\", \"dir\": \"%s\", "
		"\"instance_id\": %u, \"server\": %u, \"algo\": \"%s\", "
		"\"mode\": \"%s\", \"udp_encap\": %s, \"esn\": %s, "
		"\"backend\": \"%s\", \"paused\": %s, \"standby\": %s, "
		"\"retiring\": %s, "
		"\"%s\": %" PRIu64 ", \"packets\": %" PRIu64 ", \"bytes\": %"
		PRIu64 ", \"drops\": {", (*n)++ == 0 ? "" : ",", sa->spi,
		sa->dir == SS_SA_DIR_IN ? "in" : "out", sa->instance_id,
		sa->server, ss_sa_algo_name(sa->algo),
		sa->mode == SS_SA_MODE_TUNNEL ? "tunnel" : "transport",
		sa->udp_encap ? "true" : "false", sa->esn ? "true" : "false",
		ss_sa_backend_name(sa->backend),
		ss_esp_sa_paused(sa) ? "true" : "false",
		sa->standby ? "true" : "false",
		sa->retiring ? "true" : "false",
		sa->dir == SS_SA_DIR_IN ? "replay_top" : "seq",
		sa->dir == SS_SA_DIR_IN ? sa->st.replay_top : sa->st.seq,
		sa->st.packets, sa->st.bytes);
	for (r = 0; r < SS_SA_DROP_MAX; r++)
		cmdline_printf(cl, "%s\"%s\": %" PRIu64, r == 0 ? "" : ", ",
			ss_sa_drop_name(r), sa->st.drops[r]);
	if (ss_esp_sa_nic_stats(sa, &ns) == 0)
		cmdline_printf(cl, "}, \"nic\": {\"packets\": %" PRIu64
			", \"bytes\": %" PRIu64 ", \"failed\": %" PRIu64 "}}",
			ns.packets, ns.bytes, ns.failed);
	else
		cmdline_printf(cl, "}, \"nic\": null}");
	return 0;
}

static void
cmd_json_parsed(void *parsed, struct cmdline *cl, void *data)
{
	struct cmd_json_result *r = parsed;
	uint16_t s;

	RTE_SET_USED(data);
	if (strcmp(r->what, "spd") == 0) {
		uint64_t dflt = 0, malformed = 0;
		unsigned int n = 0;
		void *arg[2] = { cl, &n };

		cmdline_printf(cl, "{\"rules\": [");
		ss_spd_walk(ss_app.spd, spd_cb, arg);
		ss_spd_hits_other(ss_app.spd, &dflt, &malformed);
		cmdline_printf(cl, "\n], \"default_hits\": %" PRIu64
			", \"malformed\": %" PRIu64 "}\n", dflt, malformed);
		return;
	}
	if (strcmp(r->what, "servers") == 0) {
		show_servers(cl, -1, true);
		return;
	}
	/* ports */
	cmdline_printf(cl, "[");
	for (s = 0; s < ss_app.nb_ports; s++) {
		struct rte_eth_stats e;

		memset(&e, 0, sizeof(e));
		rte_eth_stats_get(ss_app.port_id[s], &e);
		cmdline_printf(cl, "%s\n  {\"port\": %u, \"name\": \"%s\", "
			"\"rx_packets\": %" PRIu64 ", \"tx_packets\": %" PRIu64
			", \"rx_bytes\": %" PRIu64 ", \"tx_bytes\": %" PRIu64
			", \"rx_missed\": %" PRIu64 ", \"rx_errors\": %" PRIu64
			", \"tx_errors\": %" PRIu64 "}", s == 0 ? "" : ",", s,
			ss_app.cfg.ports[s].name, e.ipackets, e.opackets,
			e.ibytes, e.obytes, e.imissed, e.ierrors, e.oerrors);
	}
	cmdline_printf(cl, "\n]\n");
}

static cmdline_parse_token_string_t cmd_json_show =
	TOKEN_STRING_INITIALIZER(struct cmd_json_result, show, "show");
static cmdline_parse_token_string_t cmd_json_what =
	TOKEN_STRING_INITIALIZER(struct cmd_json_result, what,
		"servers#ports#spd");
static cmdline_parse_token_string_t cmd_json_json =
	TOKEN_STRING_INITIALIZER(struct cmd_json_result, json, "json");

static cmdline_parse_inst_t cmd_show_json = {
	.f = cmd_json_parsed,
	.help_str = "show servers|ports|spd json: the same counters as JSON, "
		"for scripts",
	.tokens = {
		(void *)&cmd_json_show,
		(void *)&cmd_json_what,
		(void *)&cmd_json_json,
		NULL,
	},
};

cmdline_parse_inst_t *const ss_cmd_ipsec[] = {
	&cmd_show_sa_all,
	&cmd_show_sa_one,
	&cmd_show_sa_one_j,
	&cmd_show_servers_spd,
	&cmd_server,
	&cmd_server_j,
	&cmd_sa_del_in_inst,
	&cmd_sa_del_out_inst,
	&cmd_show_json,
	NULL,
};

const struct ss_shell_help ss_help_ipsec[] = {
	{ "show sa [<spi>] [json]", "SAs: SPI, instance-id, server, "
		"algorithm, counters; one SA with every drop counter" },
	{ "show servers [<id>] [json]", "per server (or one, by "
		"instance-id): lcore, SAs, handed-over, re-steered" },
	{ "show spd [json]", "security policies with hit counters" },
	{ "show ports json", "NIC counters of every port as JSON" },
	{ "sa del in|out <spi>", "delete an SA (keys wiped after RCU)" },
	{ NULL, NULL },
};
