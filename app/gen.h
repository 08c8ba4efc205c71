/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 shardsec authors
 */

#ifndef SS_APP_GEN_H
#define SS_APP_GEN_H

/*
 * The generator lcores' state, shared with the shell commands
 * (shell_gen.c). A stream belongs to the lcore of its tx port, a port to
 * one lcore. The lcores write the counters; the shell only reads them,
 * and asks for changes (start, stop, rate, clear) through the request
 * fields, which the lcores apply between bursts.
 */

#include <stdbool.h>
#include <stdint.h>

#include "ss_gen.h"

struct ss_app;

struct ss_app_gen_stream {
	struct ss_gen_stream *s;
	struct ss_gen_esp *esp;
	struct ss_gen_tb tb;
	uint64_t rate_req;	/* pps asked for (shell), 0: unlimited */
	uint64_t run_built;	/* built in this run (toward 'count') */
	/* counters (lcore) */
	uint64_t tx;		/* handed to the port */
	uint64_t tx_drops;	/* TX queue full */
	uint64_t build_fail;	/* mbuf pool empty */
	uint64_t enc_drops;	/* ESP refused (see show sa on lib/esp) */
	uint64_t build_cycles;	/* TSC spent building, for cycles/packet */
	uint64_t built;
	uint64_t first_tsc;	/* first and last transmission */
	uint64_t last_tsc;
};

/* One generator lcore: the ports it polls (and sends the streams of),
 * its own receive context. */
struct ss_app_gen_lcore {
	uint8_t idx;		/* in cfg.lcores[] */
	unsigned int lcore;
	struct ss_gen_rx *rx;
	uint64_t rx_frames;	/* every frame it received */
	uint64_t last_rx_tsc;
	uint64_t done_seq;	/* last run whose streams it finished */
	bool clear_req;
} __rte_cache_aligned;

struct ss_app_gen {
	struct ss_gen_cfg cfg;
	uint16_t port_id[SS_GEN_CFG_MAX_PORTS];
	bool port_started[SS_GEN_CFG_MAX_PORTS];
	struct rte_ether_addr port_mac[SS_GEN_CFG_MAX_PORTS];
	struct ss_app_gen_stream st[SS_GEN_MAX_STREAMS];
	struct ss_app_gen_lcore lc[SS_GEN_CFG_MAX_LCORES];
	/* requests (shell -> lcores) */
	/* run << 0 | (number of 'gen start's) << 1: one word, so that a
	 * start is never lost to an lcore ending the previous run. */
	uint64_t run_word;
	uint32_t run_mask;	/* streams of the next run (bit i: stream i) */
};

/* shell_gen.c entry points (gen.c) */
/* Start the streams of mask (bit i: stream i). */
int ss_app_gen_start(struct ss_app *app, uint32_t mask);
void ss_app_gen_stop(struct ss_app *app);
bool ss_app_gen_running(const struct ss_app *app);
void ss_app_gen_set_rate(struct ss_app *app, uint64_t pps);
/* Ask for a reset and wait until every lcore did it (1 s at most). */
int ss_app_gen_clear(struct ss_app *app);
/* A stream's receive counters summed over the generator lcores (out is
 * large: 15 KiB of histogram). */
void ss_app_gen_rx_stats(const struct ss_app *app, uint8_t stream,
	struct ss_gen_rx_stats *out);
/* Frames received and frames without a stamp, all lcores. */
void ss_app_gen_rx_frames(const struct ss_app *app, uint64_t *frames,
	uint64_t *nostamp);
/* TSC of the last frame any generator lcore received. */
uint64_t ss_app_gen_last_rx(const struct ss_app *app);

#endif /* SS_APP_GEN_H */
