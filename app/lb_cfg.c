/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 shardsec authors
 */

/*
 * The "lb" section: the load balancer role.
 *
 *   lb = {
 *     vips = ( "198.51.100.10", "2001:db8:2::10" );  # 1..16, v4/v6
 *     port = "inside";        # the port the backends sit behind
 *     ike_backend = 1;        # instance-id that gets IKE (default: the
 *                             # first backend's)
 *     announce = true;        # answer ARP/NS for the VIPs on every port
 *                             # but 'port' (false: the VIPs are routed
 *                             # to the gateway by the network)
 *     health_ms = 1000;       # health check interval (0: none)
 *     health_fall = 3;        # missed checks in a row: down
 *     health_rise = 2;        # answered checks in a row: up again
 *     conn_max = 65536;       # tracked flows per worker (0: no
 *                             # connection tracking; else 64..2^24)
 *     conn_idle_s = 300;      # a tracked flow idle this long is
 *                             # forgotten (1..86400)
 *     backends = (            # 1..64
 *       { id = 1; mac = "02:00:00:00:01:01"; ip = "192.0.2.11"; },
 *       { id = 2; mac = "02:00:00:00:01:02"; weight = 2; }  # no ip:
 *                             # not checked; weight: share of the
 *                             # hashed traffic, 0..1000 (default 1)
 *     );
 *   };
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <rte_common.h>

#include "ss_app_lb.h"

struct ss_app_lb_cfg ss_app_lb_cfg;

static const char *const kind_names[SS_LB_KIND_MAX] = {
	[SS_LB_ESP] = "esp",
	[SS_LB_ESP_UDP] = "esp-udp",
	[SS_LB_GTPU] = "gtpu",
	[SS_LB_SCTP] = "sctp",
	[SS_LB_IKE] = "ike",
	[SS_LB_HASH] = "hash",
};

const char *
ss_app_lb_kind_name(unsigned int kind)
{
	return kind < SS_LB_KIND_MAX ? kind_names[kind] : "?";
}

/* One of the gateway's own addresses: the gateway answers those itself,
 * so a VIP there would never reach a backend. */
static int
own_address(const struct ss_config *cfg, const struct ss_ipaddr *a)
{
	uint8_t p, k;

	for (p = 0; p < cfg->nb_ports; p++)
		for (k = 0; k < cfg->ports[p].nb_addrs; k++)
			if (ss_ipaddr_equal(&cfg->ports[p].addrs[k].addr, a))
				return p;
	return -1;
}

static int
vips_parse(const struct ss_config *cfg, const config_setting_t *sec,
	struct ss_app_lb_cfg *c, struct ss_cfg_error *err)
{
	const config_setting_t *l = config_setting_get_member(sec, "vips");
	unsigned int i, j, n;

	if (l == NULL)
		return ss_cfg_fail(err, sec, "missing required setting "
			"'vips'");
	if (!config_setting_is_aggregate(l) || config_setting_is_group(l))
		return ss_cfg_fail(err, l, "expected a list of addresses "
			"( \"...\", ... )");
	n = (unsigned int)config_setting_length(l);
	if (n == 0 || n > SS_LB_MAX_VIPS)
		return ss_cfg_fail(err, l, "1 to %u VIPs, got %u",
			SS_LB_MAX_VIPS, n);
	for (i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(l, i);
		const char *s = config_setting_get_string(e);
		struct ss_ipaddr *a = &c->vips[i];
		int p;

		if (s == NULL || ss_ipaddr_parse(s, a) < 0)
			return ss_cfg_fail(err, e, "invalid IP address%s%.64s%s",
				s != NULL ? " '" : "", s != NULL ? s : "",
				s != NULL ? "'" : " (expected a string)");
		for (j = 0; j < i; j++)
			if (ss_ipaddr_equal(&c->vips[j], a))
				return ss_cfg_fail(err, e, "duplicate VIP '%s' "
					"(also vips.[%u])", s, j);
		p = own_address(cfg, a);
		if (p >= 0)
			return ss_cfg_fail(err, e, "'%s' is an address of "
				"port '%s': a VIP must not be the gateway's "
				"own", s, cfg->ports[p].name);
	}
	c->nb_vips = (uint8_t)n;
	return 0;
}

static int
backend_parse(const struct ss_config *cfg, const config_setting_t *e,
	struct ss_app_lb_backend *b, struct ss_cfg_error *err)
{
	static const char *const keys[] = { "id", "mac", "ip", "weight",
		NULL };
	int64_t v;
	int ret;

	b->line = config_setting_source_line(e);
	ret = ss_cfg_check_keys(e, keys, err);
	if (ret < 0)
		return ret;
	ret = ss_cfg_get_int(e, "id", true, 0, (1 << cfg->instance_bits) - 1,
		&v, err);
	if (ret < 0)
		return ret;
	b->id = (uint16_t)v;
	ret = ss_cfg_get_mac(e, "mac", true, &b->mac, err);
	if (ret < 0)
		return ret;
	if (!rte_is_unicast_ether_addr(&b->mac) ||
			rte_is_zero_ether_addr(&b->mac))
		return ss_cfg_fail(err, config_setting_get_member(e, "mac"),
			"a backend's MAC must be a unicast address");
	memset(&b->ip, 0, sizeof(b->ip));
	ret = ss_cfg_get_ip(e, "ip", false, &b->ip, err);
	if (ret < 0)
		return ret;
	v = 1;
	ret = ss_cfg_get_int(e, "weight", false, 0, SS_LB_MAX_WEIGHT, &v,
		err);
	b->weight = (uint16_t)v;
	return ret;
}

/* A backend's ip is asked from the lb port (ARP needs an IPv4 address
 * there; ND has the port's link-local). */
static bool
backend_ip_askable(const struct ss_config *cfg,
	const struct ss_app_lb_cfg *c, const struct ss_app_lb_backend *b)
{
	const struct ss_cfg_port *p = &cfg->ports[c->port];
	uint8_t k;

	if (b->ip.family != AF_INET)
		return true;
	for (k = 0; k < p->nb_addrs; k++)
		if (p->addrs[k].addr.family == AF_INET)
			return true;
	return false;
}

static int
section_parse_one(const struct ss_config *cfg, const config_setting_t *sec,
	struct ss_app_lb_cfg *c, struct ss_cfg_error *err)
{
	static const char *const keys[] = { "vips", "port", "ike_backend",
		"announce", "health_ms", "health_fall", "health_rise",
		"conn_max", "conn_idle_s", "backends", NULL };
	const config_setting_t *l;
	unsigned int i, j, n;
	int64_t v;
	int ret;

	ret = ss_cfg_check_keys(sec, keys, err);
	if (ret < 0)
		return ret;
	ret = vips_parse(cfg, sec, c, err);
	if (ret < 0)
		return ret;
	ret = ss_cfg_get_port(cfg, sec, "port", true, &c->port, err);
	if (ret < 0)
		return ret;
	l = config_setting_get_member(sec, "backends");
	if (l == NULL)
		return ss_cfg_fail(err, sec, "missing required setting "
			"'backends'");
	if (!config_setting_is_list(l))
		return ss_cfg_fail(err, l, "expected a list ( {...}, ... )");
	n = (unsigned int)config_setting_length(l);
	if (n == 0 || n > SS_LB_MAX_BACKENDS)
		return ss_cfg_fail(err, l, "1 to %u backends, got %u",
			SS_LB_MAX_BACKENDS, n);
	for (i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(l, i);

		if (!config_setting_is_group(e))
			return ss_cfg_fail(err, e, "expected a group { ... }");
		ret = backend_parse(cfg, e, &c->b[i], err);
		if (ret < 0)
			return ret;
		if (!backend_ip_askable(cfg, c, &c->b[i]))
			return ss_cfg_fail(err, config_setting_get_member(e,
				"ip"), "port '%s' has no IPv4 address to "
				"check an IPv4 backend from",
				cfg->ports[c->port].name);
		for (j = 0; j < i; j++)
			if (c->b[j].id == c->b[i].id)
				return ss_cfg_fail(err,
					config_setting_get_member(e, "id"),
					"instance-id %u is already a backend "
					"(line %d)", c->b[i].id, c->b[j].line);
	}
	c->nb_backends = (uint16_t)n;
	v = c->b[0].id;
	ret = ss_cfg_get_int(sec, "ike_backend", false, 0, INT32_MAX, &v, err);
	if (ret < 0)
		return ret;
	for (i = 0; i < n; i++)
		if (c->b[i].id == v)
			break;
	if (i == n)
		return ss_cfg_fail(err, config_setting_get_member(sec,
			"ike_backend"), "no backend has instance-id %" PRId64,
			v);
	c->ike_backend = (uint16_t)v;
	c->announce = true;
	ret = ss_cfg_get_bool(sec, "announce", false, &c->announce, err);
	if (ret < 0)
		return ret;
	v = 1000;
	ret = ss_cfg_get_int(sec, "health_ms", false, 0, 3600000, &v, err);
	if (ret < 0)
		return ret;
	if (v != 0 && v < 10)
		return ss_cfg_fail(err, config_setting_get_member(sec,
			"health_ms"), "0 (no health checks) or 10 to 3600000 "
			"ms, got %" PRId64, v);
	c->health_ms = (uint32_t)v;
	v = 3;
	ret = ss_cfg_get_int(sec, "health_fall", false, 1, 100, &v, err);
	if (ret < 0)
		return ret;
	c->health_fall = (uint8_t)v;
	v = 2;
	ret = ss_cfg_get_int(sec, "health_rise", false, 1, 100, &v, err);
	if (ret < 0)
		return ret;
	c->health_rise = (uint8_t)v;
	v = 65536;
	ret = ss_cfg_get_int(sec, "conn_max", false, 0, SS_LB_CT_MAX, &v,
		err);
	if (ret < 0)
		return ret;
	if (v != 0 && v < SS_LB_CT_MIN)
		return ss_cfg_fail(err, config_setting_get_member(sec,
			"conn_max"), "0 (no connection tracking) or %u to %u "
			"flows, got %" PRId64, SS_LB_CT_MIN, SS_LB_CT_MAX, v);
	c->conn_max = (uint32_t)v;
	v = 300;
	ret = ss_cfg_get_int(sec, "conn_idle_s", false, 1, SS_LB_CT_IDLE_MAX,
		&v, err);
	if (ret < 0)
		return ret;
	c->conn_idle_s = (uint32_t)v;
	return 0;
}

static int
section_parse(const struct ss_config *cfg, const config_setting_t *sec,
	void *arg, struct ss_cfg_error *err)
{
	struct ss_app_lb_cfg *c = arg;
	int ret;

	memset(c, 0, sizeof(*c));
	if (sec == NULL)
		return 0;
	if (!config_setting_is_group(sec))
		return ss_cfg_fail(err, sec, "expected a group { ... }");
	ret = section_parse_one(cfg, sec, c, err);
	if (ret < 0)
		/* a refused file leaves no load balancer behind */
		memset(c, 0, sizeof(*c));
	return ret;
}

static void
section_dump(const struct ss_config *cfg, const config_setting_t *sec,
	void *arg, FILE *f)
{
	const struct ss_app_lb_cfg *c = arg;
	char buf[INET6_ADDRSTRLEN + 4];
	unsigned int i;

	RTE_SET_USED(sec);
	if (c->nb_backends == 0)
		return;
	fprintf(f, "lb = {\n\tvips = ( ");
	for (i = 0; i < c->nb_vips; i++)
		fprintf(f, "%s\"%s\"", i != 0 ? ", " : "",
			ss_ipaddr_str(&c->vips[i], buf, sizeof(buf)));
	fprintf(f, " );\n\tport = \"%s\";\n\tike_backend = %u;\n"
		"\tannounce = %s;\n\thealth_ms = %u;\n\thealth_fall = %u;\n"
		"\thealth_rise = %u;\n\tconn_max = %u;\n\tconn_idle_s = %u;\n"
		"\tbackends = (\n",
		cfg->ports[c->port].name, c->ike_backend,
		c->announce ? "true" : "false", c->health_ms, c->health_fall,
		c->health_rise, c->conn_max, c->conn_idle_s);
	for (i = 0; i < c->nb_backends; i++) {
		fprintf(f, "\t\t{ id = %u; mac = \"" RTE_ETHER_ADDR_PRT_FMT
			"\"; weight = %u;", c->b[i].id,
			RTE_ETHER_ADDR_BYTES(&c->b[i].mac), c->b[i].weight);
		if (c->b[i].ip.family != 0)
			fprintf(f, " ip = \"%s\";", ss_ipaddr_str(&c->b[i].ip,
				buf, sizeof(buf)));
		fprintf(f, " }%s\n", i + 1 < c->nb_backends ? "," : "");
	}
	fprintf(f, "\t);\n};\n");
}

int
ss_app_lb_register(struct ss_app *app)
{
	int ret;

	RTE_SET_USED(app);
	memset(&ss_app_lb_cfg, 0, sizeof(ss_app_lb_cfg));
	ret = ss_cfg_register_section("lb", section_parse, &ss_app_lb_cfg);
	if (ret == 0)
		ret = ss_cfg_register_section_dump("lb", section_dump);
	if (ret < 0)
		fprintf(stderr, "shardsec: cannot register 'lb': %s\n",
			strerror(-ret));
	return ret;
}
