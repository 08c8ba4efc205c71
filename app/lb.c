/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 shardsec authors
 */

/*
 * Load balancer data path: packets to a VIP are forwarded at L2 to the
 * backend that owns them (direct server return). Only the Ethernet
 * addresses change: the IP header (destination VIP, TTL, checksum) is
 * the client's, so the backend sees the packet as the client sent it
 * and answers from the VIP itself. Each worker decides on its own
 * packets with read-only state and counts in its own counters: nothing
 * is shared between workers, nothing is locked.
 */

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ip.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_udp.h>

#include "ss_app.h"
#include "ss_app_lb.h"

#define LB_UDP_IKE 500

int
ss_app_lb_init(struct ss_app *app)
{
	const struct ss_app_lb_cfg *c = &ss_app_lb_cfg;
	uint16_t ids[SS_LB_MAX_BACKENDS];
	struct ss_app_lb *lb;
	uint16_t i, w;

	if (c->nb_backends == 0)
		return 0;
	lb = rte_zmalloc("ss_lb", sizeof(*lb) + app->nb_workers *
		sizeof(lb->ws[0]), RTE_CACHE_LINE_SIZE);
	if (lb == NULL)
		return -ENOMEM;
	for (i = 0; i < c->nb_backends; i++) {
		ids[i] = c->b[i].id;
		if (ids[i] == c->ike_backend)
			lb->ike_idx = i;
		rte_ether_addr_copy(&c->b[i].mac, &lb->eth[i].dst_addr);
		rte_ether_addr_copy(&app->port_mac[c->port],
			&lb->eth[i].src_addr);
	}
	lb->steer = ss_steer_ctx_create(app->cfg.instance_bits, ids,
		c->nb_backends);
	if (lb->steer == NULL) {
		fprintf(stderr, "shardsec: lb: cannot build the backends' "
			"steering context: %s\n", rte_strerror(rte_errno));
		rte_free(lb);
		return -EINVAL;
	}
	lb->port = c->port;
	for (i = 0; i < c->nb_vips; i++) {
		if (c->vips[i].family == AF_INET)
			lb->v4[lb->nb_v4++] = c->vips[i].v4;
		else
			memcpy(lb->v6[lb->nb_v6++], c->vips[i].v6, 16);
	}
	for (w = 0; w < app->nb_workers; w++) {
		lb->ws[w] = rte_zmalloc_socket("ss_lb_ws",
			sizeof(*lb->ws[w]), RTE_CACHE_LINE_SIZE,
			(int)rte_lcore_to_socket_id(app->workers[w].lcore));
		if (lb->ws[w] == NULL) {
			app->lb = lb;
			ss_app_lb_fini(app);
			return -ENOMEM;
		}
	}
	/* Hold the VIPs: answer ARP/NS for them towards the clients (every
	 * port but the backends'), so that they need no route. */
	for (i = 0; c->announce && i < c->nb_vips; i++) {
		const uint32_t mask = (UINT32_C(1) << app->nb_ports) - 1 -
			(UINT32_C(1) << c->port);
		char buf[INET6_ADDRSTRLEN + 4];
		int ret = mask == 0 ? 0 : ss_net_announce(&c->vips[i], mask);

		if (ret < 0) {
			fprintf(stderr, "shardsec: lb: cannot announce VIP "
				"%s: %s\n", ss_ipaddr_str(&c->vips[i], buf,
				sizeof(buf)), strerror(-ret));
			app->lb = lb;
			ss_app_lb_fini(app);
			return ret;
		}
	}
	app->lb = lb;
	app->lb_on = true;
	printf("shardsec: load balancer: %u VIP(s), %u backend(s) behind "
		"port %s\n", c->nb_vips, c->nb_backends,
		app->cfg.ports[c->port].name);
	return 0;
}

void
ss_app_lb_fini(struct ss_app *app)
{
	struct ss_app_lb *lb = app->lb;
	uint16_t w;

	if (lb == NULL)
		return;
	app->lb_on = false;
	for (w = 0; w < app->nb_workers; w++)
		rte_free(lb->ws[w]);
	ss_steer_ctx_free(lb->steer);
	rte_free(lb);
	app->lb = NULL;
}

/* Is the packet (data at L2, lib/net checked its IP header) to a VIP?
 * A few VIPs: a compare each beats any table. */
static inline bool
lb_is_vip(const struct ss_app_lb *lb, const struct rte_mbuf *m)
{
	const uint8_t *ip = rte_pktmbuf_mtod_offset(m, const uint8_t *,
		m->l2_len);
	unsigned int i;

	if ((ip[0] >> 4) == 4) {
		uint32_t dst;

		memcpy(&dst, ip + offsetof(struct rte_ipv4_hdr, dst_addr), 4);
		for (i = 0; i < lb->nb_v4; i++)
			if (dst == lb->v4[i])
				return true;
		return false;
	}
	for (i = 0; i < lb->nb_v6; i++)
		if (memcmp(ip + offsetof(struct rte_ipv6_hdr, dst_addr),
				lb->v6[i], 16) == 0)
			return true;
	return false;
}

/*
 * The UDP header of an unfragmented packet (data at L2), or NULL: IPv4
 * (any IHL), IPv6 after hop-by-hop, routing and destination options
 * headers. Bounded by the first segment (lib/net keeps frames whole
 * there for the ports the gateway has).
 */
static const struct rte_udp_hdr *
lb_udp(const struct rte_mbuf *m)
{
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);
	const uint32_t len = rte_pktmbuf_data_len(m);
	uint32_t off = m->l2_len;
	uint8_t nh;
	int hops;

	if (off + sizeof(struct rte_ipv4_hdr) > len)
		return NULL;
	if ((p[off] >> 4) == 4) {
		const struct rte_ipv4_hdr *ip = (const void *)(p + off);

		if (ip->next_proto_id != IPPROTO_UDP ||
				(ip->fragment_offset & RTE_BE16(
				RTE_IPV4_HDR_MF_FLAG |
				RTE_IPV4_HDR_OFFSET_MASK)) != 0)
			return NULL;
		off += (ip->version_ihl & 0xf) * 4u;
	} else {
		if (off + sizeof(struct rte_ipv6_hdr) > len)
			return NULL;
		nh = p[off + offsetof(struct rte_ipv6_hdr, proto)];
		off += sizeof(struct rte_ipv6_hdr);
		for (hops = 0; hops < 4 && (nh == IPPROTO_HOPOPTS ||
				nh == IPPROTO_ROUTING || nh == IPPROTO_DSTOPTS);
				hops++) {
			if (off + 8 > len)
				return NULL;
			nh = p[off];
			off += (p[off + 1] + 1u) * 8;
		}
		if (nh != IPPROTO_UDP)
			return NULL;
	}
	if (off + sizeof(struct rte_udp_hdr) > len)
		return NULL;
	return (const void *)(p + off);
}

/* IKE: UDP 500, or UDP 4500 whose first four payload bytes are the zero
 * non-ESP marker (RFC 3948). */
static inline bool
lb_is_ike(const struct rte_mbuf *m, const struct rte_udp_hdr *u)
{
	const uint8_t *pl = (const uint8_t *)(u + 1);
	const uint8_t *end = rte_pktmbuf_mtod(m, const uint8_t *) +
		rte_pktmbuf_data_len(m);
	uint32_t marker;

	if (u->dst_port == RTE_BE16(LB_UDP_IKE))
		return true;
	if (u->dst_port != RTE_BE16(SS_STEER_UDP_NATT) || pl + 4 > end)
		return false;
	memcpy(&marker, pl, 4);
	return marker == 0;
}

uint16_t
ss_app_lb_take(const struct ss_app_lb *lb, struct ss_lb_wstats *st,
	struct rte_mbuf **m, uint16_t n, struct rte_mbuf **tx,
	uint16_t *ntx)
{
	struct rte_mbuf *vip[SS_BURST];
	uint16_t owner[SS_BURST];
	uint8_t kind[SS_BURST];
	uint16_t i, k = 0, nv = 0, nt = 0;

	for (i = 0; i < n; i++) {
		if (lb_is_vip(lb, m[i]))
			vip[nv++] = m[i];
		else
			m[k++] = m[i];
	}
	*ntx = 0;
	if (likely(nv == 0))
		return n;
	ss_steer_classify_burst(lb->steer, vip, nv, owner, kind, NULL);
	for (i = 0; i < nv; i++) {
		struct rte_mbuf *p = vip[i];
		const struct rte_udp_hdr *u;
		struct ss_lb_bstats *b;
		uint16_t o = owner[i];
		unsigned int lk;

		switch (kind[i]) {
		case SS_STEER_ESP:
			/* the same SPI owner either way; told apart for
			 * the counters */
			lk = lb_udp(p) != NULL ? SS_LB_ESP_UDP : SS_LB_ESP;
			break;
		case SS_STEER_GTPU:
			lk = SS_LB_GTPU;
			break;
		case SS_STEER_SCTP:
			lk = SS_LB_SCTP;
			break;
		case SS_STEER_HASH:
			/* IKE SAs all live on one host: a hash would split
			 * a peer's IKE_SA_INIT and its NAT-T exchanges */
			u = lb_udp(p);
			if (u != NULL && lb_is_ike(p, u)) {
				o = lb->ike_idx;
				lk = SS_LB_IKE;
			} else {
				lk = SS_LB_HASH;
			}
			break;
		default:
			st->bad++;
			rte_pktmbuf_free(p);
			continue;
		}
		if (unlikely(o == SS_STEER_OWNER_NONE)) {
			/* an id that names no backend: never guessed */
			st->unknown_id++;
			rte_pktmbuf_free(p);
			continue;
		}
		b = &st->b[o];
		b->pkts++;
		b->bytes += rte_pktmbuf_pkt_len(p);
		b->kind[lk]++;
		/* destination then source MAC, the first 12 bytes */
		memcpy(rte_pktmbuf_mtod(p, void *), &lb->eth[o],
			2 * RTE_ETHER_ADDR_LEN);
		tx[nt++] = p;
	}
	*ntx = nt;
	return k;
}

void
ss_app_lb_stats_sum(const struct ss_app *app, struct ss_lb_wstats *sum)
{
	const struct ss_app_lb *lb = app->lb;
	uint16_t w, i;
	unsigned int k;

	memset(sum, 0, sizeof(*sum));
	if (lb == NULL)
		return;
	for (w = 0; w < app->nb_workers; w++) {
		const struct ss_lb_wstats *s = lb->ws[w];

		for (i = 0; i < SS_LB_MAX_BACKENDS; i++) {
			sum->b[i].pkts += s->b[i].pkts;
			sum->b[i].bytes += s->b[i].bytes;
			for (k = 0; k < SS_LB_KIND_MAX; k++)
				sum->b[i].kind[k] += s->b[i].kind[k];
		}
		sum->unknown_id += s->unknown_id;
		sum->bad += s->bad;
	}
}

void
ss_app_lb_stats_clear(struct ss_app *app)
{
	uint16_t w;

	if (app->lb == NULL)
		return;
	/* as every clear: a racing worker increment may be lost */
	for (w = 0; w < app->nb_workers; w++)
		memset(app->lb->ws[w], 0, sizeof(*app->lb->ws[w]));
}
