/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 shardsec authors
 */

/* Pre-encrypted ESP for inbound tests: the outbound twins of a gateway's
 * inbound SAs, in a private SA database driven by lib/esp (rte_ipsec +
 * intel-ipsec-mb), one tunnel per SA so that each has its own sequence
 * numbers. Keys are copied into lib/sa, never logged. */

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_malloc.h>

#include "ss_esp.h"
#include "ss_gen.h"
#include "ss_gen_priv.h"

#define GEN_ESP_MTU 9600	/* never too big: the gateway's MTU rules */

struct ss_gen_esp {
	struct ss_sa_db *db;
	struct ss_esp_server *srv;
	uint16_t nb_sas;
	uint32_t tunnel[SS_GEN_MAX_SAS];	/* SA i -> its tunnel */
};

uint16_t
ss_gen_esp_nb_sas(const struct ss_gen_esp *e)
{
	return e->nb_sas;
}

void
ss_gen_esp_free(struct ss_gen_esp *e)
{
	if (e == NULL)
		return;
	ss_esp_server_free(e->srv);
	ss_sa_db_free(e->db);		/* wipes the key copies */
	rte_free(e);
}

struct ss_gen_esp *
ss_gen_esp_create(const struct ss_sa_params *in_sas, uint16_t n, int socket,
	char *err, size_t len)
{
	static unsigned int seq;
	static const uint16_t ids[1] = { 0 };
	struct ss_sa_db_conf dbc;
	struct ss_sa_params p;
	struct ss_gen_esp *e;
	char name[32];
	uint16_t i;

	if (n == 0 || n > SS_GEN_MAX_SAS) {
		snprintf(err, len, "1..%u SAs, got %u", SS_GEN_MAX_SAS, n);
		rte_errno = EINVAL;
		return NULL;
	}
	e = rte_zmalloc_socket("ss_gen_esp", sizeof(*e), 0, socket);
	if (e == NULL) {
		snprintf(err, len, "out of memory");
		rte_errno = ENOMEM;
		return NULL;
	}
	snprintf(name, sizeof(name), "ss_gen_esp%u", seq++);
	memset(&dbc, 0, sizeof(dbc));
	dbc.name = name;
	dbc.nb_servers = 1;
	dbc.instance_bits = 1;
	dbc.ids = ids;
	dbc.max_tunnels = n;
	dbc.max_sa_per_server = 64;
	dbc.socket = socket;
	/* Only the generator lcore reads it, and only between start-up
	 * and teardown: no RCU needed. */
	e->db = ss_sa_db_create(&dbc, NULL);
	if (e->db == NULL || ss_esp_attach(e->db) != 0) {
		snprintf(err, len, "cannot create the SA database: %s",
			rte_strerror(rte_errno));
		goto fail;
	}
	for (i = 0; i < n; i++) {
		struct ss_sa_tunnel_params tp;
		uint32_t t;

		if (in_sas[i].dir != SS_SA_DIR_IN) {
			snprintf(err, len, "SA 0x%08x is not inbound",
				in_sas[i].spi);
			goto fail;
		}
		memset(&tp, 0, sizeof(tp));
		snprintf(tp.name, sizeof(tp.name), "g%u", i);
		tp.local = in_sas[i].peer;
		tp.peer = in_sas[i].local;
		if (ss_sa_tunnel_add(e->db, &tp, &t) != 0) {
			snprintf(err, len, "tunnel %u: %s", i,
				ss_sa_db_errstr(e->db));
			goto fail;
		}
		e->tunnel[i] = t;
		p = in_sas[i];
		p.dir = SS_SA_DIR_OUT;
		p.server = 0;
		p.tunnel = t;
		p.local = in_sas[i].peer;
		p.peer = in_sas[i].local;
		p.encap_local_port = in_sas[i].encap_peer_port;
		p.encap_peer_port = in_sas[i].encap_local_port;
		p.backend = SS_SA_BACKEND_DEFAULT;
		p.mtu = GEN_ESP_MTU;
		p.nb_ts = 0;
		p.soft_bytes = p.hard_bytes = 0;
		p.soft_packets = p.hard_packets = 0;
		if (ss_sa_add(e->db, &p, NULL) != 0) {
			explicit_bzero(&p, sizeof(p));
			snprintf(err, len, "SA 0x%08x: %s", in_sas[i].spi,
				ss_sa_db_errstr(e->db));
			goto fail;
		}
		explicit_bzero(&p, sizeof(p));
	}
	e->nb_sas = n;
	e->srv = ss_esp_server_create(e->db, 0, socket);
	if (e->srv == NULL) {
		snprintf(err, len, "cannot create the ESP context: %s",
			rte_strerror(rte_errno));
		goto fail;
	}
	GEN_LOG(INFO, "ESP encryptor: %u SA(s)", n);
	return e;
fail:
	ss_gen_esp_free(e);
	rte_errno = EINVAL;
	return NULL;
}

uint16_t
ss_gen_esp_encrypt(struct ss_gen_esp *e, struct rte_mbuf **m, uint16_t n,
	const uint16_t sa[], struct rte_mbuf **out)
{
	uint32_t tunnel[SS_GEN_BURST];
	uint16_t i, done = 0, nout = 0;

	while (done < n) {
		uint16_t c = RTE_MIN((uint16_t)(n - done),
			(uint16_t)SS_GEN_BURST);

		for (i = 0; i < c; i++)
			tunnel[i] = e->tunnel[sa[done + i]];
		nout += ss_esp_outbound_burst(e->srv, m + done, c, tunnel,
			out + nout, NULL);
		done += c;
	}
	return nout;
}
