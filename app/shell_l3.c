/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 shardsec authors
 */

/* Shell commands of the L3 tables: show neigh [ADDR] [json],
 * show route [ADDR] [json] (ADDR: the longest-prefix match). */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <cmdline.h>
#include <cmdline_parse.h>
#include <cmdline_parse_string.h>

#include "ss_app.h"
#include "ss_shell.h"
#include "ss_shell_token.h"

struct l3_arg {
	struct cmdline *cl;
	bool json;
	bool one;		/* only entries for ip */
	struct ss_ipaddr ip;
	unsigned int n;
	/* route lookup */
	struct ss_net_route_info best;
	bool found;
};

/* ---- neighbours -------------------------------------------------------- */

static int
neigh_cb(const struct ss_net_neigh_info *n, void *arg)
{
	struct l3_arg *a = arg;
	char abuf[INET6_ADDRSTRLEN + 8];

	if (a->one && !ss_ipaddr_equal(&n->ip, &a->ip))
		return 0;
	ss_ipaddr_str(&n->ip, abuf, sizeof(abuf));
	if (a->json)
		cmdline_printf(a->cl, "%s\n  {\"address\": \"%s\", \"mac\": \""
			RTE_ETHER_ADDR_PRT_FMT "\", \"port\": \"%s\", "
			"\"state\": \"%s\", \"held\": %u, \"age_ms\": %" PRIu64
			"}", a->n == 0 ? "" : ",", abuf,
			RTE_ETHER_ADDR_BYTES(&n->mac),
			ss_app.cfg.ports[n->port].name, n->state, n->held,
			n->age_ms);
	else
		cmdline_printf(a->cl, "%-40s " RTE_ETHER_ADDR_PRT_FMT
			" %-10s %-11s %6u %10" PRIu64 "\n", abuf,
			RTE_ETHER_ADDR_BYTES(&n->mac),
			ss_app.cfg.ports[n->port].name, n->state, n->held,
			n->age_ms);
	a->n++;
	return 0;
}

static void
show_neigh(struct cmdline *cl, const char *addr, bool json)
{
	struct l3_arg a = { .cl = cl, .json = json };

	if (addr != NULL) {
		a.one = true;
		ss_ipaddr_parse(addr, &a.ip);
	}
	if (json)
		cmdline_printf(cl, "[");
	else
		cmdline_printf(cl, "%-40s %-17s %-10s %-11s %6s %10s\n",
			"address", "mac", "port", "state", "held", "age_ms");
	ss_net_neigh_walk(neigh_cb, &a);
	if (json)
		cmdline_printf(cl, "\n]\n");
}

/* ---- routes ------------------------------------------------------------ */

static void
route_print(struct l3_arg *a, const struct ss_net_route_info *r)
{
	char dbuf[INET6_ADDRSTRLEN + 8], vbuf[INET6_ADDRSTRLEN + 8];
	char pfx[INET6_ADDRSTRLEN + 16];

	snprintf(pfx, sizeof(pfx), "%s/%u",
		ss_ipaddr_str(&r->dst.addr, dbuf, sizeof(dbuf)), r->dst.len);
	if (r->has_via)
		ss_ipaddr_str(&r->via, vbuf, sizeof(vbuf));
	if (a->json)
		cmdline_printf(a->cl, "%s\n  {\"destination\": \"%s\", "
			"\"via\": %s%s%s, \"port\": \"%s\", \"type\": \"%s\"}",
			a->n == 0 ? "" : ",", pfx, r->has_via ? "\"" : "",
			r->has_via ? vbuf : "null", r->has_via ? "\"" : "",
			ss_app.cfg.ports[r->port].name, r->type);
	else
		cmdline_printf(a->cl, "%-44s %-40s %-10s %s\n", pfx,
			r->has_via ? vbuf : "on-link",
			ss_app.cfg.ports[r->port].name, r->type);
	a->n++;
}

static int
route_cb(const struct ss_net_route_info *r, void *arg)
{
	struct l3_arg *a = arg;

	if (!a->one) {
		route_print(a, r);
		return 0;
	}
	/* longest-prefix match */
	if (ss_prefix_contains(&r->dst, &a->ip) &&
			(!a->found || r->dst.len > a->best.dst.len)) {
		a->best = *r;
		a->found = true;
	}
	return 0;
}

static void
show_route(struct cmdline *cl, const char *addr, bool json)
{
	struct l3_arg a = { .cl = cl, .json = json };
	char abuf[INET6_ADDRSTRLEN + 8];

	if (addr != NULL) {
		a.one = true;
		ss_ipaddr_parse(addr, &a.ip);
		ss_net_route_walk(route_cb, &a);
		if (!a.found) {
			ss_shell_fail(cl, "show route: no route to %s",
				ss_ipaddr_str(&a.ip, abuf, sizeof(abuf)));
			return;
		}
	}
	if (json)
		cmdline_printf(cl, "[");
	else
		cmdline_printf(cl, "%-44s %-40s %-10s %s\n", "destination",
			"via", "port", "type");
	if (addr != NULL)
		route_print(&a, &a.best);
	else
		ss_net_route_walk(route_cb, &a);
	if (json)
		cmdline_printf(cl, "\n]\n");
}

/* Route destinations, as addresses a lookup can be asked for. */
struct route_idx {
	unsigned int idx;
	unsigned int seen;
	struct ss_ipaddr ip;
	bool found;
};

static int
route_idx_cb(const struct ss_net_route_info *r, void *arg)
{
	struct route_idx *l = arg;

	if (l->seen++ != l->idx)
		return 0;
	l->ip = r->dst.addr;
	l->found = true;
	return 1;
}

static int
list_route_dst(unsigned int idx, char *buf, size_t len, const void *arg)
{
	struct route_idx l = { .idx = idx };

	RTE_SET_USED(arg);
	ss_net_route_walk(route_idx_cb, &l);
	if (!l.found)
		return -ENOENT;
	ss_ipaddr_str(&l.ip, buf, len);
	return 0;
}

/* ---- commands ---------------------------------------------------------- */

struct cmd_l3_result {
	cmdline_fixed_string_t show;
	cmdline_fixed_string_t what;
	cmdline_fixed_string_t addr;
	cmdline_fixed_string_t json;
};

/* data: 0 table, 1 table or json (addr token), 2 addr + json */
static void
cmd_l3_parsed(void *parsed, struct cmdline *cl, void *data)
{
	struct cmd_l3_result *r = parsed;
	const uintptr_t form = (uintptr_t)data;
	const char *addr = NULL;
	bool json = false;

	if (form == 1) {
		if (strcmp(r->addr, "json") == 0)
			json = true;
		else
			addr = r->addr;
	} else if (form == 2) {
		addr = r->addr;
		json = true;
	}
	if (strcmp(r->what, "neigh") == 0)
		show_neigh(cl, addr, json);
	else
		show_route(cl, addr, json);
}

static cmdline_parse_token_string_t cmd_l3_show =
	TOKEN_STRING_INITIALIZER(struct cmd_l3_result, show, "show");
static cmdline_parse_token_string_t cmd_l3_neigh =
	TOKEN_STRING_INITIALIZER(struct cmd_l3_result, what, "neigh");
static cmdline_parse_token_string_t cmd_l3_route =
	TOKEN_STRING_INITIALIZER(struct cmd_l3_result, what, "route");
static cmdline_parse_token_string_t cmd_l3_json =
	TOKEN_STRING_INITIALIZER(struct cmd_l3_result, json, "json");
static struct ss_shell_token_choice cmd_l3_neigh_addr_json =
	SS_SHELL_TOKEN_CHOICE(struct cmd_l3_result, addr, "neighbour",
		"neighbours", "json", ss_shell_list_neigh,
		ss_shell_check_neigh, NULL);
static struct ss_shell_token_choice cmd_l3_neigh_addr =
	SS_SHELL_TOKEN_CHOICE(struct cmd_l3_result, addr, "neighbour",
		"neighbours", NULL, ss_shell_list_neigh,
		ss_shell_check_neigh, NULL);
static struct ss_shell_token_choice cmd_l3_route_addr_json =
	SS_SHELL_TOKEN_CHOICE(struct cmd_l3_result, addr, "address",
		"route destinations", "json", list_route_dst,
		ss_shell_check_addr, NULL);
static struct ss_shell_token_choice cmd_l3_route_addr =
	SS_SHELL_TOKEN_CHOICE(struct cmd_l3_result, addr, "address",
		"route destinations", NULL, list_route_dst,
		ss_shell_check_addr, NULL);

static cmdline_parse_inst_t cmd_neigh = {
	.f = cmd_l3_parsed,
	.data = (void *)0,
	.help_str = "show neigh: neighbour table (ARP / ND)",
	.tokens = { (void *)&cmd_l3_show, (void *)&cmd_l3_neigh, NULL },
};

static cmdline_parse_inst_t cmd_neigh_addr = {
	.f = cmd_l3_parsed,
	.data = (void *)1,
	.help_str = "show neigh <addr>|json: one neighbour, or the table "
		"as JSON",
	.tokens = { (void *)&cmd_l3_show, (void *)&cmd_l3_neigh,
		(void *)&cmd_l3_neigh_addr_json, NULL },
};

static cmdline_parse_inst_t cmd_neigh_addr_json = {
	.f = cmd_l3_parsed,
	.data = (void *)2,
	.help_str = "show neigh <addr> json: one neighbour as JSON",
	.tokens = { (void *)&cmd_l3_show, (void *)&cmd_l3_neigh,
		(void *)&cmd_l3_neigh_addr, (void *)&cmd_l3_json, NULL },
};

static cmdline_parse_inst_t cmd_route = {
	.f = cmd_l3_parsed,
	.data = (void *)0,
	.help_str = "show route: routing table (connected and static)",
	.tokens = { (void *)&cmd_l3_show, (void *)&cmd_l3_route, NULL },
};

static cmdline_parse_inst_t cmd_route_addr = {
	.f = cmd_l3_parsed,
	.data = (void *)1,
	.help_str = "show route <addr>|json: the route a packet to <addr> "
		"takes (longest-prefix match), or the table as JSON",
	.tokens = { (void *)&cmd_l3_show, (void *)&cmd_l3_route,
		(void *)&cmd_l3_route_addr_json, NULL },
};

static cmdline_parse_inst_t cmd_route_addr_json = {
	.f = cmd_l3_parsed,
	.data = (void *)2,
	.help_str = "show route <addr> json: the matching route as JSON",
	.tokens = { (void *)&cmd_l3_show, (void *)&cmd_l3_route,
		(void *)&cmd_l3_route_addr, (void *)&cmd_l3_json, NULL },
};

cmdline_parse_inst_t *const ss_cmd_l3[] = {
	&cmd_neigh,
	&cmd_neigh_addr,
	&cmd_neigh_addr_json,
	&cmd_route,
	&cmd_route_addr,
	&cmd_route_addr_json,
	NULL,
};

const struct ss_shell_help ss_help_l3[] = {
	{ "show neigh [<addr>] [json]", "neighbour table (ARP / ND), or one "
		"neighbour" },
	{ "show route [<addr>] [json]", "routing table, or the route to "
		"<addr> (longest-prefix match)" },
	{ NULL, NULL },
};
