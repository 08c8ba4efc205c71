/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 shardsec authors
 */

/* Worker lcores ("servers"): poll their queue on every port, classify,
 * forward, and hand control-plane frames to the control lcore. */

#include <errno.h>
#include <string.h>
#include <time.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_ip.h>
#include <rte_prefetch.h>
#include <rte_rcu_qsbr.h>

#include "ss_app.h"
#include "ss_app_lb.h"
#include "ss_app_macsec.h"

#define APP_LOG(l, ...) rte_log(RTE_LOG_ ## l, RTE_LOGTYPE_USER1, \
	"shardsec: " __VA_ARGS__)

/* Empty polls before an adaptive worker starts to nap. */
#define SS_IDLE_POLLS 256
#define SS_IDLE_NAP_NS 20000

/*
 * 'show runtime': the TSC around one stage's call on a burst, only while
 * the profile is on (one predictable branch per burst when off). Every
 * counter is this worker's own.
 */
static __rte_always_inline uint64_t
stage_t0(const struct ss_worker *w)
{
	return unlikely(w->prof) ? rte_rdtsc() : 0;
}

static __rte_always_inline void
stage_end(struct ss_worker *w, enum ss_stage s, uint16_t n, uint64_t t0)
{
	if (unlikely(w->prof)) {
		struct ss_stage_stats *x = &w->stage[s];

		x->cycles += rte_rdtsc() - t0;
		x->calls++;
		x->pkts += n;
	}
}

static void
tx_drop_cb(struct rte_mbuf **pkts, uint16_t unsent, void *arg)
{
	struct ss_worker *w = arg;

	w->st.tx_drops += unsent;
	w->st.tx_pkts -= unsent;
	rte_pktmbuf_free_bulk(pkts, unsent);
}

/* Buffer one packet for port index p (this worker's queue): sent when
 * the buffer is full, else at the end of the poll. */
static inline void
tx_one(struct ss_app *app, struct ss_worker *w, uint8_t p,
	struct rte_mbuf *m)
{
	w->st.tx_pkts++;
	w->tx_pending |= UINT32_C(1) << p;
	rte_eth_tx_buffer(app->port_id[p], w->idx, w->txb[p], m);
}

/* Same for n packets at once (one copy of the pointers, no per-packet
 * test of a full buffer). */
static inline void
tx_bulk(struct ss_app *app, struct ss_worker *w, uint8_t p,
	struct rte_mbuf **m, uint16_t n)
{
	struct rte_eth_dev_tx_buffer *b = w->txb[p];

	w->st.tx_pkts += n;
	w->tx_pending |= UINT32_C(1) << p;
	for (;;) {
		const uint16_t c = RTE_MIN(n, (uint16_t)(b->size - b->length));
		struct rte_mbuf **d = &b->pkts[b->length];
		uint16_t i;

		for (i = 0; i < c; i++)
			d[i] = m[i];
		b->length += c;
		if (b->length < b->size)
			return;
		rte_eth_tx_buffer_flush(app->port_id[p], w->idx, b);
		n -= c;
		if (n == 0)
			return;
		m += c;
	}
}

static void
worker_punt(struct ss_worker *w, struct rte_mbuf **m, uint16_t n,
	uint32_t reason)
{
	unsigned int sent;
	uint16_t i;

	if (n == 0)
		return;
	if (reason == SS_PUNT_CTL)
		n = ss_net_reasm_shed(m, n, rte_ring_count(w->punt),
			SS_PUNT_RING, &w->st.frag_shed);
	for (i = 0; i < n; i++)
		m[i]->hash.usr = reason;
	sent = rte_ring_sp_enqueue_burst(w->punt, (void **)m, n, NULL);
	w->st.punted += sent;
	if (unlikely(sent < n)) {
		w->st.punt_drops += n - sent;
		rte_pktmbuf_free_bulk(&m[sent], n - sent);
	}
}

/* Transit packets above their next hop's MTU: the control lcore cuts
 * them or answers with ICMP. lib/net left the MTU and the port in the
 * tag's upper bits. Like fragments, they never take the second half of
 * the punt ring: a flood of them must not crowd out IKE, ARP and ND. */
static void
worker_punt_too_big(struct ss_worker *w, struct rte_mbuf **m, uint16_t n)
{
	unsigned int sent;
	uint16_t i;

	if (unlikely(rte_ring_count(w->punt) >= SS_PUNT_RING / 2)) {
		w->st.too_big_shed += n;
		rte_pktmbuf_free_bulk(m, n);
		return;
	}
	for (i = 0; i < n; i++)
		m[i]->hash.usr = (m[i]->hash.usr & ~0xffu) |
			SS_PUNT_FWD_TOO_BIG;
	sent = rte_ring_sp_enqueue_burst(w->punt, (void **)m, n, NULL);
	w->st.punted += sent;
	if (unlikely(sent < n)) {
		w->st.punt_drops += n - sent;
		rte_pktmbuf_free_bulk(&m[sent], n - sent);
	}
}

/* Send m[0..n) by res[i] (ss_net_forward_burst / ss_net_output_burst):
 * a port index, or hold (to the control lcore), or drop. */
static void
worker_tx(struct ss_app *app, struct ss_worker *w, struct rte_mbuf **m,
	const int16_t res[], uint16_t n)
{
	struct rte_mbuf *hold[SS_BURST], *big[SS_BURST];
	const int16_t r0 = res[0];
	uint16_t i, nh = 0, nb = 0;
	int16_t diff = 0;

	/* Usually the whole burst leaves by one port: no per-packet work. */
	for (i = 0; i < n; i++)
		diff |= res[i] ^ r0;
	if (likely(diff == 0 && r0 >= 0)) {
		if (unlikely(app->msec_mask >> r0 & 1))
			ss_app_macsec_tx(app, w, (uint8_t)r0, m, n);
		else
			tx_bulk(app, w, (uint8_t)r0, m, n);
		return;
	}
	for (i = 0; i < n; i++) {
		if (unlikely(res[i] >= 0 && (app->msec_mask >> res[i] & 1)))
			ss_app_macsec_tx(app, w, (uint8_t)res[i], &m[i], 1);
		else if (likely(res[i] >= 0))
			tx_one(app, w, (uint8_t)res[i], m[i]);
		else if (res[i] == SS_NET_FWD_HOLD)
			hold[nh++] = m[i];
		else if (res[i] == SS_NET_FWD_TOO_BIG)
			big[nb++] = m[i];
		else
			rte_pktmbuf_free(m[i]);
	}
	worker_punt(w, hold, nh, SS_PUNT_HOLD);
	if (unlikely(nb != 0))
		worker_punt_too_big(w, big, nb);
}

static void
worker_forward(struct ss_app *app, struct ss_worker *w,
	struct rte_mbuf **m, uint16_t n)
{
	int16_t res[SS_BURST];
	uint64_t t0;

	if (n == 0)
		return;
	t0 = stage_t0(w);
	ss_net_forward_burst(m, n, res, &w->net);
	stage_end(w, SS_STAGE_FORWARD, n, t0);
	t0 = stage_t0(w);
	worker_tx(app, w, m, res, n);
	stage_end(w, SS_STAGE_TX, n, t0);
}

/* What a handed-over packet is, kept in m->hash.usr with its server. */
enum ss_ho_kind {
	SS_HO_FWD = 1,		/* received transit packet (at L2) */
	SS_HO_ESP = 2,		/* received ESP for us (at L2) */
	SS_HO_INNER = 3,	/* decrypted inner packet (at L3) */
};

#define HO_TAG(kind, server) ((uint32_t)(server) << 16 | (kind))
#define HO_KIND(tag) ((tag) & 0xff)
#define HO_SERVER(tag) ((uint16_t)((tag) >> 16))

static void
worker_handoff(struct ss_app *app, struct ss_worker *w, uint16_t to,
	struct rte_mbuf *m, uint32_t tag)
{
	m->hash.usr = tag;
	if (likely(rte_ring_sp_enqueue(app->workers[to].in[w->idx], m) == 0)) {
		w->st.handoff_tx++;
	} else {
		w->st.handoff_drops++;
		rte_pktmbuf_free(m);
	}
}

/* m[0..n), tagged already, to worker 'to' in one ring operation. */
static void
worker_handoff_burst(struct ss_app *app, struct ss_worker *w, uint16_t to,
	struct rte_mbuf **m, uint16_t n)
{
	const uint64_t t0 = stage_t0(w);
	unsigned int sent;

	sent = rte_ring_sp_enqueue_burst(app->workers[to].in[w->idx],
		(void **)m, n, NULL);
	stage_end(w, SS_STAGE_HANDOFF, n, t0);
	w->st.handoff_tx += sent;
	if (unlikely(sent < n)) {
		w->st.handoff_drops += n - sent;
		rte_pktmbuf_free_bulk(&m[sent], n - sent);
	}
}

/* Data at L2 -> data at L3, as lib/esp wants it: rte_pktmbuf_adj()
 * and l2_len 0, with tx_offload read and written once. Without
 * rte_pktmbuf_adj's test that the first segment holds l2_len bytes:
 * every packet here was classified FORWARD or ESP (ss_net_classify_burst,
 * here or on the control lcore), which sets l2_len to the Ethernet
 * header only once the segment holds it and the IP header behind it. */
static inline void
strip_l2(struct rte_mbuf *m)
{
	const uint64_t txo = m->tx_offload;
	const uint16_t l2 = (uint16_t)((txo >> RTE_MBUF_L2_LEN_OFS) &
		((1u << RTE_MBUF_L2_LEN_BITS) - 1));

	RTE_ASSERT(l2 <= m->data_len);
	m->data_off += l2;
	m->data_len -= l2;
	m->pkt_len -= l2;
	m->tx_offload = txo & ~((uint64_t)((1u << RTE_MBUF_L2_LEN_BITS) - 1)
		<< RTE_MBUF_L2_LEN_OFS);
}

/* Forward decrypted inner packets (at L3). A GTP-U or SCTP packet whose
 * embedded id names another server goes to that server: the peer, not
 * us, chose the SA it came in on. */
static void
server_inner(struct ss_app *app, struct ss_worker *w, uint16_t srv,
	struct rte_mbuf **m, uint16_t n, bool steer)
{
	uint16_t owner[SS_BURST];
	uint8_t kind[SS_BURST];
	struct rte_mbuf *keep[SS_BURST];
	uint16_t i, nk = 0;
	unsigned int other = 0;
	uint64_t t0;

	if (n == 0)
		return;
	if (!steer) {
		worker_forward(app, w, m, n);
		return;
	}
	t0 = stage_t0(w);
	ss_steer_classify_inner_burst(ss_app_steer(app), m, n, owner, kind,
		&w->steer);
	stage_end(w, SS_STAGE_INNER, n, t0);
	/* Usually none is another server's: forward the burst as it is. */
	for (i = 0; i < n; i++)
		other |= (kind[i] == SS_STEER_GTPU ||
			kind[i] == SS_STEER_SCTP) & (owner[i] != srv) &
			(owner[i] != SS_STEER_OWNER_NONE);
	if (likely(other == 0)) {
		worker_forward(app, w, m, n);
		return;
	}
	for (i = 0; i < n; i++) {
		if ((kind[i] == SS_STEER_GTPU || kind[i] == SS_STEER_SCTP) &&
				owner[i] != srv &&
				owner[i] != SS_STEER_OWNER_NONE) {
			app->srv[srv].resteer++;
			worker_handoff(app, w, app->server_worker[owner[i]],
				m[i], HO_TAG(SS_HO_INNER, owner[i]));
		} else {
			keep[nk++] = m[i];
		}
	}
	worker_forward(app, w, keep, nk);
}

/* Decrypt m[0..n) and forward: fresh ESP (l2: data at L2) or ESP
 * released from the hold, oldest first (data at L3). Packets of a paused
 * SA, and fresh ones of an SA whose older packets are still held, go to
 * the hold. Released packets are not diverted: the release is what
 * calls this, batch after batch, and must not release again from in
 * here (the newer batches would go first). */
void
ss_app_server_decrypt(struct ss_app *app, struct ss_worker *w, uint16_t srv,
	struct rte_mbuf **m, uint16_t n, bool l2)
{
	struct rte_mbuf *out[SS_BURST];
	struct ss_esp_aside tb;
	uint64_t t0;
	uint16_t i, k;

	tb.hold = app->hold_in[srv] != NULL;
	tb.nd = 0;
	if (unlikely(w->hold_on) && tb.hold && l2)
		tb.nd = ss_app_hold_in_divert(app, w, srv, tb.divert);
	t0 = stage_t0(w);
	if (l2)
		for (i = 0; i < n; i++)
			strip_l2(m[i]);
	k = ss_esp_inbound_burst(app->esp[srv], m, n, out, &tb);
	stage_end(w, SS_STAGE_ESP_IN, n, t0);
	if (unlikely(tb.nh != 0))
		ss_app_hold_in_aside(app, w, srv, tb.hm, tb.htun, tb.nh);
	server_inner(app, w, srv, out, k, true);
}

static void
server_esp(struct ss_app *app, struct ss_worker *w, uint16_t srv,
	struct rte_mbuf **m, uint16_t n)
{
	if (n == 0)
		return;
	app->srv[srv].esp_in += n;
	ss_app_server_decrypt(app, w, srv, m, n, true);
}

/* Protect m[0..n) (data at L3) for tunnel[i] and send the results:
 * the ESP stage and what follows it, for fresh packets and for those
 * released from the hold. */
void
ss_app_server_protect(struct ss_app *app, struct ss_worker *w, uint16_t srv,
	struct rte_mbuf **m, const uint32_t tun[], uint16_t n)
{
	struct rte_mbuf *out[SS_BURST];
	struct ss_esp_aside tb;
	int16_t port[SS_BURST];
	uint16_t i, k;
	uint64_t t0;

	tb.hold = app->hold[srv] != NULL;
	t0 = stage_t0(w);
	k = ss_esp_outbound_burst(app->esp[srv], m, n, tun, out, &tb);
	stage_end(w, SS_STAGE_ESP_OUT, n, t0);
	/* held ones count when they are released */
	app->srv[srv].esp_out += n - tb.nh;
	if (unlikely(tb.nh != 0))
		ss_app_hold_aside(app, w, srv, tb.hm, tb.htun, tb.nh);
	if (tb.n != 0) {
		app->srv[srv].too_big += tb.n;
		/* The control lcore answers them with ICMP (path MTU). */
		for (i = 0; i < tb.n; i++) {
			tb.m[i]->hash.usr = (uint32_t)tb.mtu[i] << 16 |
				SS_PUNT_TOO_BIG;
			if (rte_ring_sp_enqueue(w->punt, tb.m[i]) != 0) {
				w->st.punt_drops++;
				rte_pktmbuf_free(tb.m[i]);
			} else {
				w->st.punted++;
			}
		}
	}
	if (k == 0)
		return;
	t0 = stage_t0(w);
	ss_net_output_burst(out, k, port, &w->net);
	stage_end(w, SS_STAGE_OUTPUT, k, t0);
	t0 = stage_t0(w);
	worker_tx(app, w, out, port, k);
	stage_end(w, SS_STAGE_TX, k, t0);
}

void
ss_app_worker_punt(struct ss_worker *w, struct rte_mbuf **m, uint16_t n,
	uint32_t reason)
{
	worker_punt(w, m, n, reason);
}

void
ss_app_worker_tx_bulk(struct ss_app *app, struct ss_worker *w, uint8_t p,
	struct rte_mbuf **m, uint16_t n)
{
	tx_bulk(app, w, p, m, n);
}

static void
server_transit(struct ss_app *app, struct ss_worker *w, uint16_t srv,
	struct rte_mbuf **m, uint16_t n)
{
	const struct ss_spd_snapshot *spd = ss_spd_snapshot_get(app->spd);
	struct rte_mbuf *pbuf[SS_BURST], *clear[SS_BURST];
	struct rte_mbuf **prot = pbuf;
	uint32_t res[SS_BURST], tun[SS_BURST];
	uint16_t i, np = 0, nc = 0;
	uint32_t notprot = 0;
	uint64_t t0;

	if (n == 0)
		return;
	t0 = stage_t0(w);
	ss_spd_lookup_burst_cached(spd, w->spd_cache, m, n, res, w->spd_hits);
	stage_end(w, SS_STAGE_SPD, n, t0);
	/* Usually the whole burst is protected: no split (the tunnels
	 * are taken in the same pass, the split takes them again). */
	for (i = 0; i < n; i++) {
		notprot |= SS_SPD_RES_ACTION(res[i]) ^ SS_SPD_PROTECT;
		tun[i] = SS_SPD_RES_TUNNEL(res[i]);
	}
	if (likely(notprot == 0)) {
		for (i = 0; i < n; i++)
			strip_l2(m[i]);
		prot = m;
		np = n;
	} else {
		for (i = 0; i < n; i++) {
			switch (SS_SPD_RES_ACTION(res[i])) {
			case SS_SPD_PROTECT:
				tun[np] = SS_SPD_RES_TUNNEL(res[i]);
				strip_l2(m[i]);
				prot[np++] = m[i];
				break;
			case SS_SPD_BYPASS:
				clear[nc++] = m[i];
				break;
			default:
				app->srv[srv].spd_discard++;
				rte_pktmbuf_free(m[i]);
				break;
			}
		}
		app->srv[srv].bypass += nc;
		worker_forward(app, w, clear, nc);
		if (np == 0)
			return;
	}
	/* Packets still held for their tunnel go first: these join them. */
	if (unlikely(w->hold_on))
		np = ss_app_hold_divert(app, w, srv, prot, tun, np);
	if (np != 0)
		ss_app_server_protect(app, w, srv, prot, tun, np);
}

/* m[0..n) for server srv, of this worker. */
static inline void
server_input(struct ss_app *app, struct ss_worker *w, uint16_t srv,
	struct rte_mbuf **m, uint16_t n, enum ss_ho_kind kind)
{
	app->srv[srv].rx += n;
	if (kind == SS_HO_ESP)
		server_esp(app, w, srv, m, n);
	else if (kind == SS_HO_FWD)
		server_transit(app, w, srv, m, n);
	else
		server_inner(app, w, srv, m, n, false);
}

/* A burst whose packets all belong to server srv, steered to this
 * worker (it may have been removed since: counted and dropped). */
static void
worker_local_one(struct ss_app *app, struct ss_worker *w, struct rte_mbuf **m,
	uint16_t srv, uint16_t n, enum ss_ho_kind kind)
{
	const struct ss_srv_list *l = __atomic_load_n(&w->list,
		__ATOMIC_ACQUIRE);
	uint16_t k;

	for (k = 0; k < l->n; k++)
		if (l->s[k] == srv) {
			server_input(app, w, srv, m, n, kind);
			return;
		}
	w->st.srv_gone += n;
	rte_pktmbuf_free_bulk(m, n);
}

/* Packets of one kind owned by servers of this worker, grouped per
 * server (a worker hosts few servers, so a scan per server is cheap).
 * A packet steered before its server was removed (server del) finds no
 * server here: it is counted and dropped. */
static void
worker_local(struct ss_app *app, struct ss_worker *w, struct rte_mbuf **m,
	const uint16_t owner[], uint16_t n, enum ss_ho_kind kind)
{
	const struct ss_srv_list *l;
	struct rte_mbuf *b[SS_BURST];
	uint64_t taken = 0;
	uint16_t k, i, nb, diff = 0;

	RTE_BUILD_BUG_ON(SS_BURST > 64);	/* one bit per packet */
	if (n == 0)
		return;
	for (i = 0; i < n; i++)
		diff |= owner[i] ^ owner[0];
	if (likely(diff == 0)) {
		worker_local_one(app, w, m, owner[0], n, kind);
		return;
	}
	l = __atomic_load_n(&w->list, __ATOMIC_ACQUIRE);
	for (k = 0; k < l->n; k++) {
		const uint16_t srv = l->s[k];

		nb = 0;
		for (i = 0; i < n; i++)
			if (owner[i] == srv) {
				b[nb++] = m[i];
				taken |= UINT64_C(1) << i;
			}
		if (nb != 0)
			server_input(app, w, srv, b, nb, kind);
	}
	if (unlikely(taken != (UINT64_C(1) << n) - 1)) {
		for (i = 0; i < n; i++)
			if (!(taken & (UINT64_C(1) << i))) {
				w->st.srv_gone++;
				rte_pktmbuf_free(m[i]);
			}
	}
}

/* Load balancer: transit packets to a VIP leave m[] for their backend,
 * sent on the lb port through the usual TX path (a MACsec lb port
 * protects them). Returns how many packets are left in m[]. */
static uint16_t
worker_lb(struct ss_app *app, struct ss_worker *w, struct rte_mbuf **m,
	uint16_t n)
{
	const struct ss_app_lb *lb = app->lb;
	struct rte_mbuf *tx[SS_BURST], *frag[SS_BURST];
	int16_t res[SS_BURST];
	uint16_t i, ntx, nfrag, left;

	left = ss_app_lb_take(lb, lb->ws[w->idx], lb->ct[w->idx], m, n,
		lb->mtu, tx, &ntx, frag, &nfrag);
	if (ntx != 0) {
		for (i = 0; i < ntx; i++)
			res[i] = lb->port;
		worker_tx(app, w, tx, res, ntx);
	}
	if (unlikely(nfrag != 0)) {
		/* Put together on the control lcore. Like the gateway's own
		 * fragments they never take the second half of the punt
		 * ring: a flood of them must not crowd out IKE, ARP, ND. */
		if (rte_ring_count(w->punt) >= SS_PUNT_RING / 2) {
			w->st.frag_shed += nfrag;
			rte_pktmbuf_free_bulk(frag, nfrag);
		} else {
			worker_punt(w, frag, nfrag, SS_PUNT_LB_FRAG);
		}
	}
	return left;
}

/* Steer IP packets (ESP to us, or transit) to the server that owns them:
 * by SPI, TEID or SCTP tag, else by a symmetric 5-tuple hash. Another
 * lcore's packet goes to it through its ring; a worker never processes a
 * packet that belongs to another server. */
static void
worker_steer(struct ss_app *app, struct ss_worker *w, struct rte_mbuf **m,
	uint16_t n, enum ss_ho_kind kind)
{
	uint16_t owner[SS_BURST], lown[SS_BURST], hw[SS_BURST];
	uint8_t skind[SS_BURST];
	struct rte_mbuf *local[SS_BURST], *ho[SS_BURST], *b[SS_BURST];
	uint16_t i, nl = 0, nh = 0, o0, diff = 0;
	uint32_t to_mask = 0;
	uint8_t sk = 0;
	uint64_t t0;

	RTE_BUILD_BUG_ON(SS_STEER_ESP != 0);
	/* classification's mark is the one steering and the SPD read */
	RTE_BUILD_BUG_ON(SS_STEER_PTYPE_IP4_CHECKED !=
		SS_NET_PTYPE_IP4_CHECKED);
	RTE_BUILD_BUG_ON(SS_SPD_PTYPE_IP4_CHECKED !=
		SS_NET_PTYPE_IP4_CHECKED);
	/* ... and lib/esp's on the inner packets it checked */
	RTE_BUILD_BUG_ON(SS_ESP_PTYPE_IP4_CHECKED !=
		SS_STEER_PTYPE_IP4_CHECKED);
	RTE_BUILD_BUG_ON(SS_MAX_WORKERS > 32);	/* one bit per worker */
	if (n == 0)
		return;
	/* VIPs are not ours and not routed: before any steering to our
	 * servers. Without an lb section, one predictable branch. */
	if (unlikely(app->lb_on) && kind == SS_HO_FWD) {
		n = worker_lb(app, w, m, n);
		if (n == 0)
			return;
	}
	t0 = stage_t0(w);
	ss_steer_classify_burst(ss_app_steer(app), m, n, owner, skind,
		&w->steer);
	stage_end(w, SS_STAGE_STEER, n, t0);
	/* Usually the whole burst is one server's, of this worker. */
	o0 = owner[0];
	for (i = 0; i < n; i++) {
		diff |= owner[i] ^ o0;
		sk |= skind[i];
	}
	if (likely(diff == 0 && o0 != SS_STEER_OWNER_NONE &&
			(kind != SS_HO_ESP || sk == 0) &&
			app->server_worker[o0] == w->idx)) {
		worker_local_one(app, w, m, o0, n, kind);
		return;
	}
	for (i = 0; i < n; i++) {
		uint16_t o = owner[i];

		if (unlikely(o == SS_STEER_OWNER_NONE)) {
			/* Counted by steer (bad headers, unknown id). */
			rte_pktmbuf_free(m[i]);
			continue;
		}
		if (unlikely(kind == SS_HO_ESP && skind[i] != SS_STEER_ESP)) {
			/* ESP to us by its IP header but without a usable
			 * SPI (e.g. a UDP length that leaves no room for
			 * one): it has no owner, so it has no SA. */
			w->st.esp_no_spi++;
			rte_pktmbuf_free(m[i]);
			continue;
		}
		if (app->server_worker[o] != w->idx) {
			m[i]->hash.usr = HO_TAG(kind, o);
			hw[nh] = app->server_worker[o];
			to_mask |= UINT32_C(1) << hw[nh];
			ho[nh++] = m[i];
			continue;
		}
		lown[nl] = o;
		local[nl++] = m[i];
	}
	if (nh != 0) {
		const struct ss_srv_list *l = __atomic_load_n(&w->list,
			__ATOMIC_ACQUIRE);

		if (l->n != 0)
			app->srv[l->s[0]].handoff_out += nh;
		/* One ring operation per destination worker. */
		if (rte_is_power_of_2(to_mask)) {
			worker_handoff_burst(app, w, hw[0], ho, nh);
		} else {
			while (to_mask != 0) {
				const uint16_t to = rte_bsf32(to_mask);
				uint16_t nb = 0;

				to_mask &= to_mask - 1;
				for (i = 0; i < nh; i++)
					if (hw[i] == to)
						b[nb++] = ho[i];
				worker_handoff_burst(app, w, to, b, nb);
			}
		}
	}
	worker_local(app, w, local, lown, nl, kind);
}

static void
worker_input(struct ss_app *app, struct ss_worker *w, uint8_t port,
	struct rte_mbuf **m, uint16_t n)
{
	uint8_t cls[SS_BURST];
	struct rte_mbuf *fwd[SS_BURST], *esp[SS_BURST], *punt[SS_BURST];
	const uint64_t t0 = stage_t0(w);
	uint16_t i, nf = 0, ne = 0, np = 0;
	uint8_t diff = 0;

	/* The mbufs arrive cold (written by the NIC or another lcore).
	 * Issue every miss of the burst at once: both lines of each mbuf
	 * header, then the packet data, whose address needs the header
	 * (these loads are independent, so their misses overlap). Every
	 * one of these lines is written further on (lengths, offload
	 * fields, TTL, in-place crypto): asking for them with intent to
	 * write spares a second trip to upgrade a shared line. */
	for (i = 0; i < n; i++) {
		rte_prefetch0_write(m[i]);
		rte_prefetch0_write(&m[i]->cacheline1);
	}
	for (i = 0; i < n; i++)
		rte_prefetch0_write(rte_pktmbuf_mtod(m[i], void *));
	ss_net_classify_burst(m, n, port, cls, &w->net);
	stage_end(w, SS_STAGE_CLASSIFY, n, t0);
	/* Usually the whole burst is one class: no split. */
	for (i = 0; i < n; i++)
		diff |= cls[i] ^ cls[0];
	if (likely(diff == 0)) {
		switch (cls[0]) {
		case SS_NET_CLASS_FORWARD:
			worker_steer(app, w, m, n, SS_HO_FWD);
			break;
		case SS_NET_CLASS_ESP:
			worker_steer(app, w, m, n, SS_HO_ESP);
			break;
		case SS_NET_CLASS_PUNT:
			worker_punt(w, m, n, SS_PUNT_CTL);
			break;
		default:
			rte_pktmbuf_free_bulk(m, n);
			break;
		}
		return;
	}
	for (i = 0; i < n; i++) {
		switch (cls[i]) {
		case SS_NET_CLASS_FORWARD:
			fwd[nf++] = m[i];
			break;
		case SS_NET_CLASS_ESP:
			esp[ne++] = m[i];
			break;
		case SS_NET_CLASS_PUNT:
			punt[np++] = m[i];
			break;
		default:
			rte_pktmbuf_free(m[i]);
			break;
		}
	}
	worker_punt(w, punt, np, SS_PUNT_CTL);
	worker_steer(app, w, esp, ne, SS_HO_ESP);
	worker_steer(app, w, fwd, nf, SS_HO_FWD);
}

/* Frames handed over for a MACsec port this worker owns (tags
 * SS_HO_MSEC_*) are taken out of m[] and done here, in runs of one tag;
 * returns how many of m[] are left, in order. */
static unsigned int
worker_msec_split(struct ss_app *app, struct ss_worker *w,
	struct rte_mbuf **m, unsigned int n)
{
	struct rte_mbuf *run[SS_BURST];
	unsigned int i, k = 0, nr = 0;
	uint32_t rtag = 0;

	for (i = 0; i <= n; i++) {
		const uint32_t tag = i < n ? m[i]->hash.usr : 0;
		const uint32_t kind = HO_KIND(tag);

		if (nr != 0 && (i == n || tag != rtag)) {
			const uint8_t p = (uint8_t)HO_SERVER(rtag);

			if (p >= app->nb_ports || app->msec[p] == NULL) {
				rte_pktmbuf_free_bulk(run, nr);
			} else if (HO_KIND(rtag) == SS_HO_MSEC_RX) {
				const uint16_t left = ss_app_macsec_validate(
					app, w, p, run, (uint16_t)nr);

				if (left != 0)
					worker_input(app, w, p, run, left);
			} else {
				ss_app_macsec_protect_tx(app, w, p, run,
					(uint16_t)nr);
			}
			nr = 0;
		}
		if (i == n)
			break;
		if (kind == SS_HO_MSEC_RX || kind == SS_HO_MSEC_TX) {
			rtag = tag;
			run[nr++] = m[i];
		} else {
			m[k++] = m[i];
		}
	}
	return k;
}

/* The rings this worker drains (those that exist), and whose they are. */
struct worker_rings {
	uint16_t n;
	uint16_t from[SS_MAX_WORKERS + 1];
	struct rte_ring *r[SS_MAX_WORKERS + 1];
};

static uint16_t
worker_drain_handoff(struct ss_app *app, struct ss_worker *w,
	const struct worker_rings *in)
{
	struct rte_mbuf *m[SS_BURST], *b[SS_BURST];
	uint16_t j, total = 0;

	for (j = 0; j < in->n; j++) {
		unsigned int n, i, kind;
		uint32_t t0, tdiff = 0;
		uint64_t c0;

		/* An empty ring: one read of the producer's tail. */
		if (rte_ring_empty(in->r[j]))
			continue;
		c0 = stage_t0(w);
		n = rte_ring_sc_dequeue_burst(in->r[j], (void **)m, SS_BURST,
			NULL);
		if (n == 0)
			continue;
		stage_end(w, SS_STAGE_HANDOFF, n, c0);
		w->st.handoff_rx += n;
		total += n;
		if (unlikely(app->msec_mask != 0)) {
			n = worker_msec_split(app, w, m, n);
			if (n == 0)
				continue;
		}
		if (in->from[j] == app->nb_workers) {
			/* From the control lcore's RX queue: not steered yet
			 * (tag holds the net class); or made there, to be
			 * routed as it is (SS_APP_CLASS_ROUTE). */
			uint16_t ne = 0, nf = 0, nr = 0;
			struct rte_mbuf *esp[SS_BURST], *rt[SS_BURST];

			for (i = 0; i < n; i++) {
				if (m[i]->hash.usr == SS_NET_CLASS_ESP)
					esp[ne++] = m[i];
				else if (m[i]->hash.usr == SS_APP_CLASS_ROUTE)
					rt[nr++] = m[i];
				else
					b[nf++] = m[i];
			}
			worker_steer(app, w, esp, ne, SS_HO_ESP);
			worker_steer(app, w, b, nf, SS_HO_FWD);
			worker_forward(app, w, rt, nr);
			continue;
		}
		/* Split by kind before processing anything: processing
		 * reuses the mbuf's hash field (and may free the mbuf).
		 * Usually the whole burst has one tag: no split. */
		t0 = m[0]->hash.usr;
		for (i = 1; i < n; i++)
			tdiff |= m[i]->hash.usr ^ t0;
		kind = HO_KIND(t0);
		if (likely(tdiff == 0 && kind >= SS_HO_FWD &&
				kind <= SS_HO_INNER)) {
			app->srv[HO_SERVER(t0)].handoff_in += n;
			worker_local_one(app, w, m, HO_SERVER(t0), n, kind);
			continue;
		}
		{
			struct rte_mbuf *k_m[3][SS_BURST];
			uint16_t k_own[3][SS_BURST], k_n[3] = { 0, 0, 0 };

			for (i = 0; i < n; i++) {
				const uint32_t tag = m[i]->hash.usr;

				kind = HO_KIND(tag);
				if (unlikely(kind < SS_HO_FWD ||
						kind > SS_HO_INNER)) {
					rte_pktmbuf_free(m[i]);
					continue;
				}
				k_own[kind - 1][k_n[kind - 1]] = HO_SERVER(tag);
				k_m[kind - 1][k_n[kind - 1]++] = m[i];
				app->srv[HO_SERVER(tag)].handoff_in++;
			}
			for (kind = SS_HO_FWD; kind <= SS_HO_INNER; kind++)
				if (k_n[kind - 1] != 0)
					worker_local(app, w, k_m[kind - 1],
						k_own[kind - 1], k_n[kind - 1],
						kind);
		}
	}
	return total;
}

int
ss_app_worker_main(void *arg)
{
	struct ss_app *app = &ss_app;
	struct ss_worker *w = arg;
	const bool adaptive = app->cfg.poll_mode == SS_CFG_POLL_ADAPTIVE;
	const struct timespec nap = { 0, SS_IDLE_NAP_NS };
	struct rte_mbuf *m[SS_BURST];
	struct worker_rings in = { .n = 0 };
	unsigned int idle = 0;
	uint16_t j;
	uint8_t p;

	RTE_BUILD_BUG_ON(SS_CFG_MAX_PORTS > 32);	/* tx_pending bits */
	/* The rings are made before the workers start and stay. */
	for (j = 0; j <= app->nb_workers; j++)
		if (w->in[j] != NULL) {
			in.from[in.n] = j;
			in.r[in.n++] = w->in[j];
		}
	w->tx_pending = 0;
	/* rte_log is cold, and GCC takes a function that calls a cold one
	 * unconditionally for one that never runs: it would optimise this
	 * loop and every stage it calls for size (no vectorised loops). */
	if (rte_log_can_log(RTE_LOGTYPE_USER1, RTE_LOG_INFO))
		APP_LOG(INFO, "worker %u on lcore %u: %u server(s)\n",
			w->idx, w->lcore, w->nb_servers);
	rte_rcu_qsbr_thread_register(app->qsbr, w->idx);
	rte_rcu_qsbr_thread_online(app->qsbr, w->idx);
	while (!app->quit) {
		const uint64_t t0 = rte_rdtsc();
		uint32_t got = 0, pend;
		uint64_t c0;

		/* A plain load: the flag only says when to start timing. */
		w->prof = __atomic_load_n(&app->runtime_on, __ATOMIC_RELAXED);
		/* Held packets whose SA has come go out before new ones. */
		if (unlikely(w->hold_on))
			got += ss_app_hold_poll(app, w);
		if (unlikely(w->msec_hold != 0))
			got += ss_app_macsec_hold_poll(app, w);
		for (p = 0; p < app->nb_ports; p++) {
			uint16_t n;

			c0 = stage_t0(w);
			n = rte_eth_rx_burst(app->port_id[p], w->idx, m,
				SS_BURST);
			if (n == 0)
				continue;
			stage_end(w, SS_STAGE_RX, n, c0);
			got += n;
			w->st.rx_pkts += n;
			if (unlikely(app->msec_mask >> p & 1)) {
				n = ss_app_macsec_rx(app, w, p, m, n);
				if (n == 0)
					continue;
			}
			worker_input(app, w, p, m, n);
		}
		got += worker_drain_handoff(app, w, &in);
		/* Only the ports that took packets since the last flush. */
		pend = w->tx_pending;
		w->tx_pending = 0;
		c0 = stage_t0(w);
		while (pend != 0) {
			p = (uint8_t)rte_bsf32(pend);
			pend &= pend - 1;
			rte_eth_tx_buffer_flush(app->port_id[p], w->idx,
				w->txb[p]);
		}
		if (got != 0)
			stage_end(w, SS_STAGE_TX, 0, c0);
		/* Nothing from before this point is referenced any more:
		 * SAs and SPD snapshots retired earlier may now be freed. */
		rte_rcu_qsbr_quiescent(app->qsbr, w->idx);
		w->st.polls++;
		if (got != 0) {
			const uint64_t busy = rte_rdtsc() - t0;

			w->st.busy_cycles += busy;
			w->st.busy_polls++;
			if (unlikely(w->prof)) {
				w->prof_busy += busy;
				w->prof_polls++;
			}
			idle = 0;
		} else if (adaptive && ++idle > SS_IDLE_POLLS) {
			nanosleep(&nap, NULL);
		} else {
			rte_pause();
		}
	}
	rte_rcu_qsbr_thread_offline(app->qsbr, w->idx);
	rte_rcu_qsbr_thread_unregister(app->qsbr, w->idx);
	return 0;
}

int
ss_app_workers_init(struct ss_app *app)
{
	char name[RTE_RING_NAMESIZE];
	uint16_t i, j;
	uint8_t p;

	for (i = 0; i < app->nb_workers; i++) {
		struct ss_worker *w = &app->workers[i];
		int socket = (int)rte_lcore_to_socket_id(w->lcore);

		snprintf(name, sizeof(name), "ss_punt_%u", i);
		w->punt = rte_ring_create(name, SS_PUNT_RING, socket,
			RING_F_SP_ENQ | RING_F_SC_DEQ);
		if (w->punt == NULL)
			goto nomem;
		snprintf(name, sizeof(name), "ss_acq_%u", i);
		w->acq = rte_ring_create_elem(name,
			sizeof(struct ss_acquire), SS_ACQ_RING, socket,
			RING_F_SP_ENQ | RING_F_SC_DEQ);
		if (w->acq == NULL)
			goto nomem;
		for (j = 0; j <= app->nb_workers; j++) {
			if (j == i)
				continue;
			snprintf(name, sizeof(name), "ss_ho_%u_%u", j, i);
			w->in[j] = rte_ring_create(name, SS_HANDOFF_RING,
				socket, RING_F_SP_ENQ | RING_F_SC_DEQ);
			if (w->in[j] == NULL)
				goto nomem;
		}
		for (p = 0; p < app->nb_ports; p++) {
			w->txb[p] = rte_zmalloc_socket("ss_txb",
				RTE_ETH_TX_BUFFER_SIZE(SS_BURST), 0, socket);
			if (w->txb[p] == NULL)
				goto nomem;
			rte_eth_tx_buffer_init(w->txb[p], SS_BURST);
			rte_eth_tx_buffer_set_err_callback(w->txb[p],
				tx_drop_cb, w);
		}
		if (app->spd != NULL) {
			w->spd_cache = ss_spd_cache_create(socket);
			w->spd_hits = ss_spd_hits_alloc(app->spd, w->lcore);
			if (w->spd_cache == NULL || w->spd_hits == NULL)
				goto nomem;
		}
	}
	return 0;
nomem:
	APP_LOG(ERR, "cannot allocate worker rings/buffers: %s\n",
		rte_strerror(rte_errno));
	return -ENOMEM;
}

static void
ring_drain_free(struct rte_ring *r)
{
	void *m;

	if (r == NULL)
		return;
	while (rte_ring_dequeue(r, &m) == 0)
		rte_pktmbuf_free(m);
	rte_ring_free(r);
}

void
ss_app_workers_fini(struct ss_app *app)
{
	uint16_t i, j;
	uint8_t p;

	for (i = 0; i < app->nb_workers; i++) {
		struct ss_worker *w = &app->workers[i];

		ring_drain_free(w->punt);
		w->punt = NULL;
		rte_ring_free(w->acq);
		w->acq = NULL;
		for (j = 0; j <= app->nb_workers; j++) {
			ring_drain_free(w->in[j]);
			w->in[j] = NULL;
		}
		for (p = 0; p < app->nb_ports; p++) {
			if (w->txb[p] != NULL)
				rte_pktmbuf_free_bulk(w->txb[p]->pkts,
					w->txb[p]->length);
			rte_free(w->txb[p]);
			w->txb[p] = NULL;
		}
		ss_spd_cache_free(w->spd_cache);
		w->spd_cache = NULL;
		w->spd_hits = NULL;	/* the SPD's own */
	}
}

/* Symmetric over the address pair so both directions of a flow pick the
 * same worker. */
uint16_t
ss_app_ctl_owner(const struct ss_app *app, const struct rte_mbuf *m)
{
	const uint8_t *l3 = rte_pktmbuf_mtod_offset(m, const uint8_t *,
		m->l2_len);
	uint32_t h = 0;
	unsigned int i;

	if (app->nb_workers == 1)
		return 0;
	if (RTE_ETH_IS_IPV4_HDR(m->packet_type)) {
		const struct rte_ipv4_hdr *ip = (const void *)l3;

		h = ip->src_addr ^ ip->dst_addr;
	} else if (RTE_ETH_IS_IPV6_HDR(m->packet_type)) {
		const struct rte_ipv6_hdr *ip6 = (const void *)l3;

		for (i = 0; i < 16; i += 4) {
			uint32_t a, b;

			memcpy(&a, &ip6->src_addr[i], 4);
			memcpy(&b, &ip6->dst_addr[i], 4);
			h ^= a ^ b;
		}
	}
	h ^= h >> 16;
	h ^= h >> 8;
	return (uint16_t)(h % app->nb_workers);
}
