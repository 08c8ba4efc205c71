/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 shardsec authors
 */

/* Forwarding (workers): TTL, route, neighbour, Ethernet header. Reads
 * only: the tables are written by the control lcore. */

#include <rte_byteorder.h>
#include <rte_ip.h>

#include "ss_net_priv.h"

enum {
	STEP_OK = 0,
	STEP_DROP,
	STEP_HOLD,
};

/* Decrement TTL / hop limit in place; RFC 1624 incremental checksum. */
static inline int
ttl_dec(struct rte_mbuf *m, bool v4, struct ss_net_stats *st)
{
	if (v4) {
		struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(m,
			struct rte_ipv4_hdr *, m->l2_len);
		uint32_t sum;

		if (unlikely(ip->time_to_live <= 1)) {
			st->drop[SS_NET_DROP_TTL]++;
			return STEP_DROP;
		}
		ip->time_to_live--;
		sum = (uint32_t)ip->hdr_checksum + RTE_BE16(0x0100);
		ip->hdr_checksum = (uint16_t)(sum + (sum >> 16));
	} else {
		struct rte_ipv6_hdr *ip6 = rte_pktmbuf_mtod_offset(m,
			struct rte_ipv6_hdr *, m->l2_len);

		if (unlikely(ip6->hop_limits <= 1)) {
			st->drop[SS_NET_DROP_TTL]++;
			return STEP_DROP;
		}
		ip6->hop_limits--;
	}
	return STEP_OK;
}

static inline bool
is_v4(const struct rte_mbuf *m)
{
	const uint8_t *l3 = rte_pktmbuf_mtod_offset(m, const uint8_t *,
		m->l2_len);

	return (l3[0] >> 4) == 4;
}

static void
route_burst(struct rte_mbuf **m, uint16_t n, int16_t res[],
	struct ss_net_stats *st, bool decrement)
{
	struct net_ctx *c = &ss_net_ctx;
	uint32_t a4[32];
	uint8_t a6[32][16];
	uint64_t nh4[32], nh6[32];
	uint16_t i4[32], i6[32], n4 = 0, n6 = 0, i;
	bool v4[32];

	for (i = 0; i < n; i++) {
		res[i] = SS_NET_FWD_DROP;
		v4[i] = is_v4(m[i]);
		if (decrement && ttl_dec(m[i], v4[i], st) != STEP_OK)
			continue;
		if (v4[i]) {
			const struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(
				m[i], const struct rte_ipv4_hdr *, m[i]->l2_len);

			a4[n4] = rte_be_to_cpu_32(ip->dst_addr);
			i4[n4++] = i;
		} else {
			const struct rte_ipv6_hdr *ip6 =
				rte_pktmbuf_mtod_offset(m[i],
				const struct rte_ipv6_hdr *, m[i]->l2_len);

			memcpy(a6[n6], ip6->dst_addr, 16);
			i6[n6++] = i;
		}
	}
	if (n4 != 0)
		rte_fib_lookup_bulk(c->fib4, a4, nh4, n4);
	if (n6 != 0)
		rte_fib6_lookup_bulk(c->fib6, a6, nh6, n6);

	for (i = 0; i < n4 + n6; i++) {
		const bool is4 = i < n4;
		const uint16_t k = is4 ? i4[i] : i6[i - n4];
		const uint32_t nhi = (uint32_t)(is4 ? nh4[i] : nh6[i - n4]);
		struct rte_mbuf *p = m[k];
		const struct net_nh *nh;
		struct ss_ipaddr hop;
		struct rte_ether_hdr *eh;
		uint64_t macv;
		int idx;

		if (unlikely(nhi == NET_NH_NONE || nhi >= c->nb_nh)) {
			st->drop[SS_NET_DROP_NO_ROUTE]++;
			continue;
		}
		nh = &c->nh[nhi];
		if (nh->has_via) {
			hop = nh->via;
		} else if (is4) {
			hop.family = AF_INET;
			hop.v4 = rte_cpu_to_be_32(a4[i]);
		} else {
			hop.family = AF_INET6;
			memcpy(hop.v6, a6[i - n4], 16);
		}
		if (unlikely(rte_pktmbuf_pkt_len(p) - p->l2_len >
				c->port[nh->port].mtu)) {
			st->drop[SS_NET_DROP_MTU]++;
			continue;
		}
		idx = net_neigh_find(nh->port, &hop);
		macv = idx < 0 ? 0 : __atomic_load_n(&c->neigh[idx].macv,
			__ATOMIC_ACQUIRE);
		if (unlikely(!(macv & NET_MAC_VALID))) {
			res[k] = SS_NET_FWD_HOLD;
			continue;
		}
		if (p->l2_len == 0) {
			eh = (struct rte_ether_hdr *)rte_pktmbuf_prepend(p,
				RTE_ETHER_HDR_LEN);
			if (unlikely(eh == NULL)) {
				st->drop[SS_NET_DROP_NO_NEIGH]++;
				continue;
			}
			p->l2_len = RTE_ETHER_HDR_LEN;
		} else {
			eh = rte_pktmbuf_mtod(p, struct rte_ether_hdr *);
		}
		memcpy(eh->dst_addr.addr_bytes, &macv, RTE_ETHER_ADDR_LEN);
		rte_ether_addr_copy(&c->port[nh->port].mac, &eh->src_addr);
		eh->ether_type = is4 ? RTE_BE16(RTE_ETHER_TYPE_IPV4) :
			RTE_BE16(RTE_ETHER_TYPE_IPV6);
		p->port = c->port[nh->port].port_id;
		st->forwarded++;
		res[k] = (int16_t)nh->port;
	}
}

void
ss_net_forward_burst(struct rte_mbuf **m, uint16_t n, int16_t res[],
	struct ss_net_stats *st)
{
	uint16_t i;

	for (i = 0; i < n; i += 32)
		route_burst(&m[i], RTE_MIN(32, n - i), &res[i], st, true);
}

void
ss_net_output_burst(struct rte_mbuf **m, uint16_t n, int16_t res[],
	struct ss_net_stats *st)
{
	uint16_t i;

	for (i = 0; i < n; i += 32)
		route_burst(&m[i], RTE_MIN(32, n - i), &res[i], st, false);
}
