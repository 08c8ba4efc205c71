/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 shardsec authors
 */

/* Forwarding (workers): TTL, route, MTU, neighbour, Ethernet header.
 * Only reads the tables, which the control lcore writes: the neighbour's
 * MAC comes from one atomic 64-bit load. */

#include <rte_byteorder.h>
#include <rte_ip.h>

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
fwd_drop(struct ss_net_stats *st, enum ss_net_drop why, int16_t *res)
{
	st->drop[why]++;
	*res = SS_NET_FWD_DROP;
}

/* Longer than the next hop's MTU: a transit packet goes back to the
 * caller as it came, to be fragmented or answered with ICMP; one of
 * ours is dropped (the layer that made it knew the MTU). */
static inline void
fwd_too_big(struct rte_mbuf *p, uint32_t mtu, int16_t port,
	struct ss_net_stats *st, int16_t *res, bool transit)
{
	if (!transit) {
		fwd_drop(st, SS_NET_DROP_MTU, res);
		return;
	}
	p->hash.usr = mtu << 16 | (uint32_t)(uint8_t)port << 8;
	st->too_big++;
	*res = SS_NET_FWD_TOO_BIG;
}

/* TTL, Ethernet header of a packet with a next hop; the MAC word is
 * read once, whole. slot < 0: no neighbour (yet). */
static __rte_always_inline void
fwd_l2(struct rte_mbuf *p, const struct net_nh *nh, int32_t slot, bool v6,
	int16_t *res, struct ss_net_stats *st, bool transit)
{
	uint8_t *eh = rte_pktmbuf_mtod(p, uint8_t *);
	uint8_t *l3 = eh + RTE_ETHER_HDR_LEN;
	uint64_t macv = 0;

	if (likely(slot >= 0))
		macv = __atomic_load_n(&ss_net_ctx.mac[slot],
			__ATOMIC_ACQUIRE);
	if (transit) {
		if (!v6)
			ip4_ttl_dec(l3);
		else
			l3[7]--;
	}
	/* The control lcore resolves and sends an unresolved one. */
	if (unlikely(!(macv & NET_MAC_VALID)))
		macv = 0;
	/* bytes 0-7 (destination MAC, two bytes over the source), then
	 * 6-13 (source MAC, EtherType) on top: the header in two stores;
	 * the frame has its IP header behind, so 14 bytes are there */
	memcpy(eh, &macv, 8);
	memcpy(eh + 6, &nh->l2src[v6], 8);
	if (unlikely(macv == 0)) {
		*res = SS_NET_FWD_HOLD;
		return;
	}
	*res = nh->port;
	if (transit)
		st->forwarded++;
	else
		st->originated++;
}

/* Next hop (nhv[j & nhmask]: nhmask 0 when the chunk had one
 * destination, looked up once), MTU; a gateway next hop has its
 * neighbour slot at hand and the packet is done, a directly connected
 * destination gets its key queued for the hash. Returns the number of
 * keys now queued. */
static __rte_always_inline uint16_t
fwd_nh(struct rte_mbuf **m, const uint16_t *idx, const uint64_t *nhv,
	uint32_t nhmask, uint16_t cnt, bool v6, const uint32_t *a4,
	const uint8_t (*a6)[16], int16_t res[], struct ss_net_stats *st,
	bool transit, struct net_neigh_key *keys, const void **kp,
	uint16_t *ki, const struct net_nh **knh, uint16_t nkeys)
{
	const struct net_ctx *c = &ss_net_ctx;
	const uint32_t nb_nh = c->nb_nh;
	uint16_t j;

	for (j = 0; j < cnt; j++) {
		const uint16_t k = idx[j];
		const uint32_t nhi = (uint32_t)nhv[j & nhmask];
		const struct net_nh *nh;
		struct net_neigh_key *key;

		if (unlikely(nhi < NET_NH_FIRST || nhi >= nb_nh)) {
			fwd_drop(st, nhi == NET_NH_LOCAL ?
				SS_NET_DROP_NOT_FOR_US : SS_NET_DROP_NO_ROUTE,
				&res[k]);
			continue;
		}
		nh = &c->nh[nhi];
		if (unlikely(rte_pktmbuf_pkt_len(m[k]) - RTE_ETHER_HDR_LEN >
				nh->mtu)) {
			fwd_too_big(m[k], nh->mtu, nh->port, st, &res[k],
				transit);
			continue;
		}
		if (likely(nh->has_via)) {
			fwd_l2(m[k], nh, __atomic_load_n(&nh->neigh,
				__ATOMIC_ACQUIRE), v6, &res[k], st, transit);
			continue;
		}
		key = &keys[nkeys];
		memset(key, 0, sizeof(*key));
		key->port = nh->port;
		if (!v6) {
			uint32_t a = rte_cpu_to_be_32(a4[j]);

			key->family = AF_INET;
			memcpy(key->addr, &a, 4);
		} else {
			key->family = AF_INET6;
			memcpy(key->addr, a6[j], 16);
		}
		kp[nkeys] = key;
		knh[nkeys] = nh;
		ki[nkeys++] = k;
	}
	return nkeys;
}

/* A chunk of IPv4 packets with one next hop (the usual burst: to a
 * tunnel's peer, or to hosts behind one gateway), a gateway with a
 * resolved MAC: that is read once, and each packet only gets its
 * MTU test, TTL and Ethernet header. False (nothing done) otherwise:
 * fwd_nh() then takes the packets one by one. */
static __rte_always_inline bool
fwd_one_nh(struct rte_mbuf **m, uint16_t n, uint32_t nhi, int16_t res[],
	struct ss_net_stats *st, bool transit)
{
	const struct net_ctx *c = &ss_net_ctx;
	const struct net_nh *nh;
	uint64_t macv, l2src;
	uint32_t mtu;
	int32_t slot;
	uint16_t i, sent = 0;
	int16_t port;

	if (unlikely(nhi < NET_NH_FIRST || nhi >= c->nb_nh))
		return false;
	nh = &c->nh[nhi];
	if (unlikely(!nh->has_via))
		return false;
	slot = __atomic_load_n(&nh->neigh, __ATOMIC_ACQUIRE);
	if (unlikely(slot < 0))
		return false;
	macv = __atomic_load_n(&c->mac[slot], __ATOMIC_ACQUIRE);
	if (unlikely(!(macv & NET_MAC_VALID)))
		return false;
	mtu = nh->mtu;
	l2src = nh->l2src[0];
	port = nh->port;
	for (i = 0; i < n; i++) {
		struct rte_mbuf *p = m[i];
		uint8_t *eh = rte_pktmbuf_mtod(p, uint8_t *);

		if (unlikely(rte_pktmbuf_pkt_len(p) - RTE_ETHER_HDR_LEN >
				mtu)) {
			fwd_too_big(p, mtu, port, st, &res[i], transit);
			continue;
		}
		if (transit)
			ip4_ttl_dec(eh + RTE_ETHER_HDR_LEN);
		memcpy(eh, &macv, 8);
		memcpy(eh + 6, &l2src, 8);
		res[i] = port;
		sent++;
	}
	if (transit)
		st->forwarded += sent;
	else
		st->originated += sent;
	return true;
}

/* A link header other than Ethernet's in front of the packet (l2
 * bytes, not 0): cut off, l2_len to 0 (the field changes by l2, without
 * a borrow out of it). Out of line: lib/esp and the worker hand packets
 * over at L3 (l2_len 0) or with an Ethernet header. */
static __rte_noinline void
fwd_l2_cut(struct rte_mbuf *p, uint64_t l2)
{
	rte_pktmbuf_adj(p, (uint16_t)l2);
	p->tx_offload -= l2 << RTE_MBUF_L2_LEN_OFS;
}

/* Inlined into both callers: transit is a constant in each. */
static __rte_always_inline void
fwd_chunk(struct rte_mbuf **m, uint16_t n, int16_t res[],
	struct ss_net_stats *st, bool transit)
{
	const struct net_ctx *c = &ss_net_ctx;
	uint32_t a4[NET_CHUNK];
	uint8_t a6[NET_CHUNK][16];
	uint64_t nh4[NET_CHUNK], nh6[NET_CHUNK];
	uint16_t i4[NET_CHUNK], i6[NET_CHUNK], ki[NET_CHUNK];
	struct net_neigh_key keys[NET_CHUNK];
	const struct net_nh *knh[NET_CHUNK];
	const void *kp[NET_CHUNK];
	void *data[NET_CHUNK];
	uint64_t hits = 0;
	uint16_t n4 = 0, n6 = 0, nh_keys = 0, n4_keys, i, j;
	/* destination differences from the first of each family */
	uint64_t diff6 = 0, f6[2];
	uint32_t diff4 = 0, mask4 = UINT32_MAX, mask6 = UINT32_MAX;

	/* 1: an Ethernet header in front of every packet; versions, TTLs,
	 * destinations. res[] is written on every way out, from here on:
	 * a drop below, or by fwd_l2. */
	for (i = 0; i < n; i++) {
		struct rte_mbuf *p = m[i];
		const uint64_t l2 = p->l2_len;
		const uint8_t *l3;
		uint64_t d[2];
		uint32_t a;

		if (l2 != RTE_ETHER_HDR_LEN) {
			/* another link header: off, and l2_len to 0 */
			if (unlikely(l2 != 0))
				fwd_l2_cut(p, l2);
			/* rte_pktmbuf_prepend() without its pointer to
			 * test for NULL */
			if (unlikely(rte_pktmbuf_headroom(p) <
					RTE_ETHER_HDR_LEN)) {
				fwd_drop(st, SS_NET_DROP_NO_HEADROOM, &res[i]);
				continue;
			}
			p->data_off -= RTE_ETHER_HDR_LEN;
			p->data_len += RTE_ETHER_HDR_LEN;
			p->pkt_len += RTE_ETHER_HDR_LEN;
			/* l2_len from 0 to 14, without a carry out of it */
			p->tx_offload += (uint64_t)RTE_ETHER_HDR_LEN <<
				RTE_MBUF_L2_LEN_OFS;
		}
		l3 = rte_pktmbuf_mtod_offset(p, const uint8_t *,
			RTE_ETHER_HDR_LEN);
		if (likely((l3[0] >> 4) == 4)) {
			if (unlikely(rte_pktmbuf_data_len(p) <
					RTE_ETHER_HDR_LEN + 20)) {
				fwd_drop(st, SS_NET_DROP_IP4_TRUNC, &res[i]);
				continue;
			}
			if (transit && unlikely(l3[8] <= 1)) {
				fwd_drop(st, SS_NET_DROP_TTL, &res[i]);
				continue;
			}
			memcpy(&a, l3 + 16, 4);
			a = rte_be_to_cpu_32(a);
			/* a4[0] is a itself for the first */
			a4[n4] = a;
			diff4 |= a ^ a4[0];
			i4[n4++] = i;
		} else if ((l3[0] >> 4) == 6) {
			if (unlikely(rte_pktmbuf_data_len(p) <
					RTE_ETHER_HDR_LEN + 40)) {
				fwd_drop(st, SS_NET_DROP_IP6_TRUNC, &res[i]);
				continue;
			}
			if (transit && unlikely(l3[7] <= 1)) {
				fwd_drop(st, SS_NET_DROP_TTL, &res[i]);
				continue;
			}
			memcpy(a6[n6], l3 + 24, 16);
			memcpy(d, l3 + 24, 16);
			memcpy(f6, a6[0], 16);
			diff6 |= (d[0] ^ f6[0]) | (d[1] ^ f6[1]);
			i6[n6++] = i;
		} else {
			fwd_drop(st, SS_NET_DROP_IP4_VERSION, &res[i]);
		}
	}

	/* 2: routes. Most chunks go to one destination (a tunnel's peer,
	 * a host behind it): then one lookup serves them all. */
	if (n4 != 0) {
		if (diff4 == 0)
			mask4 = 0;
		rte_fib_lookup_bulk(c->fib4, a4, nh4, diff4 == 0 ? 1 : n4);
	}
	if (n6 != 0) {
		if (diff6 == 0)
			mask6 = 0;
		rte_fib6_lookup_bulk(c->fib6, a6, nh6, diff6 == 0 ? 1 : n6);
	}

	/* One next hop for the whole chunk (one destination, or several
	 * behind one gateway): see fwd_one_nh() */
	if (n4 == n && n4 != 0) {
		uint64_t d = 0;

		if (diff4 != 0)
			for (j = 1; j < n4; j++)
				d |= nh4[j] ^ nh4[0];
		if (d == 0 && fwd_one_nh(m, n, (uint32_t)nh4[0], res, st,
				transit))
			return;
	}

	/* 3: next hop, MTU; TTL and Ethernet header of the packets to a
	 * gateway, the keys of the others */
	if (n4 != 0)
		nh_keys = fwd_nh(m, i4, nh4, mask4, n4, false, a4, NULL, res,
			st, transit, keys, kp, ki, knh, nh_keys);
	n4_keys = nh_keys;
	if (n6 != 0)
		nh_keys = fwd_nh(m, i6, nh6, mask6, n6, true, NULL,
			(const uint8_t (*)[16])a6, res, st, transit, keys, kp,
			ki, knh, nh_keys);
	if (likely(nh_keys == 0))
		return;

	/* 4: the directly connected destinations' neighbours */
	rte_hash_lookup_bulk_data(c->neigh_hash, kp, nh_keys, &hits, data);
	for (j = 0; j < nh_keys; j++)
		fwd_l2(m[ki[j]], knh[j], (hits & (1ULL << j)) ?
			(int32_t)(uintptr_t)data[j] : -1, j >= n4_keys,
			&res[ki[j]], st, transit);
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
