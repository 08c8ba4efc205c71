/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 shardsec authors
 */

/*
 * shardsec [EAL options] -- [-c FILE] [-i] [--cmdline-file FILE]
 *
 * Start-up order: EAL, configuration, mbuf pool, ports, L3 tables, rings,
 * then the workers; the main lcore becomes the control lcore. Shutdown
 * (quit, SIGINT, SIGTERM) walks the same list backwards.
 */

#include <errno.h>
#include <getopt.h>
#include <signal.h>
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
#include "ss_shell.h"

#define APP_LOG(l, ...) rte_log(RTE_LOG_ ## l, RTE_LOGTYPE_USER1, \
	"shardsec: " __VA_ARGS__)

struct ss_app ss_app;

static void
usage(const char *prog)
{
	printf("Usage: %s [EAL options] -- [options]\n"
		"  -c, --config FILE        configuration file (libconfig); "
		"default: the embedded demo config\n"
		"  -i, --interactive        open the shell (after the command "
		"file, if any)\n"
		"  --cmdline-file FILE      run shell commands from FILE, each "
		"echoed with its output;\n"
		"                           without -i, exit afterwards with "
		"status 0 only if all succeeded\n"
		"  --stats-on-exit          print every counter when stopping\n"
		"  --dump-default-config    print the embedded config and exit\n"
		"  -h, --help               this text\n", prog);
}

enum {
	OPT_CMDLINE_FILE = 256,
	OPT_STATS_ON_EXIT,
	OPT_DUMP_DEFAULT,
};

static int
parse_args(int argc, char **argv, const char **cfg_path)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "interactive", no_argument, NULL, 'i' },
		{ "cmdline-file", required_argument, NULL, OPT_CMDLINE_FILE },
		{ "stats-on-exit", no_argument, NULL, OPT_STATS_ON_EXIT },
		{ "dump-default-config", no_argument, NULL, OPT_DUMP_DEFAULT },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int opt;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "c:ih", longopts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			*cfg_path = optarg;
			break;
		case 'i':
			ss_app.interactive = true;
			break;
		case OPT_CMDLINE_FILE:
			ss_app.cmdline_file = optarg;
			break;
		case OPT_STATS_ON_EXIT:
			ss_app.stats_on_exit = true;
			break;
		case OPT_DUMP_DEFAULT:
			fputs(ss_cfg_default_text, stdout);
			return 1;
		case 'h':
			usage(argv[0]);
			return 1;
		default:
			usage(argv[0]);
			return -EINVAL;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "shardsec: unexpected argument '%s'\n",
			argv[optind]);
		return -EINVAL;
	}
	return 0;
}

static void
on_signal(int sig)
{
	RTE_SET_USED(sig);
	ss_app.quit = true;
}

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
		if (w == app->nb_workers)
			APP_LOG(WARNING, "lcore %u hosts no server: left idle\n",
				lcore);
	}
	return 0;
}

static int
load_config(const char *path)
{
	struct ss_cfg_error err;
	int ret;

	memset(&err, 0, sizeof(err));
	ret = ss_sa_cfg_register(&ss_app.sacfg);
	if (ret < 0) {
		fprintf(stderr, "shardsec: cannot register 'ipsec': %s\n",
			strerror(-ret));
		return ret;
	}
	if (path != NULL)
		ret = ss_cfg_load(path, &ss_app.cfg, &err);
	else
		ret = ss_cfg_load_string(ss_cfg_default_text,
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

static void
shutdown_all(void)
{
	ss_app.quit = true;
	rte_eal_mp_wait_lcore();
	if (ss_app.stats_on_exit)
		ss_app_print_stats(&ss_app, stdout);
	ss_app_workers_fini(&ss_app);
	ss_app_ports_fini(&ss_app);
	ss_app_ipsec_fini(&ss_app);
	ss_net_fini();
	rte_mempool_free(ss_app.pool);
	ss_app.pool = NULL;
	ss_cfg_free(&ss_app.cfg);
}

int
main(int argc, char **argv)
{
	const char *cfg_path = NULL;
	uint16_t w;
	int ret;

	ret = rte_eal_init(argc, argv);
	if (ret < 0) {
		fprintf(stderr, "shardsec: cannot initialise EAL: %s\n",
			rte_strerror(rte_errno));
		return 1;
	}
	argc -= ret;
	argv += ret;
	ret = parse_args(argc, argv, &cfg_path);
	if (ret != 0) {
		rte_eal_cleanup();
		return ret > 0 ? 0 : 1;
	}
	ss_app.main_lcore = rte_get_main_lcore();
	if (load_config(cfg_path) < 0)
		goto fail;
	if (ss_app.cfg.log_level != 0)
		rte_log_set_global_level(ss_app.cfg.log_level);
	if (workers_assign(&ss_app) < 0)
		goto fail;

	ss_app.pool = rte_pktmbuf_pool_create("ss_mbufs", ss_app.cfg.mbufs,
		256, 0, RTE_MBUF_DEFAULT_BUF_SIZE, (int)rte_socket_id());
	if (ss_app.pool == NULL) {
		fprintf(stderr, "shardsec: cannot create a pool of %u mbufs: "
			"%s (raise -m or lower 'mbufs')\n", ss_app.cfg.mbufs,
			rte_strerror(rte_errno));
		goto fail;
	}
	if (ss_app_ports_init(&ss_app) < 0)
		goto fail;
	ret = ss_net_init(&ss_app.cfg, ss_app.port_id, ss_app.port_mac,
		(int)rte_socket_id());
	if (ret < 0) {
		fprintf(stderr, "shardsec: cannot build the L3 tables: %s\n",
			strerror(-ret));
		goto fail;
	}
	ss_net_ctl_set_tx(ss_app_ctl_tx, &ss_app, ss_app.pool);
	if (ss_app_ipsec_init(&ss_app) < 0) {
		fprintf(stderr, "shardsec: cannot set up the IPsec dataplane\n");
		goto fail;
	}
	if (ss_app_workers_init(&ss_app) < 0)
		goto fail;
	if (ss_app.cmdline_file != NULL &&
			ss_shell_script_open(&ss_app, ss_app.cmdline_file) < 0)
		goto fail;

	ss_app_telemetry_init();
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);

	for (w = 0; w < ss_app.nb_workers; w++) {
		ret = rte_eal_remote_launch(ss_app_worker_main,
			&ss_app.workers[w], ss_app.workers[w].lcore);
		if (ret < 0) {
			fprintf(stderr, "shardsec: cannot launch lcore %u: %s\n",
				ss_app.workers[w].lcore, strerror(-ret));
			goto fail;
		}
	}
	printf("shardsec: %u port(s), %u server(s) on %u worker lcore(s), "
		"control on lcore %u (%s)\n", ss_app.nb_ports,
		ss_app.cfg.nb_servers, ss_app.nb_workers, ss_app.main_lcore,
		ss_app.cfg.source);
	fflush(stdout);

	ss_app_ctl_loop(&ss_app);

	shutdown_all();
	rte_eal_cleanup();
	printf("shardsec: stopped\n");
	return ss_app.exit_status;
fail:
	shutdown_all();
	rte_eal_cleanup();
	return 1;
}
