/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 shardsec authors
 */

/* Validation and classification of received frames (workers). Every
 * refused frame is counted under its reason. */

#include <string.h>

#include <rte_byteorder.h>
#include <rte_ip.h>
#include <rte_prefetch.h>
#include <rte_udp.h>

#include "ss_net_priv.h"

#define UDP_IKE 500
#define UDP_NATT 4500

static inline uint8_t
drop(struct ss_net_stats *st, enum ss_net_drop why)
{
	st->drop[why]++;
	return SS_NET_CLASS_DROP;
}

/* UDP to one of our addresses: IKE, ESP-in-UDP or a NAT keepalive. */
static inline uint8_t
udp_to_us(const struct rte_mbuf *m, uint32_t l4off, uint32_t l4len,
	struct ss_net_stats *st)
{
	const struct rte_udp_hdr *u;
	uint32_t marker;
	uint16_t dport;

	if (l4len < sizeof(*u))
		return drop(st, SS_NET_DROP_L4_TRUNC);
	u = rte_pktmbuf_mtod_offset(m, const struct rte_udp_hdr *, l4off);
	dport = rte_be_to_cpu_16(u->dst_port);
	if (dport == UDP_NATT) {
		const uint8_t *pl = (const uint8_t *)(u + 1);
		uint32_t plen = l4len - sizeof(*u);

		if (plen == 1 && pl[0] == 0xff)
			return drop(st, SS_NET_DROP_NATT_KEEPALIVE);
		if (plen >= 4) {
			memcpy(&marker, pl, 4);
			/* Non-ESP marker 0 means IKE. */
			return marker != 0 ? SS_NET_CLASS_ESP :
				SS_NET_CLASS_PUNT;
		}
		return drop(st, SS_NET_DROP_L4_TRUNC);
	}
	if (dport == UDP_IKE)
		return SS_NET_CLASS_PUNT;
	return drop(st, SS_NET_DROP_NOT_FOR_US);
}

static inline uint8_t
classify_ip4(struct rte_mbuf *m, uint8_t port, struct ss_net_stats *st)
{
	const uint32_t avail = rte_pktmbuf_data_len(m) - RTE_ETHER_HDR_LEN;
	struct rte_ipv4_hdr *ip;
	struct ss_ipaddr dst;
	uint32_t hl, tl;

	if (unlikely(avail < sizeof(*ip)))
		return drop(st, SS_NET_DROP_IP4_TRUNC);
	ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *,
		RTE_ETHER_HDR_LEN);
	if (unlikely((ip->version_ihl >> 4) != 4))
		return drop(st, SS_NET_DROP_IP4_VERSION);
	hl = (ip->version_ihl & 0xf) * 4u;
	tl = rte_be_to_cpu_16(ip->total_length);
	if (unlikely(hl < sizeof(*ip) || hl > avail))
		return drop(st, SS_NET_DROP_IP4_HDRLEN);
	if (unlikely(tl < hl || tl > avail))
		return drop(st, SS_NET_DROP_IP4_TOTLEN);
	if ((m->ol_flags & RTE_MBUF_F_RX_IP_CKSUM_MASK) ==
			RTE_MBUF_F_RX_IP_CKSUM_BAD ||
			((m->ol_flags & RTE_MBUF_F_RX_IP_CKSUM_MASK) !=
			RTE_MBUF_F_RX_IP_CKSUM_GOOD &&
			rte_raw_cksum(ip, hl) != 0xffff))
		return drop(st, SS_NET_DROP_IP4_CSUM);
	if (unlikely(avail > tl))
		rte_pktmbuf_trim(m, avail - tl);
	m->l2_len = RTE_ETHER_HDR_LEN;
	m->l3_len = hl;
	m->packet_type = RTE_PTYPE_L2_ETHER | RTE_PTYPE_L3_IPV4;
	if (unlikely(RTE_IS_IPV4_MCAST(rte_be_to_cpu_32(ip->src_addr)) ||
			ip->src_addr == RTE_BE32(0xffffffff)))
		return drop(st, SS_NET_DROP_SRC_INVALID);
	dst.family = AF_INET;
	dst.v4 = ip->dst_addr;
	if (net_addr_is_mine(port, &dst) || ss_net_is_local(&dst, NULL)) {
		if (ip->fragment_offset & RTE_BE16(RTE_IPV4_HDR_MF_FLAG |
				RTE_IPV4_HDR_OFFSET_MASK))
			return drop(st, SS_NET_DROP_IP4_FRAG);
		switch (ip->next_proto_id) {
		case IPPROTO_ESP:
			return SS_NET_CLASS_ESP;
		case IPPROTO_UDP:
			return udp_to_us(m, RTE_ETHER_HDR_LEN + hl, tl - hl,
				st);
		case IPPROTO_ICMP:
			return SS_NET_CLASS_PUNT;
		default:
			return drop(st, SS_NET_DROP_NOT_FOR_US);
		}
	}
	if (unlikely(RTE_IS_IPV4_MCAST(rte_be_to_cpu_32(ip->dst_addr)) ||
			ip->dst_addr == RTE_BE32(0xffffffff)))
		return drop(st, SS_NET_DROP_NOT_FOR_US);
	return SS_NET_CLASS_FORWARD;
}

static inline uint8_t
classify_ip6(struct rte_mbuf *m, uint8_t port, struct ss_net_stats *st)
{
	const uint32_t avail = rte_pktmbuf_data_len(m) - RTE_ETHER_HDR_LEN;
	struct rte_ipv6_hdr *ip;
	struct ss_ipaddr dst;
	uint32_t pl;

	if (unlikely(avail < sizeof(*ip)))
		return drop(st, SS_NET_DROP_IP6_TRUNC);
	ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv6_hdr *,
		RTE_ETHER_HDR_LEN);
	if (unlikely((rte_be_to_cpu_32(ip->vtc_flow) >> 28) != 6))
		return drop(st, SS_NET_DROP_IP6_VERSION);
	pl = rte_be_to_cpu_16(ip->payload_len);
	if (unlikely(pl + sizeof(*ip) > avail))
		return drop(st, SS_NET_DROP_IP6_PLEN);
	if (unlikely(avail > pl + sizeof(*ip)))
		rte_pktmbuf_trim(m, avail - pl - sizeof(*ip));
	m->l2_len = RTE_ETHER_HDR_LEN;
	m->l3_len = sizeof(*ip);
	m->packet_type = RTE_PTYPE_L2_ETHER | RTE_PTYPE_L3_IPV6;
	if (unlikely(ip->src_addr[0] == 0xff))
		return drop(st, SS_NET_DROP_SRC_INVALID);
	dst.family = AF_INET6;
	memcpy(dst.v6, ip->dst_addr, 16);
	if (ip->dst_addr[0] == 0xff) {
		/* Multicast: only ND / neighbour solicitations matter. */
		if (ip->proto == IPPROTO_ICMPV6)
			return SS_NET_CLASS_PUNT;
		return drop(st, SS_NET_DROP_NOT_FOR_US);
	}
	if (net_addr_is_mine(port, &dst) || ss_net_is_local(&dst, NULL) ||
			(ip->dst_addr[0] == 0xfe &&
			(ip->dst_addr[1] & 0xc0) == 0x80)) {
		switch (ip->proto) {
		case IPPROTO_ESP:
			return SS_NET_CLASS_ESP;
		case IPPROTO_UDP:
			return udp_to_us(m, RTE_ETHER_HDR_LEN + sizeof(*ip), pl,
				st);
		case IPPROTO_ICMPV6:
			return SS_NET_CLASS_PUNT;
		default:
			return drop(st, SS_NET_DROP_NOT_FOR_US);
		}
	}
	return SS_NET_CLASS_FORWARD;
}

static inline uint8_t
classify_one(struct rte_mbuf *m, uint8_t port, struct ss_net_stats *st)
{
	const struct net_port *p = &ss_net_ctx.port[port];
	const struct rte_ether_hdr *eh;

	if (unlikely(rte_pktmbuf_data_len(m) < RTE_ETHER_HDR_LEN ||
			m->nb_segs != 1))
		return drop(st, SS_NET_DROP_RUNT);
	eh = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	m->l2_len = RTE_ETHER_HDR_LEN;
	if (!rte_is_multicast_ether_addr(&eh->dst_addr) &&
			!rte_is_same_ether_addr(&eh->dst_addr, &p->mac))
		return drop(st, SS_NET_DROP_NOT_FOR_US);
	switch (eh->ether_type) {
	case RTE_BE16(RTE_ETHER_TYPE_IPV4):
		return classify_ip4(m, port, st);
	case RTE_BE16(RTE_ETHER_TYPE_IPV6):
		return classify_ip6(m, port, st);
	case RTE_BE16(RTE_ETHER_TYPE_ARP):
	case RTE_BE16(RTE_ETHER_TYPE_SLOW):
	case RTE_BE16(0x888e):		/* EAPOL: MKA */
		m->packet_type = RTE_PTYPE_L2_ETHER;
		return SS_NET_CLASS_PUNT;
	default:
		return drop(st, SS_NET_DROP_ETHERTYPE);
	}
}

void
ss_net_classify_burst(struct rte_mbuf **m, uint16_t n, uint8_t port,
	uint8_t cls[], struct ss_net_stats *st)
{
	uint16_t i;

	for (i = 0; i < n && i < 4; i++)
		rte_prefetch0(rte_pktmbuf_mtod(m[i], void *));
	for (i = 0; i < n; i++) {
		if (i + 4 < n)
			rte_prefetch0(rte_pktmbuf_mtod(m[i + 4], void *));
		m[i]->port = ss_net_ctx.port[port].port_id;
		cls[i] = classify_one(m[i], port, st);
		if (cls[i] == SS_NET_CLASS_PUNT)
			st->punted++;
	}
}
