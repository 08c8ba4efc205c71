/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 shardsec authors
 */

/*
 * IP fragments to a VIP, on the control lcore. Only a datagram's first
 * fragment carries what decides its backend (SPI, ports, TEID, tag, the
 * IKE port), and a backend that got some fragments of a datagram and
 * not the others could never put it together: a peer's ESP cut by IP
 * fragmentation, or its IKE_AUTH with certificates sent without RFC
 * 7383, would be lost. The workers hand every such fragment here (on
 * whatever queue it arrived); lib/net's reassembly puts the datagram
 * together; the load balancer decides its backend as for any whole
 * packet (ss_app_lb_take, the control lcore's own counters); and it goes
 * on cut again to the lb port's MTU. IPv4 keeps its identification;
 * IPv6 gets an identification of ours, unique among what we send.
 * Whole packets above that MTU come here too: IPv4 with DF clear is cut
 * as a router would; DF set, or IPv6, is answered with ICMP "too big"
 * from our address on the sender's side (path MTU discovery works
 * through the load balancer).
 * Connection tracking is per worker, so such a datagram of a hashed
 * flow goes where the hash says (which is where its flow's tracked
 * packets are, unless a backend change moved new flows since).
 * An IPv6 fragment may have hop-by-hop, destination options and routing
 * headers in front of its fragment header (the unfragmentable part,
 * which every fragment carries). rte_ip_frag wants the fragment header
 * right behind the IPv6 header, so they are taken out of each fragment;
 * the first fragment's are kept (RFC 8200 4.5: the reassembled packet
 * has those) and put back once the datagram is whole, and a datagram cut
 * again carries them in every piece (ss_net_fragment).
 */

#include <errno.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_jhash.h>
#include <rte_mbuf.h>
#include <rte_random.h>

#include "ss_app.h"
#include "ss_app_lb.h"

/* Datagrams in reassembly at once, and how long one waits for its
 * missing fragments (as the gateway's own, reasm.c). */
#define LB_REASM_DATAGRAMS	1024
#define LB_REASM_TIMEOUT_MS	2000

/* The unfragmentable headers of datagrams being put together, by
 * (source, destination, identification): sets of a few ways, an entry
 * free once its datagram is whole or its time is up. */
#define LB_EXT_SETS	256
#define LB_EXT_WAYS	4

struct lb_ext {
	uint64_t expire;	/* TSC; 0: free */
	uint32_t id;		/* the fragment header's, network order */
	uint8_t src[16];
	uint8_t dst[16];
	uint8_t first;		/* the IPv6 header's next header */
	uint8_t len;		/* bytes in ext */
	uint8_t nh;		/* offset in ext of the next-header byte
				 * that named the fragment header */
	uint8_t ext[SS_LB_FRAG_EXT_MAX];
};

static struct lb_ext lb_ext[LB_EXT_SETS][LB_EXT_WAYS];

/* The table outlives the role's state: a datagram it put together may
 * still sit in a port's TX ring when the role is torn down, and its
 * buffer then goes back to the table's own pool when the port closes
 * (ss_app_lb_frag_fini, after the ports). */
static struct ss_net_reasm *lb_reasm;

struct lb_frag_emit {
	struct ss_app *app;
	const struct rte_mbuf *whole;	/* its L2 header, rewritten */
	uint8_t port;
	unsigned int sent;
};

int
ss_app_lb_frag_init(struct ss_app *app)
{
	struct ss_app_lb *lb = app->lb;

	if (lb_reasm == NULL)
		lb_reasm = ss_net_reasm_create("ss_lb_reasm",
			LB_REASM_DATAGRAMS, LB_REASM_TIMEOUT_MS, app->pool,
			(int)rte_socket_id());
	lb->reasm = lb_reasm;
	if (lb->reasm == NULL) {
		fprintf(stderr, "shardsec: lb: cannot create the reassembly "
			"table for fragments to the VIPs: %s\n",
			rte_strerror(rte_errno));
		return -ENOMEM;
	}
	lb->frag_id = (uint32_t)rte_rand();
	memset(lb_ext, 0, sizeof(lb_ext));
	return 0;
}

static struct lb_ext *
lb_ext_set(const struct rte_ipv6_hdr *ip, uint32_t id)
{
	uint32_t a[8];	/* source, destination: aligned for the hash */

	memcpy(a, ip->src_addr, sizeof(a));
	return lb_ext[rte_jhash_32b(a, RTE_DIM(a), id) % LB_EXT_SETS];
}

static bool
lb_ext_is(const struct lb_ext *e, const struct rte_ipv6_hdr *ip,
	uint32_t id)
{
	return e->expire != 0 && e->id == id &&
		memcmp(e->src, ip->src_addr, 16) == 0 &&
		memcmp(e->dst, ip->dst_addr, 16) == 0;
}

/* Keeps the first fragment's headers in front of the fragment header f
 * (bytes 40..f of ip, nh: the byte that names the fragment header). */
static void
lb_ext_keep(struct ss_app_lb *lb, const struct rte_ipv6_hdr *ip,
	uint32_t f, uint32_t nh, uint32_t id, uint64_t now)
{
	struct lb_ext *set = lb_ext_set(ip, id), *e = NULL;
	unsigned int w;

	for (w = 0; w < LB_EXT_WAYS && e == NULL; w++)
		if (lb_ext_is(&set[w], ip, id))
			e = &set[w];	/* a first fragment again */
	for (w = 0; w < LB_EXT_WAYS && e == NULL; w++)
		if (set[w].expire < now)
			e = &set[w];
	if (e == NULL) {
		/* the one that has waited longest */
		e = &set[0];
		for (w = 1; w < LB_EXT_WAYS; w++)
			if (set[w].expire < e->expire)
				e = &set[w];
		lb->fst.ext_evicted++;
	}
	e->expire = now + rte_get_tsc_hz() * LB_REASM_TIMEOUT_MS / 1000;
	e->id = id;
	memcpy(e->src, ip->src_addr, 16);
	memcpy(e->dst, ip->dst_addr, 16);
	e->first = ip->proto;
	e->len = (uint8_t)(f - sizeof(*ip));
	e->nh = (uint8_t)(nh - sizeof(*ip));
	memcpy(e->ext, ip + 1, e->len);
}

/*
 * An IPv6 fragment with extension headers in front of its fragment
 * header (at f; nh: the byte that names it): they go, kept when it is
 * the first fragment, so that the fragment header is right behind the
 * IPv6 header.
 */
static void
lb_ext_hoist(struct ss_app_lb *lb, struct rte_mbuf *m, uint32_t f,
	uint32_t nh, uint64_t now)
{
	uint8_t *p = rte_pktmbuf_mtod(m, uint8_t *);
	struct rte_ipv6_hdr *ip = (struct rte_ipv6_hdr *)(p + m->l2_len);
	const struct rte_ipv6_fragment_ext *fh =
		(const struct rte_ipv6_fragment_ext *)((uint8_t *)ip + f);
	const uint32_t e = f - sizeof(*ip);

	if ((fh->frag_data & RTE_BE16(0xfff8)) == 0)
		lb_ext_keep(lb, ip, f, nh, fh->id, now);
	memmove(p + e, p, m->l2_len + sizeof(*ip));
	rte_pktmbuf_adj(m, (uint16_t)e);
	ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv6_hdr *, m->l2_len);
	ip->proto = IPPROTO_FRAGMENT;
	ip->payload_len = rte_cpu_to_be_16(rte_be_to_cpu_16(ip->payload_len) -
		e);
}

/* The whole datagram m (source and destination those of its fragments,
 * identification id): the headers kept from its first fragment, if any,
 * go back in front of what followed its fragment header. */
static void
lb_ext_restore(struct ss_app_lb *lb, struct rte_mbuf *m, uint32_t id)
{
	struct rte_ipv6_hdr *ip = rte_pktmbuf_mtod_offset(m,
		struct rte_ipv6_hdr *, m->l2_len);
	struct lb_ext *set = lb_ext_set(ip, id), *e = NULL;
	const uint32_t hdr = m->l2_len + sizeof(*ip);
	unsigned int w;
	uint8_t *p;

	for (w = 0; w < LB_EXT_WAYS && e == NULL; w++)
		if (lb_ext_is(&set[w], ip, id))
			e = &set[w];
	if (e == NULL)
		return;
	/* our own mbuf from the reassembly: its full headroom is free */
	RTE_BUILD_BUG_ON(SS_LB_FRAG_EXT_MAX > RTE_PKTMBUF_HEADROOM);
	p = (uint8_t *)rte_pktmbuf_prepend(m, e->len);
	if (p != NULL) {
		memmove(p, p + e->len, hdr);
		memcpy(p + hdr, e->ext, e->len);
		ip = (struct rte_ipv6_hdr *)(p + m->l2_len);
		p[hdr + e->nh] = ip->proto;
		ip->proto = e->first;
		ip->payload_len = rte_cpu_to_be_16(
			rte_be_to_cpu_16(ip->payload_len) + e->len);
		lb->fst.ext_kept++;
	}
	e->expire = 0;
}

void
ss_app_lb_frag_fini(void)
{
	ss_net_reasm_free(lb_reasm, NULL);
	lb_reasm = NULL;
}

void
ss_app_lb_frag_timer(struct ss_app *app, uint64_t now)
{
	struct ss_app_lb *lb = app->lb;

	RTE_SET_USED(now);
	if (lb->reasm != NULL)
		ss_net_reasm_expire(lb->reasm, rte_rdtsc(), &lb->fst.reasm);
}

/* One piece: the whole datagram's (rewritten) L2 header, then it. */
static int
lb_frag_emit(const uint8_t *frag, uint32_t len, void *arg)
{
	struct lb_frag_emit *c = arg;
	const uint16_t l2 = c->whole->l2_len;
	struct rte_mbuf *m = rte_pktmbuf_alloc(c->app->pool);
	uint8_t *p;

	if (m == NULL)
		return -ENOMEM;
	p = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)(l2 + len));
	if (p == NULL) {
		rte_pktmbuf_free(m);
		return -ENOMEM;
	}
	memcpy(p, rte_pktmbuf_mtod(c->whole, const uint8_t *), l2);
	memcpy(p + l2, frag, len);
	m->l2_len = l2;
	m->port = c->whole->port;
	if (ss_app_ctl_tx(c->port, m, c->app) != 0)
		return -ENOBUFS;
	c->sent++;
	return 0;
}

/* A whole packet above the lb port's MTU that we may cut: IPv4 with DF
 * clear. DF set, or IPv6, is answered with ICMP "too big", as a router
 * answers (IPVS does the same). */
static bool
lb_frag_may_cut(const struct rte_mbuf *m)
{
	const struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(m,
		const struct rte_ipv4_hdr *, m->l2_len);

	return (ip->version_ihl >> 4) == 4 &&
		!(ip->fragment_offset & RTE_BE16(RTE_IPV4_HDR_DF_FLAG));
}

/* The datagram, its backend's MACs written: as it is when it fits the
 * lb port, else in fragments that do (and fit one of our mbufs). */
static void
lb_frag_send(struct ss_app *app, struct ss_app_lb *lb, struct rte_mbuf *m)
{
	const uint32_t room = rte_pktmbuf_data_room_size(app->pool) -
		RTE_PKTMBUF_HEADROOM - m->l2_len;
	const uint32_t mtu = RTE_MIN(lb->mtu, room);
	const uint32_t len = rte_pktmbuf_pkt_len(m) - m->l2_len;
	struct lb_frag_emit c = {
		.app = app, .whole = m, .port = lb->port,
	};
	int ret;

	if (len <= lb->mtu) {
		/* as it is, even where it is longer than one of our mbufs
		 * (put together in the reassembly's own) */
		lb->fst.datagrams++;
		if (ss_app_ctl_tx(lb->port, m, app) == 0)
			lb->fst.sent++;
		else
			lb->fst.dropped++;
		return;
	}
	lb->fst.datagrams++;
	/* lib/net's reassembly gives one segment; a port's frame too */
	if (m->nb_segs != 1) {
		lb->fst.dropped++;
		rte_pktmbuf_free(m);
		return;
	}
	ret = ss_net_fragment(rte_pktmbuf_mtod_offset(m, const uint8_t *,
		m->l2_len), len, mtu, lb->frag_id++, lb_frag_emit, &c);
	lb->fst.sent += c.sent;
	if (ret != 0)
		lb->fst.dropped++;
	rte_pktmbuf_free(m);
}

void
ss_app_lb_frag_input(struct ss_app *app, struct rte_mbuf *m)
{
	struct ss_app_lb *lb = app->lb;
	const uint8_t *ip;
	struct rte_mbuf *one, *tx[1], *big[1];
	const uint64_t now = rte_rdtsc();
	uint16_t ntx, nbig;
	uint32_t id = 0;
	bool frag, v6;

	if (lb == NULL || lb->reasm == NULL) {
		app->ctl.unhandled++;
		rte_pktmbuf_free(m);
		return;
	}
	/* a fragment, or a whole packet above the MTU; for a fragment,
	 * what rte_ip_frag reads (the worker checked the header) */
	ip = rte_pktmbuf_mtod_offset(m, const uint8_t *, m->l2_len);
	v6 = (ip[0] >> 4) == 6;
	if (!v6) {
		frag = (((const struct rte_ipv4_hdr *)ip)->fragment_offset &
			RTE_BE16(RTE_IPV4_HDR_MF_FLAG |
			RTE_IPV4_HDR_OFFSET_MASK)) != 0;
		if (frag) {
			m->l3_len = (uint16_t)((ip[0] & 0xf) * 4u);
			m->packet_type = RTE_PTYPE_L2_ETHER |
				RTE_PTYPE_L3_IPV4 | RTE_PTYPE_L4_FRAG;
		}
	} else {
		uint32_t nh;
		const int f = ss_net_ip6_frag_hdr(ip, rte_pktmbuf_data_len(m) -
			m->l2_len, &nh);

		frag = f >= 0 && f - sizeof(struct rte_ipv6_hdr) <=
			SS_LB_FRAG_EXT_MAX;
		if (frag && f != sizeof(struct rte_ipv6_hdr))
			lb_ext_hoist(lb, m, (uint32_t)f, nh, now);
		if (frag) {
			ip = rte_pktmbuf_mtod_offset(m, const uint8_t *,
				m->l2_len);
			id = ((const struct rte_ipv6_fragment_ext *)(ip +
				sizeof(struct rte_ipv6_hdr)))->id;
			m->l3_len = sizeof(struct rte_ipv6_hdr) +
				sizeof(struct rte_ipv6_fragment_ext);
			m->packet_type = RTE_PTYPE_L2_ETHER |
				RTE_PTYPE_L3_IPV6_EXT | RTE_PTYPE_L4_FRAG;
		}
	}
	if (frag) {
		one = ss_net_reasm_input(lb->reasm, m, now, &lb->fst.reasm);
		if (one == NULL)
			return;
		if (v6)
			lb_ext_restore(lb, one, id);
	} else if (lb_frag_may_cut(m)) {
		/* whole already, above the lb port's MTU */
		one = m;
	} else {
		/* DF set, or IPv6: not ours to cut (what came in fragments
		 * was). Answered from our address on the port it came in
		 * by, the sender's side (the backends' may have none of
		 * its family). */
		const int in = ss_app_port_index(app, m->port);

		lb->fst.too_big++;
		m->hash.usr = RTE_MIN(lb->mtu, (uint32_t)UINT16_MAX) << 16 |
			(uint32_t)(in >= 0 ? in : lb->port) << 8 |
			SS_PUNT_FWD_TOO_BIG;
		ss_app_fwd_too_big(app, m);
		return;
	}
	/* its backend as for any packet to the VIP (counted in the control
	 * lcore's slot); ss_app_lb_take frees what has none */
	if (ss_app_lb_take(lb, lb->ws[app->nb_workers], NULL, &one, 1,
			UINT32_MAX, tx, &ntx, big, &nbig) != 0) {
		/* not to a VIP after all: cannot be, the header is the one
		 * the worker found to be */
		app->ctl.unhandled++;
		rte_pktmbuf_free(one);
		return;
	}
	if (ntx == 1)
		lb_frag_send(app, lb, tx[0]);
	else if (nbig != 0)
		rte_pktmbuf_free(big[0]);	/* never: whole, no limit */
}
