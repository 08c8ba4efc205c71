/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 shardsec authors
 */

/* Section "ipsec": static tunnels and SAs, as DPDK's ipsec-secgw takes
 * them, for tests and for peers without IKE. */

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>
#include <rte_string_fns.h>

#include "ss_steer.h"
#include "ss_sa.h"

static const char *const ipsec_keys[] = {
	"replay_window", "esn", "backend", "tunnels", "policies", "hold",
	"swnic", "inline", "fragment", NULL,
};
static const char *const swnic_keys[] = { "slots", "latency_us", NULL };
static const char *const inline_keys[] = {
	"port", "software", "sessions", NULL,
};
static const char *const hold_keys[] = {
	"packets", "bytes", "timeout_ms", "queues", "answer", NULL,
};
static const char *const answer_names[] = { "drop", "icmp", NULL };
static const char *const tunnel_keys[] = {
	"name", "local", "peer", "mode", "inner", "udp_encap",
	"encap_local_port", "encap_peer_port", "mtu", "local_ts",
	"remote_ts", "sas", NULL,
};
static const char *const sa_keys[] = {
	"server", "dir", "spi", "algo", "key", "replay_window", "esn",
	"backend", NULL,
};
static const char *const mode_names[] = { "tunnel", "transport", NULL };
static const char *const dir_names[] = { "in", "out", NULL };
static const char *const family_names[] = { "ipv4", "ipv6", NULL };
static const char *const backend_names[] = {
	"cpu", "lookaside", "inline", "swnic", "ipsec-mb", NULL,
};

void
ss_sa_cfg_clear(struct ss_sa_cfg *c)
{
	if (c->sas != NULL) {
		explicit_bzero(c->sas, sizeof(*c->sas) * c->nb_sas);
		free(c->sas);
	}
	memset(c, 0, sizeof(*c));
}

/* A list of prefix strings. */
static int
get_prefixes(const config_setting_t *g, const char *name,
	struct ss_prefix *out, unsigned int max, unsigned int *nb,
	struct ss_cfg_error *err)
{
	const config_setting_t *l = config_setting_get_member(g, name);
	unsigned int i, n;

	*nb = 0;
	if (l == NULL)
		return 0;
	if (!config_setting_is_array(l) && !config_setting_is_list(l))
		return ss_cfg_fail(err, l, "expected a list of prefixes");
	n = (unsigned int)config_setting_length(l);
	if (n > max)
		return ss_cfg_fail(err, l, "at most %u prefixes, got %u", max,
			n);
	for (i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(l, i);
		const char *s = config_setting_get_string(e);

		if (s == NULL)
			return ss_cfg_fail(err, e, "expected a string");
		if (ss_prefix_parse(s, &out[i]) != 0)
			return ss_cfg_fail(err, e, "invalid prefix '%s'", s);
	}
	*nb = n;
	return 0;
}

/* SPI: libconfig reads 0x80000000.. as a negative 32-bit int. */
static int
get_spi(const config_setting_t *g, uint32_t *out, struct ss_cfg_error *err)
{
	const config_setting_t *s = config_setting_get_member(g, "spi");
	int64_t v;

	if (s == NULL)
		return ss_cfg_fail(err, g, "missing setting 'spi'");
	if (config_setting_type(s) == CONFIG_TYPE_INT) {
		v = (uint32_t)config_setting_get_int(s);
	} else if (config_setting_type(s) == CONFIG_TYPE_INT64) {
		v = config_setting_get_int64(s);
		if (v < 0 || v > UINT32_MAX)
			return ss_cfg_fail(err, s,
				"must be 256..4294967295, got %" PRId64, v);
	} else {
		return ss_cfg_fail(err, s, "expected an integer");
	}
	if (v < 256)
		return ss_cfg_fail(err, s,
			"must be 256..4294967295, got %" PRId64
			" (0..255 are reserved)", v);
	*out = (uint32_t)v;
	return 0;
}

static int
server_index(const struct ss_config *cfg, uint16_t id)
{
	unsigned int i;

	for (i = 0; i < cfg->nb_servers; i++)
		if (cfg->servers[i].id == id)
			return (int)i;
	return -1;
}

static int
parse_sa(const struct ss_config *cfg, const config_setting_t *g,
	const struct ss_sa_cfg *c, const struct ss_sa_params *tpl,
	struct ss_sa_params *p, struct ss_cfg_error *err)
{
	char algo[32];
	enum ss_sa_algo a;
	int64_t v;
	size_t klen;
	bool esn;
	int e, rc, srv;

	if (!config_setting_is_group(g))
		return ss_cfg_fail(err, g, "expected a group");
	rc = ss_cfg_check_keys(g, sa_keys, err);
	if (rc != 0)
		return rc;
	*p = *tpl;
	rc = ss_cfg_get_int(g, "server", true, 0, SS_STEER_MAX_IDS - 1, &v,
		err);
	if (rc != 0)
		return rc;
	srv = server_index(cfg, (uint16_t)v);
	if (srv < 0)
		return ss_cfg_fail(err, config_setting_get_member(g, "server"),
			"no server with id %" PRId64 " in servers", v);
	p->server = (uint16_t)srv;
	rc = ss_cfg_get_enum(g, "dir", true, dir_names, &e, err);
	if (rc != 0)
		return rc;
	p->dir = e == 0 ? SS_SA_DIR_IN : SS_SA_DIR_OUT;
	rc = get_spi(g, &p->spi, err);
	if (rc != 0)
		return rc;
	if (p->dir == SS_SA_DIR_IN &&
			ss_steer_id_get(p->spi, cfg->instance_bits) != v)
		return ss_cfg_fail(err, config_setting_get_member(g, "spi"),
			"inbound SPI 0x%08x must carry server id %" PRId64
			" in its top %u bits (it carries %u)", p->spi, v,
			cfg->instance_bits,
			ss_steer_id_get(p->spi, cfg->instance_bits));
	rc = ss_cfg_get_str(g, "algo", true, algo, sizeof(algo), err);
	if (rc != 0)
		return rc;
	if (ss_sa_algo_parse(algo, &a) != 0)
		return ss_cfg_fail(err, config_setting_get_member(g, "algo"),
			"unknown algorithm '%s' (aes-gcm-128, aes-gcm-256,"
			" aes-cbc-128-hmac-sha256, aes-cbc-256-hmac-sha256,"
			" null-hmac-sha256)", algo);
	p->algo = a;
	p->key_len = ss_sa_algo_key_len(a);
	rc = ss_cfg_get_hex(g, "key", true, p->key, p->key_len, NULL, err);
	if (rc != 0)
		return rc;
	klen = p->key_len;
	RTE_SET_USED(klen);
	v = c->replay_window;
	rc = ss_cfg_get_int(g, "replay_window", false, SS_SA_REPLAY_MIN,
		SS_SA_REPLAY_MAX, &v, err);
	if (rc != 0)
		return rc;
	p->replay_window = (uint32_t)v;
	esn = p->esn;
	rc = ss_cfg_get_bool(g, "esn", false, &esn, err);
	if (rc != 0)
		return rc;
	p->esn = esn;
	e = p->backend;
	rc = ss_cfg_get_enum(g, "backend", false, backend_names, &e, err);
	if (rc != 0)
		return rc;
	p->backend = (enum ss_sa_backend)e;
	return 0;
}

static int
parse_tunnel(const struct ss_config *cfg, const config_setting_t *g,
	struct ss_sa_cfg *c, int backend, struct ss_cfg_error *err)
{
	struct ss_sa_cfg_tunnel *t = &c->tunnels[c->nb_tunnels];
	struct ss_prefix lts[SS_SA_MAX_TS], rts[SS_SA_MAX_TS];
	unsigned int nl, nr, i, j, n;
	struct ss_sa_params tpl;
	const config_setting_t *l;
	int64_t v;
	bool b;
	int e, rc;

	if (!config_setting_is_group(g))
		return ss_cfg_fail(err, g, "expected a group");
	rc = ss_cfg_check_keys(g, tunnel_keys, err);
	if (rc != 0)
		return rc;
	memset(t, 0, sizeof(*t));
	memset(&tpl, 0, sizeof(tpl));
	t->set = g;
	rc = ss_cfg_get_str(g, "name", true, t->tp.name, sizeof(t->tp.name),
		err);
	if (rc != 0)
		return rc;
	for (i = 0; i < c->nb_tunnels; i++)
		if (strcmp(c->tunnels[i].tp.name, t->tp.name) == 0)
			return ss_cfg_fail(err,
				config_setting_get_member(g, "name"),
				"duplicate tunnel name '%s'", t->tp.name);
	rc = ss_cfg_get_ip(g, "local", true, &t->tp.local, err);
	if (rc == 0)
		rc = ss_cfg_get_ip(g, "peer", true, &t->tp.peer, err);
	if (rc != 0)
		return rc;
	if (t->tp.local.family != t->tp.peer.family)
		return ss_cfg_fail(err, config_setting_get_member(g, "peer"),
			"local and peer must be of the same family");
	tpl.local = t->tp.local;
	tpl.peer = t->tp.peer;
	tpl.tunnel = c->nb_tunnels;
	tpl.esn = c->esn;
	tpl.backend = (enum ss_sa_backend)backend;
	e = 0;
	rc = ss_cfg_get_enum(g, "mode", false, mode_names, &e, err);
	if (rc != 0)
		return rc;
	tpl.mode = e == 0 ? SS_SA_MODE_TUNNEL : SS_SA_MODE_TRANSPORT;
	e = t->tp.local.family == AF_INET ? 0 : 1;
	rc = ss_cfg_get_enum(g, "inner", false, family_names, &e, err);
	if (rc != 0)
		return rc;
	tpl.inner_family = e == 0 ? AF_INET : AF_INET6;
	if (tpl.mode == SS_SA_MODE_TRANSPORT &&
			tpl.inner_family != t->tp.local.family)
		return ss_cfg_fail(err, config_setting_get_member(g, "inner"),
			"transport mode protects packets of the outer family");
	b = false;
	rc = ss_cfg_get_bool(g, "udp_encap", false, &b, err);
	if (rc != 0)
		return rc;
	tpl.udp_encap = b;
	v = SS_SA_NATT_PORT;
	rc = ss_cfg_get_int(g, "encap_local_port", false, 1, 65535, &v, err);
	if (rc != 0)
		return rc;
	tpl.encap_local_port = (uint16_t)v;
	v = SS_SA_NATT_PORT;
	rc = ss_cfg_get_int(g, "encap_peer_port", false, 1, 65535, &v, err);
	if (rc != 0)
		return rc;
	tpl.encap_peer_port = (uint16_t)v;
	v = 1500;
	rc = ss_cfg_get_int(g, "mtu", false, 576, 9216, &v, err);
	if (rc != 0)
		return rc;
	tpl.mtu = (uint16_t)v;
	rc = get_prefixes(g, "local_ts", lts, SS_SA_MAX_TS, &nl, err);
	if (rc == 0)
		rc = get_prefixes(g, "remote_ts", rts, SS_SA_MAX_TS, &nr,
			err);
	if (rc != 0)
		return rc;
	/* Inbound packets come from the remote side to the local side. */
	n = 0;
	for (i = 0; i < RTE_MAX(nr, 1u); i++)
		for (j = 0; j < RTE_MAX(nl, 1u); j++) {
			struct ss_sa_ts *ts = &tpl.ts[n];

			if (n == SS_SA_MAX_TS)
				return ss_cfg_fail(err, g,
					"local_ts x remote_ts exceeds %u selectors",
					SS_SA_MAX_TS);
			memset(ts, 0, sizeof(*ts));
			if (nr != 0)
				ts->src = rts[i];
			if (nl != 0)
				ts->dst = lts[j];
			if (ts->src.addr.family != 0 &&
					ts->dst.addr.family != 0 &&
					ts->src.addr.family !=
					ts->dst.addr.family)
				continue;
			ts->sport_hi = UINT16_MAX;
			ts->dport_hi = UINT16_MAX;
			n++;
		}
	tpl.nb_ts = (nl == 0 && nr == 0) ? 0 : (uint8_t)n;

	l = config_setting_get_member(g, "sas");
	t->first_sa = c->nb_sas;
	if (l != NULL) {
		unsigned int k, cnt;

		if (!config_setting_is_list(l))
			return ss_cfg_fail(err, l, "expected a list of SAs");
		cnt = (unsigned int)config_setting_length(l);
		if (c->nb_sas + cnt > SS_SA_CFG_MAX_SAS)
			return ss_cfg_fail(err, l, "more than %u SAs in all",
				SS_SA_CFG_MAX_SAS);
		for (k = 0; k < cnt; k++) {
			const config_setting_t *e1 =
				config_setting_get_elem(l, k);
			struct ss_sa_params *p = &c->sas[c->nb_sas];
			unsigned int q;

			rc = parse_sa(cfg, e1, c, &tpl, p, err);
			if (rc != 0)
				return rc;
			for (q = 0; q < c->nb_sas; q++) {
				const struct ss_sa_params *o = &c->sas[q];

				if (p->dir == SS_SA_DIR_IN &&
						o->dir == SS_SA_DIR_IN &&
						o->spi == p->spi)
					return ss_cfg_fail(err,
						config_setting_get_member(e1,
							"spi"),
						"inbound SPI 0x%08x used twice",
						p->spi);
				if (p->dir == SS_SA_DIR_OUT &&
						o->dir == SS_SA_DIR_OUT &&
						o->tunnel == p->tunnel &&
						o->server == p->server)
					return ss_cfg_fail(err, e1,
						"tunnel '%s' has two outbound SAs for server id %u",
						t->tp.name,
						cfg->servers[p->server].id);
			}
			c->sa_set[c->nb_sas] = e1;
			c->nb_sas++;
		}
	}
	t->nb_sas = c->nb_sas - t->first_sa;
	c->nb_tunnels++;
	explicit_bzero(&tpl, sizeof(tpl));
	return 0;
}

static int
parse_hold(const config_setting_t *g, struct ss_sa_cfg_hold *h,
	struct ss_cfg_error *err)
{
	int answer = 0;
	int64_t v;
	int rc;

	if (!config_setting_is_group(g))
		return ss_cfg_fail(err, g, "expected a group");
	rc = ss_cfg_check_keys(g, hold_keys, err);
	if (rc != 0)
		return rc;
	v = h->packets;
	rc = ss_cfg_get_int(g, "packets", false, 0, SS_SA_HOLD_MAX_PACKETS,
		&v, err);
	if (rc != 0)
		return rc;
	h->packets = (uint32_t)v;
	v = h->bytes;
	rc = ss_cfg_get_int(g, "bytes", false, 64, INT32_MAX, &v, err);
	if (rc != 0)
		return rc;
	h->bytes = (uint32_t)v;
	v = h->timeout_ms;
	rc = ss_cfg_get_int(g, "timeout_ms", false, 1, 3600000, &v, err);
	if (rc != 0)
		return rc;
	h->timeout_ms = (uint32_t)v;
	v = h->queues;
	rc = ss_cfg_get_int(g, "queues", false, 1, SS_SA_HOLD_MAX_QUEUES, &v,
		err);
	if (rc != 0)
		return rc;
	h->queues = (uint16_t)v;
	rc = ss_cfg_get_enum(g, "answer", false, answer_names, &answer, err);
	if (rc != 0)
		return rc;
	h->icmp = answer == 1;
	return 0;
}

static int
parse_swnic(const config_setting_t *g, struct ss_sa_cfg *c,
	struct ss_cfg_error *err)
{
	int64_t v;
	int rc;

	if (!config_setting_is_group(g))
		return ss_cfg_fail(err, g, "expected a group");
	rc = ss_cfg_check_keys(g, swnic_keys, err);
	if (rc != 0)
		return rc;
	v = c->swnic_slots;
	rc = ss_cfg_get_int(g, "slots", false, 1, SS_SA_SWNIC_MAX_SLOTS, &v,
		err);
	if (rc != 0)
		return rc;
	c->swnic_slots = (uint32_t)v;
	v = c->swnic_latency_us;
	rc = ss_cfg_get_int(g, "latency_us", false, 0,
		SS_SA_SWNIC_MAX_LATENCY_US, &v, err);
	if (rc != 0)
		return rc;
	c->swnic_latency_us = (uint32_t)v;
	c->swnic = true;
	return 0;
}

static int
parse_inline(const struct ss_config *cfg, const config_setting_t *g,
	struct ss_sa_cfg *c, struct ss_cfg_error *err)
{
	int64_t v;
	int rc;

	if (!config_setting_is_group(g))
		return ss_cfg_fail(err, g, "expected a group");
	rc = ss_cfg_check_keys(g, inline_keys, err);
	if (rc != 0)
		return rc;
	rc = ss_cfg_get_port(cfg, g, "port", true, &c->inline_port, err);
	if (rc != 0)
		return rc;
	rc = ss_cfg_get_bool(g, "software", false, &c->inline_software,
		err);
	if (rc != 0)
		return rc;
	v = c->inline_sessions;
	rc = ss_cfg_get_int(g, "sessions", false, 2,
		SS_SA_INLINE_MAX_SESSIONS, &v, err);
	if (rc != 0)
		return rc;
	c->inline_sessions = (uint32_t)v;
	c->inline_on = true;
	return 0;
}

static int
parse_ipsec(const struct ss_config *cfg, const config_setting_t *section,
	void *arg, struct ss_cfg_error *err)
{
	struct ss_sa_cfg *c = arg;
	const config_setting_t *l;
	int64_t v;
	int backend = SS_SA_BACKEND_DEFAULT;
	unsigned int i, n;
	int rc;

	ss_sa_cfg_clear(c);
	c->replay_window = SS_SA_REPLAY_MIN;
	c->hold.packets = SS_SA_HOLD_PACKETS;
	c->hold.bytes = SS_SA_HOLD_BYTES;
	c->hold.timeout_ms = SS_SA_HOLD_TIMEOUT_MS;
	c->hold.queues = SS_SA_HOLD_QUEUES;
	c->hold.icmp = false;
	c->backend = SS_SA_BACKEND_DEFAULT;
	c->swnic_slots = SS_SA_SWNIC_SLOTS;
	c->swnic_latency_us = SS_SA_SWNIC_LATENCY_US;
	c->inline_sessions = SS_SA_INLINE_SESSIONS;
	c->fragment = true;
	if (section == NULL)
		return 0;
	c->present = true;
	if (!config_setting_is_group(section))
		return ss_cfg_fail(err, section, "expected a group");
	rc = ss_cfg_check_keys(section, ipsec_keys, err);
	if (rc != 0)
		return rc;
	l = config_setting_get_member(section, "hold");
	if (l != NULL) {
		rc = parse_hold(l, &c->hold, err);
		if (rc != 0)
			return rc;
	}
	v = SS_SA_REPLAY_MIN;
	rc = ss_cfg_get_int(section, "replay_window", false, SS_SA_REPLAY_MIN,
		SS_SA_REPLAY_MAX, &v, err);
	if (rc != 0)
		return rc;
	c->replay_window = (uint32_t)v;
	rc = ss_cfg_get_bool(section, "esn", false, &c->esn, err);
	if (rc != 0)
		return rc;
	rc = ss_cfg_get_bool(section, "fragment", false, &c->fragment, err);
	if (rc != 0)
		return rc;
	rc = ss_cfg_get_enum(section, "backend", false, backend_names,
		&backend, err);
	if (rc != 0)
		return rc;
	c->backend = (enum ss_sa_backend)backend;
	l = config_setting_get_member(section, "swnic");
	if (l != NULL) {
		rc = parse_swnic(l, c, err);
		if (rc != 0)
			return rc;
	}
	c->swnic = c->swnic || backend == SS_SA_BACKEND_SWNIC;
	l = config_setting_get_member(section, "inline");
	if (l != NULL) {
		rc = parse_inline(cfg, l, c, err);
		if (rc != 0)
			return rc;
	} else if (backend == SS_SA_BACKEND_INLINE) {
		return ss_cfg_fail(err, section, "backend \"inline\" needs "
			"inline = { port = \"...\"; } naming the port whose "
			"NIC does the crypto");
	}
	c->policies = config_setting_get_member(section, "policies");
	l = config_setting_get_member(section, "tunnels");
	if (l == NULL)
		return 0;
	if (!config_setting_is_list(l))
		return ss_cfg_fail(err, l, "expected a list of tunnels");
	n = (unsigned int)config_setting_length(l);
	if (n > SS_SA_CFG_MAX_TUNNELS)
		return ss_cfg_fail(err, l, "at most %u tunnels, got %u",
			SS_SA_CFG_MAX_TUNNELS, n);
	c->sas = calloc(SS_SA_CFG_MAX_SAS, sizeof(*c->sas));
	if (c->sas == NULL)
		return ss_cfg_fail(err, l, "out of memory");
	for (i = 0; i < n; i++) {
		rc = parse_tunnel(cfg, config_setting_get_elem(l, i), c,
			backend, err);
		if (rc != 0) {
			explicit_bzero(c->sas, sizeof(*c->sas) *
				SS_SA_CFG_MAX_SAS);
			c->nb_sas = SS_SA_CFG_MAX_SAS;
			return rc;
		}
	}
	return 0;
}

int
ss_sa_cfg_register(struct ss_sa_cfg *out)
{
	/* out is zeroed or was filled before: parsing clears it first. */
	return ss_cfg_register_section("ipsec", parse_ipsec, out);
}

uint32_t
ss_sa_cfg_tunnel_by_name(const char *name, void *arg)
{
	const struct ss_sa_cfg *c = arg;
	uint32_t i;

	for (i = 0; i < c->nb_tunnels; i++)
		if (strcmp(c->tunnels[i].tp.name, name) == 0)
			return i;
	return SS_SA_TUNNEL_NONE;
}

int
ss_sa_cfg_apply(const struct ss_sa_cfg *c, struct ss_sa_db *db,
	struct ss_cfg_error *err)
{
	uint32_t map[SS_SA_CFG_MAX_TUNNELS];
	uint32_t i;
	int rc;

	for (i = 0; i < c->nb_tunnels; i++) {
		rc = ss_sa_tunnel_add(db, &c->tunnels[i].tp, &map[i]);
		if (rc != 0) {
			ss_cfg_fail(err, c->tunnels[i].set, "tunnel '%s': %s",
				c->tunnels[i].tp.name, ss_sa_db_errstr(db));
			return rc;
		}
	}
	for (i = 0; i < c->nb_sas; i++) {
		struct ss_sa_params p = c->sas[i];

		p.tunnel = map[p.tunnel];
		rc = ss_sa_add(db, &p, NULL);
		explicit_bzero(&p, sizeof(p));
		if (rc != 0) {
			ss_cfg_fail(err, c->sa_set[i], "%s",
				ss_sa_db_errstr(db));
			return rc;
		}
	}
	return 0;
}
