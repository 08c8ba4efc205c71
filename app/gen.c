/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 shardsec authors
 */

/* Generator lcores: their own ports (one queue pair each, separate from
 * the gateway's, each polled by one generator lcore), the streams of the
 * "gen" section (each sent by the lcore of its tx port, at its rate), and
 * the accounting of what comes back. They run inside the normal program,
 * beside or instead of a gateway's traffic, so one binary, one config
 * and one shell cover both ends of a test. */

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_dev.h>
#include <rte_ethdev.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_log.h>
#include <rte_malloc.h>

#include "gen.h"
#include "ss_app.h"

#define APP_LOG(l, ...) rte_log(RTE_LOG_ ## l, RTE_LOGTYPE_USER1, \
	"shardsec: gen: " __VA_ARGS__)
#define GEN_NAP_US 20
#define GEN_TX_TRIES 64
#define GEN_DESC 1024

static struct ss_app_gen gen_state;

bool
ss_app_gen_lcore(const struct ss_app *app, unsigned int lcore)
{
	uint8_t i;

	RTE_SET_USED(app);
	for (i = 0; gen_state.cfg.present && i < gen_state.cfg.nb_lcores; i++)
		if (gen_state.cfg.lcores[i] == lcore)
			return true;
	return false;
}

/* The generator lcore (index) that sends stream i. */
static uint8_t
stream_lcore(const struct ss_app_gen *g, uint8_t i)
{
	return g->cfg.ports[g->cfg.streams[i].tx_port].lcore;
}

int
ss_app_gen_register(struct ss_app *app)
{
	int ret;

	RTE_SET_USED(app);
	ret = ss_gen_cfg_register(&gen_state.cfg, &ss_app.sacfg);
	if (ret < 0)
		fprintf(stderr, "shardsec: cannot register 'gen': %s\n",
			strerror(-ret));
	return ret;
}

static int
port_setup(struct ss_app *app, struct ss_app_gen *g, uint8_t i)
{
	const struct ss_gen_cfg_port *cp = &g->cfg.ports[i];
	struct rte_eth_conf conf;
	char name[SS_CFG_DEVARGS_LEN];
	uint16_t pid, rxd = GEN_DESC, txd = GEN_DESC;
	size_t n = strcspn(cp->device, ",");
	int ret;

	snprintf(name, sizeof(name), "%.*s", (int)n, cp->device);
	if (rte_eth_dev_get_port_by_name(name, &pid) != 0) {
		ret = rte_dev_probe(cp->device);
		if ((ret < 0 && ret != -EEXIST) ||
				rte_eth_dev_get_port_by_name(name, &pid) != 0) {
			APP_LOG(ERR, "port %s: cannot probe '%s': %s\n",
				cp->name, cp->device, rte_strerror(-ret));
			return -ENODEV;
		}
	}
	g->port_id[i] = pid;
	if (ss_app_port_index(app, pid) >= 0) {
		APP_LOG(ERR, "port %s: device '%s' is a gateway port\n",
			cp->name, name);
		return -EBUSY;
	}
	memset(&conf, 0, sizeof(conf));
	ret = rte_eth_dev_configure(pid, 1, 1, &conf);
	if (ret == 0)
		ret = rte_eth_dev_adjust_nb_rx_tx_desc(pid, &rxd, &txd);
	if (ret == 0)
		ret = rte_eth_rx_queue_setup(pid, 0, rxd,
			rte_eth_dev_socket_id(pid), NULL, app->pool);
	if (ret == 0)
		ret = rte_eth_tx_queue_setup(pid, 0, txd,
			rte_eth_dev_socket_id(pid), NULL);
	if (ret == 0 && cp->has_mac &&
			rte_eth_dev_default_mac_addr_set(pid,
			(struct rte_ether_addr *)(uintptr_t)&cp->mac) != 0)
		APP_LOG(WARNING, "port %s: cannot set the MAC\n", cp->name);
	if (ret == 0)
		ret = rte_eth_dev_start(pid);
	if (ret < 0) {
		APP_LOG(ERR, "port %s: set-up failed: %s\n", cp->name,
			rte_strerror(-ret));
		return ret;
	}
	g->port_started[i] = true;
	rte_eth_promiscuous_enable(pid);
	rte_eth_macaddr_get(pid, &g->port_mac[i]);
	APP_LOG(INFO, "port %s: port %u " RTE_ETHER_ADDR_PRT_FMT "\n",
		cp->name, pid, RTE_ETHER_ADDR_BYTES(&g->port_mac[i]));
	return 0;
}

static int
esp_setup(struct ss_app *app, struct ss_app_gen_stream *rt,
	const struct ss_gen_cfg_stream *cs)
{
	struct ss_sa_params *in;
	char err[160];
	uint16_t i;
	uint32_t k;

	in = calloc(cs->nb_spis, sizeof(*in));
	if (in == NULL)
		return -ENOMEM;
	/* Key material only from the configuration's SA section. */
	for (i = 0; i < cs->nb_spis; i++)
		for (k = 0; k < app->sacfg.nb_sas; k++)
			if (app->sacfg.sas[k].dir == SS_SA_DIR_IN &&
					app->sacfg.sas[k].spi == cs->spis[i])
				in[i] = app->sacfg.sas[k];
	rt->esp = ss_gen_esp_create(in, cs->nb_spis, (int)rte_socket_id(),
		err, sizeof(err));
	explicit_bzero(in, cs->nb_spis * sizeof(*in));
	free(in);
	if (rt->esp == NULL) {
		APP_LOG(ERR, "stream %s: %s\n", cs->name, err);
		return -EINVAL;
	}
	return 0;
}

int
ss_app_gen_init(struct ss_app *app)
{
	struct ss_app_gen *g = &gen_state;
	uint8_t i;
	int ret;

	if (!g->cfg.present)
		return 0;
	app->gen = g;
	for (i = 0; i < g->cfg.nb_lcores; i++) {
		struct ss_app_gen_lcore *lc = &g->lc[i];

		lc->idx = i;
		lc->lcore = g->cfg.lcores[i];
		if (!rte_lcore_is_enabled(lc->lcore) ||
				lc->lcore == app->main_lcore) {
			fprintf(stderr, "shardsec: gen.lcore %u must be an "
				"enabled lcore other than the main one (use "
				"-l/--lcores)\n", lc->lcore);
			return -EINVAL;
		}
		lc->rx = ss_gen_rx_create((int)rte_socket_id());
		if (lc->rx == NULL)
			return -ENOMEM;
	}
	for (i = 0; i < g->cfg.nb_ports; i++) {
		ret = port_setup(app, g, i);
		if (ret < 0)
			return ret;
	}
	for (i = 0; i < g->cfg.nb_streams; i++) {
		struct ss_gen_cfg_stream *cs = &g->cfg.streams[i];
		struct ss_app_gen_stream *rt = &g->st[i];
		struct ss_gen_spec sp = cs->spec;
		uint8_t l;

		if (sp.proto == SS_GEN_ESP) {
			ret = esp_setup(app, rt, cs);
			if (ret < 0)
				return ret;
			sp.esp = rt->esp;
		}
		sp.src_mac = g->port_mac[cs->tx_port];
		sp.dst_mac = g->cfg.ports[cs->tx_port].peer_mac;
		rt->s = ss_gen_stream_create(&sp, (int)rte_socket_id());
		if (rt->s == NULL) {
			fprintf(stderr, "shardsec: gen stream %s: %s\n",
				cs->name, rte_strerror(rte_errno));
			return -EINVAL;
		}
		rt->rate_req = cs->rate;
		for (l = 0; l < g->cfg.nb_lcores; l++)
			g->lc[l].rx->expect_port[i] = cs->rx_port;
	}
	APP_LOG(INFO, "%u stream(s), %u port(s) on %u lcore(s)\n",
		g->cfg.nb_streams, g->cfg.nb_ports, g->cfg.nb_lcores);
	return 0;
}

/* Zero what lcore lc writes: its streams' counters and its rx context. */
static void
gen_reset(struct ss_app_gen *g, struct ss_app_gen_lcore *lc)
{
	uint8_t i;

	for (i = 0; i < g->cfg.nb_streams; i++) {
		struct ss_app_gen_stream *rt = &g->st[i];

		if (stream_lcore(g, i) != lc->idx)
			continue;
		rt->tx = rt->tx_drops = rt->build_fail = rt->enc_drops = 0;
		rt->build_cycles = rt->built = 0;
		rt->first_tsc = rt->last_tsc = 0;
	}
	ss_gen_rx_reset(lc->rx);
	lc->rx_frames = 0;
}

/* One burst of stream i; returns the packets sent (0 when it is done or
 * has no credit yet). *active tells whether it still has work. */
static uint16_t
gen_tx(struct ss_app *app, struct ss_app_gen *g, uint8_t i, uint64_t now,
	bool *active)
{
	const struct ss_gen_cfg_stream *cs = &g->cfg.streams[i];
	struct ss_app_gen_stream *rt = &g->st[i];
	const uint64_t rate = __atomic_load_n(&rt->rate_req, __ATOMIC_RELAXED);
	struct rte_mbuf *m[SS_GEN_BURST];
	uint64_t t0, enc = 0, want = SS_GEN_BURST;
	uint16_t n, k, sent = 0;
	unsigned int tries = 0;

	if (cs->count != 0) {
		if (rt->run_built >= cs->count)
			return 0;
		want = RTE_MIN(want, cs->count - rt->run_built);
	}
	*active = true;
	if (rate != rt->tb.rate)
		ss_gen_tb_init(&rt->tb, rate, rte_get_tsc_hz(), SS_GEN_BURST,
			now);
	n = (uint16_t)ss_gen_tb_take(&rt->tb, now, (uint32_t)want);
	if (n == 0)
		return 0;
	t0 = rte_rdtsc();
	k = ss_gen_build_burst(rt->s, app->pool, m, n, t0, &enc);
	rt->build_cycles += rte_rdtsc() - t0;
	rt->built += k;
	rt->enc_drops += enc;
	/* ESP refusals count toward 'count'; an empty pool is retried. */
	rt->run_built += k + enc;
	if (k + enc < n)
		rt->build_fail += n - k - enc;
	while (sent < k && tries++ < GEN_TX_TRIES)
		sent += rte_eth_tx_burst(g->port_id[cs->tx_port], 0, m + sent,
			k - sent);
	if (sent < k) {
		rte_pktmbuf_free_bulk(m + sent, k - sent);
		rt->tx_drops += k - sent;
	}
	if (sent != 0) {
		if (rt->first_tsc == 0)
			rt->first_tsc = t0;
		rt->last_tsc = t0;
	}
	rt->tx += sent;
	RTE_SET_USED(app);
	return sent;
}

static int
gen_main(void *arg)
{
	struct ss_app_gen_lcore *lc = arg;
	struct ss_app_gen *g = &gen_state;
	struct ss_app *app = &ss_app;
	uint64_t seen = __atomic_load_n(&g->run_word, __ATOMIC_ACQUIRE) >> 1;
	uint32_t mask = 0;
	uint8_t i;

	__atomic_store_n(&lc->done_seq, seen, __ATOMIC_RELEASE);
	while (!app->quit) {
		struct rte_mbuf *m[SS_GEN_BURST];
		uint64_t now = rte_rdtsc();
		uint64_t word;
		unsigned int work = 0;

		if (__atomic_load_n(&lc->clear_req, __ATOMIC_ACQUIRE)) {
			gen_reset(g, lc);
			__atomic_store_n(&lc->clear_req, false,
				__ATOMIC_RELEASE);
		}
		word = __atomic_load_n(&g->run_word, __ATOMIC_ACQUIRE);
		if ((word >> 1) != seen) {
			/* A new 'gen start': every stream of it sends its
			 * count again. */
			seen = word >> 1;
			mask = __atomic_load_n(&g->run_mask, __ATOMIC_ACQUIRE);
			for (i = 0; i < g->cfg.nb_streams; i++) {
				if (stream_lcore(g, i) != lc->idx)
					continue;
				g->st[i].run_built = 0;
				ss_gen_tb_init(&g->st[i].tb,
					g->st[i].rate_req, rte_get_tsc_hz(),
					SS_GEN_BURST, now);
			}
		}
		if ((word & 1) && lc->done_seq != seen) {
			bool active = false;

			for (i = 0; i < g->cfg.nb_streams; i++)
				if ((mask & (1u << i)) != 0 &&
						stream_lcore(g, i) == lc->idx)
					work += gen_tx(app, g, i, now,
						&active);
			/* All counts of this run sent (for this lcore). */
			if (!active)
				__atomic_store_n(&lc->done_seq, seen,
					__ATOMIC_RELEASE);
		}
		for (i = 0; i < g->cfg.nb_ports; i++) {
			uint16_t n;

			if (g->cfg.ports[i].lcore != lc->idx)
				continue;
			n = rte_eth_rx_burst(g->port_id[i], 0, m,
				SS_GEN_BURST);
			if (n == 0)
				continue;
			now = rte_rdtsc();
			ss_gen_rx_burst(lc->rx, m, n, i, now);
			rte_pktmbuf_free_bulk(m, n);
			lc->rx_frames += n;
			__atomic_store_n(&lc->last_rx_tsc, now,
				__ATOMIC_RELEASE);
			work += n;
		}
		if (work == 0 && !g->cfg.busy)
			rte_delay_us_sleep(GEN_NAP_US);
	}
	return 0;
}

int
ss_app_gen_launch(struct ss_app *app)
{
	uint8_t i;
	int ret;

	for (i = 0; app->gen != NULL && i < app->gen->cfg.nb_lcores; i++) {
		struct ss_app_gen_lcore *lc = &app->gen->lc[i];

		ret = rte_eal_remote_launch(gen_main, lc, lc->lcore);
		if (ret < 0) {
			fprintf(stderr, "shardsec: cannot launch the "
				"generator on lcore %u: %s\n", lc->lcore,
				strerror(-ret));
			return ret;
		}
	}
	return 0;
}

void
ss_app_gen_fini(struct ss_app *app)
{
	struct ss_app_gen *g = app->gen;
	uint8_t i;

	if (g == NULL)
		return;
	for (i = 0; i < SS_GEN_MAX_STREAMS; i++) {
		ss_gen_stream_free(g->st[i].s);
		g->st[i].s = NULL;
		ss_gen_esp_free(g->st[i].esp);	/* wipes its key copies */
		g->st[i].esp = NULL;
	}
	for (i = 0; i < g->cfg.nb_ports; i++) {
		struct rte_eth_dev_info info;
		uint16_t pid = g->port_id[i];

		if (!g->port_started[i] || !rte_eth_dev_is_valid_port(pid))
			continue;
		rte_eth_dev_stop(pid);
		g->port_started[i] = false;
		if (rte_eth_dev_info_get(pid, &info) == 0) {
			rte_eth_dev_close(pid);
			rte_dev_remove(info.device);
		}
	}
	for (i = 0; i < SS_GEN_CFG_MAX_LCORES; i++) {
		ss_gen_rx_free(g->lc[i].rx);
		g->lc[i].rx = NULL;
	}
	app->gen = NULL;
}

/* ---- shell requests ------------------------------------------------ */

int
ss_app_gen_start(struct ss_app *app, uint32_t mask)
{
	struct ss_app_gen *g = app->gen;
	uint64_t old;

	if (g == NULL)
		return -ENOTSUP;
	/* Published before the start that the lcore acquires. */
	__atomic_store_n(&g->run_mask, mask, __ATOMIC_RELEASE);
	old = __atomic_load_n(&g->run_word, __ATOMIC_ACQUIRE);
	while (!__atomic_compare_exchange_n(&g->run_word, &old,
			(((old >> 1) + 1) << 1) | 1, false, __ATOMIC_ACQ_REL,
			__ATOMIC_ACQUIRE))
		;
	return 0;
}

void
ss_app_gen_stop(struct ss_app *app)
{
	if (app->gen != NULL)
		__atomic_and_fetch(&app->gen->run_word, ~1ull,
			__ATOMIC_ACQ_REL);
}

bool
ss_app_gen_running(const struct ss_app *app)
{
	const struct ss_app_gen *g = app->gen;
	uint64_t word;
	uint8_t i;

	if (g == NULL)
		return false;
	word = __atomic_load_n(&g->run_word, __ATOMIC_ACQUIRE);
	if ((word & 1) == 0)
		return false;
	for (i = 0; i < g->cfg.nb_lcores; i++)
		if (__atomic_load_n(&g->lc[i].done_seq, __ATOMIC_ACQUIRE) !=
				word >> 1)
			return true;
	return false;
}

void
ss_app_gen_set_rate(struct ss_app *app, uint64_t pps)
{
	uint8_t i;

	for (i = 0; app->gen != NULL && i < app->gen->cfg.nb_streams; i++)
		__atomic_store_n(&app->gen->st[i].rate_req, pps,
			__ATOMIC_RELAXED);
}

int
ss_app_gen_clear(struct ss_app *app)
{
	struct ss_app_gen *g = app->gen;
	uint64_t end = rte_get_timer_cycles() + rte_get_timer_hz();
	uint8_t i;

	if (g == NULL)
		return -ENOTSUP;
	for (i = 0; i < g->cfg.nb_lcores; i++)
		__atomic_store_n(&g->lc[i].clear_req, true, __ATOMIC_RELEASE);
	for (i = 0; i < g->cfg.nb_lcores; i++)
		while (__atomic_load_n(&g->lc[i].clear_req,
				__ATOMIC_ACQUIRE)) {
			if (rte_get_timer_cycles() > end)
				return -ETIMEDOUT;
			rte_delay_us_sleep(100);
		}
	return 0;
}

void
ss_app_gen_rx_stats(const struct ss_app *app, uint8_t stream,
	struct ss_gen_rx_stats *out)
{
	const struct ss_app_gen *g = app->gen;
	uint8_t i;

	memset(out, 0, sizeof(*out));
	for (i = 0; g != NULL && i < g->cfg.nb_lcores; i++) {
		const struct ss_gen_rx_stats *s = &g->lc[i].rx->st[stream];

		out->rx += s->rx;
		out->wrong_port += s->wrong_port;
		out->bytes += s->bytes;
		out->late += s->late;
		ss_gen_hist_merge(&out->lat, &s->lat);
	}
}

void
ss_app_gen_rx_frames(const struct ss_app *app, uint64_t *frames,
	uint64_t *nostamp)
{
	const struct ss_app_gen *g = app->gen;
	uint8_t i;

	*frames = *nostamp = 0;
	for (i = 0; g != NULL && i < g->cfg.nb_lcores; i++) {
		*frames += g->lc[i].rx_frames;
		*nostamp += g->lc[i].rx->nostamp;
	}
}

uint64_t
ss_app_gen_last_rx(const struct ss_app *app)
{
	const struct ss_app_gen *g = app->gen;
	uint64_t last = 0, t;
	uint8_t i;

	for (i = 0; g != NULL && i < g->cfg.nb_lcores; i++) {
		t = __atomic_load_n(&g->lc[i].last_rx_tsc, __ATOMIC_ACQUIRE);
		if (t > last)
			last = t;
	}
	return last;
}
