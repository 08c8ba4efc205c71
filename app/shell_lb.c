/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 shardsec authors
 */

/* Shell command of the load balancer role: show lb [json] (VIPs, lb
 * port, per backend its instance-id, MAC and what it was sent, by how
 * the backend was chosen; totals; drops). */

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmdline.h>
#include <cmdline_parse.h>
#include <cmdline_parse_string.h>

#include "ss_app.h"
#include "ss_app_lb.h"
#include "ss_shell.h"

static void
show_lb(struct cmdline *cl, bool json)
{
	const struct ss_app_lb_cfg *c = &ss_app_lb_cfg;
	struct ss_lb_wstats *sum;
	struct ss_lb_bstats tot;
	char buf[INET6_ADDRSTRLEN + 4];
	unsigned int i, k;

	if (ss_app.lb == NULL) {
		cmdline_printf(cl, json ? "{\"enabled\": false}\n" :
			"no load balancer (section 'lb')\n");
		return;
	}
	/* 64 backends: off the stack; cache-line aligned as its type
	 * says (the compiler uses aligned vector stores on it) */
	sum = aligned_alloc(RTE_CACHE_LINE_SIZE, sizeof(*sum));
	if (sum == NULL) {
		ss_shell_fail(cl, "out of memory");
		return;
	}
	ss_app_lb_stats_sum(&ss_app, sum);
	memset(&tot, 0, sizeof(tot));
	for (i = 0; i < c->nb_backends; i++) {
		tot.pkts += sum->b[i].pkts;
		tot.bytes += sum->b[i].bytes;
		for (k = 0; k < SS_LB_KIND_MAX; k++)
			tot.kind[k] += sum->b[i].kind[k];
	}
	if (json) {
		cmdline_printf(cl, "{\"enabled\": true, \"vips\": [");
		for (i = 0; i < c->nb_vips; i++)
			cmdline_printf(cl, "%s\"%s\"", i != 0 ? ", " : "",
				ss_ipaddr_str(&c->vips[i], buf, sizeof(buf)));
		cmdline_printf(cl, "], \"port\": \"%s\", \"ike_backend\": %u, "
			"\"backends\": [", ss_app.cfg.ports[c->port].name,
			c->ike_backend);
		for (i = 0; i <= c->nb_backends; i++) {
			const struct ss_lb_bstats *b = i < c->nb_backends ?
				&sum->b[i] : &tot;

			if (i < c->nb_backends)
				cmdline_printf(cl, "%s\n {\"id\": %u, \"mac\": \""
					RTE_ETHER_ADDR_PRT_FMT "\", ",
					i != 0 ? "," : "", c->b[i].id,
					RTE_ETHER_ADDR_BYTES(&c->b[i].mac));
			else
				cmdline_printf(cl, "],\n \"totals\": {");
			cmdline_printf(cl, "\"packets\": %" PRIu64 ", "
				"\"bytes\": %" PRIu64 ", \"kinds\": {",
				b->pkts, b->bytes);
			for (k = 0; k < SS_LB_KIND_MAX; k++)
				cmdline_printf(cl, "%s\"%s\": %" PRIu64,
					k != 0 ? ", " : "",
					ss_app_lb_kind_name(k), b->kind[k]);
			cmdline_printf(cl, "}}");
		}
		cmdline_printf(cl, ",\n \"unknown_id\": %" PRIu64 ", \"bad\": %"
			PRIu64 "}\n", sum->unknown_id, sum->bad);
		free(sum);
		return;
	}
	cmdline_printf(cl, "  VIPs:");
	for (i = 0; i < c->nb_vips; i++)
		cmdline_printf(cl, " %s", ss_ipaddr_str(&c->vips[i], buf,
			sizeof(buf)));
	cmdline_printf(cl, "\n  port: %s   ike_backend: %u\n",
		ss_app.cfg.ports[c->port].name, c->ike_backend);
	cmdline_printf(cl, "  %-5s %-17s %12s %14s", "id", "mac", "packets",
		"bytes");
	for (k = 0; k < SS_LB_KIND_MAX; k++)
		cmdline_printf(cl, " %10s", ss_app_lb_kind_name(k));
	cmdline_printf(cl, "\n");
	for (i = 0; i <= c->nb_backends; i++) {
		const struct ss_lb_bstats *b = i < c->nb_backends ?
			&sum->b[i] : &tot;

		if (i < c->nb_backends)
			cmdline_printf(cl, "  %-5u " RTE_ETHER_ADDR_PRT_FMT,
				c->b[i].id, RTE_ETHER_ADDR_BYTES(&c->b[i].mac));
		else
			cmdline_printf(cl, "  %-5s %-17s", "total", "");
		cmdline_printf(cl, " %12" PRIu64 " %14" PRIu64, b->pkts,
			b->bytes);
		for (k = 0; k < SS_LB_KIND_MAX; k++)
			cmdline_printf(cl, " %10" PRIu64, b->kind[k]);
		cmdline_printf(cl, "\n");
	}
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

cmdline_parse_inst_t *const ss_cmd_lb[] = {
	&cmd_show,
	&cmd_show_j,
	NULL,
};

const struct ss_shell_help ss_help_lb[] = {
	{ "show lb [json]", "load balancer: VIPs, lb port, per backend its "
		"instance-id, MAC, packets and bytes by kind (esp, esp-udp, "
		"gtpu, sctp, ike, hash); totals, unknown_id, bad" },
	{ NULL, NULL },
};
