/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 shardsec authors
 */

/* Validation and classification of received frames (workers and the
 * control lcore's own RX queue). Every refused frame is counted under
 * its reason; nothing here writes shared state. */

#include <string.h>

#include <rte_byteorder.h>
#include <rte_ip.h>
#include <rte_prefetch.h>
#include <rte_udp.h>

#include "ss_net_priv.h"

#define UDP_IKE 500
#define UDP_NATT 4500
#define ETHER_TYPE_EAPOL 0x888e
#define NET_MAX_EXT 4		/* IPv6 extension headers we walk to us */
#define PREFETCH_AHEAD 4

static inline uint8_t
drop(struct ss_net_stats *st, enum ss_net_drop why)
{
	st->drop[why]++;
	return SS_NET_CLASS_DROP;
}

static inline uint32_t
l4_ptype(uint8_t proto)
{
	switch (proto) {
	case IPPROTO_TCP:
		return RTE_PTYPE_L4_TCP;
	case IPPROTO_UDP:
		return RTE_PTYPE_L4_UDP;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		return RTE_PTYPE_L4_ICMP;
	case IPPROTO_SCTP:
		return RTE_PTYPE_L4_SCTP;
	case IPPROTO_ESP:
		return RTE_PTYPE_TUNNEL_ESP;
	default:
		return 0;
	}
}

/* An L4 payload to one of our addresses. l4off counts from the frame
 * start; l4len is what the IP header says; the L4 header must also be in
 * the first segment. */
static inline uint8_t
to_us(const struct rte_mbuf *m, uint8_t proto, uint32_t l4off,
	uint32_t l4len, struct ss_net_stats *st)
{
	const uint8_t *l4 = rte_pktmbuf_mtod_offset(m, const uint8_t *,
		l4off);
	const uint32_t avail = rte_pktmbuf_data_len(m) - l4off;
	uint32_t ulen, marker;

	switch (proto) {
	case IPPROTO_ESP:
		/* SPI and sequence number */
		if (unlikely(l4len < 8 || avail < 8))
			return drop(st, SS_NET_DROP_L4_TRUNC);
		return SS_NET_CLASS_ESP;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		if (unlikely(l4len < 4 || avail < 4))
			return drop(st, SS_NET_DROP_L4_TRUNC);
		st->punted++;
		return SS_NET_CLASS_PUNT;
	case IPPROTO_UDP:
		break;
	default:
		return drop(st, SS_NET_DROP_NOT_FOR_US);
	}
	if (unlikely(l4len < sizeof(struct rte_udp_hdr) ||
			avail < sizeof(struct rte_udp_hdr)))
		return drop(st, SS_NET_DROP_L4_TRUNC);
	ulen = net_rd16(l4 + 4);
	if (unlikely(ulen < sizeof(struct rte_udp_hdr) || ulen > l4len))
		return drop(st, SS_NET_DROP_L4_TRUNC);
	switch (net_rd16(l4 + 2)) {
	case UDP_IKE:
		st->punted++;
		return SS_NET_CLASS_PUNT;
	case UDP_NATT:
		ulen -= sizeof(struct rte_udp_hdr);
		if (ulen == 1 && avail > 8 && l4[8] == 0xff)
			return drop(st, SS_NET_DROP_NATT_KEEPALIVE);
		if (unlikely(ulen < 4 || avail < 12))
			return drop(st, SS_NET_DROP_L4_TRUNC);
		memcpy(&marker, l4 + 8, 4);
		if (marker != 0)
			return SS_NET_CLASS_ESP;
		/* non-ESP marker: IKE */
		st->punted++;
		return SS_NET_CLASS_PUNT;
	default:
		return drop(st, SS_NET_DROP_NOT_FOR_US);
	}
}

static inline bool
v4_src_bad(const struct net_port *p, uint32_t src)
{
	const uint32_t h = rte_be_to_cpu_32(src);
	unsigned int i;

	if ((h & 0xf0000000) == 0xe0000000 || h == 0xffffffff || h == 0 ||
			(h >> 24) == 127)
		return true;
	for (i = 0; i < p->nb_v4; i++)
		if (src == p->v4bcast[i])
			return true;
	return net_v4_is_local(src);
}

static inline uint8_t
classify_ip4(struct rte_mbuf *m, const struct net_port *p, bool mac_ours,
	struct ss_net_stats *st)
{
	const uint32_t avail = rte_pktmbuf_data_len(m) - RTE_ETHER_HDR_LEN;
	const uint32_t frame = rte_pktmbuf_pkt_len(m) - RTE_ETHER_HDR_LEN;
	const struct rte_ipv4_hdr *ip;
	uint64_t ck;
	uint32_t hl, tl, dst, hd;
	unsigned int i;

	if (unlikely(avail < sizeof(*ip)))
		return drop(st, SS_NET_DROP_IP4_TRUNC);
	ip = rte_pktmbuf_mtod_offset(m, const struct rte_ipv4_hdr *,
		RTE_ETHER_HDR_LEN);
	if (unlikely((ip->version_ihl >> 4) != 4))
		return drop(st, SS_NET_DROP_IP4_VERSION);
	hl = (ip->version_ihl & 0xf) * 4u;
	if (unlikely(hl < sizeof(*ip)))
		return drop(st, SS_NET_DROP_IP4_HDRLEN);
	if (unlikely(hl > avail))
		return drop(st, SS_NET_DROP_IP4_TRUNC);
	tl = rte_be_to_cpu_16(ip->total_length);
	if (unlikely(tl < hl || tl > frame))
		return drop(st, SS_NET_DROP_IP4_TOTLEN);
	ck = m->ol_flags & RTE_MBUF_F_RX_IP_CKSUM_MASK;
	if (unlikely(ck == RTE_MBUF_F_RX_IP_CKSUM_BAD ||
			(ck == RTE_MBUF_F_RX_IP_CKSUM_UNKNOWN &&
			rte_raw_cksum(ip, hl) != 0xffff)))
		return drop(st, SS_NET_DROP_IP4_CSUM);
	if (unlikely(frame > tl))
		rte_pktmbuf_trim(m, frame - tl);	/* Ethernet padding */
	m->l2_len = RTE_ETHER_HDR_LEN;
	m->l3_len = hl;
	m->packet_type = RTE_PTYPE_L2_ETHER | (hl == sizeof(*ip) ?
		RTE_PTYPE_L3_IPV4 : RTE_PTYPE_L3_IPV4_EXT) |
		((ip->fragment_offset & RTE_BE16(RTE_IPV4_HDR_MF_FLAG |
		RTE_IPV4_HDR_OFFSET_MASK)) ? RTE_PTYPE_L4_FRAG :
		l4_ptype(ip->next_proto_id));
	if (unlikely(v4_src_bad(p, ip->src_addr)))
		return drop(st, SS_NET_DROP_SRC_INVALID);
	dst = ip->dst_addr;
	if (net_v4_is_local(dst)) {
		if (unlikely(ip->fragment_offset &
				RTE_BE16(RTE_IPV4_HDR_MF_FLAG |
				RTE_IPV4_HDR_OFFSET_MASK)))
			return drop(st, SS_NET_DROP_IP4_FRAG);
		return to_us(m, ip->next_proto_id, RTE_ETHER_HDR_LEN + hl,
			tl - hl, st);
	}
	/* Not routed: multicast, broadcast, loopback, 0/8, our subnets'
	 * broadcasts; and frames not sent to our MAC. */
	hd = rte_be_to_cpu_32(dst);
	if (unlikely((hd & 0xf0000000) == 0xe0000000 || hd == 0xffffffff ||
			(hd >> 24) == 127 || (hd >> 24) == 0 || !mac_ours))
		return drop(st, SS_NET_DROP_NOT_FOR_US);
	for (i = 0; i < p->nb_v4; i++)
		if (unlikely(dst == p->v4bcast[i]))
			return drop(st, SS_NET_DROP_NOT_FOR_US);
	return SS_NET_CLASS_FORWARD;
}

/* Walk the extension headers of a packet to us: *off moves to the upper
 * layer header, returned (or -1: dropped and counted). */
static inline int
ip6_upper(const struct rte_mbuf *m, uint8_t nxt, uint32_t *off,
	uint32_t end, struct ss_net_stats *st)
{
	const uint32_t avail = rte_pktmbuf_data_len(m);
	unsigned int k;

	for (k = 0; k <= NET_MAX_EXT; k++) {
		const uint8_t *h;
		uint32_t len;

		switch (nxt) {
		case IPPROTO_HOPOPTS:
		case IPPROTO_ROUTING:
		case IPPROTO_DSTOPTS:
			break;
		case IPPROTO_FRAGMENT:
			drop(st, SS_NET_DROP_IP6_FRAG);
			return -1;
		default:
			return nxt;
		}
		if (unlikely(*off + 8 > end || *off + 8 > avail))
			break;
		h = rte_pktmbuf_mtod_offset(m, const uint8_t *, *off);
		len = (h[1] + 1u) * 8;
		if (unlikely(*off + len > end))
			break;
		nxt = h[0];
		*off += len;
	}
	drop(st, SS_NET_DROP_IP6_EXT);
	return -1;
}

static inline uint8_t
classify_ip6(struct rte_mbuf *m, uint8_t port, bool mac_ours,
	struct ss_net_stats *st)
{
	static const uint8_t loopback[16] = { [15] = 1 };
	static const uint8_t unspec[16];
	const uint32_t avail = rte_pktmbuf_data_len(m) - RTE_ETHER_HDR_LEN;
	const uint32_t frame = rte_pktmbuf_pkt_len(m) - RTE_ETHER_HDR_LEN;
	const struct rte_ipv6_hdr *ip;
	uint32_t pl, off;
	bool mcast;
	int up;

	if (unlikely(avail < sizeof(*ip)))
		return drop(st, SS_NET_DROP_IP6_TRUNC);
	ip = rte_pktmbuf_mtod_offset(m, const struct rte_ipv6_hdr *,
		RTE_ETHER_HDR_LEN);
	if (unlikely((*(const uint8_t *)ip >> 4) != 6))
		return drop(st, SS_NET_DROP_IP6_VERSION);
	pl = rte_be_to_cpu_16(ip->payload_len);
	if (unlikely(pl + sizeof(*ip) > frame))
		return drop(st, SS_NET_DROP_IP6_PLEN);
	if (unlikely(frame > pl + sizeof(*ip)))
		rte_pktmbuf_trim(m, frame - pl - sizeof(*ip));
	m->l2_len = RTE_ETHER_HDR_LEN;
	m->l3_len = sizeof(*ip);
	m->packet_type = RTE_PTYPE_L2_ETHER | RTE_PTYPE_L3_IPV6;
	if (unlikely(ip->src_addr[0] == 0xff ||
			memcmp(ip->src_addr, loopback, 16) == 0 ||
			net_v6_is_local(port, ip->src_addr)))
		return drop(st, SS_NET_DROP_SRC_INVALID);
	mcast = ip->dst_addr[0] == 0xff;
	if (mcast || net_v6_is_local(port, ip->dst_addr)) {
		off = RTE_ETHER_HDR_LEN + sizeof(*ip);
		up = ip6_upper(m, ip->proto, &off,
			RTE_ETHER_HDR_LEN + sizeof(*ip) + pl, st);
		if (up < 0)
			return SS_NET_CLASS_DROP;
		m->l3_len = off - RTE_ETHER_HDR_LEN;
		m->packet_type = RTE_PTYPE_L2_ETHER | (m->l3_len ==
			sizeof(*ip) ? RTE_PTYPE_L3_IPV6 :
			RTE_PTYPE_L3_IPV6_EXT) | l4_ptype((uint8_t)up);
		/* To a group: ND, MLD and the like; nothing else is ours. */
		if (mcast && up != IPPROTO_ICMPV6)
			return drop(st, SS_NET_DROP_NOT_FOR_US);
		/* The unspecified source is for DAD, to a group only. */
		if (!mcast && memcmp(ip->src_addr, unspec, 16) == 0)
			return drop(st, SS_NET_DROP_SRC_INVALID);
		return to_us(m, (uint8_t)up, off,
			RTE_ETHER_HDR_LEN + sizeof(*ip) + pl - off, st);
	}
	m->packet_type |= l4_ptype(ip->proto);
	/* Link-local and unspecified sources stay on their link. */
	if (unlikely(net_v6_is_ll(ip->src_addr) ||
			memcmp(ip->src_addr, unspec, 16) == 0))
		return drop(st, SS_NET_DROP_SRC_INVALID);
	if (unlikely(net_v6_is_ll(ip->dst_addr) || !mac_ours ||
			memcmp(ip->dst_addr, loopback, 16) == 0 ||
			memcmp(ip->dst_addr, unspec, 16) == 0))
		return drop(st, SS_NET_DROP_NOT_FOR_US);
	return SS_NET_CLASS_FORWARD;
}

static inline uint8_t
classify_arp(struct rte_mbuf *m, struct ss_net_stats *st)
{
	const uint8_t *a = rte_pktmbuf_mtod_offset(m, const uint8_t *,
		RTE_ETHER_HDR_LEN);
	uint16_t op;

	if (unlikely(rte_pktmbuf_data_len(m) < RTE_ETHER_HDR_LEN + 28))
		return drop(st, SS_NET_DROP_ARP_MALFORMED);
	op = net_rd16(a + 6);
	if (unlikely(net_rd16(a) != 1 || net_rd16(a + 2) != 0x0800 ||
			a[4] != 6 || a[5] != 4 || (op != 1 && op != 2)))
		return drop(st, SS_NET_DROP_ARP_MALFORMED);
	m->l2_len = RTE_ETHER_HDR_LEN;
	m->packet_type = RTE_PTYPE_L2_ETHER_ARP;
	st->punted++;
	return SS_NET_CLASS_PUNT;
}

static inline uint8_t
classify_one(struct rte_mbuf *m, const struct net_port *p, uint8_t port,
	struct ss_net_stats *st)
{
	const struct rte_ether_hdr *eh;
	bool mac_ours;

	m->port = p->port_id;
	m->l2_len = 0;
	m->l3_len = 0;
	m->packet_type = 0;
	if (unlikely(rte_pktmbuf_data_len(m) < RTE_ETHER_HDR_LEN))
		return drop(st, SS_NET_DROP_RUNT);
	eh = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	mac_ours = rte_is_same_ether_addr(&eh->dst_addr, &p->mac);
	if (unlikely(!mac_ours && !rte_is_multicast_ether_addr(&eh->dst_addr)))
		return drop(st, SS_NET_DROP_NOT_FOR_US);
	if (unlikely(rte_is_multicast_ether_addr(&eh->src_addr) ||
			rte_is_same_ether_addr(&eh->src_addr, &p->mac)))
		return drop(st, SS_NET_DROP_SRC_INVALID);
	switch (eh->ether_type) {
	case RTE_BE16(RTE_ETHER_TYPE_IPV4):
		return classify_ip4(m, p, mac_ours, st);
	case RTE_BE16(RTE_ETHER_TYPE_IPV6):
		return classify_ip6(m, port, mac_ours, st);
	case RTE_BE16(RTE_ETHER_TYPE_ARP):
		return classify_arp(m, st);
	case RTE_BE16(ETHER_TYPE_EAPOL):
		m->l2_len = RTE_ETHER_HDR_LEN;
		m->packet_type = RTE_PTYPE_L2_ETHER;
		st->punted++;
		return SS_NET_CLASS_PUNT;
	default:
		return drop(st, SS_NET_DROP_ETHERTYPE);
	}
}

void
ss_net_classify_burst(struct rte_mbuf **m, uint16_t n, uint8_t port,
	uint8_t cls[], struct ss_net_stats *st)
{
	const struct net_port *p = &ss_net_ctx.port[port];
	uint16_t i;

	if (unlikely(port >= ss_net_ctx.nb_ports)) {
		for (i = 0; i < n; i++)
			cls[i] = drop(st, SS_NET_DROP_NOT_FOR_US);
		return;
	}
	for (i = 0; i < n && i < PREFETCH_AHEAD; i++)
		rte_prefetch0(rte_pktmbuf_mtod(m[i], void *));
	for (i = 0; i < n; i++) {
		if (i + PREFETCH_AHEAD < n)
			rte_prefetch0(rte_pktmbuf_mtod(m[i + PREFETCH_AHEAD],
				void *));
		cls[i] = classify_one(m[i], p, port, st);
	}
}
