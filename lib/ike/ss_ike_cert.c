/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 shardsec authors
 */

/*
 * X.509 certificate authentication for IKE_AUTH: a peer's credentials
 * (our certificate and private key, the trust anchors for the peer's),
 * the CERT and CERTREQ payloads (RFC 7296 3.6, 3.7; X.509 signature
 * encoding) and AUTH by RFC 7427 digital signature (method 14) with RSA
 * (PKCS#1 v1.5) or ECDSA over SHA2-256/384/512, whichever of those the
 * peer announced in SIGNATURE_HASH_ALGORITHMS. OpenSSL does the X.509
 * path validation and the signatures.
 */

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/sha.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "ss_ike_priv.h"

#define CRED_MAX_CA 8

struct ike_cred {
	EVP_PKEY *key;
	X509 *cert;
	uint8_t *cert_der;
	int cert_der_len;
	X509_STORE *store;
	/* SHA-1 of each trust anchor's SubjectPublicKeyInfo (CERTREQ) */
	uint8_t ca_sha1[CRED_MAX_CA][SHA_DIGEST_LENGTH];
	unsigned int nb_ca;
};

static void
ssl_err(char *why, size_t len, const char *what, const char *path)
{
	unsigned long e = ERR_get_error();
	char msg[160];

	ERR_error_string_n(e, msg, sizeof(msg));
	snprintf(why, len, "%s %s: %s", what, path, e != 0 ? msg :
		"no PEM object found");
	ERR_clear_error();
}

void
ike_cred_free(struct ike_cred *c)
{
	if (c == NULL)
		return;
	EVP_PKEY_free(c->key);
	X509_free(c->cert);
	OPENSSL_free(c->cert_der);
	X509_STORE_free(c->store);
	free(c);
}

static int
load_cas(struct ike_cred *c, const char *path, char *why, size_t len)
{
	FILE *f = fopen(path, "r");
	X509 *ca;

	if (f == NULL) {
		snprintf(why, len, "cacert %s: %s", path, strerror(errno));
		return -errno;
	}
	while ((ca = PEM_read_X509(f, NULL, NULL, NULL)) != NULL) {
		uint8_t *spki = NULL;
		int n;

		if (c->nb_ca == CRED_MAX_CA) {
			X509_free(ca);
			fclose(f);
			snprintf(why, len, "cacert %s: more than %u "
				"certificates", path, CRED_MAX_CA);
			return -E2BIG;
		}
		n = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(ca), &spki);
		if (n <= 0 || X509_STORE_add_cert(c->store, ca) != 1) {
			OPENSSL_free(spki);
			X509_free(ca);
			fclose(f);
			ssl_err(why, len, "cacert", path);
			return -EINVAL;
		}
		SHA1(spki, (size_t)n, c->ca_sha1[c->nb_ca++]);
		OPENSSL_free(spki);
		X509_free(ca);
	}
	ERR_clear_error();	/* end of file */
	fclose(f);
	if (c->nb_ca == 0) {
		snprintf(why, len, "cacert %s: no certificate in it", path);
		return -EINVAL;
	}
	return 0;
}

struct ike_cred *
ike_cred_load(const struct ss_ike_peer_conf *pc, char *why, size_t len)
{
	struct ike_cred *c = calloc(1, sizeof(*c));
	FILE *f;

	if (c == NULL) {
		snprintf(why, len, "no memory");
		return NULL;
	}
	c->store = X509_STORE_new();
	if (c->store == NULL || load_cas(c, pc->cacert, why, len) < 0)
		goto fail;
	f = fopen(pc->cert, "r");
	if (f == NULL) {
		snprintf(why, len, "cert %s: %s", pc->cert, strerror(errno));
		goto fail;
	}
	c->cert = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	if (c->cert == NULL) {
		ssl_err(why, len, "cert", pc->cert);
		goto fail;
	}
	c->cert_der_len = i2d_X509(c->cert, &c->cert_der);
	if (c->cert_der_len <= 0) {
		ssl_err(why, len, "cert", pc->cert);
		goto fail;
	}
	f = fopen(pc->key, "r");
	if (f == NULL) {
		snprintf(why, len, "key %s: %s", pc->key, strerror(errno));
		goto fail;
	}
	c->key = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	fclose(f);
	if (c->key == NULL) {
		ssl_err(why, len, "key", pc->key);
		goto fail;
	}
	if (X509_check_private_key(c->cert, c->key) != 1) {
		ERR_clear_error();
		snprintf(why, len, "key %s does not belong to cert %s",
			pc->key, pc->cert);
		goto fail;
	}
	if (EVP_PKEY_get_base_id(c->key) != EVP_PKEY_RSA &&
		EVP_PKEY_get_base_id(c->key) != EVP_PKEY_EC) {
		snprintf(why, len, "key %s: only RSA and ECDSA keys",
			pc->key);
		goto fail;
	}
	return c;
fail:
	ike_cred_free(c);
	return NULL;
}

void
ike_cred_put_certreq(const struct ike_cred *c, struct ike_buf *b)
{
	size_t o = ike_pl_begin(b, PL_CERTREQ);
	unsigned int i;

	ike_put8(b, CERT_X509_SIG);
	for (i = 0; i < c->nb_ca; i++)
		ike_put(b, c->ca_sha1[i], SHA_DIGEST_LENGTH);
	ike_pl_end(b, o);
}

void
ike_cred_put_cert(const struct ike_cred *c, struct ike_buf *b)
{
	size_t o = ike_pl_begin(b, PL_CERT);

	ike_put8(b, CERT_X509_SIG);
	ike_put(b, c->cert_der, (size_t)c->cert_der_len);
	ike_pl_end(b, o);
}

/* RFC 7427 hash algorithm numbers <-> OpenSSL digests. */
static const EVP_MD *
hash_md(unsigned int h)
{
	switch (h) {
	case SIG_HASH_SHA2_256:
		return EVP_sha256();
	case SIG_HASH_SHA2_384:
		return EVP_sha384();
	case SIG_HASH_SHA2_512:
		return EVP_sha512();
	default:
		return NULL;
	}
}

/* The signature algorithm OID for our key type and hash h. */
static int
sig_nid(int key_type, unsigned int h)
{
	static const int rsa[] = { NID_sha256WithRSAEncryption,
		NID_sha384WithRSAEncryption, NID_sha512WithRSAEncryption };
	static const int ec[] = { NID_ecdsa_with_SHA256,
		NID_ecdsa_with_SHA384, NID_ecdsa_with_SHA512 };

	if (h < SIG_HASH_SHA2_256 || h > SIG_HASH_SHA2_512)
		return NID_undef;
	return key_type == EVP_PKEY_RSA ? rsa[h - SIG_HASH_SHA2_256] :
		ec[h - SIG_HASH_SHA2_256];
}

static int
digest_iov(EVP_MD_CTX *ctx, const struct ike_iov *iov, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (EVP_DigestUpdate(ctx, iov[i].p, iov[i].n) != 1)
			return -EIO;
	return 0;
}

int
ike_cred_sign(const struct ike_cred *c, uint8_t peer_hashes,
	const struct ike_iov *iov, unsigned int n, uint8_t *out, size_t cap,
	size_t *len)
{
	const int kt = EVP_PKEY_get_base_id(c->key);
	X509_ALGOR *alg = NULL;
	EVP_MD_CTX *ctx = NULL;
	uint8_t *der = NULL;
	unsigned int h;
	size_t sl;
	int dl, ret = -EIO;

	/* The first of SHA2-256/384/512 the peer announced (RFC 7427 4). */
	for (h = SIG_HASH_SHA2_256; h <= SIG_HASH_SHA2_512; h++)
		if (peer_hashes & (1u << h))
			break;
	if (h > SIG_HASH_SHA2_512)
		return -ENOTSUP;
	alg = X509_ALGOR_new();
	if (alg == NULL || X509_ALGOR_set0(alg, OBJ_nid2obj(sig_nid(kt, h)),
			kt == EVP_PKEY_RSA ? V_ASN1_NULL : V_ASN1_UNDEF,
			NULL) != 1)
		goto out;
	dl = i2d_X509_ALGOR(alg, &der);
	if (dl <= 0 || dl > 127 || (size_t)dl + 1 > cap)
		goto out;
	out[0] = (uint8_t)dl;
	memcpy(out + 1, der, (size_t)dl);
	ctx = EVP_MD_CTX_new();
	if (ctx == NULL ||
		EVP_DigestSignInit(ctx, NULL, hash_md(h), NULL, c->key) != 1 ||
		digest_iov(ctx, iov, n) < 0)
		goto out;
	sl = cap - 1 - (size_t)dl;
	if (EVP_DigestSignFinal(ctx, out + 1 + dl, &sl) != 1)
		goto out;
	*len = 1 + (size_t)dl + sl;
	ret = 0;
out:
	ERR_clear_error();
	EVP_MD_CTX_free(ctx);
	OPENSSL_free(der);
	X509_ALGOR_free(alg);
	return ret;
}

/* Does the identity payload body (type, 3 reserved, data) name cert? */
static bool
id_in_cert(X509 *cert, const uint8_t *id, size_t len)
{
	const uint8_t *d = id + 4;
	const size_t dl = len - 4;
	char name[SS_IKE_ID_LEN + 1];
	X509_NAME *dn;
	bool ok;

	if (len < 5 || dl > SS_IKE_ID_LEN)
		return false;
	switch (id[0]) {
	case SS_IKE_ID_FQDN:
	case SS_IKE_ID_USER_FQDN:
		memcpy(name, d, dl);
		name[dl] = '\0';
		if (memchr(d, '\0', dl) != NULL)
			return false;
		return id[0] == SS_IKE_ID_FQDN ?
			X509_check_host(cert, name, dl,
				X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS,
				NULL) == 1 :
			X509_check_email(cert, name, dl, 0) == 1;
	case SS_IKE_ID_IPV4:
	case SS_IKE_ID_IPV6:
		return (dl == 4 || dl == 16) &&
			X509_check_ip(cert, d, dl, 0) == 1;
	case SS_IKE_ID_DER_ASN1_DN:
		dn = d2i_X509_NAME(NULL, &d, (long)dl);
		ok = dn != NULL &&
			X509_NAME_cmp(dn, X509_get_subject_name(cert)) == 0;
		X509_NAME_free(dn);
		return ok;
	default:
		return false;
	}
}

/* The peer's end-entity certificate (first CERT payload) and the rest
 * as untrusted intermediates. */
static X509 *
peer_certs(const struct ike_msg *m, STACK_OF(X509) *chain)
{
	X509 *ee = NULL;
	unsigned int i;

	for (i = 0; i < m->nb_pl; i++) {
		const struct ike_pl *p = &m->pl[i];
		const uint8_t *d = p->body + 1;
		X509 *x;

		if (p->type != PL_CERT || p->len < 2 ||
			p->body[0] != CERT_X509_SIG)
			continue;
		x = d2i_X509(NULL, &d, p->len - 1);
		if (x == NULL || d != p->body + p->len) {
			X509_free(x);
			continue;
		}
		if (ee == NULL)
			ee = x;
		else if (sk_X509_push(chain, x) <= 0)
			X509_free(x);
	}
	return ee;
}

/* Signature algorithm of an RFC 7427 AUTH: digest and key type. */
static int
auth_alg(const uint8_t *a, size_t len, const EVP_MD **md, int *kt,
	size_t *sig_off)
{
	const uint8_t *p = a + 1;
	X509_ALGOR *alg;
	int nid;

	if (len < 2 || a[0] == 0 || (size_t)a[0] + 1 >= len)
		return -EINVAL;
	alg = d2i_X509_ALGOR(NULL, &p, a[0]);
	if (alg == NULL || p != a + 1 + a[0]) {
		X509_ALGOR_free(alg);
		return -EINVAL;
	}
	nid = OBJ_obj2nid(alg->algorithm);
	X509_ALGOR_free(alg);
	switch (nid) {
	case NID_sha256WithRSAEncryption:
	case NID_ecdsa_with_SHA256:
		*md = EVP_sha256();
		break;
	case NID_sha384WithRSAEncryption:
	case NID_ecdsa_with_SHA384:
		*md = EVP_sha384();
		break;
	case NID_sha512WithRSAEncryption:
	case NID_ecdsa_with_SHA512:
		*md = EVP_sha512();
		break;
	default:
		return -ENOTSUP;
	}
	*kt = nid == NID_sha256WithRSAEncryption ||
		nid == NID_sha384WithRSAEncryption ||
		nid == NID_sha512WithRSAEncryption ? EVP_PKEY_RSA :
		EVP_PKEY_EC;
	*sig_off = 1 + (size_t)a[0];
	return 0;
}

int
ike_cred_verify(const struct ike_cred *c, const struct ike_msg *m,
	const struct ike_pl *id, const struct ike_pl *auth,
	const struct ike_iov *iov, unsigned int n, char *why, size_t len)
{
	STACK_OF(X509) *chain = sk_X509_new_null();
	X509_STORE_CTX *sctx = NULL;
	EVP_MD_CTX *mctx = NULL;
	EVP_PKEY *pub;
	const EVP_MD *md;
	X509 *ee = NULL;
	size_t off;
	int kt, ret = -EACCES;

	if (chain == NULL) {
		snprintf(why, len, "no memory");
		return -ENOMEM;
	}
	ee = peer_certs(m, chain);
	if (ee == NULL) {
		snprintf(why, len, "no X.509 certificate (CERT payload)");
		goto out;
	}
	sctx = X509_STORE_CTX_new();
	if (sctx == NULL ||
		X509_STORE_CTX_init(sctx, c->store, ee, chain) != 1) {
		snprintf(why, len, "no memory");
		goto out;
	}
	X509_STORE_CTX_set_purpose(sctx, X509_PURPOSE_ANY);
	if (X509_verify_cert(sctx) != 1) {
		snprintf(why, len, "certificate not trusted: %s",
			X509_verify_cert_error_string(
				X509_STORE_CTX_get_error(sctx)));
		goto out;
	}
	if (!id_in_cert(ee, id->body, id->len)) {
		snprintf(why, len, "identity not in the certificate");
		goto out;
	}
	if (auth->len < 5 || auth->body[0] != AUTH_DIGITAL_SIGNATURE) {
		snprintf(why, len, "AUTH method %u, wanted digital signature "
			"(14)", auth->len > 0 ? auth->body[0] : 0);
		goto out;
	}
	if (auth_alg(auth->body + 4, auth->len - 4u, &md, &kt, &off) < 0) {
		snprintf(why, len, "unsupported signature algorithm");
		goto out;
	}
	pub = X509_get0_pubkey(ee);
	if (pub == NULL || EVP_PKEY_get_base_id(pub) != kt) {
		snprintf(why, len, "signature algorithm does not match the "
			"certificate's key");
		goto out;
	}
	mctx = EVP_MD_CTX_new();
	if (mctx == NULL ||
		EVP_DigestVerifyInit(mctx, NULL, md, NULL, pub) != 1 ||
		digest_iov(mctx, iov, n) < 0 ||
		EVP_DigestVerifyFinal(mctx, auth->body + 4 + off,
			auth->len - 4u - off) != 1) {
		snprintf(why, len, "signature does not verify");
		goto out;
	}
	ret = 0;
out:
	ERR_clear_error();
	EVP_MD_CTX_free(mctx);
	X509_STORE_CTX_free(sctx);
	X509_free(ee);
	sk_X509_pop_free(chain, X509_free);
	return ret;
}
