/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 shardsec authors
 */

/* Forwarding (workers): TTL, route, MTU, neighbour, Ethernet header.
 * Only reads the tables, which the control lcore writes: the neighbour's
 * MAC comes from one atomic 64-bit load. */

#include <rte_byteorder.h>
#include <rte_ip.h>
#include <rte_prefetch.h>

#include "ss_net_priv.h"

/* RFC 1624 incremental update for a TTL decrement (as Linux does). */
static inline void
ip4_ttl_dec(uint8_t *l3)
{
	uint16_t ck;
	uint32_t s;

	memcpy(&ck, l3 + 10, 2);
	s = (uint32_t)ck + RTE_BE16(0x0100);
	ck = (uint16_t)(s + (s >= 0xffff));
	memcpy(l3 + 10, &ck, 2);
	l3[8]--;
}

static inline void
fwd_chunk(struct rte_mbuf **m, uint16_t n, int16_t res[],
	struct ss_net_stats *st, bool transit)
{
	const struct net_ctx *c = &ss_net_ctx;
	uint32_t a4[NET_CHUNK];
	uint8_t a6[NET_CHUNK][16];
	uint64_t nh4[NET_CHUNK], nh6[NET_CHUNK];
	uint16_t i4[NET_CHUNK], i6[NET_CHUNK], ki[NET_CHUNK], hk[NET_CHUNK];
	struct net_neigh_key keys[NET_CHUNK];
	const void *kp[NET_CHUNK];
	void *data[NET_CHUNK];
	uint32_t knh[NET_CHUNK];
	int32_t slot[NET_CHUNK];
	uint8_t v6[NET_CHUNK];
	uint64_t hits = 0;
	uint16_t n4 = 0, n6 = 0, nk = 0, nh_keys = 0, i, j;

	/* 1: an Ethernet header in front of every packet; versions, TTLs,
	 * destinations. */
	for (i = 0; i < n; i++) {
		struct rte_mbuf *p = m[i];
		const uint8_t *l3;

		res[i] = SS_NET_FWD_DROP;
		if (p->l2_len != RTE_ETHER_HDR_LEN) {
			if (p->l2_len != 0)
				rte_pktmbuf_adj(p, p->l2_len);
			if (unlikely(rte_pktmbuf_prepend(p,
					RTE_ETHER_HDR_LEN) == NULL)) {
				st->drop[SS_NET_DROP_NO_HEADROOM]++;
				continue;
			}
			p->l2_len = RTE_ETHER_HDR_LEN;
		}
		l3 = rte_pktmbuf_mtod_offset(p, const uint8_t *,
			RTE_ETHER_HDR_LEN);
		if (i + 1 < n)
			rte_prefetch0(rte_pktmbuf_mtod(m[i + 1], void *));
		if (likely((l3[0] >> 4) == 4)) {
			if (unlikely(rte_pktmbuf_data_len(p) <
					RTE_ETHER_HDR_LEN + 20)) {
				st->drop[SS_NET_DROP_IP4_TRUNC]++;
				continue;
			}
			if (transit && unlikely(l3[8] <= 1)) {
				st->drop[SS_NET_DROP_TTL]++;
				continue;
			}
			memcpy(&a4[n4], l3 + 16, 4);
			a4[n4] = rte_be_to_cpu_32(a4[n4]);
			i4[n4++] = i;
		} else if ((l3[0] >> 4) == 6) {
			if (unlikely(rte_pktmbuf_data_len(p) <
					RTE_ETHER_HDR_LEN + 40)) {
				st->drop[SS_NET_DROP_IP6_TRUNC]++;
				continue;
			}
			if (transit && unlikely(l3[7] <= 1)) {
				st->drop[SS_NET_DROP_TTL]++;
				continue;
			}
			memcpy(a6[n6], l3 + 24, 16);
			i6[n6++] = i;
		} else {
			st->drop[SS_NET_DROP_IP4_VERSION]++;
		}
	}

	/* 2: routes */
	if (n4 != 0)
		rte_fib_lookup_bulk(c->fib4, a4, nh4, n4);
	if (n6 != 0)
		rte_fib6_lookup_bulk(c->fib6, a6, nh6, n6);

	/* 3: next hop, MTU; the neighbour slot of a gateway next hop, else
	 * (a directly connected destination) its key in the hash */
	for (j = 0; j < n4 + n6; j++) {
		const bool v4 = j < n4;
		const uint16_t k = v4 ? i4[j] : i6[j - n4];
		const uint32_t nhi = (uint32_t)(v4 ? nh4[j] : nh6[j - n4]);
		const struct net_nh *nh;
		struct net_neigh_key *key = &keys[nh_keys];

		if (unlikely(nhi < NET_NH_FIRST || nhi >= c->nb_nh)) {
			st->drop[nhi == NET_NH_LOCAL ? SS_NET_DROP_NOT_FOR_US :
				SS_NET_DROP_NO_ROUTE]++;
			continue;
		}
		nh = &c->nh[nhi];
		if (unlikely(rte_pktmbuf_pkt_len(m[k]) - RTE_ETHER_HDR_LEN >
				c->port[nh->port].mtu)) {
			/* Fragmentation and ICMP too-big: not here. */
			st->drop[SS_NET_DROP_MTU]++;
			continue;
		}
		knh[nk] = nhi;
		v6[nk] = !v4;
		ki[nk] = k;
		if (likely(nh->has_via)) {
			slot[nk++] = __atomic_load_n(&nh->neigh,
				__ATOMIC_ACQUIRE);
			continue;
		}
		memset(key, 0, sizeof(*key));
		key->port = nh->port;
		if (v4) {
			uint32_t a = rte_cpu_to_be_32(a4[j]);

			key->family = AF_INET;
			memcpy(key->addr, &a, 4);
		} else {
			key->family = AF_INET6;
			memcpy(key->addr, a6[j - n4], 16);
		}
		slot[nk] = -1;
		kp[nh_keys] = key;
		hk[nh_keys++] = nk++;
	}
	if (nh_keys != 0) {
		rte_hash_lookup_bulk_data(c->neigh_hash, kp, nh_keys, &hits,
			data);
		for (j = 0; j < nh_keys; j++)
			if (hits & (1ULL << j))
				slot[hk[j]] = (int32_t)(uintptr_t)data[j];
	}

	/* 4: TTL, Ethernet header; the MAC word is read once, whole. */
	for (j = 0; j < nk; j++) {
		struct rte_mbuf *p = m[ki[j]];
		const struct net_nh *nh = &c->nh[knh[j]];
		const struct net_port *op = &c->port[nh->port];
		struct rte_ether_hdr *eh = rte_pktmbuf_mtod(p,
			struct rte_ether_hdr *);
		uint8_t *l3 = (uint8_t *)(eh + 1);
		uint64_t macv = 0;

		if (likely(slot[j] >= 0))
			macv = __atomic_load_n(&c->mac[slot[j]],
				__ATOMIC_ACQUIRE);
		if (!v6[j]) {
			if (transit)
				ip4_ttl_dec(l3);
			eh->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
		} else {
			if (transit)
				l3[7]--;
			eh->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV6);
		}
		rte_ether_addr_copy(&op->mac, &eh->src_addr);
		if (unlikely(!(macv & NET_MAC_VALID))) {
			/* The control lcore resolves and sends it. */
			memset(&eh->dst_addr, 0, RTE_ETHER_ADDR_LEN);
			res[ki[j]] = SS_NET_FWD_HOLD;
			continue;
		}
		memcpy(eh->dst_addr.addr_bytes, &macv, RTE_ETHER_ADDR_LEN);
		res[ki[j]] = nh->port;
		if (transit)
			st->forwarded++;
		else
			st->originated++;
	}
}

void
ss_net_forward_burst(struct rte_mbuf **m, uint16_t n, int16_t res[],
	struct ss_net_stats *st)
{
	uint16_t i;

	for (i = 0; i < n; i += NET_CHUNK)
		fwd_chunk(&m[i], RTE_MIN(NET_CHUNK, n - i), &res[i], st,
			true);
}

void
ss_net_output_burst(struct rte_mbuf **m, uint16_t n, int16_t res[],
	struct ss_net_stats *st)
{
	uint16_t i;

	for (i = 0; i < n; i += NET_CHUNK)
		fwd_chunk(&m[i], RTE_MIN(NET_CHUNK, n - i), &res[i], st,
			false);
}
