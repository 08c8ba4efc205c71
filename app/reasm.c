/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 shardsec authors
 */

/*
 * IP fragments addressed to the gateway, on the control lcore: lib/net
 * puts them back together (ss_net_reasm.h) and the whole datagram is
 * classified again, as if it had just arrived: IKE and ICMP stay here,
 * ESP goes to the worker of its server as ctl_rx hands it over.
 */

#include <errno.h>

#include <rte_cycles.h>
#include <rte_mbuf.h>

#include "ss_app.h"

/* Datagrams in reassembly at once, and how long one waits for its
 * missing fragments (Linux: 30 s; a lost fragment costs the peer a
 * retransmission either way, a short wait bounds what an attacker can
 * pin down). */
#define REASM_DATAGRAMS		4096
#define REASM_TIMEOUT_MS	2000

static struct ss_net_reasm *reasm;

int
ss_app_reasm_init(struct ss_app *app)
{
	reasm = ss_net_reasm_create("ss_reasm", REASM_DATAGRAMS,
		REASM_TIMEOUT_MS, app->pool, (int)rte_socket_id());
	if (reasm == NULL) {
		fprintf(stderr, "shardsec: cannot create the IP reassembly "
			"table: %s\n", rte_strerror(rte_errno));
		return -ENOMEM;
	}
	return 0;
}

void
ss_app_reasm_fini(struct ss_app *app)
{
	ss_net_reasm_free(reasm, &app->ctl.reasm);
	reasm = NULL;
}

void
ss_app_reasm_timer(struct ss_app *app)
{
	if (reasm != NULL)
		ss_net_reasm_expire(reasm, rte_rdtsc(), &app->ctl.reasm);
}

void
ss_app_reasm_input(struct ss_app *app, struct rte_mbuf *m, uint8_t port)
{
	struct rte_mbuf *one;
	uint8_t cls;

	one = ss_net_reasm_input(reasm, m, rte_rdtsc(), &app->ctl.reasm);
	if (one == NULL)
		return;
	ss_net_classify_burst(&one, 1, port, &cls, &app->ctl_net);
	ss_app_ctl_dispatch(app, one, cls);
}
