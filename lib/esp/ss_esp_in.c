/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 shardsec authors
 */

/* ESP inbound: outer header and SA checks, anti-replay, decryption through
 * the SA's back-end, trailer and padding, inner header and selectors. */

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

/* ---- inbound -------------------------------------------------------- */

static inline bool
prefix_match(const struct ss_prefix *p, uint8_t fam, const uint8_t *a)
{
	unsigned int bytes, bits;
	const uint8_t *pa;

	if (p->addr.family == 0)
		return true;
	if (p->addr.family != fam)
		return false;
	pa = fam == AF_INET ? (const uint8_t *)&p->addr.v4 : p->addr.v6;
	bytes = p->len / 8;
	bits = p->len % 8;
	if (memcmp(pa, a, bytes) != 0)
		return false;
	if (bits != 0) {
		uint8_t mask = (uint8_t)(0xff << (8 - bits));

		if ((pa[bytes] ^ a[bytes]) & mask)
			return false;
	}
	return true;
}

/* Ports of a TCP, UDP or SCTP header at d + hl (0 for other protocols
 * and when cut short), source in the high half. */
static inline uint32_t
ts_ports(const uint8_t *d, uint32_t len, uint8_t proto, uint32_t hl)
{
	rte_be32_t v;

	if ((proto == IPPROTO_TCP || proto == IPPROTO_UDP ||
			proto == IPPROTO_SCTP) && len >= hl + 4) {
		memcpy(&v, d + hl, sizeof(v));
		return esp_be32(v);
	}
	return 0;
}

/* IPv6 inner packet against sa->ts (IPv6 selectors are rare: out of
 * line). */
static __rte_noinline bool
ts_match6(const struct ss_sa *sa, const uint8_t *d, uint32_t len,
	uint32_t hl)
{
	const struct rte_ipv6_hdr *h = (const void *)d;
	const uint32_t ports = ts_ports(d, len, h->proto, hl);
	const uint16_t sp = (uint16_t)(ports >> 16), dp = (uint16_t)ports;
	unsigned int i;

	for (i = 0; i < sa->nb_ts; i++) {
		const struct ss_sa_ts *t = &sa->ts[i];

		if (!prefix_match(&t->src, AF_INET6, h->src_addr) ||
				!prefix_match(&t->dst, AF_INET6, h->dst_addr))
			continue;
		if (t->proto != 0 && t->proto != h->proto)
			continue;
		if (sp < t->sport_lo || sp > t->sport_hi ||
				dp < t->dport_lo || dp > t->dport_hi)
			continue;
		return true;
	}
	return false;
}

/* Inner packet against the SA's selectors; false: no selector admits it.
 * IPv4 through the flattened copy (esa->ts4), IPv6 through sa->ts. */
static inline bool
ts_match(const struct ss_sa *sa, const struct ss_esp_sa *esa,
	const uint8_t *d, uint32_t len, uint8_t fam, uint32_t hl)
{
	const struct rte_ipv4_hdr *h = (const void *)d;
	uint32_t s4, d4, ports;
	uint16_t sp, dp;
	uint8_t proto;
	unsigned int i;

	if (sa->nb_ts == 0)
		return true;
	if (fam != AF_INET)
		return ts_match6(sa, d, len, hl);
	s4 = esp_be32(h->src_addr);
	d4 = esp_be32(h->dst_addr);
	proto = h->next_proto_id;
	if (!esa->ts4_ports) {
		/* Every selector takes any port: the port tests below
		 * would pass whatever the ports. */
		for (i = 0; i < esa->nb_ts4; i++) {
			const struct ss_esp_ts4 *t = &esa->ts4[i];

			if ((((s4 & t->smask) ^ t->src) |
					((d4 & t->dmask) ^ t->dst) |
					((proto ^ t->proto) & t->pmask)) == 0)
				return true;
		}
		return false;
	}
	/* Later fragments have no ports: 0, as for other protocols. */
	ports = (h->fragment_offset & rte_cpu_to_be_16(
		RTE_IPV4_HDR_OFFSET_MASK)) == 0 ?
		ts_ports(d, len, proto, hl) : 0;
	sp = (uint16_t)(ports >> 16);
	dp = (uint16_t)ports;
	for (i = 0; i < esa->nb_ts4; i++) {
		const struct ss_esp_ts4 *t = &esa->ts4[i];

		if ((((s4 & t->smask) ^ t->src) | ((d4 & t->dmask) ^ t->dst) |
				((proto ^ t->proto) & t->pmask)) == 0 &&
				(uint16_t)(sp - t->sport_lo) <= t->sport_span &&
				(uint16_t)(dp - t->dport_lo) <= t->dport_span)
			return true;
	}
	return false;
}

/* The selector test of one group of packets, set up once per group:
 * one IPv4 selector that takes any port, the usual SA, is one masked
 * compare on words held in locals (each packet's stores to its mbuf
 * would otherwise reload it from the SA), and so is nb_ts 0 (any
 * packet: masks of nothing, and ts_match passes IPv6 at once); for
 * anything else the compare never passes (a value bit outside the
 * mask), so that a packet goes on to ts_match with no further test.
 * A failed compare goes there too: ts_match gives the same answer for
 * the one selector. The addresses are taken as the header holds them,
 * source and destination in one 8-byte load: amask and aval are the
 * selector's masks and values in the same byte order and layout (a
 * masked compare needs no byte swap when both sides are swapped
 * alike). */
struct inb_ts {
	uint64_t amask, aval;
	uint8_t proto, pmask;
};

static inline void
inb_ts_load(struct inb_ts *t, const struct ss_sa *sa,
	const struct ss_esp_sa *esa)
{
	/* ts4[0] exists whatever nb_ts4: copied without a test */
	const struct ss_esp_ts4 *f = &esa->ts4[0];
	/* bytes 12-19 of the IPv4 header: source, then destination */
	const rte_be32_t m[2] = { esp_be32(f->smask), esp_be32(f->dmask) };
	const rte_be32_t v[2] = { esp_be32(f->src), esp_be32(f->dst) };

	t->proto = 0;
	t->pmask = 0;
	if (sa->nb_ts == 0) {
		t->amask = 0;
		t->aval = 0;
		return;
	}
	if (esa->nb_ts4 != 1 || esa->ts4_ports) {
		t->amask = 0;
		t->aval = 1;
		return;
	}
	memcpy(&t->amask, m, sizeof(m));
	memcpy(&t->aval, v, sizeof(v));
	t->proto = f->proto;
	t->pmask = f->pmask;
}

/* ts_match, the group's masked compare first. */
static __rte_always_inline bool
inb_ts_ok(const struct inb_ts *t, const struct ss_sa *sa,
	const struct ss_esp_sa *esa, const uint8_t *d, uint32_t len,
	uint8_t fam, uint32_t hl)
{
	const struct rte_ipv4_hdr *h = (const void *)d;
	uint64_t a;

	if (likely(fam == AF_INET)) {
		memcpy(&a, &h->src_addr, sizeof(a));
		if (likely((((a & t->amask) ^ t->aval) |
				((h->next_proto_id ^ t->proto) &
				t->pmask)) == 0))
			return true;
	}
	return ts_match(sa, esa, d, len, fam, hl);
}

/* RFC 4303 appendix A2.2: the high half of an ESN from its low half. */
static inline uint64_t
esn_guess(uint64_t top, uint32_t seq, uint32_t win)
{
	uint32_t tl = (uint32_t)top;
	uint32_t th = (uint32_t)(top >> 32);

	if (tl >= win - 1) {
		if (seq < tl - win + 1)
			th++;
	} else {
		if (seq >= tl - win + 1 && th != 0)
			th--;
	}
	return (uint64_t)th << 32 | seq;
}

static inline uint64_t
replay_seq(const struct ss_sa *sa, const struct ss_esp_replay *r,
	uint32_t seq)
{
	return sa->esn ? esn_guess(r->top, seq, r->w) : seq;
}

/* After authentication: record s, moving the window when ahead. The
 * usual s, top + 1 in the same word, clears no word. */
static inline bool
replay_update(struct ss_esp_replay *r, uint64_t s)
{
	uint64_t *wd = &r->bits[(s >> 6) & (SS_ESP_REPLAY_WORDS - 1)];
	const uint64_t bit = UINT64_C(1) << (s & 63);

	if (likely(s > r->top)) {
		uint64_t from = r->top >> 6, to = s >> 6, i;

		if (unlikely(to != from)) {
			if (to - from > SS_ESP_REPLAY_WORDS)
				from = to - SS_ESP_REPLAY_WORDS;
			for (i = from + 1; i <= to; i++)
				r->bits[i & (SS_ESP_REPLAY_WORDS - 1)] = 0;
		}
		r->top = s;
		*wd |= bit;
		return true;
	}
	if (s == 0 || s + r->w <= r->top || (*wd & bit) != 0)
		return false;
	*wd |= bit;
	return true;
}

/* What rte_ipsec_pkt_process does for the other back-ends, once the
 * packet is authenticated and its trailer checked: the inner packet (or
 * the transport-mode IP header and payload) becomes the whole mbuf. */
/* The drop reason for a back-end's per-packet status (not 0). */
static inline enum ss_sa_drop
crypto_drop_why(int32_t st)
{
	return st == -EBADMSG ? SS_SA_DROP_AUTH_FAILED :
		st == -ENOTSUP ? SS_SA_DROP_NOT_OFFLOADED :
		SS_SA_DROP_CRYPTO_ERROR;
}

static inline void
inb_strip(const struct ss_sa *sa, const struct ss_esp_sa *esa,
	struct rte_mbuf *m)
{
	const uint32_t tofs = M_LEN(m) - esa->icv_len - 2;
	const uint8_t *t = rte_pktmbuf_mtod_offset(m, const uint8_t *, tofs);
	const uint16_t cut = (uint16_t)(t[0] + 2 + esa->icv_len);
	const uint8_t nh = t[1];
	const uint32_t head = sizeof(struct rte_esp_hdr) + esa->iv_len;

	if (sa->mode == SS_SA_MODE_TUNNEL) {
		rte_pktmbuf_adj(m, (uint16_t)(m->l3_len + head));
		rte_pktmbuf_trim(m, cut);
		return;
	}
	{
		const uint32_t hl = m->l3_len;
		uint8_t *d = rte_pktmbuf_mtod(m, uint8_t *);

		memmove(d + head, d, hl);
		d = (uint8_t *)rte_pktmbuf_adj(m, (uint16_t)head);
		rte_pktmbuf_trim(m, cut);
		ss_esp_ip_set(d, nh, rte_pktmbuf_pkt_len(m));
	}
}

/* What the 16 bytes before the pad length byte hold for a pad length
 * p, read from p on: 1, 2, ... p at the end (first half) and which of
 * the 16 are pad bytes at all (second half, from PAD_MSK + p). One table,
 * so that one register holds its address in the packet loops. */
#define PAD_MSK 32
static const uint8_t pad_tab[64] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
};

/* RFC 4303 2.4: the pad bytes before t (the pad length byte) are 1, 2,
 * 3... Up to 16 (GCM pads at most 3, CBC 15) in two words, without a
 * loop: the 16 bytes before t are inside the packet, behind at least
 * the outer IP and ESP headers. */
static inline bool
pad_ok(const uint8_t *t, uint8_t pad)
{
	unsigned int j;

	if (likely(pad <= 16)) {
		uint64_t w0, w1, r0, r1, k0, k1;

		memcpy(&w0, t - 16, 8);
		memcpy(&w1, t - 8, 8);
		memcpy(&r0, pad_tab + pad, 8);
		memcpy(&r1, pad_tab + pad + 8, 8);
		memcpy(&k0, pad_tab + PAD_MSK + pad, 8);
		memcpy(&k1, pad_tab + PAD_MSK + pad + 8, 8);
		return (((w0 ^ r0) & k0) | ((w1 ^ r1) & k1)) == 0;
	}
	for (j = 0; j < pad; j++)
		if (t[(int)j - pad] != j + 1)
			return false;
	return true;
}

/* Inner packet checks after the strip, shared by both group paths:
 * BAD_INNER, SELECTOR_MISMATCH, or true with the mbuf set for the
 * caller. The usual header (IPv4 without options or IPv6, its length
 * the whole data) skips esp_ip_hdr_check's cases. whole: the caller
 * cut data_len and pkt_len of a one-segment mbuf alike itself. */
static __rte_always_inline bool
inb_inner(struct ss_esp_server *srv, struct ss_sa *sa,
	const struct ss_esp_sa *esa, const struct inb_ts *ts,
	struct rte_mbuf *m, const uint8_t ifam, const bool trs,
	const bool whole)
{
	const uint8_t *d = rte_pktmbuf_mtod(m, const uint8_t *);
	const uint32_t len = rte_pktmbuf_data_len(m);
	uint32_t hl, ptype;
	uint8_t fam = 0;

	if (likely(len >= 40 && ifam == AF_INET && d[0] == 0x45 &&
			esp_be16(((const struct rte_ipv4_hdr *)d)->
			total_length) == len)) {
		hl = sizeof(struct rte_ipv4_hdr);
		fam = AF_INET;
		/* Inner steering need not check this header again. The
		 * mark is a promise to other libraries: the one-segment
		 * test is left out only where this file's own arithmetic
		 * makes it true. */
		ptype = RTE_PTYPE_L3_IPV4 | (whole || m->pkt_len == len ?
			SS_ESP_PTYPE_IP4_CHECKED : 0);
	} else if (likely(len >= 40 && ifam == AF_INET6 &&
			(d[0] >> 4) == 6 && sizeof(struct rte_ipv6_hdr) +
			esp_be16(((const struct rte_ipv6_hdr *)d)->
			payload_len) == len)) {
		hl = sizeof(struct rte_ipv6_hdr);
		fam = AF_INET6;
		ptype = RTE_PTYPE_L3_IPV6;
	} else {
		hl = esp_ip_hdr_check(m, &fam);
		if (unlikely(hl == 0 || fam != ifam)) {
			esp_drop(srv, sa, m, SS_SA_DROP_BAD_INNER);
			return false;
		}
		ptype = fam == AF_INET ? RTE_PTYPE_L3_IPV4 :
			RTE_PTYPE_L3_IPV6;
	}
	if (trs && fam == AF_INET)
		esp_ipv4_cksum_set(rte_pktmbuf_mtod(m, struct rte_ipv4_hdr *));
	if (unlikely(!inb_ts_ok(ts, sa, esa, rte_pktmbuf_mtod(m, uint8_t *),
			rte_pktmbuf_pkt_len(m), fam, hl))) {
		esp_drop(srv, sa, m, SS_SA_DROP_SELECTOR_MISMATCH);
		return false;
	}
	m->l2_len = 0;
	m->l3_len = hl;
	m->packet_type = ptype;
	return true;
}

/* Counters and lifetime after a group of one SA: out[0..nout) are the
 * packets to deliver, fewer when the hard limit falls within them.
 * Returns how many are delivered. */
static inline uint16_t
inb_account(struct ss_esp_server *srv, struct ss_sa *sa,
	const struct ss_esp_sa *esa, struct rte_mbuf **out, uint16_t nout,
	uint64_t bytes)
{
	nout = esp_hard_cut(srv, sa, out, nout, &bytes, true);
	sa->st.replay_top = esa->rp.top;
	sa->st.packets += nout;
	sa->st.bytes += bytes;
	srv->st.in_packets += nout;
	srv->st.in_bytes += bytes;
	esp_lifetime_update(sa);
	return nout;
}

/* An SA whose back-end opens ESP itself (ipsec-mb): one pass after the
 * crypto. s64[i]: the sequence number (ESN guessed) that inb_chunk
 * checked against the window, which has not moved since. Each packet
 * goes through its trailer, window update, strip and inner checks
 * before the next: the same verdicts as one pass per step, since none
 * of those but the window update depends on the other packets. */
static __rte_always_inline uint16_t
inb_group_own_loop(struct ss_esp_server *srv, struct ss_sa *sa,
	struct rte_mbuf *mb[], const uint64_t s64[], uint16_t n,
	struct rte_mbuf **out, const bool tun, const uint8_t ifam)
{
	struct ss_esp_sa *esa = sa->dp;
	int32_t st[SS_ESP_BURST];
	uint64_t sok[SS_ESP_BURST];
	/* As ss_esp.c sets them: constants where the caller gave tun
	 * and ifam as constants, one register less each. */
	const uint32_t icvl = 16;
	const uint32_t head = sizeof(struct rte_esp_hdr) + esa->iv_len;
	const uint8_t inner_proto = ifam == AF_INET ? IPPROTO_IPIP :
		IPPROTO_IPV6;
	/* the next out[] slot: one spilled word per packet, not two */
	struct rte_mbuf **o = out;
	unsigned int i;
	uint64_t bytes = 0;
	struct inb_ts ts;
	uint16_t nbad;

	RTE_ASSERT(esa->icv_len == icvl && (!tun ||
		esa->inner_proto == inner_proto));
	inb_ts_load(&ts, sa, esa);
	nbad = ss_esp_mb_inb(srv->mb, sa, esa, mb, s64, n, st);
	if (unlikely(nbad != 0)) {
		/* Those that failed the crypto out first, so that the loop
		 * below has no test for them: the others keep their order
		 * (mb[] is the caller's scratch, s64[] goes to sok[]). */
		unsigned int k = 0;

		for (i = 0; i < n; i++) {
			if (st[i] != 0) {
				esp_drop(srv, sa, mb[i],
					crypto_drop_why(st[i]));
				continue;
			}
			mb[k] = mb[i];
			sok[k++] = s64[i];
		}
		n = (uint16_t)k;
		s64 = sok;
	}
	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = mb[i];
		const uint32_t tofs = M_LEN(m) - icvl - 2;
		const uint32_t cstart = m->l3_len + head;
		const uint8_t *t;
		uint8_t pad;

		t = rte_pktmbuf_mtod_offset(m, const uint8_t *, tofs);
		pad = t[0];
		if (unlikely(cstart + pad > tofs || !pad_ok(t, pad))) {
			esp_drop(srv, sa, m, SS_SA_DROP_BAD_PADDING);
			continue;
		}
		if (unlikely(tun && t[1] != inner_proto)) {
			esp_drop(srv, sa, m, SS_SA_DROP_BAD_INNER);
			continue;
		}
		if (unlikely(!replay_update(&esa->rp, s64[i]))) {
			esp_drop(srv, sa, m, SS_SA_DROP_REPLAY);
			continue;
		}
		if (tun) {
			/* One segment (inb_chunk linearized it) and the
			 * lengths just checked: what rte_pktmbuf_adj and
			 * _trim would do, without their checks. */
			const uint32_t cut = cstart + pad + 2 + icvl;

			m->data_off = (uint16_t)(m->data_off + cstart);
			m->data_len = (uint16_t)(m->data_len - cut);
			m->pkt_len -= cut;
		} else {
			inb_strip(sa, esa, m);
		}
		if (unlikely(!inb_inner(srv, sa, esa, &ts, m, ifam, !tun,
				tun)))
			continue;
		bytes += rte_pktmbuf_pkt_len(m);
		*o++ = m;
	}
	return inb_account(srv, sa, esa, out, (uint16_t)(o - out), bytes);
}

/* inb_group_own_loop with tunnel mode and the inner family as constants
 * for the usual SAs. */
static uint16_t
inb_group_own(struct ss_esp_server *srv, struct ss_sa *sa,
	struct rte_mbuf *mb[], const uint64_t s64[], uint16_t n,
	struct rte_mbuf **out)
{
	if (sa->mode == SS_SA_MODE_TUNNEL && sa->inner_family == AF_INET)
		return inb_group_own_loop(srv, sa, mb, s64, n, out, true,
			AF_INET);
	if (sa->mode == SS_SA_MODE_TUNNEL && sa->inner_family == AF_INET6)
		return inb_group_own_loop(srv, sa, mb, s64, n, out, true,
			AF_INET6);
	return inb_group_own_loop(srv, sa, mb, s64, n, out,
		sa->mode == SS_SA_MODE_TUNNEL, sa->inner_family);
}

/* Inline SA: what the NIC passed up undecrypted (it came before the NIC
 * had the session, was held meanwhile, or was never the NIC's to see)
 * is decrypted here with the SA's software state, in the NIC's layout,
 * and flagged as the NIC would have. st[i] -ENOTSUP marks those. */
static void
inb_inline_soft(struct ss_esp_server *srv, const struct ss_sa *sa,
	struct ss_esp_sa *esa, struct rte_mbuf *mb[], const uint64_t s64[],
	uint16_t n, int32_t st[])
{
	struct rte_mbuf *sw[SS_ESP_BURST];
	uint64_t sq[SS_ESP_BURST];
	int32_t sst[SS_ESP_BURST];
	uint16_t idx[SS_ESP_BURST];
	uint16_t i, j, nsw = 0, nbad;

	for (i = 0; i < n; i++) {
		if (st[i] != -ENOTSUP)
			continue;
		sw[nsw] = mb[i];
		sq[nsw] = s64[i];
		idx[nsw++] = i;
	}
	nbad = ss_esp_mb_inb(srv->mb, sa, esa, sw, sq, nsw, sst);
	for (j = 0; j < nsw; j++) {
		const int32_t r = nbad == 0 ? 0 : sst[j];

		st[idx[j]] = r;
		if (r == 0)
			sw[j]->ol_flags |= RTE_MBUF_F_RX_SEC_OFFLOAD;
	}
	srv->st.in_soft += nsw - nbad;
}

static uint16_t
inb_group(struct ss_esp_server *srv, struct ss_sa *sa,
	struct rte_mbuf *mb[], const uint64_t sq[], uint16_t n,
	struct rte_mbuf **out)
{
	struct ss_esp_sa *esa = sa->dp;
	struct rte_crypto_op **ops = srv->ops;
	struct rte_mbuf *good[SS_ESP_BURST], *src[SS_ESP_BURST];
	int32_t st[SS_ESP_BURST];
	uint64_t s64[SS_ESP_BURST];
	uint16_t k, g, i, done, nout = 0;
	uint64_t bytes = 0;
	struct inb_ts ts;

	if (esa->be->own_esp)
		return inb_group_own(srv, sa, mb, sq, n, out);
	if (esa->be->inline_crypto) {
		/* The NIC decrypted them on receive, or said why not. */
		uint16_t nsw = 0;

		k = n;
		for (i = 0; i < n; i++) {
			const uint64_t f = mb[i]->ol_flags &
				(RTE_MBUF_F_RX_SEC_OFFLOAD |
				RTE_MBUF_F_RX_SEC_OFFLOAD_FAILED);

			src[i] = mb[i];
			s64[i] = replay_seq(sa, &esa->rp, M_SEQ(src[i]));
			st[i] = f == RTE_MBUF_F_RX_SEC_OFFLOAD ? 0 :
				(f & RTE_MBUF_F_RX_SEC_OFFLOAD) == 0 ?
				-ENOTSUP : -EBADMSG;
			nsw += st[i] == -ENOTSUP;
		}
		if (unlikely(nsw != 0) && esa->be_priv != NULL)
			inb_inline_soft(srv, sa, esa, mb, s64, n, st);
	} else {
		/* Lengths and room were checked, so a refusal here can only
		 * be the replay window (sequence zero, too old, or already
		 * seen). */
		for (i = 0; i < n; i++)
			/* only an inline SA's NIC has a say (rte_ipsec's
			 * process refuses these flags) */
			mb[i]->ol_flags &= ~(RTE_MBUF_F_RX_SEC_OFFLOAD |
				RTE_MBUF_F_RX_SEC_OFFLOAD_FAILED);
		k = rte_ipsec_pkt_crypto_prepare(&esa->ss, mb, ops, n);
		for (i = k; i < n; i++)
			esp_drop(srv, sa, mb[i], SS_SA_DROP_REPLAY);
		if (k == 0)
			return 0;
		esa->be->process(srv, esa, ops, k);
		for (i = 0; i < k; i++) {
			src[i] = ops[i]->sym->m_src;
			s64[i] = replay_seq(sa, &esa->rp, M_SEQ(src[i]));
			st[i] = ops[i]->status ==
				RTE_CRYPTO_OP_STATUS_SUCCESS ? 0 :
				ops[i]->status ==
				RTE_CRYPTO_OP_STATUS_AUTH_FAILED ?
				-EBADMSG : -EIO;
		}
	}
	for (i = 0, g = 0; i < k; i++) {
		struct rte_mbuf *m = src[i];
		const uint8_t *t;
		uint32_t cstart, tofs;
		uint8_t pad;

		if (unlikely(st[i] != 0)) {
			esp_drop(srv, sa, m, crypto_drop_why(st[i]));
			continue;
		}
		/* Trailer check here so that rte_ipsec_pkt_process can only
		 * fail on the replay window (it reports one errno for all). */
		tofs = M_LEN(m) - esa->icv_len - 2;
		cstart = m->l3_len + sizeof(struct rte_esp_hdr) + esa->iv_len;
		t = rte_pktmbuf_mtod_offset(m, const uint8_t *, tofs);
		pad = t[0];
		if (unlikely(cstart + pad > tofs)) {
			esp_drop(srv, sa, m, SS_SA_DROP_BAD_PADDING);
			continue;
		}
		if (unlikely(!pad_ok(t, pad))) {
			esp_drop(srv, sa, m, SS_SA_DROP_BAD_PADDING);
			continue;
		}
		if (unlikely(sa->mode == SS_SA_MODE_TUNNEL &&
				t[1] != esa->inner_proto)) {
			esp_drop(srv, sa, m, SS_SA_DROP_BAD_INNER);
			continue;
		}
		if (unlikely(!replay_update(&esa->rp, s64[i]))) {
			esp_drop(srv, sa, m, SS_SA_DROP_REPLAY);
			continue;
		}
		good[g++] = m;
	}
	inb_ts_load(&ts, sa, esa);
	done = rte_ipsec_pkt_process(&esa->ss, good, g);
	for (i = done; i < g; i++)
		esp_drop(srv, sa, good[i], SS_SA_DROP_REPLAY);
	for (i = 0; i < done; i++) {
		struct rte_mbuf *m = good[i];

		if (unlikely(!inb_inner(srv, sa, esa, &ts, m,
				sa->inner_family,
				sa->mode == SS_SA_MODE_TRANSPORT, false)))
			continue;
		bytes += rte_pktmbuf_pkt_len(m);
		out[nout++] = m;
	}
	return inb_account(srv, sa, esa, out, nout, bytes);
}

static inline bool
addr_eq(const struct ss_ipaddr *a, uint8_t fam, const uint8_t *b)
{
	if (a->family != fam)
		return false;
	return fam == AF_INET ? memcmp(&a->v4, b, 4) == 0 :
		memcmp(a->v6, b, 16) == 0;
}

/* Outer header checks of pass 1 for one packet, in their order, each
 * failure counted under its own reason: the path of packets that
 * inb_outer_fast did not clear. true: *hl, *f, *eoff, *udp set. */
static bool
inb_outer_slow(struct ss_esp_server *srv, struct rte_mbuf *p, uint32_t *hl,
	uint8_t *f, uint32_t *eoff, bool *udp)
{
	const uint8_t *d;
	uint32_t len;
	uint8_t proto;

	if (unlikely(p->nb_segs > 1) && rte_pktmbuf_linearize(p) != 0) {
		esp_drop(srv, NULL, p, SS_SA_DROP_NO_ROOM);
		return false;
	}
	*hl = esp_ip_hdr_check(p, f);
	if (unlikely(*hl == 0)) {
		esp_drop(srv, NULL, p, SS_SA_DROP_TRUNCATED);
		return false;
	}
	d = rte_pktmbuf_mtod(p, const uint8_t *);
	len = rte_pktmbuf_pkt_len(p);
	proto = *f == AF_INET ? d[9] : d[6];
	if (*f == AF_INET && (((const struct rte_ipv4_hdr *)d)->
			fragment_offset & rte_cpu_to_be_16(
			RTE_IPV4_HDR_MF_FLAG |
			RTE_IPV4_HDR_OFFSET_MASK)) != 0) {
		/* Fragments are reassembled before ESP. */
		esp_drop(srv, NULL, p, SS_SA_DROP_TRUNCATED);
		return false;
	}
	*udp = proto == IPPROTO_UDP;
	if (proto == IPPROTO_ESP) {
		*eoff = *hl;
	} else if (proto == IPPROTO_UDP && len >= *hl + 8 + 4 &&
			(d[*hl + 8] | d[*hl + 9] | d[*hl + 10] |
			 d[*hl + 11]) != 0) {
		/* Non-zero first word: ESP, not IKE (RFC 3948). */
		*eoff = *hl + 8;
	} else {
		esp_drop(srv, NULL, p, SS_SA_DROP_NOT_ESP);
		return false;
	}
	if (unlikely(len < *eoff + 8u)) {
		esp_drop(srv, NULL, p, SS_SA_DROP_TRUNCATED);
		return false;
	}
	return true;
}

/* The usual outer header in one test: one segment, IPv4 without options
 * and not a fragment, or IPv6, straight to ESP (no UDP), its length the
 * whole data and room for the ESP header. inb_outer_slow gives the same
 * verdict for these. */
static inline bool
inb_outer_fast(const struct rte_mbuf *p, uint32_t *hl, uint8_t *f)
{
	const uint8_t *d = rte_pktmbuf_mtod(p, const uint8_t *);
	const uint32_t len = rte_pktmbuf_data_len(p);

	if (unlikely(len < 48 || p->nb_segs != 1))
		return false;
	if (d[0] == 0x45) {
		const struct rte_ipv4_hdr *h = (const void *)d;

		*hl = sizeof(*h);
		*f = AF_INET;
		return h->next_proto_id == IPPROTO_ESP &&
			esp_be16(h->total_length) == len &&
			(h->fragment_offset & rte_cpu_to_be_16(
			RTE_IPV4_HDR_MF_FLAG | RTE_IPV4_HDR_OFFSET_MASK)) == 0;
	}
	if ((d[0] >> 4) == 6) {
		const struct rte_ipv6_hdr *h = (const void *)d;

		*hl = sizeof(*h);
		*f = AF_INET6;
		return h->proto == IPPROTO_ESP &&
			sizeof(*h) + esp_be16(h->payload_len) == len;
	}
	return false;
}

/* The same for ESP in UDP over IPv4 (NAT-T, RFC 3948: a non-zero first
 * word after the UDP header), tried where inb_outer_fast said no so that
 * plain ESP pays nothing for it. len >= 48: the UDP header, SPI and
 * sequence number are there. inb_outer_slow gives the same verdict. */
static inline bool
inb_outer_fast_udp(const struct rte_mbuf *p)
{
	const uint8_t *d = rte_pktmbuf_mtod(p, const uint8_t *);
	const uint32_t len = rte_pktmbuf_data_len(p);
	const struct rte_ipv4_hdr *h = (const void *)d;

	return len >= 48 && p->nb_segs == 1 && d[0] == 0x45 &&
		h->next_proto_id == IPPROTO_UDP &&
		esp_be16(h->total_length) == len &&
		(h->fragment_offset & rte_cpu_to_be_16(
		RTE_IPV4_HDR_MF_FLAG | RTE_IPV4_HDR_OFFSET_MASK)) == 0 &&
		(d[28] | d[29] | d[30] | d[31]) != 0;
}

/* Per-SA constants of pass 2, loaded when the SA changes. ok is false
 * when the run takes the slow path whatever the packet (no ESP state,
 * UDP encapsulation, hard lifetime reached: the SA's counters do not
 * move before the chunk's groups are done, so neither does this);
 * udp_ok the same for ESP in UDP (tunnel mode only). */
struct inb_run {
	const struct ss_sa *sa;
	const struct ss_esp_replay *rp;
	uint64_t top;			/* rp->top, unchanged in pass 2 */
	/* esn_guess's answers for the run's top and w, high half in
	 * place: below for a sequence number < lo, else above (both 0
	 * without ESN) */
	uint64_t below, above;
	uint32_t w;
	uint32_t lo;			/* low half of top - w + 1 */
	uint32_t hdr;			/* ESP header, IV, ICV */
	uint32_t min;			/* smallest ESP length */
	uint32_t mask;			/* payload alignment - 1 */
	uint16_t port;			/* UDP encapsulation: local port */
	rte_be32_t local4;		/* sa->local, an IPv4 one (v4) */
	bool v4;
	bool udp_ok;
	bool ok;
	bool ok4;			/* ok and v4: one test per packet */
	bool paused;			/* esa->paused */
	bool aside;			/* no SA, or paused: maybe held */
};

static __rte_noinline void
inb_run_load(struct inb_run *r, const struct ss_sa *sa)
{
	const struct ss_esp_sa *esa;
	uint32_t th;

	r->sa = sa;
	r->ok = false;
	r->ok4 = false;
	r->udp_ok = false;
	r->paused = false;
	r->aside = sa == NULL;
	if (sa == NULL || sa->dp == NULL)
		return;
	esa = sa->dp;
	r->paused = __atomic_load_n(&esa->paused, __ATOMIC_ACQUIRE) != 0;
	r->aside = r->paused;
	r->v4 = sa->local.family == AF_INET;
	r->local4 = sa->local.v4;
	r->rp = &esa->rp;
	r->top = esa->rp.top;
	r->w = esa->rp.w;
	r->lo = (uint32_t)r->top - r->w + 1;
	th = (uint32_t)(r->top >> 32);
	if (!sa->esn) {
		r->below = 0;
		r->above = 0;
	} else if ((uint32_t)r->top >= r->w - 1) {
		r->below = (uint64_t)(uint32_t)(th + 1) << 32;
		r->above = (uint64_t)th << 32;
	} else {
		r->below = (uint64_t)th << 32;
		r->above = (uint64_t)(th != 0 ? th - 1 : 0) << 32;
	}
	r->hdr = sizeof(struct rte_esp_hdr) + esa->iv_len + esa->icv_len;
	r->min = r->hdr + RTE_MAX(2u, esa->pad_align == 16 ? 16u : 4u);
	r->mask = esa->pad_align - 1u;
	r->port = sa->encap_local_port;
	r->ok = !sa->st.hard_expired && !esp_lifetime_hard(sa) && !r->paused;
	r->udp_ok = r->ok && sa->udp_encap && sa->mode == SS_SA_MODE_TUNNEL;
	r->ok = r->ok && !sa->udp_encap;
	r->ok4 = r->ok && r->v4;
}

/* r->ok and addr_eq(&sa->local, fam, the packet's destination), an
 * IPv4 local address (the usual SA) from the run in one test. */
static __rte_always_inline bool
inb_local_ok(const struct inb_run *r, const struct ss_sa *sa, uint8_t fam,
	const uint8_t *d)
{
	rte_be32_t a;

	if (likely(r->ok4)) {
		memcpy(&a, d + 16, sizeof(a));
		return fam == AF_INET && a == r->local4;
	}
	return r->ok && addr_eq(&sa->local, fam,
		fam == AF_INET ? d + 16 : d + 24);
}

/* replay_seq with the window's state from the run: esn_guess's tests on
 * top and w were done once per run, one compare is left. */
static inline uint64_t
inb_seq(const struct inb_run *r, uint32_t seq)
{
	return (seq < r->lo ? r->below : r->above) | seq;
}

/* true: s may be new (inside the window or ahead, not yet seen); the
 * window's top from the run. */
static inline bool
inb_replay_ok(const struct inb_run *r, uint64_t s)
{
	if (s == 0)
		return false;
	if (s > r->top)
		return true;
	if (s + r->w <= r->top)
		return false;
	return !(r->rp->bits[(s >> 6) & (SS_ESP_REPLAY_WORDS - 1)] &
		(UINT64_C(1) << (s & 63)));
}

/* SA checks of pass 2 for one packet, in their order, each failure
 * counted under its own reason (and UDP encapsulation undone): the path
 * of packets that the fast test in inb_chunk did not clear. */
static bool
inb_sa_slow(struct ss_esp_server *srv, struct ss_sa *sa, struct rte_mbuf *p,
	uint8_t fam, uint32_t eoff, bool udp)
{
	const struct ss_esp_sa *esa;
	uint8_t *d = rte_pktmbuf_mtod(p, uint8_t *);
	uint32_t hl = p->l3_len, clen;
	const uint8_t *dst = fam == AF_INET ? d + 16 : d + 24;

	if (unlikely(sa == NULL || !addr_eq(&sa->local, fam, dst))) {
		esp_drop(srv, NULL, p, SS_SA_DROP_UNKNOWN_SPI);
		return false;
	}
	esa = sa->dp;
	if (unlikely(esa == NULL)) {
		esp_drop(srv, sa, p, SS_SA_DROP_BACKEND);
		return false;
	}
	if (unlikely(udp != sa->udp_encap || (udp &&
			(uint16_t)(d[hl + 2] << 8 | d[hl + 3]) !=
			sa->encap_local_port))) {
		esp_drop(srv, sa, p, SS_SA_DROP_BAD_ENCAP);
		return false;
	}
	if (esp_hard_expired_drop(srv, sa, p))
		return false;
	clen = rte_pktmbuf_pkt_len(p) - eoff;
	if (unlikely(clen < sizeof(struct rte_esp_hdr) + esa->iv_len +
			esa->icv_len + RTE_MAX(2u, esa->pad_align ==
			16 ? 16u : 4u))) {
		esp_drop(srv, sa, p, SS_SA_DROP_TRUNCATED);
		return false;
	}
	clen -= sizeof(struct rte_esp_hdr) + esa->iv_len + esa->icv_len;
	if (unlikely((clen & (esa->pad_align - 1)) != 0)) {
		esp_drop(srv, sa, p, SS_SA_DROP_TRUNCATED);
		return false;
	}
	/* ESN high bits and AAD are written behind the ICV. */
	if (unlikely(rte_pktmbuf_tailroom(p) < 32)) {
		esp_drop(srv, sa, p, SS_SA_DROP_NO_ROOM);
		return false;
	}
	if (udp) {
		if (sa->mode == SS_SA_MODE_TUNNEL) {
			/* rte_ipsec cuts everything before ESP. */
			p->l3_len = hl + 8;
		} else {
			/* Transport: close the UDP gap so the IP header
			 * sits right before ESP again. */
			memmove(d + 8, d, hl);
			rte_pktmbuf_adj(p, 8);
			d += 8;
			ss_esp_ip_set(d, IPPROTO_ESP, rte_pktmbuf_pkt_len(p));
		}
	}
	return true;
}

static bool
inb_diverted(const struct ss_esp_aside *tb, uint32_t spi)
{
	uint16_t i;

	for (i = 0; i < tb->nd; i++)
		if (tb->divert[i] == spi)
			return true;
	return false;
}

/* The outer header checks of one packet, in their order, each failure
 * counted under its own reason: IP (and UDP), SPI, owner. true: p goes
 * on, at its IP header with l2_len 0 and l3_len set, *spi, *fam, *udp,
 * *eoffp (where ESP starts) and *dp (the IP header) set: the caller
 * need not work them out again from the mbuf. */
static __rte_always_inline bool
inb_outer(struct ss_esp_server *srv, struct rte_mbuf *p,
	const uint16_t *owner, uint16_t idx, uint8_t id_shift, uint32_t *spi,
	uint8_t *fam, bool *udp, uint32_t *eoffp, const uint8_t **dp)
{
	const uint8_t *d;
	rte_be32_t v;
	uint32_t hl = 0, eoff = 0;
	/* for the slow path's pointers: the caller's stay in registers */
	uint8_t sf = 0;
	bool su = false;

	if (likely(inb_outer_fast(p, &hl, fam))) {
		eoff = hl;
		*udp = false;
	} else if (inb_outer_fast_udp(p)) {
		hl = sizeof(struct rte_ipv4_hdr);
		*fam = AF_INET;
		eoff = hl + sizeof(struct rte_udp_hdr);
		*udp = true;
	} else if (inb_outer_slow(srv, p, &hl, &sf, &eoff, &su)) {
		*fam = sf;
		*udp = su;
	} else {
		return false;
	}
	/* The IP header sits 2 bytes off a 4-byte boundary once the
	 * Ethernet header is gone. */
	d = rte_pktmbuf_mtod(p, const uint8_t *);
	memcpy(&v, d + eoff, sizeof(v));
	*spi = esp_be32(v);
	if (unlikely(*spi < 256)) {
		esp_drop(srv, NULL, p, SS_SA_DROP_UNKNOWN_SPI);
		return false;
	}
	/* ss_sa_db_server_of_spi without the call */
	if (unlikely(owner[*spi >> id_shift] != idx)) {
		esp_drop(srv, NULL, p, SS_SA_DROP_WRONG_SERVER);
		return false;
	}
	p->l2_len = 0;
	p->l3_len = hl;
	*eoffp = eoff;
	*dp = d;
	return true;
}

/* The server's SA cache, packet by packet: the answers, hits and misses
 * of ss_sa_lookup_in_cached over the chunk's SPIs (a miss is looked up
 * at once and entered after the chunk, as there). A chunk mostly
 * carries one SPI: the last hit's answer is taken again without a
 * probe (the entries do not change before the chunk is done). */
struct inb_lookup {
	struct ss_sa_in_cache *c;
	uint64_t gen;
	uint64_t hspi;			/* last hit's SPI; none: UINT64_MAX */
	struct ss_sa *hsa;
	uint32_t nm;			/* misses */
	uint32_t mspi[SS_ESP_BURST];
	struct ss_sa *msa[SS_ESP_BURST];
};

static __rte_always_inline struct ss_sa *
inb_lookup(struct ss_esp_server *srv, struct inb_lookup *l, uint32_t spi)
{
	struct ss_sa *sa;

	if (spi == l->hspi)
		return l->hsa;
	sa = ss_sa_in_cache_probe(l->c, l->gen, spi);
	if (likely(sa != NULL)) {
		l->hspi = spi;
		l->hsa = sa;
		return sa;
	}
	sa = ss_sa_lookup_in(srv->db, srv->idx, spi);
	l->mspi[l->nm] = spi;
	l->msa[l->nm++] = sa;
	return sa;
}

/* n: how many lookups the chunk made */
static void
inb_lookup_done(struct inb_lookup *l, uint32_t n)
{
	uint32_t i;

	l->c->hits += n - l->nm;
	if (l->nm == 0)
		return;
	l->c->misses += l->nm;
	for (i = 0; i < l->nm; i++)
		ss_sa_in_cache_fill(l->c, l->gen, l->mspi[i], l->msa[i]);
}

/* Outer headers, SPI, owner and SA, then the SA checks and the lengths
 * rte_ipsec would refuse, packet by packet in one pass (the SA comes
 * from the cache; the verdicts and counters are those of a pass per
 * step, since neither step depends on the other packets). */
static uint16_t
inb_chunk(struct ss_esp_server *srv, struct rte_mbuf **m, uint16_t n,
	struct rte_mbuf **out, struct ss_esp_aside *tb)
{
	struct ss_sa *sas[SS_ESP_BURST], *grp[SS_ESP_BURST];
	struct rte_mbuf *keep[SS_ESP_BURST], *pk[SS_ESP_BURST];
	uint64_t s64[SS_ESP_BURST], s64g[SS_ESP_BURST];
	uint16_t cnt[SS_ESP_BURST];
	struct inb_run r = { .sa = NULL, .ok = false, .udp_ok = false,
		.aside = true };
	struct inb_lookup l;
	/* Locals, not loads: the byte stores below may alias the server. */
	const uint16_t *owner = srv->owner;
	const uint16_t idx = srv->idx;
	const uint8_t id_shift = srv->id_shift;
	unsigned int i, j = 0, ng, g, o = 0, nout = 0, nbad = 0;
	bool mixed = false;

	l.c = &srv->in_cache;
	l.gen = ss_sa_in_gen(srv->db);
	l.hspi = UINT64_MAX;
	l.hsa = NULL;
	l.nm = 0;
	/* No prefetch: the worker issued the burst's misses, and
	 * classification and steering have read these headers since. */
	for (i = 0; i < n; i++) {
		struct rte_mbuf *p = m[i];
		const uint8_t *d;
		struct ss_sa *sa;
		rte_be32_t sq;
		uint32_t clen, eoff, spi;
		uint8_t fam = 0;
		bool fast, udp = false;

		if (!inb_outer(srv, p, owner, idx, id_shift, &spi, &fam,
				&udp, &eoff, &d)) {
			nbad++;
			continue;
		}
		sa = inb_lookup(srv, &l, spi);
		if (sa != r.sa) {
			inb_run_load(&r, sa);
			mixed |= j != 0 && sa != sas[0];
			if (unlikely(tb != NULL && tb->nd != 0) &&
					inb_diverted(tb, spi)) {
				r.paused = true;
				r.aside = true;
			}
		}
		if (unlikely(r.aside)) {
			/* No SA yet for an SPI we reserved: the peer sends
			 * on an SA it has installed before us (a responder
			 * does, as soon as it has answered). Per packet: a
			 * run of NULL SAs may mix SPIs. */
			if (sa == NULL && tb != NULL && tb->hold &&
					(ss_sa_spi_pending(srv->db, spi) ||
					 (tb->nd != 0 &&
					  inb_diverted(tb, spi))) &&
					tb->nh < SS_ESP_TOOBIG_MAX) {
				tb->htun[tb->nh] = spi;
				tb->hm[tb->nh++] = p;
				continue;
			}
			if (r.paused) {
				/* The NIC has not confirmed the key yet: the
				 * caller holds the packet (at its outer IP
				 * header, as it came) until it has. */
				if (tb != NULL && tb->hold &&
						tb->nh < SS_ESP_TOOBIG_MAX) {
					tb->htun[tb->nh] = spi;
					tb->hm[tb->nh++] = p;
				} else {
					esp_drop(srv, sa, p,
						SS_SA_DROP_PAUSED);
				}
				continue;
			}
		}
		clen = rte_pktmbuf_pkt_len(p) - eoff;
		fast = !udp && inb_local_ok(&r, sa, fam, d) &&
			clen >= r.min && ((clen - r.hdr) & r.mask) == 0 &&
			rte_pktmbuf_tailroom(p) >= 32;
		if (unlikely(!fast)) {
			/* ESP in UDP to the SA's port, tunnel mode: what
			 * inb_sa_slow clears and sets (rte_ipsec and the
			 * own path cut everything before ESP) */
			if (udp && r.udp_ok &&
					(uint16_t)(d[p->l3_len + 2] << 8 |
					d[p->l3_len + 3]) == r.port &&
					addr_eq(&sa->local, fam,
					fam == AF_INET ? d + 16 : d + 24) &&
					clen >= r.min &&
					((clen - r.hdr) & r.mask) == 0 &&
					rte_pktmbuf_tailroom(p) >= 32)
				p->l3_len = eoff;
			else if (!inb_sa_slow(srv, sa, p, fam, eoff, udp))
				continue;
		}
		M_LEN(p) = rte_pktmbuf_pkt_len(p);
		/* ESP is still at d + eoff: inb_sa_slow moves the IP header
		 * up to it, not ESP. */
		memcpy(&sq, d + eoff + 4, sizeof(sq));
		M_SEQ(p) = esp_be32(sq);
		/* Cheap refusal before any crypto work; the ESN guessed here
		 * is the one the ICV is checked with and the window
		 * records (the window does not move before then). */
		s64[j] = inb_seq(&r, M_SEQ(p));
		if (unlikely(!inb_replay_ok(&r, s64[j]))) {
			esp_drop(srv, sa, p, SS_SA_DROP_REPLAY);
			continue;
		}
		sas[j] = sa;
		keep[j++] = p;
	}
	inb_lookup_done(&l, n - nbad);
	if (j == 0)
		return 0;
	/* One SA for the chunk (the usual case): no grouping. */
	if (!mixed)
		return inb_group(srv, sas[0], keep, s64, (uint16_t)j, out);
	ng = ss_esp_group_by_sa(sas, keep, j, grp, cnt, pk, s64, s64g);
	for (g = 0; g < ng; g++) {
		nout += inb_group(srv, grp[g], pk + o, s64g + o, cnt[g],
			out + nout);
		o += cnt[g];
	}
	return (uint16_t)nout;
}

uint16_t
ss_esp_inbound_burst(struct ss_esp_server *srv, struct rte_mbuf **m,
	uint16_t n, struct rte_mbuf **out, struct ss_esp_aside *tb)
{
	uint16_t i, c, nout = 0;

	if (tb != NULL)
		tb->nh = 0;
	for (i = 0; i < n; i += c) {
		c = RTE_MIN((uint16_t)(n - i), (uint16_t)SS_ESP_BURST);
		nout += inb_chunk(srv, m + i, c, out + nout, tb);
	}
	return nout;
}
