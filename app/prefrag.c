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
 * and counted.) The same cutting serves transit packets too big for
 * their next hop (RFC 1812 4.2.2.7), whose pieces are routed as they
 * are: the whole packet has passed the SPD already, and its later
 * fragments carry no ports to look up.
 */

#include <errno.h>
#include <string.h>

#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include "ss_app.h"

struct prefrag_ctx {
	struct ss_app *app;
	const struct rte_mbuf *orig;
	unsigned int pieces;
	uint8_t cls;
};

/* One fragment back to a worker, as a transit frame: Ethernet header
 * (the route writes the real one) and the piece. */
static int
prefrag_emit(const uint8_t *frag, uint32_t len, void *arg)
{
	struct prefrag_ctx *c = arg;
	const uint32_t hl = (frag[0] & 0xf) * 4u;
	struct rte_mbuf *m = rte_pktmbuf_alloc(c->app->pool);
	struct rte_ether_hdr *eh;

	if (m == NULL)
		return -ENOMEM;
	eh = (struct rte_ether_hdr *)rte_pktmbuf_append(m,
		(uint16_t)(RTE_ETHER_HDR_LEN + len));
	if (eh == NULL) {
		rte_pktmbuf_free(m);
		return -ENOMEM;
	}
	memset(eh, 0, sizeof(*eh));
	eh->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	memcpy(eh + 1, frag, len);
	m->port = c->orig->port;
	m->l2_len = RTE_ETHER_HDR_LEN;
	m->l3_len = (uint16_t)hl;
	m->packet_type = RTE_PTYPE_L2_ETHER | (hl == sizeof(struct rte_ipv4_hdr) ?
		RTE_PTYPE_L3_IPV4 : RTE_PTYPE_L3_IPV4_EXT) | RTE_PTYPE_L4_FRAG;
	ss_app_ctl_dispatch(c->app, m, c->cls);
	c->pieces++;
	return 0;
}

void
ss_app_prefrag(struct ss_app *app, struct rte_mbuf *orig, uint16_t mtu,
	uint8_t cls)
{
	const uint8_t *l3 = rte_pktmbuf_mtod_offset(orig, const uint8_t *,
		orig->l2_len);
	const struct rte_ipv4_hdr *ip = (const void *)l3;
	const size_t tot = rte_be_to_cpu_16(ip->total_length);
	struct prefrag_ctx c = { .app = app, .orig = orig, .pieces = 0,
		.cls = cls };
	const bool fwd = cls == SS_APP_CLASS_ROUTE;

	/* the worker set it aside whole and linear; the pieces already out
	 * when one fails are lost with the rest (the destination cannot
	 * reassemble them) */
	if (orig->nb_segs != 1 || mtu < 68 ||
			tot > (size_t)rte_pktmbuf_data_len(orig) - orig->l2_len ||
			ss_net_fragment(l3, (uint32_t)tot, mtu, 0, prefrag_emit,
				&c) != 0) {
		app->ctl.too_big_dropped++;
	} else if (fwd) {
		app->ctl.fwd_fragmented++;
		app->ctl.fwd_frag_pieces += c.pieces;
	} else {
		app->ctl.prefrag++;
		app->ctl.prefrag_pieces += c.pieces;
	}
	rte_pktmbuf_free(orig);
}
