/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 shardsec authors
 */

/* The testpmd-style shell (rte_cmdline), interactive or from a script.
 * Commands run on the control lcore, between its other duties, so a slow
 * terminal never stalls a worker. */

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <unistd.h>

#include <cmdline.h>
#include <cmdline_parse.h>
#include <cmdline_parse_num.h>
#include <cmdline_parse_string.h>
#include <cmdline_rdline.h>
#include <cmdline_socket.h>
#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>

#include "ss_app.h"
#include "ss_shell.h"

#define PROMPT "shardsec> "

/* Set by a command that failed, so that a script knows. */
static int cmd_failed;

void
ss_shell_fail(struct cmdline *cl, const char *fmt, ...)
{
	va_list ap;
	char buf[512];

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	cmdline_printf(cl, "error: %s\n", buf);
	cmd_failed = 1;
}

int
ss_shell_port_arg(struct cmdline *cl, const char *arg, uint8_t *port)
{
	char *end;
	unsigned long v;
	uint8_t i;

	for (i = 0; i < ss_app.nb_ports; i++) {
		if (strcmp(arg, ss_app.cfg.ports[i].name) == 0) {
			*port = i;
			return 0;
		}
	}
	v = strtoul(arg, &end, 10);
	if (*arg == '\0' || *end != '\0' || v >= ss_app.nb_ports) {
		ss_shell_fail(cl, "no port '%s' (ports 0..%u or a port name)",
			arg, ss_app.nb_ports - 1);
		return -EINVAL;
	}
	*port = (uint8_t)v;
	return 0;
}

/* ---- show port stats / clear port stats ---------------------------- */

static void
port_stats_one(struct cmdline *cl, uint8_t i)
{
	struct rte_eth_stats s;
	uint16_t pid = ss_app.port_id[i];

	if (rte_eth_stats_get(pid, &s) != 0) {
		ss_shell_fail(cl, "cannot read stats of port %u", i);
		return;
	}
	cmdline_printf(cl,
		"\n  ######################## NIC statistics for port %-2u (%s) "
		"########################\n", i, ss_app.cfg.ports[i].name);
	cmdline_printf(cl, "  RX-packets: %-14" PRIu64 " RX-missed: %-14"
		PRIu64 " RX-bytes:  %" PRIu64 "\n", s.ipackets, s.imissed,
		s.ibytes);
	cmdline_printf(cl, "  RX-errors:  %-14" PRIu64 " RX-nombuf: %" PRIu64
		"\n", s.ierrors, s.rx_nombuf);
	cmdline_printf(cl, "  TX-packets: %-14" PRIu64 " TX-errors: %-14"
		PRIu64 " TX-bytes:  %" PRIu64 "\n", s.opackets, s.oerrors,
		s.obytes);
	cmdline_printf(cl, "  ##########################################"
		"##################################################\n");
}

struct cmd_port_stats_result {
	cmdline_fixed_string_t show;
	cmdline_fixed_string_t port;
	cmdline_fixed_string_t stats;
	cmdline_fixed_string_t which;
};

static void
cmd_port_stats_parsed(void *parsed, struct cmdline *cl, void *data)
{
	struct cmd_port_stats_result *r = parsed;
	const bool clear = strcmp(r->show, "clear") == 0;
	uint8_t i, p;

	RTE_SET_USED(data);
	if (strcmp(r->which, "all") != 0) {
		if (ss_shell_port_arg(cl, r->which, &p) < 0)
			return;
		if (clear) {
			rte_eth_stats_reset(ss_app.port_id[p]);
			cmdline_printf(cl, "  NIC statistics for port %u "
				"cleared\n", p);
		} else {
			port_stats_one(cl, p);
		}
		return;
	}
	for (i = 0; i < ss_app.nb_ports; i++) {
		if (clear) {
			rte_eth_stats_reset(ss_app.port_id[i]);
			cmdline_printf(cl, "  NIC statistics for port %u "
				"cleared\n", i);
		} else {
			port_stats_one(cl, i);
		}
	}
}

static cmdline_parse_token_string_t cmd_port_stats_show =
	TOKEN_STRING_INITIALIZER(struct cmd_port_stats_result, show,
		"show#clear");
static cmdline_parse_token_string_t cmd_port_stats_port =
	TOKEN_STRING_INITIALIZER(struct cmd_port_stats_result, port, "port");
static cmdline_parse_token_string_t cmd_port_stats_stats =
	TOKEN_STRING_INITIALIZER(struct cmd_port_stats_result, stats, "stats");
static cmdline_parse_token_string_t cmd_port_stats_which =
	TOKEN_STRING_INITIALIZER(struct cmd_port_stats_result, which, NULL);

static cmdline_parse_inst_t cmd_port_stats = {
	.f = cmd_port_stats_parsed,
	.help_str = "show|clear port stats all|<port_id>|<port_name>: "
		"NIC counters of one port or all",
	.tokens = {
		(void *)&cmd_port_stats_show,
		(void *)&cmd_port_stats_port,
		(void *)&cmd_port_stats_stats,
		(void *)&cmd_port_stats_which,
		NULL,
	},
};

/* ---- show port info ------------------------------------------------ */

struct cmd_port_info_result {
	cmdline_fixed_string_t show;
	cmdline_fixed_string_t port;
	cmdline_fixed_string_t info;
	cmdline_fixed_string_t which;
};

static void
cmd_port_info_parsed(void *parsed, struct cmdline *cl, void *data)
{
	struct cmd_port_info_result *r = parsed;
	const struct ss_cfg_port *cp;
	struct rte_eth_dev_info info;
	struct rte_eth_link link;
	char name[RTE_ETH_NAME_MAX_LEN];
	char abuf[INET6_ADDRSTRLEN + 8];
	uint16_t pid, mtu = 0;
	uint8_t p, a;

	RTE_SET_USED(data);
	if (ss_shell_port_arg(cl, r->which, &p) < 0)
		return;
	cp = &ss_app.cfg.ports[p];
	pid = ss_app.port_id[p];
	if (rte_eth_dev_info_get(pid, &info) != 0) {
		ss_shell_fail(cl, "cannot read info of port %u", p);
		return;
	}
	rte_eth_dev_get_name_by_port(pid, name);
	rte_eth_link_get_nowait(pid, &link);
	rte_eth_dev_get_mtu(pid, &mtu);
	cmdline_printf(cl, "\n********************* Infos for port %-2u "
		"*********************\n", p);
	cmdline_printf(cl, "Name: %s\nDevice: %s (DPDK port %u)\nDriver: %s\n",
		cp->name, name, pid, info.driver_name);
	cmdline_printf(cl, "MAC address: " RTE_ETHER_ADDR_PRT_FMT "\n",
		RTE_ETHER_ADDR_BYTES(&ss_app.port_mac[p]));
	cmdline_printf(cl, "Link status: %s\nLink speed: %u Mbps\n",
		link.link_status ? "up" : "down", link.link_speed);
	cmdline_printf(cl, "MTU: %u (configured %u)\n", mtu, cp->mtu);
	cmdline_printf(cl, "Queues: %u rx / %u tx (workers 0..%u, control %u)\n",
		ss_app.nb_workers + 1, ss_app.nb_workers + 1,
		ss_app.nb_workers - 1, ss_app.nb_workers);
	cmdline_printf(cl, "Promiscuous mode: %s\n",
		rte_eth_promiscuous_get(pid) == 1 ? "enabled" : "disabled");
	for (a = 0; a < cp->nb_addrs; a++)
		cmdline_printf(cl, "Address: %s/%u\n",
			ss_ipaddr_str(&cp->addrs[a].addr, abuf, sizeof(abuf)),
			cp->addrs[a].len);
}

static cmdline_parse_token_string_t cmd_port_info_show =
	TOKEN_STRING_INITIALIZER(struct cmd_port_info_result, show, "show");
static cmdline_parse_token_string_t cmd_port_info_port =
	TOKEN_STRING_INITIALIZER(struct cmd_port_info_result, port, "port");
static cmdline_parse_token_string_t cmd_port_info_info =
	TOKEN_STRING_INITIALIZER(struct cmd_port_info_result, info, "info");
static cmdline_parse_token_string_t cmd_port_info_which =
	TOKEN_STRING_INITIALIZER(struct cmd_port_info_result, which, NULL);

static cmdline_parse_inst_t cmd_port_info = {
	.f = cmd_port_info_parsed,
	.help_str = "show port info <port_id>|<port_name>: driver, MAC, link, "
		"MTU, queues, addresses",
	.tokens = {
		(void *)&cmd_port_info_show,
		(void *)&cmd_port_info_port,
		(void *)&cmd_port_info_info,
		(void *)&cmd_port_info_which,
		NULL,
	},
};

/* ---- single-word "show X" commands --------------------------------- */

struct cmd_show_result {
	cmdline_fixed_string_t show;
	cmdline_fixed_string_t what;
};

static void
show_lcores(struct cmdline *cl)
{
	uint16_t i, k;

	cmdline_printf(cl, "%-6s %-10s %-12s %14s %14s %10s %10s %8s\n",
		"lcore", "role", "servers", "rx", "tx", "punted", "handoff",
		"busy%");
	cmdline_printf(cl, "%-6u %-10s %-12s %14" PRIu64 " %14" PRIu64
		" %10" PRIu64 " %10" PRIu64 " %8s\n", ss_app.main_lcore,
		"control", "-", ss_app.ctl.rx_pkts, ss_app.ctl.tx_pkts,
		ss_app.ctl.punt_rx, ss_app.ctl.handoff_tx, "-");
	for (i = 0; i < ss_app.nb_workers; i++) {
		const struct ss_worker *w = &ss_app.workers[i];
		char ids[64] = "";
		size_t off = 0;
		char role[16];

		for (k = 0; k < w->nb_servers && off < sizeof(ids) - 8; k++)
			off += snprintf(ids + off, sizeof(ids) - off, "%s%u",
				k == 0 ? "" : ",",
				ss_app.cfg.servers[w->servers[k]].id);
		snprintf(role, sizeof(role), "worker %u", i);
		cmdline_printf(cl, "%-6u %-10s %-12s %14" PRIu64 " %14" PRIu64
			" %10" PRIu64 " %10" PRIu64 " %7.1f%%\n", w->lcore,
			role, ids, w->st.rx_pkts, w->st.tx_pkts,
			w->st.punted, w->st.handoff_tx,
			w->st.polls == 0 ? 0.0 :
			100.0 * (double)w->st.busy_polls /
			(double)w->st.polls);
	}
}

static int
neigh_cb(const struct ss_net_neigh_info *n, void *arg)
{
	struct cmdline *cl = arg;
	char abuf[INET6_ADDRSTRLEN + 8];

	cmdline_printf(cl, "%-40s " RTE_ETHER_ADDR_PRT_FMT " %-10s %-11s %6u"
		" %10" PRIu64 "\n",
		ss_ipaddr_str(&n->ip, abuf, sizeof(abuf)),
		RTE_ETHER_ADDR_BYTES(&n->mac), ss_app.cfg.ports[n->port].name,
		n->state, n->held, n->age_ms);
	return 0;
}

static int
route_cb(const struct ss_net_route_info *r, void *arg)
{
	struct cmdline *cl = arg;
	char dbuf[INET6_ADDRSTRLEN + 8], vbuf[INET6_ADDRSTRLEN + 8];
	char pfx[INET6_ADDRSTRLEN + 16];

	snprintf(pfx, sizeof(pfx), "%s/%u",
		ss_ipaddr_str(&r->dst.addr, dbuf, sizeof(dbuf)), r->dst.len);
	cmdline_printf(cl, "%-44s %-40s %-10s %s\n", pfx,
		r->has_via ? ss_ipaddr_str(&r->via, vbuf, sizeof(vbuf)) :
		"on-link", ss_app.cfg.ports[r->port].name, r->type);
	return 0;
}

static void
show_stats(struct cmdline *cl)
{
	struct ss_net_stats sum;
	uint64_t v[16] = { 0 };
	uint16_t i;
	int d;

	memset(&sum, 0, sizeof(sum));
	ss_net_stats_add(&sum, &ss_app.ctl_net);
	for (i = 0; i < ss_app.nb_workers; i++) {
		const struct ss_worker_stats *s = &ss_app.workers[i].st;

		ss_net_stats_add(&sum, &ss_app.workers[i].net);
		v[0] += s->rx_pkts;
		v[1] += s->tx_pkts;
		v[2] += s->tx_drops;
		v[3] += s->punted;
		v[4] += s->punt_drops;
		v[5] += s->handoff_tx;
		v[6] += s->handoff_drops;
		v[7] += s->esp_no_spi;
		v[8] += s->srv_gone;
	}
	cmdline_printf(cl, "workers:\n");
	cmdline_printf(cl, "  %-24s %" PRIu64 "\n", "rx", v[0]);
	cmdline_printf(cl, "  %-24s %" PRIu64 "\n", "tx", v[1]);
	cmdline_printf(cl, "  %-24s %" PRIu64 "\n", "tx_queue_full", v[2]);
	cmdline_printf(cl, "  %-24s %" PRIu64 "\n", "punted", v[3]);
	cmdline_printf(cl, "  %-24s %" PRIu64 "\n", "punt_ring_full", v[4]);
	cmdline_printf(cl, "  %-24s %" PRIu64 "\n", "handoff", v[5]);
	cmdline_printf(cl, "  %-24s %" PRIu64 "\n", "handoff_ring_full", v[6]);
	cmdline_printf(cl, "  %-24s %" PRIu64 "\n", "esp_no_spi", v[7]);
	cmdline_printf(cl, "  %-24s %" PRIu64 "\n", "server_gone", v[8]);
	cmdline_printf(cl, "control:\n");
	cmdline_printf(cl, "  %-24s %" PRIu64 "\n", "rx", ss_app.ctl.rx_pkts);
	cmdline_printf(cl, "  %-24s %" PRIu64 "\n", "punt_rx",
		ss_app.ctl.punt_rx);
	cmdline_printf(cl, "  %-24s %" PRIu64 "\n", "tx", ss_app.ctl.tx_pkts);
	cmdline_printf(cl, "  %-24s %" PRIu64 "\n", "tx_drops",
		ss_app.ctl.tx_drops);
	cmdline_printf(cl, "  %-24s %" PRIu64 "\n", "unhandled",
		ss_app.ctl.unhandled);
	cmdline_printf(cl, "  %-24s %" PRIu64 "\n", "icmp_too_big_sent",
		ss_app.ctl.icmp_too_big);
	cmdline_printf(cl, "  %-24s %" PRIu64 "\n", "too_big_dropped",
		ss_app.ctl.too_big_dropped);
	memset(v, 0, sizeof(v));
	cmdline_printf(cl, "esp (all servers):\n");
	{
		uint64_t esp[SS_SA_DROP_MAX] = { 0 };
		struct ss_esp_stats es;
		uint16_t s;

		for (s = 0; s < ss_app.cfg.nb_servers; s++) {
			if (ss_app.esp[s] == NULL)
				continue;
			ss_esp_server_stats(ss_app.esp[s], &es);
			v[0] += es.in_packets;
			v[1] += es.out_packets;
			for (d = 0; d < SS_SA_DROP_MAX; d++)
				esp[d] += es.drops[d];
		}
		cmdline_printf(cl, "  %-24s %" PRIu64 "\n", "decrypted", v[0]);
		cmdline_printf(cl, "  %-24s %" PRIu64 "\n", "encrypted", v[1]);
		for (d = 0; d < SS_SA_DROP_MAX; d++)
			cmdline_printf(cl, "  %-24s %" PRIu64 "\n",
				ss_sa_drop_name(d), esp[d]);
	}
	cmdline_printf(cl, "steering (all lcores):\n");
	{
		struct ss_steer_stats t;
		unsigned int k;

		memset(&t, 0, sizeof(t));
		for (i = 0; i < ss_app.nb_workers; i++) {
			const struct ss_steer_stats *o =
				&ss_app.workers[i].steer;

			for (k = 0; k < SS_STEER_KIND_MAX; k++)
				t.kind[k] += o->kind[k];
			t.noid_gtpu += o->noid_gtpu;
			t.noid_sctp += o->noid_sctp;
			t.unknown_id += o->unknown_id;
		}
		for (k = 0; k < SS_STEER_KIND_MAX; k++)
			cmdline_printf(cl, "  steer_%-18s %" PRIu64 "\n",
				ss_steer_kind_name(k), t.kind[k]);
		cmdline_printf(cl, "  %-24s %" PRIu64 "\n", "noid_gtpu",
			t.noid_gtpu);
		cmdline_printf(cl, "  %-24s %" PRIu64 "\n", "noid_sctp",
			t.noid_sctp);
		cmdline_printf(cl, "  %-24s %" PRIu64 "\n", "unknown_id",
			t.unknown_id);
	}
	cmdline_printf(cl, "drops (all lcores):\n");
	for (d = 0; d < SS_NET_DROP_MAX; d++)
		cmdline_printf(cl, "  %-24s %" PRIu64 "\n",
			ss_net_drop_names[d], sum.drop[d]);
}

/* The configuration with the servers as they are now (server add/del
 * leave removed indexes in cfg.servers[]): dumped from a shallow copy. */
static void
show_config(FILE *f)
{
	struct ss_config *c = malloc(sizeof(*c));
	uint16_t s, n = 0;

	if (c == NULL) {
		ss_cfg_dump(&ss_app.cfg, f);
		return;
	}
	memcpy(c, &ss_app.cfg, sizeof(*c));
	for (s = 0; s < ss_app.cfg.nb_servers; s++)
		if (ss_app.srv_live[s])
			c->servers[n++] = ss_app.cfg.servers[s];
	c->nb_servers = n;
	ss_cfg_dump(c, f);
	free(c);
}

static void
cmd_show_parsed(void *parsed, struct cmdline *cl, void *data)
{
	struct cmd_show_result *r = parsed;
	FILE *f;
	char *buf = NULL;
	size_t len = 0;

	RTE_SET_USED(data);
	if (strcmp(r->what, "config") == 0) {
		f = open_memstream(&buf, &len);
		if (f == NULL) {
			ss_shell_fail(cl, "out of memory");
			return;
		}
		show_config(f);
		fclose(f);
		/* cmdline_printf truncates long strings; the shell's output
		 * is stdout in every mode. */
		if (write(STDOUT_FILENO, buf, len) < 0)
			cmd_failed = 1;
		free(buf);
	} else if (strcmp(r->what, "lcores") == 0) {
		show_lcores(cl);
	} else if (strcmp(r->what, "neigh") == 0) {
		cmdline_printf(cl, "%-40s %-17s %-10s %-11s %6s %10s\n",
			"address", "mac", "port", "state", "held", "age_ms");
		ss_net_neigh_walk(neigh_cb, cl);
	} else if (strcmp(r->what, "route") == 0) {
		cmdline_printf(cl, "%-44s %-40s %-10s %s\n", "destination",
			"via", "port", "type");
		ss_net_route_walk(route_cb, cl);
	} else if (strcmp(r->what, "stats") == 0) {
		show_stats(cl);
	}
}

static cmdline_parse_token_string_t cmd_show_show =
	TOKEN_STRING_INITIALIZER(struct cmd_show_result, show, "show");
static cmdline_parse_token_string_t cmd_show_what =
	TOKEN_STRING_INITIALIZER(struct cmd_show_result, what,
		"config#lcores#neigh#route#stats");

static cmdline_parse_inst_t cmd_show = {
	.f = cmd_show_parsed,
	.help_str = "show config|lcores|neigh|route|stats: effective "
		"configuration, lcore roles, neighbour table, routing table, "
		"per-reason counters",
	.tokens = {
		(void *)&cmd_show_show,
		(void *)&cmd_show_what,
		NULL,
	},
};

/* ---- clear stats --------------------------------------------------- */

struct cmd_clear_result {
	cmdline_fixed_string_t clear;
	cmdline_fixed_string_t stats;
};

static void
cmd_clear_parsed(void *parsed, struct cmdline *cl, void *data)
{
	uint16_t i;

	RTE_SET_USED(parsed);
	RTE_SET_USED(data);
	/* Counters are written by their own lcore only; a clear racing with
	 * a worker can lose an increment, which is what every DPDK app's
	 * clear does too. */
	for (i = 0; i < ss_app.nb_workers; i++) {
		memset(&ss_app.workers[i].st, 0, sizeof(ss_app.workers[i].st));
		memset(&ss_app.workers[i].net, 0,
			sizeof(ss_app.workers[i].net));
	}
	memset(&ss_app.ctl, 0, sizeof(ss_app.ctl));
	memset(&ss_app.ctl_net, 0, sizeof(ss_app.ctl_net));
	memset(ss_app.srv, 0, sizeof(ss_app.srv));
	for (i = 0; i < ss_app.nb_ports; i++)
		rte_eth_stats_reset(ss_app.port_id[i]);
	cmdline_printf(cl, "  all statistics cleared\n");
}

static cmdline_parse_token_string_t cmd_clear_clear =
	TOKEN_STRING_INITIALIZER(struct cmd_clear_result, clear, "clear");
static cmdline_parse_token_string_t cmd_clear_stats =
	TOKEN_STRING_INITIALIZER(struct cmd_clear_result, stats, "stats");

static cmdline_parse_inst_t cmd_clear = {
	.f = cmd_clear_parsed,
	.help_str = "clear stats: zero every software and NIC counter",
	.tokens = {
		(void *)&cmd_clear_clear,
		(void *)&cmd_clear_stats,
		NULL,
	},
};

/* ---- sleep (scripts) ----------------------------------------------- */

struct cmd_sleep_result {
	cmdline_fixed_string_t sleep;
	uint32_t ms;
};

static uint64_t sleep_until;

static void
cmd_sleep_parsed(void *parsed, struct cmdline *cl, void *data)
{
	struct cmd_sleep_result *r = parsed;

	RTE_SET_USED(cl);
	RTE_SET_USED(data);
	/* The control loop keeps running while a script sleeps. */
	sleep_until = rte_get_timer_cycles() +
		rte_get_timer_hz() * r->ms / 1000;
}

static cmdline_parse_token_string_t cmd_sleep_sleep =
	TOKEN_STRING_INITIALIZER(struct cmd_sleep_result, sleep, "sleep");
static cmdline_parse_token_num_t cmd_sleep_ms =
	TOKEN_NUM_INITIALIZER(struct cmd_sleep_result, ms, RTE_UINT32);

static cmdline_parse_inst_t cmd_sleep = {
	.f = cmd_sleep_parsed,
	.help_str = "sleep <ms>: pause a script while the gateway runs",
	.tokens = {
		(void *)&cmd_sleep_sleep,
		(void *)&cmd_sleep_ms,
		NULL,
	},
};

/* ---- quit ---------------------------------------------------------- */

struct cmd_quit_result {
	cmdline_fixed_string_t quit;
};

static void
cmd_quit_parsed(void *parsed, struct cmdline *cl, void *data)
{
	RTE_SET_USED(parsed);
	RTE_SET_USED(data);
	ss_app.quit = true;
	cmdline_quit(cl);
}

static cmdline_parse_token_string_t cmd_quit_quit =
	TOKEN_STRING_INITIALIZER(struct cmd_quit_result, quit, "quit");

static cmdline_parse_inst_t cmd_quit = {
	.f = cmd_quit_parsed,
	.help_str = "quit: stop the ports and exit",
	.tokens = {
		(void *)&cmd_quit_quit,
		NULL,
	},
};

/* ---- help ---------------------------------------------------------- */

struct cmd_help_result {
	cmdline_fixed_string_t help;
	cmdline_fixed_string_t group;
};

struct help_group {
	const char *name;
	const char *what;
	const char *const *lines;
};

static const char *const help_ports[] = {
	"show port stats all|<port>    NIC counters (port id or name)",
	"clear port stats all|<port>   zero NIC counters",
	"show port info <port>         driver, MAC, link, MTU, queues, addresses",
	NULL,
};
static const char *const help_l3[] = {
	"show neigh                    neighbour table (ARP / ND)",
	"show route                    routing table (connected and static)",
	NULL,
};
static const char *const help_ipsec[] = {
	"show sa [<spi>]               SAs: SPI, instance-id, server, algorithm, counters",
	"show servers                  per server: lcore, SAs, handed-over, re-steered",
	"show spd                      security policies with hit counters",
	"sa del in|out <spi>           delete an SA (keys wiped after RCU)",
	"server add <id> <lcore>       add a server on a worker lcore (+1 pair per IKE tunnel)",
	"server del <id>               remove a server, delete its SAs",
	"show sa|servers|ports json    the counters as JSON, for scripts",
	NULL,
};
static const char *const help_system[] = {
	"show config                   effective configuration (no keys)",
	"show lcores                   lcore roles, servers, rx/tx, busy%",
	"show stats                    every counter, drops by reason",
	"clear stats                   zero every counter",
	"sleep <ms>                    pause a command script",
	"help [ports|l3|ipsec|system]  this text",
	"quit                          stop the ports and exit",
	NULL,
};
#ifdef SS_HAVE_IKE
extern const char *const ss_help_ike[];	/* shell_ike.c */
#endif
static const struct help_group help_groups[] = {
	{ "ports", "port statistics and information", help_ports },
	{ "l3", "neighbours and routes", help_l3 },
	{ "ipsec", "SAs, servers, policies", help_ipsec },
#ifdef SS_HAVE_IKE
	{ "ike", "IKEv2 peers, IKE and Child SAs", ss_help_ike },
#endif
	{ "system", "configuration, lcores, counters, scripts", help_system },
};

static void
help_print(struct cmdline *cl, const struct help_group *g)
{
	unsigned int i;

	cmdline_printf(cl, "\n%s: %s\n", g->name, g->what);
	for (i = 0; g->lines[i] != NULL; i++)
		cmdline_printf(cl, "  %s\n", g->lines[i]);
}

static void
cmd_help_parsed(void *parsed, struct cmdline *cl, void *data)
{
	struct cmd_help_result *r = parsed;
	unsigned int i;

	RTE_SET_USED(data);
	for (i = 0; i < RTE_DIM(help_groups); i++) {
		if (data == NULL && strcmp(r->group, help_groups[i].name) != 0)
			continue;
		help_print(cl, &help_groups[i]);
	}
}

static cmdline_parse_token_string_t cmd_help_help =
	TOKEN_STRING_INITIALIZER(struct cmd_help_result, help, "help");
static cmdline_parse_token_string_t cmd_help_group =
	TOKEN_STRING_INITIALIZER(struct cmd_help_result, group,
		"ports#l3#ipsec#ike#system");

static cmdline_parse_inst_t cmd_help_all = {
	.f = cmd_help_parsed,
	.data = (void *)1,
	.help_str = "help: list every command group",
	.tokens = {
		(void *)&cmd_help_help,
		NULL,
	},
};

static cmdline_parse_inst_t cmd_help_one = {
	.f = cmd_help_parsed,
	.data = NULL,
	.help_str = "help ports|l3|ipsec|system: the commands of one group",
	.tokens = {
		(void *)&cmd_help_help,
		(void *)&cmd_help_group,
		NULL,
	},
};

extern cmdline_parse_inst_t ss_cmd_show_sa_all;
extern cmdline_parse_inst_t ss_cmd_show_sa_one;
extern cmdline_parse_inst_t ss_cmd_show_servers_spd;
extern cmdline_parse_inst_t ss_cmd_sa_del;
extern cmdline_parse_inst_t ss_cmd_show_json;
extern cmdline_parse_inst_t ss_cmd_server_add;	/* shell_server.c */
extern cmdline_parse_inst_t ss_cmd_server_del;
#ifdef SS_HAVE_IKE
/* NULL-terminated, from shell_ike.c */
extern cmdline_parse_inst_t *const ss_cmd_ike[];
#endif

static cmdline_parse_ctx_t base_ctx[] = {
	(cmdline_parse_inst_t *)&cmd_help_all,
	(cmdline_parse_inst_t *)&cmd_help_one,
	(cmdline_parse_inst_t *)&cmd_port_stats,
	(cmdline_parse_inst_t *)&cmd_port_info,
	(cmdline_parse_inst_t *)&cmd_show,
	(cmdline_parse_inst_t *)&cmd_clear,
	&ss_cmd_show_sa_all,
	&ss_cmd_show_sa_one,
	&ss_cmd_show_servers_spd,
	&ss_cmd_sa_del,
	&ss_cmd_show_json,
	&ss_cmd_server_add,
	&ss_cmd_server_del,
	(cmdline_parse_inst_t *)&cmd_sleep,
	(cmdline_parse_inst_t *)&cmd_quit,
	NULL,
};

/* The commands of every subsystem, gathered once. */
static cmdline_parse_ctx_t main_ctx[96];

static void
ctx_init(void)
{
	unsigned int n = 0, i;

	if (main_ctx[0] != NULL)
		return;
	for (i = 0; base_ctx[i] != NULL; i++)
		main_ctx[n++] = base_ctx[i];
#ifdef SS_HAVE_IKE
	for (i = 0; ss_cmd_ike[i] != NULL && n < RTE_DIM(main_ctx) - 1; i++)
		main_ctx[n++] = ss_cmd_ike[i];
#endif
	main_ctx[n] = NULL;
}

/* ---- running commands ---------------------------------------------- */

/* Run one line; returns 0 when it succeeded. */
static int
shell_exec(struct cmdline *cl, const char *line)
{
	int ret;

	cmd_failed = 0;
	ret = cmdline_parse(cl, line);
	/* On success cmdline_parse() returns the length it consumed. */
	switch (ret) {
	case CMDLINE_PARSE_AMBIGUOUS:
		cmdline_printf(cl, "error: ambiguous command\n");
		return -1;
	case CMDLINE_PARSE_NOMATCH:
		cmdline_printf(cl, "error: unknown command (try 'help')\n");
		return -1;
	case CMDLINE_PARSE_BAD_ARGS:
		cmdline_printf(cl, "error: bad arguments (try 'help')\n");
		return -1;
	default:
		break;
	}
	return cmd_failed ? -1 : 0;
}

struct ss_shell {
	struct cmdline *cl;
	bool tty;
	/* script state */
	FILE *script;
	const char *script_name;
	unsigned int line_no;
	unsigned int errors;
};

static struct ss_shell script_shell;

int
ss_shell_script_open(struct ss_app *app, const char *path)
{
	struct ss_shell *sh = &script_shell;

	RTE_SET_USED(app);
	sh->script = fopen(path, "r");
	if (sh->script == NULL) {
		fprintf(stderr, "shardsec: cannot open command file %s: %s\n",
			path, strerror(errno));
		return -errno;
	}
	sh->script_name = path;
	ctx_init();
	sh->cl = cmdline_new(main_ctx, PROMPT, -1, STDOUT_FILENO);
	if (sh->cl == NULL) {
		fclose(sh->script);
		sh->script = NULL;
		return -ENOMEM;
	}
	return 0;
}

/* One line of the script per call, so that the control loop keeps
 * running between commands (and during 'sleep'). Returns false at the
 * end of the script. */
bool
ss_shell_script_step(struct ss_app *app)
{
	struct ss_shell *sh = &script_shell;
	char line[1024];
	size_t len;

	if (sh->script == NULL)
		return false;
	if (sleep_until != 0) {
		if (rte_get_timer_cycles() < sleep_until)
			return true;
		sleep_until = 0;
	}
	if (app->quit || fgets(line, sizeof(line), sh->script) == NULL) {
		fclose(sh->script);
		sh->script = NULL;
		cmdline_free(sh->cl);
		sh->cl = NULL;
		return false;
	}
	sh->line_no++;
	len = strlen(line);
	while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		line[--len] = '\0';
	if (len == 0 || line[0] == '#')
		return true;
	printf(PROMPT "%s\n", line);
	fflush(stdout);
	strcat(line, "\n");
	if (shell_exec(sh->cl, line) != 0) {
		sh->errors++;
		printf("%s:%u: command failed\n", sh->script_name,
			sh->line_no);
	}
	fflush(stdout);
	return true;
}

unsigned int
ss_shell_script_errors(void)
{
	return script_shell.errors;
}

void *
ss_shell_start(struct ss_app *app)
{
	struct ss_shell *sh;

	RTE_SET_USED(app);
	sh = calloc(1, sizeof(*sh));
	if (sh == NULL)
		return NULL;
	sh->tty = isatty(STDIN_FILENO) == 1;
	ctx_init();
	if (sh->tty) {
		/* Raw terminal: rdline does echo, history and completion;
		 * cmdline_stdin_exit() restores the terminal. */
		sh->cl = cmdline_stdin_new(main_ctx, PROMPT);
	} else {
		/* A pipe (tests, expect-style scripts): no terminal modes,
		 * but the same parser and the same output. */
		sh->cl = cmdline_new(main_ctx, PROMPT, STDIN_FILENO,
			STDOUT_FILENO);
	}
	if (sh->cl == NULL) {
		free(sh);
		return NULL;
	}
	return sh;
}

/* cmdline_poll() reads one byte per call and, on a pipe that reached
 * EOF, feeds 0xff forever: read what is there ourselves and stop at EOF. */
bool
ss_shell_poll(void *arg)
{
	struct ss_shell *sh = arg;
	struct pollfd pfd = { .fd = STDIN_FILENO, .events = POLLIN };
	char buf[256];
	ssize_t n;

	if (sh == NULL)
		return true;
	if (poll(&pfd, 1, 0) <= 0)
		return true;
	n = read(STDIN_FILENO, buf, sizeof(buf));
	if (n <= 0)
		return false;
	return cmdline_in(sh->cl, buf, (int)n) >= 0;
}

void
ss_shell_stop(void *arg)
{
	struct ss_shell *sh = arg;

	if (sh == NULL)
		return;
	if (sh->tty)
		cmdline_stdin_exit(sh->cl);
	else
		cmdline_free(sh->cl);
	free(sh);
}
