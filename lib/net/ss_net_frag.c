/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 shardsec authors
 */

/*
 * IP fragmentation by copy, for the control lcore's own packets and for
 * packets it cuts before encryption (ss_net_fragment in ss_net.h).
 */

#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <netinet/in.h>

#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_ip.h>

#include "ss_net.h"

/* The options a later IPv4 fragment carries: those with the copied
 * flag (RFC 791 3.1), in order; returns their length. */
static uint32_t
copied_options(const uint8_t *o, uint32_t len, uint8_t out[40])
{
	uint32_t i = 0, n = 0;

	while (i < len) {
		uint32_t ol;

		if (o[i] == 0)			/* end of list */
			break;
		if (o[i] == 1) {		/* no-operation */
			i++;
			continue;
		}
		if (i + 1 >= len || o[i + 1] < 2 || i + o[i + 1] > len)
			break;
		ol = o[i + 1];
		if (o[i] & 0x80) {
			memcpy(out + n, o + i, ol);
			n += ol;
		}
		i += ol;
	}
	return n;
}

static int
frag4(const uint8_t *l3, uint32_t len, uint32_t mtu, ss_net_frag_emit emit,
	void *arg, uint8_t *buf)
{
	const struct rte_ipv4_hdr *ip = (const void *)l3;
	const uint32_t hl = (ip->version_ihl & 0xf) * 4u;
	const uint16_t fo = rte_be_to_cpu_16(ip->fragment_offset);
	uint8_t h2[60], opt[40];
	uint32_t hl2, off;
	int ret = 0;

	if (hl < sizeof(*ip) || hl > len || mtu < hl + 8)
		return -EMSGSIZE;
	memcpy(h2, l3, sizeof(*ip));
	hl2 = copied_options(l3 + sizeof(*ip), hl - sizeof(*ip), opt);
	memcpy(h2 + sizeof(*ip), opt, hl2);
	memset(h2 + sizeof(*ip) + hl2, 0, RTE_ALIGN_CEIL(hl2, 4) - hl2);
	hl2 = sizeof(*ip) + RTE_ALIGN_CEIL(hl2, 4);
	for (off = 0; off < len - hl && ret == 0; ) {
		const uint32_t h = off == 0 ? hl : hl2;
		const uint32_t n = RTE_MIN((mtu - h) & ~7u, len - hl - off);
		const bool last = off + n == len - hl;
		struct rte_ipv4_hdr *o = (struct rte_ipv4_hdr *)buf;

		memcpy(buf, off == 0 ? l3 : h2, h);
		memcpy(buf + h, l3 + hl + off, n);
		o->version_ihl = (uint8_t)(0x40 | h / 4);
		o->total_length = rte_cpu_to_be_16((uint16_t)(h + n));
		/* the packet's own offset and, on its last piece, its MF */
		o->fragment_offset = rte_cpu_to_be_16((uint16_t)(
			((fo & RTE_IPV4_HDR_OFFSET_MASK) + off / 8) |
			(last ? fo & RTE_IPV4_HDR_MF_FLAG :
			RTE_IPV4_HDR_MF_FLAG)));
		o->hdr_checksum = 0;
		o->hdr_checksum = rte_ipv4_cksum(o);
		ret = emit(buf, h + n, arg);
		off += n;
	}
	return ret;
}

/* Headers that may stand in front of a fragment header (RFC 8200 4.1). */
static inline bool
ip6_unfrag_ext(uint8_t nh)
{
	return nh == IPPROTO_HOPOPTS || nh == IPPROTO_DSTOPTS ||
		nh == IPPROTO_ROUTING;
}

int
ss_net_ip6_unfrag_len(const uint8_t *l3, uint32_t len, uint32_t *nh)
{
	uint32_t off = sizeof(struct rte_ipv6_hdr), end = off, at = 6, k;
	uint8_t nxt;

	if (len < off)
		return -EINVAL;
	nxt = l3[6];
	*nh = 6;
	for (k = 0; k < SS_NET_IP6_EXT_MAX && ip6_unfrag_ext(nxt); k++) {
		const uint8_t cur = nxt;

		if (off + 8 > len || off + (l3[off + 1] + 1u) * 8 > len)
			return -EINVAL;
		at = off;
		nxt = l3[off];
		off += (l3[off + 1] + 1u) * 8;
		/* destination options belong to the part that is cut
		 * unless a routing header follows them */
		if (cur != IPPROTO_DSTOPTS) {
			end = off;
			*nh = at;
		}
	}
	return (int)end;
}

int
ss_net_ip6_frag_hdr(const uint8_t *l3, uint32_t len, uint32_t *nh)
{
	uint32_t off = sizeof(struct rte_ipv6_hdr), k;
	uint8_t nxt;

	if (len < off)
		return -1;
	nxt = l3[6];
	*nh = 6;
	for (k = 0; k <= SS_NET_IP6_EXT_MAX; k++) {
		if (nxt == IPPROTO_FRAGMENT)
			return off + 8 <= len ? (int)off : -1;
		if (!ip6_unfrag_ext(nxt) || off + 8 > len)
			return -1;
		/* a routing header that names further hops: not to us */
		if (nxt == IPPROTO_ROUTING && l3[off + 3] != 0)
			return -1;
		*nh = off;
		nxt = l3[off];
		off += (l3[off + 1] + 1u) * 8;
	}
	return -1;
}

/* Each fragment: the unfragmentable part (IPv6 header and the extension
 * headers every fragment carries), the fragment header, a piece. */
static int
frag6(const uint8_t *l3, uint32_t len, uint32_t mtu, uint32_t id,
	ss_net_frag_emit emit, void *arg, uint8_t *buf)
{
	const uint32_t fh = sizeof(struct rte_ipv6_fragment_ext);
	uint32_t off, nh;
	const int hl = ss_net_ip6_unfrag_len(l3, len, &nh);
	int ret = 0;

	if (hl < 0)
		return -EINVAL;
	if (mtu < (uint32_t)hl + fh + 8)
		return -EMSGSIZE;
	for (off = 0; off < len - hl && ret == 0; ) {
		const uint32_t n = RTE_MIN((mtu - hl - fh) & ~7u,
			len - hl - off);
		struct rte_ipv6_hdr *o = (struct rte_ipv6_hdr *)buf;
		struct rte_ipv6_fragment_ext *x =
			(struct rte_ipv6_fragment_ext *)(buf + hl);

		memcpy(buf, l3, hl);
		memcpy(buf + hl + fh, l3 + hl + off, n);
		x->next_header = l3[nh];
		x->reserved = 0;
		x->frag_data = rte_cpu_to_be_16((uint16_t)((off / 8) << 3 |
			(off + n < len - hl ? 1 : 0)));
		x->id = rte_cpu_to_be_32(id);
		buf[nh] = IPPROTO_FRAGMENT;
		o->payload_len = rte_cpu_to_be_16((uint16_t)(hl - sizeof(*o) +
			fh + n));
		ret = emit(buf, hl + fh + n, arg);
		off += n;
	}
	return ret;
}

int
ss_net_fragment(const uint8_t *l3, uint32_t len, uint32_t mtu, uint32_t id,
	ss_net_frag_emit emit, void *arg)
{
	uint8_t buf[SS_NET_FRAG_MAX];

	if (len == 0 || mtu > sizeof(buf))
		return -EINVAL;
	if ((l3[0] >> 4) == 4)
		return frag4(l3, len, mtu, emit, arg, buf);
	if ((l3[0] >> 4) == 6)
		return frag6(l3, len, mtu, id, emit, arg, buf);
	return -EINVAL;
}
