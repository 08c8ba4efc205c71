/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 shardsec authors
 */

/*
 * CAK renewal: a shardsec extension of MKA; both ends must run it.
 *
 * Keys (KDF = the 802.1X-2020 6.2.1 AES-CMAC KDF, mka_kdf):
 *   RK      = KDF(CAK, "SS CAK RENEW", CKN (all octets), |CAK|)
 *   new CAK = KDF(CAK, label, context, new key length)
 *   new CKN = KDF(new CAK, "SS CKN", context, 16 octets)
 *   check   = AES-CMAC(new CAK, "SS CAK CHECK" || renewal id)  (16)
 * The ICK and KEK of the new CA come from the new CAK and CKN as usual.
 *
 * KDF input ("info"), plaintext, before it is encrypted with AES key wrap
 * with padding (RFC 5649) under RK:
 *   kdf id (1: the 802.1X AES-CMAC KDF) | new key length in octets (1) |
 *   label length (1) | label ("SS CAK v1") | context length (1) |
 *   context (16 random octets)
 * = 29 octets, 40 once wrapped.
 *
 * Offer (key server): every MKPDU it sends while the renewal runs (and one
 * at once when it starts) carries the wrapped info in the Basic Parameter
 * Set's CKN field instead of the CKN (body length 28 + 40; the decoder
 * allows CKN fields up to 64 octets), plus a CAK renewal parameter set.
 * Its ICV is made with the current ICK.
 *
 * CAK renewal parameter set, type 0x7E (a type 802.1X-2020 Table 11-7
 * does not assign; receivers that do not know it skip it):
 *   octet 1: 0x7E; octet 2: phase (1 offer, 2 answer);
 *   octets 3-4: body length (12 bits, as every set); then
 *   offer:  renewal id (4, BE) | CKN length (1) | current CKN
 *   answer: renewal id (4, BE) | check (16)
 *   padded to 4 octets.
 *
 * A peer takes an offer only from the key server it elected, and finds
 * the CA by the CKN in the renewal set (the Basic set's CKN field does
 * not match); after the ICV checks, it decrypts the info (any failure:
 * cak_renew_bad), derives the new CAK and CKN, keeps them pending and
 * answers in every MKPDU (one at once) with phase 2, its Basic set keeping
 * the current CKN. When every live peer's check matches, the key server
 * switches to the new CA (cak_generation + 1; MI and MN go on, so no peer
 * loses liveness) and distributes a new SAK under the new KEK. A check
 * that does not match fails the renewal (cak_renew_failed) and everyone
 * stays on the current CA; so does no completion within 3 life times.
 * A peer with a pending CA also accepts MKPDUs under the new CKN; the
 * first one from the key server makes it switch (old keys wiped). It
 * drops the pending CA after 3 life times. After its switch the key
 * server keeps the old CKN and ICK (not the CAK or KEK) for at most one
 * life time, until every live peer was heard under the new CKN, so that
 * MKPDUs already in flight under the old CA still count for liveness.
 */

#include <errno.h>
#include <string.h>

#include <openssl/crypto.h>

#include "ss_mka_priv.h"

#define RENEW_LABEL "SS CAK v1"
#define RENEW_CTX_LEN 16
#define RENEW_KDF_CMAC 1

void
mka_ca_wipe(struct mka_ca *ca)
{
	OPENSSL_cleanse(ca, sizeof(*ca));
}

int
mka_ca_derive(struct mka_ca *ca)
{
	int ret;

	ret = mka_ick(ca->cak, ca->cak_len, ca->ckn, ca->ckn_len, ca->ick);
	if (ret == 0)
		ret = mka_kek(ca->cak, ca->cak_len, ca->ckn, ca->ckn_len,
			ca->kek);
	return ret;
}

static int
renew_rk(const struct mka_ca *ca, uint8_t *rk)
{
	return mka_kdf(ca->cak, ca->cak_len, "SS CAK RENEW", ca->ckn,
		ca->ckn_len, rk, ca->cak_len);
}

static int
renew_check(const struct mka_ca *next, uint32_t id, uint8_t check[16])
{
	uint8_t msg[12 + 4];

	memcpy(msg, "SS CAK CHECK", 12);
	msg[12] = (uint8_t)(id >> 24);
	msg[13] = (uint8_t)(id >> 16);
	msg[14] = (uint8_t)(id >> 8);
	msg[15] = (uint8_t)id;
	return mka_cmac(next->cak, next->cak_len, msg, sizeof(msg), check);
}

/* The new CA from the KDF input: both sides run exactly this. */
static int
renew_derive(const struct mka_ca *cur, const uint8_t *label,
	size_t label_len, const uint8_t *ctx, size_t ctx_len,
	uint8_t key_len, struct mka_ca *next)
{
	int ret;

	memset(next, 0, sizeof(*next));
	next->cak_len = key_len;
	ret = mka_kdf_label(cur->cak, cur->cak_len, label, label_len, ctx,
		ctx_len, next->cak, key_len);
	if (ret == 0)
		ret = mka_kdf(next->cak, next->cak_len, "SS CKN", ctx, ctx_len,
			next->ckn, 16);
	next->ckn_len = 16;
	if (ret == 0)
		ret = mka_ca_derive(next);
	if (ret < 0)
		mka_ca_wipe(next);
	return ret;
}

int
mka_renew_start(struct ss_mka *k)
{
	uint8_t info[4 + sizeof(RENEW_LABEL) - 1 + RENEW_CTX_LEN];
	const size_t label_len = sizeof(RENEW_LABEL) - 1;
	uint8_t rk[32];
	unsigned int i;
	size_t off = 0;
	int n;

	info[off++] = RENEW_KDF_CMAC;
	info[off++] = k->ca.cak_len;
	info[off++] = (uint8_t)label_len;
	memcpy(info + off, RENEW_LABEL, label_len);
	off += label_len;
	info[off++] = RENEW_CTX_LEN;
	if (mka_random(info + off, RENEW_CTX_LEN) < 0 ||
			mka_random(&k->offer.id, sizeof(k->offer.id)) < 0)
		return -EIO;
	if (renew_derive(&k->ca, (const uint8_t *)RENEW_LABEL, label_len,
			info + off, RENEW_CTX_LEN, k->ca.cak_len,
			&k->offer.next) < 0)
		return -EIO;
	off += RENEW_CTX_LEN;
	n = renew_rk(&k->ca, rk);
	if (n == 0)
		n = mka_wrap(rk, k->ca.cak_len, true, info, off,
			k->offer.field);
	OPENSSL_cleanse(rk, sizeof(rk));
	OPENSSL_cleanse(info, sizeof(info));
	if (n <= 0 || n > MKA_CKN_FIELD_MAX) {
		mka_ca_wipe(&k->offer.next);
		return -EIO;
	}
	k->offer.field_len = (uint8_t)n;
	k->offer.active = true;
	k->offer.deadline_ms = k->now_ms + 3 * (uint64_t)k->conf.life_ms;
	k->cak_time_ms = k->now_ms;
	for (i = 0; i < SS_MKA_MAX_PEERS; i++) {
		k->peer[i].renew_answered = false;
		k->peer[i].renew_ok = false;
	}
	k->st.cak_renew_started++;
	k->tx_now = true;
	return 0;
}

static void
offer_abandon(struct ss_mka *k)
{
	k->offer.active = false;
	mka_ca_wipe(&k->offer.next);
	OPENSSL_cleanse(k->offer.field, sizeof(k->offer.field));
	k->st.cak_renew_failed++;
	k->tx_now = true;
}

int
mka_renew_pick_ca(const struct ss_mka *k, const struct mka_pdu *p,
	const struct mka_ca **ca)
{
	if (p->ckn_len == k->ca.ckn_len &&
			memcmp(p->ckn, k->ca.ckn, p->ckn_len) == 0) {
		*ca = &k->ca;
		return 0;
	}
	if (p->has_renew && p->renew.phase == MKA_RENEW_OFFER &&
			p->renew.ckn_len == k->ca.ckn_len &&
			memcmp(p->renew.ckn, k->ca.ckn, p->renew.ckn_len) == 0) {
		*ca = &k->ca;
		return 0;
	}
	if (k->pend.valid && p->ckn_len == k->pend.ca.ckn_len &&
			memcmp(p->ckn, k->pend.ca.ckn, p->ckn_len) == 0) {
		*ca = &k->pend.ca;
		return 1;
	}
	if (k->prev.valid && p->ckn_len == k->prev.ca.ckn_len &&
			memcmp(p->ckn, k->prev.ca.ckn, p->ckn_len) == 0) {
		*ca = &k->prev.ca;
		return 2;
	}
	return -1;
}

/* Peer: an offer from our key server. */
static void
offer_rx(struct ss_mka *k, const struct mka_pdu *p)
{
	uint8_t rk[32], info[MKA_CKN_FIELD_MAX];
	const uint8_t *label, *ctx;
	size_t label_len, ctx_len;
	struct mka_ca next;
	uint8_t key_len;
	int n;

	if (k->pend.valid && k->pend.id == p->renew.id)
		return;
	n = renew_rk(&k->ca, rk);
	if (n == 0)
		n = mka_unwrap(rk, k->ca.cak_len, true, p->ckn, p->ckn_len,
			info);
	OPENSSL_cleanse(rk, sizeof(rk));
	if (n < 4)
		goto bad;
	key_len = info[1];
	label_len = info[2];
	if (info[0] != RENEW_KDF_CMAC || (key_len != 16 && key_len != 32) ||
			label_len == 0 || (size_t)n < 4 + label_len)
		goto bad;
	label = info + 3;
	ctx_len = info[3 + label_len];
	ctx = info + 4 + label_len;
	if (ctx_len == 0 || 4 + label_len + ctx_len != (size_t)n)
		goto bad;
	if (renew_derive(&k->ca, label, label_len, ctx, ctx_len, key_len,
			&next) < 0)
		goto bad;
	OPENSSL_cleanse(info, sizeof(info));
	mka_ca_wipe(&k->pend.ca);
	k->pend.ca = next;
	mka_ca_wipe(&next);
	if (renew_check(&k->pend.ca, p->renew.id, k->pend.check) < 0) {
		mka_ca_wipe(&k->pend.ca);
		k->pend.valid = false;
		return;
	}
	k->pend.valid = true;
	k->pend.id = p->renew.id;
	k->pend.deadline_ms = k->now_ms + 3 * (uint64_t)k->conf.life_ms;
	k->tx_now = true;
	return;
bad:
	OPENSSL_cleanse(info, sizeof(info));
	k->st.cak_renew_bad++;
}

static void
switch_ca(struct ss_mka *k, struct mka_ca *next)
{
	mka_ca_wipe(&k->ca);
	k->ca = *next;
	mka_ca_wipe(next);
	k->cak_generation++;
	k->st.cak_renew_done++;
	k->tx_now = true;
}

void
mka_renew_rx(struct ss_mka *k, struct mka_peer *from,
	const struct mka_pdu *p, int which)
{
	uint8_t check[16];

	if (which == 1) {
		/* under the pending CA: the key server has switched */
		if (k->have_ks && from->sci == k->ks_sci && !k->is_ks) {
			switch_ca(k, &k->pend.ca);
			k->pend.valid = false;
		}
		return;
	}
	if (which == 2) {
		from->on_new_ca = false;
		return;
	}
	if (k->prev.valid)
		from->on_new_ca = true;
	if (!p->has_renew)
		return;
	if (p->renew.phase == MKA_RENEW_OFFER) {
		if (!k->is_ks && k->have_ks && from->sci == k->ks_sci)
			offer_rx(k, p);
		return;
	}
	if (!k->offer.active || !k->is_ks || p->renew.id != k->offer.id ||
			from->renew_answered)
		return;
	if (renew_check(&k->offer.next, k->offer.id, check) < 0)
		return;
	from->renew_answered = true;
	from->renew_ok = CRYPTO_memcmp(check, p->renew.check, 16) == 0;
	if (!from->renew_ok)
		offer_abandon(k);
}

void
mka_renew_check_done(struct ss_mka *k)
{
	unsigned int i;

	if (k->prev.valid) {
		bool all = true;

		for (i = 0; i < SS_MKA_MAX_PEERS; i++)
			if (k->peer[i].used && k->peer[i].live &&
					!k->peer[i].on_new_ca)
				all = false;
		if (all || k->now_ms >= k->prev.deadline_ms) {
			mka_ca_wipe(&k->prev.ca);
			k->prev.valid = false;
		}
	}
	if (!k->offer.active)
		return;
	if (!k->is_ks || mka_nb_live(k) == 0) {
		offer_abandon(k);
		return;
	}
	for (i = 0; i < SS_MKA_MAX_PEERS; i++)
		if (k->peer[i].used && k->peer[i].live &&
				!k->peer[i].renew_ok)
			return;
	/* keep the old CKN and ICK only, for MKPDUs already on their way */
	mka_ca_wipe(&k->prev.ca);
	k->prev.ca = k->ca;
	OPENSSL_cleanse(k->prev.ca.cak, sizeof(k->prev.ca.cak));
	OPENSSL_cleanse(k->prev.ca.kek, sizeof(k->prev.ca.kek));
	k->prev.valid = true;
	k->prev.deadline_ms = k->now_ms + k->conf.life_ms;
	for (i = 0; i < SS_MKA_MAX_PEERS; i++)
		k->peer[i].on_new_ca = false;
	k->offer.active = false;
	OPENSSL_cleanse(k->offer.field, sizeof(k->offer.field));
	switch_ca(k, &k->offer.next);
	/* a new SAK under the new KEK proves the new CA on the data plane */
	mka_sak_generate(k);
}

void
mka_renew_fill(struct ss_mka *k, struct mka_pdu *p, const uint8_t **ckn,
	uint8_t *ckn_len)
{
	if (k->offer.active) {
		*ckn = k->offer.field;
		*ckn_len = k->offer.field_len;
		p->has_renew = true;
		p->renew.phase = MKA_RENEW_OFFER;
		p->renew.id = k->offer.id;
		p->renew.ckn = k->ca.ckn;
		p->renew.ckn_len = k->ca.ckn_len;
	} else if (k->pend.valid) {
		p->has_renew = true;
		p->renew.phase = MKA_RENEW_ANSWER;
		p->renew.id = k->pend.id;
		p->renew.check = k->pend.check;
	}
}

void
mka_renew_tick(struct ss_mka *k)
{
	if (k->offer.active && k->now_ms >= k->offer.deadline_ms)
		offer_abandon(k);
	if (k->pend.valid && k->now_ms >= k->pend.deadline_ms) {
		mka_ca_wipe(&k->pend.ca);
		k->pend.valid = false;
		k->st.cak_renew_failed++;
		k->tx_now = true;
	}
}
