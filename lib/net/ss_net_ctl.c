/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 shardsec authors
 */

/* Control lcore: ARP and ND (answer, resolve, learn), ICMP / ICMPv6 echo
 * for our addresses, the queues of packets waiting for a neighbour, and
 * neighbour ageing. The only writer of the neighbour table. */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_arp.h>
#include <rte_cycles.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include "ss_net_priv.h"

#define ICMP4_ECHO_REPLY 0
#define ICMP4_ECHO_REQUEST 8
#define ICMP6_ECHO_REQUEST 128
#define ICMP6_ECHO_REPLY 129
#define ND_NS 135
#define ND_NA 136
#define ND_OPT_SLLA 1
#define ND_OPT_TLLA 2
#define ND_MSG_LEN 24			/* type..target */
#define ND_LEN (RTE_ETHER_HDR_LEN + 40 + ND_MSG_LEN + 8)
#define NA_FLAG_ROUTER 0x80000000u
#define NA_FLAG_SOLICITED 0x40000000u
#define NA_FLAG_OVERRIDE 0x20000000u
#define ARP_LEN (RTE_ETHER_HDR_LEN + 28)

static const uint8_t unspec6[16];

static int
ctl_tx(uint8_t port, struct rte_mbuf *m)
{
	m->ol_flags = 0;
	m->l2_len = RTE_ETHER_HDR_LEN;
	if (ss_net_ctx.tx == NULL) {
		rte_pktmbuf_free(m);
		return -ENODEV;
	}
	return ss_net_ctx.tx(port, m, ss_net_ctx.tx_arg);
}

/* Turn m into an empty frame of len bytes (answers are built in the
 * request's buffer); NULL when it has no room. */
static uint8_t *
frame_reuse(struct rte_mbuf *m, uint16_t len)
{
	if (m->nb_segs != 1 || rte_pktmbuf_headroom(m) + len > m->buf_len)
		return NULL;
	m->data_len = len;
	m->pkt_len = len;
	return rte_pktmbuf_mtod(m, uint8_t *);
}

static struct rte_mbuf *
frame_new(uint16_t len, struct ss_net_stats *st)
{
	struct rte_mbuf *m = NULL;

	if (ss_net_ctx.mp != NULL)
		m = rte_pktmbuf_alloc(ss_net_ctx.mp);
	if (m == NULL || rte_pktmbuf_append(m, len) == NULL) {
		rte_pktmbuf_free(m);
		st->drop[SS_NET_DROP_NO_MBUF]++;
		return NULL;
	}
	return m;
}

static void
free_drop(struct rte_mbuf *m, struct ss_net_stats *st, enum ss_net_drop why)
{
	st->drop[why]++;
	rte_pktmbuf_free(m);
}

struct fit_ctx {
	uint8_t port;
	const uint8_t *eh;		/* the answer's Ethernet header */
	struct ss_net_stats *st;
};

static int
fit_emit(const uint8_t *frag, uint32_t len, void *arg)
{
	const struct fit_ctx *c = arg;
	struct rte_mbuf *p;
	uint8_t *d;

	p = frame_new((uint16_t)(RTE_ETHER_HDR_LEN + len), c->st);
	if (p == NULL)
		return -ENOMEM;
	d = rte_pktmbuf_mtod(p, uint8_t *);
	memcpy(d, c->eh, RTE_ETHER_HDR_LEN);
	memcpy(d + RTE_ETHER_HDR_LEN, frag, len);
	return ctl_tx(c->port, p);
}

/* An answer (frame m, IP right behind Ethernet) longer than the port's
 * MTU: sent as IP fragments that fit, as a host would (a large echo
 * request to us was reassembled before it was answered). 0 when every
 * piece went out. */
static int
ctl_tx_fit(uint8_t port, struct rte_mbuf *m, struct ss_net_stats *st)
{
	const uint32_t mtu = ss_net_ctx.port[port].mtu;
	const uint32_t len = rte_pktmbuf_pkt_len(m) - RTE_ETHER_HDR_LEN;
	struct fit_ctx c = {
		.port = port, .eh = rte_pktmbuf_mtod(m, const uint8_t *),
		.st = st,
	};
	int ret;

	if (len <= mtu)
		return ctl_tx(port, m);
	if (m->nb_segs != 1) {
		free_drop(m, st, SS_NET_DROP_MTU);
		return -EMSGSIZE;
	}
	ret = ss_net_fragment(c.eh + RTE_ETHER_HDR_LEN, len, mtu,
		(uint32_t)rte_rand(), fit_emit, &c);
	if (ret == -EMSGSIZE || ret == -EINVAL)
		st->drop[SS_NET_DROP_MTU]++;
	rte_pktmbuf_free(m);
	return ret;
}

/* ---- checksums --------------------------------------------------------- */

static uint32_t
pseudo6(const uint8_t *src, const uint8_t *dst, uint32_t len)
{
	const uint32_t w[2] = { rte_cpu_to_be_32(len),
		rte_cpu_to_be_32(IPPROTO_ICMPV6) };
	uint32_t s;

	s = __rte_raw_cksum(src, 16, 0);
	s = __rte_raw_cksum(dst, 16, s);
	return __rte_raw_cksum(w, sizeof(w), s);
}

/* ICMPv6 checksum of a contiguous message (its checksum field zero). */
static uint16_t
icmp6_cksum(const uint8_t *src, const uint8_t *dst, const void *msg,
	uint32_t len)
{
	uint32_t s = __rte_raw_cksum(msg, len, pseudo6(src, dst, len));
	uint16_t r = (uint16_t)~__rte_raw_cksum_reduce(s);

	return r;
}

/* Sum (folded, not inverted) of len bytes at off plus 'init'. */
static uint16_t
mbuf_sum(const struct rte_mbuf *m, uint32_t off, uint32_t len, uint32_t init)
{
	uint16_t raw;
	uint32_t s;

	if (rte_raw_cksum_mbuf(m, off, len, &raw) != 0)
		return 0;
	s = (uint32_t)raw + (uint32_t)__rte_raw_cksum_reduce(init);
	return __rte_raw_cksum_reduce(s);
}

/* ---- frames we send ---------------------------------------------------- */

static void
eth_fill(uint8_t *f, const struct rte_ether_addr *dst,
	const struct rte_ether_addr *src, uint16_t type)
{
	struct rte_ether_hdr *eh = (struct rte_ether_hdr *)f;

	rte_ether_addr_copy(dst, &eh->dst_addr);
	rte_ether_addr_copy(src, &eh->src_addr);
	eh->ether_type = rte_cpu_to_be_16(type);
}

static void
arp_fill(uint8_t *f, uint16_t op, const struct rte_ether_addr *edst,
	const struct rte_ether_addr *sha, uint32_t sip,
	const struct rte_ether_addr *tha, uint32_t tip)
{
	struct rte_arp_hdr *ah = (struct rte_arp_hdr *)(f + RTE_ETHER_HDR_LEN);

	eth_fill(f, edst, sha, RTE_ETHER_TYPE_ARP);
	ah->arp_hardware = RTE_BE16(RTE_ARP_HRD_ETHER);
	ah->arp_protocol = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	ah->arp_hlen = RTE_ETHER_ADDR_LEN;
	ah->arp_plen = 4;
	ah->arp_opcode = rte_cpu_to_be_16(op);
	rte_ether_addr_copy(sha, &ah->arp_data.arp_sha);
	ah->arp_data.arp_sip = sip;
	rte_ether_addr_copy(tha, &ah->arp_data.arp_tha);
	ah->arp_data.arp_tip = tip;
}

/* NS or NA with one link-layer address option carrying our MAC. */
static void
nd_fill(uint8_t *f, uint8_t port, const struct rte_ether_addr *edst,
	const uint8_t *src, const uint8_t *dst, uint8_t type, uint32_t flags,
	const uint8_t *target)
{
	const struct net_port *p = &ss_net_ctx.port[port];
	struct rte_ipv6_hdr *ip6 = (struct rte_ipv6_hdr *)(f +
		RTE_ETHER_HDR_LEN);
	uint8_t *nd = (uint8_t *)(ip6 + 1);
	const uint32_t fl = rte_cpu_to_be_32(flags);
	uint16_t ck;

	eth_fill(f, edst, &p->mac, RTE_ETHER_TYPE_IPV6);
	ip6->vtc_flow = RTE_BE32(6u << 28);
	ip6->payload_len = RTE_BE16(ND_MSG_LEN + 8);
	ip6->proto = IPPROTO_ICMPV6;
	ip6->hop_limits = 255;		/* RFC 4861: receivers insist */
	memcpy(ip6->src_addr, src, 16);
	memcpy(ip6->dst_addr, dst, 16);
	nd[0] = type;
	nd[1] = 0;
	nd[2] = 0;
	nd[3] = 0;
	memcpy(nd + 4, &fl, 4);
	memcpy(nd + 8, target, 16);
	nd[24] = type == ND_NS ? ND_OPT_SLLA : ND_OPT_TLLA;
	nd[25] = 1;
	memcpy(nd + 26, p->mac.addr_bytes, RTE_ETHER_ADDR_LEN);
	ck = icmp6_cksum(src, dst, nd, ND_MSG_LEN + 8);
	memcpy(nd + 2, &ck, 2);
}

/* Our address on 'port' to speak to 'to': one in the same subnet, else
 * the first (IPv4) or the link-local (IPv6). */
static bool
port_src(uint8_t port, const struct ss_ipaddr *to, struct ss_ipaddr *out)
{
	const struct net_port *p = &ss_net_ctx.port[port];
	unsigned int i;

	out->family = to->family;
	if (to->family == AF_INET) {
		for (i = 0; i < p->nb_v4; i++) {
			if ((p->v4[i] & p->v4mask[i]) ==
					(to->v4 & p->v4mask[i])) {
				out->v4 = p->v4[i];
				return true;
			}
		}
		if (p->nb_v4 == 0)
			return false;
		out->v4 = p->v4[0];
		return true;
	}
	if (!net_v6_is_ll(to->v6)) {
		for (i = 0; i < p->nb_v6; i++) {
			struct ss_prefix pf;

			pf.addr.family = AF_INET6;
			memcpy(pf.addr.v6, p->v6[i], 16);
			pf.len = p->v6len[i];
			if (ss_prefix_contains(&pf, to)) {
				memcpy(out->v6, p->v6[i], 16);
				return true;
			}
		}
	}
	memcpy(out->v6, p->ll6, 16);
	return true;
}

/* ARP request or NS for neighbour idx: broadcast / solicited-node
 * multicast while incomplete, unicast to the known MAC otherwise. */
static void
solicit(uint32_t idx, uint64_t now, struct ss_net_stats *st)
{
	struct net_ctx *c = &ss_net_ctx;
	struct net_neigh *n = &c->neigh[idx];
	const struct net_port *p = &c->port[n->port];
	const uint64_t macv = __atomic_load_n(&c->mac[idx], __ATOMIC_RELAXED);
	const bool ucast = (macv & NET_MAC_VALID) != 0;
	struct rte_ether_addr dmac;
	struct ss_ipaddr src;
	struct rte_mbuf *m;

	n->probes++;
	n->next_probe = now + (n->state == NET_NEIGH_INCOMPLETE ?
		RTE_MAX(c->hold_tsc / 3, (uint64_t)1) :
		c->hz * NET_PROBE_MS / 1000);
	if (!port_src(n->port, &n->ip, &src))
		return;
	if (ucast)
		memcpy(dmac.addr_bytes, &macv, RTE_ETHER_ADDR_LEN);
	if (n->ip.family == AF_INET) {
		static const struct rte_ether_addr zero;

		if (!ucast)
			memset(&dmac, 0xff, sizeof(dmac));
		m = frame_new(ARP_LEN, st);
		if (m == NULL)
			return;
		arp_fill(rte_pktmbuf_mtod(m, uint8_t *), RTE_ARP_OP_REQUEST,
			&dmac, &p->mac, src.v4, &zero, n->ip.v4);
		if (ctl_tx(n->port, m) == 0)
			st->arp_req_tx++;
	} else {
		uint8_t dst[16];

		if (ucast) {
			memcpy(dst, n->ip.v6, 16);
		} else {
			/* ff02::1:ffXX:XXXX, 33:33:ff:XX:XX:XX */
			static const uint8_t sn[13] = { 0xff, 0x02, [11] = 1,
				[12] = 0xff };

			memcpy(dst, sn, 13);
			memcpy(dst + 13, n->ip.v6 + 13, 3);
			dmac.addr_bytes[0] = 0x33;
			dmac.addr_bytes[1] = 0x33;
			memcpy(&dmac.addr_bytes[2], dst + 12, 4);
		}
		m = frame_new(ND_LEN, st);
		if (m == NULL)
			return;
		nd_fill(rte_pktmbuf_mtod(m, uint8_t *), n->port, &dmac,
			src.v6, dst, ND_NS, 0, n->ip.v6);
		if (ctl_tx(n->port, m) == 0)
			st->nd_ns_tx++;
	}
}

int
ss_net_neigh_probe(uint8_t port, const struct ss_ipaddr *ip,
	struct ss_net_stats *st, uint64_t *confirmed,
	struct rte_ether_addr *mac)
{
	struct net_ctx *c = &ss_net_ctx;
	const uint64_t now = rte_get_timer_cycles();
	const struct net_neigh *n;
	struct ss_ipaddr src;
	uint64_t v;
	int idx;

	*confirmed = 0;
	memset(mac, 0, sizeof(*mac));
	if (!c->up || port >= c->nb_ports || ip == NULL ||
			(ip->family != AF_INET && ip->family != AF_INET6))
		return -EINVAL;
	if (!port_src(port, ip, &src))
		return -EADDRNOTAVAIL;
	idx = net_neigh_find(port, ip);
	if (idx < 0)
		idx = net_neigh_create(port, ip, now);
	if (idx < 0)
		return idx;
	n = &c->neigh[idx];
	if (n->state == NET_NEIGH_STATIC)
		return -EINVAL;
	if (n->state == NET_NEIGH_REACHABLE || n->state == NET_NEIGH_STALE) {
		*confirmed = n->updated;
		v = __atomic_load_n(&c->mac[idx], __ATOMIC_RELAXED);
		memcpy(mac->addr_bytes, &v, RTE_ETHER_ADDR_LEN);
	}
	solicit((uint32_t)idx, now, st);
	return 0;
}

/* ---- held packets ------------------------------------------------------ */

static struct rte_mbuf *
hold_pop(struct net_neigh *n)
{
	struct rte_mbuf *m = n->hold[n->hold_head];

	n->hold_head = (uint16_t)((n->hold_head + 1) % ss_net_ctx.hold_max);
	n->hold_n--;
	return m;
}

/* Send the queue in order: the frames only lack their destination MAC. */
static void
hold_release(uint32_t idx, struct ss_net_stats *st)
{
	struct net_ctx *c = &ss_net_ctx;
	struct net_neigh *n = &c->neigh[idx];
	const uint64_t macv = __atomic_load_n(&c->mac[idx], __ATOMIC_RELAXED);

	while (n->hold_n > 0) {
		struct rte_mbuf *m = hold_pop(n);
		struct rte_ether_hdr *eh = rte_pktmbuf_mtod(m,
			struct rte_ether_hdr *);

		memcpy(eh->dst_addr.addr_bytes, &macv, RTE_ETHER_ADDR_LEN);
		rte_ether_addr_copy(&c->port[n->port].mac, &eh->src_addr);
		if (ctl_tx(n->port, m) == 0)
			st->released++;
	}
}

void
ss_net_ctl_hold(struct rte_mbuf *m, struct ss_net_stats *st)
{
	struct net_ctx *c = &ss_net_ctx;
	const uint64_t now = rte_get_timer_cycles();
	const struct rte_ether_hdr *eh;
	const uint8_t *l3;
	struct ss_ipaddr dst, hop;
	struct net_neigh *n;
	uint32_t nhi;
	int idx;

	if (unlikely(!c->up || rte_pktmbuf_data_len(m) <
			RTE_ETHER_HDR_LEN + 40)) {
		free_drop(m, st, SS_NET_DROP_NO_ROUTE);
		return;
	}
	eh = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	l3 = (const uint8_t *)(eh + 1);
	memset(&dst, 0, sizeof(dst));
	if (eh->ether_type == RTE_BE16(RTE_ETHER_TYPE_IPV4)) {
		dst.family = AF_INET;
		memcpy(&dst.v4, l3 + 16, 4);
	} else {
		dst.family = AF_INET6;
		memcpy(dst.v6, l3 + 24, 16);
	}
	/* Routes do not change while running: the worker's answer. */
	nhi = net_route(&dst);
	if (nhi < NET_NH_FIRST || nhi >= c->nb_nh) {
		free_drop(m, st, SS_NET_DROP_NO_ROUTE);
		return;
	}
	hop = c->nh[nhi].has_via ? c->nh[nhi].via : dst;
	idx = net_neigh_find(c->nh[nhi].port, &hop);
	if (idx < 0)
		idx = net_neigh_create(c->nh[nhi].port, &hop, now);
	if (idx < 0) {
		free_drop(m, st, SS_NET_DROP_NO_NEIGH);
		return;
	}
	n = &c->neigh[idx];
	if (n->hold == NULL && c->hold_max != 0) {
		n->hold = calloc(c->hold_max, sizeof(*n->hold));
		n->hold_t = calloc(c->hold_max, sizeof(*n->hold_t));
		if (n->hold == NULL || n->hold_t == NULL) {
			free(n->hold);
			free(n->hold_t);
			n->hold = NULL;
			n->hold_t = NULL;
		}
	}
	if (n->hold == NULL || n->hold_n >= c->hold_max) {
		free_drop(m, st, SS_NET_DROP_HOLD_FULL);
	} else {
		const uint16_t tail = (uint16_t)((n->hold_head + n->hold_n) %
			c->hold_max);

		n->hold[tail] = m;
		n->hold_t[tail] = now;
		n->hold_n++;
		st->held++;
	}
	if (__atomic_load_n(&c->mac[idx], __ATOMIC_RELAXED) & NET_MAC_VALID)
		hold_release((uint32_t)idx, st);	/* resolved meanwhile */
	else if (n->probes == 0 || now >= n->next_probe)
		solicit((uint32_t)idx, now, st);
}

/* ---- learning ---------------------------------------------------------- */

/* A confirmed mapping for an existing entry: update, release its queue. */
static void
neigh_confirm(uint32_t idx, const struct rte_ether_addr *mac, uint64_t now,
	struct ss_net_stats *st)
{
	struct net_ctx *c = &ss_net_ctx;
	struct net_neigh *n = &c->neigh[idx];
	uint64_t v = 0;

	if (n->state == NET_NEIGH_STATIC)
		return;
	memcpy(&v, mac->addr_bytes, RTE_ETHER_ADDR_LEN);
	if (__atomic_load_n(&c->mac[idx], __ATOMIC_RELAXED) !=
			(v | NET_MAC_VALID)) {
		net_neigh_set_mac(idx, mac);
		st->learned++;
	}
	n->state = NET_NEIGH_REACHABLE;
	n->updated = now;
	n->probes = 0;
	hold_release(idx, st);
}

static void
learn(uint8_t port, const struct ss_ipaddr *ip,
	const struct rte_ether_addr *mac, bool create, uint64_t now,
	struct ss_net_stats *st)
{
	int idx = net_neigh_find(port, ip);

	if (idx < 0 && create)
		idx = net_neigh_create(port, ip, now);
	if (idx >= 0)
		neigh_confirm((uint32_t)idx, mac, now, st);
}

/* ---- ARP --------------------------------------------------------------- */

static int
arp_input(struct rte_mbuf *m, uint8_t port, struct ss_net_stats *st)
{
	const struct net_port *p = &ss_net_ctx.port[port];
	const uint64_t now = rte_get_timer_cycles();
	struct rte_arp_hdr *ah;
	struct rte_ether_addr sha;
	struct ss_ipaddr sip, tip;
	uint16_t op;
	uint8_t *f;
	uint32_t h;
	bool for_us;

	if (rte_pktmbuf_data_len(m) < ARP_LEN) {
		free_drop(m, st, SS_NET_DROP_ARP_MALFORMED);
		return 0;
	}
	ah = rte_pktmbuf_mtod_offset(m, struct rte_arp_hdr *,
		RTE_ETHER_HDR_LEN);
	op = rte_be_to_cpu_16(ah->arp_opcode);
	sha = ah->arp_data.arp_sha;
	if (ah->arp_hardware != RTE_BE16(RTE_ARP_HRD_ETHER) ||
			ah->arp_protocol != RTE_BE16(RTE_ETHER_TYPE_IPV4) ||
			ah->arp_hlen != RTE_ETHER_ADDR_LEN ||
			ah->arp_plen != 4 ||
			(op != RTE_ARP_OP_REQUEST && op != RTE_ARP_OP_REPLY) ||
			!rte_is_valid_assigned_ether_addr(&sha)) {
		free_drop(m, st, SS_NET_DROP_ARP_MALFORMED);
		return 0;
	}
	memset(&sip, 0, sizeof(sip));
	memset(&tip, 0, sizeof(tip));
	sip.family = AF_INET;
	sip.v4 = ah->arp_data.arp_sip;
	tip.family = AF_INET;
	tip.v4 = ah->arp_data.arp_tip;
	h = rte_be_to_cpu_32(sip.v4);
	if ((h & 0xf0000000) == 0xe0000000 || h == 0xffffffff ||
			net_v4_is_local(sip.v4) ||
			rte_is_same_ether_addr(&sha, &p->mac)) {
		/* someone claims our address, or our own frame */
		free_drop(m, st, SS_NET_DROP_SRC_INVALID);
		return 0;
	}
	for_us = net_addr_answers(port, &tip);
	/* Like Linux: update what we have; create only for a request to
	 * us (the sender will talk to us). sip 0 is an RFC 5227 probe. */
	if (h != 0)
		learn(port, &sip, &sha, for_us && op == RTE_ARP_OP_REQUEST,
			now, st);
	if (op != RTE_ARP_OP_REQUEST || !for_us) {
		st->ctl_ignored++;
		rte_pktmbuf_free(m);
		return 0;
	}
	f = frame_reuse(m, ARP_LEN);
	if (f == NULL) {
		free_drop(m, st, SS_NET_DROP_NO_MBUF);
		return 0;
	}
	arp_fill(f, RTE_ARP_OP_REPLY, &sha, &p->mac, tip.v4, &sha, sip.v4);
	if (ctl_tx(port, m) == 0)
		st->arp_rep_tx++;
	return 0;
}

/* ---- ICMP -------------------------------------------------------------- */

static int
icmp4_input(struct rte_mbuf *m, uint8_t port, struct ss_net_stats *st)
{
	const struct net_port *p = &ss_net_ctx.port[port];
	struct rte_ether_hdr *eh;
	struct rte_ipv4_hdr *ip;
	uint32_t hl, tl, a;
	uint8_t *ic;
	uint16_t ck;

	eh = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	ip = (struct rte_ipv4_hdr *)(eh + 1);
	hl = (ip->version_ihl & 0xf) * 4u;
	tl = rte_be_to_cpu_16(ip->total_length);
	if (tl < hl + 8 || rte_pktmbuf_data_len(m) < RTE_ETHER_HDR_LEN +
			hl + 8) {
		free_drop(m, st, SS_NET_DROP_L4_TRUNC);
		return 0;
	}
	if (mbuf_sum(m, RTE_ETHER_HDR_LEN + hl, tl - hl, 0) != 0xffff) {
		free_drop(m, st, SS_NET_DROP_ICMP_CSUM);
		return 0;
	}
	ic = (uint8_t *)ip + hl;
	if (ic[0] != ICMP4_ECHO_REQUEST || ic[1] != 0) {
		st->ctl_ignored++;
		rte_pktmbuf_free(m);
		return 0;
	}
	if (hl > sizeof(*ip)) {
		/* Answer without the request's options. */
		const uint32_t cut = hl - sizeof(*ip);

		memmove((uint8_t *)eh + cut, eh, RTE_ETHER_HDR_LEN +
			sizeof(*ip));
		rte_pktmbuf_adj(m, (uint16_t)cut);
		eh = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
		ip = (struct rte_ipv4_hdr *)(eh + 1);
		ip->version_ihl = 0x45;
		tl -= cut;
		hl = sizeof(*ip);
		ip->total_length = rte_cpu_to_be_16((uint16_t)tl);
	}
	ic = (uint8_t *)ip + hl;
	ic[0] = ICMP4_ECHO_REPLY;
	ic[2] = 0;
	ic[3] = 0;
	ck = (uint16_t)~mbuf_sum(m, RTE_ETHER_HDR_LEN + hl, tl - hl, 0);
	memcpy(ic + 2, &ck, 2);
	a = ip->src_addr;
	ip->src_addr = ip->dst_addr;
	ip->dst_addr = a;
	ip->time_to_live = 64;
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	/* Back where it came from, on the port it came in. */
	rte_ether_addr_copy(&eh->src_addr, &eh->dst_addr);
	rte_ether_addr_copy(&p->mac, &eh->src_addr);
	if (ctl_tx_fit(port, m, st) == 0)
		st->echo_rep_tx++;
	return 0;
}

/* Link-layer address option of an ND message (RFC 4861 4.6.1); false
 * when the options are malformed. */
static bool
nd_opts(const uint8_t *o, uint32_t len, uint8_t want,
	const struct rte_ether_addr **lla)
{
	*lla = NULL;
	while (len > 0) {
		uint32_t ol;

		if (len < 2)
			return false;
		ol = o[1] * 8u;
		if (ol == 0 || ol > len)
			return false;
		if (o[0] == want && ol >= 8)
			*lla = (const struct rte_ether_addr *)(o + 2);
		o += ol;
		len -= ol;
	}
	return true;
}

static int
ns_input(struct rte_mbuf *m, uint8_t port, const uint8_t *src,
	const uint8_t *dst, const uint8_t *nd, uint32_t len,
	struct ss_net_stats *st)
{
	const struct rte_ether_hdr *eh = rte_pktmbuf_mtod(m,
		const struct rte_ether_hdr *);
	const struct rte_ether_addr *lla;
	struct rte_ether_addr dmac;
	struct ss_ipaddr tgt, from;
	uint8_t s[16], t[16];
	uint8_t *f;
	const bool dad = memcmp(src, unspec6, 16) == 0;

	if (nd[8] == 0xff || !nd_opts(nd + ND_MSG_LEN, len - ND_MSG_LEN,
			ND_OPT_SLLA, &lla) ||
			(dad && (lla != NULL || dst[0] != 0xff ||
			dst[1] != 0x02 || dst[11] != 1 || dst[12] != 0xff)) ||
			(lla != NULL &&
			!rte_is_valid_assigned_ether_addr(lla))) {
		free_drop(m, st, SS_NET_DROP_ND_INVALID);
		return 0;
	}
	memset(&tgt, 0, sizeof(tgt));
	tgt.family = AF_INET6;
	memcpy(tgt.v6, nd + 8, 16);
	if (!net_addr_answers(port, &tgt)) {
		st->ctl_ignored++;
		rte_pktmbuf_free(m);
		return 0;
	}
	if (dad) {
		/* Someone probes for our address; we keep it, and a unicast
		 * answer would not reach it: the probe is ignored. */
		SS_NET_LOG(NOTICE, "DAD probe for one of our addresses on "
			"port %u", port);
		st->ctl_ignored++;
		rte_pktmbuf_free(m);
		return 0;
	}
	memset(&from, 0, sizeof(from));
	from.family = AF_INET6;
	memcpy(from.v6, src, 16);
	if (lla != NULL)
		learn(port, &from, lla, true, rte_get_timer_cycles(), st);
	dmac = lla != NULL ? *lla : eh->src_addr;
	memcpy(s, src, 16);
	memcpy(t, tgt.v6, 16);
	f = frame_reuse(m, ND_LEN);
	if (f == NULL) {
		free_drop(m, st, SS_NET_DROP_NO_MBUF);
		return 0;
	}
	nd_fill(f, port, &dmac, t, s, ND_NA, NA_FLAG_ROUTER |
		NA_FLAG_SOLICITED | NA_FLAG_OVERRIDE, t);
	if (ctl_tx(port, m) == 0)
		st->nd_na_tx++;
	return 0;
}

static int
na_input(struct rte_mbuf *m, uint8_t port, const uint8_t *dst,
	const uint8_t *nd, uint32_t len, struct ss_net_stats *st)
{
	struct net_ctx *c = &ss_net_ctx;
	const struct rte_ether_addr *lla;
	struct ss_ipaddr tgt;
	uint32_t flags;
	int idx;

	memcpy(&flags, nd + 4, 4);
	flags = rte_be_to_cpu_32(flags);
	if (nd[8] == 0xff || (dst[0] == 0xff && (flags & NA_FLAG_SOLICITED)) ||
			!nd_opts(nd + ND_MSG_LEN, len - ND_MSG_LEN,
			ND_OPT_TLLA, &lla) || (lla != NULL &&
			!rte_is_valid_assigned_ether_addr(lla))) {
		free_drop(m, st, SS_NET_DROP_ND_INVALID);
		return 0;
	}
	memset(&tgt, 0, sizeof(tgt));
	tgt.family = AF_INET6;
	memcpy(tgt.v6, nd + 8, 16);
	idx = lla == NULL ? -1 : net_neigh_find(port, &tgt);
	if (idx >= 0) {
		const uint64_t macv = __atomic_load_n(&c->mac[idx],
			__ATOMIC_RELAXED);
		uint64_t v = 0;

		memcpy(&v, lla->addr_bytes, RTE_ETHER_ADDR_LEN);
		/* RFC 4861 7.2.5: without Override, a known MAC stays. */
		if (!(macv & NET_MAC_VALID) || (flags & NA_FLAG_OVERRIDE) ||
				(macv & ~NET_MAC_VALID) == v) {
			neigh_confirm((uint32_t)idx, lla,
				rte_get_timer_cycles(), st);
			rte_pktmbuf_free(m);
			return 0;
		}
	}
	st->ctl_ignored++;
	rte_pktmbuf_free(m);
	return 0;
}

static int
echo6_input(struct rte_mbuf *m, uint8_t port, struct rte_ipv6_hdr *ip6,
	uint8_t *ic, uint32_t len, struct ss_net_stats *st)
{
	const struct net_port *p = &ss_net_ctx.port[port];
	struct rte_ether_hdr *eh = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	uint8_t a[16];
	uint16_t ck;

	if (ip6->dst_addr[0] == 0xff || len < 8 || ic[1] != 0) {
		st->ctl_ignored++;
		rte_pktmbuf_free(m);
		return 0;
	}
	memcpy(a, ip6->src_addr, 16);
	memcpy(ip6->src_addr, ip6->dst_addr, 16);
	memcpy(ip6->dst_addr, a, 16);
	ip6->hop_limits = 64;
	ic[0] = ICMP6_ECHO_REPLY;
	ic[2] = 0;
	ic[3] = 0;
	ck = (uint16_t)~mbuf_sum(m, RTE_ETHER_HDR_LEN + 40, len,
		pseudo6(ip6->src_addr, ip6->dst_addr, len));
	memcpy(ic + 2, &ck, 2);
	rte_ether_addr_copy(&eh->src_addr, &eh->dst_addr);
	rte_ether_addr_copy(&p->mac, &eh->src_addr);
	if (ctl_tx_fit(port, m, st) == 0)
		st->echo_rep_tx++;
	return 0;
}

static int
icmp6_input(struct rte_mbuf *m, uint8_t port, struct ss_net_stats *st)
{
	struct rte_ipv6_hdr *ip6 = rte_pktmbuf_mtod_offset(m,
		struct rte_ipv6_hdr *, RTE_ETHER_HDR_LEN);
	const uint32_t len = rte_be_to_cpu_16(ip6->payload_len);
	uint8_t *ic = (uint8_t *)(ip6 + 1);

	if (len < 4 || rte_pktmbuf_data_len(m) < RTE_ETHER_HDR_LEN + 40 + 4) {
		free_drop(m, st, SS_NET_DROP_L4_TRUNC);
		return 0;
	}
	if (mbuf_sum(m, RTE_ETHER_HDR_LEN + 40, len,
			pseudo6(ip6->src_addr, ip6->dst_addr, len)) != 0xffff) {
		free_drop(m, st, SS_NET_DROP_ICMP_CSUM);
		return 0;
	}
	switch (ic[0]) {
	case ICMP6_ECHO_REQUEST:
		return echo6_input(m, port, ip6, ic, len, st);
	case ND_NS:
	case ND_NA:
		/* RFC 4861 7.1: hop limit 255 proves it is from the link. */
		if (ip6->hop_limits != 255 || ic[1] != 0 ||
				len < ND_MSG_LEN ||
				rte_pktmbuf_data_len(m) <
				RTE_ETHER_HDR_LEN + 40 + len) {
			free_drop(m, st, SS_NET_DROP_ND_INVALID);
			return 0;
		}
		if (ic[0] == ND_NS)
			return ns_input(m, port, ip6->src_addr, ip6->dst_addr,
				ic, len, st);
		return na_input(m, port, ip6->dst_addr, ic, len, st);
	default:
		/* RS/RA/redirects/errors: a router with static config
		 * needs none of them. */
		st->ctl_ignored++;
		rte_pktmbuf_free(m);
		return 0;
	}
}

int
ss_net_ctl_input(struct rte_mbuf *m, uint8_t port, struct ss_net_stats *st)
{
	const struct net_ctx *c = &ss_net_ctx;
	const uint32_t dl = rte_pktmbuf_data_len(m);
	const struct rte_ether_hdr *eh;

	if (!c->up || port >= c->nb_ports || dl < RTE_ETHER_HDR_LEN) {
		free_drop(m, st, SS_NET_DROP_RUNT);
		return 0;
	}
	eh = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	switch (eh->ether_type) {
	case RTE_BE16(RTE_ETHER_TYPE_ARP):
		return arp_input(m, port, st);
	case RTE_BE16(RTE_ETHER_TYPE_IPV4): {
		const struct rte_ipv4_hdr *ip =
			(const struct rte_ipv4_hdr *)(eh + 1);
		uint32_t hl;

		if (dl < RTE_ETHER_HDR_LEN + sizeof(*ip))
			return -ENOTSUP;
		hl = (ip->version_ihl & 0xf) * 4u;
		if ((ip->version_ihl >> 4) != 4 || hl < sizeof(*ip) ||
				rte_be_to_cpu_16(ip->total_length) >
				rte_pktmbuf_pkt_len(m) - RTE_ETHER_HDR_LEN ||
				rte_raw_cksum(ip, RTE_MIN(hl, dl -
				RTE_ETHER_HDR_LEN)) != 0xffff) {
			free_drop(m, st, SS_NET_DROP_IP4_HDRLEN);
			return 0;
		}
		if (ip->next_proto_id == IPPROTO_ICMP &&
				net_v4_is_local(ip->dst_addr))
			return icmp4_input(m, port, st);
		return -ENOTSUP;
	}
	case RTE_BE16(RTE_ETHER_TYPE_IPV6): {
		const struct rte_ipv6_hdr *ip6 =
			(const struct rte_ipv6_hdr *)(eh + 1);

		if (dl < RTE_ETHER_HDR_LEN + sizeof(*ip6))
			return -ENOTSUP;
		if ((*(const uint8_t *)ip6 >> 4) != 6 ||
				rte_be_to_cpu_16(ip6->payload_len) + 40u >
				rte_pktmbuf_pkt_len(m) - RTE_ETHER_HDR_LEN) {
			free_drop(m, st, SS_NET_DROP_IP6_PLEN);
			return 0;
		}
		if (ip6->proto == IPPROTO_ICMPV6 &&
				(ip6->dst_addr[0] == 0xff ||
				net_v6_is_local(port, ip6->dst_addr)))
			return icmp6_input(m, port, st);
		if (ip6->dst_addr[0] == 0xff) {
			/* MLD behind a hop-by-hop header and the like */
			st->ctl_ignored++;
			rte_pktmbuf_free(m);
			return 0;
		}
		return -ENOTSUP;
	}
	default:
		return -ENOTSUP;
	}
}

/* ---- timer ------------------------------------------------------------- */

void
ss_net_ctl_timer(uint64_t now, struct ss_net_stats *st)
{
	struct net_ctx *c = &ss_net_ctx;
	const uint64_t stale = c->hz * NET_STALE_S;
	const uint64_t grace = c->hz * NET_GRACE_MS / 1000;
	uint32_t i;

	if (!c->up)
		return;
	for (i = 0; i < c->neigh_hw; i++) {
		struct net_neigh *n = &c->neigh[i];

		while (n->hold_n > 0 &&
				now - n->hold_t[n->hold_head] >= c->hold_tsc &&
				now >= n->hold_t[n->hold_head]) {
			rte_pktmbuf_free(hold_pop(n));
			st->drop[SS_NET_DROP_HOLD_TIMEOUT]++;
		}
		switch (n->state) {
		case NET_NEIGH_INCOMPLETE:
			if (n->hold_n > 0) {
				if (now >= n->next_probe)
					solicit(i, now, st);
			} else if (now >= n->updated + c->hold_tsc) {
				net_neigh_delete(i, now);
			}
			break;
		case NET_NEIGH_REACHABLE:
			if (now >= n->updated + stale) {
				/* Still used; confirmed or dropped by the
				 * unicast probes. */
				n->state = NET_NEIGH_STALE;
				n->probes = 0;
				solicit(i, now, st);
			}
			break;
		case NET_NEIGH_STALE:
			if (now < n->next_probe)
				break;
			if (n->probes < NET_PROBES)
				solicit(i, now, st);
			else
				net_neigh_delete(i, now);
			break;
		case NET_NEIGH_DEAD:
			if (now >= n->updated + grace) {
				if (n->pos >= 0)
					rte_hash_free_key_with_position(
						c->neigh_hash, n->pos);
				n->state = NET_NEIGH_FREE;
				c->free_idx[c->nb_free++] = i;
			}
			break;
		default:
			break;
		}
	}
}
