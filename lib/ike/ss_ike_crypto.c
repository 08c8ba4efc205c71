/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 shardsec authors
 */

/* IKEv2 cryptography on OpenSSL libcrypto: PRFs and prf+, Diffie-Hellman
 * groups 14/19/20/31, and the SK payload (AES-GCM-16, AES-CBC + HMAC). */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/rand.h>

#include "ss_ike_priv.h"

#ifdef SS_IKE_FUZZING
/* Fuzz builds only (never the library): a reproducible RNG so that a
 * recorded exchange replays byte for byte, and an SK payload that is not
 * encrypted, so that mutated inner payloads reach the state machine. */
static uint64_t fuzz_rng = 0x9e3779b97f4a7c15ull;

void
ike_fuzz_reset(void)
{
	fuzz_rng = 0x9e3779b97f4a7c15ull;
}

int
ike_random(void *p, size_t n)
{
	uint8_t *b = p;
	size_t i;

	for (i = 0; i < n; i++) {
		fuzz_rng ^= fuzz_rng << 13;
		fuzz_rng ^= fuzz_rng >> 7;
		fuzz_rng ^= fuzz_rng << 17;
		b[i] = (uint8_t)(fuzz_rng >> 24);
	}
	return 0;
}
#else
int
ike_random(void *p, size_t n)
{
	return RAND_bytes(p, (int)n) == 1 ? 0 : -EIO;
}
#endif

static const char *
prf_md(uint16_t prf)
{
	switch (prf) {
	case IKE_PRF_HMAC_SHA1:
		return "SHA1";
	case SS_IKE_PRF_HMAC_SHA2_256:
		return "SHA256";
	case SS_IKE_PRF_HMAC_SHA2_384:
		return "SHA384";
	case SS_IKE_PRF_HMAC_SHA2_512:
		return "SHA512";
	}
	return NULL;
}

size_t
ike_prf_len(uint16_t prf)
{
	switch (prf) {
	case IKE_PRF_HMAC_SHA1:
		return 20;
	case SS_IKE_PRF_HMAC_SHA2_256:
		return 32;
	case SS_IKE_PRF_HMAC_SHA2_384:
		return 48;
	case SS_IKE_PRF_HMAC_SHA2_512:
		return 64;
	}
	return 0;
}

static int
hmac(const char *md, const uint8_t *key, size_t klen,
	const struct ike_iov *iov, unsigned int nb, uint8_t *out)
{
	static EVP_MAC *mac;
	EVP_MAC_CTX *ctx;
	OSSL_PARAM params[2];
	size_t olen;
	unsigned int i;
	int ret = -EIO;

	if (mac == NULL) {
		mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
		if (mac == NULL)
			return -EIO;
	}
	ctx = EVP_MAC_CTX_new(mac);
	if (ctx == NULL)
		return -ENOMEM;
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
		(char *)(uintptr_t)md, 0);
	params[1] = OSSL_PARAM_construct_end();
	/* HMAC with an empty key is legal; OpenSSL wants a non-NULL one */
	if (EVP_MAC_init(ctx, klen ? key : (const uint8_t *)"", klen,
		params) != 1)
		goto out;
	for (i = 0; i < nb; i++)
		if (iov[i].n > 0 &&
			EVP_MAC_update(ctx, iov[i].p, iov[i].n) != 1)
			goto out;
	if (EVP_MAC_final(ctx, out, &olen, 64) != 1)
		goto out;
	ret = (int)olen;
out:
	EVP_MAC_CTX_free(ctx);
	return ret;
}

int
ike_prf(uint16_t prf, const uint8_t *key, size_t klen,
	const struct ike_iov *iov, unsigned int nb, uint8_t *out)
{
	const char *md = prf_md(prf);

	if (md == NULL)
		return -ENOTSUP;
	return hmac(md, key, klen, iov, nb, out) < 0 ? -EIO : 0;
}

int
ike_prf_plus(uint16_t prf, const uint8_t *key, size_t klen,
	const uint8_t *seed, size_t slen, uint8_t *out, size_t outlen)
{
	size_t hl = ike_prf_len(prf), done = 0;
	uint8_t t[64];
	uint8_t cnt;

	if (hl == 0)
		return -ENOTSUP;
	if (outlen > 255 * hl)
		return -EINVAL;
	for (cnt = 1; done < outlen; cnt++) {
		struct ike_iov iov[3] = {
			{ t, cnt == 1 ? 0 : hl },
			{ seed, slen },
			{ &cnt, 1 },
		};
		size_t n;

		if (ike_prf(prf, key, klen, iov, 3, t) < 0) {
			OPENSSL_cleanse(t, sizeof(t));
			return -EIO;
		}
		n = RTE_MIN(hl, outlen - done);
		memcpy(out + done, t, n);
		done += n;
	}
	OPENSSL_cleanse(t, sizeof(t));
	return 0;
}

int
ike_skeyseed(uint16_t prf, const uint8_t *ni, size_t ni_len,
	const uint8_t *nr, size_t nr_len, const uint8_t *g, size_t glen,
	const uint8_t *old_skd, size_t old_len, uint8_t *out)
{
	uint8_t nn[2 * 256];
	struct ike_iov iov[3] = {
		{ g, glen }, { ni, ni_len }, { nr, nr_len },
	};

	if (ni_len > 256 || nr_len > 256)
		return -EINVAL;
	if (old_skd != NULL)
		return ike_prf(prf, old_skd, old_len, iov, 3, out);
	memcpy(nn, ni, ni_len);
	memcpy(nn + ni_len, nr, nr_len);
	return ike_prf(prf, nn, ni_len + nr_len, iov, 1, out);
}

int
ike_dkm(uint16_t prf, const uint8_t *skeyseed, const uint8_t *ni,
	size_t ni_len, const uint8_t *nr, size_t nr_len, uint64_t spi_i,
	uint64_t spi_r, uint8_t *out, size_t outlen)
{
	uint8_t seed[2 * 256 + 16];
	size_t sl = 0;
	unsigned int i;
	int ret;

	if (ni_len > 256 || nr_len > 256)
		return -EINVAL;
	memcpy(seed, ni, ni_len);
	sl += ni_len;
	memcpy(seed + sl, nr, nr_len);
	sl += nr_len;
	for (i = 0; i < 8; i++) {
		seed[sl + i] = (uint8_t)(spi_i >> (56 - 8 * i));
		seed[sl + 8 + i] = (uint8_t)(spi_r >> (56 - 8 * i));
	}
	sl += 16;
	ret = ike_prf_plus(prf, skeyseed, ike_prf_len(prf), seed, sl, out,
		outlen);
	OPENSSL_cleanse(seed, sizeof(seed));
	return ret;
}

int
ike_child_dkm(uint16_t prf, const uint8_t *skd, const uint8_t *g,
	size_t glen, const uint8_t *ni, size_t ni_len, const uint8_t *nr,
	size_t nr_len, uint8_t *out, size_t outlen)
{
	uint8_t seed[512 + 2 * 256];
	size_t sl = 0;
	int ret;

	if (glen > 512 || ni_len > 256 || nr_len > 256)
		return -EINVAL;
	if (glen > 0)
		memcpy(seed, g, glen);
	sl += glen;
	memcpy(seed + sl, ni, ni_len);
	sl += ni_len;
	memcpy(seed + sl, nr, nr_len);
	sl += nr_len;
	ret = ike_prf_plus(prf, skd, ike_prf_len(prf), seed, sl, out, outlen);
	OPENSSL_cleanse(seed, sizeof(seed));
	return ret;
}

static int
digest(const char *md, const struct ike_iov *iov, unsigned int nb,
	uint8_t *out)
{
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	const EVP_MD *m = EVP_get_digestbyname(md);
	unsigned int i;
	int ret = -EIO;

	if (c == NULL || m == NULL)
		goto out;
	if (EVP_DigestInit_ex(c, m, NULL) != 1)
		goto out;
	for (i = 0; i < nb; i++)
		if (EVP_DigestUpdate(c, iov[i].p, iov[i].n) != 1)
			goto out;
	if (EVP_DigestFinal_ex(c, out, NULL) != 1)
		goto out;
	ret = 0;
out:
	EVP_MD_CTX_free(c);
	return ret;
}

int
ike_sha1(const struct ike_iov *iov, unsigned int nb, uint8_t out[20])
{
	return digest("SHA1", iov, nb, out);
}

int
ike_sha256(const struct ike_iov *iov, unsigned int nb, uint8_t out[32])
{
	return digest("SHA256", iov, nb, out);
}

/* ---- Diffie-Hellman -------------------------------------------------- */

struct ike_dh {
	uint16_t group;
	BIGNUM *priv;			/* MODP and ECP */
	EC_GROUP *ecg;
	EVP_PKEY *x25519;
	uint8_t pub[256];
	size_t pub_len;
};

bool
ike_dh_supported(uint16_t group)
{
	return ike_dh_pub_len(group) != 0;
}

size_t
ike_dh_pub_len(uint16_t group)
{
	switch (group) {
	case SS_IKE_DH_MODP2048:
		return 256;
	case SS_IKE_DH_ECP256:
		return 64;
	case SS_IKE_DH_ECP384:
		return 96;
	case SS_IKE_DH_CURVE25519:
		return 32;
	}
	return 0;
}

static int
ec_point_out(const EC_GROUP *g, const EC_POINT *pt, uint8_t *out, size_t clen,
	BN_CTX *ctx, bool x_only)
{
	BIGNUM *x = BN_new(), *y = BN_new();
	int ret = -EIO;

	if (x == NULL || y == NULL)
		goto out;
	if (EC_POINT_get_affine_coordinates(g, pt, x, y, ctx) != 1)
		goto out;
	if (BN_bn2binpad(x, out, (int)clen) < 0)
		goto out;
	if (!x_only && BN_bn2binpad(y, out + clen, (int)clen) < 0)
		goto out;
	ret = 0;
out:
	BN_free(x);
	BN_free(y);
	return ret;
}

/* A 'bytes'-byte private value with the top bit set (MODP exponent). */
static int
dh_rand(BIGNUM *bn, size_t bytes)
{
#ifdef SS_IKE_FUZZING
	uint8_t r[64];

	ike_random(r, bytes);
	r[0] |= 0x80;
	return BN_bin2bn(r, (int)bytes, bn) == NULL ? -EIO : 0;
#else
	return BN_priv_rand(bn, (int)bytes * 8, BN_RAND_TOP_ONE,
		BN_RAND_BOTTOM_ANY) == 1 ? 0 : -EIO;
#endif
}

struct ike_dh *
ike_dh_new(uint16_t group, const uint8_t *priv, size_t priv_len)
{
	struct ike_dh *dh;
	BN_CTX *bctx = NULL;
	BIGNUM *p = NULL, *g = NULL, *pub = NULL;
	EC_POINT *pt = NULL;
	size_t len;

	if (!ike_dh_supported(group))
		return NULL;
	dh = calloc(1, sizeof(*dh));
	if (dh == NULL)
		return NULL;
	dh->group = group;
	dh->pub_len = ike_dh_pub_len(group);
	bctx = BN_CTX_new();
	if (bctx == NULL)
		goto fail;
	switch (group) {
	case SS_IKE_DH_MODP2048:
		p = BN_get_rfc3526_prime_2048(NULL);
		g = BN_new();
		pub = BN_new();
		dh->priv = BN_secure_new();
		if (p == NULL || g == NULL || pub == NULL || dh->priv == NULL ||
			BN_set_word(g, 2) != 1)
			goto fail;
		if (priv != NULL) {
			if (BN_bin2bn(priv, (int)priv_len, dh->priv) == NULL)
				goto fail;
		} else if (dh_rand(dh->priv, 64) < 0) {
			goto fail;
		}
		BN_set_flags(dh->priv, BN_FLG_CONSTTIME);
		if (BN_mod_exp_mont_consttime(pub, g, dh->priv, p, bctx,
			NULL) != 1)
			goto fail;
		if (BN_bn2binpad(pub, dh->pub, 256) < 0)
			goto fail;
		break;
	case SS_IKE_DH_ECP256:
	case SS_IKE_DH_ECP384:
		dh->ecg = EC_GROUP_new_by_curve_name(group == SS_IKE_DH_ECP256 ?
			NID_X9_62_prime256v1 : NID_secp384r1);
		dh->priv = BN_secure_new();
		pt = dh->ecg ? EC_POINT_new(dh->ecg) : NULL;
		if (pt == NULL || dh->priv == NULL)
			goto fail;
		if (priv != NULL) {
			if (BN_bin2bn(priv, (int)priv_len, dh->priv) == NULL)
				goto fail;
		} else {
			const BIGNUM *order = EC_GROUP_get0_order(dh->ecg);

			do {
#ifdef SS_IKE_FUZZING
				if (dh_rand(dh->priv, 64) < 0 ||
					BN_nnmod(dh->priv, dh->priv, order,
						bctx) != 1)
					goto fail;
#else
				if (BN_priv_rand_range(dh->priv, order) != 1)
					goto fail;
#endif
			} while (BN_is_zero(dh->priv));
		}
		if (EC_POINT_mul(dh->ecg, pt, dh->priv, NULL, NULL, bctx) != 1)
			goto fail;
		if (ec_point_out(dh->ecg, pt, dh->pub, dh->pub_len / 2, bctx,
			false) < 0)
			goto fail;
		break;
	case SS_IKE_DH_CURVE25519:
		if (priv != NULL) {
			if (priv_len != 32)
				goto fail;
			dh->x25519 = EVP_PKEY_new_raw_private_key(
				EVP_PKEY_X25519, NULL, priv, 32);
		} else {
#ifdef SS_IKE_FUZZING
			uint8_t r[32];

			ike_random(r, sizeof(r));
			dh->x25519 = EVP_PKEY_new_raw_private_key(
				EVP_PKEY_X25519, NULL, r, 32);
#else
			dh->x25519 = EVP_PKEY_Q_keygen(NULL, NULL, "X25519");
#endif
		}
		len = 32;
		if (dh->x25519 == NULL ||
			EVP_PKEY_get_raw_public_key(dh->x25519, dh->pub,
				&len) != 1 || len != 32)
			goto fail;
		break;
	}
	BN_free(p);
	BN_free(g);
	BN_free(pub);
	EC_POINT_free(pt);
	BN_CTX_free(bctx);
	return dh;
fail:
	BN_free(p);
	BN_free(g);
	BN_free(pub);
	EC_POINT_free(pt);
	BN_CTX_free(bctx);
	ike_dh_free(dh);
	return NULL;
}

void
ike_dh_free(struct ike_dh *dh)
{
	if (dh == NULL)
		return;
	BN_clear_free(dh->priv);
	EC_GROUP_free(dh->ecg);
	EVP_PKEY_free(dh->x25519);
	free(dh);
}

const uint8_t *
ike_dh_pub(const struct ike_dh *dh, size_t *len)
{
	*len = dh->pub_len;
	return dh->pub;
}

int
ike_dh_shared(struct ike_dh *dh, const uint8_t *peer, size_t plen,
	uint8_t *out, size_t *olen)
{
	BN_CTX *bctx = NULL;
	BIGNUM *p = NULL, *y = NULL, *s = NULL, *x = NULL, *lim = NULL;
	EC_POINT *q = NULL, *r = NULL;
	EVP_PKEY *pk = NULL;
	EVP_PKEY_CTX *pc = NULL;
	size_t half;
	int ret = -EINVAL;

	if (plen != dh->pub_len)
		return -EINVAL;
	bctx = BN_CTX_new();
	if (bctx == NULL)
		return -ENOMEM;
	switch (dh->group) {
	case SS_IKE_DH_MODP2048:
		p = BN_get_rfc3526_prime_2048(NULL);
		y = BN_bin2bn(peer, (int)plen, NULL);
		s = BN_secure_new();
		lim = BN_new();
		if (p == NULL || y == NULL || s == NULL || lim == NULL)
			goto out;
		/* 1 < y < p - 1 (RFC 7296 section 5 / SP 800-56A checks) */
		if (BN_copy(lim, p) == NULL || BN_sub_word(lim, 1) != 1)
			goto out;
		if (BN_cmp(y, BN_value_one()) <= 0 || BN_cmp(y, lim) >= 0)
			goto out;
		if (BN_mod_exp_mont_consttime(s, y, dh->priv, p, bctx,
			NULL) != 1)
			goto out;
		if (BN_bn2binpad(s, out, 256) < 0)
			goto out;
		*olen = 256;
		ret = 0;
		break;
	case SS_IKE_DH_ECP256:
	case SS_IKE_DH_ECP384:
		half = plen / 2;
		x = BN_bin2bn(peer, (int)half, NULL);
		y = BN_bin2bn(peer + half, (int)half, NULL);
		q = EC_POINT_new(dh->ecg);
		r = EC_POINT_new(dh->ecg);
		if (x == NULL || y == NULL || q == NULL || r == NULL)
			goto out;
		/* fails for points not on the curve */
		if (EC_POINT_set_affine_coordinates(dh->ecg, q, x, y,
			bctx) != 1)
			goto out;
		if (EC_POINT_mul(dh->ecg, r, NULL, q, dh->priv, bctx) != 1 ||
			EC_POINT_is_at_infinity(dh->ecg, r))
			goto out;
		if (ec_point_out(dh->ecg, r, out, half, bctx, true) < 0)
			goto out;
		*olen = half;
		ret = 0;
		break;
	case SS_IKE_DH_CURVE25519:
		pk = EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, NULL, peer,
			32);
		pc = EVP_PKEY_CTX_new(dh->x25519, NULL);
		*olen = 32;
		/* OpenSSL refuses an all-zero result (small-order point) */
		if (pk == NULL || pc == NULL ||
			EVP_PKEY_derive_init(pc) != 1 ||
			EVP_PKEY_derive_set_peer(pc, pk) != 1 ||
			EVP_PKEY_derive(pc, out, olen) != 1 || *olen != 32)
			goto out;
		ret = 0;
		break;
	}
out:
	BN_free(p);
	BN_free(y);
	BN_clear_free(s);
	BN_free(x);
	BN_free(lim);
	EC_POINT_free(q);
	EC_POINT_clear_free(r);
	EVP_PKEY_free(pk);
	EVP_PKEY_CTX_free(pc);
	BN_CTX_free(bctx);
	return ret;
}

/* ---- SK payload ------------------------------------------------------ */

size_t
ike_encr_keylen(uint16_t encr, uint16_t bits)
{
	if (bits != 128 && bits != 256)
		return 0;
	if (encr == SS_IKE_ENCR_AES_GCM16)
		return bits / 8 + 4;
	if (encr == SS_IKE_ENCR_AES_CBC)
		return bits / 8;
	return 0;
}

size_t
ike_integ_keylen(uint16_t integ)
{
	return integ == SS_IKE_INTEG_HMAC_SHA2_256_128 ? 32 : 0;
}

size_t
ike_integ_icvlen(uint16_t integ)
{
	return integ == SS_IKE_INTEG_HMAC_SHA2_256_128 ? 16 : 0;
}

static const EVP_CIPHER *
cipher_of(uint16_t encr, uint16_t bits)
{
	if (encr == SS_IKE_ENCR_AES_GCM16)
		return bits == 128 ? EVP_aes_128_gcm() : EVP_aes_256_gcm();
	return bits == 128 ? EVP_aes_128_cbc() : EVP_aes_256_cbc();
}

static inline void
wr32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

static inline void
wr64(uint8_t *p, uint64_t v)
{
	wr32(p, v >> 32);
	wr32(p + 4, (uint32_t)v);
}

size_t
ike_sk_len(const struct ike_sk_keys *k, size_t inner_len, bool frag)
{
	const bool gcm = k->encr == SS_IKE_ENCR_AES_GCM16;
	const size_t ivlen = gcm ? 8 : 16, icv = 16, blk = gcm ? 1 : 16;
	const size_t padlen = (blk - (inner_len + 1) % blk) % blk;

	return IKE_HDR_LEN + 4 + (frag ? 4 : 0) + ivlen + inner_len +
		padlen + 1 + icv;
}

/* SK (num 0) or SKF (RFC 7383 2.5: fragment num of nfrag, both in the
 * payload header and under the integrity check like the rest of it). */
static int
sk_seal(const struct ike_sk_keys *k, uint64_t spi_i, uint64_t spi_r,
	uint8_t exch, uint8_t flags, uint32_t msgid, uint8_t first_np,
	uint16_t num, uint16_t nfrag, const uint8_t *inner, size_t inner_len,
	uint8_t *out, size_t cap, size_t *out_len)
{
	const bool gcm = k->encr == SS_IKE_ENCR_AES_GCM16;
	const size_t ivlen = gcm ? 8 : 16, icv = 16, blk = gcm ? 1 : 16;
	const size_t hx = num != 0 ? 4 : 0;
	size_t padlen = (blk - (inner_len + 1) % blk) % blk;
	size_t ptlen = inner_len + padlen + 1;
	size_t total = IKE_HDR_LEN + 4 + hx + ivlen + ptlen + icv;
	size_t klen = k->encr_bits / 8;
	EVP_CIPHER_CTX *c;
	uint8_t *iv, *ct;
	uint8_t nonce[12];
	int n, ret = -EIO;

	if (total > cap || total > IKE_MAX_MSG)
		return -EMSGSIZE;
	wr64(out, spi_i);
	wr64(out + 8, spi_r);
	out[16] = num != 0 ? PL_SKF : PL_SK;
	out[17] = 0x20;
	out[18] = exch;
	out[19] = flags;
	wr32(out + 20, msgid);
	wr32(out + 24, (uint32_t)total);
	out[28] = first_np;
	out[29] = 0;
	out[30] = (uint8_t)((total - IKE_HDR_LEN) >> 8);
	out[31] = (uint8_t)(total - IKE_HDR_LEN);
	if (num != 0) {
		out[32] = (uint8_t)(num >> 8);
		out[33] = (uint8_t)num;
		out[34] = (uint8_t)(nfrag >> 8);
		out[35] = (uint8_t)nfrag;
	}
	iv = out + 32 + hx;
	ct = iv + ivlen;
	if (ike_random(iv, ivlen) < 0)
		return -EIO;
	memcpy(ct, inner, inner_len);
	memset(ct + inner_len, 0, padlen);
	ct[inner_len + padlen] = (uint8_t)padlen;
#ifdef SS_IKE_FUZZING
	RTE_SET_USED(nonce);
	RTE_SET_USED(klen);
	RTE_SET_USED(n);
	RTE_SET_USED(c);
	memset(ct + ptlen, 0, icv);
	*out_len = total;
	return 0;
#endif
	c = EVP_CIPHER_CTX_new();
	if (c == NULL)
		return -ENOMEM;
	if (gcm) {
		memcpy(nonce, k->ek + klen, 4);
		memcpy(nonce + 4, iv, 8);
		if (EVP_EncryptInit_ex(c, cipher_of(k->encr, k->encr_bits),
			NULL, NULL, NULL) != 1 ||
			EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_IVLEN, 12,
				NULL) != 1 ||
			EVP_EncryptInit_ex(c, NULL, NULL, k->ek, nonce) != 1 ||
			EVP_EncryptUpdate(c, NULL, &n, out,
				(int)(IKE_HDR_LEN + 4 + hx)) != 1 ||
			EVP_EncryptUpdate(c, ct, &n, ct, (int)ptlen) != 1 ||
			EVP_EncryptFinal_ex(c, ct + n, &n) != 1 ||
			EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, 16,
				ct + ptlen) != 1)
			goto out;
	} else {
		struct ike_iov iov = { out, total - icv };
		uint8_t mac[64];

		if (EVP_EncryptInit_ex(c, cipher_of(k->encr, k->encr_bits),
			NULL, k->ek, iv) != 1 ||
			EVP_CIPHER_CTX_set_padding(c, 0) != 1 ||
			EVP_EncryptUpdate(c, ct, &n, ct, (int)ptlen) != 1 ||
			EVP_EncryptFinal_ex(c, ct + n, &n) != 1)
			goto out;
		if (hmac("SHA256", k->ak, 32, &iov, 1, mac) < 0)
			goto out;
		memcpy(ct + ptlen, mac, icv);
	}
	*out_len = total;
	ret = 0;
out:
	EVP_CIPHER_CTX_free(c);
	return ret;
}

int
ike_sk_seal(const struct ike_sk_keys *k, uint64_t spi_i, uint64_t spi_r,
	uint8_t exch, uint8_t flags, uint32_t msgid, uint8_t first_np,
	const uint8_t *inner, size_t inner_len, uint8_t *out, size_t cap,
	size_t *out_len)
{
	return sk_seal(k, spi_i, spi_r, exch, flags, msgid, first_np, 0, 0,
		inner, inner_len, out, cap, out_len);
}

int
ike_skf_seal(const struct ike_sk_keys *k, uint64_t spi_i, uint64_t spi_r,
	uint8_t exch, uint8_t flags, uint32_t msgid, uint8_t first_np,
	uint16_t num, uint16_t nfrag, const uint8_t *inner, size_t inner_len,
	uint8_t *out, size_t cap, size_t *out_len)
{
	if (num == 0 || num > nfrag)
		return -EINVAL;
	return sk_seal(k, spi_i, spi_r, exch, flags, msgid,
		num == 1 ? first_np : 0, num, nfrag, inner, inner_len, out,
		cap, out_len);
}

/* Verify and decrypt the SK (hx 0) or SKF (hx 4) payload sk of m into
 * plain: the plaintext's length without the padding in *len. */
static int
sk_decrypt(const struct ike_sk_keys *k, const struct ike_msg *m,
	const struct ike_pl *sk, size_t hx, uint8_t *plain, size_t cap,
	size_t *len, enum ss_ike_counter *why)
{
	const bool gcm = k->encr == SS_IKE_ENCR_AES_GCM16;
	const size_t ivlen = gcm ? 8 : 16, icv = 16;
	const uint8_t *iv, *ct;
	size_t ctlen, aadlen, klen = k->encr_bits / 8, padlen;
	uint8_t nonce[12];
	EVP_CIPHER_CTX *c;
	int n, ok = 0;

	if (sk->len < hx + ivlen + icv + (gcm ? 1 : 16)) {
		*why = SS_IKE_CNT_rx_truncated_payload;
		return -EBADMSG;
	}
	iv = sk->body + hx;
	ct = iv + ivlen;
	ctlen = sk->len - hx - ivlen - icv;
	aadlen = (size_t)(iv - m->raw);
	if (ctlen > cap || (!gcm && ctlen % 16 != 0)) {
		*why = SS_IKE_CNT_rx_bad_length;
		return -EBADMSG;
	}
#ifdef SS_IKE_FUZZING
	RTE_SET_USED(nonce);
	RTE_SET_USED(klen);
	RTE_SET_USED(n);
	RTE_SET_USED(c);
	RTE_SET_USED(aadlen);
	memcpy(plain, ct, ctlen);
	ok = 1;
	goto opened;
#endif
	c = EVP_CIPHER_CTX_new();
	if (c == NULL)
		return -ENOMEM;
	if (gcm) {
		memcpy(nonce, k->ek + klen, 4);
		memcpy(nonce + 4, iv, 8);
		ok = EVP_DecryptInit_ex(c, cipher_of(k->encr, k->encr_bits),
			NULL, NULL, NULL) == 1 &&
			EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_IVLEN, 12,
				NULL) == 1 &&
			EVP_DecryptInit_ex(c, NULL, NULL, k->ek, nonce) == 1 &&
			EVP_DecryptUpdate(c, NULL, &n, m->raw,
				(int)aadlen) == 1 &&
			EVP_DecryptUpdate(c, plain, &n, ct, (int)ctlen) == 1 &&
			EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, 16,
				(void *)(uintptr_t)(ct + ctlen)) == 1 &&
			EVP_DecryptFinal_ex(c, plain + n, &n) == 1;
	} else {
		struct ike_iov iov = { m->raw, aadlen + ivlen + ctlen };
		uint8_t mac[64];

		ok = hmac("SHA256", k->ak, 32, &iov, 1, mac) >= 0 &&
			CRYPTO_memcmp(mac, ct + ctlen, icv) == 0;
		ok = ok && EVP_DecryptInit_ex(c,
			cipher_of(k->encr, k->encr_bits), NULL, k->ek,
			iv) == 1 &&
			EVP_CIPHER_CTX_set_padding(c, 0) == 1 &&
			EVP_DecryptUpdate(c, plain, &n, ct, (int)ctlen) == 1 &&
			EVP_DecryptFinal_ex(c, plain + n, &n) == 1;
	}
	EVP_CIPHER_CTX_free(c);
#ifdef SS_IKE_FUZZING
opened:
#endif
	if (!ok) {
		*why = SS_IKE_CNT_rx_integrity_failed;
		return -EBADMSG;
	}
	padlen = plain[ctlen - 1];
	if (padlen + 1 > ctlen) {
		*why = SS_IKE_CNT_rx_bad_payload;
		return -EBADMSG;
	}
	*len = ctlen - padlen - 1;
	return 0;
}

int
ike_sk_open(const struct ike_sk_keys *k, struct ike_msg *m, uint8_t *plain,
	size_t cap, enum ss_ike_counter *why)
{
	const struct ike_pl *sk;
	size_t len;
	int ret;

	if (m->sk < 0) {
		*why = SS_IKE_CNT_rx_bad_payload;
		return -EBADMSG;
	}
	sk = &m->pl[m->sk];
	ret = sk_decrypt(k, m, sk, 0, plain, cap, &len, why);
	if (ret < 0)
		return ret;
	return ike_pl_chain(sk->body[-4], plain, len, m, why);
}

int
ike_skf_open(const struct ike_sk_keys *k, const struct ike_msg *m,
	uint8_t *plain, size_t cap, struct ike_frag_hdr *f,
	enum ss_ike_counter *why)
{
	const struct ike_pl *skf;

	if (m->skf < 0) {
		*why = SS_IKE_CNT_rx_bad_payload;
		return -EBADMSG;
	}
	skf = &m->pl[m->skf];
	if (skf->len < 4) {
		*why = SS_IKE_CNT_rx_truncated_payload;
		return -EBADMSG;
	}
	f->np = skf->body[-4];
	f->num = (uint16_t)(skf->body[0] << 8 | skf->body[1]);
	f->total = (uint16_t)(skf->body[2] << 8 | skf->body[3]);
	if (f->num == 0 || f->total == 0 || f->num > f->total) {
		*why = SS_IKE_CNT_rx_fragment_bad;
		return -EBADMSG;
	}
	return sk_decrypt(k, m, skf, 4, plain, cap, &f->len, why);
}
