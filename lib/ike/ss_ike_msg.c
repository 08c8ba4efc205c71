/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 shardsec authors
 */

/* IKEv2 message codec: strict decoding (every length checked against its
 * container) and an append-only encoder. */

#include <errno.h>
#include <string.h>
#include <netinet/in.h>

#include "ss_ike_priv.h"

static inline uint16_t
rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t
rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
		(uint32_t)p[2] << 8 | p[3];
}

static inline uint64_t
rd64(const uint8_t *p)
{
	return (uint64_t)rd32(p) << 32 | rd32(p + 4);
}

static bool
pl_known(uint8_t t)
{
	return (t >= PL_SA && t <= PL_EAP) || t == PL_SKF;
}

int
ike_pl_chain(uint8_t np, const uint8_t *p, size_t len, struct ike_msg *m,
	enum ss_ike_counter *why)
{
	size_t off = 0;

	while (np != PL_NONE) {
		uint16_t plen;
		struct ike_pl *pl;

		if (len - off < 4) {
			*why = SS_IKE_CNT_rx_truncated_payload;
			return -EBADMSG;
		}
		plen = rd16(p + off + 2);
		if (plen < 4) {
			*why = SS_IKE_CNT_rx_bad_payload;
			return -EBADMSG;
		}
		if (plen > len - off) {
			*why = SS_IKE_CNT_rx_truncated_payload;
			return -EBADMSG;
		}
		if (m->nb_pl >= IKE_MAX_PL) {
			*why = SS_IKE_CNT_rx_bad_payload;
			return -E2BIG;
		}
		if (!pl_known(np)) {
			/* RFC 7296 2.5: skip unknown non-critical payloads;
			 * an unknown critical one rejects the message. */
			if ((p[off + 1] & 0x80) && m->unsupported_critical == 0)
				m->unsupported_critical = np;
			np = p[off];
			off += plen;
			continue;
		}
		pl = &m->pl[m->nb_pl++];
		pl->type = np;
		pl->critical = (p[off + 1] & 0x80) != 0;
		pl->len = plen - 4;
		pl->body = p + off + 4;
		if (np == PL_SK || np == PL_SKF) {
			/* SK (or an SK fragment, RFC 7383) is last: its next
			 * payload names the inner chain, its body runs to the
			 * end of the message. */
			if (off + plen != len) {
				*why = SS_IKE_CNT_rx_bad_length;
				return -EBADMSG;
			}
			if (np == PL_SK)
				m->sk = (int)(m->nb_pl - 1);
			else
				m->skf = (int)(m->nb_pl - 1);
			return 0;
		}
		np = p[off];
		off += plen;
	}
	if (off != len) {
		/* bytes after the last payload */
		*why = SS_IKE_CNT_rx_bad_length;
		return -EBADMSG;
	}
	return 0;
}

int
ike_msg_parse(const uint8_t *buf, size_t len, struct ike_msg *m,
	enum ss_ike_counter *why)
{
	memset(m, 0, sizeof(*m));
	m->sk = -1;
	m->skf = -1;
	if (len < IKE_HDR_LEN) {
		*why = SS_IKE_CNT_rx_short;
		return -EBADMSG;
	}
	m->spi_i = rd64(buf);
	m->spi_r = rd64(buf + 8);
	m->np = buf[16];
	m->version = buf[17];
	m->exch = buf[18];
	m->flags = buf[19];
	m->msgid = rd32(buf + 20);
	m->length = rd32(buf + 24);
	m->raw = buf;
	m->raw_len = len;
	if ((m->version >> 4) != 2) {
		*why = SS_IKE_CNT_rx_bad_version;
		return -EPROTO;
	}
	if (m->length != len || len > IKE_MAX_MSG) {
		*why = SS_IKE_CNT_rx_bad_length;
		return -EBADMSG;
	}
	if (m->spi_i == 0) {
		*why = SS_IKE_CNT_rx_bad_spi;
		return -EBADMSG;
	}
	return ike_pl_chain(m->np, buf + IKE_HDR_LEN, len - IKE_HDR_LEN, m,
		why);
}

const struct ike_pl *
ike_msg_find(const struct ike_msg *m, uint8_t type)
{
	unsigned int i;

	for (i = 0; i < m->nb_pl; i++)
		if (m->pl[i].type == type)
			return &m->pl[i];
	return NULL;
}

int
ike_sa_decode(const struct ike_pl *pl, struct ike_sa_pl *sa)
{
	const uint8_t *p = pl->body;
	size_t len = pl->len, off = 0;
	uint8_t last = 2;

	memset(sa, 0, sizeof(*sa));
	while (last == 2) {
		struct ike_prop *pr;
		uint16_t plen;
		size_t xoff;
		unsigned int nx, i;

		if (len - off < 8)
			return -EBADMSG;
		last = p[off];
		plen = rd16(p + off + 2);
		if ((last != 0 && last != 2) || plen < 8 || plen > len - off)
			return -EBADMSG;
		if (sa->nb_prop >= SS_IKE_MAX_PROPS)
			return -E2BIG;
		pr = &sa->prop[sa->nb_prop++];
		pr->num = p[off + 4];
		pr->proto = p[off + 5];
		pr->spi_size = p[off + 6];
		nx = p[off + 7];
		/* numbers go up by one (a response echoes any one) */
		if (sa->nb_prop > 1 &&
			pr->num != sa->prop[sa->nb_prop - 2].num + 1)
			return -EBADMSG;
		if (pr->spi_size > 8 || 8u + pr->spi_size > plen)
			return -EBADMSG;
		memcpy(pr->spi, p + off + 8, pr->spi_size);
		xoff = off + 8 + pr->spi_size;
		for (i = 0; i < nx; i++) {
			uint16_t xlen;
			size_t aoff, aend;
			struct ike_xform *x;

			if (off + plen - xoff < 8)
				return -EBADMSG;
			xlen = rd16(p + xoff + 2);
			if (xlen < 8 || xlen > off + plen - xoff)
				return -EBADMSG;
			if ((i + 1 < nx) != (p[xoff] == 3))
				return -EBADMSG;
			if (pr->nb_xf >= IKE_MAX_XF)
				return -E2BIG;
			x = &pr->xf[pr->nb_xf++];
			x->type = p[xoff + 4];
			x->id = rd16(p + xoff + 6);
			aoff = xoff + 8;
			aend = xoff + xlen;
			while (aoff < aend) {
				uint16_t at;

				if (aend - aoff < 4)
					return -EBADMSG;
				at = rd16(p + aoff);
				if (at & 0x8000) {
					if ((at & 0x7fff) == ATTR_KEY_LENGTH)
						x->key_bits = rd16(p + aoff + 2);
					else
						x->unknown_attr = true;
					aoff += 4;
				} else {
					uint16_t al = rd16(p + aoff + 2);

					if (al > aend - aoff - 4)
						return -EBADMSG;
					x->unknown_attr = true;
					aoff += 4 + al;
				}
			}
			xoff = aend;
		}
		if (xoff != off + plen)
			return -EBADMSG;
		off += plen;
	}
	if (off != len)
		return -EBADMSG;
	return 0;
}

int
ike_notify_decode(const struct ike_pl *pl, struct ike_notify *n)
{
	if (pl->len < 4)
		return -EBADMSG;
	n->proto = pl->body[0];
	n->spi_size = pl->body[1];
	n->type = rd16(pl->body + 2);
	if (pl->len < 4u + n->spi_size)
		return -EBADMSG;
	n->spi = pl->body + 4;
	n->data = pl->body + 4 + n->spi_size;
	n->data_len = pl->len - 4 - n->spi_size;
	return 0;
}

bool
ike_msg_notify(const struct ike_msg *m, uint16_t type, struct ike_notify *n)
{
	unsigned int i;

	for (i = 0; i < m->nb_pl; i++) {
		if (m->pl[i].type != PL_NOTIFY)
			continue;
		if (ike_notify_decode(&m->pl[i], n) == 0 && n->type == type)
			return true;
	}
	return false;
}

uint16_t
ike_msg_error(const struct ike_msg *m)
{
	struct ike_notify n;
	unsigned int i;

	for (i = 0; i < m->nb_pl; i++) {
		if (m->pl[i].type != PL_NOTIFY)
			continue;
		if (ike_notify_decode(&m->pl[i], &n) == 0 && n.type < 16384 &&
			n.type != 0)
			return n.type;
	}
	return 0;
}

int
ike_ts_decode(const struct ike_pl *pl, struct ss_ike_ts *ts, uint8_t max,
	uint8_t *nb)
{
	const uint8_t *p = pl->body;
	size_t off = 4;
	unsigned int n, i;

	if (pl->len < 4)
		return -EBADMSG;
	n = p[0];
	if (n == 0)
		return -EBADMSG;
	*nb = 0;
	for (i = 0; i < n; i++) {
		uint16_t l;
		size_t alen;

		if (pl->len - off < 8)
			return -EBADMSG;
		l = rd16(p + off + 2);
		if (l > pl->len - off || l < 8)
			return -EBADMSG;
		if (p[off] == TS_IPV4)
			alen = 4;
		else if (p[off] == TS_IPV6)
			alen = 16;
		else {
			/* unknown TS types are skipped (RFC 7296 3.13.1) */
			off += l;
			continue;
		}
		if (l != 8 + 2 * alen)
			return -EBADMSG;
		if (*nb < max) {
			struct ss_ike_ts *t = &ts[(*nb)++];

			memset(t, 0, sizeof(*t));
			t->family = alen == 4 ? AF_INET : AF_INET6;
			t->proto = p[off + 1];
			t->port_lo = rd16(p + off + 4);
			t->port_hi = rd16(p + off + 6);
			memcpy(t->lo, p + off + 8, alen);
			memcpy(t->hi, p + off + 8 + alen, alen);
		}
		off += l;
	}
	if (off != pl->len)
		return -EBADMSG;
	return 0;
}

int
ike_delete_decode(const struct ike_pl *pl, struct ike_delete *d)
{
	if (pl->len < 4)
		return -EBADMSG;
	d->proto = pl->body[0];
	d->spi_size = pl->body[1];
	d->nb_spi = rd16(pl->body + 2);
	d->spis = pl->body + 4;
	if ((size_t)d->spi_size * d->nb_spi != pl->len - 4u)
		return -EBADMSG;
	if (d->proto == PROTO_IKE ? d->spi_size != 0 :
		(d->spi_size != 4 || d->nb_spi == 0))
		return -EBADMSG;
	return 0;
}

/* ---- encoder -------------------------------------------------------- */

void
ike_buf_init(struct ike_buf *b, uint8_t *p, size_t cap)
{
	b->p = p;
	b->len = 0;
	b->cap = cap;
	b->np_off = SIZE_MAX;
	b->first_np = PL_NONE;
	b->err = false;
}

void
ike_put(struct ike_buf *b, const void *d, size_t n)
{
	if (b->err || n > b->cap - b->len) {
		b->err = true;
		return;
	}
	if (n > 0)
		memcpy(b->p + b->len, d, n);
	b->len += n;
}

void
ike_put8(struct ike_buf *b, uint8_t v)
{
	ike_put(b, &v, 1);
}

void
ike_put16(struct ike_buf *b, uint16_t v)
{
	const uint8_t d[2] = { v >> 8, v & 0xff };

	ike_put(b, d, 2);
}

void
ike_put32(struct ike_buf *b, uint32_t v)
{
	ike_put16(b, v >> 16);
	ike_put16(b, v & 0xffff);
}

void
ike_put64(struct ike_buf *b, uint64_t v)
{
	ike_put32(b, v >> 32);
	ike_put32(b, v & 0xffffffff);
}

static void
set16(struct ike_buf *b, size_t off, uint16_t v)
{
	if (b->err)
		return;
	b->p[off] = v >> 8;
	b->p[off + 1] = v & 0xff;
}

void
ike_hdr_put(struct ike_buf *b, uint64_t spi_i, uint64_t spi_r, uint8_t exch,
	uint8_t flags, uint32_t msgid)
{
	ike_put64(b, spi_i);
	ike_put64(b, spi_r);
	b->np_off = b->len;
	ike_put8(b, PL_NONE);
	ike_put8(b, 0x20);
	ike_put8(b, exch);
	ike_put8(b, flags);
	ike_put32(b, msgid);
	ike_put32(b, 0);
}

void
ike_hdr_finish(struct ike_buf *b)
{
	if (b->err || b->len < IKE_HDR_LEN)
		return;
	b->p[24] = b->len >> 24;
	b->p[25] = b->len >> 16;
	b->p[26] = b->len >> 8;
	b->p[27] = b->len;
}

size_t
ike_pl_begin(struct ike_buf *b, uint8_t type)
{
	size_t off = b->len;

	if (b->np_off == SIZE_MAX)
		b->first_np = type;
	else if (!b->err)
		b->p[b->np_off] = type;
	b->np_off = off;
	ike_put8(b, PL_NONE);
	ike_put8(b, 0);
	ike_put16(b, 0);
	return off;
}

void
ike_pl_end(struct ike_buf *b, size_t off)
{
	set16(b, off + 2, (uint16_t)(b->len - off));
}

void
ike_put_simple(struct ike_buf *b, uint8_t type, const void *d, size_t n)
{
	size_t o = ike_pl_begin(b, type);

	ike_put(b, d, n);
	ike_pl_end(b, o);
}

static void
put_xform(struct ike_buf *b, bool last, uint8_t type, uint16_t id,
	uint16_t bits)
{
	ike_put8(b, last ? 0 : 3);
	ike_put8(b, 0);
	ike_put16(b, bits ? 12 : 8);
	ike_put8(b, type);
	ike_put8(b, 0);
	ike_put16(b, id);
	if (bits) {
		ike_put16(b, 0x8000 | ATTR_KEY_LENGTH);
		ike_put16(b, bits);
	}
}

void
ike_put_sa(struct ike_buf *b, const struct ike_prop *props, uint8_t nb)
{
	size_t o = ike_pl_begin(b, PL_SA);
	unsigned int i, j;

	for (i = 0; i < nb; i++) {
		const struct ike_prop *p = &props[i];
		size_t po = b->len;

		ike_put8(b, i + 1 < nb ? 2 : 0);
		ike_put8(b, 0);
		ike_put16(b, 0);
		ike_put8(b, p->num);
		ike_put8(b, p->proto);
		ike_put8(b, p->spi_size);
		ike_put8(b, p->nb_xf);
		ike_put(b, p->spi, p->spi_size);
		for (j = 0; j < p->nb_xf; j++)
			put_xform(b, j + 1 == p->nb_xf, p->xf[j].type,
				p->xf[j].id, p->xf[j].key_bits);
		set16(b, po + 2, (uint16_t)(b->len - po));
	}
	ike_pl_end(b, o);
}

void
ike_put_notify(struct ike_buf *b, uint8_t proto, const uint8_t *spi,
	uint8_t spi_size, uint16_t type, const void *data, size_t len)
{
	size_t o = ike_pl_begin(b, PL_NOTIFY);

	ike_put8(b, proto);
	ike_put8(b, spi_size);
	ike_put16(b, type);
	ike_put(b, spi, spi_size);
	ike_put(b, data, len);
	ike_pl_end(b, o);
}

void
ike_put_ts(struct ike_buf *b, uint8_t type, const struct ss_ike_ts *ts,
	uint8_t nb)
{
	size_t o = ike_pl_begin(b, type);
	unsigned int i;

	ike_put8(b, nb);
	ike_put8(b, 0);
	ike_put16(b, 0);
	for (i = 0; i < nb; i++) {
		size_t alen = ts[i].family == AF_INET ? 4 : 16;

		ike_put8(b, alen == 4 ? TS_IPV4 : TS_IPV6);
		ike_put8(b, ts[i].proto);
		ike_put16(b, 8 + 2 * alen);
		ike_put16(b, ts[i].port_lo);
		ike_put16(b, ts[i].port_hi);
		ike_put(b, ts[i].lo, alen);
		ike_put(b, ts[i].hi, alen);
	}
	ike_pl_end(b, o);
}

/* ---- proposals ------------------------------------------------------ */

void
ike_prop_from_conf(const struct ss_ike_proposal *c, uint8_t proto,
	uint8_t num, const uint8_t *spi, uint8_t spi_size,
	struct ike_prop *out)
{
	unsigned int i;

	memset(out, 0, sizeof(*out));
	out->num = num;
	out->proto = proto;
	out->spi_size = spi_size;
	if (spi_size > 0)
		memcpy(out->spi, spi, spi_size);
#define ADD(t, i_, b_) do { \
		out->xf[out->nb_xf].type = (t); \
		out->xf[out->nb_xf].id = (i_); \
		out->xf[out->nb_xf].key_bits = (b_); \
		out->nb_xf++; \
	} while (0)
	for (i = 0; i < c->nb_encr; i++)
		ADD(XF_ENCR, c->encr[i], c->encr_bits[i]);
	if (proto == PROTO_IKE)
		for (i = 0; i < c->nb_prf; i++)
			ADD(XF_PRF, c->prf[i], 0);
	for (i = 0; i < c->nb_integ; i++)
		ADD(XF_INTEG, c->integ[i], 0);
	for (i = 0; i < c->nb_dh; i++)
		ADD(XF_DH, c->dh[i], 0);
	if (proto != PROTO_IKE) {
		if (c->nb_esn == 0)
			ADD(XF_ESN, SS_IKE_ESN_NO, 0);
		for (i = 0; i < c->nb_esn; i++)
			ADD(XF_ESN, c->esn[i], 0);
	}
#undef ADD
}

/* First transform of 'type' in rx that the local list holds: 1 found,
 * 0 rx has none of that type, -1 rx has some but none acceptable. */
static int
pick(const struct ike_prop *rx, uint8_t type, const uint16_t *ids,
	const uint16_t *bits, unsigned int nb, uint16_t *id, uint16_t *kb)
{
	unsigned int i, j;
	bool seen = false;

	for (i = 0; i < rx->nb_xf; i++) {
		const struct ike_xform *x = &rx->xf[i];

		if (x->type != type)
			continue;
		seen = true;
		if (x->unknown_attr)
			continue;
		for (j = 0; j < nb; j++) {
			if (ids[j] != x->id)
				continue;
			if (bits != NULL && bits[j] != x->key_bits)
				continue;
			*id = x->id;
			if (kb != NULL)
				*kb = x->key_bits;
			return 1;
		}
	}
	return seen ? -1 : 0;
}

static bool
match_one(const struct ike_prop *rx, uint8_t proto,
	const struct ss_ike_proposal *l, struct ike_alg *a)
{
	static const uint16_t none = 0;
	uint16_t esn_def = SS_IKE_ESN_NO;
	int r;
	unsigned int i;

	memset(a, 0, sizeof(*a));
	/* every transform type in rx must be one we know for the proto */
	for (i = 0; i < rx->nb_xf; i++) {
		uint8_t t = rx->xf[i].type;

		if (t < XF_ENCR || t > XF_ESN)
			return false;
		if (proto == PROTO_IKE && t == XF_ESN)
			return false;
		if (proto == PROTO_ESP && t == XF_PRF)
			return false;
	}
	if (pick(rx, XF_ENCR, l->encr, l->encr_bits, l->nb_encr, &a->encr,
		&a->encr_bits) != 1)
		return false;
	if (a->encr == SS_IKE_ENCR_AES_GCM16) {
		/* AEAD: no integrity, or only NONE */
		r = pick(rx, XF_INTEG, &none, NULL, 1, &a->integ, NULL);
		if (r < 0)
			return false;
		a->integ = SS_IKE_INTEG_NONE;
	} else {
		if (pick(rx, XF_INTEG, l->integ, NULL, l->nb_integ, &a->integ,
			NULL) != 1)
			return false;
	}
	if (proto == PROTO_IKE) {
		if (pick(rx, XF_PRF, l->prf, NULL, l->nb_prf, &a->prf,
			NULL) != 1)
			return false;
		if (pick(rx, XF_DH, l->dh, NULL, l->nb_dh, &a->dh, NULL) != 1)
			return false;
	} else {
		r = pick(rx, XF_DH, l->dh, NULL, l->nb_dh, &a->dh, NULL);
		if (r < 0) {
			/* an offered NONE is fine when we use no PFS */
			if (l->nb_dh != 0 ||
				pick(rx, XF_DH, &none, NULL, 1, &a->dh,
					NULL) != 1)
				return false;
		} else if (r == 0 && l->nb_dh != 0) {
			return false;
		}
		if (l->nb_esn == 0)
			r = pick(rx, XF_ESN, &esn_def, NULL, 1, &a->esn, NULL);
		else
			r = pick(rx, XF_ESN, l->esn, NULL, l->nb_esn, &a->esn,
				NULL);
		if (r != 1)
			return false;
	}
	return true;
}

int
ike_prop_select(const struct ike_sa_pl *rx, uint8_t proto,
	const struct ss_ike_proposal *local, uint8_t nb_local,
	struct ike_alg *alg, int *chosen)
{
	unsigned int i, j;

	for (i = 0; i < rx->nb_prop; i++) {
		const struct ike_prop *p = &rx->prop[i];

		if (p->proto != proto)
			continue;
		if (proto == PROTO_ESP && p->spi_size != 4)
			continue;
		if (proto == PROTO_IKE && p->spi_size != 0 &&
			p->spi_size != 8)
			continue;
		for (j = 0; j < nb_local; j++) {
			if (match_one(p, proto, &local[j], alg)) {
				*chosen = (int)i;
				return 0;
			}
		}
	}
	return -ENOENT;
}

int
ike_prop_check(const struct ike_sa_pl *rx, uint8_t proto,
	const struct ss_ike_proposal *local, uint8_t nb_local,
	struct ike_alg *alg)
{
	const struct ike_prop *p;
	unsigned int i, cnt[6] = { 0 };
	int chosen;

	/* a responder answers one proposal with one transform per type */
	if (rx->nb_prop != 1)
		return -EBADMSG;
	p = &rx->prop[0];
	for (i = 0; i < p->nb_xf; i++) {
		if (p->xf[i].type > XF_ESN)
			return -EBADMSG;
		if (++cnt[p->xf[i].type] > 1)
			return -EBADMSG;
	}
	return ike_prop_select(rx, proto, local, nb_local, alg, &chosen);
}
