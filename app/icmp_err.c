/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 shardsec authors
 */

/* ICMP errors the gateway originates on the control lcore: "fragmentation
 * needed" (IPv4, DF set) and ICMPv6 "packet too big" for a cleartext
 * packet whose protected form would exceed the tunnel MTU, or a transit
 * packet above its next hop's MTU, so that the sender's path-MTU
 * discovery shrinks it instead of losing it; and "host unreachable" /
 * "address unreachable" for a packet that waited for an SA in vain
 * (ipsec.hold answer "icmp"), so that the sender gives up at once
 * instead of retransmitting into a tunnel that is not there; and ICMPv6
 * "parameter problem" for a packet to us whose routing header names
 * further hops (RFC 8200 4.4). All of them share one rate limit
 * (RFC 4443 2.4 (f), RFC 1812 4.3.2.8). */

#include <string.h>

#include <rte_cycles.h>
#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include "ss_app.h"

#define ICMP4_UNREACH 3
#define ICMP4_HOST_UNREACH 1
#define ICMP4_FRAG_NEEDED 4
#define ICMP6_UNREACH 1
#define ICMP6_ADDR_UNREACH 3
#define ICMP6_PKT_TOO_BIG 2
#define ICMP6_PARAM_PROB 4
#define ICMP6_PARAM_HDR 0	/* erroneous header field */
#define ICMP6_MIN_MTU 1280u

/* A token bucket, on the control lcore only: icmp_rate errors a second,
 * and after a quiet spell a burst of a tenth of that. */
static bool
icmp_err_allowed(struct ss_app *app)
{
	static uint64_t last;
	static double tokens = -1.0;
	const double rate = app->cfg.icmp_rate;
	const double burst = RTE_MAX(rate / 10.0, 1.0);
	const uint64_t now = rte_rdtsc();

	if (tokens < 0.0)
		tokens = burst;
	tokens = RTE_MIN(burst, tokens +
		(double)(now - last) * rate / (double)rte_get_tsc_hz());
	last = now;
	if (tokens < 1.0) {
		app->ctl.icmp_rate_limited++;
		return false;
	}
	tokens -= 1.0;
	return true;
}

/* Our address of 'family' on port 'port' (first one configured). */
static bool
port_addr(const struct ss_app *app, uint8_t port, uint8_t family,
	struct ss_ipaddr *out)
{
	const struct ss_cfg_port *cp = &app->cfg.ports[port];
	uint8_t i;

	for (i = 0; i < cp->nb_addrs; i++) {
		if (cp->addrs[i].addr.family == family) {
			*out = cp->addrs[i].addr;
			return true;
		}
	}
	return false;
}

/* code ICMP4_FRAG_NEEDED with the MTU, or ICMP4_HOST_UNREACH (mtu 0). */
static struct rte_mbuf *
build_v4(struct ss_app *app, const uint8_t *orig, uint32_t olen,
	uint8_t code, uint16_t mtu)
{
	const struct rte_ipv4_hdr *oh = (const void *)orig;
	const uint32_t ohl = (oh->version_ihl & 0xf) * 4u;
	const uint32_t quote = RTE_MIN(olen, ohl + 8);
	struct rte_ipv4_hdr *ip;
	struct rte_icmp_hdr *ic;
	struct rte_mbuf *m;
	uint8_t *p;

	m = rte_pktmbuf_alloc(app->pool);
	if (m == NULL)
		return NULL;
	p = (uint8_t *)rte_pktmbuf_append(m, sizeof(*ip) + 8 + quote);
	if (p == NULL) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	ip = (struct rte_ipv4_hdr *)p;
	ic = (struct rte_icmp_hdr *)(ip + 1);
	memset(ip, 0, sizeof(*ip));
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16(sizeof(*ip) + 8 + quote);
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_ICMP;
	ip->dst_addr = oh->src_addr;
	ic->icmp_type = ICMP4_UNREACH;
	ic->icmp_code = code;
	ic->icmp_cksum = 0;
	/* RFC 1191: unused (16 bits) then the next-hop MTU. */
	ic->icmp_ident = 0;
	ic->icmp_seq_nb = rte_cpu_to_be_16(mtu);
	memcpy(ic + 1, orig, quote);
	ic->icmp_cksum = ~rte_raw_cksum(ic, 8 + quote);
	m->l2_len = 0;
	m->l3_len = sizeof(*ip);
	m->packet_type = RTE_PTYPE_L3_IPV4;
	return m;
}

/* type and code, then the 32-bit field: the MTU (too big), the pointer
 * (parameter problem), else 0. */
static struct rte_mbuf *
build_v6(struct ss_app *app, const uint8_t *orig, uint32_t olen,
	uint8_t type, uint8_t code, uint32_t word)
{
	const struct rte_ipv6_hdr *oh = (const void *)orig;
	const uint32_t quote = RTE_MIN(olen,
		ICMP6_MIN_MTU - sizeof(struct rte_ipv6_hdr) - 8);
	struct rte_ipv6_hdr *ip6;
	uint8_t *ic;
	struct rte_mbuf *m;
	uint32_t v;

	m = rte_pktmbuf_alloc(app->pool);
	if (m == NULL)
		return NULL;
	ip6 = (struct rte_ipv6_hdr *)rte_pktmbuf_append(m,
		sizeof(*ip6) + 8 + quote);
	if (ip6 == NULL) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	ic = (uint8_t *)(ip6 + 1);
	memset(ip6, 0, sizeof(*ip6));
	ip6->vtc_flow = RTE_BE32(6u << 28);
	ip6->payload_len = rte_cpu_to_be_16(8 + quote);
	ip6->proto = IPPROTO_ICMPV6;
	ip6->hop_limits = 64;
	memcpy(ip6->dst_addr, oh->src_addr, 16);
	ic[0] = type;
	ic[1] = code;
	ic[2] = ic[3] = 0;
	v = rte_cpu_to_be_32(word);
	memcpy(ic + 4, &v, 4);
	memcpy(ic + 8, orig, quote);
	m->l2_len = 0;
	m->l3_len = sizeof(*ip6);
	m->packet_type = RTE_PTYPE_L3_IPV6;
	return m;
}

/* Put in the source address and the checksums. */
static void
set_src(struct rte_mbuf *m, const struct ss_ipaddr *src)
{
	uint8_t *l3 = rte_pktmbuf_mtod_offset(m, uint8_t *, m->l2_len);

	if ((l3[0] >> 4) == 4) {
		struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)l3;

		ip->src_addr = src->v4;
		ip->hdr_checksum = 0;
		ip->hdr_checksum = rte_ipv4_cksum(ip);
	} else {
		struct rte_ipv6_hdr *ip6 = (struct rte_ipv6_hdr *)l3;
		uint8_t *ic = (uint8_t *)(ip6 + 1);
		uint16_t c;

		memcpy(ip6->src_addr, src->v6, 16);
		ic[2] = ic[3] = 0;
		c = rte_ipv6_udptcp_cksum(ip6, ic);
		memcpy(ic + 2, &c, 2);
	}
}

/* The source address is ours on the port the error leaves by, known
 * once the route is. */
static bool
finish(struct ss_app *app, struct rte_mbuf *m, uint8_t port)
{
	const uint8_t *l3 = rte_pktmbuf_mtod_offset(m, const uint8_t *,
		m->l2_len);
	struct ss_ipaddr src;

	if (!port_addr(app, port, (l3[0] >> 4) == 4 ? AF_INET : AF_INET6,
			&src))
		return false;
	set_src(m, &src);
	return true;
}

void
ss_app_icmp_too_big(struct ss_app *app, struct rte_mbuf *orig, uint16_t mtu)
{
	const uint8_t *l3 = rte_pktmbuf_mtod_offset(orig, const uint8_t *,
		orig->l2_len);
	const uint32_t olen = rte_pktmbuf_data_len(orig) - orig->l2_len;
	struct rte_mbuf *m = NULL;
	int16_t res;

	if (olen >= sizeof(struct rte_ipv4_hdr) && (l3[0] >> 4) == 4) {
		const struct rte_ipv4_hdr *oh = (const void *)l3;

		/* DF clear: fragmented before encryption (prefrag.c), or,
		 * with ipsec.fragment off, dropped and counted rather than
		 * answered with an ICMP that would not be true */
		if (!(oh->fragment_offset & RTE_BE16(RTE_IPV4_HDR_DF_FLAG))) {
			if (app->sacfg.fragment) {
				ss_app_prefrag(app, orig, mtu,
					SS_NET_CLASS_FORWARD);
				return;
			}
		} else if (icmp_err_allowed(app)) {
			m = build_v4(app, l3, olen, ICMP4_FRAG_NEEDED, mtu);
		}
	} else if (olen >= sizeof(struct rte_ipv6_hdr) && (l3[0] >> 4) == 6 &&
			icmp_err_allowed(app)) {
		m = build_v6(app, l3, olen, ICMP6_PKT_TOO_BIG, 0,
			RTE_MAX((uint32_t)mtu, ICMP6_MIN_MTU));
	}
	rte_pktmbuf_free(orig);
	if (m == NULL) {
		app->ctl.too_big_dropped++;
		return;
	}
	ss_net_output_burst(&m, 1, &res, &app->ctl_net);
	if (res >= 0 && finish(app, m, (uint8_t)res)) {
		if (ss_app_ctl_tx((uint8_t)res, m, app) == 0)
			app->ctl.icmp_too_big++;
		return;
	}
	/* The sender just reached us, so its next hop is normally
	 * resolved; if not, the error is not worth holding. */
	app->ctl.too_big_dropped++;
	rte_pktmbuf_free(m);
}

/* Whether an ICMP error may answer the packet at l3 (RFC 1122 3.2.2,
 * RFC 4443 2.4): not an ICMP error itself, not a non-first fragment. */
static bool
may_answer(const uint8_t *l3, uint32_t olen)
{
	if ((l3[0] >> 4) == 4) {
		const struct rte_ipv4_hdr *ip = (const void *)l3;
		const uint32_t hl = (ip->version_ihl & 0xf) * 4u;

		if (olen < sizeof(*ip) || hl < sizeof(*ip) ||
				(ip->fragment_offset &
				 RTE_BE16(RTE_IPV4_HDR_OFFSET_MASK)) != 0)
			return false;
		/* echo reply 0, echo 8, and the other queries are fine */
		return ip->next_proto_id != IPPROTO_ICMP || olen < hl + 1 ||
			l3[hl] == 0 || l3[hl] == 8 || l3[hl] >= 13;
	}
	if ((l3[0] >> 4) == 6) {
		const struct rte_ipv6_hdr *ip6 = (const void *)l3;

		if (olen < sizeof(*ip6))
			return false;
		return ip6->proto != IPPROTO_ICMPV6 ||
			olen < sizeof(*ip6) + 1 || l3[sizeof(*ip6)] >= 128;
	}
	return false;
}

void
ss_app_icmp_unreach(struct ss_app *app, struct rte_mbuf *orig)
{
	const uint8_t *l3 = rte_pktmbuf_mtod_offset(orig, const uint8_t *,
		orig->l2_len);
	const uint32_t olen = rte_pktmbuf_data_len(orig) - orig->l2_len;
	const int in = ss_app_port_index(app, orig->port);
	struct rte_mbuf *m = NULL;
	int16_t res;

	if (olen >= 1 && may_answer(l3, olen) && icmp_err_allowed(app)) {
		if ((l3[0] >> 4) == 4)
			m = build_v4(app, l3, olen, ICMP4_HOST_UNREACH, 0);
		else
			m = build_v6(app, l3, olen, ICMP6_UNREACH,
				ICMP6_ADDR_UNREACH, 0);
	}
	rte_pktmbuf_free(orig);
	/* From our address on the port the packet came in by, which is
	 * where the error normally leaves too: an error that must wait for
	 * ARP / ND is complete before it waits. */
	if (m == NULL || in < 0 || !finish(app, m, (uint8_t)in)) {
		app->ctl.unreach_dropped++;
		rte_pktmbuf_free(m);
		return;
	}
	ss_net_output_burst(&m, 1, &res, &app->ctl_net);
	if (res >= 0 && (res == in || finish(app, m, (uint8_t)res))) {
		if (ss_app_ctl_tx((uint8_t)res, m, app) == 0)
			app->ctl.icmp_unreach++;
		return;
	}
	if (res == SS_NET_FWD_HOLD) {
		ss_net_ctl_hold(m, &app->ctl_net);
		app->ctl.icmp_unreach++;
		return;
	}
	app->ctl.unreach_dropped++;
	rte_pktmbuf_free(m);
}

/* An error made here, back at L2 (an Ethernet header for the route to
 * fill in) for a worker to send through the SPD like any transit packet:
 * one about a packet that came out of a tunnel goes back into it. */
static bool
icmp_to_l2(struct rte_mbuf *m, uint16_t port)
{
	const bool v4 = RTE_ETH_IS_IPV4_HDR(m->packet_type);
	struct rte_ether_hdr *eh;

	eh = (struct rte_ether_hdr *)rte_pktmbuf_prepend(m, sizeof(*eh));
	if (eh == NULL)
		return false;
	memset(eh, 0, sizeof(*eh));
	eh->ether_type = v4 ? RTE_BE16(RTE_ETHER_TYPE_IPV4) :
		RTE_BE16(RTE_ETHER_TYPE_IPV6);
	m->l2_len = sizeof(*eh);
	m->packet_type |= RTE_PTYPE_L2_ETHER;
	m->port = port;
	return true;
}

void
ss_app_fwd_too_big(struct ss_app *app, struct rte_mbuf *orig)
{
	const uint8_t *l3 = rte_pktmbuf_mtod_offset(orig, const uint8_t *,
		orig->l2_len);
	const uint32_t olen = rte_pktmbuf_data_len(orig) - orig->l2_len;
	const uint16_t mtu = SS_NET_TOO_BIG_MTU(orig->hash.usr);
	const uint8_t out = SS_NET_TOO_BIG_PORT(orig->hash.usr);
	struct rte_mbuf *m = NULL;

	app->ctl.fwd_too_big++;
	/* IPv4 with DF clear: a router fragments it (RFC 1812 4.2.2.7) */
	if (olen >= sizeof(struct rte_ipv4_hdr) && (l3[0] >> 4) == 4 &&
			!(((const struct rte_ipv4_hdr *)l3)->fragment_offset &
			RTE_BE16(RTE_IPV4_HDR_DF_FLAG))) {
		ss_app_prefrag(app, orig, mtu, SS_APP_CLASS_ROUTE);
		return;
	}
	/* else "fragmentation needed" / "packet too big" from our address
	 * on the port it was to leave by */
	if (olen >= 1 && may_answer(l3, olen) && out < app->nb_ports &&
			icmp_err_allowed(app)) {
		if ((l3[0] >> 4) == 4)
			m = build_v4(app, l3, olen, ICMP4_FRAG_NEEDED, mtu);
		else
			m = build_v6(app, l3, olen, ICMP6_PKT_TOO_BIG, 0,
				RTE_MAX((uint32_t)mtu, ICMP6_MIN_MTU));
	}
	if (m == NULL || !finish(app, m, out) || !icmp_to_l2(m, orig->port)) {
		app->ctl.too_big_dropped++;
		rte_pktmbuf_free(m);
		rte_pktmbuf_free(orig);
		return;
	}
	rte_pktmbuf_free(orig);
	app->ctl.icmp_too_big++;
	ss_app_ctl_dispatch(app, m, SS_NET_CLASS_FORWARD);
}

void
ss_app_icmp_param_problem(struct ss_app *app, struct rte_mbuf *orig,
	uint32_t pointer)
{
	const struct rte_ipv6_hdr *oh = rte_pktmbuf_mtod_offset(orig,
		const struct rte_ipv6_hdr *, orig->l2_len);
	const uint32_t olen = rte_pktmbuf_data_len(orig) - orig->l2_len;
	struct ss_ipaddr src = { .family = AF_INET6 };
	struct rte_mbuf *m = NULL;
	int16_t res;

	/* the packet itself goes either way */
	app->ctl_net.drop[SS_NET_DROP_IP6_ROUTING]++;
	if (may_answer((const uint8_t *)oh, olen) && icmp_err_allowed(app))
		m = build_v6(app, (const uint8_t *)oh, olen, ICMP6_PARAM_PROB,
			ICMP6_PARAM_HDR, pointer);
	/* from the address it was sent to, one of ours (RFC 4443 2.2) */
	memcpy(src.v6, oh->dst_addr, 16);
	rte_pktmbuf_free(orig);
	if (m == NULL)
		return;
	set_src(m, &src);
	ss_net_output_burst(&m, 1, &res, &app->ctl_net);
	if (res >= 0) {
		if (ss_app_ctl_tx((uint8_t)res, m, app) == 0)
			app->ctl.icmp_param_problem++;
		return;
	}
	if (res == SS_NET_FWD_HOLD) {
		ss_net_ctl_hold(m, &app->ctl_net);
		app->ctl.icmp_param_problem++;
		return;
	}
	rte_pktmbuf_free(m);
}
