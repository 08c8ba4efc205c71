/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 shardsec authors
 */

/* The SecY data path: protect (802.1AE 10.5) and validate (10.6) bursts
 * of single-segment frames in place with one-call intel-ipsec-mb GCM.
 * GCM-AES has no multi-buffer form in the library, so each frame is one
 * call; the transmit SA and its PN are read once a burst. */

#include <string.h>

#include <rte_branch_prediction.h>
#include <rte_ether.h>
#include <rte_mbuf.h>
#include <rte_prefetch.h>

#include "ss_macsec_priv.h"

#define ETH_MACS 12		/* DA, SA */
#define MIN_FRAME 60		/* without FCS: shorter frames are padded */

enum rx_verdict {
	RX_PASS,
	RX_CTL,
	RX_DROP,
};

/* Plain loads and stores in network order. DPDK 22.11's x86 rte_bswap
 * helpers are asm volatile, the builtins fold into movbe. */
static inline uint16_t
ld_be16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof(v));
	return __builtin_bswap16(v);
}

static inline uint32_t
ld_be32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return __builtin_bswap32(v);
}

static inline uint64_t
ld_be64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return __builtin_bswap64(v);
}

static inline void
st_be32(uint8_t *p, uint32_t v)
{
	v = __builtin_bswap32(v);
	memcpy(p, &v, sizeof(v));
}

static inline void
st_be64(uint8_t *p, uint64_t v)
{
	v = __builtin_bswap64(v);
	memcpy(p, &v, sizeof(v));
}

/* GCM-AES: SCI || PN; XPN (802.1AEbw 14.7): (SSCI || PN64) ^ salt. */
static inline void
iv_make(const struct ss_macsec *s, const struct ss_macsec_sa *sa,
	uint64_t sci, uint64_t pn, uint8_t iv[12])
{
	unsigned int i;

	if (s->xpn) {
		st_be32(iv, sa->ssci);
		st_be64(iv + 4, pn);
		for (i = 0; i < 12; i++)
			iv[i] ^= sa->salt[i];
	} else {
		st_be64(iv, sci);
		st_be32(iv + 8, (uint32_t)pn);
	}
}

/* One GCM call: len octets at data en/decrypted in place (0 for
 * integrity only: GMAC over aad), the tag written to tag. */
static inline void
gcm(const struct ss_macsec *s, const struct ss_macsec_sa *sa, bool enc,
	const uint8_t iv[12], uint8_t *data, uint64_t len,
	const uint8_t *aad, uint64_t aad_len, uint8_t tag[16])
{
	struct gcm_context_data ctx;

	if (s->key256) {
		if (enc)
			IMB_AES256_GCM_ENC(s->mgr, &sa->gk, &ctx, data, data,
				len, iv, aad, aad_len, tag, SS_MACSEC_ICV_LEN);
		else
			IMB_AES256_GCM_DEC(s->mgr, &sa->gk, &ctx, data, data,
				len, iv, aad, aad_len, tag, SS_MACSEC_ICV_LEN);
	} else {
		if (enc)
			IMB_AES128_GCM_ENC(s->mgr, &sa->gk, &ctx, data, data,
				len, iv, aad, aad_len, tag, SS_MACSEC_ICV_LEN);
		else
			IMB_AES128_GCM_DEC(s->mgr, &sa->gk, &ctx, data, data,
				len, iv, aad, aad_len, tag, SS_MACSEC_ICV_LEN);
	}
}

/* ---- transmit ---- */

/* 0: m is protected (or EAPOL, left alone); -1: drop (counted). */
static inline int
protect_one(struct ss_macsec *s, struct ss_macsec_sa *sa, uint8_t tci,
	struct rte_mbuf *m, uint64_t *pn)
{
	struct ss_macsec_stats *const st = &s->st;
	const uint32_t len = m->pkt_len;
	uint32_t ud;
	uint8_t iv[12];
	uint8_t *p;
	uint8_t *icv;

	if (unlikely(m->nb_segs != 1 || len < RTE_ETHER_HDR_LEN)) {
		st->out_pkts_malformed++;
		return -1;
	}
	p = rte_pktmbuf_mtod(m, uint8_t *);
	if (unlikely(ld_be16(p + ETH_MACS) == SS_MACSEC_ETHERTYPE_EAPOL))
		return 0;
	if (unlikely(sa == NULL)) {
		st->out_pkts_no_sa++;
		return -1;
	}
	if (unlikely(*pn == 0 || *pn > sa->pn_max)) {
		st->out_pkts_pn_exhausted++;
		return -1;
	}
	if (unlikely(rte_pktmbuf_headroom(m) < SS_MACSEC_SECTAG_LEN ||
			rte_pktmbuf_tailroom(m) < SS_MACSEC_ICV_LEN)) {
		st->out_pkts_too_long++;
		return -1;
	}
	ud = len - ETH_MACS;	/* user data: from the EtherType on */
	p = (uint8_t *)rte_pktmbuf_prepend(m, SS_MACSEC_SECTAG_LEN);
	memmove(p, p + SS_MACSEC_SECTAG_LEN, ETH_MACS);
	p[ETH_MACS] = SS_MACSEC_ETHERTYPE >> 8;
	p[ETH_MACS + 1] = SS_MACSEC_ETHERTYPE & 0xff;
	p[ETH_MACS + 2] = tci;
	p[ETH_MACS + 3] = ud < SS_MACSEC_MIN_LONG ? (uint8_t)ud : 0;
	st_be32(p + ETH_MACS + 4, (uint32_t)*pn);
	st_be64(p + ETH_MACS + 8, s->sci);
	icv = (uint8_t *)rte_pktmbuf_append(m, SS_MACSEC_ICV_LEN);
	iv_make(s, sa, s->sci, *pn, iv);
	if (s->confidentiality) {
		gcm(s, sa, true, iv, p + ETH_MACS + SS_MACSEC_SECTAG_LEN, ud,
			p, ETH_MACS + SS_MACSEC_SECTAG_LEN, icv);
		st->out_pkts_encrypted++;
		st->out_octets_encrypted += ud;
	} else {
		gcm(s, sa, true, iv, p + ETH_MACS + SS_MACSEC_SECTAG_LEN, 0,
			p, ETH_MACS + SS_MACSEC_SECTAG_LEN + ud, icv);
		st->out_pkts_protected++;
		st->out_octets_protected += ud;
	}
	/* XPN: after 2^64 - 1 the PN wraps to 0, which reads as used up. */
	(*pn)++;
	return 0;
}

uint16_t
ss_macsec_protect_burst(struct ss_macsec *s, struct rte_mbuf *m[],
	uint16_t n, struct rte_mbuf *drop[], uint16_t *nd)
{
	const int32_t an = __atomic_load_n(&s->tx_enc_an, __ATOMIC_ACQUIRE);
	struct ss_macsec_sa *const sa = an < 0 ? NULL :
		__atomic_load_n(&s->tx_sa[an], __ATOMIC_ACQUIRE);
	const uint8_t tci = SS_MACSEC_TCI_SC | (uint8_t)(an & 3) |
		(s->confidentiality ? SS_MACSEC_TCI_E | SS_MACSEC_TCI_C : 0);
	uint64_t pn = sa == NULL ? 0 : sa->next_pn;
	uint16_t k = 0;
	uint16_t d = 0;
	uint16_t i;

	for (i = 0; i < n; i++) {
		struct rte_mbuf *const mb = m[i];

		if (i + 1 < n)
			rte_prefetch0(rte_pktmbuf_mtod(m[i + 1], void *));
		if (likely(protect_one(s, sa, tci, mb, &pn) == 0))
			m[k++] = mb;
		else
			drop[d++] = mb;
	}
	if (sa != NULL)
		__atomic_store_n(&sa->next_pn, pn, __ATOMIC_RELAXED);
	*nd = d;
	return k;
}

/* ---- receive ---- */

/* 802.1AEbw 10.6.2: the high half of the PN is lowestPN's, or the next
 * one when the wire's low half is below lowestPN's (it has wrapped). */
static inline uint64_t
xpn_recover(uint64_t lowest, uint32_t pn32)
{
	uint64_t hi = lowest & ~(uint64_t)UINT32_MAX;

	if (pn32 < (uint32_t)lowest)
		hi += (uint64_t)1 << 32;
	return hi | pn32;
}

/* pn >= lowest_pn: was it validated already? */
static inline bool
replay_seen(const struct ss_macsec_sa *sa, uint64_t pn)
{
	if (pn >= sa->next_pn)
		return false;
	return (sa->replay[(pn >> 6) % SS_MACSEC_REPLAY_WORDS] >>
		(pn & 63)) & 1;
}

/* A frame with PN pn was validated: 802.1AE 10.6.5's nextPN and
 * lowestPN, and pn marked in the window. */
static inline void
replay_update(struct ss_macsec *s, struct ss_macsec_sa *sa, uint64_t pn)
{
	uint64_t next = sa->next_pn;

	if (pn >= next) {
		const uint64_t top = (next - 1) >> 6;
		const uint64_t ntop = pn >> 6;
		uint64_t q;

		if (ntop - top >= SS_MACSEC_REPLAY_WORDS)
			memset(sa->replay, 0, sizeof(sa->replay));
		else
			for (q = top + 1; q <= ntop; q++)
				sa->replay[q % SS_MACSEC_REPLAY_WORDS] = 0;
		next = pn + 1;
		if (unlikely(next == 0))
			next = UINT64_MAX;
		__atomic_store_n(&sa->next_pn, next, __ATOMIC_RELAXED);
		if (next > s->replay_window &&
				next - s->replay_window > sa->lowest_pn)
			__atomic_store_n(&sa->lowest_pn,
				next - s->replay_window, __ATOMIC_RELAXED);
	} else if (pn < sa->lowest_pn) {
		return;		/* no replay protection: out of the window */
	}
	sa->replay[(pn >> 6) % SS_MACSEC_REPLAY_WORDS] |=
		(uint64_t)1 << (pn & 63);
}

/* The SecTAG (taglen octets) and the ICV out: a plain Ethernet frame. */
static inline void
strip(struct rte_mbuf *m, uint8_t *p, unsigned int taglen)
{
	uint64_t da_sa0;
	uint32_t da_sa1;

	/* The 12 MAC octets move by taglen (8 or 16): two loads before the
	 * stores make the overlap harmless, without a libc memmove call. */
	memcpy(&da_sa0, p, 8);
	memcpy(&da_sa1, p + 8, 4);
	memcpy(p + taglen, &da_sa0, 8);
	memcpy(p + taglen + 8, &da_sa1, 4);
	rte_pktmbuf_adj(m, (uint16_t)taglen);
	rte_pktmbuf_trim(m, SS_MACSEC_ICV_LEN);
}

/* 9.12: the SecTAG of a frame of len octets (single segment, >= 14, a
 * MACsec EtherType) is valid; *pad is the padding after the ICV of a
 * short frame. */
static inline bool
sectag_ok(const struct ss_macsec *s, const uint8_t *p, uint32_t len,
	uint32_t *pad)
{
	const uint8_t tci = p[ETH_MACS + 2];
	const uint32_t taglen = tci & SS_MACSEC_TCI_SC ?
		SS_MACSEC_SECTAG_LEN : SS_MACSEC_SECTAG_NOSCI;
	const uint32_t extra = taglen + SS_MACSEC_ICV_LEN;
	const uint32_t body = len - ETH_MACS;
	uint8_t sl;

	*pad = 0;
	if (body <= extra)
		return false;
	sl = p[ETH_MACS + 3];
	if ((tci & SS_MACSEC_TCI_V) != 0 || (sl & 0xc0) != 0 ||
			((tci & (SS_MACSEC_TCI_ES | SS_MACSEC_TCI_SCB)) != 0 &&
			 (tci & SS_MACSEC_TCI_SC) != 0))
		return false;
	if (!s->xpn && ld_be32(p + ETH_MACS + 4) == 0)
		return false;
	if (sl == 0)
		return body >= extra + SS_MACSEC_MIN_LONG;
	if (sl >= SS_MACSEC_MIN_LONG)
		return false;
	if (body == extra + sl)
		return true;
	/* A short frame the MAC padded to the minimum size: SL says
	 * where the ICV ends. */
	if (len <= MIN_FRAME && body > extra + sl) {
		*pad = body - extra - sl;
		return true;
	}
	return false;
}

/* SCI of a frame without one (9.9): ES says the source MAC with port 1;
 * else the single peer of a point-to-point LAN, if there is one. */
static inline bool
sci_implicit(struct ss_macsec *s, const uint8_t *p, uint8_t tci,
	uint64_t *sci)
{
	unsigned int i;
	int found = -1;

	if (tci & SS_MACSEC_TCI_ES) {
		*sci = (ld_be64(p + 4) << 16) | 1;	/* p + 6: source MAC */
		return true;
	}
	for (i = 0; i < SS_MACSEC_MAX_RX_SC; i++) {
		if (__atomic_load_n(&s->rx_sc[i].in_use,
				__ATOMIC_ACQUIRE) == 0)
			continue;
		if (found >= 0)
			return false;
		found = (int)i;
	}
	if (found < 0)
		return false;
	*sci = __atomic_load_n(&s->rx_sc[found].sci, __ATOMIC_RELAXED);
	return true;
}

static inline bool
icv_equal(const uint8_t *a, const uint8_t *b)
{
	uint64_t a0, a1, b0, b1;

	/* Two word compares, OR-ed: no early exit (constant time), and no
	 * byte loop (GCC does not vectorise that one). */
	RTE_BUILD_BUG_ON(SS_MACSEC_ICV_LEN != 16);
	memcpy(&a0, a, 8);
	memcpy(&a1, a + 8, 8);
	memcpy(&b0, b, 8);
	memcpy(&b1, b + 8, 8);
	return ((a0 ^ b0) | (a1 ^ b1)) == 0;
}

static inline enum rx_verdict
validate_one(struct ss_macsec *s, struct rte_mbuf *m)
{
	struct ss_macsec_stats *const st = &s->st;
	const uint32_t len = m->pkt_len;
	struct ss_macsec_rx_sc *sc;
	struct ss_macsec_sa *sa;
	uint32_t taglen, dlen, pad;
	uint64_t sci, pn, lowest;
	uint8_t iv[12];
	uint8_t icv[SS_MACSEC_ICV_LEN];
	uint8_t tci;
	bool strict;
	uint8_t *p;
	uint8_t *data;
	uint16_t et;

	if (unlikely(m->nb_segs != 1 || len < RTE_ETHER_HDR_LEN)) {
		st->in_pkts_malformed++;
		return RX_DROP;
	}
	p = rte_pktmbuf_mtod(m, uint8_t *);
	et = ld_be16(p + ETH_MACS);
	if (unlikely(et != SS_MACSEC_ETHERTYPE)) {
		if (et == SS_MACSEC_ETHERTYPE_EAPOL) {
			st->in_pkts_eapol++;
			return RX_CTL;
		}
		if (s->validate == SS_MACSEC_VALIDATE_STRICT) {
			st->in_pkts_no_tag++;
			return RX_DROP;
		}
		st->in_pkts_untagged++;
		return RX_PASS;
	}
	if (unlikely(!sectag_ok(s, p, len, &pad))) {
		st->in_pkts_bad_tag++;
		return RX_DROP;
	}
	if (pad != 0)
		rte_pktmbuf_trim(m, (uint16_t)pad);
	tci = p[ETH_MACS + 2];
	taglen = tci & SS_MACSEC_TCI_SC ? SS_MACSEC_SECTAG_LEN :
		SS_MACSEC_SECTAG_NOSCI;
	/* A frame whose data was changed (C, E) cannot be passed
	 * unvalidated whatever validateFrames says (10.6.2). */
	strict = s->validate == SS_MACSEC_VALIDATE_STRICT ||
		(tci & (SS_MACSEC_TCI_C | SS_MACSEC_TCI_E)) != 0;
	if (likely(tci & SS_MACSEC_TCI_SC)) {
		sci = ld_be64(p + ETH_MACS + 8);
	} else if (!sci_implicit(s, p, tci, &sci)) {
		st->in_pkts_no_sci++;
		return RX_DROP;
	}
	sc = ss_macsec_rx_sc_find(s, sci);
	if (unlikely(sc == NULL)) {
		if (strict) {
			st->in_pkts_no_sci++;
			return RX_DROP;
		}
		st->in_pkts_unknown_sci++;
		strip(m, p, taglen);
		return RX_PASS;
	}
	sa = __atomic_load_n(&sc->sa[tci & SS_MACSEC_AN_MASK],
		__ATOMIC_ACQUIRE);
	if (unlikely(sa == NULL)) {
		if (strict) {
			st->in_pkts_not_using_sa++;
			return RX_DROP;
		}
		st->in_pkts_unused_sa++;
		strip(m, p, taglen);
		return RX_PASS;
	}
	if (unlikely(s->validate == SS_MACSEC_VALIDATE_DISABLED &&
			!strict)) {
		st->in_pkts_unchecked++;
		strip(m, p, taglen);
		return RX_PASS;
	}
	lowest = sa->lowest_pn;
	pn = ld_be32(p + ETH_MACS + 4);
	if (s->xpn)
		pn = xpn_recover(lowest, (uint32_t)pn);
	/* Before the crypto: a replayed frame costs no GCM. */
	if (s->replay_protect && (pn < lowest || replay_seen(sa, pn))) {
		st->in_pkts_late++;
		return RX_DROP;
	}
	data = p + ETH_MACS + taglen;
	dlen = m->pkt_len - ETH_MACS - taglen - SS_MACSEC_ICV_LEN;
	iv_make(s, sa, sci, pn, iv);
	if (tci & SS_MACSEC_TCI_E)
		gcm(s, sa, false, iv, data, dlen, p, ETH_MACS + taglen, icv);
	else
		gcm(s, sa, false, iv, data, 0, p, ETH_MACS + taglen + dlen,
			icv);
	if (unlikely(!icv_equal(icv, data + dlen))) {
		if (strict) {
			st->in_pkts_not_valid++;
			return RX_DROP;
		}
		st->in_pkts_invalid++;
		strip(m, p, taglen);
		return RX_PASS;
	}
	replay_update(s, sa, pn);
	if (pn < lowest)
		st->in_pkts_delayed++;
	else
		st->in_pkts_ok++;
	if (tci & SS_MACSEC_TCI_E)
		st->in_octets_decrypted += dlen;
	else
		st->in_octets_validated += dlen;
	strip(m, p, taglen);
	return RX_PASS;
}

uint16_t
ss_macsec_validate_burst(struct ss_macsec *s, struct rte_mbuf *m[],
	uint16_t n, struct rte_mbuf *ctl[], uint16_t *nc,
	struct rte_mbuf *drop[], uint16_t *nd)
{
	uint16_t k = 0;
	uint16_t c = 0;
	uint16_t d = 0;
	uint16_t i;

	for (i = 0; i < n; i++) {
		struct rte_mbuf *const mb = m[i];

		if (i + 1 < n)
			rte_prefetch0(rte_pktmbuf_mtod(m[i + 1], void *));
		switch (validate_one(s, mb)) {
		case RX_PASS:
			m[k++] = mb;
			break;
		case RX_CTL:
			ctl[c++] = mb;
			break;
		default:
			drop[d++] = mb;
			break;
		}
	}
	*nc = c;
	*nd = d;
	return k;
}
