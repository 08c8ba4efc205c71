/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 shardsec authors
 */

/* The IKEv2 control plane on the control lcore: lib/ike (no I/O of its
 * own) wired to the gateway. Received UDP 500 / 4500 frames are fed to
 * the engine; its datagrams leave through lib/net's routing and the
 * control lcore's own TX queue; the Child SA pairs it negotiates (one per
 * server) go into lib/sa, and the child's selectors into the SPD, whose
 * replaced snapshots are freed only after an RCU grace period (checked
 * from the timer, never waited for). Nothing here blocks a worker. */

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_ip.h>
#include <rte_log.h>
#include <rte_mbuf.h>
#include <rte_random.h>
#include <rte_rcu_qsbr.h>
#include <rte_udp.h>

#include "ss_app.h"
#include "ss_ike.h"

#define IKE_LOG(l, ...) rte_log(RTE_LOG_ ## l, RTE_LOGTYPE_USER1, \
	"shardsec: ike: " __VA_ARGS__)

#define IKE_MAX_MSG 9000
/* the most one mbuf of the pool takes behind its headroom */
#define IKE_OUT_ONE (RTE_MBUF_DEFAULT_DATAROOM - RTE_PKTMBUF_HEADROOM)
#define IKE_RCU_PENDING 64
#define IKE_RESV_MAX 256
/* An SPI reserved for an exchange that never completed (failed
 * authentication, lost peer) is given back after this long. */
#define IKE_RESV_MS 120000
#define IKE_USAGE_MS 1000
#define IKE_SPD_PRIO 100
#define IKE_EVENT_LEN 160

struct ike_pair {
	TAILQ_ENTRY(ike_pair) next;
	uint32_t spi_in, spi_out;
	uint32_t tunnel;
	uint16_t server;
	uint8_t peer;			/* index in conf.peer[] */
	bool retired;			/* outbound gone, inbound retiring */
	uint64_t retired_packets;	/* inbound packets when retired */
};

struct ike_rcu {
	void *snap;
	uint64_t token;
};

struct ike_resv {
	uint32_t spi;
	uint64_t ms;
};

/* Per configured peer: what "show ike peers" and the timing report need. */
struct ike_peer_state {
	uint64_t initiate_tsc;		/* 0: no measurement running */
	unsigned int installed;		/* pairs since initiate */
	unsigned int expected;		/* pairs a full set makes */
	char last_event[IKE_EVENT_LEN];
};

struct ss_app_ike {
	struct ss_app *app;
	struct ss_ike *ike;
	uint64_t tsc_per_ms;
	uint64_t last_usage_ms;
	TAILQ_HEAD(, ike_pair) pairs;
	struct ike_rcu rcu[IKE_RCU_PENDING];
	unsigned int nb_rcu;
	struct ike_resv resv[IKE_RESV_MAX];
	unsigned int nb_resv;
	struct ike_peer_state ps[SS_IKE_MAX_PEERS];
	/* counters of the bridge itself (the engine has its own) */
	uint64_t rx, rx_bad, tx, tx_held, tx_failed, installs, install_failed;
	uint64_t tx_frags;	/* IP fragments of datagrams over the size */
	uint8_t buf[IKE_MAX_MSG + 64];
	uint8_t obuf[IKE_MAX_MSG + 64];	/* a datagram being sent */
};

/* Filled by lib/config when the file is loaded (ss_app_ike_register). */
static struct ss_ike_conf ike_conf;

static struct ss_app_ike *
ike_state(const struct ss_app *app)
{
	return app->ike;
}

static uint64_t
ike_now_ms(const struct ss_app_ike *s)
{
	return rte_get_timer_cycles() / s->tsc_per_ms;
}

/* ---- views for the shell (shell_ike.c) ------------------------------ */

struct ss_ike *
ss_app_ike_engine(const struct ss_app *app)
{
	const struct ss_app_ike *s = ike_state(app);

	return s != NULL ? s->ike : NULL;
}

const struct ss_ike_conf *
ss_app_ike_conf(void)
{
	return &ike_conf;
}

uint64_t
ss_app_ike_now(const struct ss_app *app)
{
	const struct ss_app_ike *s = ike_state(app);

	return s != NULL ? ike_now_ms(s) : 0;
}

const char *
ss_app_ike_last_event(const struct ss_app *app, unsigned int peer)
{
	const struct ss_app_ike *s = ike_state(app);

	if (s == NULL || peer >= SS_IKE_MAX_PEERS)
		return "";
	return s->ps[peer].last_event;
}

void
ss_app_ike_counters(const struct ss_app *app,
	uint64_t c[SS_APP_IKE_NB_COUNTERS])
{
	const struct ss_app_ike *s = ike_state(app);

	memset(c, 0, SS_APP_IKE_NB_COUNTERS * sizeof(c[0]));
	if (s == NULL)
		return;
	c[0] = s->rx;
	c[1] = s->rx_bad;
	c[2] = s->tx;
	c[3] = s->tx_held;
	c[4] = s->tx_failed;
	c[5] = s->installs;
	c[6] = s->install_failed;
	c[7] = s->tx_frags;
}

static int
peer_index(const char *name)
{
	unsigned int i;

	for (i = 0; i < ike_conf.nb_peers; i++)
		if (strcmp(ike_conf.peer[i].name, name) == 0)
			return (int)i;
	return -1;
}

/* Start the peer's IKE SA, and the clock that measures how long the
 * whole set of per-server pairs takes. */
static unsigned int expected_pairs(const struct ss_ike_peer_conf *pc,
	uint16_t nb_servers);

int
ss_app_ike_initiate(struct ss_app *app, const char *peer)
{
	struct ss_app_ike *s = ike_state(app);
	int p, ret;

	if (s == NULL)
		return -ENODEV;
	p = peer_index(peer);
	if (p < 0)
		return -ENOENT;
	s->ps[p].initiate_tsc = rte_get_timer_cycles();
	s->ps[p].installed = 0;
	/* servers come and go (server add/del) */
	s->ps[p].expected = expected_pairs(&ike_conf.peer[p],
		ss_app_servers_live(app));
	ret = ss_ike_initiate(s->ike, peer, ike_now_ms(s));
	if (ret < 0)
		s->ps[p].initiate_tsc = 0;
	return ret;
}

/* ---- sending --------------------------------------------------------- */

/* One IP packet (len bytes at p, header first) out through lib/net: to
 * its port now, or held until ARP / ND answers. */
static int
ike_out(struct ss_app_ike *s, const uint8_t *p, size_t len, bool v4,
	uint16_t l3_len, uint32_t l4_ptype)
{
	struct ss_app *app = s->app;
	struct rte_mbuf *m;
	uint8_t *d;
	int16_t res;

	m = rte_pktmbuf_alloc(app->pool);
	if (m == NULL) {
		s->tx_failed++;
		return -ENOBUFS;
	}
	if (len > rte_pktmbuf_tailroom(m) ||
			rte_pktmbuf_headroom(m) < RTE_ETHER_HDR_LEN) {
		rte_pktmbuf_free(m);
		s->tx_failed++;
		return -EMSGSIZE;
	}
	d = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)len);
	memcpy(d, p, len);
	m->packet_type = (v4 ? RTE_PTYPE_L3_IPV4 : RTE_PTYPE_L3_IPV6) |
		l4_ptype;
	m->l2_len = 0;
	m->l3_len = l3_len;
	ss_net_output_burst(&m, 1, &res, &app->ctl_net);
	if (res >= 0) {
		if (ss_app_ctl_tx((uint8_t)res, m, app) < 0) {
			s->tx_failed++;
			return -ENOBUFS;
		}
		return 0;
	}
	if (res == SS_NET_FWD_HOLD) {
		/* sent once the next hop answers ARP / ND */
		ss_net_ctl_hold(m, &app->ctl_net);
		s->tx_held++;
		return 0;
	}
	rte_pktmbuf_free(m);
	s->tx_failed++;
	return -EHOSTUNREACH;
}

static int
ike_frag_emit(const uint8_t *frag, uint32_t len, void *arg)
{
	struct ss_app_ike *s = arg;
	const bool v4 = (frag[0] >> 4) == 4;
	int ret;

	ret = ike_out(s, frag, len, v4, v4 ? (uint16_t)((frag[0] & 0xf) * 4) :
		(uint16_t)(sizeof(struct rte_ipv6_hdr) +
		sizeof(struct rte_ipv6_fragment_ext)), RTE_PTYPE_L4_FRAG);
	if (ret == 0)
		s->tx_frags++;
	return ret;
}

static int
ike_send(void *ctx, const struct ss_ike_addr *local,
	const struct ss_ike_addr *remote, const uint8_t *buf, size_t len)
{
	struct ss_app_ike *s = ctx;
	const bool v4 = remote->ip.family == AF_INET;
	const size_t l3 = v4 ? sizeof(struct rte_ipv4_hdr) :
		sizeof(struct rte_ipv6_hdr);
	/* on 4500 lib/ike has already put the non-ESP marker in buf */
	const size_t ulen = sizeof(struct rte_udp_hdr) + len;
	struct rte_udp_hdr *udp;
	uint8_t *p = s->obuf;
	int ret;

	if (local->ip.family != remote->ip.family ||
			(!v4 && remote->ip.family != AF_INET6)) {
		s->tx_failed++;
		return -EAFNOSUPPORT;
	}
	if (l3 + ulen > sizeof(s->obuf) || l3 + ulen > UINT16_MAX) {
		s->tx_failed++;
		return -EMSGSIZE;
	}
	udp = (struct rte_udp_hdr *)(p + l3);
	udp->src_port = rte_cpu_to_be_16(local->port);
	udp->dst_port = rte_cpu_to_be_16(remote->port);
	udp->dgram_len = rte_cpu_to_be_16((uint16_t)ulen);
	udp->dgram_cksum = 0;
	memcpy(udp + 1, buf, len);
	if (v4) {
		struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)p;

		memset(ip, 0, sizeof(*ip));
		ip->version_ihl = RTE_IPV4_VHL_DEF;
		ip->total_length = rte_cpu_to_be_16((uint16_t)(l3 + ulen));
		ip->packet_id = rte_cpu_to_be_16((uint16_t)rte_rand());
		ip->time_to_live = 64;
		ip->next_proto_id = IPPROTO_UDP;
		ip->src_addr = local->ip.v4;
		ip->dst_addr = remote->ip.v4;
		ip->hdr_checksum = rte_ipv4_cksum(ip);
		udp->dgram_cksum = rte_ipv4_udptcp_cksum(ip, udp);
	} else {
		struct rte_ipv6_hdr *ip6 = (struct rte_ipv6_hdr *)p;

		memset(ip6, 0, sizeof(*ip6));
		ip6->vtc_flow = RTE_BE32(6u << 28);
		ip6->payload_len = rte_cpu_to_be_16((uint16_t)ulen);
		ip6->proto = IPPROTO_UDP;
		ip6->hop_limits = 64;
		memcpy(ip6->src_addr, local->ip.v6, 16);
		memcpy(ip6->dst_addr, remote->ip.v6, 16);
		/* mandatory over IPv6 (RFC 8200 8.1) */
		udp->dgram_cksum = rte_ipv6_udptcp_cksum(ip6, udp);
	}
	/* A datagram above fragment_size when RFC 7383 is not in use
	 * (the peer lacks it, or the message is IKE_SA_INIT) leaves as IP
	 * fragments of at most fragment_size bytes (and one mbuf each),
	 * as the peer's stack expects them. */
	if (l3 + ulen > RTE_MIN((size_t)ike_conf.fragment_size,
			(size_t)IKE_OUT_ONE))
		ret = ss_net_fragment(p, (uint32_t)(l3 + ulen),
			RTE_MIN(ike_conf.fragment_size, IKE_OUT_ONE),
			(uint32_t)rte_rand(), ike_frag_emit, s);
	else
		ret = ike_out(s, p, l3 + ulen, v4, (uint16_t)l3,
			RTE_PTYPE_L4_UDP);
	if (ret == 0)
		s->tx++;
	return ret;
}

/* ---- receiving ------------------------------------------------------- */

int
ss_app_ike_input(struct ss_app *app, struct rte_mbuf *m, uint8_t port)
{
	struct ss_app_ike *s = ike_state(app);
	struct ss_ike_addr local, remote;
	struct rte_udp_hdr uh;
	const struct rte_udp_hdr *u;
	const uint8_t *l3, *d;
	uint32_t l4off, plen, avail;
	uint16_t dport;

	RTE_SET_USED(port);
	if (s == NULL || m->l2_len == 0 || m->l3_len == 0 ||
			(m->packet_type & RTE_PTYPE_L4_MASK) !=
			RTE_PTYPE_L4_UDP)
		return -ENOTSUP;
	l4off = (uint32_t)m->l2_len + m->l3_len;
	if (rte_pktmbuf_data_len(m) < m->l2_len + 1 ||
			rte_pktmbuf_pkt_len(m) < l4off + sizeof(uh))
		return -ENOTSUP;
	l3 = rte_pktmbuf_mtod_offset(m, const uint8_t *, m->l2_len);
	u = rte_pktmbuf_read(m, l4off, sizeof(uh), &uh);
	if (u == NULL)
		return -ENOTSUP;
	dport = rte_be_to_cpu_16(u->dst_port);
	if (dport != SS_IKE_PORT && dport != SS_IKE_PORT_NATT)
		return -ENOTSUP;
	memset(&local, 0, sizeof(local));
	memset(&remote, 0, sizeof(remote));
	if ((l3[0] >> 4) == 4) {
		const struct rte_ipv4_hdr *ip = (const void *)l3;

		local.ip.family = remote.ip.family = AF_INET;
		local.ip.v4 = ip->dst_addr;
		remote.ip.v4 = ip->src_addr;
	} else if ((l3[0] >> 4) == 6) {
		const struct rte_ipv6_hdr *ip6 = (const void *)l3;

		local.ip.family = remote.ip.family = AF_INET6;
		memcpy(local.ip.v6, ip6->dst_addr, 16);
		memcpy(remote.ip.v6, ip6->src_addr, 16);
	} else {
		return -ENOTSUP;
	}
	if (!ss_net_is_local(&local.ip, NULL))
		return -ENOTSUP;
	local.port = dport;
	remote.port = rte_be_to_cpu_16(u->src_port);
	/* From here on it is ours: consumed whatever happens. */
	avail = rte_pktmbuf_pkt_len(m) - l4off - sizeof(uh);
	plen = rte_be_to_cpu_16(u->dgram_len);
	if (plen < sizeof(uh) || plen - sizeof(uh) > avail ||
			plen - sizeof(uh) > IKE_MAX_MSG ||
			(dport == SS_IKE_PORT_NATT && plen - sizeof(uh) < 4)) {
		s->rx_bad++;
		rte_pktmbuf_free(m);
		return 0;
	}
	plen -= sizeof(uh);
	/* a pointer into the mbuf, or s->buf when the data spans segments;
	 * on 4500 it still starts with the non-ESP marker, as lib/ike wants */
	d = rte_pktmbuf_read(m, l4off + sizeof(uh), plen, s->buf);
	if (d == NULL) {
		s->rx_bad++;
		rte_pktmbuf_free(m);
		return 0;
	}
	s->rx++;
	ss_ike_input(s->ike, &local, &remote, d, plen, ike_now_ms(s));
	rte_pktmbuf_free(m);
	return 0;
}

/* ---- traffic selectors ----------------------------------------------- */

/* Split an address range into prefixes (at most max); returns the count
 * or -E2BIG. Addresses are big-endian byte strings of alen bytes. */
static int
range_to_prefixes(uint8_t family, const uint8_t *lo_in, const uint8_t *hi,
	struct ss_prefix *out, unsigned int max)
{
	const unsigned int alen = family == AF_INET ? 4 : 16;
	const unsigned int bits = alen * 8;
	uint8_t lo[16], top[16];
	unsigned int n = 0;

	memcpy(lo, lo_in, alen);
	if (memcmp(lo, hi, alen) > 0)
		return -EINVAL;
	for (;;) {
		unsigned int k = 0, i;
		bool carry;

		/* largest aligned block starting at lo that ends <= hi */
		while (k < bits && !(lo[alen - 1 - k / 8] & (1u << (k % 8))))
			k++;
		for (;;) {
			memcpy(top, lo, alen);
			for (i = 0; i < k; i++)
				top[alen - 1 - i / 8] |=
					(uint8_t)(1u << (i % 8));
			if (memcmp(top, hi, alen) <= 0)
				break;
			k--;
		}
		if (n == max)
			return -E2BIG;
		memset(&out[n], 0, sizeof(out[n]));
		out[n].addr.family = family;
		memcpy(family == AF_INET ? (uint8_t *)&out[n].addr.v4 :
			out[n].addr.v6, lo, alen);
		out[n].len = (uint8_t)(bits - k);
		n++;
		if (memcmp(top, hi, alen) == 0)
			break;
		/* lo = top + 1 */
		memcpy(lo, top, alen);
		carry = true;
		for (i = alen; i > 0 && carry; i--) {
			lo[i - 1]++;
			carry = lo[i - 1] == 0;
		}
		if (carry)
			break;
	}
	return (int)n;
}

static bool
ts_has_ports(uint8_t proto)
{
	return proto == IPPROTO_TCP || proto == IPPROTO_UDP ||
		proto == IPPROTO_SCTP;
}

/* Every (source TS prefix, destination TS prefix) combination of a
 * child's selectors, as ts[0..*nb): an inbound SA's check, or the rules
 * of an outbound policy. */
static int
ts_to_sa(const struct ss_ike_child_sa *in, struct ss_sa_ts ts[SS_SA_MAX_TS],
	uint8_t *nb)
{
	struct ss_prefix sp[SS_SA_MAX_TS], dp[SS_SA_MAX_TS];
	unsigned int i, j, a, b;
	int ns, nd;

	*nb = 0;
	for (i = 0; i < in->nb_src_ts; i++) {
		const struct ss_ike_ts *st = &in->src_ts[i];

		ns = range_to_prefixes(st->family, st->lo, st->hi, sp,
			SS_SA_MAX_TS);
		if (ns < 0)
			return ns;
		for (j = 0; j < in->nb_dst_ts; j++) {
			const struct ss_ike_ts *dt = &in->dst_ts[j];
			const uint8_t proto = st->proto ? st->proto : dt->proto;

			if (dt->family != st->family ||
					(st->proto && dt->proto &&
					 st->proto != dt->proto))
				continue;
			nd = range_to_prefixes(dt->family, dt->lo, dt->hi, dp,
				SS_SA_MAX_TS);
			if (nd < 0)
				return nd;
			for (a = 0; a < (unsigned int)ns; a++) {
				for (b = 0; b < (unsigned int)nd; b++) {
					struct ss_sa_ts *t;

					if (*nb == SS_SA_MAX_TS)
						return -E2BIG;
					t = &ts[(*nb)++];
					memset(t, 0, sizeof(*t));
					t->src = sp[a];
					t->dst = dp[b];
					t->proto = proto;
					t->sport_lo = 0;
					t->sport_hi = 65535;
					t->dport_lo = 0;
					t->dport_hi = 65535;
					if (ts_has_ports(proto)) {
						t->sport_lo = st->port_lo;
						t->sport_hi = st->port_hi;
						t->dport_lo = dt->port_lo;
						t->dport_hi = dt->port_hi;
					}
				}
			}
		}
	}
	return 0;
}

static void
rcu_defer(struct ss_app_ike *s, void *old)
{
	struct ss_app *app = s->app;

	if (old == NULL)
		return;
	if (s->nb_rcu == IKE_RCU_PENDING) {
		/* Dozens of policy changes within one grace period: wait
		 * on the control lcore (workers go on) for the oldest. */
		IKE_LOG(WARNING, "%u SPD snapshots awaiting RCU; waiting\n",
			s->nb_rcu);
		rte_rcu_qsbr_synchronize(app->qsbr, RTE_QSBR_THRID_INVALID);
		while (s->nb_rcu > 0)
			ss_spd_snapshot_free(s->rcu[--s->nb_rcu].snap);
	}
	s->rcu[s->nb_rcu].snap = old;
	s->rcu[s->nb_rcu].token = rte_rcu_qsbr_start(app->qsbr);
	s->nb_rcu++;
}

static void
rcu_reclaim(struct ss_app_ike *s)
{
	unsigned int i = 0;

	while (i < s->nb_rcu) {
		if (rte_rcu_qsbr_check(s->app->qsbr, s->rcu[i].token,
				false) == 1) {
			ss_spd_snapshot_free(s->rcu[i].snap);
			s->rcu[i] = s->rcu[--s->nb_rcu];
		} else {
			i++;
		}
	}
}

/* PROTECT the child's traffic (local TS -> remote TS) with its tunnel.
 * Added once per child: every pair of the child shares the rules. */
static int
spd_protect(struct ss_app_ike *s, const struct ss_ike_child_sa *out,
	uint32_t tunnel)
{
	struct ss_app *app = s->app;
	struct ss_sa_ts ts[SS_SA_MAX_TS];
	char name[SS_SPD_NAME_LEN];
	unsigned int i, n = 0;
	void *old = NULL;
	uint8_t nb;
	int ret;

	snprintf(name, sizeof(name), "ike:%u#0", tunnel);
	if (ss_spd_find(app->spd, name) >= 0)
		return 0;
	ret = ts_to_sa(out, ts, &nb);
	if (ret < 0)
		return ret;
	for (n = 0; n < nb; n++) {
		const struct ss_sa_ts *t = &ts[n];
		struct ss_spd_rule r;

		memset(&r, 0, sizeof(r));
		r.priority = IKE_SPD_PRIO;
		r.family = t->src.addr.family;
		r.src = t->src;
		r.dst = t->dst;
		r.proto = t->proto;
		r.sport_lo = t->sport_lo;
		r.sport_hi = t->sport_hi;
		r.dport_lo = t->dport_lo;
		r.dport_hi = t->dport_hi;
		r.action = SS_SPD_PROTECT;
		r.tunnel = tunnel;
		snprintf(r.name, sizeof(r.name), "ike:%u#%u", tunnel, n);
		ret = ss_spd_add(app->spd, &r);
		if (ret < 0)
			goto fail;
	}
	if (n == 0)
		return 0;
	ret = ss_spd_build(app->spd);
	if (ret == 0)
		ret = ss_spd_commit(app->spd, &old);
	if (ret < 0) {
		IKE_LOG(ERR, "SPD rebuild failed: %s\n", strerror(-ret));
		goto fail;
	}
	rcu_defer(s, old);
	return 0;
fail:
	/* no half-applied policy set */
	for (i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "ike:%u#%u", tunnel, i);
		ss_spd_del(app->spd, name);
	}
	return ret;
}

/* ---- Child SA install / delete ---------------------------------------- */

static int
ike_algo(const struct ss_ike_child_sa *c, enum ss_sa_algo *algo)
{
	if (c->encr == SS_IKE_ENCR_AES_GCM16 && c->integ == SS_IKE_INTEG_NONE) {
		if (c->encr_bits == 128)
			*algo = SS_SA_ALGO_AES_GCM_128;
		else if (c->encr_bits == 256)
			*algo = SS_SA_ALGO_AES_GCM_256;
		else
			return -ENOTSUP;
		return 0;
	}
	if (c->encr == SS_IKE_ENCR_AES_CBC &&
			c->integ == SS_IKE_INTEG_HMAC_SHA2_256_128) {
		if (c->encr_bits == 128)
			*algo = SS_SA_ALGO_AES_CBC_128_HMAC_SHA256;
		else if (c->encr_bits == 256)
			*algo = SS_SA_ALGO_AES_CBC_256_HMAC_SHA256;
		else
			return -ENOTSUP;
		return 0;
	}
	return -ENOTSUP;
}

static void
resv_forget(struct ss_app_ike *s, uint32_t spi)
{
	unsigned int i;

	for (i = 0; i < s->nb_resv; i++)
		if (s->resv[i].spi == spi) {
			s->resv[i] = s->resv[--s->nb_resv];
			return;
		}
}

static int
sa_params(struct ss_app_ike *s, const struct ss_ike_child_sa *c,
	uint16_t server, uint32_t tunnel, struct ss_sa_params *p)
{
	const struct ss_app *app = s->app;
	enum ss_sa_algo algo;
	int ret;

	memset(p, 0, sizeof(*p));
	ret = ike_algo(c, &algo);
	if (ret < 0)
		return ret;
	if ((size_t)c->enc_key_len + c->auth_key_len > sizeof(p->key) ||
			c->enc_key_len + c->auth_key_len !=
			ss_sa_algo_key_len(algo))
		return -EINVAL;
	p->spi = c->spi;
	p->dir = c->inbound ? SS_SA_DIR_IN : SS_SA_DIR_OUT;
	p->server = server;
	p->tunnel = tunnel;
	p->algo = algo;
	p->mode = c->transport ? SS_SA_MODE_TRANSPORT : SS_SA_MODE_TUNNEL;
	/* ipsec.backend: "swnic" pushes the keys into the NIC */
	p->backend = app->sacfg.backend;
	/* outer: ours is the destination of inbound, the source of
	 * outbound */
	p->local = c->inbound ? c->dst.ip : c->src.ip;
	p->peer = c->inbound ? c->src.ip : c->dst.ip;
	p->inner_family = c->nb_src_ts > 0 ? c->src_ts[0].family :
		p->local.family;
	p->udp_encap = c->encap;
	if (c->encap) {
		p->encap_local_port = c->inbound ? c->dst.port : c->src.port;
		p->encap_peer_port = c->inbound ? c->src.port : c->dst.port;
	}
	p->esn = c->esn;
	p->standby = !c->inbound && c->standby;
	p->replay_window = app->sacfg.present && app->sacfg.replay_window ?
		app->sacfg.replay_window : 1024;
	memcpy(p->key, c->enc_key, c->enc_key_len);
	memcpy(p->key + c->enc_key_len, c->auth_key, c->auth_key_len);
	p->key_len = (uint8_t)(c->enc_key_len + c->auth_key_len);
	if (c->inbound) {
		ret = ts_to_sa(c, p->ts, &p->nb_ts);
		if (ret < 0) {
			explicit_bzero(p->key, sizeof(p->key));
			return ret;
		}
	}
	return 0;
}

static uint32_t
tunnel_get(struct ss_app_ike *s, const struct ss_ike_child_sa *out)
{
	struct ss_sa_tunnel_params tp;
	uint32_t idx;

	memset(&tp, 0, sizeof(tp));
	snprintf(tp.name, sizeof(tp.name), "%s/%s", out->peer, out->child);
	idx = ss_sa_tunnel_find(s->app->sadb, tp.name);
	if (idx != SS_SA_TUNNEL_NONE)
		return idx;
	tp.local = out->src.ip;
	tp.peer = out->dst.ip;
	if (ss_sa_tunnel_add(s->app->sadb, &tp, &idx) < 0)
		return SS_SA_TUNNEL_NONE;
	return idx;
}

static void
timing_note(struct ss_app_ike *s, const char *peer)
{
	int p = peer_index(peer);
	struct ike_peer_state *ps;
	double ms;

	if (p < 0)
		return;
	ps = &s->ps[p];
	if (ps->initiate_tsc == 0)
		return;
	if (++ps->installed < ps->expected)
		return;
	ms = (double)(rte_get_timer_cycles() - ps->initiate_tsc) * 1000.0 /
		(double)rte_get_timer_hz();
	IKE_LOG(INFO, "peer %s: all %u child SA pairs installed %.1f ms "
		"after initiate\n", peer, ps->installed, ms);
	ps->initiate_tsc = 0;
}

static int
ike_child_install(void *ctx, const struct ss_ike_child_sa *in,
	const struct ss_ike_child_sa *out)
{
	struct ss_app_ike *s = ctx;
	struct ss_app *app = s->app;
	struct ss_sa_params p;
	struct ike_pair *pair;
	uint16_t server;
	uint32_t tunnel;
	int ret;

	server = ss_steer_lookup(app->steer, in->server_id);
	if (server == SS_STEER_OWNER_NONE || server >= app->cfg.nb_servers) {
		IKE_LOG(ERR, "child %s/%s: no server with id %u\n", in->peer,
			in->child, in->server_id);
		s->install_failed++;
		return -ENOENT;
	}
	pair = calloc(1, sizeof(*pair));
	if (pair == NULL) {
		s->install_failed++;
		return -ENOMEM;
	}
	tunnel = tunnel_get(s, out);
	if (tunnel == SS_SA_TUNNEL_NONE) {
		IKE_LOG(ERR, "child %s/%s: no tunnel: %s\n", in->peer,
			in->child, ss_sa_db_errstr(app->sadb));
		ret = -ENOSPC;
		goto fail;
	}
	ret = sa_params(s, in, server, tunnel, &p);
	if (ret == 0) {
		ret = ss_sa_add(app->sadb, &p, NULL);
		explicit_bzero(p.key, sizeof(p.key));
	}
	if (ret < 0) {
		IKE_LOG(ERR, "child %s/%s: inbound SA 0x%08x: %s\n", in->peer,
			in->child, in->spi, ret == -ENOTSUP ?
			"algorithm not supported by the dataplane" :
			ret == -E2BIG ? "too many traffic selectors" :
			ss_sa_db_errstr(app->sadb));
		goto fail;
	}
	resv_forget(s, in->spi);
	ret = sa_params(s, out, server, tunnel, &p);
	if (ret == 0) {
		ret = ss_sa_add(app->sadb, &p, NULL);
		explicit_bzero(p.key, sizeof(p.key));
	}
	if (ret < 0) {
		IKE_LOG(ERR, "child %s/%s: outbound SA 0x%08x: %s\n",
			out->peer, out->child, out->spi,
			ss_sa_db_errstr(app->sadb));
		ss_sa_del(app->sadb, in->spi, SS_SA_DIR_IN);
		goto fail;
	}
	ret = spd_protect(s, out, tunnel);
	if (ret < 0) {
		IKE_LOG(ERR, "child %s/%s: policies not installed: %s\n",
			out->peer, out->child, strerror(-ret));
		ss_sa_del(app->sadb, in->spi, SS_SA_DIR_IN);
		ss_sa_del(app->sadb, out->spi, SS_SA_DIR_OUT);
		goto fail;
	}
	pair->spi_in = in->spi;
	pair->spi_out = out->spi;
	pair->tunnel = tunnel;
	pair->server = server;
	pair->peer = (uint8_t)RTE_MAX(peer_index(out->peer), 0);
	TAILQ_INSERT_TAIL(&s->pairs, pair, next);
	s->installs++;
	IKE_LOG(INFO, "child SA %s/%s installed: in 0x%08x out 0x%08x "
		"server %u (id %u)%s%s%s\n", out->peer, out->child, in->spi,
		out->spi, server, in->server_id, in->encap ? " udp-encap" : "",
		in->replaces_spi ? " (rekey)" : "",
		out->standby ? " (outbound standby)" : "");
	timing_note(s, out->peer);
	return 0;
fail:
	free(pair);
	s->install_failed++;
	ss_sa_spi_release(app->sadb, in->spi);
	resv_forget(s, in->spi);
	return ret < 0 ? ret : -EINVAL;
}

struct out_find {
	uint32_t spi, tunnel;
	struct ss_sa *sa;
};

static int
out_find_cb(const struct ss_sa *sa, void *arg)
{
	struct out_find *f = arg;

	if (sa->dir == SS_SA_DIR_OUT && sa->spi == f->spi &&
			sa->tunnel == f->tunnel) {
		f->sa = (struct ss_sa *)(uintptr_t)sa;
		return 1;
	}
	return 0;
}

struct in_find {
	uint32_t spi;
	uint64_t packets;
};

static int
in_find_cb(const struct ss_sa *sa, void *arg)
{
	struct in_find *f = arg;

	if (sa->dir == SS_SA_DIR_IN && sa->spi == f->spi) {
		f->packets = sa->st.packets;
		return 1;
	}
	return 0;
}

/* Packets an inbound SA has decrypted so far (0: no such SA). */
static uint64_t
in_packets(struct ss_app_ike *s, uint32_t spi)
{
	struct in_find f = { .spi = spi };

	ss_sa_walk(s->app->sadb, in_find_cb, &f);
	return f.packets;
}

static struct ike_pair *
pair_find(struct ss_app_ike *s, uint32_t spi_in, uint32_t spi_out)
{
	struct ike_pair *pair;

	TAILQ_FOREACH(pair, &s->pairs, next)
		if (pair->spi_in == spi_in && pair->spi_out == spi_out)
			return pair;
	return NULL;
}

static int
pair_out_del(struct ss_app_ike *s, const struct ike_pair *pair,
	uint32_t spi_out)
{
	struct ss_sa_db *db = s->app->sadb;
	int ret = ss_sa_del(db, spi_out, SS_SA_DIR_OUT);

	if (ret == -ENOTUNIQ && pair != NULL) {
		/* another peer picked the same outbound SPI */
		struct out_find f = { .spi = spi_out, .tunnel = pair->tunnel };

		ss_sa_walk(db, out_find_cb, &f);
		ret = f.sa != NULL ? ss_sa_del_sa(db, f.sa) : -ENOENT;
	}
	return ret;
}

static int
ike_child_delete(void *ctx, uint32_t spi_in, uint32_t spi_out)
{
	struct ss_app_ike *s = ctx;
	struct ike_pair *pair = pair_find(s, spi_in, spi_out);
	bool retired = pair != NULL && pair->retired;
	uint64_t late = 0;
	int r1, r2 = 0;

	if (retired)
		late = in_packets(s, spi_in) - pair->retired_packets;
	r1 = ss_sa_del(s->app->sadb, spi_in, SS_SA_DIR_IN);
	if (!retired)
		r2 = pair_out_del(s, pair, spi_out);
	if (pair != NULL) {
		TAILQ_REMOVE(&s->pairs, pair, next);
		free(pair);
	}
	if (retired)
		IKE_LOG(INFO, "child SA deleted: retired in 0x%08x%s, "
			"%" PRIu64 " packets decrypted after its pair's "
			"Delete\n", spi_in, r1 < 0 ? " (not found)" : "",
			r1 < 0 ? 0 : late);
	else
		IKE_LOG(INFO, "child SA deleted: in 0x%08x%s out 0x%08x%s\n",
			spi_in, r1 < 0 ? " (not found)" : "", spi_out,
			r2 < 0 ? " (not found)" : "");
	return r1 < 0 ? r1 : r2;
}

/* A rekey replaced the pair: nothing more is sent on it, but what the
 * peer sent on it just before it switched is still decrypted until the
 * engine deletes the pair (ike.delete_rekeyed_delay). */
static int
ike_child_retire(void *ctx, uint32_t spi_in, uint32_t spi_out)
{
	struct ss_app_ike *s = ctx;
	struct ike_pair *pair = pair_find(s, spi_in, spi_out);
	int r1, r2;

	if (pair == NULL)
		return ike_child_delete(ctx, spi_in, spi_out);
	r2 = pair_out_del(s, pair, spi_out);
	r1 = ss_sa_retire(s->app->sadb, spi_in);
	pair->retired = true;
	pair->retired_packets = in_packets(s, spi_in);
	IKE_LOG(INFO, "child SA retired: out 0x%08x%s deleted, in 0x%08x%s "
		"kept %u s for packets in flight\n", spi_out,
		r2 < 0 ? " (not found)" : "", spi_in,
		r1 < 0 ? " (not found)" : "", ike_conf.delete_rekeyed_delay);
	return r1 < 0 ? r1 : r2;
}

/* Rekey responder: the peer deleted the old pair, send on the new one. */
static int
ike_child_activate(void *ctx, uint32_t spi_in, uint32_t spi_out)
{
	struct ss_app_ike *s = ctx;
	struct ike_pair *pair = pair_find(s, spi_in, spi_out);
	int ret;

	if (pair == NULL) {
		IKE_LOG(ERR, "activate out 0x%08x: no pair with in 0x%08x\n",
			spi_out, spi_in);
		return -ENOENT;
	}
	ret = ss_sa_activate(s->app->sadb, pair->tunnel, spi_out);
	if (ret < 0)
		IKE_LOG(ERR, "activate out 0x%08x: %s\n", spi_out,
			ss_sa_db_errstr(s->app->sadb));
	else
		IKE_LOG(INFO, "child SA out 0x%08x (in 0x%08x) is now the "
			"outbound SA of server %u\n", spi_out, spi_in,
			pair->server);
	return ret;
}

static uint32_t
ike_spi_alloc(void *ctx, uint16_t server_id)
{
	struct ss_app_ike *s = ctx;
	struct ss_app *app = s->app;
	uint16_t server = ss_steer_lookup(app->steer, server_id);
	uint32_t spi;

	if (server == SS_STEER_OWNER_NONE || server >= app->cfg.nb_servers ||
			ss_sa_spi_alloc(app->sadb, server, &spi) < 0) {
		/* the install will be refused with a reason */
		do {
			spi = ss_steer_spi_make(server_id,
				app->cfg.instance_bits, (uint32_t)rte_rand());
		} while (spi < 256);
		return spi;
	}
	if (s->nb_resv < IKE_RESV_MAX) {
		s->resv[s->nb_resv].spi = spi;
		s->resv[s->nb_resv].ms = ike_now_ms(s);
		s->nb_resv++;
	}
	return spi;
}

static void
ike_event(void *ctx, const char *msg)
{
	struct ss_app_ike *s = ctx;
	const char *br = strchr(msg, '[');
	unsigned int i;

	/* lib/ike logs the event itself; keep the last one per peer for
	 * "show ike peers" */
	if (br == NULL)
		return;
	for (i = 0; i < ike_conf.nb_peers; i++) {
		const size_t l = strlen(ike_conf.peer[i].name);

		if ((size_t)(br - msg) == l &&
				strncmp(msg, ike_conf.peer[i].name, l) == 0) {
			snprintf(s->ps[i].last_event, IKE_EVENT_LEN, "%s",
				msg);
			return;
		}
	}
}

/* ---- on demand ---------------------------------------------------------- */

/* Trap policies (strongSwan's start_action = trap): a child started on
 * demand gets its tunnel and PROTECT policies for its configured
 * selectors at start-up, so that its first packet finds a tunnel without
 * an SA, is held, and sends the ACQUIRE that starts the negotiation. A
 * child started at boot gets them too (strongSwan's "trap|start"): what
 * its selectors match is held until its SAs are there, never sent in
 * the clear. */
static void
trap_install(struct ss_app_ike *s)
{
	unsigned int p, c;

	for (p = 0; p < ike_conf.nb_peers; p++) {
		const struct ss_ike_peer_conf *pc = &ike_conf.peer[p];

		for (c = 0; c < pc->nb_child; c++) {
			const struct ss_ike_child_conf *cc = &pc->child[c];
			struct ss_ike_child_sa t;
			uint32_t tunnel;
			int ret;

			if (cc->start == SS_IKE_START_NONE)
				continue;
			if (pc->remote.ip.family == 0) {
				IKE_LOG(WARNING, "child %s/%s: no trap policy "
					"without the peer's address\n",
					pc->name, cc->name);
				continue;
			}
			memset(&t, 0, sizeof(t));
			t.peer = pc->name;
			t.child = cc->name;
			t.src = pc->local;
			t.dst = pc->remote;
			memcpy(t.src_ts, cc->local_ts, sizeof(t.src_ts));
			t.nb_src_ts = cc->nb_local_ts;
			memcpy(t.dst_ts, cc->remote_ts, sizeof(t.dst_ts));
			t.nb_dst_ts = cc->nb_remote_ts;
			tunnel = tunnel_get(s, &t);
			ret = tunnel == SS_SA_TUNNEL_NONE ? -ENOSPC :
				spd_protect(s, &t, tunnel);
			if (ret < 0)
				IKE_LOG(ERR, "child %s/%s: trap policies not "
					"installed: %s\n", pc->name, cc->name,
					strerror(-ret));
			else
				IKE_LOG(INFO, "child %s/%s: trap policies on "
					"tunnel %u\n", pc->name, cc->name,
					tunnel);
		}
	}
}

int
ss_app_ike_acquire(struct ss_app *app, uint32_t tunnel)
{
	struct ss_app_ike *s = ike_state(app);
	const struct ss_sa_tunnel *t;
	const struct ss_ike_peer_conf *pc;
	const char *slash;
	unsigned int c;
	int p;

	if (s == NULL)
		return -ENOENT;
	t = ss_sa_tunnel_get(app->sadb, tunnel);
	if (t == NULL)
		return -ENOENT;
	/* IKE names its tunnels "<peer>/<child>" (tunnel_get) */
	slash = strchr(t->name, '/');
	if (slash == NULL)
		return -ENOENT;
	for (p = 0; p < (int)ike_conf.nb_peers; p++)
		if (strncmp(ike_conf.peer[p].name, t->name,
				(size_t)(slash - t->name)) == 0 &&
				ike_conf.peer[p].name[slash - t->name] == '\0')
			break;
	if (p == (int)ike_conf.nb_peers)
		return -ENOENT;
	pc = &ike_conf.peer[p];
	for (c = 0; c < pc->nb_child; c++)
		if (strcmp(pc->child[c].name, slash + 1) == 0)
			break;
	if (c == pc->nb_child)
		return -ENOENT;
	/* "none": the operator starts it (ike initiate) */
	if (pc->child[c].start == SS_IKE_START_NONE)
		return -EPERM;
	return ss_ike_acquire(s->ike, pc->name, ike_now_ms(s));
}

/* ---- life cycle -------------------------------------------------------- */

int
ss_app_ike_register(struct ss_app *app)
{
	int ret;

	RTE_SET_USED(app);
	ret = ss_ike_cfg_register(&ike_conf);
	if (ret < 0)
		fprintf(stderr, "shardsec: cannot register 'ike': %s\n",
			strerror(-ret));
	return ret;
}

static unsigned int
expected_pairs(const struct ss_ike_peer_conf *pc, uint16_t nb_servers)
{
	unsigned int n = 0, c;

	for (c = 0; c < pc->nb_child; c++)
		n += pc->child[c].per_server ? RTE_MAX(nb_servers, 1) : 1;
	return n;
}

int
ss_app_ike_init(struct ss_app *app)
{
	static const struct ss_ike_ops ops = {
		.send = ike_send,
		.child_install = ike_child_install,
		.child_delete = ike_child_delete,
		.spi_alloc = ike_spi_alloc,
		.event = ike_event,
		.child_activate = ike_child_activate,
		.child_retire = ike_child_retire,
	};
	struct ss_app_ike *s;
	unsigned int i;
	int ret;

	if (ike_conf.nb_peers == 0)
		return 0;
	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return -ENOMEM;
	s->app = app;
	s->tsc_per_ms = RTE_MAX(rte_get_timer_hz() / 1000, (uint64_t)1);
	TAILQ_INIT(&s->pairs);
	if (ike_conf.save_keys[0] != '\0')
		IKE_LOG(WARNING, "debug_save_keys: every IKE and ESP key is "
			"written to %s (DEBUG ONLY)\n", ike_conf.save_keys);
	for (i = 0; i < ike_conf.nb_peers; i++)
		s->ps[i].expected = expected_pairs(&ike_conf.peer[i],
			app->cfg.nb_servers);
	s->ike = ss_ike_create(&ike_conf, &ops, s);
	if (s->ike == NULL) {
		ret = -errno;
		fprintf(stderr, "shardsec: cannot start IKE: %s\n",
			strerror(errno));
		free(s);
		return ret;
	}
	app->ike = s;
	for (i = 0; i < app->cfg.nb_servers; i++) {
		ret = ss_ike_server_add(s->ike, app->cfg.servers[i].id,
			ike_now_ms(s));
		if (ret < 0) {
			fprintf(stderr, "shardsec: ike: server id %u: %s\n",
				app->cfg.servers[i].id, strerror(-ret));
			return ret;
		}
	}
	printf("shardsec: IKEv2: %u peer(s), one Child SA pair per server "
		"(%u)\n", ike_conf.nb_peers, app->cfg.nb_servers);
	trap_install(s);
	ss_ike_start_all(s->ike, ike_now_ms(s));
	return 0;
}

void
ss_app_ike_fini(struct ss_app *app)
{
	struct ss_app_ike *s = ike_state(app);
	struct ike_pair *pair;

	if (s == NULL)
		return;
	/* Workers have stopped: SAs go at once, snapshots need no wait. */
	ss_ike_destroy(s->ike);
	while ((pair = TAILQ_FIRST(&s->pairs)) != NULL) {
		TAILQ_REMOVE(&s->pairs, pair, next);
		free(pair);
	}
	while (s->nb_rcu > 0)
		ss_spd_snapshot_free(s->rcu[--s->nb_rcu].snap);
	explicit_bzero(s->buf, sizeof(s->buf));
	free(s);
	app->ike = NULL;
	explicit_bzero(&ike_conf, sizeof(ike_conf));
}

static int
usage_cb(const struct ss_sa *sa, void *arg)
{
	struct ss_app_ike *s = arg;

	if (sa->dir == SS_SA_DIR_IN)
		ss_ike_child_usage(s->ike, sa->spi, sa->st.bytes,
			sa->st.packets, ike_now_ms(s));
	return 0;
}

void
ss_app_ike_timer(struct ss_app *app, uint64_t now_tsc)
{
	struct ss_app_ike *s = ike_state(app);
	uint64_t now;
	unsigned int i;

	if (s == NULL)
		return;
	now = now_tsc / s->tsc_per_ms;
	ss_ike_timer(s->ike, now);
	rcu_reclaim(s);
	for (i = 0; i < s->nb_resv;) {
		if (now - s->resv[i].ms >= IKE_RESV_MS) {
			ss_sa_spi_release(app->sadb, s->resv[i].spi);
			s->resv[i] = s->resv[--s->nb_resv];
		} else {
			i++;
		}
	}
	if (now - s->last_usage_ms >= IKE_USAGE_MS) {
		s->last_usage_ms = now;
		ss_sa_walk(app->sadb, usage_cb, s);
	}
}
