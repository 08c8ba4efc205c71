/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 shardsec authors
 */

/* ESP outbound: checks, grouping by SA, framing through the SA's back-end
 * (ipsec-mb or rte_ipsec), lifetimes, counters. */

#include <errno.h>
#include <string.h>
#include <netinet/in.h>

#include <rte_byteorder.h>
#include <rte_cryptodev.h>
#include <rte_errno.h>
#include <rte_esp.h>
#include <rte_ip.h>
#include <rte_ipsec.h>
#include <rte_malloc.h>
#include <rte_memory.h>
#include <rte_udp.h>

#include "ss_esp_priv.h"
#include "ss_esp_mb.h"

/* ---- outbound ------------------------------------------------------- */

/* Bytes that ESP adds to a cleartext of plen bytes (plen: the part that
 * gets encrypted, i.e. whole inner packet in tunnel mode). */
static inline uint32_t
esp_out_len(const struct ss_sa *sa, const struct ss_esp_sa *esa,
	uint32_t hl, uint32_t plen)
{
	uint32_t l = sizeof(struct rte_esp_hdr) + esa->iv_len +
		RTE_ALIGN_CEIL(plen + 2, esa->pad_align) + esa->icv_len;

	l += sa->mode == SS_SA_MODE_TUNNEL ? esa->outer_hl : hl;
	if (sa->udp_encap)
		l += sizeof(struct rte_udp_hdr);
	return l;
}

/* Largest cleartext packet that fits the SA's MTU. */
static uint16_t
esp_inner_mtu(const struct ss_sa *sa, const struct ss_esp_sa *esa,
	uint32_t hl)
{
	uint32_t fixed = sizeof(struct rte_esp_hdr) + esa->iv_len +
		esa->icv_len + (sa->udp_encap ? 8 : 0) +
		(sa->mode == SS_SA_MODE_TUNNEL ? esa->outer_hl : hl);
	uint32_t room;

	if (sa->mtu <= fixed + 2)
		return 0;
	room = RTE_ALIGN_FLOOR(sa->mtu - fixed, esa->pad_align) - 2;
	if (sa->mode == SS_SA_MODE_TRANSPORT)
		room += hl;
	return (uint16_t)room;
}

static void
outb_finish(const struct ss_sa *sa, struct rte_mbuf *m)
{
	uint8_t *d = rte_pktmbuf_mtod(m, uint8_t *);
	uint32_t hl = sa->local.family == AF_INET ?
		(uint32_t)(d[0] & 0xf) * 4 : 40;

	if (sa->udp_encap) {
		struct rte_udp_hdr *u;
		uint8_t *nd = (uint8_t *)rte_pktmbuf_prepend(m, 8);

		/* Headroom was checked before rte_ipsec ran. */
		memmove(nd, d, hl);
		d = nd;
		u = (struct rte_udp_hdr *)(d + hl);
		u->src_port = esp_be16(sa->encap_local_port);
		u->dst_port = esp_be16(sa->encap_peer_port);
		u->dgram_len = esp_be16((uint16_t)(rte_pktmbuf_pkt_len(m) -
			hl));
		u->dgram_cksum = 0;
		ss_esp_ip_set(d, IPPROTO_UDP, rte_pktmbuf_pkt_len(m));
		if (sa->local.family == AF_INET6)
			/* IPv6 forbids a zero UDP checksum here (RFC 8200). */
			u->dgram_cksum = rte_ipv6_udptcp_cksum(
				(const struct rte_ipv6_hdr *)d, u);
	}
	if (sa->local.family == AF_INET)
		esp_ipv4_cksum_set((struct rte_ipv4_hdr *)d);
	m->l2_len = 0;
	m->l3_len = hl;
	m->packet_type = (sa->local.family == AF_INET ? RTE_PTYPE_L3_IPV4 :
		RTE_PTYPE_L3_IPV6) | (sa->udp_encap ? RTE_PTYPE_L4_UDP : 0);
	m->ol_flags &= ~(RTE_MBUF_F_TX_SEC_OFFLOAD | RTE_MBUF_F_TX_IP_CKSUM |
		RTE_MBUF_F_TX_L4_MASK);
}

/* Counters and lifetime after a group of one SA went out. */
static inline void
outb_account(struct ss_esp_server *srv, struct ss_sa *sa, uint16_t done,
	uint64_t bytes)
{
	sa->st.packets += done;
	sa->st.bytes += bytes;
	srv->st.out_packets += done;
	srv->st.out_bytes += bytes;
	esp_lifetime_update(sa);
}

/* An SA whose back-end builds ESP itself (ipsec-mb). */
static uint16_t
outb_group_own(struct ss_esp_server *srv, struct ss_sa *sa,
	struct rte_mbuf *mb[], uint16_t n, uint64_t bytes,
	struct rte_mbuf **out)
{
	int32_t st[SS_ESP_BURST];
	uint64_t seq;
	uint16_t i, nbad, done = 0;

	nbad = ss_esp_mb_outb(srv->mb, sa, sa->dp, mb, n, st, &seq);
	sa->st.seq = seq;
	if (likely(nbad == 0)) {
		memcpy(out, mb, n * sizeof(*mb));
		outb_account(srv, sa, n, bytes);
		return n;
	}
	for (i = 0; i < n; i++) {
		if (likely(st[i] == 0)) {
			out[done++] = mb[i];
			continue;
		}
		bytes -= M_LEN(mb[i]);
		esp_drop(srv, sa, mb[i], st[i] == -EOVERFLOW ?
			SS_SA_DROP_SEQ_OVERFLOW : SS_SA_DROP_CRYPTO_ERROR);
	}
	outb_account(srv, sa, done, bytes);
	return done;
}

/* An inline crypto SA: rte_ipsec frames ESP and flags each packet for
 * the NIC, which encrypts it on transmit. */
static uint16_t
outb_group_inline(struct ss_esp_server *srv, struct ss_sa *sa,
	struct rte_mbuf *mb[], uint16_t n, struct rte_mbuf **out)
{
	struct ss_esp_sa *esa = sa->dp;
	uint64_t bytes = 0;
	uint16_t k, i;

	k = rte_ipsec_pkt_process(&esa->ss, mb, n);
	if (unlikely(k != n)) {
		/* rte_ipsec moved the refused ones behind the others */
		enum ss_sa_drop why = rte_errno == EOVERFLOW ?
			SS_SA_DROP_SEQ_OVERFLOW : SS_SA_DROP_NO_ROOM;

		for (i = k; i < n; i++)
			esp_drop(srv, sa, mb[i], why);
	}
	sa->st.seq += k;
	for (i = 0; i < k; i++) {
		bytes += M_LEN(mb[i]);
		outb_finish(sa, mb[i]);
		/* the NIC's cue (with the metadata rte_ipsec attached) */
		mb[i]->ol_flags |= RTE_MBUF_F_TX_SEC_OFFLOAD;
		out[i] = mb[i];
	}
	outb_account(srv, sa, k, bytes);
	return k;
}

/* bytes: the sum of M_LEN over mb[] (the caller adds it up anyway). */
static uint16_t
outb_group(struct ss_esp_server *srv, struct ss_sa *sa,
	struct rte_mbuf *mb[], uint16_t n, uint64_t in_bytes,
	struct rte_mbuf **out)
{
	struct ss_esp_sa *esa = sa->dp;
	struct rte_crypto_op **ops = srv->ops;
	struct rte_mbuf *good[SS_ESP_BURST];
	uint16_t k, g, i, done;
	uint64_t bytes = 0;

	n = esp_hard_cut(srv, sa, mb, n, &in_bytes, false);
	if (unlikely(n == 0))
		return 0;
	if (esa->be->own_esp)
		return outb_group_own(srv, sa, mb, n, in_bytes, out);
	if (esa->be->inline_crypto)
		return outb_group_inline(srv, sa, mb, n, out);
	k = rte_ipsec_pkt_crypto_prepare(&esa->ss, mb, ops, n);
	if (k != n) {
		enum ss_sa_drop why = rte_errno == EOVERFLOW ?
			SS_SA_DROP_SEQ_OVERFLOW : SS_SA_DROP_NO_ROOM;

		for (i = k; i < n; i++)
			esp_drop(srv, sa, mb[i], why);
	}
	sa->st.seq += k;
	if (k == 0)
		return 0;
	esa->be->process(srv, esa, ops, k);
	for (i = 0, g = 0; i < k; i++) {
		struct rte_mbuf *m = ops[i]->sym->m_src;

		if (ops[i]->status == RTE_CRYPTO_OP_STATUS_SUCCESS)
			good[g++] = m;
		else
			esp_drop(srv, sa, m, SS_SA_DROP_CRYPTO_ERROR);
	}
	done = rte_ipsec_pkt_process(&esa->ss, good, g);
	for (i = done; i < g; i++)
		esp_drop(srv, sa, good[i], SS_SA_DROP_CRYPTO_ERROR);
	for (i = 0; i < done; i++) {
		bytes += M_LEN(good[i]);
		outb_finish(sa, good[i]);
		out[i] = good[i];
	}
	outb_account(srv, sa, done, bytes);
	return done;
}

/* Per-SA constants of outb_chunk's checks (outb_run_load). The inner
 * header's family as outb_fast_ok tests it: its first byte under vmask
 * is vval, its length field at len_ofs plus len_add is the datagram's
 * length, and hl is its length (the family's without options). */
struct outb_run {
	uint32_t fixed, need, align, mtu;
	int32_t max_plen;
	uint32_t len_ofs, len_add, hl;
	uint8_t vmask, vval;
	bool ok, trs, v4;
};

/* To the caller's hold when it keeps one (and has room), else dropped
 * and counted under 'why'. Returns false: the packet does not go on. */
static bool
outb_hold_or_drop(struct ss_esp_server *srv, struct ss_sa *sa,
	struct rte_mbuf *p, struct ss_esp_aside *tb, uint32_t tunnel,
	enum ss_sa_drop why)
{
	if (tb != NULL && tb->hold && tb->nh < SS_ESP_TOOBIG_MAX) {
		tb->htun[tb->nh] = tunnel;
		tb->hm[tb->nh++] = p;
	} else {
		esp_drop(srv, sa, p, why);
	}
	return false;
}

/* The checks of outb_chunk for one packet, in their order, each failure
 * counted under its own reason: the path of packets that the fast test
 * there did not clear. Returns true when p goes on (l3_len, M_LEN set). */
static bool
outb_check_slow(struct ss_esp_server *srv, struct ss_sa *sa,
	const struct ss_esp_sa *esa, struct rte_mbuf *p,
	const struct outb_run *r, struct ss_esp_aside *tb, uint32_t tunnel)
{
	uint32_t hl, plen;
	uint8_t fam = 0;

	/* No SA yet (being negotiated), or its key not yet confirmed by
	 * the NIC: the caller holds the packet until there is. */
	if (unlikely(sa == NULL))
		return outb_hold_or_drop(srv, NULL, p, tb, tunnel,
			SS_SA_DROP_NO_SA);
	if (unlikely(esa == NULL)) {
		esp_drop(srv, sa, p, SS_SA_DROP_BACKEND);
		return false;
	}
	if (unlikely(__atomic_load_n(&esa->paused, __ATOMIC_ACQUIRE)))
		return outb_hold_or_drop(srv, sa, p, tb, tunnel,
			SS_SA_DROP_PAUSED);
	if (unlikely(p->nb_segs > 1) && rte_pktmbuf_linearize(p) != 0) {
		esp_drop(srv, sa, p, SS_SA_DROP_NO_ROOM);
		return false;
	}
	hl = esp_ip_hdr_check(p, &fam);
	if (unlikely(hl == 0 || fam != sa->inner_family)) {
		esp_drop(srv, sa, p, SS_SA_DROP_BAD_INNER);
		return false;
	}
	if (esp_hard_expired_drop(srv, sa, p))
		return false;
	plen = rte_pktmbuf_pkt_len(p);
	if (unlikely(r->fixed + RTE_ALIGN_CEIL(plen + 2 - (r->trs ? hl : 0),
			r->align) + (r->trs ? hl : 0) > r->mtu)) {
		srv->st.drops[SS_SA_DROP_TOO_BIG]++;
		sa->st.drops[SS_SA_DROP_TOO_BIG]++;
		if (tb != NULL && tb->n < SS_ESP_TOOBIG_MAX) {
			tb->mtu[tb->n] = esp_inner_mtu(sa, esa, hl);
			tb->m[tb->n++] = p;
		} else {
			rte_pktmbuf_free(p);
		}
		return false;
	}
	if (unlikely(rte_pktmbuf_headroom(p) < r->need ||
			rte_pktmbuf_tailroom(p) < 64u)) {
		esp_drop(srv, sa, p, SS_SA_DROP_NO_ROOM);
		return false;
	}
	p->l2_len = 0;
	p->l3_len = hl;
	M_LEN(p) = plen;
	return true;
}

/* What the checks of one SA need, loaded once per run of packets of
 * one tunnel. ok is false when every packet of the run takes the slow
 * path (no SA, no ESP state, hard lifetime reached: the SA's counters do
 * not move before the chunk's groups are sent, so neither does this). */
static inline void
outb_run_load(struct outb_run *r, struct ss_sa *sa,
	const struct ss_esp_sa *esa)
{
	uint32_t room, hl;

	r->ok = false;
	if (sa == NULL || esa == NULL)
		return;
	r->trs = sa->mode == SS_SA_MODE_TRANSPORT;
	/* Bytes ESP adds besides the padded payload (and, in transport
	 * mode, the IP header kept in front). */
	r->fixed = esp_out_len(sa, esa, 0, 0) -
		RTE_ALIGN_CEIL(2u, esa->pad_align);
	r->align = esa->pad_align;
	r->mtu = sa->mtu;
	/* Head: outer IP (tunnel), ESP header, IV, UDP; tail: padding,
	 * trailer, ICV, ESN high bits and AAD scratch. */
	r->need = sizeof(struct rte_esp_hdr) + esa->iv_len + 8 +
		(r->trs ? 0 : esa->outer_hl);
	r->v4 = sa->inner_family == AF_INET;
	r->vmask = r->v4 ? 0xff : 0xf0;
	r->vval = r->v4 ? 0x45 : 0x60;
	r->len_ofs = r->v4 ? offsetof(struct rte_ipv4_hdr, total_length) :
		offsetof(struct rte_ipv6_hdr, payload_len);
	r->len_add = r->v4 ? 0 : sizeof(struct rte_ipv6_hdr);
	r->hl = r->v4 ? sizeof(struct rte_ipv4_hdr) :
		sizeof(struct rte_ipv6_hdr);
	/* fixed + ALIGN_CEIL(plen - hl + 2) + hl <= mtu exactly when
	 * plen <= ALIGN_FLOOR(mtu - fixed - hl) + hl - 2, so one compare
	 * per packet: hl is 0 in tunnel mode and, in transport mode, the
	 * one header length the fast test lets through. */
	hl = r->trs ? (r->v4 ? 20 : 40) : 0;
	room = r->mtu > r->fixed + hl ?
		RTE_ALIGN_FLOOR(r->mtu - r->fixed - hl, r->align) : 0;
	r->max_plen = (int32_t)(room + hl) - 2;
	r->ok = !sa->st.hard_expired && !esp_lifetime_hard(sa) &&
		(sa->inner_family == AF_INET || sa->inner_family == AF_INET6) &&
		!__atomic_load_n(&esa->paused, __ATOMIC_ACQUIRE);
}

/* The usual packet in one test: one segment, an inner IP header of the
 * SA's family without options whose length is the whole data, below the
 * MTU and with room at both ends. Anything else is sorted out by
 * outb_check_slow, which gives the same verdict the fast test gives. */
static inline bool
outb_fast_ok(const struct outb_run *r, const struct rte_mbuf *p)
{
	const uint8_t *d = rte_pktmbuf_mtod(p, const uint8_t *);
	const uint32_t len = rte_pktmbuf_data_len(p);
	uint32_t tot;
	uint16_t v;

	if (unlikely(len < 40))
		return false;
	memcpy(&v, d + r->len_ofs, sizeof(v));
	tot = esp_be16(v) + r->len_add;
	return (d[0] & r->vmask) == r->vval && p->nb_segs == 1 && tot == len &&
		(int32_t)rte_pktmbuf_pkt_len(p) <= r->max_plen &&
		rte_pktmbuf_headroom(p) >= r->need &&
		rte_pktmbuf_tailroom(p) >= 64u;
}

static uint16_t
outb_chunk(struct ss_esp_server *srv, struct rte_mbuf **m, uint16_t n,
	const uint32_t tunnel[], struct rte_mbuf **out,
	struct ss_esp_aside *tb)
{
	struct ss_sa *sas[SS_ESP_BURST], *grp[SS_ESP_BURST];
	struct rte_mbuf *keep[SS_ESP_BURST], *pk[SS_ESP_BURST];
	uint16_t cnt[SS_ESP_BURST];
	unsigned int i, k = 0, ng, g, o = 0, nout = 0;
	struct ss_sa *sa = NULL, *first = NULL;
	const struct ss_esp_sa *esa = NULL;
	struct outb_run r = { .ok = false };
	uint32_t cur = UINT32_MAX;
	uint64_t bytes = 0;
	bool mixed = false;

	/* Packets of a chunk mostly share one tunnel: its SA and the SA's
	 * constants are loaded once per run of equal tunnels. No prefetch:
	 * the worker issued the burst's misses, and classification,
	 * steering and the SPD have read these headers since. */
	for (i = 0; i < n; i++) {
		struct rte_mbuf *p = m[i];

		if (tunnel[i] != cur) {
			cur = tunnel[i];
			sa = cur < srv->max_tunnels ? __atomic_load_n(
				&srv->out_tab[cur], __ATOMIC_ACQUIRE) : NULL;
			esa = sa != NULL ? sa->dp : NULL;
			outb_run_load(&r, sa, esa);
			if (i == 0)
				first = sa;
			mixed |= sa != first;
		}
		if (likely(r.ok && outb_fast_ok(&r, p))) {
			p->l2_len = 0;
			p->l3_len = r.hl;
			M_LEN(p) = rte_pktmbuf_pkt_len(p);
		} else if (!outb_check_slow(srv, sa, esa, p, &r, tb, cur)) {
			continue;
		}
		bytes += M_LEN(p);
		sas[k] = sa;
		keep[k++] = p;
	}
	if (k == 0)
		return 0;
	/* One SA for the chunk (the usual case): no grouping. */
	if (!mixed)
		return outb_group(srv, first, keep, (uint16_t)k, bytes, out);
	ng = ss_esp_group_by_sa(sas, keep, k, grp, cnt, pk, NULL, NULL);
	for (g = 0; g < ng; g++) {
		for (i = 0, bytes = 0; i < cnt[g]; i++)
			bytes += M_LEN(pk[o + i]);
		nout += outb_group(srv, grp[g], pk + o, cnt[g], bytes,
			out + nout);
		o += cnt[g];
	}
	return (uint16_t)nout;
}

uint16_t
ss_esp_outbound_burst(struct ss_esp_server *srv, struct rte_mbuf **m,
	uint16_t n, const uint32_t tunnel[], struct rte_mbuf **out,
	struct ss_esp_aside *tb)
{
	uint16_t i, c, nout = 0;

	if (tb != NULL) {
		tb->n = 0;
		tb->nh = 0;
	}
	for (i = 0; i < n; i += c) {
		c = RTE_MIN((uint16_t)(n - i), (uint16_t)SS_ESP_BURST);
		nout += outb_chunk(srv, m + i, c, tunnel + i, out + nout, tb);
	}
	return nout;
}
