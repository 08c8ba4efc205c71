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

int
main(int argc, char **argv)
{
	const char *cfg_path = NULL;
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
	if (ss_app_setup(cfg_path, NULL) < 0)
		goto fail;
	if (ss_app.cmdline_file != NULL &&
			ss_shell_script_open(&ss_app, ss_app.cmdline_file) < 0)
		goto fail;
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	if (ss_app_launch() < 0)
		goto fail;
	printf("shardsec: %u port(s), %u server(s) on %u worker lcore(s), "
		"control on lcore %u (%s)\n", ss_app.nb_ports,
		ss_app.cfg.nb_servers, ss_app.nb_workers, ss_app.main_lcore,
		ss_app.cfg.source);
	fflush(stdout);

	ss_app_ctl_loop(&ss_app);

	ss_app_teardown();
	rte_eal_cleanup();
	printf("shardsec: stopped\n");
	return ss_app.exit_status;
fail:
	ss_app_teardown();
	rte_eal_cleanup();
	return 1;
}
