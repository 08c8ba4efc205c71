/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 shardsec authors
 */

/* Set-up of the L3 tables: interfaces, routes, neighbours; walks. */

#include <errno.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_jhash.h>
#include <rte_errno.h>
#include <rte_malloc.h>

#include "ss_net_priv.h"

RTE_LOG_REGISTER_DEFAULT(ss_net_logtype, INFO);

struct net_ctx ss_net_ctx;

const char *const ss_net_drop_names[SS_NET_DROP_MAX] = {
	[SS_NET_DROP_RUNT] = "runt",
	[SS_NET_DROP_ETHERTYPE] = "ethertype",
	[SS_NET_DROP_ARP_MALFORMED] = "arp_malformed",
	[SS_NET_DROP_IP4_TRUNC] = "ip4_trunc",
	[SS_NET_DROP_IP4_HDRLEN] = "ip4_hdrlen",
	[SS_NET_DROP_IP4_TOTLEN] = "ip4_totlen",
	[SS_NET_DROP_IP4_CSUM] = "ip4_csum",
	[SS_NET_DROP_IP4_VERSION] = "ip4_version",
	[SS_NET_DROP_IP4_FRAG] = "ip4_frag_to_us",
	[SS_NET_DROP_IP6_TRUNC] = "ip6_trunc",
	[SS_NET_DROP_IP6_PLEN] = "ip6_plen",
	[SS_NET_DROP_IP6_VERSION] = "ip6_version",
	[SS_NET_DROP_TTL] = "ttl_expired",
	[SS_NET_DROP_NO_ROUTE] = "no_route",
	[SS_NET_DROP_NO_NEIGH] = "no_neigh",
	[SS_NET_DROP_HOLD_FULL] = "hold_full",
	[SS_NET_DROP_HOLD_TIMEOUT] = "hold_timeout",
	[SS_NET_DROP_MTU] = "mtu_exceeded",
	[SS_NET_DROP_L4_TRUNC] = "l4_trunc",
	[SS_NET_DROP_ICMP_CSUM] = "icmp_csum",
	[SS_NET_DROP_SRC_INVALID] = "src_invalid",
	[SS_NET_DROP_NOT_FOR_US] = "not_for_us",
	[SS_NET_DROP_NATT_KEEPALIVE] = "natt_keepalive",
	[SS_NET_DROP_ND_INVALID] = "nd_invalid",
};

static void
prefix_mask(uint8_t *a, uint8_t len, size_t bytes)
{
	size_t i;

	for (i = 0; i < bytes; i++) {
		unsigned int keep = len >= 8 ? 8 : len;

		a[i] &= (uint8_t)(0xff00 >> keep);
		len -= keep;
	}
}

static int
nh_add(const struct ss_prefix *dst, uint8_t port, bool has_via,
	const struct ss_ipaddr *via, bool connected)
{
	struct net_ctx *c = &ss_net_ctx;
	struct net_nh *nh;
	int ret;

	if (c->nb_nh >= NET_MAX_NH)
		return -ENOSPC;
	nh = &c->nh[c->nb_nh];
	nh->port = port;
	nh->has_via = has_via;
	if (has_via)
		nh->via = *via;
	nh->dst = *dst;
	if (dst->addr.family == AF_INET) {
		uint32_t a = rte_be_to_cpu_32(dst->addr.v4);

		if (dst->len < 32)
			a &= dst->len == 0 ? 0 : ~((1u << (32 - dst->len)) - 1);
		nh->dst.addr.v4 = rte_cpu_to_be_32(a);
		ret = rte_fib_add(c->fib4, a, dst->len, c->nb_nh);
	} else {
		prefix_mask(nh->dst.addr.v6, dst->len, 16);
		ret = rte_fib6_add(c->fib6, nh->dst.addr.v6, dst->len,
			c->nb_nh);
	}
	if (ret < 0)
		return ret;
	nh->connected = connected;
	c->nb_nh++;
	return 0;
}

int
net_neigh_find(uint8_t port, const struct ss_ipaddr *ip)
{
	struct net_neigh_key k;
	void *data;

	memset(&k, 0, sizeof(k));
	k.port = port;
	k.family = ip->family;
	if (ip->family == AF_INET)
		memcpy(k.addr, &ip->v4, 4);
	else
		memcpy(k.addr, ip->v6, 16);
	if (rte_hash_lookup_data(ss_net_ctx.neigh_hash, &k, &data) < 0)
		return -1;
	return (int)(uintptr_t)data;
}

/* Find or create (control lcore only). */
int
net_neigh_get(uint8_t port, const struct ss_ipaddr *ip)
{
	struct net_ctx *c = &ss_net_ctx;
	struct net_neigh_key k;
	int idx = net_neigh_find(port, ip);
	uint32_t i;

	if (idx >= 0)
		return idx;
	for (i = 0; i < NET_MAX_NEIGH; i++)
		if (c->neigh[i].state == NET_NEIGH_FREE)
			break;
	if (i == NET_MAX_NEIGH)
		return -ENOSPC;
	memset(&k, 0, sizeof(k));
	k.port = port;
	k.family = ip->family;
	if (ip->family == AF_INET)
		memcpy(k.addr, &ip->v4, 4);
	else
		memcpy(k.addr, ip->v6, 16);
	c->neigh[i].state = NET_NEIGH_INCOMPLETE;
	c->neigh[i].port = port;
	c->neigh[i].ip = *ip;
	c->neigh[i].hold_n = 0;
	c->neigh[i].hold_head = 0;
	c->neigh[i].probes = 0;
	c->neigh[i].next_probe = 0;
	c->neigh[i].updated = rte_get_timer_cycles();
	__atomic_store_n(&c->neigh[i].macv, 0, __ATOMIC_RELEASE);
	if (rte_hash_add_key_data(c->neigh_hash, &k,
			(void *)(uintptr_t)i) < 0) {
		c->neigh[i].state = NET_NEIGH_FREE;
		return -ENOSPC;
	}
	return (int)i;
}

void
net_neigh_set_mac(struct net_neigh *n, const struct rte_ether_addr *mac)
{
	uint64_t v = 0;

	memcpy(&v, mac->addr_bytes, RTE_ETHER_ADDR_LEN);
	__atomic_store_n(&n->macv, v | NET_MAC_VALID, __ATOMIC_RELEASE);
	n->updated = rte_get_timer_cycles();
}

uint32_t
net_route(const struct ss_ipaddr *dst)
{
	uint64_t nh = NET_NH_NONE;

	if (dst->family == AF_INET) {
		uint32_t a = rte_be_to_cpu_32(dst->v4);

		if (rte_fib_lookup_bulk(ss_net_ctx.fib4, &a, &nh, 1) < 0)
			return NET_NH_NONE;
	} else {
		uint8_t a[1][16];

		memcpy(a[0], dst->v6, 16);
		if (rte_fib6_lookup_bulk(ss_net_ctx.fib6, a, &nh, 1) < 0)
			return NET_NH_NONE;
	}
	return (uint32_t)nh;
}

bool
net_addr_is_mine(uint8_t port, const struct ss_ipaddr *a)
{
	const struct net_port *p = &ss_net_ctx.port[port];
	unsigned int i;

	if (a->family == AF_INET) {
		for (i = 0; i < p->nb_v4; i++)
			if (p->v4[i] == a->v4)
				return true;
	} else {
		for (i = 0; i < p->nb_v6; i++)
			if (memcmp(p->v6[i], a->v6, 16) == 0)
				return true;
	}
	return false;
}

bool
ss_net_is_local(const struct ss_ipaddr *a, uint8_t *port)
{
	uint8_t i;

	for (i = 0; i < ss_net_ctx.nb_ports; i++) {
		if (net_addr_is_mine(i, a)) {
			if (port != NULL)
				*port = i;
			return true;
		}
	}
	return false;
}

uint16_t
ss_net_port_id(uint8_t port)
{
	return ss_net_ctx.port[port].port_id;
}

int
ss_net_init(const struct ss_config *cfg, const uint16_t port_ids[],
	const struct rte_ether_addr macs[], int socket_id)
{
	struct net_ctx *c = &ss_net_ctx;
	struct rte_fib_conf fc;
	struct rte_fib6_conf fc6;
	struct rte_hash_parameters hp;
	uint8_t p, a;
	uint16_t i;
	int ret;

	memset(c, 0, sizeof(*c));
	c->nb_ports = cfg->nb_ports;
	c->hold_max = cfg->arp_hold_pkts;
	c->hold_tsc = rte_get_timer_hz() * cfg->arp_hold_ms / 1000;

	memset(&fc, 0, sizeof(fc));
	fc.type = RTE_FIB_DIR24_8;
	fc.default_nh = NET_NH_NONE;
	fc.max_routes = NET_MAX_NH;
	fc.dir24_8.nh_sz = RTE_FIB_DIR24_8_4B;
	fc.dir24_8.num_tbl8 = 256;
	c->fib4 = rte_fib_create("ss_fib4", socket_id, &fc);
	memset(&fc6, 0, sizeof(fc6));
	fc6.type = RTE_FIB6_TRIE;
	fc6.default_nh = NET_NH_NONE;
	fc6.max_routes = NET_MAX_NH;
	fc6.trie.nh_sz = RTE_FIB6_TRIE_4B;
	fc6.trie.num_tbl8 = 1024;
	c->fib6 = rte_fib6_create("ss_fib6", socket_id, &fc6);
	memset(&hp, 0, sizeof(hp));
	hp.name = "ss_neigh";
	hp.entries = NET_MAX_NEIGH;
	hp.key_len = sizeof(struct net_neigh_key);
	hp.hash_func = rte_jhash;
	hp.socket_id = socket_id;
	hp.extra_flag = RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF;
	c->neigh_hash = rte_hash_create(&hp);
	c->neigh = rte_zmalloc_socket("ss_neigh", NET_MAX_NEIGH *
		sizeof(struct net_neigh), RTE_CACHE_LINE_SIZE, socket_id);
	if (c->fib4 == NULL || c->fib6 == NULL || c->neigh_hash == NULL ||
			c->neigh == NULL) {
		SS_NET_LOG(ERR, "cannot allocate L3 tables\n");
		ss_net_fini();
		return -ENOMEM;
	}
	for (p = 0; p < cfg->nb_ports; p++) {
		struct net_port *np = &c->port[p];
		const struct ss_cfg_port *cp = &cfg->ports[p];

		np->port_id = port_ids[p];
		np->mac = macs[p];
		np->mtu = cp->mtu;
		for (a = 0; a < cp->nb_addrs; a++) {
			const struct ss_prefix *pf = &cp->addrs[a];

			if (pf->addr.family == AF_INET) {
				np->v4[np->nb_v4] = pf->addr.v4;
				np->v4len[np->nb_v4++] = pf->len;
			} else {
				memcpy(np->v6[np->nb_v6], pf->addr.v6, 16);
				np->v6len[np->nb_v6++] = pf->len;
			}
			ret = nh_add(pf, p, false, NULL, true);
			if (ret < 0)
				goto route_fail;
		}
	}
	for (i = 0; i < cfg->nb_routes; i++) {
		const struct ss_cfg_route *r = &cfg->routes[i];

		ret = nh_add(&r->dst, r->port, r->has_via, &r->via, false);
		if (ret < 0)
			goto route_fail;
	}
	for (i = 0; i < cfg->nb_neigh; i++) {
		int idx = net_neigh_get(cfg->neigh[i].port, &cfg->neigh[i].ip);

		if (idx < 0) {
			ss_net_fini();
			return idx;
		}
		c->neigh[idx].state = NET_NEIGH_STATIC;
		net_neigh_set_mac(&c->neigh[idx], &cfg->neigh[i].mac);
	}
	return 0;
route_fail:
	SS_NET_LOG(ERR, "cannot add route: %s\n", rte_strerror(-ret));
	ss_net_fini();
	return ret;
}

void
ss_net_fini(void)
{
	struct net_ctx *c = &ss_net_ctx;
	uint32_t i;

	if (c->neigh != NULL) {
		for (i = 0; i < NET_MAX_NEIGH; i++) {
			struct net_neigh *n = &c->neigh[i];

			while (n->hold_n > 0) {
				rte_pktmbuf_free(n->hold[n->hold_head]);
				n->hold_head = (n->hold_head + 1) % c->hold_max;
				n->hold_n--;
			}
			rte_free(n->hold);
		}
	}
	rte_free(c->neigh);
	rte_hash_free(c->neigh_hash);
	rte_fib_free(c->fib4);
	rte_fib6_free(c->fib6);
	memset(c, 0, sizeof(*c));
}

void
ss_net_ctl_set_tx(ss_net_tx_fn tx, void *arg, struct rte_mempool *mp)
{
	ss_net_ctx.tx = tx;
	ss_net_ctx.tx_arg = arg;
	ss_net_ctx.mp = mp;
}

static const char *const state_names[] = {
	[NET_NEIGH_FREE] = "free",
	[NET_NEIGH_INCOMPLETE] = "incomplete",
	[NET_NEIGH_REACHABLE] = "reachable",
	[NET_NEIGH_STALE] = "stale",
	[NET_NEIGH_STATIC] = "static",
};

int
ss_net_neigh_walk(int (*cb)(const struct ss_net_neigh_info *, void *),
	void *arg)
{
	struct net_ctx *c = &ss_net_ctx;
	const uint64_t now = rte_get_timer_cycles();
	const uint64_t hz = rte_get_timer_hz();
	struct ss_net_neigh_info ni;
	uint32_t i;
	int ret;

	for (i = 0; c->neigh != NULL && i < NET_MAX_NEIGH; i++) {
		const struct net_neigh *n = &c->neigh[i];
		uint64_t v;

		if (n->state == NET_NEIGH_FREE)
			continue;
		memset(&ni, 0, sizeof(ni));
		ni.port = n->port;
		ni.ip = n->ip;
		v = __atomic_load_n(&n->macv, __ATOMIC_ACQUIRE);
		memcpy(ni.mac.addr_bytes, &v, RTE_ETHER_ADDR_LEN);
		ni.state = state_names[n->state];
		ni.held = n->hold_n;
		ni.age_ms = (now - n->updated) * 1000 / hz;
		ret = cb(&ni, arg);
		if (ret != 0)
			return ret;
	}
	return 0;
}

int
ss_net_route_walk(int (*cb)(const struct ss_net_route_info *, void *),
	void *arg)
{
	struct net_ctx *c = &ss_net_ctx;
	struct ss_net_route_info ri;
	uint32_t i;
	int ret;

	for (i = 0; i < c->nb_nh; i++) {
		const struct net_nh *nh = &c->nh[i];

		memset(&ri, 0, sizeof(ri));
		ri.dst = nh->dst;
		ri.has_via = nh->has_via;
		ri.via = nh->via;
		ri.port = nh->port;
		ri.type = nh->connected ? "connected" : "static";
		ret = cb(&ri, arg);
		if (ret != 0)
			return ret;
	}
	return 0;
}

void
ss_net_stats_add(struct ss_net_stats *sum, const struct ss_net_stats *one)
{
	const uint64_t *a = (const uint64_t *)one;
	uint64_t *s = (uint64_t *)sum;
	size_t i;

	for (i = 0; i < sizeof(*one) / sizeof(uint64_t); i++)
		s[i] += a[i];
}
