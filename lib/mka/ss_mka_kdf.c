/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 shardsec authors
 */

/* MKA key hierarchy on OpenSSL libcrypto: the 802.1X-2020 6.2.1 KDF
 * (AES-CMAC in counter mode), ICK/KEK, the MKPDU ICV and AES key wrap.
 * The KDF input block is i || Label || 0x00 || Context || L, as hostap's
 * aes_kdf() builds it, so that our keys are the keys Linux peers derive. */

#include <errno.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include "ss_mka_priv.h"

int
mka_random(void *p, size_t n)
{
	return RAND_bytes(p, (int)n) == 1 ? 0 : -EIO;
}

int
mka_cmac(const uint8_t *key, size_t key_len, const uint8_t *msg,
	size_t msg_len, uint8_t out[16])
{
	EVP_MAC *mac;
	EVP_MAC_CTX *ctx = NULL;
	OSSL_PARAM params[2];
	size_t olen = 0;
	int ret = -EIO;

	if (key_len != 16 && key_len != 32)
		return -EINVAL;
	mac = EVP_MAC_fetch(NULL, "CMAC", NULL);
	if (mac == NULL)
		return -EIO;
	ctx = EVP_MAC_CTX_new(mac);
	if (ctx == NULL)
		goto out;
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_CIPHER,
		key_len == 16 ? (char *)"AES-128-CBC" : (char *)"AES-256-CBC",
		0);
	params[1] = OSSL_PARAM_construct_end();
	if (EVP_MAC_init(ctx, key, key_len, params) != 1 ||
			EVP_MAC_update(ctx, msg, msg_len) != 1 ||
			EVP_MAC_final(ctx, out, &olen, 16) != 1 || olen != 16)
		goto out;
	ret = 0;
out:
	EVP_MAC_CTX_free(ctx);
	EVP_MAC_free(mac);
	return ret;
}

int
mka_kdf_label(const uint8_t *key, size_t key_len, const uint8_t *label,
	size_t label_len, const uint8_t *ctx, size_t ctx_len, uint8_t *out,
	size_t out_len)
{
	uint8_t buf[1 + 255 + 1 + 512 + 2];
	uint8_t blk[16];
	size_t n, i, len, off;
	int ret = 0;

	if (label_len > 255 || ctx_len > 512 || out_len == 0 ||
			out_len * 8 > 0xffff)
		return -EINVAL;
	n = (out_len + 15) / 16;
	if (n > 255)
		return -EINVAL;
	off = 1;
	memcpy(buf + off, label, label_len);
	off += label_len;
	buf[off++] = 0;
	if (ctx_len > 0)
		memcpy(buf + off, ctx, ctx_len);
	off += ctx_len;
	buf[off++] = (uint8_t)((out_len * 8) >> 8);
	buf[off++] = (uint8_t)(out_len * 8);
	for (i = 0; i < n; i++) {
		buf[0] = (uint8_t)(i + 1);
		ret = mka_cmac(key, key_len, buf, off, blk);
		if (ret < 0)
			break;
		len = out_len - i * 16 < 16 ? out_len - i * 16 : 16;
		memcpy(out + i * 16, blk, len);
	}
	OPENSSL_cleanse(blk, sizeof(blk));
	OPENSSL_cleanse(buf, sizeof(buf));
	return ret;
}

int
mka_kdf(const uint8_t *key, size_t key_len, const char *label,
	const uint8_t *ctx, size_t ctx_len, uint8_t *out, size_t out_len)
{
	return mka_kdf_label(key, key_len, (const uint8_t *)label,
		strlen(label), ctx, ctx_len, out, out_len);
}

/* 802.1X-2020 9.3.3: the context is the first 16 octets of the CKN, zero
 * padded when the CKN is shorter (hostap ieee802_1x_ick_aes_cmac). */
static int
ckn_derive(const uint8_t *cak, size_t cak_len, const uint8_t *ckn,
	size_t ckn_len, const char *label, uint8_t *out)
{
	uint8_t ctx[16] = {0};

	memcpy(ctx, ckn, ckn_len < 16 ? ckn_len : 16);
	return mka_kdf(cak, cak_len, label, ctx, sizeof(ctx), out, cak_len);
}

int
mka_ick(const uint8_t *cak, size_t cak_len, const uint8_t *ckn,
	size_t ckn_len, uint8_t *ick)
{
	return ckn_derive(cak, cak_len, ckn, ckn_len, "IEEE8021 ICK", ick);
}

int
mka_kek(const uint8_t *cak, size_t cak_len, const uint8_t *ckn,
	size_t ckn_len, uint8_t *kek)
{
	return ckn_derive(cak, cak_len, ckn, ckn_len, "IEEE8021 KEK", kek);
}

int
mka_icv(const uint8_t *ick, size_t ick_len, const uint8_t *msg, size_t len,
	uint8_t icv[MKA_ICV_LEN])
{
	return mka_cmac(ick, ick_len, msg, len, icv);
}

static const EVP_CIPHER *
wrap_cipher(size_t kek_len, bool pad)
{
	if (kek_len == 16)
		return pad ? EVP_aes_128_wrap_pad() : EVP_aes_128_wrap();
	if (kek_len == 32)
		return pad ? EVP_aes_256_wrap_pad() : EVP_aes_256_wrap();
	return NULL;
}

static int
wrap_op(const uint8_t *kek, size_t kek_len, bool pad, bool enc,
	const uint8_t *in, size_t in_len, uint8_t *out)
{
	const EVP_CIPHER *c = wrap_cipher(kek_len, pad);
	EVP_CIPHER_CTX *ctx;
	int len = 0, fin = 0;
	int ret = -EIO;

	if (c == NULL || in_len > 1024)
		return -EINVAL;
	if (!pad && (in_len % 8 != 0 || in_len < (enc ? 16u : 24u)))
		return -EINVAL;
	if (pad && !enc && (in_len % 8 != 0 || in_len < 16))
		return -EINVAL;
	ctx = EVP_CIPHER_CTX_new();
	if (ctx == NULL)
		return -ENOMEM;
	EVP_CIPHER_CTX_set_flags(ctx, EVP_CIPHER_CTX_FLAG_WRAP_ALLOW);
	if (EVP_CipherInit_ex(ctx, c, NULL, kek, NULL, enc ? 1 : 0) != 1)
		goto out;
	if (EVP_CipherUpdate(ctx, out, &len, in, (int)in_len) != 1) {
		ret = -EBADMSG;
		goto out;
	}
	if (EVP_CipherFinal_ex(ctx, out + len, &fin) != 1) {
		ret = -EBADMSG;
		goto out;
	}
	ret = len + fin;
out:
	EVP_CIPHER_CTX_free(ctx);
	return ret;
}

int
mka_wrap(const uint8_t *kek, size_t kek_len, bool pad, const uint8_t *in,
	size_t in_len, uint8_t *out)
{
	return wrap_op(kek, kek_len, pad, true, in, in_len, out);
}

int
mka_unwrap(const uint8_t *kek, size_t kek_len, bool pad, const uint8_t *in,
	size_t in_len, uint8_t *out)
{
	return wrap_op(kek, kek_len, pad, false, in, in_len, out);
}
