/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 shardsec authors
 */

/*
 * 'show runtime': where a worker's cycles go, stage by stage. Workers
 * time each library call on a burst while app->runtime_on is set
 * (worker.c); only they write their counters. 'clear runtime' does not
 * write them either: it keeps a baseline here, on the control lcore, and
 * reads are the difference.
 */

#include <string.h>

#include <rte_cycles.h>

#include "ss_app.h"

static struct ss_runtime_view base[SS_MAX_WORKERS];

static void
raw_read(const struct ss_worker *w, struct ss_runtime_view *v)
{
	unsigned int s;

	for (s = 0; s < SS_STAGE_MAX; s++) {
		v->stage[s].calls = w->stage[s].calls;
		v->stage[s].pkts = w->stage[s].pkts;
		v->stage[s].cycles = w->stage[s].cycles;
	}
	v->busy = w->prof_busy;
	v->polls = w->prof_polls;
}

void
ss_app_runtime_read(const struct ss_app *app, uint16_t worker,
	struct ss_runtime_view *v)
{
	const struct ss_runtime_view *b = &base[worker];
	unsigned int s;

	raw_read(&app->workers[worker], v);
	for (s = 0; s < SS_STAGE_MAX; s++) {
		v->stage[s].calls -= b->stage[s].calls;
		v->stage[s].pkts -= b->stage[s].pkts;
		v->stage[s].cycles -= b->stage[s].cycles;
	}
	v->busy -= b->busy;
	v->polls -= b->polls;
}

void
ss_app_runtime_clear(struct ss_app *app)
{
	uint16_t i;

	for (i = 0; i < app->nb_workers; i++)
		raw_read(&app->workers[i], &base[i]);
	app->runtime_since = rte_rdtsc();
}

void
ss_app_runtime_set(struct ss_app *app, bool on)
{
	/* Turning it on starts a new period; off keeps the figures. */
	if (on && !app->runtime_on)
		ss_app_runtime_clear(app);
	__atomic_store_n(&app->runtime_on, on, __ATOMIC_RELAXED);
}

const char *
ss_app_stage_name(enum ss_stage s)
{
	static const char *const names[SS_STAGE_MAX] = {
		[SS_STAGE_RX] = "rx",
		[SS_STAGE_CLASSIFY] = "classify",
		[SS_STAGE_STEER] = "steer",
		[SS_STAGE_SPD] = "spd",
		[SS_STAGE_ESP_OUT] = "esp-encrypt",
		[SS_STAGE_OUTPUT] = "ip-output",
		[SS_STAGE_ESP_IN] = "esp-decrypt",
		[SS_STAGE_INNER] = "steer-inner",
		[SS_STAGE_FORWARD] = "ip-forward",
		[SS_STAGE_TX] = "tx",
		[SS_STAGE_HANDOFF] = "handoff",
	};

	return (unsigned int)s < SS_STAGE_MAX ? names[s] : "?";
}
