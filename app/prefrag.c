/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 shardsec authors
 */

/*
 * IPv4 packets with DF clear whose protected form would not fit the
 * tunnel's MTU: fragmented before encryption (RFC 4459 5.2), on the
 * control lcore, and handed back to a worker as transit packets that
 * the SPD and the SA then protect one by one. Each ESP packet is then
 * whole and decrypts on its own at the peer; the destination host
 * reassembles the inner packet, as it would behind any router. (DF set,
 * or IPv6: ICMP "too big", icmp_err.c; ipsec.fragment = false: dropped
 * and counted.)
 */

#include <string.h>

#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include "ss_app.h"

/* The options a later fragment carries: those with the copied flag
 * (RFC 791 3.1), in order; returns their length. */
static size_t
copied_options(const uint8_t *o, size_t len, uint8_t out[40])
{
	size_t i = 0, n = 0;

	while (i < len) {
		size_t ol;

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

/* One fragment: Ethernet header (the route writes the real one), IP
 * header h of hl bytes with its length and offset, n payload bytes. */
static struct rte_mbuf *
piece_make(struct ss_app *app, const struct rte_mbuf *orig,
	const uint8_t *h, size_t hl, const uint8_t *pay, size_t n,
	uint16_t frag)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(app->pool);
	struct rte_ether_hdr *eh;
	struct rte_ipv4_hdr *ip;

	if (m == NULL)
		return NULL;
	eh = (struct rte_ether_hdr *)rte_pktmbuf_append(m,
		(uint16_t)(RTE_ETHER_HDR_LEN + hl + n));
	if (eh == NULL) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	memset(eh, 0, sizeof(*eh));
	eh->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	ip = (struct rte_ipv4_hdr *)(eh + 1);
	memcpy(ip, h, hl);
	memcpy((uint8_t *)ip + hl, pay, n);
	ip->version_ihl = (uint8_t)(0x40 | hl / 4);
	ip->total_length = rte_cpu_to_be_16((uint16_t)(hl + n));
	ip->fragment_offset = rte_cpu_to_be_16(frag);
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	m->port = orig->port;
	m->l2_len = RTE_ETHER_HDR_LEN;
	m->l3_len = (uint16_t)hl;
	m->packet_type = RTE_PTYPE_L2_ETHER | (hl == sizeof(*ip) ?
		RTE_PTYPE_L3_IPV4 : RTE_PTYPE_L3_IPV4_EXT) | RTE_PTYPE_L4_FRAG;
	return m;
}

void
ss_app_prefrag(struct ss_app *app, struct rte_mbuf *orig, uint16_t mtu)
{
	const uint8_t *l3 = rte_pktmbuf_mtod_offset(orig, const uint8_t *,
		orig->l2_len);
	const struct rte_ipv4_hdr *ip = (const void *)l3;
	const size_t hl = (ip->version_ihl & 0xf) * 4u;
	const size_t tot = rte_be_to_cpu_16(ip->total_length);
	const uint16_t fo = rte_be_to_cpu_16(ip->fragment_offset);
	uint8_t h2[60], opt[40];
	size_t hl2, off = 0, plen;
	unsigned int k = 0;

	/* the worker set it aside whole and linear */
	if (orig->nb_segs != 1 || hl < sizeof(*ip) || tot < hl ||
			tot > (size_t)rte_pktmbuf_data_len(orig) - orig->l2_len ||
			mtu < 68 || mtu < hl + 8) {
		app->ctl.too_big_dropped++;
		rte_pktmbuf_free(orig);
		return;
	}
	plen = tot - hl;
	memcpy(h2, l3, sizeof(*ip));
	hl2 = copied_options(l3 + sizeof(*ip), hl - sizeof(*ip), opt);
	memcpy(h2 + sizeof(*ip), opt, hl2);
	memset(h2 + sizeof(*ip) + hl2, 0, RTE_ALIGN_CEIL(hl2, 4) - hl2);
	hl2 = sizeof(*ip) + RTE_ALIGN_CEIL(hl2, 4);
	while (off < plen) {
		const size_t h = off == 0 ? hl : hl2;
		const size_t step = (mtu - h) & ~(size_t)7;
		const size_t n = RTE_MIN(step, plen - off);
		const bool last = off + n == plen;
		/* a fragment's offset adds to the packet's own; MF stays
		 * on the last piece only if the packet had it */
		const uint16_t frag = (uint16_t)(((fo & RTE_IPV4_HDR_OFFSET_MASK)
			+ off / 8) | (last ? fo & RTE_IPV4_HDR_MF_FLAG :
			RTE_IPV4_HDR_MF_FLAG));
		struct rte_mbuf *p;

		p = piece_make(app, orig, off == 0 ? l3 : h2, h,
			l3 + hl + off, n, frag);
		if (p == NULL) {
			/* the pieces already out are lost with the rest:
			 * the destination cannot reassemble them */
			app->ctl.too_big_dropped++;
			break;
		}
		ss_app_ctl_dispatch(app, p, SS_NET_CLASS_FORWARD);
		k++;
		off += n;
	}
	if (off == plen) {
		app->ctl.prefrag++;
		app->ctl.prefrag_pieces += k;
	}
	rte_pktmbuf_free(orig);
}
