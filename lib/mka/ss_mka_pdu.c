/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 shardsec authors
 */

/* MKPDU codec (802.1X-2020 11.11). Bit layouts follow the figures as
 * hostap's ieee802_1x_kay_i.h lays them out: octet 3 of every set holds
 * the top 4 bits of the 12-bit body length in its low nibble. The decoder
 * checks every length against the EAPOL body length (frame padding is
 * not part of the MKPDU) and refuses duplicate or overrunning sets; the
 * ICV is whatever 16 octets follow the last set. */

#include <errno.h>
#include <string.h>

#include "ss_mka_priv.h"

static const uint8_t mka_dst[6] = {0x01, 0x80, 0xC2, 0x00, 0x00, 0x03};

static uint32_t
get32(const uint8_t *b)
{
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
		(uint32_t)b[2] << 8 | b[3];
}

static uint64_t
get64(const uint8_t *b)
{
	return (uint64_t)get32(b) << 32 | get32(b + 4);
}

static void
put32(uint8_t *b, uint32_t v)
{
	b[0] = (uint8_t)(v >> 24);
	b[1] = (uint8_t)(v >> 16);
	b[2] = (uint8_t)(v >> 8);
	b[3] = (uint8_t)v;
}

static void
put64(uint8_t *b, uint64_t v)
{
	put32(b, (uint32_t)(v >> 32));
	put32(b + 4, (uint32_t)v);
}

static size_t
pad4(size_t n)
{
	return (n + 3) & ~(size_t)3;
}

static int
decode_basic(const uint8_t *b, size_t body, struct mka_pdu *p)
{
	if (body < MKA_BASIC_FIXED + 1 ||
			body > MKA_BASIC_FIXED + MKA_CKN_FIELD_MAX)
		return -EBADMSG;
	p->version = b[0];
	if (p->version < 1)
		return -EBADMSG;
	p->priority = b[1];
	p->key_server = (b[2] & 0x80) != 0;
	p->desired = (b[2] & 0x40) != 0;
	p->capability = (b[2] >> 4) & 3;
	p->sci = get64(b + 4);
	memcpy(p->mi, b + 12, MKA_MI_LEN);
	p->mn = get32(b + 24);
	p->algo = get32(b + 28);
	p->ckn = b + 32;
	p->ckn_len = (uint8_t)(body - MKA_BASIC_FIXED);
	return 0;
}

static int
decode_set(const uint8_t *b, size_t body, struct mka_pdu *p)
{
	const uint8_t *d = b + MKA_HDR_LEN;

	switch (b[0]) {
	case MKA_PS_LIVE:
	case MKA_PS_POTENTIAL:
		if (body % 16 != 0 || body / 16 > 255)
			return -EBADMSG;
		if (b[0] == MKA_PS_LIVE) {
			if (p->has_live)
				return -EBADMSG;
			p->has_live = true;
			p->live = d;
			p->nb_live = (uint16_t)(body / 16);
		} else {
			if (p->has_potential)
				return -EBADMSG;
			p->has_potential = true;
			p->potential = d;
			p->nb_potential = (uint16_t)(body / 16);
		}
		return 0;
	case MKA_PS_SAK_USE:
		if (p->has_sak_use || (body != 0 && body != MKA_SAK_USE_LEN))
			return -EBADMSG;
		p->has_sak_use = true;
		p->use.lan = b[1] >> 6;
		p->use.ltx = (b[1] & 0x20) != 0;
		p->use.lrx = (b[1] & 0x10) != 0;
		p->use.oan = (b[1] >> 2) & 3;
		p->use.otx = (b[1] & 0x02) != 0;
		p->use.orx = (b[1] & 0x01) != 0;
		p->use.ptx = (b[2] & 0x80) != 0;
		p->use.prx = (b[2] & 0x40) != 0;
		p->use.delay_protect = (b[2] & 0x10) != 0;
		if (body == 0)
			return 0;
		memcpy(p->use.lmi, d, MKA_MI_LEN);
		p->use.lkn = get32(d + 12);
		p->use.llpn = get32(d + 16);
		memcpy(p->use.omi, d + 20, MKA_MI_LEN);
		p->use.okn = get32(d + 32);
		p->use.olpn = get32(d + 36);
		return 0;
	case MKA_PS_DIST_SAK:
		if (p->has_dist)
			return -EBADMSG;
		p->has_dist = true;
		p->dist.dan = b[1] >> 6;
		p->dist.conf_offset = (b[1] >> 4) & 3;
		if (body == 0)	/* plain text: no SAK; nothing we use */
			return 0;
		if (body == 28) {
			p->dist.kn = get32(d);
			p->dist.has_cs = false;
			p->dist.cs = MKA_CS_GCM_AES_128;
			p->dist.wrapped = d + 4;
			p->dist.wrapped_len = 24;
			return 0;
		}
		if (body != 4 + 8 + 24 && body != 4 + 8 + 40)
			return -EBADMSG;
		p->dist.kn = get32(d);
		p->dist.has_cs = true;
		p->dist.cs = get64(d + 4);
		p->dist.wrapped = d + 12;
		p->dist.wrapped_len = (uint8_t)(body - 12);
		return 0;
	case MKA_PS_XPN:
		if (p->has_xpn || body != MKA_XPN_LEN)
			return -EBADMSG;
		p->has_xpn = true;
		p->xpn.suspension = b[1];
		p->xpn.llpn_hi = get32(d);
		p->xpn.olpn_hi = get32(d + 4);
		return 0;
	case MKA_PS_RENEW:
		if (p->has_renew || body < 4)
			return -EBADMSG;
		p->has_renew = true;
		p->renew.phase = b[1];
		p->renew.id = get32(d);
		if (p->renew.phase == MKA_RENEW_OFFER) {
			if (body < 6 || d[4] == 0 ||
					d[4] > SS_MKA_CKN_MAX ||
					body != 5u + d[4])
				return -EBADMSG;
			p->renew.ckn_len = d[4];
			p->renew.ckn = d + 5;
			return 0;
		}
		if (p->renew.phase == MKA_RENEW_ANSWER) {
			if (body != 4 + 16)
				return -EBADMSG;
			p->renew.check = d + 4;
			return 0;
		}
		return -EBADMSG;
	default:
		/* 802.1X-2020 11.11.3: unknown parameter sets are skipped */
		return 0;
	}
}

int
mka_pdu_decode(const uint8_t *f, size_t len, struct mka_pdu *p)
{
	size_t eapol_len, end, off, body, setlen;
	int ret;

	memset(p, 0, sizeof(*p));
	if (len < MKA_ETH_HDR + MKA_EAPOL_HDR)
		return -EBADMSG;
	if (f[12] != (SS_MKA_ETHERTYPE >> 8) ||
			f[13] != (SS_MKA_ETHERTYPE & 0xff) ||
			f[15] != MKA_EAPOL_TYPE || f[14] == 0)
		return -EBADMSG;
	memcpy(p->src, f + 6, 6);
	eapol_len = (size_t)f[16] << 8 | f[17];
	end = MKA_ETH_HDR + MKA_EAPOL_HDR + eapol_len;
	if (end > len || eapol_len < MKA_HDR_LEN + MKA_BASIC_FIXED + 1 +
			MKA_ICV_LEN || eapol_len % 4 != 0)
		return -EBADMSG;
	off = MKA_ETH_HDR + MKA_EAPOL_HDR;
	/* the basic parameter set comes first, always */
	body = (size_t)(f[off + 2] & 0x0f) << 8 | f[off + 3];
	setlen = MKA_HDR_LEN + pad4(body);
	if (off + setlen + MKA_ICV_LEN > end)
		return -EBADMSG;
	ret = decode_basic(f + off, body, p);
	if (ret < 0)
		return ret;
	off += setlen;
	while (off + MKA_ICV_LEN < end) {
		if (off + MKA_HDR_LEN > end)
			return -EBADMSG;
		body = (size_t)(f[off + 2] & 0x0f) << 8 | f[off + 3];
		setlen = MKA_HDR_LEN + pad4(body);
		if (f[off] == MKA_PS_ICV) {
			/* ICV indicator: the ICV is its body and ends the PDU */
			if (body != MKA_ICV_LEN || off + setlen != end)
				return -EBADMSG;
			p->icv_off = off;
			p->icv = f + off + MKA_HDR_LEN;
			return 0;
		}
		if (off + setlen + MKA_ICV_LEN > end)
			return -EBADMSG;
		ret = decode_set(f + off, body, p);
		if (ret < 0)
			return ret;
		off += setlen;
	}
	if (off + MKA_ICV_LEN != end)
		return -EBADMSG;
	p->icv_off = off;
	p->icv = f + off;
	return 0;
}

static uint8_t *
put_hdr(uint8_t *b, uint8_t type, uint8_t o2, size_t body)
{
	b[0] = type;
	b[1] = o2;
	b[2] = (uint8_t)((body >> 8) & 0x0f);
	b[3] = (uint8_t)body;
	return b + MKA_HDR_LEN;
}

static void
zero_pad(uint8_t *b, size_t body)
{
	memset(b + body, 0, pad4(body) - body);
}

size_t
mka_pdu_encode(const struct mka_pdu *p, uint8_t *buf, size_t size)
{
	size_t need, off, body;
	uint8_t *d;

	need = MKA_ETH_HDR + MKA_EAPOL_HDR + MKA_HDR_LEN +
		pad4(MKA_BASIC_FIXED + (size_t)p->ckn_len) + MKA_ICV_LEN;
	if (p->has_live)
		need += MKA_HDR_LEN + 16 * (size_t)p->nb_live;
	if (p->has_potential)
		need += MKA_HDR_LEN + 16 * (size_t)p->nb_potential;
	if (p->has_sak_use)
		need += MKA_HDR_LEN + MKA_SAK_USE_LEN;
	if (p->has_dist)
		need += MKA_HDR_LEN + 12 + p->dist.wrapped_len;
	if (p->has_xpn)
		need += MKA_HDR_LEN + MKA_XPN_LEN;
	if (p->has_renew)
		need += MKA_HDR_LEN + pad4(5 + (size_t)p->renew.ckn_len + 16);
	if (need > size || p->ckn_len == 0 ||
			p->ckn_len > MKA_CKN_FIELD_MAX)
		return 0;

	memcpy(buf, mka_dst, 6);
	memcpy(buf + 6, p->src, 6);
	buf[12] = SS_MKA_ETHERTYPE >> 8;
	buf[13] = SS_MKA_ETHERTYPE & 0xff;
	buf[14] = MKA_EAPOL_VERSION;
	buf[15] = MKA_EAPOL_TYPE;
	off = MKA_ETH_HDR + MKA_EAPOL_HDR;

	body = MKA_BASIC_FIXED + p->ckn_len;
	d = buf + off;
	d[0] = p->version;
	d[1] = p->priority;
	d[2] = (uint8_t)((p->key_server ? 0x80 : 0) |
		(p->desired ? 0x40 : 0) | (p->capability & 3) << 4 |
		((body >> 8) & 0x0f));
	d[3] = (uint8_t)body;
	put64(d + 4, p->sci);
	memcpy(d + 12, p->mi, MKA_MI_LEN);
	put32(d + 24, p->mn);
	put32(d + 28, p->algo);
	memcpy(d + 32, p->ckn, p->ckn_len);
	zero_pad(d + MKA_HDR_LEN, body);
	off += MKA_HDR_LEN + pad4(body);

	if (p->has_live && p->nb_live > 0) {
		d = put_hdr(buf + off, MKA_PS_LIVE, 0, 16 * p->nb_live);
		memcpy(d, p->live, 16 * (size_t)p->nb_live);
		off += MKA_HDR_LEN + 16 * (size_t)p->nb_live;
	}
	if (p->has_potential && p->nb_potential > 0) {
		d = put_hdr(buf + off, MKA_PS_POTENTIAL, 0,
			16 * p->nb_potential);
		memcpy(d, p->potential, 16 * (size_t)p->nb_potential);
		off += MKA_HDR_LEN + 16 * (size_t)p->nb_potential;
	}
	if (p->has_sak_use) {
		d = put_hdr(buf + off, MKA_PS_SAK_USE,
			(uint8_t)((p->use.lan & 3) << 6 |
			(p->use.ltx ? 0x20 : 0) | (p->use.lrx ? 0x10 : 0) |
			(p->use.oan & 3) << 2 | (p->use.otx ? 0x02 : 0) |
			(p->use.orx ? 0x01 : 0)), MKA_SAK_USE_LEN);
		buf[off + 2] |= (uint8_t)((p->use.ptx ? 0x80 : 0) |
			(p->use.prx ? 0x40 : 0) |
			(p->use.delay_protect ? 0x10 : 0));
		memcpy(d, p->use.lmi, MKA_MI_LEN);
		put32(d + 12, p->use.lkn);
		put32(d + 16, p->use.llpn);
		memcpy(d + 20, p->use.omi, MKA_MI_LEN);
		put32(d + 32, p->use.okn);
		put32(d + 36, p->use.olpn);
		off += MKA_HDR_LEN + MKA_SAK_USE_LEN;
	}
	if (p->has_dist) {
		body = 4 + (p->dist.has_cs ? 8 : 0) + p->dist.wrapped_len;
		d = put_hdr(buf + off, MKA_PS_DIST_SAK,
			(uint8_t)((p->dist.dan & 3) << 6 |
			(p->dist.conf_offset & 3) << 4), body);
		put32(d, p->dist.kn);
		d += 4;
		if (p->dist.has_cs) {
			put64(d, p->dist.cs);
			d += 8;
		}
		memcpy(d, p->dist.wrapped, p->dist.wrapped_len);
		off += MKA_HDR_LEN + pad4(body);
	}
	if (p->has_xpn) {
		d = put_hdr(buf + off, MKA_PS_XPN, p->xpn.suspension,
			MKA_XPN_LEN);
		put32(d, p->xpn.llpn_hi);
		put32(d + 4, p->xpn.olpn_hi);
		off += MKA_HDR_LEN + MKA_XPN_LEN;
	}
	if (p->has_renew) {
		if (p->renew.phase == MKA_RENEW_OFFER)
			body = 5 + (size_t)p->renew.ckn_len;
		else
			body = 4 + 16;
		d = put_hdr(buf + off, MKA_PS_RENEW, p->renew.phase, body);
		put32(d, p->renew.id);
		if (p->renew.phase == MKA_RENEW_OFFER) {
			d[4] = p->renew.ckn_len;
			memcpy(d + 5, p->renew.ckn, p->renew.ckn_len);
		} else {
			memcpy(d + 4, p->renew.check, 16);
		}
		zero_pad(d, body);
		off += MKA_HDR_LEN + pad4(body);
	}
	body = off + MKA_ICV_LEN - MKA_ETH_HDR - MKA_EAPOL_HDR;
	buf[16] = (uint8_t)(body >> 8);
	buf[17] = (uint8_t)body;
	return off;
}
