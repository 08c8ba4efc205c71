/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 shardsec authors
 */

/* Bring-up and teardown of the gateway, shared by the program and the
 * benchmark: configuration, mbuf pool, ports, L3 tables, IPsec dataplane,
 * rings, then the workers. Teardown walks the same list backwards. */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_log.h>
#include <rte_mbuf.h>

#include "ss_app.h"
#include "ss_app_lb.h"
#include "ss_app_macsec.h"

#define APP_LOG(l, ...) rte_log(RTE_LOG_ ## l, RTE_LOGTYPE_USER1, \
	"shardsec: " __VA_ARGS__)

struct ss_app ss_app;

static bool
lcore_enabled(unsigned int lcore)
{
	return rte_lcore_is_enabled(lcore) != 0;
}

/* Each distinct lcore named by a server becomes one worker. */
static int
workers_assign(struct ss_app *app)
{
	const struct ss_config *cfg = &app->cfg;
	unsigned int lcore;
	uint16_t s, w;

	app->nb_workers = 0;
	for (s = 0; s < cfg->nb_servers; s++) {
		for (w = 0; w < app->nb_workers; w++)
			if (app->workers[w].lcore == cfg->servers[s].lcore)
				break;
		if (w == app->nb_workers) {
			if (w == SS_MAX_WORKERS) {
				fprintf(stderr, "shardsec: more than %u worker "
					"lcores\n", SS_MAX_WORKERS);
				return -E2BIG;
			}
			app->workers[w].lcore = cfg->servers[s].lcore;
			app->workers[w].idx = w;
			app->nb_workers++;
		}
		app->workers[w].servers[app->workers[w].nb_servers++] = s;
		app->server_worker[s] = w;
	}
	RTE_LCORE_FOREACH_WORKER(lcore) {
		for (w = 0; w < app->nb_workers; w++)
			if (app->workers[w].lcore == lcore)
				break;
		if (w == app->nb_workers && !ss_app_gen_lcore(app, lcore))
			APP_LOG(WARNING, "lcore %u hosts no server: left idle\n",
				lcore);
	}
	return 0;
}

int
ss_app_config_register(struct ss_app *app)
{
	int ret;

	ret = ss_sa_cfg_register(&app->sacfg);
	if (ret < 0) {
		fprintf(stderr, "shardsec: cannot register 'ipsec': %s\n",
			strerror(-ret));
		return ret;
	}
#ifdef SS_HAVE_IKE
	ret = ss_app_ike_register(app);
	if (ret < 0)
		return ret;
#endif
	ret = ss_app_gen_register(app);
	if (ret < 0)
		return ret;
	ret = ss_app_macsec_register(app);
	if (ret < 0)
		return ret;
	return ss_app_lb_register(app);
}

static int
load_config(const char *path, const char *text)
{
	struct ss_cfg_error err;
	int ret;

	memset(&err, 0, sizeof(err));
	ret = ss_app_config_register(&ss_app);
	if (ret < 0)
		return ret;
	if (path != NULL)
		ret = ss_cfg_load(path, &ss_app.cfg, &err);
	else
		ret = ss_cfg_load_string(text != NULL ? text :
			ss_cfg_default_text, text != NULL ? "<text>" :
			"<embedded default>", &ss_app.cfg, &err);
	if (ret == 0)
		ret = ss_cfg_check_lcores(&ss_app.cfg, lcore_enabled,
			ss_app.main_lcore, &err);
	if (ret < 0) {
		fprintf(stderr, "shardsec: %s\n", err.msg);
		return ret;
	}
	return 0;
}

void
ss_app_teardown(void)
{
	ss_app.quit = true;
	rte_eal_mp_wait_lcore();
	if (ss_app.stats_on_exit)
		ss_app_print_stats(&ss_app, stdout);
	ss_app_gen_fini(&ss_app);
	ss_app_workers_fini(&ss_app);
	ss_app_lb_fini(&ss_app);
	ss_app_servers_fini(&ss_app);
	ss_app_macsec_fini(&ss_app);
#ifdef SS_HAVE_IKE
	ss_app_ike_fini(&ss_app);
#endif
	/* SAs first: an inline one's session lives on its port */
	ss_app_ipsec_fini(&ss_app);
	ss_app_ports_fini(&ss_app);
	ss_net_fini();
	/* their jumbo buffers may have been anywhere above */
	ss_app_reasm_fini(&ss_app);
	ss_app_lb_frag_fini();
	rte_mempool_free(ss_app.pool);
	ss_app.pool = NULL;
	ss_cfg_free(&ss_app.cfg);
}

int
ss_app_setup(const char *cfg_path, const char *cfg_text)
{
	int ret;

	ss_app.main_lcore = rte_get_main_lcore();
	if (load_config(cfg_path, cfg_text) < 0)
		return -EINVAL;
	if (ss_app.cfg.log_level != 0)
		rte_log_set_global_level(ss_app.cfg.log_level);
	if (workers_assign(&ss_app) < 0)
		return -EINVAL;
	ss_app.pool = rte_pktmbuf_pool_create("ss_mbufs", ss_app.cfg.mbufs,
		256, 0, RTE_MBUF_DEFAULT_BUF_SIZE, (int)rte_socket_id());
	if (ss_app.pool == NULL) {
		fprintf(stderr, "shardsec: cannot create a pool of %u mbufs: "
			"%s (raise -m or lower 'mbufs')\n", ss_app.cfg.mbufs,
			rte_strerror(rte_errno));
		return -ENOMEM;
	}
	ret = ss_app_ports_init(&ss_app);
	if (ret < 0)
		return ret;
	ret = ss_net_init(&ss_app.cfg, ss_app.port_id, ss_app.port_mac,
		(int)rte_socket_id());
	if (ret < 0) {
		fprintf(stderr, "shardsec: cannot build the L3 tables: %s\n",
			strerror(-ret));
		return ret;
	}
	ss_net_ctl_set_tx(ss_app_ctl_tx, &ss_app, ss_app.pool);
	ret = ss_app_ipsec_init(&ss_app);
	if (ret < 0) {
		fprintf(stderr, "shardsec: cannot set up the IPsec dataplane\n");
		return ret;
	}
	ret = ss_app_workers_init(&ss_app);
	if (ret < 0)
		return ret;
	ret = ss_app_reasm_init(&ss_app);
	if (ret < 0)
		return ret;
	ret = ss_app_servers_init(&ss_app);
	if (ret < 0)
		return ret;
	ret = ss_app_macsec_init(&ss_app);
	if (ret < 0)
		return ret;
	ret = ss_app_lb_init(&ss_app);
	if (ret < 0) {
		fprintf(stderr, "shardsec: cannot set up the load balancer: "
			"%s\n", strerror(-ret));
		return ret;
	}
	ret = ss_app_gen_init(&ss_app);
	if (ret < 0)
		return ret;
#ifdef SS_HAVE_IKE
	ret = ss_app_ike_init(&ss_app);
	if (ret < 0)
		return ret;
#endif
	ss_app_telemetry_init();
	return 0;
}

int
ss_app_launch(void)
{
	uint16_t w;
	int ret;

	for (w = 0; w < ss_app.nb_workers; w++) {
		ret = rte_eal_remote_launch(ss_app_worker_main,
			&ss_app.workers[w], ss_app.workers[w].lcore);
		if (ret < 0) {
			fprintf(stderr, "shardsec: cannot launch lcore %u: %s\n",
				ss_app.workers[w].lcore, strerror(-ret));
			return ret;
		}
	}
	return ss_app_gen_launch(&ss_app);
}
