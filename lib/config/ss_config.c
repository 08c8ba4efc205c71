/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 shardsec authors
 */

/* Loader: core sections (ports, servers, neighbours, routes), the
 * registry of sections owned by other subsystems, and the dump. */

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <libgen.h>

#include <rte_common.h>
#include <rte_lcore.h>

#include "ss_config_priv.h"

RTE_LOG_REGISTER(ss_cfg_logtype, shardsec.config, INFO);

#define SS_CFG_MAX_SECTIONS 16

struct section_reg {
	char name[SS_CFG_NAME_LEN];
	ss_cfg_section_fn parse;
	ss_cfg_section_dump_fn dump;
	void *arg;
};

/* Filled at start-up before any load; not touched by workers. */
static struct section_reg sections[SS_CFG_MAX_SECTIONS];
static unsigned int nb_sections;

static const char *const core_keys[] = {
	"instance_bits", "mbufs", "poll_mode", "arp_hold_ms",
	"arp_hold_pkts", "icmp_rate", "log_level", "ports", "servers",
	"neighbours", "routes", NULL
};

static const char *const poll_modes[] = { "busy", "adaptive", NULL };

/* Index + 1 is the RTE_LOG_* level. */
static const char *const log_levels[] = {
	"emerg", "alert", "crit", "err", "warning", "notice", "info",
	"debug", NULL
};

int
ss_cfg_register_section(const char *name, ss_cfg_section_fn parse,
	void *arg)
{
	unsigned int i;

	if (name == NULL || parse == NULL || name[0] == '\0' ||
			strlen(name) >= SS_CFG_NAME_LEN)
		return -EINVAL;
	for (i = 0; core_keys[i] != NULL; i++)
		if (strcmp(core_keys[i], name) == 0)
			return -EEXIST;
	for (i = 0; i < nb_sections; i++)
		if (strcmp(sections[i].name, name) == 0)
			return -EEXIST;
	if (nb_sections == SS_CFG_MAX_SECTIONS)
		return -ENOSPC;
	snprintf(sections[nb_sections].name, SS_CFG_NAME_LEN, "%s", name);
	sections[nb_sections].parse = parse;
	sections[nb_sections].dump = NULL;
	sections[nb_sections].arg = arg;
	nb_sections++;
	return 0;
}

int
ss_cfg_register_section_dump(const char *name, ss_cfg_section_dump_fn dump)
{
	unsigned int i;

	for (i = 0; name != NULL && i < nb_sections; i++) {
		if (strcmp(sections[i].name, name) == 0) {
			sections[i].dump = dump;
			return 0;
		}
	}
	return -ENOENT;
}

void
ss_cfg_unregister_all(void)
{
	memset(sections, 0, sizeof(sections));
	nb_sections = 0;
}

/* Strings of the tree may be keys: libconfig frees without wiping. */
static void
wipe_strings(config_setting_t *s)
{
	int i, n;

	if (config_setting_type(s) == CONFIG_TYPE_STRING) {
		char *v = (char *)(uintptr_t)config_setting_get_string(s);

		if (v != NULL)
			explicit_bzero(v, strlen(v));
		return;
	}
	if (!config_setting_is_aggregate(s))
		return;
	n = config_setting_length(s);
	for (i = 0; i < n; i++)
		wipe_strings(config_setting_get_elem(s, i));
}

void
ss_cfg_free(struct ss_config *cfg)
{
	config_setting_t *root;

	if (cfg == NULL || !cfg->lc_valid)
		return;
	root = config_root_setting(&cfg->lc);
	if (root != NULL) {
		wipe_strings(root);
		free(config_setting_get_hook(root));
		config_setting_set_hook(root, NULL);
	}
	config_destroy(&cfg->lc);
	cfg->lc_valid = false;
}

/* ---- helpers ------------------------------------------------------- */

static const char *
family_name(uint8_t family)
{
	return family == AF_INET ? "IPv4" : "IPv6";
}

static bool
is_v6_link_local(const struct ss_ipaddr *a)
{
	return a->family == AF_INET6 && a->v6[0] == 0xfe &&
		(a->v6[1] & 0xc0) == 0x80;
}

static bool
is_pow2(int64_t v)
{
	return v > 0 && (v & (v - 1)) == 0;
}

static void
mac_str(const struct rte_ether_addr *m, char *buf, size_t len)
{
	snprintf(buf, len, "%02x:%02x:%02x:%02x:%02x:%02x",
		m->addr_bytes[0], m->addr_bytes[1], m->addr_bytes[2],
		m->addr_bytes[3], m->addr_bytes[4], m->addr_bytes[5]);
}

/* A unicast, non-zero MAC from member 'name' (when present). */
static int
get_unicast_mac(const config_setting_t *g, const char *name, bool required,
	struct rte_ether_addr *out, bool *found, struct ss_cfg_error *err)
{
	config_setting_t *s = ss_cfg_member(g, name);
	char buf[32];

	*found = false;
	if (ss_cfg_get_mac(g, name, required, out, err) < 0)
		return -EINVAL;
	if (s == NULL)
		return 0;
	*found = true;
	if (!rte_is_unicast_ether_addr(out) || rte_is_zero_ether_addr(out)) {
		mac_str(out, buf, sizeof(buf));
		return ss_cfg_fail(err, s, "must be a unicast address, got %s",
			buf);
	}
	return 0;
}

/* A list of groups (or an empty array) with min..max entries. *out is
 * NULL when absent and optional. */
static int
get_group_list(const config_setting_t *root, const char *name,
	bool required, unsigned int min, unsigned int max,
	const config_setting_t **out, struct ss_cfg_error *err)
{
	config_setting_t *s = ss_cfg_member(root, name);
	unsigned int i, n;

	*out = NULL;
	if (s == NULL) {
		if (required)
			return ss_cfg_fail_at(err, root, 0,
				"missing required setting '%s'", name);
		return 0;
	}
	n = (unsigned int)config_setting_length(s);
	if (!config_setting_is_list(s) &&
			!(config_setting_is_array(s) && n == 0))
		return ss_cfg_fail(err, s, "expected a list, got %s",
			ss_cfg_type_name(config_setting_type(s)));
	if (n < min || n > max)
		return ss_cfg_fail(err, s, "must have %u..%u entries, got %u",
			min, max, n);
	for (i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(s, i);

		if (!config_setting_is_group(e))
			return ss_cfg_fail(err, e, "expected a group, got %s",
				ss_cfg_type_name(config_setting_type(e)));
	}
	*out = s;
	return 0;
}

/* Port whose connected prefixes contain a, or -1. */
static int
connected_port(const struct ss_config *cfg, const struct ss_ipaddr *a)
{
	unsigned int i, k;

	for (i = 0; i < cfg->nb_ports; i++)
		for (k = 0; k < cfg->ports[i].nb_addrs; k++)
			if (ss_prefix_contains(&cfg->ports[i].addrs[k], a))
				return (int)i;
	return -1;
}

static bool
port_connects(const struct ss_cfg_port *p, const struct ss_ipaddr *a)
{
	unsigned int k;

	if (is_v6_link_local(a))
		return true;
	for (k = 0; k < p->nb_addrs; k++)
		if (ss_prefix_contains(&p->addrs[k], a))
			return true;
	return false;
}

/* ---- top-level scalars -------------------------------------------- */

static int
parse_scalars(struct ss_config *cfg, const config_setting_t *root,
	struct ss_cfg_error *err)
{
	int64_t v;
	int e;

	v = 4;
	if (ss_cfg_get_int(root, "instance_bits", false, 1, 8, &v, err) < 0)
		return -EINVAL;
	cfg->instance_bits = (uint8_t)v;
	v = 16383;
	if (ss_cfg_get_int(root, "mbufs", false, 1023, 1048575, &v, err) < 0)
		return -EINVAL;
	cfg->mbufs = (uint32_t)v;
	v = 1000;
	if (ss_cfg_get_int(root, "arp_hold_ms", false, 1, 10000, &v, err) < 0)
		return -EINVAL;
	cfg->arp_hold_ms = (uint32_t)v;
	v = 64;
	if (ss_cfg_get_int(root, "arp_hold_pkts", false, 1, 1024, &v,
			err) < 0)
		return -EINVAL;
	cfg->arp_hold_pkts = (uint16_t)v;
	v = 1000;
	if (ss_cfg_get_int(root, "icmp_rate", false, 1, 1000000, &v, err) < 0)
		return -EINVAL;
	cfg->icmp_rate = (uint32_t)v;
	e = SS_CFG_POLL_BUSY;
	if (ss_cfg_get_enum(root, "poll_mode", false, poll_modes, &e, err) < 0)
		return -EINVAL;
	cfg->poll_mode = (enum ss_cfg_poll_mode)e;
	e = -1;
	if (ss_cfg_get_enum(root, "log_level", false, log_levels, &e, err) < 0)
		return -EINVAL;
	cfg->log_level = e < 0 ? 0 : (uint32_t)e + RTE_LOG_EMERG;
	return 0;
}

/* ---- ports ---------------------------------------------------------- */

static int
check_port_name(const config_setting_t *g, const char *name,
	struct ss_cfg_error *err)
{
	const char *c;

	for (c = name; *c != '\0'; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') ||
				*c == '_' || *c == '-'))
			break;
	if (name[0] != '\0' && *c == '\0')
		return 0;
	return ss_cfg_fail(err, ss_cfg_member(g, "name"),
		"invalid port name '%.*s' (use a-z, 0-9, '_', '-')",
		SS_CFG_QUOTE_MAX, name);
}

static int
check_iface_prefix(const config_setting_t *s, const struct ss_prefix *p,
	struct ss_cfg_error *err)
{
	char buf[INET6_ADDRSTRLEN + 8];
	struct ss_prefix net;
	uint32_t host, mask;

	ss_prefix_str(p, buf, sizeof(buf));
	if (p->addr.family == AF_INET) {
		uint32_t a = rte_be_to_cpu_32(p->addr.v4);

		if (p->len == 0)
			return ss_cfg_fail(err, s,
				"prefix length of %s must be 1..32", buf);
		if (a == 0 || (a >> 28) == 0xe || (a >> 28) == 0xf)
			return ss_cfg_fail(err, s,
				"%s is not a unicast address", buf);
		if (p->len >= 31)
			return 0;
		mask = ~0u >> p->len;
		host = a & mask;
		if (host == 0)
			return ss_cfg_fail(err, s,
				"%s is a network address (host part is zero)",
				buf);
		if (host == mask)
			return ss_cfg_fail(err, s,
				"%s is the broadcast address", buf);
		return 0;
	}
	if (p->len == 0)
		return ss_cfg_fail(err, s, "prefix length of %s must be 1..128",
			buf);
	memset(&net, 0, sizeof(net));
	net.addr.family = AF_INET6;
	if (memcmp(p->addr.v6, net.addr.v6, 16) == 0 || p->addr.v6[0] == 0xff)
		return ss_cfg_fail(err, s, "%s is not a unicast address", buf);
	return 0;
}

/* The port being parsed is ports[nb_ports]: p may not repeat an address
 * of it or of an earlier port, nor overlap an earlier port's prefix
 * (the connected route would be ambiguous). Overlaps within one port
 * are secondary addresses and fine. */
static int
check_addr_conflicts(const struct ss_config *cfg, const config_setting_t *e,
	const struct ss_prefix *p, struct ss_cfg_error *err)
{
	char a[INET6_ADDRSTRLEN + 8], b[INET6_ADDRSTRLEN + 8];
	unsigned int pi, k;

	for (pi = 0; pi <= cfg->nb_ports; pi++) {
		const struct ss_cfg_port *o = &cfg->ports[pi];

		for (k = 0; k < o->nb_addrs; k++) {
			const struct ss_prefix *q = &o->addrs[k];

			ss_prefix_str(p, a, sizeof(a));
			ss_prefix_str(q, b, sizeof(b));
			if (ss_ipaddr_equal(&q->addr, &p->addr))
				return ss_cfg_fail(err, e,
					"address %s is already on port '%s'",
					a, o->name);
			if (pi == cfg->nb_ports ||
					q->addr.family != p->addr.family)
				continue;
			if ((q->len <= p->len &&
					ss_prefix_contains(q, &p->addr)) ||
					(p->len <= q->len &&
					ss_prefix_contains(p, &q->addr)))
				return ss_cfg_fail(err, e,
					"%s overlaps %s on port '%s'",
					a, b, o->name);
		}
	}
	return 0;
}

static int
parse_addresses(struct ss_config *cfg, struct ss_cfg_port *port,
	const config_setting_t *g, struct ss_cfg_error *err)
{
	config_setting_t *l = ss_cfg_member(g, "addresses");
	unsigned int i, n, nv4 = 0, nv6 = 0;

	if (l == NULL)
		return 0;
	if (!config_setting_is_list(l) && !config_setting_is_array(l))
		return ss_cfg_fail(err, l, "expected a list of strings, got %s",
			ss_cfg_type_name(config_setting_type(l)));
	n = (unsigned int)config_setting_length(l);
	for (i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(l, i);
		const char *v;
		struct ss_prefix p;

		if (config_setting_type(e) != CONFIG_TYPE_STRING)
			return ss_cfg_fail(err, e, "expected a string, got %s",
				ss_cfg_type_name(config_setting_type(e)));
		v = config_setting_get_string(e);
		if (ss_prefix_parse(v, &p) < 0)
			return ss_cfg_fail(err, e,
				"invalid prefix '%.*s' (expected ADDRESS/LENGTH)",
				SS_CFG_QUOTE_MAX, v);
		if (check_iface_prefix(e, &p, err) < 0)
			return -EINVAL;
		if ((p.addr.family == AF_INET ? ++nv4 : ++nv6) >
				SS_CFG_MAX_ADDRS)
			return ss_cfg_fail(err, e,
				"too many %s addresses (at most %u per port)",
				family_name(p.addr.family), SS_CFG_MAX_ADDRS);
		if (check_addr_conflicts(cfg, e, &p, err) < 0)
			return -EINVAL;
		port->addrs[port->nb_addrs++] = p;
	}
	return 0;
}

static int
parse_desc(const config_setting_t *g, const char *name, uint16_t *out,
	struct ss_cfg_error *err)
{
	int64_t v = 1024;

	if (ss_cfg_get_int(g, name, false, INT64_MIN, INT64_MAX, &v, err) < 0)
		return -EINVAL;
	if (v < 64 || v > 4096 || !is_pow2(v))
		return ss_cfg_fail(err, ss_cfg_member(g, name),
			"must be a power of two in 64..4096, got %" PRId64, v);
	*out = (uint16_t)v;
	return 0;
}

static int
parse_port(struct ss_config *cfg, const config_setting_t *g,
	struct ss_cfg_error *err)
{
	static const char *const keys[] = {
		"name", "device", "mtu", "addresses", "mac", "promiscuous",
		"rx_desc", "tx_desc", NULL
	};
	struct ss_cfg_port *port = &cfg->ports[cfg->nb_ports];
	unsigned int i, k;
	int64_t v;
	bool found;

	memset(port, 0, sizeof(*port));
	port->line = config_setting_source_line(g);
	if (ss_cfg_check_keys(g, keys, err) < 0)
		return -EINVAL;
	if (ss_cfg_get_str(g, "name", true, port->name, sizeof(port->name),
			err) < 0)
		return -EINVAL;
	if (check_port_name(g, port->name, err) < 0)
		return -EINVAL;
	for (i = 0; i < cfg->nb_ports; i++)
		if (strcmp(cfg->ports[i].name, port->name) == 0)
			return ss_cfg_fail(err, ss_cfg_member(g, "name"),
				"duplicate port name '%s' (first at line %u)",
				port->name, cfg->ports[i].line);
	if (ss_cfg_get_str(g, "device", true, port->device,
			sizeof(port->device), err) < 0)
		return -EINVAL;
	if (port->device[0] == '\0')
		return ss_cfg_fail(err, ss_cfg_member(g, "device"),
			"must not be empty");
	v = 1500;
	if (ss_cfg_get_int(g, "mtu", false, 68, 9600, &v, err) < 0)
		return -EINVAL;
	port->mtu = (uint16_t)v;
	if (parse_addresses(cfg, port, g, err) < 0)
		return -EINVAL;
	for (k = 0; k < port->nb_addrs; k++) {
		if (port->addrs[k].addr.family == AF_INET6 &&
				port->mtu < 1280)
			return ss_cfg_fail(err, ss_cfg_member(g, "mtu"),
				"must be at least 1280 on a port with IPv6 "
				"addresses, got %u", port->mtu);
	}
	if (get_unicast_mac(g, "mac", false, &port->mac, &found, err) < 0)
		return -EINVAL;
	port->has_mac = found;
	port->promiscuous = true;
	if (ss_cfg_get_bool(g, "promiscuous", false, &port->promiscuous,
			err) < 0)
		return -EINVAL;
	if (parse_desc(g, "rx_desc", &port->rx_desc, err) < 0 ||
			parse_desc(g, "tx_desc", &port->tx_desc, err) < 0)
		return -EINVAL;
	cfg->nb_ports++;
	return 0;
}

static int
parse_ports(struct ss_config *cfg, const config_setting_t *root,
	struct ss_cfg_error *err)
{
	const config_setting_t *l;
	int i, n;

	if (get_group_list(root, "ports", true, 1, SS_CFG_MAX_PORTS, &l,
			err) < 0)
		return -EINVAL;
	n = config_setting_length(l);
	for (i = 0; i < n; i++)
		if (parse_port(cfg, config_setting_get_elem(l, i), err) < 0)
			return -EINVAL;
	return 0;
}

/* ---- servers -------------------------------------------------------- */

static int
parse_servers(struct ss_config *cfg, const config_setting_t *root,
	struct ss_cfg_error *err)
{
	static const char *const keys[] = { "id", "lcore", NULL };
	const int64_t max_id = (1 << cfg->instance_bits) - 1;
	const config_setting_t *l;
	int i, n;

	if (get_group_list(root, "servers", true, 1, SS_CFG_MAX_SERVERS, &l,
			err) < 0)
		return -EINVAL;
	n = config_setting_length(l);
	for (i = 0; i < n; i++) {
		const config_setting_t *g = config_setting_get_elem(l, i);
		struct ss_cfg_server *sv = &cfg->servers[i];
		int64_t id = 0, lcore = 0;
		int k;

		if (ss_cfg_check_keys(g, keys, err) < 0)
			return -EINVAL;
		if (ss_cfg_get_int(g, "id", true, INT64_MIN, INT64_MAX, &id,
				err) < 0)
			return -EINVAL;
		if (id < 0 || id > max_id)
			return ss_cfg_fail(err, ss_cfg_member(g, "id"),
				"id %" PRId64 " is out of range for "
				"instance_bits = %u (0..%" PRId64 ")", id,
				cfg->instance_bits, max_id);
		for (k = 0; k < i; k++)
			if (cfg->servers[k].id == id)
				return ss_cfg_fail(err, ss_cfg_member(g, "id"),
					"duplicate instance-id %" PRId64
					" (first at line %u)", id,
					cfg->servers[k].line);
		if (ss_cfg_get_int(g, "lcore", true, 1, RTE_MAX_LCORE - 1,
				&lcore, err) < 0)
			return -EINVAL;
		sv->id = (uint16_t)id;
		sv->lcore = (unsigned int)lcore;
		sv->line = config_setting_source_line(g);
		cfg->nb_servers++;
	}
	return 0;
}

int
ss_cfg_check_lcores(const struct ss_config *cfg,
	bool (*enabled)(unsigned int lcore), unsigned int main_lcore,
	struct ss_cfg_error *err)
{
	unsigned int i;

	for (i = 0; i < cfg->nb_servers; i++) {
		const struct ss_cfg_server *sv = &cfg->servers[i];
		const config_setting_t *s = NULL;
		char path[64];
		char what[128];

		if (sv->lcore == main_lcore)
			snprintf(what, sizeof(what),
				"lcore %u is the main (control) lcore",
				sv->lcore);
		else if (enabled != NULL && !enabled(sv->lcore))
			snprintf(what, sizeof(what),
				"lcore %u is not enabled in EAL (use -l/--lcores)",
				sv->lcore);
		else
			continue;
		snprintf(path, sizeof(path), "servers.[%u].lcore", i);
		if (cfg->lc_valid)
			s = config_lookup(&cfg->lc, path);
		if (s != NULL)
			return ss_cfg_fail(err, s, "%s", what);
		return ss_cfg_fail_file(err, cfg->source, sv->line, path, "%s",
			what);
	}
	return 0;
}

/* ---- neighbours ------------------------------------------------------ */

static int
parse_neighbours(struct ss_config *cfg, const config_setting_t *root,
	struct ss_cfg_error *err)
{
	static const char *const keys[] = { "port", "ip", "mac", NULL };
	const config_setting_t *l;
	int i, n;

	if (get_group_list(root, "neighbours", false, 0, SS_CFG_MAX_NEIGH, &l,
			err) < 0)
		return -EINVAL;
	n = l == NULL ? 0 : config_setting_length(l);
	for (i = 0; i < n; i++) {
		const config_setting_t *g = config_setting_get_elem(l, i);
		struct ss_cfg_neigh *nb = &cfg->neigh[i];
		char ip[INET6_ADDRSTRLEN + 4];
		bool found;
		int k;

		memset(nb, 0, sizeof(*nb));
		nb->line = config_setting_source_line(g);
		if (ss_cfg_check_keys(g, keys, err) < 0 ||
				ss_cfg_get_port(cfg, g, "port", true,
					&nb->port, err) < 0 ||
				ss_cfg_get_ip(g, "ip", true, &nb->ip, err) < 0 ||
				get_unicast_mac(g, "mac", true, &nb->mac,
					&found, err) < 0)
			return -EINVAL;
		ss_ipaddr_str(&nb->ip, ip, sizeof(ip));
		if (!port_connects(&cfg->ports[nb->port], &nb->ip))
			return ss_cfg_fail(err, ss_cfg_member(g, "ip"),
				"%s is not in a connected prefix of port '%s'",
				ip, cfg->ports[nb->port].name);
		for (k = 0; k < i; k++)
			if (cfg->neigh[k].port == nb->port &&
					ss_ipaddr_equal(&cfg->neigh[k].ip,
						&nb->ip))
				return ss_cfg_fail(err, ss_cfg_member(g, "ip"),
					"duplicate neighbour %s on port '%s' "
					"(first at line %u)", ip,
					cfg->ports[nb->port].name,
					cfg->neigh[k].line);
		cfg->nb_neigh++;
	}
	return 0;
}

/* ---- routes ---------------------------------------------------------- */

static int
parse_route(struct ss_config *cfg, const config_setting_t *g,
	struct ss_cfg_route *r, struct ss_cfg_error *err)
{
	static const char *const keys[] = { "dst", "via", "port", NULL };
	const config_setting_t *dst_s = ss_cfg_member(g, "dst");
	const config_setting_t *via_s = ss_cfg_member(g, "via");
	char dst[INET6_ADDRSTRLEN + 8], net[INET6_ADDRSTRLEN + 8];
	char via[INET6_ADDRSTRLEN + 4];
	struct ss_prefix n;
	bool has_port;
	int p;

	memset(r, 0, sizeof(*r));
	r->line = config_setting_source_line(g);
	if (ss_cfg_check_keys(g, keys, err) < 0 ||
			ss_cfg_get_prefix(g, "dst", true, &r->dst, err) < 0)
		return -EINVAL;
	/* Refuse host bits: "10.1.2.3/8" is almost always a typo. */
	n = r->dst;
	if (n.addr.family == AF_INET) {
		n.addr.v4 = n.len == 0 ? 0 : rte_cpu_to_be_32(
			rte_be_to_cpu_32(n.addr.v4) & (~0u << (32 - n.len)));
	} else {
		unsigned int b;

		for (b = n.len; b < 128; b++)
			n.addr.v6[b / 8] &= (uint8_t)~(0x80 >> (b % 8));
	}
	if (!ss_ipaddr_equal(&n.addr, &r->dst.addr)) {
		ss_prefix_str(&r->dst, dst, sizeof(dst));
		ss_prefix_str(&n, net, sizeof(net));
		return ss_cfg_fail(err, dst_s,
			"%s has host bits set (network is %s)", dst, net);
	}
	if (ss_cfg_get_ip(g, "via", false, &r->via, err) < 0)
		return -EINVAL;
	r->has_via = via_s != NULL;
	if (r->has_via && r->via.family != r->dst.addr.family)
		return ss_cfg_fail(err, via_s,
			"family of via (%s) does not match dst (%s)",
			family_name(r->via.family),
			family_name(r->dst.addr.family));
	has_port = ss_cfg_member(g, "port") != NULL;
	if (ss_cfg_get_port(cfg, g, "port", false, &r->port, err) < 0)
		return -EINVAL;
	if (!r->has_via) {
		if (!has_port)
			return ss_cfg_fail_at(err, g, r->line,
				"missing required setting 'port' (a route "
				"without 'via' is on-link)");
		return 0;
	}
	ss_ipaddr_str(&r->via, via, sizeof(via));
	if (has_port) {
		if (!port_connects(&cfg->ports[r->port], &r->via))
			return ss_cfg_fail(err, via_s,
				"%s is not in a connected prefix of port '%s'",
				via, cfg->ports[r->port].name);
		return 0;
	}
	p = connected_port(cfg, &r->via);
	if (p < 0)
		return ss_cfg_fail(err, via_s,
			"%s is not in a connected prefix of any port "
			"(set 'port')", via);
	r->port = (uint8_t)p;
	return 0;
}

static int
parse_routes(struct ss_config *cfg, const config_setting_t *root,
	struct ss_cfg_error *err)
{
	const config_setting_t *l;
	int i, k, n;

	if (get_group_list(root, "routes", false, 0, SS_CFG_MAX_ROUTES, &l,
			err) < 0)
		return -EINVAL;
	n = l == NULL ? 0 : config_setting_length(l);
	for (i = 0; i < n; i++) {
		const config_setting_t *g = config_setting_get_elem(l, i);
		struct ss_cfg_route *r = &cfg->routes[i];
		char dst[INET6_ADDRSTRLEN + 8];

		if (parse_route(cfg, g, r, err) < 0)
			return -EINVAL;
		for (k = 0; k < i; k++) {
			if (cfg->routes[k].dst.len == r->dst.len &&
					ss_ipaddr_equal(&cfg->routes[k].dst.addr,
						&r->dst.addr))
				return ss_cfg_fail(err,
					ss_cfg_member(g, "dst"),
					"duplicate route %s (first at line %u)",
					ss_prefix_str(&r->dst, dst,
						sizeof(dst)),
					cfg->routes[k].line);
		}
		cfg->nb_routes++;
	}
	return 0;
}

/* ---- loading ----------------------------------------------------------- */

/*
 * libconfig 1.5 silently wraps integer literals that do not fit its
 * 32-bit int ("mtu = 4294968796;" reads as 1500). Find such literals in
 * the text so they are refused instead: decimal outside int32 or hex
 * above 0xffffffff without the 'L' suffix. Comments and strings are
 * skipped. Returns the line of the first one (0: none), copying it to tok.
 */
static unsigned int
find_wrapped_int(const char *p, char *tok, size_t toklen)
{
	unsigned int line = 1;

	while (*p != '\0') {
		const char *s = p;
		bool bad = false;

		if (*p == '\n') {
			line++;
			p++;
		} else if (*p == '"') {
			for (p++; *p != '\0' && *p != '"'; p++) {
				if (*p == '\\' && p[1] != '\0')
					p++;
				if (*p == '\n')
					line++;
			}
			if (*p != '\0')
				p++;
		} else if (*p == '#' || (p[0] == '/' && p[1] == '/')) {
			while (*p != '\0' && *p != '\n')
				p++;
		} else if (p[0] == '/' && p[1] == '*') {
			for (p += 2; *p != '\0' && !(p[0] == '*' && p[1] == '/');
					p++)
				if (*p == '\n')
					line++;
			if (*p != '\0')
				p += 2;
		} else if (isalpha((unsigned char)*p) || *p == '_' ||
				*p == '*') {
			/* a setting name: digits in it are not numbers */
			while (isalnum((unsigned char)*p) || *p == '_' ||
					*p == '*' || *p == '-')
				p++;
		} else if (*p == '.') {
			/* fraction or exponent of a float */
			for (p++; isalnum((unsigned char)*p) || *p == '+' ||
					*p == '-'; p++)
				;
		} else if (isdigit((unsigned char)*p) || ((*p == '-' ||
				*p == '+') && isdigit((unsigned char)p[1]))) {
			if (*p == '-' || *p == '+')
				p++;
			if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
				const char *d;

				for (p += 2; *p == '0'; p++)
					;
				for (d = p; isxdigit((unsigned char)*p); p++)
					;
				bad = p - d > 8;
			} else {
				char *end;
				long long v;

				errno = 0;
				v = strtoll(s, &end, 10);
				p = end;
				bad = errno == ERANGE || v > INT32_MAX ||
					v < INT32_MIN;
			}
			if (*p == '.' || *p == 'e' || *p == 'E') {
				bad = false;	/* a float */
				for (p++; isalnum((unsigned char)*p) ||
						*p == '+' || *p == '-' ||
						*p == '.'; p++)
					;
			} else if (*p == 'L') {
				bad = false;
				while (*p == 'L')
					p++;
			}
			if (bad) {
				snprintf(tok, toklen, "%.*s",
					(int)RTE_MIN(p - s, 40), s);
				return line;
			}
		} else {
			p++;
		}
	}
	return 0;
}

static int
parse_all(struct ss_config *cfg, struct ss_cfg_error *err)
{
	const char *allowed[RTE_DIM(core_keys) + SS_CFG_MAX_SECTIONS];
	const config_setting_t *root = config_root_setting(&cfg->lc);
	unsigned int i, n = 0;
	int ret;

	for (i = 0; core_keys[i] != NULL; i++)
		allowed[n++] = core_keys[i];
	for (i = 0; i < nb_sections; i++)
		allowed[n++] = sections[i].name;
	allowed[n] = NULL;
	if (ss_cfg_check_keys(root, allowed, err) < 0 ||
			parse_scalars(cfg, root, err) < 0 ||
			parse_ports(cfg, root, err) < 0 ||
			parse_servers(cfg, root, err) < 0 ||
			parse_neighbours(cfg, root, err) < 0 ||
			parse_routes(cfg, root, err) < 0)
		return -EINVAL;
	for (i = 0; i < nb_sections; i++) {
		const config_setting_t *s = ss_cfg_member(root,
			sections[i].name);

		err->msg[0] = '\0';
		ret = sections[i].parse(cfg, s, sections[i].arg, err);
		if (ret < 0) {
			if (err->msg[0] == '\0')
				ss_cfg_fail_at(err, s == NULL ? root : s,
					s == NULL ? 0 :
					config_setting_source_line(s),
					"section '%s' refused (%s)",
					sections[i].name, strerror(-ret));
			return ret;
		}
	}
	return 0;
}

/* The whole of f as a string (NULL with errno on error). */
static char *
read_text(FILE *f)
{
	size_t len = 0, cap = 0;
	char *buf = NULL;

	for (;;) {
		char *nb;
		size_t n;

		if (cap - len < 4096) {
			cap = cap == 0 ? 8192 : cap * 2;
			nb = realloc(buf, cap);
			if (nb == NULL) {
				free(buf);
				errno = ENOMEM;
				return NULL;
			}
			buf = nb;
		}
		n = fread(buf + len, 1, cap - len - 1, f);
		len += n;
		if (n == 0)
			break;
	}
	if (ferror(f)) {
		free(buf);
		errno = EIO;
		return NULL;
	}
	buf[len] = '\0';
	return buf;
}

/* Common tail of both loaders, after libconfig read the text. */
static int
load_tree(struct ss_config *cfg, bool read_ok, const char *name,
	const char *text, struct ss_cfg_error *err)
{
	config_setting_t *root;
	unsigned int line;
	char tok[48];
	int ret;

	if (!read_ok) {
		const char *file = config_error_file(&cfg->lc);
		const char *text = config_error_text(&cfg->lc);

		if (file == NULL)
			file = name;
		if (text == NULL || strcmp(text, "syntax error") == 0)
			ss_cfg_fail_file(err, file,
				(unsigned int)config_error_line(&cfg->lc), "",
				"syntax error");
		else
			ss_cfg_fail_file(err, file,
				(unsigned int)config_error_line(&cfg->lc), "",
				"syntax error: %s", text);
		ss_cfg_free(cfg);
		return -EINVAL;
	}
	line = text == NULL ? 0 : find_wrapped_int(text, tok, sizeof(tok));
	if (line > 0) {
		ss_cfg_fail_file(err, name, line, "", "syntax error: integer "
			"%s does not fit in 32 bits (write %sL)", tok, tok);
		ss_cfg_free(cfg);
		return -EINVAL;
	}
	root = config_root_setting(&cfg->lc);
	config_setting_set_hook(root, strdup(name));
	ret = parse_all(cfg, err);
	if (ret < 0) {
		SS_CFG_LOG(DEBUG, "%s", err->msg);
		ss_cfg_free(cfg);
		return ret;
	}
	SS_CFG_LOG(INFO, "loaded %s: %u ports, %u servers, %u routes",
		name, cfg->nb_ports, cfg->nb_servers, cfg->nb_routes);
	return 0;
}

static void
load_init(struct ss_config *cfg, const char *name, struct ss_cfg_error *err)
{
	memset(cfg, 0, sizeof(*cfg));
	memset(err, 0, sizeof(*err));
	snprintf(cfg->source, sizeof(cfg->source), "%s", name);
	config_init(&cfg->lc);
	cfg->lc_valid = true;
}

int
ss_cfg_load_string(const char *text, const char *name,
	struct ss_config *cfg, struct ss_cfg_error *err)
{
	struct ss_cfg_error local;

	if (err == NULL)
		err = &local;
	if (name == NULL)
		name = "<string>";
	load_init(cfg, name, err);
	if (text == NULL) {
		ss_cfg_free(cfg);
		return ss_cfg_fail(err, NULL, "%s: no configuration text", name);
	}
	return load_tree(cfg, config_read_string(&cfg->lc, text) ==
		CONFIG_TRUE, name, text, err);
}

int
ss_cfg_load(const char *path, struct ss_config *cfg,
	struct ss_cfg_error *err)
{
	struct ss_cfg_error local;
	char *text;
	char dir[256];
	FILE *f;
	int ret;

	if (err == NULL)
		err = &local;
	if (path == NULL)
		return ss_cfg_fail(err, NULL, "no configuration file name");
	load_init(cfg, path, err);
	/* libconfig only says "file I/O error": find out the real cause.
	 * The text is kept for find_wrapped_int(). */
	errno = 0;
	f = fopen(path, "r");
	text = f == NULL ? NULL : read_text(f);
	if (text == NULL) {
		int e = errno == 0 ? EIO : errno;

		if (f != NULL)
			fclose(f);
		ss_cfg_free(cfg);
		ss_cfg_fail_file(err, path, 0, "", "cannot read: %s",
			strerror(e));
		return -e;
	}
	fclose(f);
	snprintf(dir, sizeof(dir), "%s", path);
	config_set_include_dir(&cfg->lc, dirname(dir));
	ret = load_tree(cfg, config_read_file(&cfg->lc, path) == CONFIG_TRUE,
		path, text, err);
	explicit_bzero(text, strlen(text));
	free(text);
	return ret;
}

/* ---- dump --------------------------------------------------------------- */

static void
put_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

static void
dump_ports(const struct ss_config *cfg, FILE *f)
{
	char buf[INET6_ADDRSTRLEN + 8];
	unsigned int i, k;

	fprintf(f, "ports = (\n");
	for (i = 0; i < cfg->nb_ports; i++) {
		const struct ss_cfg_port *p = &cfg->ports[i];

		fprintf(f, "\t{ name = ");
		put_str(f, p->name);
		fprintf(f, "; device = ");
		put_str(f, p->device);
		fprintf(f, "; mtu = %u;\n\t  addresses = (", p->mtu);
		for (k = 0; k < p->nb_addrs; k++)
			fprintf(f, "%s\"%s\"", k == 0 ? " " : ", ",
				ss_prefix_str(&p->addrs[k], buf, sizeof(buf)));
		fprintf(f, " );\n\t  ");
		if (p->has_mac) {
			mac_str(&p->mac, buf, sizeof(buf));
			fprintf(f, "mac = \"%s\"; ", buf);
		}
		fprintf(f, "promiscuous = %s; rx_desc = %u; tx_desc = %u; }%s\n",
			p->promiscuous ? "true" : "false", p->rx_desc,
			p->tx_desc, i + 1 < cfg->nb_ports ? "," : "");
	}
	fprintf(f, ");\n");
}

static void
dump_lists(const struct ss_config *cfg, FILE *f)
{
	char a[INET6_ADDRSTRLEN + 8], m[32];
	unsigned int i;

	fprintf(f, "servers = (\n");
	for (i = 0; i < cfg->nb_servers; i++)
		fprintf(f, "\t{ id = %u; lcore = %u; }%s\n",
			cfg->servers[i].id, cfg->servers[i].lcore,
			i + 1 < cfg->nb_servers ? "," : "");
	fprintf(f, ");\nneighbours = (\n");
	for (i = 0; i < cfg->nb_neigh; i++) {
		const struct ss_cfg_neigh *n = &cfg->neigh[i];

		mac_str(&n->mac, m, sizeof(m));
		fprintf(f, "\t{ port = \"%s\"; ip = \"%s\"; mac = \"%s\"; }%s\n",
			cfg->ports[n->port].name,
			ss_ipaddr_str(&n->ip, a, sizeof(a)), m,
			i + 1 < cfg->nb_neigh ? "," : "");
	}
	fprintf(f, ");\nroutes = (\n");
	for (i = 0; i < cfg->nb_routes; i++) {
		const struct ss_cfg_route *r = &cfg->routes[i];

		fprintf(f, "\t{ dst = \"%s\"; ",
			ss_prefix_str(&r->dst, a, sizeof(a)));
		if (r->has_via)
			fprintf(f, "via = \"%s\"; ",
				ss_ipaddr_str(&r->via, a, sizeof(a)));
		fprintf(f, "port = \"%s\"; }%s\n", cfg->ports[r->port].name,
			i + 1 < cfg->nb_routes ? "," : "");
	}
	fprintf(f, ");\n");
}

void
ss_cfg_dump(const struct ss_config *cfg, FILE *f)
{
	const config_setting_t *root = cfg->lc_valid ?
		config_root_setting(&cfg->lc) : NULL;
	unsigned int i;

	fprintf(f, "# effective configuration from %s\n", cfg->source);
	fprintf(f, "instance_bits = %u;\nmbufs = %u;\npoll_mode = \"%s\";\n",
		cfg->instance_bits, cfg->mbufs, poll_modes[cfg->poll_mode]);
	fprintf(f, "arp_hold_ms = %u;\narp_hold_pkts = %u;\n"
		"icmp_rate = %u;\n", cfg->arp_hold_ms, cfg->arp_hold_pkts,
		cfg->icmp_rate);
	if (cfg->log_level >= RTE_LOG_EMERG && cfg->log_level <= RTE_LOG_DEBUG)
		fprintf(f, "log_level = \"%s\";\n",
			log_levels[cfg->log_level - RTE_LOG_EMERG]);
	dump_ports(cfg, f);
	dump_lists(cfg, f);
	for (i = 0; i < nb_sections; i++) {
		const config_setting_t *s = ss_cfg_member(root,
			sections[i].name);

		if (sections[i].dump != NULL)
			sections[i].dump(cfg, s, sections[i].arg, f);
		else
			fprintf(f, "# %s: %s\n", sections[i].name, s == NULL ?
				"not configured" :
				"configured (no printer, not shown)");
	}
}
