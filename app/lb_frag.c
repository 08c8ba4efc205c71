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
 */

#include <errno.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_random.h>

#include "ss_app.h"
#include "ss_app_lb.h"

/* Datagrams in reassembly at once, and how long one waits for its
 * missing fragments (as the gateway's own, reasm.c). */
#define LB_REASM_DATAGRAMS	1024
#define LB_REASM_TIMEOUT_MS	2000

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
	return 0;
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
	uint16_t ntx, nbig;
	bool frag;

	if (lb == NULL || lb->reasm == NULL) {
		app->ctl.unhandled++;
		rte_pktmbuf_free(m);
		return;
	}
	/* a fragment, or a whole packet above the MTU; for a fragment,
	 * what rte_ip_frag reads (the worker checked the header, and that
	 * an IPv6 fragment header follows the base header) */
	ip = rte_pktmbuf_mtod_offset(m, const uint8_t *, m->l2_len);
	if ((ip[0] >> 4) == 4) {
		frag = (((const struct rte_ipv4_hdr *)ip)->fragment_offset &
			RTE_BE16(RTE_IPV4_HDR_MF_FLAG |
			RTE_IPV4_HDR_OFFSET_MASK)) != 0;
		if (frag) {
			m->l3_len = (uint16_t)((ip[0] & 0xf) * 4u);
			m->packet_type = RTE_PTYPE_L2_ETHER |
				RTE_PTYPE_L3_IPV4 | RTE_PTYPE_L4_FRAG;
		}
	} else {
		frag = ip[offsetof(struct rte_ipv6_hdr, proto)] ==
			IPPROTO_FRAGMENT;
		if (frag) {
			m->l3_len = sizeof(struct rte_ipv6_hdr) +
				sizeof(struct rte_ipv6_fragment_ext);
			m->packet_type = RTE_PTYPE_L2_ETHER |
				RTE_PTYPE_L3_IPV6_EXT | RTE_PTYPE_L4_FRAG;
		}
	}
	if (frag) {
		one = ss_net_reasm_input(lb->reasm, m, rte_rdtsc(),
			&lb->fst.reasm);
		if (one == NULL)
			return;
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
