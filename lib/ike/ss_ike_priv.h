/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 shardsec authors
 */

#ifndef SS_IKE_PRIV_H
#define SS_IKE_PRIV_H

/* Internals of lib/ike shared by the codec, crypto and state machine, and
 * exposed to the unit tests (vectors, round trips). */

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#include <rte_log.h>

#include "ss_ike.h"

extern int ss_ike_logtype;
#define SS_IKE_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_ ## level, ss_ike_logtype, "IKE: " fmt "\n", \
		##__VA_ARGS__)

/* ---- wire constants ------------------------------------------------ */

#define IKE_HDR_LEN 28
#define IKE_MAX_MSG 8192

enum {
	EXCH_IKE_SA_INIT = 34,
	EXCH_IKE_AUTH = 35,
	EXCH_CREATE_CHILD_SA = 36,
	EXCH_INFORMATIONAL = 37,
};

#define FLAG_INITIATOR 0x08
#define FLAG_VERSION 0x10
#define FLAG_RESPONSE 0x20

enum {
	PL_NONE = 0,
	PL_SA = 33,
	PL_KE = 34,
	PL_IDI = 35,
	PL_IDR = 36,
	PL_CERT = 37,
	PL_CERTREQ = 38,
	PL_AUTH = 39,
	PL_NONCE = 40,
	PL_NOTIFY = 41,
	PL_DELETE = 42,
	PL_VENDOR = 43,
	PL_TSI = 44,
	PL_TSR = 45,
	PL_SK = 46,
	PL_CP = 47,
	PL_EAP = 48,
	PL_SKF = 53,
};

enum {
	PROTO_IKE = 1,
	PROTO_AH = 2,
	PROTO_ESP = 3,
};

enum {
	XF_ENCR = 1,
	XF_PRF = 2,
	XF_INTEG = 3,
	XF_DH = 4,
	XF_ESN = 5,
};

#define ATTR_KEY_LENGTH 14

enum {
	N_UNSUPPORTED_CRITICAL_PAYLOAD = 1,
	N_INVALID_IKE_SPI = 4,
	N_INVALID_MAJOR_VERSION = 5,
	N_INVALID_SYNTAX = 7,
	N_INVALID_MESSAGE_ID = 9,
	N_INVALID_SPI = 11,
	N_NO_PROPOSAL_CHOSEN = 14,
	N_INVALID_KE_PAYLOAD = 17,
	N_AUTHENTICATION_FAILED = 24,
	N_SINGLE_PAIR_REQUIRED = 34,
	N_NO_ADDITIONAL_SAS = 35,
	N_INTERNAL_ADDRESS_FAILURE = 36,
	N_FAILED_CP_REQUIRED = 37,
	N_TS_UNACCEPTABLE = 38,
	N_INVALID_SELECTORS = 39,
	N_TEMPORARY_FAILURE = 43,
	N_CHILD_SA_NOT_FOUND = 44,
	N_TS_MAX_QUEUE = 48,
	N_INITIAL_CONTACT = 16384,
	N_SET_WINDOW_SIZE = 16385,
	N_ADDITIONAL_TS_POSSIBLE = 16386,
	N_IPCOMP_SUPPORTED = 16387,
	N_NAT_DETECTION_SOURCE_IP = 16388,
	N_NAT_DETECTION_DESTINATION_IP = 16389,
	N_COOKIE = 16390,
	N_USE_TRANSPORT_MODE = 16391,
	N_REKEY_SA = 16393,
	N_ESP_TFC_PADDING_NOT_SUPPORTED = 16394,
	N_NON_FIRST_FRAGMENTS_ALSO = 16395,
	N_FRAGMENTATION_SUPPORTED = 16430,
	N_SIGNATURE_HASH_ALGORITHMS = 16431,
	N_SA_RESOURCE_INFO = 16444,
};

enum {
	AUTH_PSK = 2,
	AUTH_DIGITAL_SIGNATURE = 14,	/* RFC 7427 */
};

/* RFC 7427 hash algorithms (SIGNATURE_HASH_ALGORITHMS), as bit numbers */
enum {
	SIG_HASH_SHA2_256 = 2,
	SIG_HASH_SHA2_384 = 3,
	SIG_HASH_SHA2_512 = 4,
};

#define CERT_X509_SIG 4		/* CERT/CERTREQ encoding */

enum {
	TS_IPV4 = 7,
	TS_IPV6 = 8,
};

/* ---- decoded message ------------------------------------------------ */

#define IKE_MAX_PL 32

struct ike_pl {
	uint8_t type;
	bool critical;
	uint16_t len;			/* body length */
	const uint8_t *body;		/* after the generic header */
};

struct ike_msg {
	uint64_t spi_i, spi_r;
	uint8_t np;			/* first payload */
	uint8_t version;
	uint8_t exch;
	uint8_t flags;
	uint32_t msgid;
	uint32_t length;
	const uint8_t *raw;
	size_t raw_len;
	struct ike_pl pl[IKE_MAX_PL];
	unsigned int nb_pl;
	int sk;				/* index of SK payload, -1 none */
	int skf;			/* index of SKF payload, -1 none */
	uint8_t unsupported_critical;	/* type of first one, 0 none */
};

/* Errors of the decoders: the counter to bump. */
int
ike_msg_parse(const uint8_t *buf, size_t len, struct ike_msg *m,
	enum ss_ike_counter *why);

/* Walk a payload chain (outer, or decrypted SK content) appending to m. */
int
ike_pl_chain(uint8_t first, const uint8_t *p, size_t len,
	struct ike_msg *m, enum ss_ike_counter *why);

const struct ike_pl *
ike_msg_find(const struct ike_msg *m, uint8_t type);

struct ike_xform {
	uint8_t type;
	uint16_t id;
	uint16_t key_bits;		/* 0 absent */
	bool unknown_attr;
};

#define IKE_MAX_XF 32

struct ike_prop {
	uint8_t num, proto, spi_size;
	uint8_t spi[8];
	struct ike_xform xf[IKE_MAX_XF];
	uint8_t nb_xf;
};

struct ike_sa_pl {
	struct ike_prop prop[SS_IKE_MAX_PROPS];
	uint8_t nb_prop;
};

int
ike_sa_decode(const struct ike_pl *pl, struct ike_sa_pl *sa);

struct ike_notify {
	uint8_t proto, spi_size;
	uint16_t type;
	const uint8_t *spi;
	const uint8_t *data;
	uint16_t data_len;
};

int
ike_notify_decode(const struct ike_pl *pl, struct ike_notify *n);

/* First notify of that type, or NULL when none (n filled when found). */
bool
ike_msg_notify(const struct ike_msg *m, uint16_t type, struct ike_notify *n);

/* The first error notify (type < 16384), 0 none. */
uint16_t
ike_msg_error(const struct ike_msg *m);

int
ike_ts_decode(const struct ike_pl *pl, struct ss_ike_ts *ts, uint8_t max,
	uint8_t *nb);

struct ike_delete {
	uint8_t proto, spi_size;
	uint16_t nb_spi;
	const uint8_t *spis;
};

int
ike_delete_decode(const struct ike_pl *pl, struct ike_delete *d);

/* ---- encoder -------------------------------------------------------- */

struct ike_buf {
	uint8_t *p;
	size_t len, cap;
	size_t np_off;			/* where the next "next payload" goes */
	uint8_t first_np;		/* first payload type of the chain */
	bool err;
};

void
ike_buf_init(struct ike_buf *b, uint8_t *p, size_t cap);
void
ike_put8(struct ike_buf *b, uint8_t v);
void
ike_put16(struct ike_buf *b, uint16_t v);
void
ike_put32(struct ike_buf *b, uint32_t v);
void
ike_put64(struct ike_buf *b, uint64_t v);
void
ike_put(struct ike_buf *b, const void *d, size_t n);
/* IKE header; next payload patched by the first payload. */
void
ike_hdr_put(struct ike_buf *b, uint64_t spi_i, uint64_t spi_r, uint8_t exch,
	uint8_t flags, uint32_t msgid);
void
ike_hdr_finish(struct ike_buf *b);
size_t
ike_pl_begin(struct ike_buf *b, uint8_t type);
void
ike_pl_end(struct ike_buf *b, size_t off);

/* Payload writers. */
void
ike_put_sa(struct ike_buf *b, const struct ike_prop *props, uint8_t nb);
void
ike_put_notify(struct ike_buf *b, uint8_t proto, const uint8_t *spi,
	uint8_t spi_size, uint16_t type, const void *data, size_t len);
void
ike_put_ts(struct ike_buf *b, uint8_t type, const struct ss_ike_ts *ts,
	uint8_t nb);
void
ike_put_simple(struct ike_buf *b, uint8_t type, const void *d, size_t n);

/* Proposal helpers. */
void
ike_prop_from_conf(const struct ss_ike_proposal *c, uint8_t proto,
	uint8_t num, const uint8_t *spi, uint8_t spi_size,
	struct ike_prop *out);

struct ike_alg {
	uint16_t encr, encr_bits, integ, prf, dh, esn;
};

/* Pick: initiator's proposals in its order, first one a local proposal
 * accepts; *chosen the index into rx. 0 or -ENOENT. */
int
ike_prop_select(const struct ike_sa_pl *rx, uint8_t proto,
	const struct ss_ike_proposal *local, uint8_t nb_local,
	struct ike_alg *alg, int *chosen);

/* Check a responder's single proposal against what we offered. */
int
ike_prop_check(const struct ike_sa_pl *rx, uint8_t proto,
	const struct ss_ike_proposal *local, uint8_t nb_local,
	struct ike_alg *alg);

/* ---- crypto --------------------------------------------------------- */

struct ike_iov {
	const void *p;
	size_t n;
};

/* Not negotiable (no config name): only for the NIST CAVP KDF vectors. */
#define IKE_PRF_HMAC_SHA1 2

size_t
ike_prf_len(uint16_t prf);
/* SKEYSEED = prf(Ni | Nr, g^ir), or with old_skd (rekey):
 * prf(SK_d, g^ir | Ni | Nr). */
int
ike_skeyseed(uint16_t prf, const uint8_t *ni, size_t ni_len,
	const uint8_t *nr, size_t nr_len, const uint8_t *g, size_t glen,
	const uint8_t *old_skd, size_t old_len, uint8_t *out);
/* prf+(SKEYSEED, Ni | Nr | SPIi | SPIr) */
int
ike_dkm(uint16_t prf, const uint8_t *skeyseed, const uint8_t *ni,
	size_t ni_len, const uint8_t *nr, size_t nr_len, uint64_t spi_i,
	uint64_t spi_r, uint8_t *out, size_t outlen);
/* KEYMAT = prf+(SK_d, [g^ir (new)] | Ni | Nr) */
int
ike_child_dkm(uint16_t prf, const uint8_t *skd, const uint8_t *g,
	size_t glen, const uint8_t *ni, size_t ni_len, const uint8_t *nr,
	size_t nr_len, uint8_t *out, size_t outlen);
int
ike_prf(uint16_t prf, const uint8_t *key, size_t klen,
	const struct ike_iov *iov, unsigned int nb, uint8_t *out);
int
ike_prf_plus(uint16_t prf, const uint8_t *key, size_t klen,
	const uint8_t *seed, size_t slen, uint8_t *out, size_t outlen);
int
ike_sha1(const struct ike_iov *iov, unsigned int nb, uint8_t out[20]);
int
ike_sha256(const struct ike_iov *iov, unsigned int nb, uint8_t out[32]);
int
ike_random(void *p, size_t n);
#ifdef SS_IKE_FUZZING
void
ike_fuzz_reset(void);
#endif

struct ike_dh;

/* priv NULL: random. */
struct ike_dh *
ike_dh_new(uint16_t group, const uint8_t *priv, size_t priv_len);
void
ike_dh_free(struct ike_dh *dh);
size_t
ike_dh_pub_len(uint16_t group);
const uint8_t *
ike_dh_pub(const struct ike_dh *dh, size_t *len);
int
ike_dh_shared(struct ike_dh *dh, const uint8_t *peer, size_t plen,
	uint8_t *out, size_t *olen);
bool
ike_dh_supported(uint16_t group);

/* Key lengths for an encryption transform (key bytes, incl. salt). */
size_t
ike_encr_keylen(uint16_t encr, uint16_t bits);
size_t
ike_integ_keylen(uint16_t integ);
size_t
ike_integ_icvlen(uint16_t integ);

/* SK payload protection.  */
struct ike_sk_keys {
	uint16_t encr, encr_bits, integ;
	const uint8_t *ek, *ak;
};

/* Build an SK-protected message: inner is the plaintext payload chain
 * (first type first_np). out receives header + SK payload. */
int
ike_sk_seal(const struct ike_sk_keys *k, uint64_t spi_i, uint64_t spi_r,
	uint8_t exch, uint8_t flags, uint32_t msgid, uint8_t first_np,
	const uint8_t *inner, size_t inner_len, uint8_t *out, size_t cap,
	size_t *out_len);

/* Verify and decrypt the SK payload of m into plain (cap bytes); the
 * decrypted chain is appended to m. */
int
ike_sk_open(const struct ike_sk_keys *k, struct ike_msg *m, uint8_t *plain,
	size_t cap, enum ss_ike_counter *why);

/* Length of a message protected with SK (frag false) or SKF around
 * inner_len bytes of payload chain. */
size_t
ike_sk_len(const struct ike_sk_keys *k, size_t inner_len, bool frag);

/* RFC 7383: one Encrypted Fragment message (fragment num of nfrag, from
 * 1) carrying inner_len bytes of the chain; first_np goes into fragment
 * 1 only. */
int
ike_skf_seal(const struct ike_sk_keys *k, uint64_t spi_i, uint64_t spi_r,
	uint8_t exch, uint8_t flags, uint32_t msgid, uint8_t first_np,
	uint16_t num, uint16_t nfrag, const uint8_t *inner, size_t inner_len,
	uint8_t *out, size_t cap, size_t *out_len);

/* What an Encrypted Fragment said about itself once verified. */
struct ike_frag_hdr {
	uint8_t np;		/* first inner payload (fragment 1) */
	uint16_t num, total;
	size_t len;		/* decrypted bytes, padding removed */
};

/* Verify and decrypt the SKF payload of m into plain (cap bytes). */
int
ike_skf_open(const struct ike_sk_keys *k, const struct ike_msg *m,
	uint8_t *plain, size_t cap, struct ike_frag_hdr *f,
	enum ss_ike_counter *why);

/* ---- X.509 certificate authentication (ss_ike_cert.c) ---------------- */

struct ike_cred;

/* Our certificate and key and the trust anchors of a pubkey peer; NULL
 * with the reason (file name, OpenSSL's words; never key bytes) in why. */
struct ike_cred *
ike_cred_load(const struct ss_ike_peer_conf *pc, char *why, size_t len);
void
ike_cred_free(struct ike_cred *c);
/* CERTREQ naming our trust anchors; CERT with our certificate. */
void
ike_cred_put_certreq(const struct ike_cred *c, struct ike_buf *b);
void
ike_cred_put_cert(const struct ike_cred *c, struct ike_buf *b);
/* AUTH data after the method byte and reserved bytes (RFC 7427: ASN.1
 * length, AlgorithmIdentifier, signature) over the signed octets iov,
 * with the first hash of peer_hashes (bits 1 << SIG_HASH_*) we support.
 * -ENOTSUP when the peer announced none of them. */
int
ike_cred_sign(const struct ike_cred *c, uint8_t peer_hashes,
	const struct ike_iov *iov, unsigned int n, uint8_t *out, size_t cap,
	size_t *len);
/* The peer's CERT payloads in m chain to our trust anchors, the identity
 * payload id names the end-entity certificate, and AUTH is its signature
 * over iov. 0, or -EACCES with the reason in why. */
int
ike_cred_verify(const struct ike_cred *c, const struct ike_msg *m,
	const struct ike_pl *id, const struct ike_pl *auth,
	const struct ike_iov *iov, unsigned int n, char *why, size_t len);

#endif /* SS_IKE_PRIV_H */
