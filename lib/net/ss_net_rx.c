/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 shardsec authors
 */

/* Validation and classification of received frames (workers and the
 * control lcore's own RX queue). Every refused frame is counted under
 * its reason; nothing here writes shared state. */

#include <string.h>

#include <rte_byteorder.h>
#include <rte_ip.h>
#include <rte_udp.h>

#include "ss_net_priv.h"

#define UDP_IKE 500
#define UDP_NATT 4500
#define ETHER_TYPE_EAPOL 0x888e
#define NET_MAX_EXT 4		/* IPv6 extension headers we walk to us */

static inline uint8_t
drop(struct ss_net_stats *st, enum ss_net_drop why)
{
	st->drop[why]++;
	return SS_NET_CLASS_DROP;
}

/* packet_type's L4 part by IP protocol: one load, not a switch. */
static const uint16_t l4_ptype_tab[256] = {
	[IPPROTO_TCP] = RTE_PTYPE_L4_TCP,
	[IPPROTO_UDP] = RTE_PTYPE_L4_UDP,
	[IPPROTO_ICMP] = RTE_PTYPE_L4_ICMP,
	[IPPROTO_ICMPV6] = RTE_PTYPE_L4_ICMP,
	[IPPROTO_SCTP] = RTE_PTYPE_L4_SCTP,
	[IPPROTO_ESP] = RTE_PTYPE_TUNNEL_ESP,
};

static inline uint32_t
l4_ptype(uint8_t proto)
{
	return l4_ptype_tab[proto];
}

/* IPv4 addresses by their first byte, for the source and destination
 * sanity tests (one load instead of four compares per address). */
#define V4_SRC_BAD 0x01		/* 127/8, 224/4 */
#define V4_DST_BAD 0x02		/* 0/8, 127/8, 224/4 */
#define V4_ZERO8 0x04		/* 0/8: 0.0.0.0 is no source */
#define V4_ONES8 0x08		/* 255/8: 255.255.255.255 is neither */

static const uint8_t v4_first[256] = {
	[0] = V4_DST_BAD | V4_ZERO8,
	[127] = V4_SRC_BAD | V4_DST_BAD,
	[224 ... 239] = V4_SRC_BAD | V4_DST_BAD,
	[255] = V4_ONES8,
};

/* What the burst's frames are checked against, read once per burst;
 * and the last pair of addresses that classify_fast4 found to be from
 * a usual source to one of our addresses (FAST4_LOCAL; bytes 12-19 of
 * the IP header as loaded), kept for the burst as the MAC is: a
 * tunnel's ESP all comes from one peer to one of our addresses.
 * 0.0.0.0 to 0.0.0.0 is never such a pair (0/8 is no source): none. */
struct rx_ctx {
	const struct net_port *p;
	uint64_t mac;		/* port MAC in the low 48 bits (wire order) */
	uint64_t local_pair;
	uint16_t port_id;	/* x->p->port_id, not reloaded per packet */
	uint8_t port;
};

#define NET_L2L3_MASK \
	((((1ULL << RTE_MBUF_L2_LEN_BITS) - 1) << RTE_MBUF_L2_LEN_OFS) | \
	(((1ULL << RTE_MBUF_L3_LEN_BITS) - 1) << RTE_MBUF_L3_LEN_OFS))

/* l2_len and l3_len in one read-modify-write of tx_offload (two
 * bit-field stores otherwise); the other fields are kept. */
static inline void
set_l2l3(struct rte_mbuf *m, uint64_t l2, uint64_t l3)
{
	m->tx_offload = (m->tx_offload & ~NET_L2L3_MASK) |
		l2 << RTE_MBUF_L2_LEN_OFS | l3 << RTE_MBUF_L3_LEN_OFS;
}

/* The one's complement sum of an IPv4 header is 0xffff (what
 * rte_raw_cksum(ip, hl) == 0xffff says). For the 20-byte header without
 * options: the plain sum of its five 32-bit words is congruent to that
 * of its 16-bit words modulo 0xffff (2^16 = 1), so the folded sum is
 * 0xffff when the plain one is a non-zero multiple of 0xffff; it is not
 * zero (the IHL nibble is 5), and the compiler tests the divisibility
 * with a multiplication. a, b, c: bytes 0-7, 8-15 and 16-19 as loaded. */
static inline bool
ip4_cksum5_ok(uint64_t a, uint64_t b, uint32_t c)
{
	uint64_t s;

	/* Two 64-bit words and one 32-bit word, added with end-around
	 * carry (2^64 = 1 modulo 0xffff as well): congruent to the plain
	 * sum, and not zero since the operands are not all zero. */
	s = a + b;
	s += s < a;
	s += c;
	s += s < c;
	return s % 0xffff == 0;
}

static inline bool
ip4_cksum_ok(const void *ip, uint32_t hl)
{
	uint64_t a, b;
	uint32_t c;

	if (unlikely(hl != sizeof(struct rte_ipv4_hdr)))
		return rte_raw_cksum(ip, hl) == 0xffff;
	memcpy(&a, ip, 8);
	memcpy(&b, (const uint8_t *)ip + 8, 8);
	memcpy(&c, (const uint8_t *)ip + 16, 4);
	return ip4_cksum5_ok(a, b, c);
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

/* A directed broadcast of the port's subnets: only asked when the
 * address's bit is in the filter. */
static __rte_noinline bool
v4_is_bcast(const struct net_port *p, uint32_t a)
{
	unsigned int i;

	for (i = 0; i < p->nb_v4; i++)
		if (a == p->v4bcast[i])
			return true;
	return false;
}

/* One of our addresses? fl = v4filter[h], h = net_v4_bit(a) */
static inline bool
v4_local(uint8_t fl, unsigned int h, uint32_t a)
{
	if (likely(!(fl & NET_V4F_LOCAL)))
		return false;
	if (likely(ss_net_ctx.v4local[h] == a))
		return true;
	return (fl & NET_V4F_LOCALS) && net_v4_is_local(a);
}

/* a: the source address, f its v4_first[] flags, h its net_v4_bit(),
 * fl the port's v4filter[h] (all loaded once by the caller) */
static inline bool
v4_src_bad(const struct rx_ctx *x, uint32_t a, uint8_t f, unsigned int h,
	uint8_t fl)
{
	/* multicast, loopback; 0.0.0.0, 255.255.255.255 */
	if (unlikely(f & (V4_SRC_BAD | V4_ZERO8 | V4_ONES8)) &&
			((f & V4_SRC_BAD) || a == 0 || a == 0xffffffff))
		return true;
	/* one of our addresses or the port's subnet broadcasts */
	if (likely(fl == 0))
		return false;
	return ((fl & NET_V4F_BCAST) && v4_is_bcast(x->p, a)) ||
		v4_local(fl, h, a);
}

/* Cuts m to len bytes (len <= pkt_len) across segments:
 * rte_pktmbuf_trim only cuts inside the last one, and Ethernet padding
 * may begin in one segment and end in the next (or fill a segment of
 * its own). Segments left empty are freed. */
static __rte_noinline void
trim_to(struct rte_mbuf *m, uint32_t len)
{
	struct rte_mbuf *s = m, *rest;
	uint32_t off = 0;
	uint16_t nseg = 1;

	while (off + s->data_len < len) {
		off += s->data_len;
		s = s->next;
		nseg++;
	}
	s->data_len = (uint16_t)(len - off);
	rest = s->next;
	s->next = NULL;
	m->nb_segs = nseg;
	m->pkt_len = len;
	while (rest != NULL) {
		struct rte_mbuf *next = rest->next;

		rte_pktmbuf_free_seg(rest);
		rest = next;
	}
}

static inline uint8_t
classify_ip4(struct rte_mbuf *m, const struct rx_ctx *x, bool mac_ours,
	uint64_t txo, struct ss_net_stats *st)
{
	const uint32_t avail = rte_pktmbuf_data_len(m) - RTE_ETHER_HDR_LEN;
	const uint32_t frame = rte_pktmbuf_pkt_len(m) - RTE_ETHER_HDR_LEN;
	const uint8_t *filt = x->p->v4filter;
	const struct rte_ipv4_hdr *ip;
	/* SS_NET_PTYPE_IP4_CHECKED if the frame is whole in the first
	 * segment (still so after a trim of padding); options take
	 * RTE_PTYPE_L3_IPV4_EXT without it below */
	uint32_t l3pt = RTE_PTYPE_L3_IPV4 |
		(avail == frame ? SS_NET_PTYPE_IP4_CHECKED : 0);
	uint64_t ck;
	uint32_t hl, tl, src, dst;
	unsigned int hs, hd;
	uint16_t frag;
	uint8_t f, fs, fd, f1s, f1d;

	if (unlikely(avail < sizeof(*ip)))
		return drop(st, SS_NET_DROP_IP4_TRUNC);
	ip = rte_pktmbuf_mtod_offset(m, const struct rte_ipv4_hdr *,
		RTE_ETHER_HDR_LEN);
	/* 0x45, the usual, passes the version and length tests at once */
	hl = sizeof(*ip);
	if (unlikely(ip->version_ihl != 0x45)) {
		if (unlikely((ip->version_ihl >> 4) != 4))
			return drop(st, SS_NET_DROP_IP4_VERSION);
		hl = (ip->version_ihl & 0xf) * 4u;
		if (unlikely(hl < sizeof(*ip)))
			return drop(st, SS_NET_DROP_IP4_HDRLEN);
		if (unlikely(hl > avail))
			return drop(st, SS_NET_DROP_IP4_TRUNC);
		if (hl != sizeof(*ip))
			l3pt = RTE_PTYPE_L3_IPV4_EXT;
	}
	tl = rte_be_to_cpu_16(ip->total_length);
	/* tl < hl wraps around: one compare for both (frame >= avail >=
	 * hl here) */
	if (unlikely(tl - hl > frame - hl))
		return drop(st, SS_NET_DROP_IP4_TOTLEN);
	/* UNKNOWN (0, what software ports give) tested first: one test
	 * of the flags on the usual way */
	ck = m->ol_flags & RTE_MBUF_F_RX_IP_CKSUM_MASK;
	if (likely(ck == RTE_MBUF_F_RX_IP_CKSUM_UNKNOWN)) {
		if (unlikely(!ip4_cksum_ok(ip, hl)))
			return drop(st, SS_NET_DROP_IP4_CSUM);
	} else if (unlikely(ck == RTE_MBUF_F_RX_IP_CKSUM_BAD)) {
		return drop(st, SS_NET_DROP_IP4_CSUM);
	}
	if (unlikely(frame > tl)) {
		/* Ethernet padding */
		if (likely(m->nb_segs == 1)) {
			rte_pktmbuf_trim(m, frame - tl);
		} else {
			trim_to(m, RTE_ETHER_HDR_LEN + tl);
			/* whole in the first segment now? */
			if (hl == sizeof(*ip) && rte_pktmbuf_data_len(m) ==
					RTE_ETHER_HDR_LEN + tl)
				l3pt |= SS_NET_PTYPE_IP4_CHECKED;
		}
	}
	m->tx_offload = txo | (uint64_t)RTE_ETHER_HDR_LEN <<
		RTE_MBUF_L2_LEN_OFS | (uint64_t)hl << RTE_MBUF_L3_LEN_OFS;
	frag = ip->fragment_offset & RTE_BE16(RTE_IPV4_HDR_MF_FLAG |
		RTE_IPV4_HDR_OFFSET_MASK);
	m->packet_type = RTE_PTYPE_L2_ETHER | l3pt |
		(frag != 0 ? RTE_PTYPE_L4_FRAG : l4_ptype(ip->next_proto_id));
	src = ip->src_addr;
	dst = ip->dst_addr;
	hs = net_v4_bit(src);
	hd = net_v4_bit(dst);
	fs = filt[hs];
	fd = filt[hd];
	f1s = v4_first[((const uint8_t *)&ip->src_addr)[0]];
	f1d = v4_first[((const uint8_t *)&ip->dst_addr)[0]];
	/* Transit between ordinary unicast addresses, to our MAC: the
	 * tests below all pass, told at once. A first byte with a flag
	 * or an address in the filter takes them one by one (with the
	 * same loaded values). */
	f = f1s | f1d | fs | fd;
	if (likely(f == 0 && mac_ours))
		return SS_NET_CLASS_FORWARD;
	if (unlikely(v4_src_bad(x, src, f1s, hs, fs)))
		return drop(st, SS_NET_DROP_SRC_INVALID);
	if (v4_local(fd, hd, dst)) {
		if (unlikely(frag != 0)) {
			/* reassembled by the control lcore, whichever worker
			 * each fragment came to (L4_FRAG says so) */
			st->punted++;
			return SS_NET_CLASS_PUNT;
		}
		return to_us(m, ip->next_proto_id, RTE_ETHER_HDR_LEN + hl,
			tl - hl, st);
	}
	/* Not routed: multicast, broadcast, loopback, 0/8, our subnets'
	 * broadcasts; and frames not sent to our MAC. */
	if (unlikely((f1d & V4_DST_BAD) || !mac_ours ||
			((f1d & V4_ONES8) && dst == 0xffffffff)))
		return drop(st, SS_NET_DROP_NOT_FOR_US);
	if (unlikely((fd & NET_V4F_BCAST) && v4_is_bcast(x->p, dst)))
		return drop(st, SS_NET_DROP_NOT_FOR_US);
	return SS_NET_CLASS_FORWARD;
}

/* Walk the extension headers of a packet to us: *off moves to the upper
 * layer header, returned (or -1: dropped and counted); a routing header
 * that names further hops stops the walk there (IPPROTO_ROUTING). */
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
			/* the caller decides: reassembled or dropped */
			return IPPROTO_FRAGMENT;
		default:
			return nxt;
		}
		if (unlikely(*off + 8 > end || *off + 8 > avail))
			break;
		h = rte_pktmbuf_mtod_offset(m, const uint8_t *, *off);
		len = (h[1] + 1u) * 8;
		if (unlikely(*off + len > end))
			break;
		/* segments left (RFC 8200 4.4); with 0 it is ignored */
		if (unlikely(nxt == IPPROTO_ROUTING && h[3] != 0))
			return IPPROTO_ROUTING;
		nxt = h[0];
		*off += len;
	}
	drop(st, SS_NET_DROP_IP6_EXT);
	return -1;
}

/*
 * A fragment to us whose fragment header has hop-by-hop, destination
 * options or routing headers in front (off: the fragment header's
 * offset, in the first segment): those go, so that the fragment header
 * is right behind the IPv6 header, where rte_ip_frag wants it. We are
 * the destination and read their options no further, as with any packet
 * to us; a routing header here has no segments left (ip6_upper stopped
 * at any other). Returns the fragment header's new offset.
 */
static __rte_noinline uint32_t
ip6_frag_hoist(struct rte_mbuf *m, uint32_t off)
{
	const uint32_t base = RTE_ETHER_HDR_LEN + sizeof(struct rte_ipv6_hdr);
	const uint32_t ext = off - base;
	uint8_t *p = rte_pktmbuf_mtod(m, uint8_t *);
	struct rte_ipv6_hdr *ip;
	uint8_t nxt = p[RTE_ETHER_HDR_LEN + 6];
	uint32_t o;

	for (o = base; o < off; o += (p[o + 1] + 1u) * 8) {
		if (nxt != IPPROTO_HOPOPTS && nxt != IPPROTO_DSTOPTS &&
				nxt != IPPROTO_ROUTING)
			return off;
		nxt = p[o];
	}
	memmove(p + ext, p, base);
	rte_pktmbuf_adj(m, (uint16_t)ext);
	ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv6_hdr *,
		RTE_ETHER_HDR_LEN);
	ip->proto = IPPROTO_FRAGMENT;
	ip->payload_len = rte_cpu_to_be_16(rte_be_to_cpu_16(ip->payload_len) -
		ext);
	return base;
}

int
ss_net_ip6_rh_pointer(const struct rte_mbuf *m)
{
	const uint32_t l2 = m->l2_len;
	const struct rte_ipv6_hdr *ip;
	struct ss_net_stats scratch;
	uint32_t off = l2 + sizeof(*ip);

	if (!RTE_ETH_IS_IPV6_HDR(m->packet_type) ||
			(m->packet_type & RTE_PTYPE_L4_MASK) != 0 ||
			rte_pktmbuf_data_len(m) < off)
		return -1;
	ip = rte_pktmbuf_mtod_offset(m, const struct rte_ipv6_hdr *, l2);
	if (ip6_upper(m, ip->proto, &off, off +
			rte_be_to_cpu_16(ip->payload_len), &scratch) !=
			IPPROTO_ROUTING)
		return -1;
	return (int)(off - l2 + 2);
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
		trim_to(m, RTE_ETHER_HDR_LEN + pl + sizeof(*ip));
	set_l2l3(m, RTE_ETHER_HDR_LEN, sizeof(*ip));
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
		if (unlikely(up == IPPROTO_ROUTING)) {
			/* answered with a parameter problem, not to a
			 * group (RFC 4443 2.4 (e)) */
			if (mcast)
				return drop(st, SS_NET_DROP_IP6_ROUTING);
			if (memcmp(ip->src_addr, unspec, 16) == 0)
				return drop(st, SS_NET_DROP_SRC_INVALID);
			m->l3_len = off - RTE_ETHER_HDR_LEN;
			m->packet_type = RTE_PTYPE_L2_ETHER |
				RTE_PTYPE_L3_IPV6_EXT;
			st->punted++;
			return SS_NET_CLASS_PUNT;
		}
		if (unlikely(up == IPPROTO_FRAGMENT)) {
			/* Reassembled by the control lcore (rte_ip_frag),
			 * which takes a fragment header right behind the
			 * IPv6 header only, and 8 bytes of it here. (After
			 * a hoist, pl and avail are larger than the packet's
			 * by the headers that went: the tests still hold.) */
			if (off != RTE_ETHER_HDR_LEN + sizeof(*ip) && !mcast &&
					off + 8 <= rte_pktmbuf_data_len(m))
				off = ip6_frag_hoist(m, off);
			if (off != RTE_ETHER_HDR_LEN + sizeof(*ip) || mcast ||
					pl < 8 || avail < sizeof(*ip) + 8)
				return drop(st, SS_NET_DROP_IP6_FRAG);
			m->l3_len = sizeof(*ip) + 8;
			m->packet_type = RTE_PTYPE_L2_ETHER |
				RTE_PTYPE_L3_IPV6_EXT | RTE_PTYPE_L4_FRAG;
			st->punted++;
			return SS_NET_CLASS_PUNT;
		}
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

/* Every frame the fast path below does not take: all the tests, one by
 * one, each drop under its reason. Out of line: the burst loop keeps its
 * registers for the fast path. */
static __rte_noinline uint8_t
classify_one(struct rte_mbuf *m, const struct rx_ctx *x,
	struct ss_net_stats *st)
{
	const uint64_t txo = m->tx_offload & ~NET_L2L3_MASK;
	uint64_t w0, w1;
	uint16_t et;
	bool mac_ours;

	m->port = x->port_id;
	m->tx_offload = txo;		/* l2_len = l3_len = 0 */
	m->packet_type = 0;
	if (unlikely(rte_pktmbuf_data_len(m) < RTE_ETHER_HDR_LEN))
		return drop(st, SS_NET_DROP_RUNT);
	/* The header as two overlapping words: bytes 0-7 (destination)
	 * and 6-13 (source, EtherType); the MACs compare in 48 bits. */
	memcpy(&w0, rte_pktmbuf_mtod(m, const uint8_t *), 8);
	memcpy(&w1, rte_pktmbuf_mtod_offset(m, const uint8_t *, 6), 8);
	w0 = rte_le_to_cpu_64(w0);
	w1 = rte_le_to_cpu_64(w1);
	mac_ours = ((w0 ^ x->mac) << 16) == 0;
	/* I/G bit: the first byte's lowest bit */
	if (unlikely(!mac_ours && !(w0 & 1)))
		return drop(st, SS_NET_DROP_NOT_FOR_US);
	if (unlikely((w1 & 1) || ((w1 ^ x->mac) << 16) == 0))
		return drop(st, SS_NET_DROP_SRC_INVALID);
	/* bytes 12-13 as loaded: the EtherType byte-swapped */
	et = (uint16_t)(w1 >> 48);
	if (likely(et == RTE_STATIC_BSWAP16(RTE_ETHER_TYPE_IPV4)))
		return classify_ip4(m, x, mac_ours, txo, st);
	switch (et) {
	case RTE_STATIC_BSWAP16(RTE_ETHER_TYPE_IPV6):
		return classify_ip6(m, x->port, mac_ours, st);
	case RTE_STATIC_BSWAP16(RTE_ETHER_TYPE_ARP):
		return classify_arp(m, st);
	case RTE_STATIC_BSWAP16(ETHER_TYPE_EAPOL):
		m->l2_len = RTE_ETHER_HDR_LEN;
		m->packet_type = RTE_PTYPE_L2_ETHER;
		st->punted++;
		return SS_NET_CLASS_PUNT;
	default:
		return drop(st, SS_NET_DROP_ETHERTYPE);
	}
}

/* classify_fast4(): the frame is not the usual one, see classify_one() */
#define NET_CLASS_SLOW 0xff

/* bytes 6-13 as loaded (rte_le_to_cpu_64): the source MAC's I/G bit and
 * the EtherType, and their values for a unicast source and IPv4 */
#define ETH_W1_MASK 0xffff000000000001ULL
#define ETH_W1_IP4 ((uint64_t)RTE_STATIC_BSWAP16(RTE_ETHER_TYPE_IPV4) << 48)
/* IP header bytes 0-7 as loaded: version and IHL, the MF flag and the
 * fragment offset; and their values for IHL 5, not a fragment */
#define IP4_W0_MASK 0xff3f0000000000ffULL
#define IP4_W0_USUAL 0x45ULL
/* ... and the total length, as loaded */
#define IP4_W0_TOTLEN 0xffff0000ULL

/* What classify_fast4 makes of a frame's addresses (src and dst as
 * loaded, dst in c too): transit that no first byte flag and no filter
 * byte stop; one of our addresses (v4local) as the destination, from
 * such a source; or anything else, for classify_one. */
enum { FAST4_FWD, FAST4_LOCAL, FAST4_SLOW };

static __rte_always_inline uint8_t
fast4_addr(const struct rx_ctx *x, const uint8_t *ip, uint32_t src,
	uint32_t c)
{
	const unsigned int hs = net_v4_bit(src), hd = net_v4_bit(c);
	const uint8_t fs = x->p->v4filter[hs], fd = x->p->v4filter[hd];
	const uint8_t f1s = v4_first[ip[12]], f1d = v4_first[ip[16]];
	const uint8_t g = f1s | f1d | fs;

	if (likely((g | fd) == 0))
		return FAST4_FWD;
	/* A filter byte with one local address and no broadcast: one
	 * compare tells whether the address is that one (v4_local());
	 * else the exact tests, one by one. */
	if (unlikely(g != 0) && ((f1s | f1d) != 0 || fs != NET_V4F_LOCAL ||
			ss_net_ctx.v4local[hs] == src))
		return FAST4_SLOW;
	if (fd == 0)
		return FAST4_FWD;
	if (unlikely(fd != NET_V4F_LOCAL))
		return FAST4_SLOW;
	/* else a foreign address that shares the bit */
	return ss_net_ctx.v4local[hd] == c ? FAST4_LOCAL : FAST4_FWD;
}

/* The usual IPv4 frame: to our MAC from a unicast source MAC not ours,
 * version 4 and IHL 5, not a fragment, the checksum good, the datagram
 * whole in the first segment without padding, and either transit
 * between addresses that no first byte flag and no filter byte stop
 * (FORWARD), or ESP to one of our addresses (v4local) from such a
 * source. What classify_one() decides for these frames, with the header
 * read once in a few words, one test for most of the Ethernet header,
 * and each mbuf field written once. Anything else, every drop included,
 * returns NET_CLASS_SLOW having written nothing. */
static __rte_always_inline uint8_t
classify_fast4(struct rte_mbuf *m, struct rx_ctx *x)
{
	const uint8_t *eh = rte_pktmbuf_mtod(m, const uint8_t *);
	const uint8_t *ip = eh + RTE_ETHER_HDR_LEN;
	const uint32_t len = rte_pktmbuf_data_len(m);
	uint64_t w0, w1, a, b, ck, pair;
	uint32_t c, src, pt;
	uint8_t v, cls;

	if (unlikely(len != rte_pktmbuf_pkt_len(m) ||
			len < RTE_ETHER_HDR_LEN + sizeof(struct rte_ipv4_hdr)))
		return NET_CLASS_SLOW;
	memcpy(&w0, eh, 8);
	memcpy(&w1, eh + 6, 8);
	w0 = rte_le_to_cpu_64(w0);
	w1 = rte_le_to_cpu_64(w1);
	if (unlikely((((w0 ^ x->mac) << 16) |
			((w1 & ETH_W1_MASK) ^ ETH_W1_IP4)) != 0 ||
			((w1 ^ x->mac) << 16) == 0))
		return NET_CLASS_SLOW;
	memcpy(&a, ip, 8);
	memcpy(&b, ip + 8, 8);
	memcpy(&c, ip + 16, 4);
	/* total length: bytes 2-3, big-endian; equal to the frame's, so
	 * also >= 20; tested with the other fields of the word */
	if (unlikely((rte_le_to_cpu_64(a) & (IP4_W0_MASK | IP4_W0_TOTLEN)) !=
			(IP4_W0_USUAL | (uint64_t)rte_bswap16((uint16_t)(len -
			RTE_ETHER_HDR_LEN)) << 16)))
		return NET_CLASS_SLOW;
	ck = m->ol_flags & RTE_MBUF_F_RX_IP_CKSUM_MASK;
	if (likely(ck == RTE_MBUF_F_RX_IP_CKSUM_UNKNOWN)) {
		if (unlikely(!ip4_cksum5_ok(a, b, c)))
			return NET_CLASS_SLOW;
	} else if (unlikely(ck == RTE_MBUF_F_RX_IP_CKSUM_BAD)) {
		return NET_CLASS_SLOW;
	}
	memcpy(&pair, ip + 12, 8);
	if (pair == x->local_pair) {
		v = FAST4_LOCAL;
	} else {
		memcpy(&src, ip + 12, 4);
		v = fast4_addr(x, ip, src, c);
		if (v == FAST4_LOCAL)
			x->local_pair = pair;
	}
	if (likely(v == FAST4_FWD)) {
		cls = SS_NET_CLASS_FORWARD;
		pt = l4_ptype(ip[9]);
	} else if (likely(v == FAST4_LOCAL && ip[9] == IPPROTO_ESP &&
			len >= RTE_ETHER_HDR_LEN +
			sizeof(struct rte_ipv4_hdr) + 8)) {
		/* to us, SPI and sequence number there */
		cls = SS_NET_CLASS_ESP;
		pt = RTE_PTYPE_TUNNEL_ESP;
	} else {
		return NET_CLASS_SLOW;
	}
	m->port = x->port_id;
	m->tx_offload = (m->tx_offload & ~NET_L2L3_MASK) |
		(uint64_t)RTE_ETHER_HDR_LEN << RTE_MBUF_L2_LEN_OFS |
		(uint64_t)sizeof(struct rte_ipv4_hdr) << RTE_MBUF_L3_LEN_OFS;
	m->packet_type = RTE_PTYPE_L2_ETHER | RTE_PTYPE_L3_IPV4 |
		SS_NET_PTYPE_IP4_CHECKED | pt;
	return cls;
}

void
ss_net_classify_burst(struct rte_mbuf **m, uint16_t n, uint8_t port,
	uint8_t cls[], struct ss_net_stats *st)
{
	const struct net_ctx *c = &ss_net_ctx;
	struct rx_ctx x;
	uint16_t i;

	RTE_BUILD_BUG_ON(SS_NET_PTYPE_IP4_CHECKED & RTE_PTYPE_ALL_MASK);

	if (unlikely(port >= c->nb_ports)) {
		for (i = 0; i < n; i++)
			cls[i] = drop(st, SS_NET_DROP_NOT_FOR_US);
		return;
	}
	x.p = &c->port[port];
	x.mac = 0;
	memcpy(&x.mac, &x.p->mac, RTE_ETHER_ADDR_LEN);
	x.mac = rte_le_to_cpu_64(x.mac);
	x.port = port;
	x.port_id = x.p->port_id;
	x.local_pair = 0;
	/* No prefetch here: the worker has issued the whole burst's
	 * misses before calling (a prefetch loop per stage cost more
	 * instructions than it saved). */
	for (i = 0; i < n; i++) {
		uint8_t c = classify_fast4(m[i], &x);

		if (unlikely(c == NET_CLASS_SLOW))
			c = classify_one(m[i], &x, st);
		cls[i] = c;
	}
}
