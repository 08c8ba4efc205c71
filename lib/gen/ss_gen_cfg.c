/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 shardsec authors
 */

/* Configuration section "gen": the generator's lcore, its own ports and
 * its streams. ESP streams name inbound SPIs of the "ipsec" section; the
 * keys stay there (nothing here copies or prints them). */

#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "ss_gen.h"
#include "ss_steer.h"

struct gen_cfg_arg {
	struct ss_gen_cfg *out;
	const struct ss_sa_cfg *sacfg;
};

static const char *const gen_keys[] = {
	"lcore", "poll_mode", "ports", "streams", NULL,
};
static const char *const port_keys[] = {
	"name", "device", "mac", "peer_mac", "lcore", NULL,
};
static const char *const stream_keys[] = {
	"name", "tx", "rx", "proto", "src", "dst", "sport", "dport", "flows",
	"vary", "size", "ids", "spis", "count", "rate", NULL,
};
static const char *const proto_names[] = {
	"udp", "tcp", "gtpu", "sctp", "esp", NULL,
};
static const char *const vary_names[] = { "port", "addr", "both", NULL };
static const char *const poll_names[] = { "busy", "adaptive", NULL };

static int
port_by_name(const struct ss_gen_cfg *c, const config_setting_t *g,
	const char *key, uint8_t *out, struct ss_cfg_error *err)
{
	char name[SS_CFG_NAME_LEN];
	uint8_t i;
	int rc;

	rc = ss_cfg_get_str(g, key, true, name, sizeof(name), err);
	if (rc != 0)
		return rc;
	for (i = 0; i < c->nb_ports; i++)
		if (strcmp(c->ports[i].name, name) == 0) {
			*out = i;
			return 0;
		}
	return ss_cfg_fail(err, config_setting_get_member(g, key),
		"unknown generator port '%s'", name);
}

static int
get_u32(const config_setting_t *e, uint32_t *out, struct ss_cfg_error *err)
{
	int64_t v;

	if (config_setting_type(e) == CONFIG_TYPE_INT)
		v = (uint32_t)config_setting_get_int(e);
	else if (config_setting_type(e) == CONFIG_TYPE_INT64)
		v = config_setting_get_int64(e);
	else
		return ss_cfg_fail(err, e, "expected an integer");
	if (v < 0 || v > UINT32_MAX)
		return ss_cfg_fail(err, e, "must be 0..4294967295");
	*out = (uint32_t)v;
	return 0;
}

static int
parse_sizes(const config_setting_t *g, struct ss_gen_spec *sp,
	struct ss_cfg_error *err)
{
	const config_setting_t *s = config_setting_get_member(g, "size");
	const char *str;
	unsigned int i, n;
	uint32_t v = 0;

	sp->nb_sizes = 1;
	sp->sizes[0] = SS_GEN_MIN_SIZE;
	if (s == NULL)
		return 0;
	str = config_setting_get_string(s);
	if (str != NULL) {
		if (strcmp(str, "imix") != 0)
			return ss_cfg_fail(err, s, "expected a size, a list "
				"of sizes or \"imix\", got '%s'", str);
		sp->imix = true;
		sp->nb_sizes = 0;
		return 0;
	}
	if (config_setting_is_scalar(s)) {
		if (get_u32(s, &v, err) != 0)
			return -EINVAL;
		if (v < SS_GEN_MIN_SIZE || v > SS_GEN_MAX_SIZE)
			return ss_cfg_fail(err, s, "must be %u..%u, got %u",
				SS_GEN_MIN_SIZE, SS_GEN_MAX_SIZE, v);
		sp->sizes[0] = (uint16_t)v;
		return 0;
	}
	n = (unsigned int)config_setting_length(s);
	if (!config_setting_is_aggregate(s) || n == 0 ||
			n > SS_GEN_MAX_SIZES)
		return ss_cfg_fail(err, s, "expected 1..%u sizes",
			SS_GEN_MAX_SIZES);
	for (i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(s, i);

		if (get_u32(e, &v, err) != 0)
			return -EINVAL;
		if (v < SS_GEN_MIN_SIZE || v > SS_GEN_MAX_SIZE)
			return ss_cfg_fail(err, e, "must be %u..%u, got %u",
				SS_GEN_MIN_SIZE, SS_GEN_MAX_SIZE, v);
		sp->sizes[i] = (uint16_t)v;
	}
	sp->nb_sizes = (uint8_t)n;
	return 0;
}

/* A list of integers: ids (instance-ids) or spis. */
static int
parse_list(const config_setting_t *g, const char *key, uint32_t max_n,
	uint32_t *vals, uint16_t *n_out, struct ss_cfg_error *err)
{
	const config_setting_t *s = config_setting_get_member(g, key);
	unsigned int i, n;

	*n_out = 0;
	if (s == NULL)
		return 0;
	n = (unsigned int)config_setting_length(s);
	if (!config_setting_is_aggregate(s) || n == 0 || n > max_n)
		return ss_cfg_fail(err, s, "expected a list of 1..%u integers",
			max_n);
	for (i = 0; i < n; i++)
		if (get_u32(config_setting_get_elem(s, i), &vals[i], err) != 0)
			return -EINVAL;
	*n_out = (uint16_t)n;
	return 0;
}

static const struct ss_sa_params *
find_in_sa(const struct ss_sa_cfg *c, uint32_t spi)
{
	uint32_t i;

	for (i = 0; c != NULL && i < c->nb_sas; i++)
		if (c->sas[i].dir == SS_SA_DIR_IN && c->sas[i].spi == spi)
			return &c->sas[i];
	return NULL;
}

static int
parse_stream(const struct ss_config *cfg, const config_setting_t *g,
	struct gen_cfg_arg *a, uint8_t idx, struct ss_cfg_error *err)
{
	struct ss_gen_cfg *c = a->out;
	struct ss_gen_cfg_stream *st = &c->streams[idx];
	struct ss_gen_spec *sp = &st->spec;
	uint32_t vals[SS_GEN_MAX_SAS];
	char why[160];
	int64_t v;
	int e, rc;
	uint16_t i, n;

	if (!config_setting_is_group(g))
		return ss_cfg_fail(err, g, "expected a group");
	rc = ss_cfg_check_keys(g, stream_keys, err);
	if (rc != 0)
		return rc;
	memset(st, 0, sizeof(*st));
	sp->stream = idx;
	rc = ss_cfg_get_str(g, "name", true, st->name, sizeof(st->name), err);
	if (rc == 0)
		rc = port_by_name(c, g, "tx", &st->tx_port, err);
	if (rc == 0)
		rc = port_by_name(c, g, "rx", &st->rx_port, err);
	if (rc == 0)
		rc = ss_cfg_get_enum(g, "proto", true, proto_names, &e, err);
	if (rc != 0)
		return rc;
	sp->proto = (enum ss_gen_proto)e;
	rc = ss_cfg_get_ip(g, "src", true, &sp->src, err);
	if (rc == 0)
		rc = ss_cfg_get_ip(g, "dst", true, &sp->dst, err);
	if (rc != 0)
		return rc;
	v = 1024;
	rc = ss_cfg_get_int(g, "sport", false, 1, 65535, &v, err);
	sp->sport = (uint16_t)v;
	v = 9;
	if (rc == 0)
		rc = ss_cfg_get_int(g, "dport", false, 1, 65535, &v, err);
	sp->dport = (uint16_t)v;
	v = 1;
	if (rc == 0)
		rc = ss_cfg_get_int(g, "flows", false, 1, SS_GEN_MAX_FLOWS,
			&v, err);
	sp->flows = (uint16_t)v;
	e = 0;
	if (rc == 0)
		rc = ss_cfg_get_enum(g, "vary", false, vary_names, &e, err);
	sp->vary = (enum ss_gen_vary)e;
	if (rc == 0)
		rc = parse_sizes(g, sp, err);
	v = 0;
	if (rc == 0)
		rc = ss_cfg_get_int(g, "count", false, 0, INT64_MAX, &v, err);
	st->count = (uint64_t)v;
	v = 1000;
	if (rc == 0)
		rc = ss_cfg_get_int(g, "rate", false, 0, 100000000, &v, err);
	st->rate = (uint64_t)v;
	if (rc != 0)
		return rc;

	rc = parse_list(g, "ids", SS_GEN_MAX_IDS, vals, &n, err);
	if (rc != 0)
		return rc;
	sp->bits = cfg->instance_bits;
	for (i = 0; i < n; i++) {
		if (vals[i] >= (1u << cfg->instance_bits))
			return ss_cfg_fail(err, config_setting_get_member(g,
				"ids"), "id %u is out of range for "
				"instance_bits = %u", vals[i],
				cfg->instance_bits);
		sp->ids[i] = (uint16_t)vals[i];
	}
	sp->nb_ids = n;
	if ((sp->proto == SS_GEN_GTPU || sp->proto == SS_GEN_SCTP) && n == 0) {
		/* Default: every configured server's id. */
		for (i = 0; i < cfg->nb_servers && i < SS_GEN_MAX_IDS; i++)
			sp->ids[i] = cfg->servers[i].id;
		sp->nb_ids = i;
	}
	rc = parse_list(g, "spis", SS_GEN_MAX_SAS, st->spis, &st->nb_spis,
		err);
	if (rc != 0)
		return rc;
	if (sp->proto == SS_GEN_ESP) {
		const config_setting_t *ls = config_setting_get_member(g,
			"spis");

		if (st->nb_spis == 0)
			return ss_cfg_fail(err, g, "proto \"esp\" needs 'spis' "
				"(inbound SPIs of the ipsec section)");
		for (i = 0; i < st->nb_spis; i++) {
			const struct ss_sa_params *p = find_in_sa(a->sacfg,
				st->spis[i]);

			if (p == NULL)
				return ss_cfg_fail(err, ls, "no inbound SA "
					"with SPI 0x%08x in ipsec",
					st->spis[i]);
			if (p->mode == SS_SA_MODE_TUNNEL &&
					p->inner_family != sp->src.family)
				return ss_cfg_fail(err, ls, "SA 0x%08x carries "
					"IPv%c, the stream's addresses are "
					"IPv%c", st->spis[i],
					p->inner_family == AF_INET ? '4' : '6',
					sp->src.family == AF_INET ? '4' : '6');
		}
		if (sp->flows % st->nb_spis != 0)
			return ss_cfg_fail(err, g, "flows (%u) must be a "
				"multiple of the %u SPIs", sp->flows,
				st->nb_spis);
	} else if (st->nb_spis != 0) {
		return ss_cfg_fail(err, config_setting_get_member(g, "spis"),
			"only proto \"esp\" takes spis");
	}
	if (sp->proto == SS_GEN_ESP)
		return 0;	/* the encryptor is made at start-up */
	if (ss_gen_spec_check(sp, why, sizeof(why)) != 0)
		return ss_cfg_fail(err, g, "%s", why);
	return 0;
}

static int
parse_port(const config_setting_t *g, struct ss_gen_cfg *c, uint8_t idx,
	struct ss_cfg_error *err)
{
	struct ss_gen_cfg_port *p = &c->ports[idx];
	int64_t v = c->lcores[0];
	uint8_t i;
	int rc;

	if (!config_setting_is_group(g))
		return ss_cfg_fail(err, g, "expected a group");
	rc = ss_cfg_check_keys(g, port_keys, err);
	if (rc == 0)
		rc = ss_cfg_get_str(g, "name", true, p->name, sizeof(p->name),
			err);
	if (rc == 0)
		rc = ss_cfg_get_str(g, "device", true, p->device,
			sizeof(p->device), err);
	if (rc == 0 && config_setting_get_member(g, "mac") != NULL) {
		rc = ss_cfg_get_mac(g, "mac", true, &p->mac, err);
		p->has_mac = true;
	}
	if (rc == 0)
		rc = ss_cfg_get_mac(g, "peer_mac", true, &p->peer_mac, err);
	if (rc == 0)
		rc = ss_cfg_get_int(g, "lcore", false, 1, 127, &v, err);
	if (rc != 0)
		return rc;
	for (i = 0; i < c->nb_lcores; i++)
		if (c->lcores[i] == v)
			break;
	if (i == c->nb_lcores)
		return ss_cfg_fail(err, config_setting_get_member(g, "lcore"),
			"lcore %" PRId64 " is not one of gen.lcore", v);
	p->lcore = i;
	for (i = 0; i < idx; i++)
		if (strcmp(c->ports[i].name, p->name) == 0)
			return ss_cfg_fail(err, g, "duplicate port name '%s'",
				p->name);
	return 0;
}

/* gen.lcore: one lcore id, or a list of them; none may host a server. */
static int
parse_lcores(const struct ss_config *cfg, const config_setting_t *section,
	struct ss_gen_cfg *c, struct ss_cfg_error *err)
{
	const config_setting_t *l = config_setting_get_member(section,
		"lcore");
	unsigned int i, k, n;

	if (l == NULL)
		return ss_cfg_fail(err, section, "missing required setting "
			"'lcore'");
	n = config_setting_is_aggregate(l) ?
		(unsigned int)config_setting_length(l) : 1;
	if (n == 0 || n > SS_GEN_CFG_MAX_LCORES)
		return ss_cfg_fail(err, l, "expected an lcore or a list of "
			"1..%u lcores", SS_GEN_CFG_MAX_LCORES);
	for (i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_is_aggregate(l) ?
			config_setting_get_elem(l, i) : l;
		uint32_t v = 0;

		if (get_u32(e, &v, err) != 0)
			return -EINVAL;
		if (v < 1 || v > 127)
			return ss_cfg_fail(err, e, "must be 1..127, got %u",
				v);
		for (k = 0; k < cfg->nb_servers; k++)
			if (cfg->servers[k].lcore == v)
				return ss_cfg_fail(err, e, "lcore %u hosts "
					"server id %u; the generator needs its "
					"own", v, cfg->servers[k].id);
		for (k = 0; k < i; k++)
			if (c->lcores[k] == v)
				return ss_cfg_fail(err, e, "lcore %u given "
					"twice", v);
		c->lcores[i] = v;
	}
	c->nb_lcores = (uint8_t)n;
	return 0;
}

static int
parse_gen(const struct ss_config *cfg, const config_setting_t *section,
	void *arg, struct ss_cfg_error *err)
{
	struct gen_cfg_arg *a = arg;
	struct ss_gen_cfg *c = a->out;
	const config_setting_t *l;
	unsigned int i, n;
	int e = 1, rc;

	memset(c, 0, sizeof(*c));
	if (section == NULL)
		return 0;
	c->present = true;
	if (!config_setting_is_group(section))
		return ss_cfg_fail(err, section, "expected a group");
	rc = ss_cfg_check_keys(section, gen_keys, err);
	if (rc == 0)
		rc = parse_lcores(cfg, section, c, err);
	if (rc == 0)
		rc = ss_cfg_get_enum(section, "poll_mode", false, poll_names,
			&e, err);
	if (rc != 0)
		return rc;
	c->busy = e == 0;
	l = config_setting_get_member(section, "ports");
	if (l == NULL)
		return ss_cfg_fail(err, section, "missing required setting "
			"'ports'");
	n = (unsigned int)config_setting_length(l);
	if (!config_setting_is_list(l) || n == 0 || n > SS_GEN_CFG_MAX_PORTS)
		return ss_cfg_fail(err, l, "expected a list of 1..%u ports",
			SS_GEN_CFG_MAX_PORTS);
	for (i = 0; i < n; i++) {
		rc = parse_port(config_setting_get_elem(l, i), c, (uint8_t)i,
			err);
		if (rc != 0)
			return rc;
		c->nb_ports++;
	}
	l = config_setting_get_member(section, "streams");
	if (l == NULL)
		return ss_cfg_fail(err, section, "missing required setting "
			"'streams'");
	n = (unsigned int)config_setting_length(l);
	if (!config_setting_is_list(l) || n == 0 || n > SS_GEN_MAX_STREAMS)
		return ss_cfg_fail(err, l, "expected a list of 1..%u streams",
			SS_GEN_MAX_STREAMS);
	for (i = 0; i < n; i++) {
		rc = parse_stream(cfg, config_setting_get_elem(l, i), a,
			(uint8_t)i, err);
		if (rc != 0)
			return rc;
		c->nb_streams++;
	}
	return 0;
}

int
ss_gen_cfg_register(struct ss_gen_cfg *out, const struct ss_sa_cfg *sacfg)
{
	static struct gen_cfg_arg arg;

	arg.out = out;
	arg.sacfg = sacfg;
	return ss_cfg_register_section("gen", parse_gen, &arg);
}
