/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 shardsec authors
 */

/* Shell commands of the traffic generator: gen start|stop|wait, gen rate,
 * show gen stats [json], clear gen stats. Latency is shown in
 * microseconds (text) or nanoseconds (json), measured from the moment a
 * packet was built to the moment the generator received it back. */

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <cmdline.h>
#include <cmdline_parse.h>
#include <cmdline_parse_num.h>
#include <cmdline_parse_string.h>
#include <rte_cycles.h>

#include "gen.h"
#include "ss_app.h"
#include "ss_shell.h"
#include "ss_shell_token.h"

#define GEN_WAIT_DEFAULT_MS 30000
#define GEN_QUIET_MS 200	/* no packet back for this long: done */


static bool
have_gen(struct cmdline *cl, const char *cmd)
{
	if (ss_app.gen != NULL)
		return true;
	ss_shell_fail(cl, "%s: no traffic generator (the configuration has "
		"no 'gen' section)", cmd);
	return false;
}

/* ---- gen start|stop|wait [ms] --------------------------------------- */

struct cmd_gen_result {
	cmdline_fixed_string_t gen;
	cmdline_fixed_string_t what;
	uint32_t ms;
};

static void
gen_wait(struct cmdline *cl, uint32_t ms)
{
	const uint64_t hz = rte_get_timer_hz();
	const uint64_t end = rte_get_timer_cycles() + hz * ms / 1000;
	const uint64_t quiet = rte_get_tsc_hz() * GEN_QUIET_MS / 1000;
	const struct ss_app_gen *g = ss_app.gen;
	uint8_t i;

	for (i = 0; i < g->cfg.nb_streams; i++)
		if (g->cfg.streams[i].count == 0 &&
				(g->run_mask & (1u << i)) != 0 &&
				ss_app_gen_running(&ss_app)) {
			ss_shell_fail(cl, "gen wait: stream %s has no count: "
				"it runs until 'gen stop'",
				g->cfg.streams[i].name);
			return;
		}
	/* The gateway keeps running while we wait (control work too). */
	while (rte_get_timer_cycles() < end && !ss_app.quit) {
		uint64_t last = ss_app_gen_last_rx(&ss_app);

		if (!ss_app_gen_running(&ss_app) && rte_rdtsc() > last + quiet)
			return;
		if (ss_app_ctl_service(&ss_app) == 0)
			rte_delay_us_sleep(200);
	}
	ss_shell_fail(cl, "gen wait: still %s after %u ms",
		ss_app_gen_running(&ss_app) ? "sending" : "receiving", ms);
}

static void
cmd_gen_parsed(void *parsed, struct cmdline *cl, void *data)
{
	struct cmd_gen_result *r = parsed;
	char cmd[8 + sizeof(r->what)];

	snprintf(cmd, sizeof(cmd), "gen %s", r->what);
	if (!have_gen(cl, cmd))
		return;
	if (strcmp(r->what, "start") == 0) {
		ss_app_gen_start(&ss_app, UINT32_MAX);
		cmdline_printf(cl, "generator started: %u stream(s)\n",
			ss_app.gen->cfg.nb_streams);
	} else if (strcmp(r->what, "stop") == 0) {
		ss_app_gen_stop(&ss_app);
		cmdline_printf(cl, "generator stopped\n");
	} else {
		gen_wait(cl, data != NULL ? r->ms : GEN_WAIT_DEFAULT_MS);
	}
}

static cmdline_parse_token_string_t cmd_gen_gen =
	TOKEN_STRING_INITIALIZER(struct cmd_gen_result, gen, "gen");
static cmdline_parse_token_string_t cmd_gen_what =
	TOKEN_STRING_INITIALIZER(struct cmd_gen_result, what,
		"start#stop#wait");
static cmdline_parse_token_string_t cmd_gen_wait =
	TOKEN_STRING_INITIALIZER(struct cmd_gen_result, what, "wait");
static cmdline_parse_token_num_t cmd_gen_ms =
	TOKEN_NUM_INITIALIZER(struct cmd_gen_result, ms, RTE_UINT32);

static cmdline_parse_inst_t ss_cmd_gen_ctl = {
	.f = cmd_gen_parsed,
	.data = NULL,
	.help_str = "gen start|stop|wait: start or stop every stream, or "
		"wait (30 s at most) until they sent their count and the "
		"last packet came back",
	.tokens = {
		(void *)&cmd_gen_gen,
		(void *)&cmd_gen_what,
		NULL,
	},
};

static cmdline_parse_inst_t ss_cmd_gen_wait_ms = {
	.f = cmd_gen_parsed,
	.data = (void *)1,
	.help_str = "gen wait <ms>: wait at most ms for the streams to "
		"finish and the last packet to come back",
	.tokens = {
		(void *)&cmd_gen_gen,
		(void *)&cmd_gen_wait,
		(void *)&cmd_gen_ms,
		NULL,
	},
};

/* ---- gen start <stream> ------------------------------------------- */

struct cmd_gen_one_result {
	cmdline_fixed_string_t gen;
	cmdline_fixed_string_t start;
	cmdline_fixed_string_t stream;
};

static void
cmd_gen_one_parsed(void *parsed, struct cmdline *cl, void *data)
{
	struct cmd_gen_one_result *r = parsed;
	uint8_t i;

	RTE_SET_USED(data);
	if (!have_gen(cl, "gen start"))
		return;
	for (i = 0; i < ss_app.gen->cfg.nb_streams; i++)
		if (strcmp(ss_app.gen->cfg.streams[i].name, r->stream) == 0)
			break;
	if (i == ss_app.gen->cfg.nb_streams) {
		ss_shell_fail(cl, "gen start: no stream %s", r->stream);
		return;
	}
	ss_app_gen_start(&ss_app, 1u << i);
	cmdline_printf(cl, "generator started: stream %s\n", r->stream);
}

static cmdline_parse_token_string_t cmd_gen_one_gen =
	TOKEN_STRING_INITIALIZER(struct cmd_gen_one_result, gen, "gen");
static cmdline_parse_token_string_t cmd_gen_one_start =
	TOKEN_STRING_INITIALIZER(struct cmd_gen_one_result, start, "start");
static int
list_streams(unsigned int idx, char *buf, size_t len, const void *arg)
{
	RTE_SET_USED(arg);
	if (ss_app.gen == NULL || idx >= ss_app.gen->cfg.nb_streams)
		return -ENOENT;
	snprintf(buf, len, "%s", ss_app.gen->cfg.streams[idx].name);
	return 0;
}

static struct ss_shell_token_choice cmd_gen_one_stream =
	SS_SHELL_TOKEN_CHOICE(struct cmd_gen_one_result, stream, "stream",
		"streams", NULL, list_streams, NULL, NULL);

static cmdline_parse_inst_t ss_cmd_gen_start_one = {
	.f = cmd_gen_one_parsed,
	.help_str = "gen start <stream>: start one stream (by name)",
	.tokens = {
		(void *)&cmd_gen_one_gen,
		(void *)&cmd_gen_one_start,
		(void *)&cmd_gen_one_stream,
		NULL,
	},
};

/* ---- gen rate <pps> ------------------------------------------------ */

struct cmd_gen_rate_result {
	cmdline_fixed_string_t gen;
	cmdline_fixed_string_t rate;
	uint32_t pps;
};

static void
cmd_gen_rate_parsed(void *parsed, struct cmdline *cl, void *data)
{
	struct cmd_gen_rate_result *r = parsed;

	RTE_SET_USED(data);
	if (!have_gen(cl, "gen rate"))
		return;
	ss_app_gen_set_rate(&ss_app, r->pps);
	cmdline_printf(cl, "rate of every stream: %u pps%s\n", r->pps,
		r->pps == 0 ? " (unlimited)" : "");
}

static cmdline_parse_token_string_t cmd_gen_rate_gen =
	TOKEN_STRING_INITIALIZER(struct cmd_gen_rate_result, gen, "gen");
static cmdline_parse_token_string_t cmd_gen_rate_rate =
	TOKEN_STRING_INITIALIZER(struct cmd_gen_rate_result, rate, "rate");
static cmdline_parse_token_num_t cmd_gen_rate_pps =
	TOKEN_NUM_INITIALIZER(struct cmd_gen_rate_result, pps, RTE_UINT32);

static cmdline_parse_inst_t ss_cmd_gen_rate = {
	.f = cmd_gen_rate_parsed,
	.help_str = "gen rate <pps>: packets per second of every stream "
		"(0: unlimited)",
	.tokens = {
		(void *)&cmd_gen_rate_gen,
		(void *)&cmd_gen_rate_rate,
		(void *)&cmd_gen_rate_pps,
		NULL,
	},
};

/* ---- show gen stats [json] ----------------------------------------- */

struct gen_row {
	uint64_t tx, rx, lost, late, wrong_port, bytes, count;
	double p50, p99, p999, min, max, mean;	/* ns */
	double cyc, pps;
};

static void
gen_row(const struct ss_app_gen *g, uint8_t i, struct gen_row *w)
{
	static struct ss_gen_rx_stats rs;	/* 15 KiB: not on the stack */
	const struct ss_app_gen_stream *rt = &g->st[i];
	const double ns = 1e9 / (double)rte_get_tsc_hz();

	ss_app_gen_rx_stats(&ss_app, i, &rs);
	memset(w, 0, sizeof(*w));
	w->tx = rt->tx;
	w->rx = rs.rx;
	w->late = rs.late;
	w->wrong_port = rs.wrong_port;
	w->bytes = rs.bytes;
	w->count = rs.lat.count;
	w->lost = w->tx > w->rx ? w->tx - w->rx : 0;
	w->p50 = (double)ss_gen_hist_quantile(&rs.lat, 0.5) * ns;
	w->p99 = (double)ss_gen_hist_quantile(&rs.lat, 0.99) * ns;
	w->p999 = (double)ss_gen_hist_quantile(&rs.lat, 0.999) * ns;
	w->min = (double)rs.lat.min * ns;
	w->max = (double)rs.lat.max * ns;
	w->mean = rs.lat.count != 0 ?
		(double)rs.lat.sum / (double)rs.lat.count * ns : 0;
	w->cyc = rt->built != 0 ?
		(double)rt->build_cycles / (double)rt->built : 0;
	if (rt->tx > 1 && rt->last_tsc > rt->first_tsc)
		w->pps = (double)(rt->tx - 1) * (double)rte_get_tsc_hz() /
			(double)(rt->last_tsc - rt->first_tsc);
}

static void
show_text(struct cmdline *cl, const struct ss_app_gen *g)
{
	uint64_t frames, nostamp;
	char lcores[64];
	size_t o = 0;
	uint8_t i;

	ss_app_gen_rx_frames(&ss_app, &frames, &nostamp);
	for (i = 0; i < g->cfg.nb_lcores && o < sizeof(lcores); i++)
		o += (size_t)snprintf(lcores + o, sizeof(lcores) - o, "%s%u",
			i == 0 ? "" : ",", g->cfg.lcores[i]);
	cmdline_printf(cl, "generator: %s, lcore %s, %" PRIu64 " frames "
		"received, %" PRIu64 " without a stamp\n",
		ss_app_gen_running(&ss_app) ? "running" : "stopped",
		lcores, frames, nostamp);
	cmdline_printf(cl, "%-10s %-5s %10s %10s %8s %6s %8s %9s %9s %9s "
		"%9s %7s %9s\n", "stream", "proto", "tx", "rx", "lost",
		"late", "tx-drop", "p50-us", "p99-us", "p999-us", "max-us",
		"cyc/pkt", "tx-pps");
	for (i = 0; i < g->cfg.nb_streams; i++) {
		const struct ss_gen_cfg_stream *cs = &g->cfg.streams[i];
		struct gen_row w;

		gen_row(g, i, &w);
		cmdline_printf(cl, "%-10s %-5s %10" PRIu64 " %10" PRIu64
			" %8" PRIu64 " %6" PRIu64 " %8" PRIu64
			" %9.1f %9.1f %9.1f %9.1f %7.0f %9.0f\n", cs->name,
			ss_gen_proto_name(cs->spec.proto), w.tx, w.rx, w.lost,
			w.late, g->st[i].tx_drops + g->st[i].build_fail +
			g->st[i].enc_drops, w.p50 / 1e3, w.p99 / 1e3,
			w.p999 / 1e3, w.max / 1e3, w.cyc, w.pps);
	}
}

static void
show_json(struct cmdline *cl, const struct ss_app_gen *g)
{
	uint64_t frames, nostamp;
	uint8_t i;

	ss_app_gen_rx_frames(&ss_app, &frames, &nostamp);
	cmdline_printf(cl, "{\"running\": %s, \"rx_frames\": %" PRIu64
		", \"nostamp\": %" PRIu64 ", \"tsc_hz\": %" PRIu64
		", \"lcores\": [",
		ss_app_gen_running(&ss_app) ? "true" : "false", frames,
		nostamp, rte_get_tsc_hz());
	for (i = 0; i < g->cfg.nb_lcores; i++)
		cmdline_printf(cl, "%s%u", i == 0 ? "" : ", ",
			g->cfg.lcores[i]);
	cmdline_printf(cl, "], \"streams\": [");
	for (i = 0; i < g->cfg.nb_streams; i++) {
		const struct ss_gen_cfg_stream *cs = &g->cfg.streams[i];
		const struct ss_app_gen_stream *rt = &g->st[i];
		struct gen_row w;

		gen_row(g, i, &w);
		cmdline_printf(cl, "%s{\"name\": \"%s\", \"proto\": \"%s\", "
			"\"lcore\": %u, \"tx\": %" PRIu64 ", \"rx\": %" PRIu64
			", \"lost\": %" PRIu64 ", \"late\": %" PRIu64
			", \"rx_bytes\": %" PRIu64 ", \"wrong_port\": %" PRIu64
			", \"tx_drops\": %" PRIu64
			", \"build_fail\": %" PRIu64 ", \"enc_drops\": %"
			PRIu64 ", \"lat_ns\": {\"count\": %" PRIu64
			", \"min\": %.0f, \"mean\": %.0f, \"p50\": %.0f, "
			"\"p99\": %.0f, \"p999\": %.0f, \"max\": %.0f}, "
			"\"build_cycles_per_pkt\": %.1f, \"tx_pps\": %.0f}",
			i == 0 ? "" : ", ", cs->name,
			ss_gen_proto_name(cs->spec.proto),
			g->cfg.lcores[g->cfg.ports[cs->tx_port].lcore], w.tx,
			w.rx, w.lost, w.late, w.bytes, w.wrong_port,
			rt->tx_drops, rt->build_fail, rt->enc_drops, w.count,
			w.min, w.mean, w.p50, w.p99, w.p999, w.max, w.cyc,
			w.pps);
	}
	cmdline_printf(cl, "]}\n");
}

struct cmd_show_gen_result {
	cmdline_fixed_string_t show;
	cmdline_fixed_string_t gen;
	cmdline_fixed_string_t stats;
	cmdline_fixed_string_t json;
};

static void
cmd_show_gen_parsed(void *parsed, struct cmdline *cl, void *data)
{
	RTE_SET_USED(parsed);
	if (!have_gen(cl, "show gen stats"))
		return;
	if (data != NULL)
		show_json(cl, ss_app.gen);
	else
		show_text(cl, ss_app.gen);
}

static cmdline_parse_token_string_t cmd_show_gen_show =
	TOKEN_STRING_INITIALIZER(struct cmd_show_gen_result, show, "show");
static cmdline_parse_token_string_t cmd_show_gen_gen =
	TOKEN_STRING_INITIALIZER(struct cmd_show_gen_result, gen, "gen");
static cmdline_parse_token_string_t cmd_show_gen_stats =
	TOKEN_STRING_INITIALIZER(struct cmd_show_gen_result, stats, "stats");
static cmdline_parse_token_string_t cmd_show_gen_json =
	TOKEN_STRING_INITIALIZER(struct cmd_show_gen_result, json, "json");

static cmdline_parse_inst_t ss_cmd_show_gen = {
	.f = cmd_show_gen_parsed,
	.data = NULL,
	.help_str = "show gen stats: per stream sent, received, lost, late, "
		"latency percentiles (us), build cycles/packet, rate",
	.tokens = {
		(void *)&cmd_show_gen_show,
		(void *)&cmd_show_gen_gen,
		(void *)&cmd_show_gen_stats,
		NULL,
	},
};

static cmdline_parse_inst_t ss_cmd_show_gen_json = {
	.f = cmd_show_gen_parsed,
	.data = (void *)1,
	.help_str = "show gen stats json: the same as JSON (latency in ns)",
	.tokens = {
		(void *)&cmd_show_gen_show,
		(void *)&cmd_show_gen_gen,
		(void *)&cmd_show_gen_stats,
		(void *)&cmd_show_gen_json,
		NULL,
	},
};

/* ---- clear gen stats ----------------------------------------------- */

struct cmd_clear_gen_result {
	cmdline_fixed_string_t clear;
	cmdline_fixed_string_t gen;
	cmdline_fixed_string_t stats;
};

static void
cmd_clear_gen_parsed(void *parsed, struct cmdline *cl, void *data)
{
	RTE_SET_USED(parsed);
	RTE_SET_USED(data);
	if (!have_gen(cl, "clear gen stats"))
		return;
	if (ss_app_gen_clear(&ss_app) != 0)
		ss_shell_fail(cl, "clear gen stats: the generator lcore did "
			"not answer");
	else
		cmdline_printf(cl, "generator counters cleared\n");
}

static cmdline_parse_token_string_t cmd_clear_gen_clear =
	TOKEN_STRING_INITIALIZER(struct cmd_clear_gen_result, clear, "clear");
static cmdline_parse_token_string_t cmd_clear_gen_gen =
	TOKEN_STRING_INITIALIZER(struct cmd_clear_gen_result, gen, "gen");
static cmdline_parse_token_string_t cmd_clear_gen_stats =
	TOKEN_STRING_INITIALIZER(struct cmd_clear_gen_result, stats, "stats");

static cmdline_parse_inst_t ss_cmd_clear_gen = {
	.f = cmd_clear_gen_parsed,
	.help_str = "clear gen stats: zero the generator's counters",
	.tokens = {
		(void *)&cmd_clear_gen_clear,
		(void *)&cmd_clear_gen_gen,
		(void *)&cmd_clear_gen_stats,
		NULL,
	},
};

cmdline_parse_inst_t *const ss_cmd_gen[] = {
	&ss_cmd_gen_ctl,
	&ss_cmd_gen_wait_ms,
	&ss_cmd_gen_start_one,
	&ss_cmd_gen_rate,
	&ss_cmd_show_gen,
	&ss_cmd_show_gen_json,
	&ss_cmd_clear_gen,
	NULL,
};

const struct ss_shell_help ss_help_gen[] = {
	{ "gen start [<stream>]", "start every stream, or one: each sends "
		"its count (0: until stop)" },
	{ "gen stop", "stop sending" },
	{ "gen wait [<ms>]", "wait until all is sent and nothing came back "
		"for 200 ms (30 s at most by default)" },
	{ "gen rate <pps>", "rate of every stream (0: unlimited)" },
	{ "show gen stats [json]", "per stream: sent, back, lost, late, "
		"latency p50/p99/p999, build cycles/packet" },
	{ "clear gen stats", "zero the generator's counters" },
	{ NULL, NULL },
};
