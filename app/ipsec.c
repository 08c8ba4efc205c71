/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 shardsec authors
 */

/* Control-lcore set-up of the IPsec dataplane: steering context, RCU,
 * SA database, SPD and one ESP context per server. */

#include <errno.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_malloc.h>
#include <rte_rcu_qsbr.h>

#include "ss_app.h"
#include "ss_crypto.h"
#include "ss_inline.h"
#include "ss_swnic_esp.h"
#include "ss_swnic_sec.h"

/* ipsec.inline: the "inline" back-end on the named port's rte_security
 * context, or on a software inline NIC attached to that port. */
static int
inline_start(struct ss_app *app, int socket)
{
	const struct ss_sa_cfg *c = &app->sacfg;
	const char *pname = app->cfg.ports[c->inline_port].name;
	struct ss_inline_conf ic;
	char err[256];
	int ret;

	memset(&ic, 0, sizeof(ic));
	ic.port_id = app->port_id[c->inline_port];
	ic.max_sessions = c->inline_sessions;
	ic.socket = socket;
	ic.server_queue = app->server_worker;
	ic.nb_server_queue = SS_CFG_MAX_SERVERS;
	if (c->inline_software) {
		struct ss_swnic_sec_conf sc = {
			.max_sessions = c->inline_sessions,
			.socket = socket,
			.gcm_dev = ss_crypto_dev_gcm(),
			.mb_dev = ss_crypto_dev_mb(),
			.qsbr = app->qsbr,
		};

		app->swnic_sec = ss_swnic_sec_create(&sc);
		if (app->swnic_sec == NULL) {
			fprintf(stderr, "shardsec: software inline NIC: %s\n",
				rte_strerror(rte_errno));
			return -rte_errno;
		}
		ret = ss_swnic_sec_attach(app->swnic_sec, ic.port_id);
		if (ret < 0) {
			fprintf(stderr, "shardsec: port %s: cannot attach the "
				"software inline NIC: %s\n", pname,
				strerror(-ret));
			return ret;
		}
		ic.ctx = ss_swnic_sec_ctx(app->swnic_sec);
	}
	ret = ss_inline_init(&ic, err, sizeof(err));
	if (ret < 0) {
		fprintf(stderr, "shardsec: port %s: inline IPsec: %s\n",
			pname, err);
		return ret;
	}
	printf("shardsec: port %s: inline IPsec on the %s\n", pname,
		c->inline_software ? "software inline NIC" :
		"NIC's rte_security context");
	return 0;
}

int
ss_app_ipsec_init(struct ss_app *app)
{
	const struct ss_config *cfg = &app->cfg;
	uint16_t ids[SS_CFG_MAX_SERVERS];
	struct ss_sa_db_conf dbc;
	struct ss_cfg_error cerr;
	void *old = NULL;
	size_t sz;
	uint16_t s;
	int socket = (int)rte_socket_id();
	int ret;

	for (s = 0; s < cfg->nb_servers; s++)
		ids[s] = cfg->servers[s].id;
	app->steer = ss_steer_ctx_create(cfg->instance_bits, ids,
		cfg->nb_servers);
	if (app->steer == NULL)
		return -ENOMEM;

	sz = rte_rcu_qsbr_get_memsize(app->nb_workers);
	app->qsbr = rte_zmalloc("ss_qsbr", sz, RTE_CACHE_LINE_SIZE);
	if (app->qsbr == NULL ||
			rte_rcu_qsbr_init(app->qsbr, app->nb_workers) != 0)
		return -ENOMEM;

	memset(&dbc, 0, sizeof(dbc));
	dbc.name = "ss_sadb";
	dbc.nb_servers = cfg->nb_servers;
	dbc.instance_bits = cfg->instance_bits;
	dbc.ids = ids;
	dbc.socket = socket;
	/* room for servers added at run time (server.c) */
	dbc.max_servers = ss_app_server_capacity(cfg);
	app->sadb = ss_sa_db_create(&dbc, app->qsbr);
	if (app->sadb == NULL)
		return -ENOMEM;
	ret = ss_esp_crypto_init(socket, ss_app_server_capacity(cfg) + 1u);
	if (ret < 0) {
		fprintf(stderr, "shardsec: crypto devices: %s\n",
			strerror(-ret));
		return ret;
	}
	ret = ss_esp_attach(app->sadb);
	if (ret < 0)
		return ret;
	if (app->sacfg.swnic) {
		ret = ss_swnic_esp_init(app->sacfg.swnic_slots,
			app->sacfg.swnic_latency_us, socket);
		if (ret < 0) {
			fprintf(stderr, "shardsec: software NIC: %s\n",
				strerror(-ret));
			return ret;
		}
	}
	if (app->sacfg.inline_on) {
		ret = inline_start(app, socket);
		if (ret < 0)
			return ret;
	}
	for (s = 0; s < cfg->nb_servers; s++) {
		const unsigned int lcore =
			app->workers[app->server_worker[s]].lcore;

		app->esp[s] = ss_esp_server_create(app->sadb, s,
			(int)rte_lcore_to_socket_id(lcore));
		if (app->esp[s] == NULL ||
				ss_app_hold_create(app, s,
					(int)rte_lcore_to_socket_id(lcore)) < 0)
			return -ENOMEM;
	}
	if (app->sacfg.present) {
		memset(&cerr, 0, sizeof(cerr));
		ret = ss_sa_cfg_apply(&app->sacfg, app->sadb, &cerr);
		if (ret < 0) {
			fprintf(stderr, "shardsec: %s\n", cerr.msg);
			return ret;
		}
	}

	app->spd = ss_spd_create("ss_spd", socket);
	if (app->spd == NULL)
		return -ENOMEM;
	/* With no policies configured, traffic is forwarded in the clear,
	 * like a router; once policies exist the operator's default rule
	 * decides. */
	ss_spd_set_default(app->spd, SS_SPD_BYPASS, 0);
	if (app->sacfg.present && app->sacfg.policies != NULL) {
		memset(&cerr, 0, sizeof(cerr));
		ret = ss_spd_cfg_parse(cfg, app->sacfg.policies, app->spd,
			ss_sa_cfg_tunnel_by_name, &app->sacfg, &cerr);
		if (ret < 0) {
			fprintf(stderr, "shardsec: %s\n", cerr.msg);
			return ret;
		}
	}
	ret = ss_spd_build(app->spd);
	if (ret == 0)
		ret = ss_spd_commit(app->spd, &old);
	if (ret < 0) {
		fprintf(stderr, "shardsec: cannot build the SPD: %s\n",
			strerror(-ret));
		return ret;
	}
	ss_spd_snapshot_free(old);
	ss_app_flow_probe(app);
	return 0;
}

/* Ask each NIC to steer ESP SPIs, GTP-U TEIDs and SCTP tags to the queue
 * of the owning server; what it refuses is steered in software. */
void
ss_app_flow_probe(struct ss_app *app)
{
	uint16_t q[SS_CFG_MAX_SERVERS];
	char report[512];
	uint16_t s;
	uint8_t p;

	for (s = 0; s < app->cfg.nb_servers; s++)
		q[s] = app->server_worker[s];
	for (p = 0; p < app->nb_ports; p++) {
		int n = ss_steer_flow_install(app->port_id[p], app->steer, q,
			report, sizeof(report));

		printf("shardsec: port %s: NIC steering %s: %s\n",
			app->cfg.ports[p].name, n > 0 ? "partly in hardware" :
			"in software", report);
	}
}

void
ss_app_ipsec_fini(struct ss_app *app)
{
	uint16_t s;

	for (s = 0; s < SS_CFG_MAX_SERVERS; s++) {
		ss_esp_server_free(app->esp[s]);
		app->esp[s] = NULL;
		ss_app_hold_free(app, s);
	}
	if (app->spd != NULL)
		ss_spd_destroy(app->spd);
	app->spd = NULL;
	if (app->sadb != NULL)
		ss_sa_db_free(app->sadb);
	app->sadb = NULL;
	/* after the SAs: each erased its key slot / destroyed its session */
	ss_swnic_esp_fini();
	ss_inline_fini();
	ss_swnic_sec_free(app->swnic_sec);
	app->swnic_sec = NULL;
	ss_esp_crypto_fini();
	rte_free(app->qsbr);
	app->qsbr = NULL;
	if (app->steer != NULL)
		ss_steer_ctx_free(app->steer);
	app->steer = NULL;
	ss_sa_cfg_clear(&app->sacfg);
}
