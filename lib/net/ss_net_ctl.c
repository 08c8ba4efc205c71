/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 shardsec authors
 */

/* Control-lcore side: ARP and ND (answer, resolve, learn), ICMP echo for
 * our addresses, and the queues of packets waiting for a neighbour. */

#include <errno.h>
#include <string.h>

#include <rte_arp.h>
#include <rte_cycles.h>
#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_malloc.h>

#include "ss_net_priv.h"

#define ND_NS 135
#define ND_NA 136
#define ICMP6_ECHO_REQ 128
#define ICMP6_ECHO_REP 129
#define ND_OPT_SLLA 1
#define ND_OPT_TLLA 2
#define NA_FLAG_SOLICITED 0x40000000u
#define NA_FLAG_OVERRIDE 0x20000000u
#define NEIGH_STALE_S 60

struct nd_msg {
	uint8_t type;
	uint8_t code;
	uint16_t cksum;
	uint32_t flags;
	uint8_t target[16];
} __rte_packed;

static int
ctl_tx(uint8_t port, struct rte_mbuf *m)
{
	if (ss_net_ctx.tx == NULL) {
		rte_pktmbuf_free(m);
		return -ENODEV;
	}
	return ss_net_ctx.tx(port, m, ss_net_ctx.tx_arg);
}

/* ---- neighbour resolution: requests --------------------------------- */

static const struct ss_ipaddr *
port_src(uint8_t port, uint8_t family, const struct ss_ipaddr *toward,
	struct ss_ipaddr *buf)
{
	const struct net_port *p = &ss_net_ctx.port[port];
	unsigned int i;

	buf->family = family;
	if (family == AF_INET) {
		for (i = 0; i < p->nb_v4; i++) {
			uint32_t mask = p->v4len[i] == 0 ? 0 :
				RTE_BE32(~((1u << (32 - p->v4len[i])) - 1));

			if ((p->v4[i] & mask) == (toward->v4 & mask)) {
				buf->v4 = p->v4[i];
				return buf;
			}
		}
		if (p->nb_v4 == 0)
			return NULL;
		buf->v4 = p->v4[0];
		return buf;
	}
	if (p->nb_v6 == 0)
		return NULL;
	memcpy(buf->v6, p->v6[0], 16);
	return buf;
}

static void
send_arp_request(uint8_t port, const struct ss_ipaddr *target,
	struct ss_net_stats *st)
{
	const struct net_port *p = &ss_net_ctx.port[port];
	struct ss_ipaddr src;
	struct rte_ether_hdr *eh;
	struct rte_arp_hdr *ah;
	struct rte_mbuf *m;

	if (port_src(port, AF_INET, target, &src) == NULL)
		return;
	m = rte_pktmbuf_alloc(ss_net_ctx.mp);
	if (m == NULL)
		return;
	eh = (struct rte_ether_hdr *)rte_pktmbuf_append(m,
		sizeof(*eh) + sizeof(*ah));
	ah = (struct rte_arp_hdr *)(eh + 1);
	memset(&eh->dst_addr, 0xff, RTE_ETHER_ADDR_LEN);
	rte_ether_addr_copy(&p->mac, &eh->src_addr);
	eh->ether_type = RTE_BE16(RTE_ETHER_TYPE_ARP);
	ah->arp_hardware = RTE_BE16(RTE_ARP_HRD_ETHER);
	ah->arp_protocol = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	ah->arp_hlen = RTE_ETHER_ADDR_LEN;
	ah->arp_plen = 4;
	ah->arp_opcode = RTE_BE16(RTE_ARP_OP_REQUEST);
	rte_ether_addr_copy(&p->mac, &ah->arp_data.arp_sha);
	ah->arp_data.arp_sip = src.v4;
	memset(&ah->arp_data.arp_tha, 0, RTE_ETHER_ADDR_LEN);
	ah->arp_data.arp_tip = target->v4;
	if (ctl_tx(port, m) == 0)
		st->arp_req_tx++;
}

static uint16_t
icmp6_cksum(const struct rte_ipv6_hdr *ip6, const void *l4)
{
	return rte_ipv6_udptcp_cksum(ip6, l4);
}

static struct rte_mbuf *
nd_build(uint8_t port, const struct rte_ether_addr *dmac,
	const uint8_t *src, const uint8_t *dst, uint8_t type, uint32_t flags,
	const uint8_t *target, uint8_t opt)
{
	const struct net_port *p = &ss_net_ctx.port[port];
	struct rte_ether_hdr *eh;
	struct rte_ipv6_hdr *ip6;
	struct nd_msg *nd;
	uint8_t *o;
	struct rte_mbuf *m = rte_pktmbuf_alloc(ss_net_ctx.mp);

	if (m == NULL)
		return NULL;
	eh = (struct rte_ether_hdr *)rte_pktmbuf_append(m, sizeof(*eh) +
		sizeof(*ip6) + sizeof(*nd) + 8);
	ip6 = (struct rte_ipv6_hdr *)(eh + 1);
	nd = (struct nd_msg *)(ip6 + 1);
	o = (uint8_t *)(nd + 1);
	rte_ether_addr_copy(dmac, &eh->dst_addr);
	rte_ether_addr_copy(&p->mac, &eh->src_addr);
	eh->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV6);
	ip6->vtc_flow = RTE_BE32(6u << 28);
	ip6->payload_len = rte_cpu_to_be_16(sizeof(*nd) + 8);
	ip6->proto = IPPROTO_ICMPV6;
	ip6->hop_limits = 255;
	memcpy(ip6->src_addr, src, 16);
	memcpy(ip6->dst_addr, dst, 16);
	nd->type = type;
	nd->code = 0;
	nd->cksum = 0;
	nd->flags = rte_cpu_to_be_32(flags);
	memcpy(nd->target, target, 16);
	o[0] = opt;
	o[1] = 1;
	memcpy(&o[2], p->mac.addr_bytes, RTE_ETHER_ADDR_LEN);
	nd->cksum = icmp6_cksum(ip6, nd);
	return m;
}

static void
send_ns(uint8_t port, const struct ss_ipaddr *target, struct ss_net_stats *st)
{
	struct ss_ipaddr src;
	struct rte_ether_addr dmac;
	uint8_t sn[16] = { 0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0xff };
	struct rte_mbuf *m;

	if (port_src(port, AF_INET6, target, &src) == NULL)
		return;
	memcpy(&sn[13], &target->v6[13], 3);
	dmac.addr_bytes[0] = 0x33;
	dmac.addr_bytes[1] = 0x33;
	memcpy(&dmac.addr_bytes[2], &sn[12], 4);
	m = nd_build(port, &dmac, src.v6, sn, ND_NS, 0, target->v6,
		ND_OPT_SLLA);
	if (m != NULL && ctl_tx(port, m) == 0)
		st->nd_ns_tx++;
}

static void
solicit(struct net_neigh *n, struct ss_net_stats *st)
{
	if (n->ip.family == AF_INET)
		send_arp_request(n->port, &n->ip, st);
	else
		send_ns(n->port, &n->ip, st);
	n->probes++;
	n->next_probe = rte_get_timer_cycles() +
		RTE_MAX(ss_net_ctx.hold_tsc / 3, rte_get_timer_hz() / 10);
}

/* ---- held packets ---------------------------------------------------- */

static void
hold_release(struct net_neigh *n, struct ss_net_stats *st)
{
	struct net_ctx *c = &ss_net_ctx;
	struct rte_mbuf *m[32];
	int16_t res[32];

	while (n->hold_n > 0) {
		uint16_t k = 0, i;

		while (k < 32 && n->hold_n > 0) {
			m[k++] = n->hold[n->hold_head];
			n->hold_head = (n->hold_head + 1) % c->hold_max;
			n->hold_n--;
		}
		/* TTL was decremented when the worker first tried. */
		ss_net_output_burst(m, k, res, st);
		for (i = 0; i < k; i++) {
			if (res[i] >= 0) {
				if (ctl_tx((uint8_t)res[i], m[i]) == 0)
					st->released++;
			} else {
				st->drop[SS_NET_DROP_NO_NEIGH]++;
				rte_pktmbuf_free(m[i]);
			}
		}
	}
}

static void
hold_drop_all(struct net_neigh *n, struct ss_net_stats *st)
{
	while (n->hold_n > 0) {
		rte_pktmbuf_free(n->hold[n->hold_head]);
		n->hold_head = (n->hold_head + 1) % ss_net_ctx.hold_max;
		n->hold_n--;
		st->drop[SS_NET_DROP_HOLD_TIMEOUT]++;
	}
}

void
ss_net_ctl_hold(struct rte_mbuf *m, struct ss_net_stats *st)
{
	struct net_ctx *c = &ss_net_ctx;
	const uint8_t *l3 = rte_pktmbuf_mtod_offset(m, const uint8_t *,
		m->l2_len);
	struct ss_ipaddr dst, hop;
	struct net_neigh *n;
	uint32_t nhi;
	int idx;

	if ((l3[0] >> 4) == 4) {
		dst.family = AF_INET;
		memcpy(&dst.v4, l3 + 16, 4);
	} else {
		dst.family = AF_INET6;
		memcpy(dst.v6, l3 + 24, 16);
	}
	nhi = net_route(&dst);
	if (nhi == NET_NH_NONE || nhi >= c->nb_nh) {
		st->drop[SS_NET_DROP_NO_ROUTE]++;
		rte_pktmbuf_free(m);
		return;
	}
	hop = c->nh[nhi].has_via ? c->nh[nhi].via : dst;
	idx = net_neigh_get(c->nh[nhi].port, &hop);
	if (idx < 0) {
		st->drop[SS_NET_DROP_NO_NEIGH]++;
		rte_pktmbuf_free(m);
		return;
	}
	n = &c->neigh[idx];
	if (n->hold == NULL) {
		n->hold = rte_zmalloc("ss_hold", c->hold_max * sizeof(void *),
			0);
		if (n->hold == NULL) {
			st->drop[SS_NET_DROP_HOLD_FULL]++;
			rte_pktmbuf_free(m);
			return;
		}
	}
	if (n->hold_n >= c->hold_max) {
		st->drop[SS_NET_DROP_HOLD_FULL]++;
		rte_pktmbuf_free(m);
		return;
	}
	if (n->hold_n == 0)
		n->hold_since = rte_get_timer_cycles();
	n->hold[(n->hold_head + n->hold_n) % c->hold_max] = m;
	n->hold_n++;
	st->held++;
	if (__atomic_load_n(&n->macv, __ATOMIC_ACQUIRE) & NET_MAC_VALID) {
		/* Resolved since the worker looked: send now. */
		hold_release(n, st);
		return;
	}
	if (n->probes == 0 || rte_get_timer_cycles() >= n->next_probe)
		solicit(n, st);
}

void
ss_net_ctl_timer(uint64_t now, struct ss_net_stats *st)
{
	struct net_ctx *c = &ss_net_ctx;
	const uint64_t stale = rte_get_timer_hz() * NEIGH_STALE_S;
	uint32_t i;

	for (i = 0; c->neigh != NULL && i < NET_MAX_NEIGH; i++) {
		struct net_neigh *n = &c->neigh[i];

		switch (n->state) {
		case NET_NEIGH_INCOMPLETE:
			if (n->hold_n > 0 && now - n->hold_since > c->hold_tsc) {
				hold_drop_all(n, st);
				n->probes = 0;
			} else if (n->hold_n > 0 && now >= n->next_probe) {
				solicit(n, st);
			}
			break;
		case NET_NEIGH_REACHABLE:
			/* Keep forwarding with the old MAC while a unicast
			 * refresh would be sent; mark it so show neigh says. */
			if (now - n->updated > stale)
				n->state = NET_NEIGH_STALE;
			break;
		default:
			break;
		}
	}
}

/* Learn a mapping; create the entry only when 'create'. */
static void
learn(uint8_t port, const struct ss_ipaddr *ip,
	const struct rte_ether_addr *mac, bool create, struct ss_net_stats *st)
{
	struct net_neigh *n;
	int idx;

	if (rte_is_multicast_ether_addr(mac) || rte_is_zero_ether_addr(mac))
		return;
	idx = create ? net_neigh_get(port, ip) : net_neigh_find(port, ip);
	if (idx < 0)
		return;
	n = &ss_net_ctx.neigh[idx];
	if (n->state == NET_NEIGH_STATIC)
		return;
	net_neigh_set_mac(n, mac);
	if (n->state != NET_NEIGH_REACHABLE)
		st->learned++;
	n->state = NET_NEIGH_REACHABLE;
	n->probes = 0;
	hold_release(n, st);
}

/* ---- input ----------------------------------------------------------- */

static int
arp_input(struct rte_mbuf *m, uint8_t port, struct ss_net_stats *st)
{
	const struct net_port *p = &ss_net_ctx.port[port];
	struct rte_ether_hdr *eh = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_arp_hdr *ah;
	struct ss_ipaddr sip, tip;
	bool for_us;

	if (rte_pktmbuf_data_len(m) < sizeof(*eh) + sizeof(*ah)) {
		st->drop[SS_NET_DROP_ARP_MALFORMED]++;
		rte_pktmbuf_free(m);
		return 0;
	}
	ah = (struct rte_arp_hdr *)(eh + 1);
	if (ah->arp_hardware != RTE_BE16(RTE_ARP_HRD_ETHER) ||
			ah->arp_protocol != RTE_BE16(RTE_ETHER_TYPE_IPV4) ||
			ah->arp_hlen != RTE_ETHER_ADDR_LEN ||
			ah->arp_plen != 4 ||
			(ah->arp_opcode != RTE_BE16(RTE_ARP_OP_REQUEST) &&
			ah->arp_opcode != RTE_BE16(RTE_ARP_OP_REPLY))) {
		st->drop[SS_NET_DROP_ARP_MALFORMED]++;
		rte_pktmbuf_free(m);
		return 0;
	}
	sip.family = AF_INET;
	sip.v4 = ah->arp_data.arp_sip;
	tip.family = AF_INET;
	tip.v4 = ah->arp_data.arp_tip;
	for_us = net_addr_is_mine(port, &tip);
	if (sip.v4 != 0)
		learn(port, &sip, &ah->arp_data.arp_sha, for_us, st);
	if (ah->arp_opcode != RTE_BE16(RTE_ARP_OP_REQUEST) || !for_us) {
		rte_pktmbuf_free(m);
		return 0;
	}
	/* Reply in place. */
	ah->arp_opcode = RTE_BE16(RTE_ARP_OP_REPLY);
	rte_ether_addr_copy(&ah->arp_data.arp_sha, &ah->arp_data.arp_tha);
	ah->arp_data.arp_tip = ah->arp_data.arp_sip;
	rte_ether_addr_copy(&p->mac, &ah->arp_data.arp_sha);
	ah->arp_data.arp_sip = tip.v4;
	rte_ether_addr_copy(&eh->src_addr, &eh->dst_addr);
	rte_ether_addr_copy(&p->mac, &eh->src_addr);
	if (ctl_tx(port, m) == 0)
		st->arp_rep_tx++;
	return 0;
}

static int
icmp4_input(struct rte_mbuf *m, uint8_t port, struct ss_net_stats *st)
{
	struct rte_ether_hdr *eh = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eh + 1);
	const uint32_t hl = (ip->version_ihl & 0xf) * 4u;
	const uint32_t len = rte_be_to_cpu_16(ip->total_length);
	struct rte_icmp_hdr *ic;
	struct rte_ether_addr tmp;
	uint32_t a;

	if (len < hl + sizeof(*ic)) {
		st->drop[SS_NET_DROP_L4_TRUNC]++;
		rte_pktmbuf_free(m);
		return 0;
	}
	ic = (struct rte_icmp_hdr *)((uint8_t *)ip + hl);
	if (rte_raw_cksum(ic, len - hl) != 0xffff) {
		st->drop[SS_NET_DROP_ICMP_CSUM]++;
		rte_pktmbuf_free(m);
		return 0;
	}
	if (ic->icmp_type != RTE_IP_ICMP_ECHO_REQUEST) {
		rte_pktmbuf_free(m);
		return 0;
	}
	ic->icmp_type = RTE_IP_ICMP_ECHO_REPLY;
	ic->icmp_cksum = 0;
	ic->icmp_cksum = ~rte_raw_cksum(ic, len - hl);
	a = ip->src_addr;
	ip->src_addr = ip->dst_addr;
	ip->dst_addr = a;
	ip->time_to_live = 64;
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	tmp = eh->src_addr;
	eh->src_addr = eh->dst_addr;
	eh->dst_addr = tmp;
	rte_ether_addr_copy(&ss_net_ctx.port[port].mac, &eh->src_addr);
	if (ctl_tx(port, m) == 0)
		st->echo_rep_tx++;
	return 0;
}

static int
icmp6_input(struct rte_mbuf *m, uint8_t port, struct ss_net_stats *st)
{
	const struct net_port *p = &ss_net_ctx.port[port];
	struct rte_ether_hdr *eh = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_ipv6_hdr *ip6 = (struct rte_ipv6_hdr *)(eh + 1);
	const uint32_t pl = rte_be_to_cpu_16(ip6->payload_len);
	uint8_t *l4 = (uint8_t *)(ip6 + 1);
	struct ss_ipaddr src, tgt;
	static const uint8_t zero[16];

	if (pl < 4) {
		st->drop[SS_NET_DROP_L4_TRUNC]++;
		goto free;
	}
	if (rte_ipv6_udptcp_cksum_verify(ip6, l4) != 0) {
		st->drop[SS_NET_DROP_ICMP_CSUM]++;
		goto free;
	}
	src.family = AF_INET6;
	memcpy(src.v6, ip6->src_addr, 16);
	if (l4[0] == ICMP6_ECHO_REQ) {
		struct rte_ether_addr tmp = eh->src_addr;
		uint8_t a[16];
		uint16_t c;

		if (ip6->dst_addr[0] == 0xff)
			goto free;
		memcpy(a, ip6->src_addr, 16);
		memcpy(ip6->src_addr, ip6->dst_addr, 16);
		memcpy(ip6->dst_addr, a, 16);
		ip6->hop_limits = 64;
		l4[0] = ICMP6_ECHO_REP;
		l4[2] = 0;
		l4[3] = 0;
		c = icmp6_cksum(ip6, l4);
		memcpy(&l4[2], &c, 2);
		eh->dst_addr = tmp;
		rte_ether_addr_copy(&p->mac, &eh->src_addr);
		if (ctl_tx(port, m) == 0)
			st->echo_rep_tx++;
		return 0;
	}
	if (l4[0] == ND_NS || l4[0] == ND_NA) {
		struct nd_msg *nd = (struct nd_msg *)l4;
		const uint8_t *opt = (const uint8_t *)(nd + 1);
		uint32_t olen = pl >= sizeof(*nd) ? pl - sizeof(*nd) : 0;
		const struct rte_ether_addr *lla = NULL;

		if (pl < sizeof(*nd) || ip6->hop_limits != 255 ||
				nd->code != 0) {
			st->drop[SS_NET_DROP_ND_INVALID]++;
			goto free;
		}
		while (olen >= 8) {
			uint32_t ol = opt[1] * 8u;

			if (ol == 0 || ol > olen) {
				st->drop[SS_NET_DROP_ND_INVALID]++;
				goto free;
			}
			if ((opt[0] == ND_OPT_SLLA && l4[0] == ND_NS) ||
					(opt[0] == ND_OPT_TLLA &&
					l4[0] == ND_NA))
				lla = (const struct rte_ether_addr *)&opt[2];
			opt += ol;
			olen -= ol;
		}
		tgt.family = AF_INET6;
		memcpy(tgt.v6, nd->target, 16);
		if (l4[0] == ND_NA) {
			if (lla != NULL)
				learn(port, &tgt, lla, false, st);
			goto free;
		}
		/* NS */
		if (!net_addr_is_mine(port, &tgt))
			goto free;
		if (memcmp(ip6->src_addr, zero, 16) == 0)
			goto free;	/* DAD probe: our address is ours */
		if (lla != NULL)
			learn(port, &src, lla, true, st);
		{
			struct rte_mbuf *r = nd_build(port, &eh->src_addr,
				tgt.v6, ip6->src_addr, ND_NA,
				NA_FLAG_SOLICITED | NA_FLAG_OVERRIDE, tgt.v6,
				ND_OPT_TLLA);

			if (r != NULL && ctl_tx(port, r) == 0)
				st->nd_na_tx++;
		}
		goto free;
	}
free:
	rte_pktmbuf_free(m);
	return 0;
}

int
ss_net_ctl_input(struct rte_mbuf *m, uint8_t port, struct ss_net_stats *st)
{
	const struct rte_ether_hdr *eh;

	if (port >= ss_net_ctx.nb_ports ||
			rte_pktmbuf_data_len(m) < RTE_ETHER_HDR_LEN) {
		st->drop[SS_NET_DROP_RUNT]++;
		rte_pktmbuf_free(m);
		return 0;
	}
	eh = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	switch (eh->ether_type) {
	case RTE_BE16(RTE_ETHER_TYPE_ARP):
		return arp_input(m, port, st);
	case RTE_BE16(RTE_ETHER_TYPE_IPV4): {
		const struct rte_ipv4_hdr *ip =
			(const struct rte_ipv4_hdr *)(eh + 1);

		if (ip->next_proto_id == IPPROTO_ICMP)
			return icmp4_input(m, port, st);
		return -ENOTSUP;
	}
	case RTE_BE16(RTE_ETHER_TYPE_IPV6): {
		const struct rte_ipv6_hdr *ip6 =
			(const struct rte_ipv6_hdr *)(eh + 1);

		if (ip6->proto == IPPROTO_ICMPV6)
			return icmp6_input(m, port, st);
		return -ENOTSUP;
	}
	default:
		return -ENOTSUP;
	}
}
