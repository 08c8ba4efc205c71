/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 shardsec authors
 */

/* Set-up of the L3 tables (ports, routes, neighbours), the neighbour
 * table's writer side, walks and counters. */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_hash_crc.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "ss_net_priv.h"

RTE_LOG_REGISTER(ss_net_logtype, shardsec.net, INFO);

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
	[SS_NET_DROP_IP6_FRAG] = "ip6_frag_to_us",
	[SS_NET_DROP_IP6_EXT] = "ip6_ext_hdr",
	[SS_NET_DROP_IP6_ROUTING] = "ip6_routing_hdr",
	[SS_NET_DROP_NO_HEADROOM] = "no_headroom",
	[SS_NET_DROP_NO_MBUF] = "no_mbuf",
};

/* Every member of struct ss_net_stats is a uint64_t (ss_net_stats_add). */
_Static_assert(sizeof(struct ss_net_stats) % sizeof(uint64_t) == 0,
	"ss_net_stats must hold only uint64_t");

static void
prefix_mask(uint8_t *a, uint8_t len, size_t bytes)
{
	size_t i;

	for (i = 0; i < bytes; i++) {
		unsigned int keep = len >= 8 ? 8 : len;

		a[i] &= (uint8_t)(0xff00 >> keep);
		len = (uint8_t)(len - keep);
	}
}

static uint32_t
v4_mask(uint8_t len)
{
	return len == 0 ? 0 : ~((1ULL << (32 - len)) - 1);
}

static int
fib_add(const struct ss_prefix *p, uint32_t nh)
{
	struct net_ctx *c = &ss_net_ctx;

	if (p->addr.family == AF_INET)
		return rte_fib_add(c->fib4, rte_be_to_cpu_32(p->addr.v4),
			p->len, nh);
	return rte_fib6_add(c->fib6, p->addr.v6, p->len, nh);
}

/* The source MAC and the EtherType as the forwarding path writes
 * them, one 8-byte store at byte 6 of the frame. */
static void
nh_l2src(uint64_t w[2], const struct rte_ether_addr *mac)
{
	static const uint16_t type[2] = {
		RTE_BE16(RTE_ETHER_TYPE_IPV4), RTE_BE16(RTE_ETHER_TYPE_IPV6),
	};
	uint8_t b[8];
	unsigned int i;

	for (i = 0; i < 2; i++) {
		memcpy(b, mac->addr_bytes, RTE_ETHER_ADDR_LEN);
		memcpy(b + RTE_ETHER_ADDR_LEN, &type[i], 2);
		memcpy(&w[i], b, 8);
	}
}

/* A route; the same prefix twice is a configuration error, except for
 * two addresses of one port in one subnet (one connected route). */
static int
nh_add(const struct ss_prefix *dst, uint8_t port, bool has_via,
	const struct ss_ipaddr *via, bool connected)
{
	struct net_ctx *c = &ss_net_ctx;
	char buf[INET6_ADDRSTRLEN + 8];
	struct ss_prefix p = *dst;
	struct net_nh *nh;
	uint32_t i;
	int ret;

	if (p.addr.family == AF_INET) {
		if (p.len > 32)
			return -EINVAL;
		p.addr.v4 = rte_cpu_to_be_32(rte_be_to_cpu_32(p.addr.v4) &
			v4_mask(p.len));
	} else if (p.addr.family == AF_INET6) {
		if (p.len > 128)
			return -EINVAL;
		prefix_mask(p.addr.v6, p.len, 16);
	} else {
		return -EINVAL;
	}
	for (i = NET_NH_FIRST; i < c->nb_nh; i++) {
		const struct net_nh *o = &c->nh[i];

		if (o->dst.len != p.len || !ss_ipaddr_equal(&o->dst.addr,
				&p.addr))
			continue;
		if (connected && o->connected && o->port == port)
			return 0;
		SS_NET_LOG(ERR, "route %s/%u given twice",
			ss_ipaddr_str(&p.addr, buf, sizeof(buf)), p.len);
		return -EINVAL;
	}
	if (c->nb_nh >= NET_MAX_NH)
		return -ENOSPC;
	nh = &c->nh[c->nb_nh];
	memset(nh, 0, sizeof(*nh));
	nh->port = port;
	nh->mtu = c->port[port].mtu;
	nh_l2src(nh->l2src, &c->port[port].mac);
	nh->has_via = has_via;
	nh->neigh = -1;
	if (has_via) {
		nh->via = *via;
		nh->neigh = net_neigh_find(port, via);
	}
	nh->dst = p;
	nh->connected = connected;
	ret = fib_add(&p, c->nb_nh);
	if (ret < 0) {
		SS_NET_LOG(ERR, "cannot add route %s/%u: %s",
			ss_ipaddr_str(&p.addr, buf, sizeof(buf)), p.len,
			rte_strerror(-ret));
		return ret;
	}
	c->nb_nh++;
	return 0;
}

/* Destinations never forwarded: ours, multicast, broadcast, loopback,
 * link-local. The lookup gives NET_NH_LOCAL for them. */
static int
local_routes(void)
{
	static const struct {
		uint8_t family;
		const char *pfx;
	} special[] = {
		{ AF_INET, "127.0.0.0/8" },
		{ AF_INET, "224.0.0.0/4" },
		{ AF_INET, "255.255.255.255/32" },
		{ AF_INET6, "::1/128" },
		{ AF_INET6, "fe80::/10" },
		{ AF_INET6, "ff00::/8" },
	};
	struct net_ctx *c = &ss_net_ctx;
	struct ss_prefix p;
	unsigned int i;
	int ret;

	for (i = 0; i < RTE_DIM(special); i++) {
		if (ss_prefix_parse(special[i].pfx, &p) < 0)
			return -EINVAL;
		ret = fib_add(&p, NET_NH_LOCAL);
		if (ret < 0)
			return ret;
	}
	memset(&p, 0, sizeof(p));
	p.addr.family = AF_INET;
	p.len = 32;
	for (i = 0; i < c->nb_local4; i++) {
		p.addr.v4 = c->local4[i];
		ret = fib_add(&p, NET_NH_LOCAL);
		if (ret < 0)
			return ret;
	}
	p.addr.family = AF_INET6;
	p.len = 128;
	for (i = 0; i < c->nb_local6; i++) {
		memcpy(p.addr.v6, c->local6[i], 16);
		ret = fib_add(&p, NET_NH_LOCAL);
		if (ret < 0)
			return ret;
	}
	return 0;
}

/* The ports' v4filter and v4local, once all addresses are known. */
static void
v4filter_fill(void)
{
	struct net_ctx *c = &ss_net_ctx;
	unsigned int i, j, b;
	uint8_t fl[NET_V4_FILTER_BITS];

	memset(fl, 0, sizeof(fl));
	memset(c->v4local, 0, sizeof(c->v4local));
	for (j = 0; j < c->nb_local4; j++) {
		b = net_v4_bit(c->local4[j]);
		if (!(fl[b] & NET_V4F_LOCAL)) {
			fl[b] |= NET_V4F_LOCAL;
			c->v4local[b] = c->local4[j];
		} else if (c->v4local[b] != c->local4[j]) {
			fl[b] |= NET_V4F_LOCALS;
		}
	}
	for (i = 0; i < c->nb_ports; i++) {
		struct net_port *np = &c->port[i];

		memcpy(np->v4filter, fl, sizeof(np->v4filter));
		for (j = 0; j < np->nb_v4; j++)
			if (np->v4bcast[j] != 0)
				np->v4filter[net_v4_bit(np->v4bcast[j])] |=
					NET_V4F_BCAST;
	}
}

int
net_neigh_find(uint8_t port, const struct ss_ipaddr *ip)
{
	struct net_neigh_key k;
	void *data;

	net_key(&k, port, ip);
	if (rte_hash_lookup_data(ss_net_ctx.neigh_hash, &k, &data) < 0)
		return -1;
	return (int)(uintptr_t)data;
}

/* Point the gateway next hops through (port, ip) at slot idx (-1: none).
 * Workers see either the old or the new slot; a deleted slot reads as
 * "no MAC" until the grace time is over, so both are safe. */
static void
nh_link(uint8_t port, const struct ss_ipaddr *ip, int32_t idx)
{
	struct net_ctx *c = &ss_net_ctx;
	uint32_t i;

	for (i = NET_NH_FIRST; i < c->nb_nh; i++) {
		struct net_nh *nh = &c->nh[i];

		if (nh->has_via && nh->port == port &&
				ss_ipaddr_equal(&nh->via, ip))
			__atomic_store_n(&nh->neigh, idx, __ATOMIC_RELEASE);
	}
}

/* A new incomplete entry (control lcore). The caller checked it is not
 * there. -ENOSPC when the table is full. */
int
net_neigh_create(uint8_t port, const struct ss_ipaddr *ip, uint64_t now)
{
	struct net_ctx *c = &ss_net_ctx;
	struct net_neigh_key k;
	struct net_neigh *n;
	uint32_t idx;

	if (c->nb_free == 0)
		return -ENOSPC;
	idx = c->free_idx[c->nb_free - 1];
	n = &c->neigh[idx];
	n->state = NET_NEIGH_INCOMPLETE;
	n->port = port;
	n->ip = *ip;
	n->probes = 0;
	n->next_probe = 0;
	n->updated = now;
	n->hold_head = 0;
	n->hold_n = 0;
	__atomic_store_n(&c->mac[idx], 0, __ATOMIC_RELEASE);
	net_key(&k, port, ip);
	if (rte_hash_add_key_data(c->neigh_hash, &k,
			(void *)(uintptr_t)idx) < 0) {
		n->state = NET_NEIGH_FREE;
		return -ENOSPC;
	}
	c->nb_free--;
	if (idx >= c->neigh_hw)
		c->neigh_hw = idx + 1;
	nh_link(port, ip, (int32_t)idx);
	return (int)idx;
}

/* Take the entry out of the hash now; its key position and slot are
 * reused only after NET_GRACE_MS (ss_net_ctl_timer), when no worker can
 * still be reading them. Held packets must have been dealt with. */
void
net_neigh_delete(uint32_t idx, uint64_t now)
{
	struct net_ctx *c = &ss_net_ctx;
	struct net_neigh *n = &c->neigh[idx];
	struct net_neigh_key k;

	net_key(&k, n->port, &n->ip);
	__atomic_store_n(&c->mac[idx], 0, __ATOMIC_RELEASE);
	nh_link(n->port, &n->ip, -1);
	n->pos = rte_hash_del_key(c->neigh_hash, &k);
	n->state = NET_NEIGH_DEAD;
	n->updated = now;
}

void
net_neigh_set_mac(uint32_t idx, const struct rte_ether_addr *mac)
{
	uint64_t v = 0;

	memcpy(&v, mac->addr_bytes, RTE_ETHER_ADDR_LEN);
	__atomic_store_n(&ss_net_ctx.mac[idx], v | NET_MAC_VALID,
		__ATOMIC_RELEASE);
}

uint32_t
net_route(const struct ss_ipaddr *dst)
{
	uint64_t nh = NET_NH_NONE;

	if (dst->family == AF_INET) {
		uint32_t a = rte_be_to_cpu_32(dst->v4);

		if (rte_fib_lookup_bulk(ss_net_ctx.fib4, &a, &nh, 1) < 0)
			return NET_NH_NONE;
	} else if (dst->family == AF_INET6) {
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
		return false;
	}
	if (a->family != AF_INET6)
		return false;
	if (net_v6_is_ll(a->v6))
		return memcmp(a->v6, p->ll6, 16) == 0;
	for (i = 0; i < p->nb_v6; i++)
		if (memcmp(p->v6[i], a->v6, 16) == 0)
			return true;
	return false;
}

bool
net_addr_answers(uint8_t port, const struct ss_ipaddr *a)
{
	const struct net_ctx *c = &ss_net_ctx;
	unsigned int i;

	if (net_addr_is_mine(port, a))
		return true;
	for (i = 0; i < c->nb_announce; i++)
		if ((c->announce_ports[i] >> port & 1) != 0 &&
				ss_ipaddr_equal(&c->announce[i], a))
			return true;
	return false;
}

int
ss_net_announce(const struct ss_ipaddr *a, uint32_t port_mask)
{
	struct net_ctx *c = &ss_net_ctx;
	unsigned int i;

	if (!c->up || a == NULL || port_mask == 0 ||
			(a->family != AF_INET && a->family != AF_INET6))
		return -EINVAL;
	if (ss_net_is_local(a, NULL))
		return -EEXIST;
	for (i = 0; i < c->nb_announce; i++)
		if (ss_ipaddr_equal(&c->announce[i], a))
			return -EEXIST;
	if (c->nb_announce == SS_NET_MAX_ANNOUNCE)
		return -ENOSPC;
	c->announce[c->nb_announce] = *a;
	c->announce_ports[c->nb_announce] = port_mask;
	c->nb_announce++;
	return 0;
}

/* Ours: any port's configured address, or the link-local of 'port'. */
bool
net_v6_is_local(uint8_t port, const uint8_t *a)
{
	const struct net_ctx *c = &ss_net_ctx;
	unsigned int i;

	if (net_v6_is_ll(a))
		return memcmp(a, c->port[port].ll6, 16) == 0;
	for (i = 0; i < c->nb_local6; i++)
		if (memcmp(c->local6[i], a, 16) == 0)
			return true;
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

static int
port_setup(uint8_t idx, const struct ss_cfg_port *cp, uint16_t port_id,
	const struct rte_ether_addr *mac)
{
	struct net_ctx *c = &ss_net_ctx;
	struct net_port *np = &c->port[idx];
	uint8_t a;
	int ret;

	np->port_id = port_id;
	np->mac = *mac;
	np->mtu = cp->mtu != 0 ? cp->mtu : RTE_ETHER_MTU;
	np->ll6[0] = 0xfe;
	np->ll6[1] = 0x80;
	np->ll6[8] = mac->addr_bytes[0] ^ 0x02;
	np->ll6[9] = mac->addr_bytes[1];
	np->ll6[10] = mac->addr_bytes[2];
	np->ll6[11] = 0xff;
	np->ll6[12] = 0xfe;
	np->ll6[13] = mac->addr_bytes[3];
	np->ll6[14] = mac->addr_bytes[4];
	np->ll6[15] = mac->addr_bytes[5];
	if (cp->nb_addrs > NET_MAX_ADDRS)
		return -EINVAL;
	for (a = 0; a < cp->nb_addrs; a++) {
		const struct ss_prefix *pf = &cp->addrs[a];

		if (pf->addr.family == AF_INET) {
			uint32_t m = v4_mask(pf->len);
			uint32_t h = rte_be_to_cpu_32(pf->addr.v4);

			if (pf->len > 32)
				return -EINVAL;
			np->v4[np->nb_v4] = pf->addr.v4;
			np->v4mask[np->nb_v4] = rte_cpu_to_be_32(m);
			np->v4bcast[np->nb_v4] = pf->len <= 30 ?
				rte_cpu_to_be_32(h | ~m) : 0;
			np->nb_v4++;
			c->local4[c->nb_local4++] = pf->addr.v4;
			net_v4_filter_add(c->local4_bits, pf->addr.v4);
		} else if (pf->addr.family == AF_INET6) {
			if (pf->len > 128)
				return -EINVAL;
			memcpy(np->v6[np->nb_v6], pf->addr.v6, 16);
			np->v6len[np->nb_v6++] = pf->len;
			memcpy(c->local6[c->nb_local6++], pf->addr.v6, 16);
		} else {
			return -EINVAL;
		}
		ret = nh_add(pf, idx, false, NULL, true);
		if (ret < 0)
			return ret;
	}
	return 0;
}

static int
tables_create(int socket_id)
{
	struct net_ctx *c = &ss_net_ctx;
	struct rte_hash_parameters hp;
	struct rte_fib6_conf fc6;
	struct rte_fib_conf fc;
	uint32_t i;

	/* tbl24 holds 2^24 next hops, and tbl8 indexes share their width:
	 * one byte would leave 64 tbl8 groups (one per route longer than
	 * /24, our own /32s included). Two bytes: 32 MiB. */
	memset(&fc, 0, sizeof(fc));
	fc.type = RTE_FIB_DIR24_8;
	fc.default_nh = NET_NH_NONE;
	fc.max_routes = NET_MAX_NH + 16;
	fc.dir24_8.nh_sz = RTE_FIB_DIR24_8_2B;
	fc.dir24_8.num_tbl8 = 1024;
	c->fib4 = rte_fib_create("ss_net_fib4", socket_id, &fc);
	memset(&fc6, 0, sizeof(fc6));
	fc6.type = RTE_FIB6_TRIE;
	fc6.default_nh = NET_NH_NONE;
	fc6.max_routes = NET_MAX_NH + 16;
	fc6.trie.nh_sz = RTE_FIB6_TRIE_2B;
	fc6.trie.num_tbl8 = 8192;
	c->fib6 = rte_fib6_create("ss_net_fib6", socket_id, &fc6);
	memset(&hp, 0, sizeof(hp));
	hp.name = "ss_net_neigh";
	hp.entries = SS_NET_NEIGH_MAX;
	hp.key_len = sizeof(struct net_neigh_key);
	hp.hash_func = rte_hash_crc;
	hp.socket_id = socket_id;
	/* One writer (control lcore), lock-free readers (workers). */
	hp.extra_flag = RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF;
	c->neigh_hash = rte_hash_create(&hp);
	c->mac = rte_zmalloc_socket("ss_net_mac", SS_NET_NEIGH_MAX *
		sizeof(uint64_t), RTE_CACHE_LINE_SIZE, socket_id);
	c->neigh = rte_zmalloc_socket("ss_net_neigh", SS_NET_NEIGH_MAX *
		sizeof(struct net_neigh), RTE_CACHE_LINE_SIZE, socket_id);
	c->free_idx = rte_malloc_socket("ss_net_free", SS_NET_NEIGH_MAX *
		sizeof(uint32_t), 0, socket_id);
	if (c->fib4 == NULL || c->fib6 == NULL || c->neigh_hash == NULL ||
			c->mac == NULL || c->neigh == NULL ||
			c->free_idx == NULL) {
		SS_NET_LOG(ERR, "cannot allocate the L3 tables: %s",
			rte_strerror(rte_errno));
		return -ENOMEM;
	}
	/* Popped from the end: slot 0 first. */
	for (i = 0; i < SS_NET_NEIGH_MAX; i++)
		c->free_idx[i] = SS_NET_NEIGH_MAX - 1 - i;
	c->nb_free = SS_NET_NEIGH_MAX;
	return 0;
}

int
ss_net_init(const struct ss_config *cfg, const uint16_t port_ids[],
	const struct rte_ether_addr macs[], int socket_id)
{
	struct net_ctx *c = &ss_net_ctx;
	char buf[INET6_ADDRSTRLEN + 8];
	uint64_t now;
	uint16_t i;
	int ret;

	if (c->up)
		return -EBUSY;
	if (cfg == NULL || port_ids == NULL || macs == NULL ||
			cfg->nb_ports > SS_NET_MAX_PORTS)
		return -EINVAL;
	memset(c, 0, sizeof(*c));
	c->nb_ports = cfg->nb_ports;
	c->hz = rte_get_timer_hz();
	c->hold_max = cfg->arp_hold_pkts;
	c->hold_tsc = c->hz * (cfg->arp_hold_ms != 0 ? cfg->arp_hold_ms :
		1000) / 1000;
	c->nb_nh = NET_NH_FIRST;
	ret = tables_create(socket_id);
	if (ret < 0)
		goto fail;
	for (i = 0; i < cfg->nb_ports; i++) {
		ret = port_setup((uint8_t)i, &cfg->ports[i], port_ids[i],
			&macs[i]);
		if (ret < 0) {
			SS_NET_LOG(ERR, "port %s: bad addresses",
				cfg->ports[i].name);
			goto fail;
		}
	}
	for (i = 0; i < cfg->nb_routes; i++) {
		const struct ss_cfg_route *r = &cfg->routes[i];

		if (r->port >= cfg->nb_ports || (r->has_via &&
				r->via.family != r->dst.addr.family)) {
			SS_NET_LOG(ERR, "route %s/%u (line %u): bad port or "
				"gateway family", ss_ipaddr_str(&r->dst.addr,
				buf, sizeof(buf)), r->dst.len, r->line);
			ret = -EINVAL;
			goto fail;
		}
		ret = nh_add(&r->dst, r->port, r->has_via, &r->via, false);
		if (ret < 0)
			goto fail;
	}
	v4filter_fill();
	ret = local_routes();
	if (ret < 0) {
		SS_NET_LOG(ERR, "cannot add local routes: %s",
			rte_strerror(-ret));
		goto fail;
	}
	now = rte_get_timer_cycles();
	for (i = 0; i < cfg->nb_neigh; i++) {
		const struct ss_cfg_neigh *sn = &cfg->neigh[i];
		int idx;

		if (sn->port >= cfg->nb_ports || (sn->ip.family != AF_INET &&
				sn->ip.family != AF_INET6)) {
			ret = -EINVAL;
			goto fail;
		}
		idx = net_neigh_find(sn->port, &sn->ip);
		if (idx < 0)
			idx = net_neigh_create(sn->port, &sn->ip, now);
		if (idx < 0) {
			ret = idx;
			goto fail;
		}
		c->neigh[idx].state = NET_NEIGH_STATIC;
		net_neigh_set_mac((uint32_t)idx, &sn->mac);
	}
	c->up = true;
	return 0;
fail:
	c->up = true;
	ss_net_fini();
	return ret;
}

void
ss_net_fini(void)
{
	struct net_ctx *c = &ss_net_ctx;
	uint32_t i;

	if (!c->up)
		return;
	for (i = 0; c->neigh != NULL && i < SS_NET_NEIGH_MAX; i++) {
		struct net_neigh *n = &c->neigh[i];

		while (n->hold_n > 0) {
			rte_pktmbuf_free(n->hold[n->hold_head]);
			n->hold_head = (uint16_t)((n->hold_head + 1) %
				c->hold_max);
			n->hold_n--;
		}
		free(n->hold);
		free(n->hold_t);
	}
	rte_free(c->neigh);
	rte_free(c->mac);
	rte_free(c->free_idx);
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
	[NET_NEIGH_DEAD] = "deleted",
};

int
ss_net_neigh_walk(int (*cb)(const struct ss_net_neigh_info *, void *),
	void *arg)
{
	const struct net_ctx *c = &ss_net_ctx;
	const uint64_t now = rte_get_timer_cycles();
	struct ss_net_neigh_info ni;
	uint32_t i;
	int ret;

	for (i = 0; c->up && i < SS_NET_NEIGH_MAX; i++) {
		const struct net_neigh *n = &c->neigh[i];
		uint64_t v;

		if (n->state == NET_NEIGH_FREE || n->state == NET_NEIGH_DEAD)
			continue;
		memset(&ni, 0, sizeof(ni));
		ni.port = n->port;
		ni.ip = n->ip;
		v = __atomic_load_n(&c->mac[i], __ATOMIC_ACQUIRE);
		if (v & NET_MAC_VALID)
			memcpy(ni.mac.addr_bytes, &v, RTE_ETHER_ADDR_LEN);
		ni.state = state_names[n->state];
		ni.held = n->hold_n;
		ni.age_ms = n->state == NET_NEIGH_STATIC || now < n->updated ?
			0 : (now - n->updated) * 1000 / c->hz;
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
	const struct net_ctx *c = &ss_net_ctx;
	struct ss_net_route_info ri;
	uint32_t i;
	int ret;

	for (i = NET_NH_FIRST; c->up && i < c->nb_nh; i++) {
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
