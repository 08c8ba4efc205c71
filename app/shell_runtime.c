/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 shardsec authors
 */

/* Shell commands of the per-stage profile (runtime.c): runtime on|off,
 * show runtime [json], clear runtime. */

#include <inttypes.h>
#include <string.h>

#include <cmdline.h>
#include <cmdline_parse.h>
#include <cmdline_parse_string.h>
#include <rte_cycles.h>

#include "ss_app.h"
#include "ss_shell.h"

static double
per(uint64_t a, uint64_t b)
{
	return b == 0 ? 0.0 : (double)a / (double)b;
}

/* One worker: a line per stage that ran, then what is in none. */
static void
show_worker(struct cmdline *cl, uint16_t i, bool json, double secs)
{
	const struct ss_worker *w = &ss_app.workers[i];
	struct ss_runtime_view v;
	uint64_t staged = 0, other;
	unsigned int s, k = 0;

	ss_app_runtime_read(&ss_app, i, &v);
	for (s = 0; s < SS_STAGE_MAX; s++)
		staged += v.stage[s].cycles;
	/* rdtsc pairs of one poll are not atomic with the busy total */
	other = v.busy > staged ? v.busy - staged : 0;
	if (json) {
		cmdline_printf(cl, "%s\n  {\"worker\": %u, \"lcore\": %u, "
			"\"busy_cycles\": %" PRIu64 ", \"busy_polls\": %"
			PRIu64 ", \"rx_packets\": %" PRIu64 ", \"stages\": {",
			i == 0 ? "" : ",", i, w->lcore, v.busy, v.polls,
			v.stage[SS_STAGE_RX].pkts);
		for (s = 0; s < SS_STAGE_MAX; s++) {
			if (v.stage[s].calls == 0)
				continue;
			cmdline_printf(cl, "%s\"%s\": {\"calls\": %" PRIu64
				", \"packets\": %" PRIu64 ", \"cycles\": %"
				PRIu64 "}", k++ == 0 ? "" : ", ",
				ss_app_stage_name(s), v.stage[s].calls,
				v.stage[s].pkts, v.stage[s].cycles);
		}
		cmdline_printf(cl, "%s\"other\": {\"cycles\": %" PRIu64 "}}}",
			k == 0 ? "" : ", ", other);
		return;
	}
	cmdline_printf(cl, "worker %u (lcore %u): busy %.1f%% of %.1f s, "
		"%" PRIu64 " packets received, %.1f per busy poll\n", i,
		w->lcore, secs <= 0 ? 0.0 :
		100.0 * (double)v.busy / ((double)rte_get_tsc_hz() * secs),
		secs, v.stage[SS_STAGE_RX].pkts,
		per(v.stage[SS_STAGE_RX].pkts, v.polls));
	cmdline_printf(cl, "  %-12s %12s %14s %8s %11s %11s %7s\n", "stage",
		"bursts", "packets", "pkts/bu", "cyc/pkt", "cyc/rx-pkt",
		"busy%");
	for (s = 0; s < SS_STAGE_MAX; s++) {
		const struct ss_stage_stats *x = &v.stage[s];

		if (x->calls == 0)
			continue;
		cmdline_printf(cl, "  %-12s %12" PRIu64 " %14" PRIu64
			" %8.1f %11.1f %11.1f %6.1f%%\n",
			ss_app_stage_name(s), x->calls, x->pkts,
			per(x->pkts, x->calls), per(x->cycles, x->pkts),
			per(x->cycles, v.stage[SS_STAGE_RX].pkts),
			100.0 * per(x->cycles, v.busy));
	}
	cmdline_printf(cl, "  %-12s %12s %14s %8s %11s %11.1f %6.1f%%\n",
		"other", "", "", "", "",
		per(other, v.stage[SS_STAGE_RX].pkts),
		100.0 * per(other, v.busy));
	cmdline_printf(cl, "  %-12s %12s %14s %8s %11s %11.1f\n", "total", "",
		"", "", "", per(v.busy, v.stage[SS_STAGE_RX].pkts));
}

struct cmd_show_runtime_result {
	cmdline_fixed_string_t show;
	cmdline_fixed_string_t runtime;
	cmdline_fixed_string_t json;
};

static void
cmd_show_runtime_parsed(void *parsed, struct cmdline *cl, void *data)
{
	const bool json = data == SS_SHELL_JSON;
	const double secs = per(rte_rdtsc() - ss_app.runtime_since,
		rte_get_tsc_hz());
	uint16_t i;

	RTE_SET_USED(parsed);
	if (json) {
		cmdline_printf(cl, "{\"on\": %s, \"seconds\": %.3f, "
			"\"tsc_hz\": %" PRIu64 ", \"workers\": [",
			ss_app.runtime_on ? "true" : "false",
			ss_app.runtime_since == 0 ? 0.0 : secs,
			rte_get_tsc_hz());
		for (i = 0; i < ss_app.nb_workers; i++)
			show_worker(cl, i, true, secs);
		cmdline_printf(cl, "\n]}\n");
		return;
	}
	if (ss_app.runtime_since == 0) {
		cmdline_printf(cl, "  runtime profile never on: 'runtime on' "
			"starts it (one TSC read per stage per burst)\n");
		return;
	}
	cmdline_printf(cl, "runtime profile %s; cycles are TSC at %.0f MHz; "
		"cyc/pkt: per packet the stage took, cyc/rx-pkt: per packet "
		"received (these add up to the total)\n",
		ss_app.runtime_on ? "on" : "off (figures as it was stopped)",
		(double)rte_get_tsc_hz() / 1e6);
	for (i = 0; i < ss_app.nb_workers; i++)
		show_worker(cl, i, false, secs);
}

static cmdline_parse_token_string_t cmd_show_runtime_show =
	TOKEN_STRING_INITIALIZER(struct cmd_show_runtime_result, show, "show");
static cmdline_parse_token_string_t cmd_show_runtime_runtime =
	TOKEN_STRING_INITIALIZER(struct cmd_show_runtime_result, runtime,
		"runtime");
static cmdline_parse_token_string_t cmd_show_runtime_json =
	TOKEN_STRING_INITIALIZER(struct cmd_show_runtime_result, json, "json");

static cmdline_parse_inst_t cmd_show_runtime = {
	.f = cmd_show_runtime_parsed,
	.data = NULL,
	.help_str = "show runtime: cycles per packet of each stage, per "
		"worker",
	.tokens = {
		(void *)&cmd_show_runtime_show,
		(void *)&cmd_show_runtime_runtime,
		NULL,
	},
};

static cmdline_parse_inst_t cmd_show_runtime_j = {
	.f = cmd_show_runtime_parsed,
	.data = SS_SHELL_JSON,
	.help_str = "show runtime json: the same as JSON (raw TSC sums)",
	.tokens = {
		(void *)&cmd_show_runtime_show,
		(void *)&cmd_show_runtime_runtime,
		(void *)&cmd_show_runtime_json,
		NULL,
	},
};

struct cmd_runtime_result {
	cmdline_fixed_string_t runtime;
	cmdline_fixed_string_t what;
};

static void
cmd_runtime_parsed(void *parsed, struct cmdline *cl, void *data)
{
	const struct cmd_runtime_result *r = parsed;

	RTE_SET_USED(data);
	if (strcmp(r->what, "on") == 0) {
		ss_app_runtime_set(&ss_app, true);
		cmdline_printf(cl, "  runtime profile on\n");
	} else if (strcmp(r->what, "off") == 0) {
		ss_app_runtime_set(&ss_app, false);
		cmdline_printf(cl, "  runtime profile off\n");
	} else {
		ss_app_runtime_clear(&ss_app);
		cmdline_printf(cl, "  runtime figures cleared\n");
	}
}

static cmdline_parse_token_string_t cmd_runtime_runtime =
	TOKEN_STRING_INITIALIZER(struct cmd_runtime_result, runtime,
		"runtime");
static cmdline_parse_token_string_t cmd_runtime_what =
	TOKEN_STRING_INITIALIZER(struct cmd_runtime_result, what, "on#off");

static cmdline_parse_inst_t cmd_runtime = {
	.f = cmd_runtime_parsed,
	.data = NULL,
	.help_str = "runtime on|off: time every stage of the workers (on "
		"starts a new period)",
	.tokens = {
		(void *)&cmd_runtime_runtime,
		(void *)&cmd_runtime_what,
		NULL,
	},
};

static cmdline_parse_token_string_t cmd_clear_runtime_clear =
	TOKEN_STRING_INITIALIZER(struct cmd_runtime_result, runtime, "clear");
static cmdline_parse_token_string_t cmd_clear_runtime_runtime =
	TOKEN_STRING_INITIALIZER(struct cmd_runtime_result, what, "runtime");

static cmdline_parse_inst_t cmd_clear_runtime = {
	.f = cmd_runtime_parsed,
	.data = NULL,
	.help_str = "clear runtime: start the figures again from zero",
	.tokens = {
		(void *)&cmd_clear_runtime_clear,
		(void *)&cmd_clear_runtime_runtime,
		NULL,
	},
};

cmdline_parse_inst_t *const ss_cmd_runtime[] = {
	&cmd_show_runtime,
	&cmd_show_runtime_j,
	&cmd_runtime,
	&cmd_clear_runtime,
	NULL,
};

const struct ss_shell_help ss_help_runtime[] = {
	{ "runtime on|off", "time each stage of the workers' packet path "
		"(on: a new period)" },
	{ "show runtime [json]", "cycles per packet of each stage, per "
		"worker, as VPP's show runtime" },
	{ "clear runtime", "start the figures again from zero" },
	{ NULL, NULL },
};
