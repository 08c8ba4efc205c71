/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 shardsec authors
 */

/*
 * swnic_sec: a software inline-crypto IPsec NIC (ss_swnic_sec.h).
 *
 * Sessions live in the driver_priv_data of the caller's rte_security
 * sessions. Ingress sessions are also on an SPI hash table of singly
 * linked chains: the control thread is the only writer and publishes
 * with release stores, the Rx callbacks on the workers walk the chains
 * with acquire loads and no lock. An unlinked session keeps its next
 * pointer, so a reader standing on it walks on; it is only reused after
 * the quiescent-state wait (or the caller's promise that no burst runs).
 *
 * The crypto engine is a cryptodev's cpu-crypto path, called
 * synchronously from the callbacks, one call per run of packets of the
 * same session. Decryption is done in place and the PMDs transform the
 * payload whether or not the ICV verifies; an ingress session therefore
 * has a second crypto session, the encrypting mirror of the first, that
 * puts the ciphertext back on failure (CBC and GCM re-encrypt to the
 * same bytes with the same key and IV), so a failed packet leaves the
 * NIC as it came in and the success path copies nothing.
 */

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <netinet/in.h>

#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_cryptodev.h>
#include <rte_errno.h>
#include <rte_esp.h>
#include <rte_ethdev.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_udp.h>
#include <rte_log.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_mbuf_dyn.h>
#include <rte_rcu_qsbr.h>
#include <rte_security.h>
#include <rte_security_driver.h>

#include "ss_swnic_sec.h"

RTE_LOG_REGISTER(ss_swnic_sec_logtype, shardsec.swnic_sec, INFO);
#define SWSEC_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_ ## level, ss_swnic_sec_logtype, \
		"swnic_sec: " fmt "\n", ##__VA_ARGS__)

#define SESS_MAGIC	UINT32_C(0x5357c5ec)
#define MAX_SESSIONS	65536u
#define BATCH		32u
#define ICV_LEN		16u
#define ESP_HDR_LEN	8u
#define DYNFIELD_NAME	"ss_swnic_sec_sess"

enum sess_kind {
	KIND_GCM = 1,
	KIND_CBC,
	KIND_NULL,
};

/* The NIC's state of one SA, in the rte_security session. */
struct swsec_sess {
	uint32_t magic;		/* SESS_MAGIC while alive, else 0 */
	uint8_t egress;
	uint8_t kind;		/* enum sess_kind */
	uint8_t iv_len;		/* 8 GCM, 16 CBC, 0 NULL */
	uint8_t blk;		/* ciphertext length granule */
	uint8_t tun;		/* 0 transport, 4 or 6: outer family */
	uint8_t dev_id;
	uint8_t udp;		/* ESP in UDP (NAT-T, RFC 3948) */
	uint8_t pad0;
	uint16_t udp_port;	/* ingress UDP: the local (destination) port */
	uint32_t spi;		/* host order */
	uint32_t slot;		/* in the device's session table */
	uint8_t salt[4];	/* GCM nonce head */
	uint8_t dst[16];	/* tunnel ingress: the local address */
	struct rte_security_session *ses;
	struct ss_swnic_sec *dev;
	void *cs;		/* the crypto session */
	void *undo;		/* ingress: re-encrypts after a failed ICV */
	struct swsec_sess *next;	/* SPI chain */
};

struct swsec_cnt {
	uint64_t tx_encrypted;
	uint64_t tx_dropped_no_session;
	uint64_t tx_dropped_bad;
	uint64_t rx_decrypted;
	uint64_t rx_auth_failed;
	uint64_t rx_bad;
	uint64_t rx_no_session;
};

/* One session's counts on one queue (rte_security_session_stats_get):
 * what was encrypted or decrypted, and what failed (ICV, crypto). */
struct swsec_scnt {
	uint64_t pkts;
	uint64_t bytes;
	uint64_t errors;
};

/* One per queue: written by that queue's poller only. */
struct swsec_q {
	struct swsec_cnt cnt;
	struct swsec_scnt *sc;		/* by session slot */
	struct ss_swnic_sec *dev;
	const struct rte_eth_rxtx_callback *cb;
} __rte_cache_aligned;

struct swsec_port {
	uint16_t port_id;
	uint16_t nb_rxq;
	uint16_t nb_txq;
	struct swsec_q *rxq;
	struct swsec_q *txq;
};

struct ss_swnic_sec {
	struct ss_swnic_sec_conf conf;
	struct rte_security_ctx ctx;
	struct rte_mempool *cs_pool;
	int dyn_off;
	uint32_t hash_mask;
	uint32_t nb_egress;
	uint32_t nb_ingress;
	uint32_t free_top;
	struct swsec_cnt gone;		/* of detached ports */
	struct swsec_scnt *gone_sc;	/* the same, by session slot */
	struct swsec_port *port[RTE_MAX_ETHPORTS];
	struct swsec_sess **slot;	/* max_sessions */
	uint32_t *free_stack;		/* max_sessions */
	struct swsec_sess **hash;	/* hash_mask + 1 */
	/* UDP destination ports of ingress NAT-T sessions: only these are
	 * looked at as ESP in UDP on receive */
	uint64_t udp_ports[65536 / 64];
};

static const struct rte_cryptodev_capabilities swsec_crypto_caps[] = {
	{
		.op = RTE_CRYPTO_OP_TYPE_SYMMETRIC,
		.sym = {
			.xform_type = RTE_CRYPTO_SYM_XFORM_AEAD,
			.aead = {
				.algo = RTE_CRYPTO_AEAD_AES_GCM,
				.block_size = 16,
				.key_size = { .min = 16, .max = 32,
					.increment = 16 },
				.digest_size = { .min = 16, .max = 16,
					.increment = 0 },
				.aad_size = { .min = 8, .max = 8,
					.increment = 0 },
				.iv_size = { .min = 12, .max = 12,
					.increment = 0 },
			},
		},
	},
	{
		.op = RTE_CRYPTO_OP_TYPE_SYMMETRIC,
		.sym = {
			.xform_type = RTE_CRYPTO_SYM_XFORM_CIPHER,
			.cipher = {
				.algo = RTE_CRYPTO_CIPHER_AES_CBC,
				.block_size = 16,
				.key_size = { .min = 16, .max = 32,
					.increment = 16 },
				.iv_size = { .min = 16, .max = 16,
					.increment = 0 },
			},
		},
	},
	{
		.op = RTE_CRYPTO_OP_TYPE_SYMMETRIC,
		.sym = {
			.xform_type = RTE_CRYPTO_SYM_XFORM_CIPHER,
			.cipher = {
				.algo = RTE_CRYPTO_CIPHER_NULL,
				.block_size = 1,
				.key_size = { .min = 0, .max = 0,
					.increment = 0 },
				.iv_size = { .min = 0, .max = 0,
					.increment = 0 },
			},
		},
	},
	{
		.op = RTE_CRYPTO_OP_TYPE_SYMMETRIC,
		.sym = {
			.xform_type = RTE_CRYPTO_SYM_XFORM_AUTH,
			.auth = {
				.algo = RTE_CRYPTO_AUTH_SHA256_HMAC,
				.block_size = 64,
				.key_size = { .min = 32, .max = 32,
					.increment = 0 },
				.digest_size = { .min = 16, .max = 16,
					.increment = 0 },
				.iv_size = { 0 },
			},
		},
	},
	{ .op = RTE_CRYPTO_OP_TYPE_UNDEFINED },
};

#define SWSEC_CAP(m, d) { \
	.action = RTE_SECURITY_ACTION_TYPE_INLINE_CRYPTO, \
	.protocol = RTE_SECURITY_PROTOCOL_IPSEC, \
	.ipsec = { \
		.proto = RTE_SECURITY_IPSEC_SA_PROTO_ESP, \
		.mode = (m), \
		.direction = (d), \
		.replay_win_sz_max = 0, \
		.options = { .udp_encap = 1, .stats = 1 }, \
	}, \
	.crypto_capabilities = swsec_crypto_caps, \
	.ol_flags = RTE_SECURITY_TX_OLOAD_NEED_MDATA, \
}

static const struct rte_security_capability swsec_caps[] = {
	SWSEC_CAP(RTE_SECURITY_IPSEC_SA_MODE_TUNNEL,
		RTE_SECURITY_IPSEC_SA_DIR_EGRESS),
	SWSEC_CAP(RTE_SECURITY_IPSEC_SA_MODE_TUNNEL,
		RTE_SECURITY_IPSEC_SA_DIR_INGRESS),
	SWSEC_CAP(RTE_SECURITY_IPSEC_SA_MODE_TRANSPORT,
		RTE_SECURITY_IPSEC_SA_DIR_EGRESS),
	SWSEC_CAP(RTE_SECURITY_IPSEC_SA_MODE_TRANSPORT,
		RTE_SECURITY_IPSEC_SA_DIR_INGRESS),
	{ .action = RTE_SECURITY_ACTION_TYPE_NONE },
};

/* ---- counters --------------------------------------------------------- */

/* Single writer per counter: a plain load and a store that cannot tear
 * are enough for the reader on another thread. */
static inline void
cnt_add(uint64_t *c, uint64_t n)
{
	if (n != 0)
		__atomic_store_n(c, *c + n, __ATOMIC_RELAXED);
}

static inline void
scnt_add(struct swsec_scnt *c, uint64_t pkts, uint64_t bytes,
	uint64_t errors)
{
	cnt_add(&c->pkts, pkts);
	cnt_add(&c->bytes, bytes);
	cnt_add(&c->errors, errors);
}

static void
scnt_sum(struct swsec_scnt *to, const struct swsec_scnt *from)
{
	to->pkts += __atomic_load_n(&from->pkts, __ATOMIC_RELAXED);
	to->bytes += __atomic_load_n(&from->bytes, __ATOMIC_RELAXED);
	to->errors += __atomic_load_n(&from->errors, __ATOMIC_RELAXED);
}

static void
cnt_sum(struct swsec_cnt *to, const struct swsec_cnt *from)
{
	to->tx_encrypted += __atomic_load_n(&from->tx_encrypted,
		__ATOMIC_RELAXED);
	to->tx_dropped_no_session += __atomic_load_n(
		&from->tx_dropped_no_session, __ATOMIC_RELAXED);
	to->tx_dropped_bad += __atomic_load_n(&from->tx_dropped_bad,
		__ATOMIC_RELAXED);
	to->rx_decrypted += __atomic_load_n(&from->rx_decrypted,
		__ATOMIC_RELAXED);
	to->rx_auth_failed += __atomic_load_n(&from->rx_auth_failed,
		__ATOMIC_RELAXED);
	to->rx_bad += __atomic_load_n(&from->rx_bad, __ATOMIC_RELAXED);
	to->rx_no_session += __atomic_load_n(&from->rx_no_session,
		__ATOMIC_RELAXED);
}

/* ---- SPI table ------------------------------------------------------ */

static inline uint32_t
spi_hash(const struct ss_swnic_sec *d, uint32_t spi)
{
	return (spi * UINT32_C(0x9e3779b1)) >> 7 & d->hash_mask;
}

static void
spi_publish(struct ss_swnic_sec *d, struct swsec_sess *s)
{
	struct swsec_sess **head = &d->hash[spi_hash(d, s->spi)];

	s->next = *head;
	/* Everything in s is written before readers can reach it. */
	__atomic_store_n(head, s, __ATOMIC_RELEASE);
}

static void
spi_unpublish(struct ss_swnic_sec *d, struct swsec_sess *s)
{
	struct swsec_sess **pp = &d->hash[spi_hash(d, s->spi)];

	for (; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == s) {
			/* s->next stays: a reader on s walks on. */
			__atomic_store_n(pp, s->next, __ATOMIC_RELEASE);
			return;
		}
	}
}

static inline const struct swsec_sess *
spi_lookup(const struct ss_swnic_sec *d, uint32_t spi, uint8_t fam,
	const uint8_t *dst, uint8_t udp, uint16_t dport)
{
	const struct swsec_sess *s;

	s = __atomic_load_n(&d->hash[spi_hash(d, spi)], __ATOMIC_ACQUIRE);
	for (; s != NULL; s = __atomic_load_n(&s->next, __ATOMIC_ACQUIRE)) {
		if (s->spi != spi || s->udp != udp ||
				(udp && s->udp_port != dport))
			continue;
		if (s->tun == 0 || (s->tun == fam &&
				memcmp(s->dst, dst, fam == 4 ? 4 : 16) == 0))
			return s;
	}
	return NULL;
}

/* ---- rte_security ops ----------------------------------------------- */

static unsigned int
swsec_session_get_size(void *device)
{
	RTE_SET_USED(device);
	return sizeof(struct swsec_sess);
}

static const struct rte_security_capability *
swsec_capabilities_get(void *device)
{
	RTE_SET_USED(device);
	return swsec_caps;
}

/* The chain rte_ipsec builds: AEAD alone, or egress cipher -> auth,
 * ingress auth -> cipher. Fills kind and iv_len; -ENOTSUP otherwise. */
static int
xform_check(const struct rte_crypto_sym_xform *x, bool egress,
	struct swsec_sess *s, const struct rte_crypto_sym_xform **cipher)
{
	const struct rte_crypto_sym_xform *c, *a;

	if (x == NULL)
		return -EINVAL;
	if (x->type == RTE_CRYPTO_SYM_XFORM_AEAD) {
		const struct rte_crypto_aead_xform *g = &x->aead;

		if (x->next != NULL || g->algo != RTE_CRYPTO_AEAD_AES_GCM ||
				g->op != (egress ? RTE_CRYPTO_AEAD_OP_ENCRYPT :
					RTE_CRYPTO_AEAD_OP_DECRYPT) ||
				(g->key.length != 16 && g->key.length != 32) ||
				g->key.data == NULL ||
				g->digest_length != ICV_LEN ||
				g->aad_length != 8 || g->iv.length != 12)
			return -ENOTSUP;
		s->kind = KIND_GCM;
		s->iv_len = 8;
		s->blk = 4;
		*cipher = x;
		return 0;
	}
	c = egress ? x : x->next;
	a = egress ? x->next : x;
	if (c == NULL || a == NULL)
		return -ENOTSUP;
	if ((egress && (c->next != a || a->next != NULL)) ||
			(!egress && (a->next != c || c->next != NULL)))
		return -ENOTSUP;
	if (c->type != RTE_CRYPTO_SYM_XFORM_CIPHER ||
			a->type != RTE_CRYPTO_SYM_XFORM_AUTH ||
			c->cipher.op != (egress ? RTE_CRYPTO_CIPHER_OP_ENCRYPT :
				RTE_CRYPTO_CIPHER_OP_DECRYPT) ||
			a->auth.op != (egress ? RTE_CRYPTO_AUTH_OP_GENERATE :
				RTE_CRYPTO_AUTH_OP_VERIFY) ||
			a->auth.algo != RTE_CRYPTO_AUTH_SHA256_HMAC ||
			a->auth.key.length != 32 || a->auth.key.data == NULL ||
			a->auth.digest_length != ICV_LEN)
		return -ENOTSUP;
	if (c->cipher.algo == RTE_CRYPTO_CIPHER_AES_CBC) {
		if ((c->cipher.key.length != 16 &&
				c->cipher.key.length != 32) ||
				c->cipher.key.data == NULL ||
				c->cipher.iv.length != 16)
			return -ENOTSUP;
		s->kind = KIND_CBC;
		s->iv_len = 16;
		s->blk = 16;
	} else if (c->cipher.algo == RTE_CRYPTO_CIPHER_NULL) {
		if (c->cipher.key.length != 0 || c->cipher.iv.length != 0)
			return -ENOTSUP;
		s->kind = KIND_NULL;
		s->iv_len = 0;
		s->blk = 4;
	} else {
		return -ENOTSUP;
	}
	*cipher = c;
	return 0;
}

/* The encrypting twin of an ingress session's cipher (see the top). */
static void *
undo_session_create(struct ss_swnic_sec *d, const struct swsec_sess *s,
	const struct rte_crypto_sym_xform *cipher)
{
	struct rte_crypto_sym_xform x = *cipher;

	x.next = NULL;
	if (x.type == RTE_CRYPTO_SYM_XFORM_AEAD)
		x.aead.op = RTE_CRYPTO_AEAD_OP_ENCRYPT;
	else
		x.cipher.op = RTE_CRYPTO_CIPHER_OP_ENCRYPT;
	return rte_cryptodev_sym_session_create(s->dev_id, &x, d->cs_pool);
}

static int
swsec_session_create(void *device, struct rte_security_session_conf *conf,
	struct rte_security_session *sess)
{
	struct ss_swnic_sec *d = device;
	struct swsec_sess *s = SECURITY_GET_SESS_PRIV(sess);
	const struct rte_security_ipsec_xform *ix;
	const struct rte_crypto_sym_xform *cipher = NULL;
	bool egress;
	int rc;

	if (d == NULL || conf == NULL)
		return -EINVAL;
	ix = &conf->ipsec;
	if (conf->action_type != RTE_SECURITY_ACTION_TYPE_INLINE_CRYPTO ||
			conf->protocol != RTE_SECURITY_PROTOCOL_IPSEC ||
			ix->proto != RTE_SECURITY_IPSEC_SA_PROTO_ESP)
		return -ENOTSUP;
	if (ix->direction != RTE_SECURITY_IPSEC_SA_DIR_EGRESS &&
			ix->direction != RTE_SECURITY_IPSEC_SA_DIR_INGRESS)
		return -EINVAL;
	if (ix->mode != RTE_SECURITY_IPSEC_SA_MODE_TUNNEL &&
			ix->mode != RTE_SECURITY_IPSEC_SA_MODE_TRANSPORT)
		return -ENOTSUP;
	/* What the hardware would have to do itself: not offered. Replay
	 * window size is accepted and ignored, as ixgbe does: rte_ipsec
	 * keeps the window in software for inline crypto. Per-session
	 * counts are always kept (options.stats asks for them). */
	if (ix->options.esn || ix->options.tunnel_hdr_verify ||
			ix->options.udp_ports_verify)
		return -ENOTSUP;
	if (d->nb_egress + d->nb_ingress >= d->conf.max_sessions ||
			d->free_top == 0)
		return -ENOSPC;
	egress = ix->direction == RTE_SECURITY_IPSEC_SA_DIR_EGRESS;
	memset(s, 0, sizeof(*s));
	rc = xform_check(conf->crypto_xform, egress, s, &cipher);
	if (rc != 0)
		return rc;
	s->egress = egress;
	s->spi = ix->spi;
	s->dev_id = (uint8_t)(s->kind == KIND_GCM ? d->conf.gcm_dev :
		d->conf.mb_dev);
	if (s->kind == KIND_GCM)
		memcpy(s->salt, &ix->salt, sizeof(s->salt));
	if (ix->options.udp_encap) {
		s->udp = 1;
		/* received on the local port (RFC 3948's 4500 if unset) */
		s->udp_port = ix->udp.dport != 0 ? ix->udp.dport : 4500;
	}
	if (ix->mode == RTE_SECURITY_IPSEC_SA_MODE_TUNNEL) {
		if (ix->tunnel.type == RTE_SECURITY_IPSEC_TUNNEL_IPV4) {
			s->tun = 4;
			memcpy(s->dst, &ix->tunnel.ipv4.dst_ip, 4);
		} else if (ix->tunnel.type == RTE_SECURITY_IPSEC_TUNNEL_IPV6) {
			s->tun = 6;
			memcpy(s->dst, &ix->tunnel.ipv6.dst_addr, 16);
		} else {
			explicit_bzero(s, sizeof(*s));
			return -EINVAL;
		}
	}
	rte_errno = 0;
	s->cs = rte_cryptodev_sym_session_create(s->dev_id,
		conf->crypto_xform, d->cs_pool);
	if (s->cs == NULL) {
		rc = rte_errno != 0 ? -rte_errno : -ENOTSUP;
		SWSEC_LOG(ERR, "SPI 0x%08x: crypto device %u refused the "
			"session: %s", s->spi, s->dev_id, rte_strerror(-rc));
		explicit_bzero(s, sizeof(*s));
		return rc;
	}
	if (!egress && s->kind != KIND_NULL) {
		rte_errno = 0;
		s->undo = undo_session_create(d, s, cipher);
		if (s->undo == NULL) {
			rc = rte_errno != 0 ? -rte_errno : -ENOMEM;
			rte_cryptodev_sym_session_free(s->dev_id, s->cs);
			explicit_bzero(s, sizeof(*s));
			return rc;
		}
	}
	s->ses = sess;
	s->dev = d;
	s->slot = d->free_stack[--d->free_top];
	d->slot[s->slot] = s;
	s->magic = SESS_MAGIC;
	if (egress) {
		d->nb_egress++;
	} else {
		d->nb_ingress++;
		if (s->udp)
			__atomic_fetch_or(&d->udp_ports[s->udp_port / 64],
				UINT64_C(1) << (s->udp_port % 64),
				__ATOMIC_RELEASE);
		spi_publish(d, s);
	}
	SWSEC_LOG(DEBUG, "SPI 0x%08x %s session %u created", s->spi,
		egress ? "egress" : "ingress", s->slot);
	return 0;
}

/* The port stays listened on while another ingress session uses it. */
static void
udp_port_recount(struct ss_swnic_sec *d, uint16_t port)
{
	uint32_t i;

	for (i = 0; i < d->conf.max_sessions; i++) {
		const struct swsec_sess *o = d->slot[i];

		if (o != NULL && !o->egress && o->udp && o->udp_port == port)
			return;
	}
	__atomic_fetch_and(&d->udp_ports[port / 64],
		~(UINT64_C(1) << (port % 64)), __ATOMIC_RELEASE);
}

static void
slot_counts_clear(struct ss_swnic_sec *d, uint32_t slot)
{
	uint32_t pi;
	uint16_t i;

	for (pi = 0; pi < RTE_MAX_ETHPORTS; pi++) {
		const struct swsec_port *p = d->port[pi];

		if (p == NULL)
			continue;
		for (i = 0; i < p->nb_rxq; i++)
			memset(&p->rxq[i].sc[slot], 0, sizeof(p->rxq[i].sc[0]));
		for (i = 0; i < p->nb_txq; i++)
			memset(&p->txq[i].sc[slot], 0, sizeof(p->txq[i].sc[0]));
	}
	memset(&d->gone_sc[slot], 0, sizeof(d->gone_sc[0]));
}

/* A session's counts: its slot's, over every queue it can be seen on
 * (Tx queues for egress, Rx for ingress) and detached ports. */
static void
slot_counts(const struct ss_swnic_sec *d, uint32_t slot, bool egress,
	struct swsec_scnt *c)
{
	uint32_t pi;
	uint16_t i;

	*c = d->gone_sc[slot];
	for (pi = 0; pi < RTE_MAX_ETHPORTS; pi++) {
		const struct swsec_port *p = d->port[pi];

		if (p == NULL)
			continue;
		if (egress)
			for (i = 0; i < p->nb_txq; i++)
				scnt_sum(c, &p->txq[i].sc[slot]);
		else
			for (i = 0; i < p->nb_rxq; i++)
				scnt_sum(c, &p->rxq[i].sc[slot]);
	}
}

/* Unpublished, waited for, freed and wiped. */
static void
sess_teardown(struct ss_swnic_sec *d, struct swsec_sess *s)
{
	/* A Tx burst still holding the pointer sees a dead session. */
	__atomic_store_n(&s->magic, 0, __ATOMIC_RELEASE);
	if (!s->egress)
		spi_unpublish(d, s);
	if (d->conf.qsbr != NULL)
		rte_rcu_qsbr_synchronize(d->conf.qsbr,
			RTE_QSBR_THRID_INVALID);
	if (s->cs != NULL)
		rte_cryptodev_sym_session_free(s->dev_id, s->cs);
	if (s->undo != NULL)
		rte_cryptodev_sym_session_free(s->dev_id, s->undo);
	if (s->egress)
		d->nb_egress--;
	else
		d->nb_ingress--;
	/* no burst counts for it any more: the next session in its slot
	 * starts from zero */
	slot_counts_clear(d, s->slot);
	d->slot[s->slot] = NULL;
	d->free_stack[d->free_top++] = s->slot;
	if (!s->egress && s->udp)
		udp_port_recount(d, s->udp_port);
	explicit_bzero(s, sizeof(*s));
}

static int
swsec_session_destroy(void *device, struct rte_security_session *sess)
{
	struct ss_swnic_sec *d = device;
	struct swsec_sess *s;

	if (d == NULL || sess == NULL)
		return -EINVAL;
	s = SECURITY_GET_SESS_PRIV(sess);
	if (s->magic != SESS_MAGIC || s->dev != d || s->ses != sess)
		return -EINVAL;
	sess_teardown(d, s);
	return 0;
}

static int
swsec_set_pkt_metadata(void *device, struct rte_security_session *sess,
	struct rte_mbuf *mb, void *params)
{
	struct ss_swnic_sec *d = device;

	RTE_SET_USED(params);
	if (d == NULL || sess == NULL || mb == NULL)
		return -EINVAL;
	*RTE_MBUF_DYNFIELD(mb, d->dyn_off, struct swsec_sess **) =
		SECURITY_GET_SESS_PRIV(sess);
	return 0;
}

/* Per session: what it encrypted (egress) or decrypted (ingress), and
 * what failed. Without a session: the device's totals. */
static int
swsec_session_stats_get(void *device, struct rte_security_session *sess,
	struct rte_security_stats *st)
{
	const struct ss_swnic_sec *d = device;
	const struct swsec_sess *s;
	struct ss_swnic_sec_stats t;
	struct swsec_scnt c;

	if (d == NULL || st == NULL)
		return -EINVAL;
	memset(st, 0, sizeof(*st));
	st->protocol = RTE_SECURITY_PROTOCOL_IPSEC;
	if (sess == NULL) {
		ss_swnic_sec_stats_get(d, &t);
		st->ipsec.opackets = t.tx_encrypted;
		st->ipsec.oerrors = t.tx_dropped_no_session + t.tx_dropped_bad;
		st->ipsec.ipackets = t.rx_decrypted;
		st->ipsec.ierrors = t.rx_auth_failed + t.rx_bad;
		return 0;
	}
	s = SECURITY_GET_SESS_PRIV(sess);
	if (s->magic != SESS_MAGIC || s->dev != d || s->ses != sess)
		return -EINVAL;
	slot_counts(d, s->slot, s->egress, &c);
	if (s->egress) {
		st->ipsec.opackets = c.pkts;
		st->ipsec.obytes = c.bytes;
		st->ipsec.oerrors = c.errors;
	} else {
		st->ipsec.ipackets = c.pkts;
		st->ipsec.ibytes = c.bytes;
		st->ipsec.ierrors = c.errors;
	}
	return 0;
}

static const struct rte_security_ops swsec_ops = {
	.session_create = swsec_session_create,
	.session_stats_get = swsec_session_stats_get,
	.session_destroy = swsec_session_destroy,
	.session_get_size = swsec_session_get_size,
	.set_pkt_metadata = swsec_set_pkt_metadata,
	.capabilities_get = swsec_capabilities_get,
};

/* ---- packet parsing ------------------------------------------------- */

/* The ESP header sits at any alignment. */
static inline uint32_t
spi_of(const struct rte_mbuf *m, uint32_t esp)
{
	rte_be32_t v;

	memcpy(&v, rte_pktmbuf_mtod_offset(m, const uint8_t *, esp),
		sizeof(v));
	return rte_be_to_cpu_32(v);
}

struct esp_loc {
	uint32_t l3;		/* offset of the IP header */
	uint32_t esp;		/* offset of the ESP header */
	uint32_t end;		/* end of the IP packet */
	uint8_t fam;		/* 4 or 6 */
	uint8_t udp;		/* ESP in UDP */
	uint16_t dport;		/* its UDP destination port */
	const uint8_t *dst;	/* outer destination address */
};

/* ESP in UDP after the IP header at off + hl (RFC 3948): the UDP header
 * fits, and the first four bytes after it are not the non-ESP marker
 * (IKE) nor a keepalive. ports: receive, the ports the NIC listens on;
 * NULL: transmit, any. */
static inline int
udp_locate(const uint8_t *p, uint32_t udp, uint32_t end,
	const uint64_t *ports, struct esp_loc *l)
{
	const struct rte_udp_hdr *u = (const struct rte_udp_hdr *)(p + udp);
	uint16_t dport;
	uint32_t spi;

	if (end < udp + sizeof(*u) + ESP_HDR_LEN)
		return -1;
	dport = rte_be_to_cpu_16(u->dst_port);
	if (ports != NULL && (__atomic_load_n(&ports[dport / 64],
			__ATOMIC_ACQUIRE) & UINT64_C(1) << (dport % 64)) == 0)
		return -1;
	memcpy(&spi, p + udp + sizeof(*u), sizeof(spi));
	if (spi == 0)
		return -1;
	l->udp = 1;
	l->dport = dport;
	l->esp = udp + sizeof(*u);
	return 0;
}

/* Ethernet (one 802.1Q tag allowed), then IPv4 or IPv6 carrying ESP
 * directly. 0 and *l filled, or -1. */
static int
esp_locate(const struct rte_mbuf *m, struct esp_loc *l,
	const uint64_t *ports)
{
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);
	const uint32_t len = m->data_len;
	uint32_t off = RTE_ETHER_HDR_LEN;
	uint16_t et;

	if (m->nb_segs != 1 || len < off + 4)
		return -1;
	et = (uint16_t)(p[12] << 8 | p[13]);
	if (et == RTE_ETHER_TYPE_VLAN) {
		et = (uint16_t)(p[16] << 8 | p[17]);
		off += 4;
	}
	if (et == RTE_ETHER_TYPE_IPV4) {
		const struct rte_ipv4_hdr *ip;
		uint32_t hl, tot;

		if (len < off + sizeof(*ip))
			return -1;
		ip = (const struct rte_ipv4_hdr *)(p + off);
		hl = (ip->version_ihl & 0xf) * 4u;
		tot = rte_be_to_cpu_16(ip->total_length);
		if (ip->version_ihl >> 4 != 4 || hl < sizeof(*ip) ||
				(ip->next_proto_id != IPPROTO_ESP &&
				ip->next_proto_id != IPPROTO_UDP) ||
				(rte_be_to_cpu_16(ip->fragment_offset) &
				 (RTE_IPV4_HDR_MF_FLAG |
				  RTE_IPV4_HDR_OFFSET_MASK)) != 0 ||
				tot < hl || off + tot > len)
			return -1;
		l->fam = 4;
		l->dst = (const uint8_t *)&ip->dst_addr;
		l->l3 = off;
		l->esp = off + hl;
		l->end = off + tot;
		l->udp = 0;
		if (ip->next_proto_id == IPPROTO_UDP)
			return udp_locate(p, off + hl, l->end, ports, l);
	} else if (et == RTE_ETHER_TYPE_IPV6) {
		const struct rte_ipv6_hdr *ip6;

		if (len < off + sizeof(*ip6))
			return -1;
		ip6 = (const struct rte_ipv6_hdr *)(p + off);
		if ((rte_be_to_cpu_32(ip6->vtc_flow) >> 28) != 6 ||
				(ip6->proto != IPPROTO_ESP &&
				ip6->proto != IPPROTO_UDP) ||
				off + sizeof(*ip6) +
				rte_be_to_cpu_16(ip6->payload_len) > len)
			return -1;
		l->fam = 6;
		l->dst = ip6->dst_addr;
		l->l3 = off;
		l->esp = off + sizeof(*ip6);
		l->end = l->esp + rte_be_to_cpu_16(ip6->payload_len);
		l->udp = 0;
		if (ip6->proto == IPPROTO_UDP)
			return udp_locate(p, l->esp, l->end, ports, l);
	} else {
		return -1;
	}
	return 0;
}

/* Room for ESP header, IV, at least one granule and the ICV, with the
 * ciphertext a whole number of granules. */
static inline bool
esp_len_ok(const struct swsec_sess *s, const struct esp_loc *l)
{
	const uint32_t fixed = ESP_HDR_LEN + s->iv_len + ICV_LEN;
	uint32_t ct;

	if (l->end < l->esp + fixed + s->blk)
		return false;
	ct = l->end - l->esp - fixed;
	return ct % s->blk == 0;
}

/* ---- the crypto engine ---------------------------------------------- */

struct batch {
	const struct swsec_sess *s;
	uint16_t n;
	uint16_t idx[BATCH];		/* into the burst */
	struct rte_crypto_vec vec[BATCH];
	struct rte_crypto_sgl sgl[BATCH];
	struct rte_crypto_va_iova_ptr iv[BATCH];
	struct rte_crypto_va_iova_ptr dg[BATCH];
	struct rte_crypto_va_iova_ptr aad[BATCH];
	int32_t st[BATCH];
	uint8_t nonce[BATCH][12];
	uint8_t tag[BATCH][ICV_LEN];	/* undo's own tag, thrown away */
};

/* Adds m (ESP at l) to b; the caller has flushed b if it was full or of
 * another session. */
static void
batch_add(struct batch *b, const struct swsec_sess *s, struct rte_mbuf *m,
	const struct esp_loc *l, uint16_t idx)
{
	uint8_t *esp = rte_pktmbuf_mtod_offset(m, uint8_t *, l->esp);
	const uint16_t k = b->n++;

	b->s = s;
	b->idx[k] = idx;
	if (s->kind == KIND_GCM) {
		const uint32_t h = ESP_HDR_LEN + 8;

		memcpy(b->nonce[k], s->salt, 4);
		memcpy(b->nonce[k] + 4, esp + ESP_HDR_LEN, 8);
		b->vec[k].base = esp + h;
		b->vec[k].len = l->end - l->esp - h - ICV_LEN;
		b->iv[k].va = b->nonce[k];
		b->aad[k].va = esp;	/* SPI || sequence number */
	} else {
		/* Authenticated from the ESP header on; the cipher offset
		 * goes in the call's head. */
		b->vec[k].base = esp;
		b->vec[k].len = l->end - l->esp - ICV_LEN;
		b->iv[k].va = esp + ESP_HDR_LEN;
		b->aad[k].va = NULL;
	}
	/* Not used by cpu crypto, but cheap to have right. */
	b->vec[k].iova = rte_pktmbuf_iova_offset(m, (uintptr_t)b->vec[k].base -
		rte_pktmbuf_mtod(m, uintptr_t));
	b->sgl[k].vec = &b->vec[k];
	b->sgl[k].num = 1;
	b->dg[k].va = esp + (l->end - l->esp) - ICV_LEN;
	b->st[k] = 0;
}

static void
batch_crypt(struct batch *b, void *cs)
{
	const struct swsec_sess *s = b->s;
	union rte_crypto_sym_ofs ofs = { .raw = 0 };
	struct rte_crypto_sym_vec sv = {
		.num = b->n, .src_sgl = b->sgl, .iv = b->iv,
		.digest = b->dg, .aad = b->aad, .status = b->st,
	};

	if (s->kind != KIND_GCM)
		ofs.ofs.cipher.head = (uint16_t)(ESP_HDR_LEN + s->iv_len);
	rte_cryptodev_sym_cpu_crypto_process(s->dev_id, cs, ofs, &sv);
}

/* Puts the ciphertext of the failed packets back (see the top). */
static void
batch_undo(struct batch *b)
{
	const struct swsec_sess *s = b->s;
	union rte_crypto_sym_ofs ofs = { .raw = 0 };
	struct rte_crypto_vec vec[BATCH];
	struct rte_crypto_sgl sgl[BATCH];
	struct rte_crypto_va_iova_ptr iv[BATCH], dg[BATCH], aad[BATCH];
	int32_t st[BATCH];
	struct rte_crypto_sym_vec sv = {
		.num = 0, .src_sgl = sgl, .iv = iv, .digest = dg,
		.aad = aad, .status = st,
	};
	uint16_t k;

	if (s->undo == NULL)
		return;
	for (k = 0; k < b->n; k++) {
		const uint32_t i = sv.num;

		if (b->st[k] == 0)
			continue;
		vec[i] = b->vec[k];
		if (s->kind != KIND_GCM) {
			/* Cipher only: from after the IV. */
			const uint32_t h = ESP_HDR_LEN + s->iv_len;

			vec[i].base = (uint8_t *)vec[i].base + h;
			vec[i].iova += h;
			vec[i].len -= h;
		}
		sgl[i].vec = &vec[i];
		sgl[i].num = 1;
		iv[i] = b->iv[k];
		aad[i] = b->aad[k];
		dg[i].va = b->tag[k];
		st[i] = 0;
		sv.num++;
	}
	if (sv.num != 0)
		rte_cryptodev_sym_cpu_crypto_process(s->dev_id, s->undo, ofs,
			&sv);
}

/* ---- Tx ------------------------------------------------------------- */

/* IPv6 forbids a zero UDP checksum (RFC 8200), and the one the host
 * wrote covered the cleartext: a NIC fills it in after encrypting. */
static void
udp6_cksum_fix(struct rte_mbuf *m)
{
	struct rte_ipv6_hdr *ip6;
	struct rte_udp_hdr *u;
	struct esp_loc l;

	if (esp_locate(m, &l, NULL) != 0 || l.fam != 6 || !l.udp)
		return;
	ip6 = rte_pktmbuf_mtod_offset(m, struct rte_ipv6_hdr *, l.l3);
	u = rte_pktmbuf_mtod_offset(m, struct rte_udp_hdr *,
		l.esp - sizeof(*u));
	u->dgram_cksum = 0;
	u->dgram_cksum = rte_ipv6_udptcp_cksum(ip6, u);
}

/* Returns how many it dropped. */
static uint64_t
tx_flush(struct batch *b, struct rte_mbuf *pkts[], struct swsec_q *q)
{
	struct swsec_cnt *c = &q->cnt;
	uint64_t ok = 0, bad = 0, bytes = 0;
	uint16_t k;

	if (b->n == 0)
		return 0;
	batch_crypt(b, b->s->cs);
	for (k = 0; k < b->n; k++) {
		struct rte_mbuf *m = pkts[b->idx[k]];

		if (b->st[k] == 0) {
			m->ol_flags &= ~RTE_MBUF_F_TX_SEC_OFFLOAD;
			if (b->s->udp)
				udp6_cksum_fix(m);
			bytes += rte_pktmbuf_pkt_len(m);
			ok++;
		} else {
			/* Never out in the clear. */
			rte_pktmbuf_free(m);
			pkts[b->idx[k]] = NULL;
			bad++;
		}
	}
	cnt_add(&c->tx_encrypted, ok);
	cnt_add(&c->tx_dropped_bad, bad);
	scnt_add(&q->sc[b->s->slot], ok, bytes, bad);
	b->n = 0;
	return bad;
}

static uint16_t
swsec_tx_cb(uint16_t port_id, uint16_t queue, struct rte_mbuf *pkts[],
	uint16_t nb_pkts, void *user_param)
{
	struct swsec_q *q = user_param;
	const struct ss_swnic_sec *d = q->dev;
	struct batch b;
	uint64_t no_sess = 0, bad = 0;
	uint64_t dropped = 0;
	uint16_t i, j;

	RTE_SET_USED(port_id);
	RTE_SET_USED(queue);
	b.n = 0;
	b.s = NULL;
	for (i = 0; i < nb_pkts; i++) {
		struct rte_mbuf *m = pkts[i];
		struct swsec_sess **md;
		const struct swsec_sess *s;
		struct esp_loc l;

		if ((m->ol_flags & RTE_MBUF_F_TX_SEC_OFFLOAD) == 0)
			continue;
		md = RTE_MBUF_DYNFIELD(m, d->dyn_off, struct swsec_sess **);
		s = *md;
		/* Consumed: a recycled mbuf must not carry it again. */
		*md = NULL;
		if (s == NULL || s->dev != d ||
				__atomic_load_n(&s->magic, __ATOMIC_ACQUIRE) !=
				SESS_MAGIC || !s->egress) {
			no_sess++;
			goto drop;
		}
		if (esp_locate(m, &l, NULL) != 0 || l.end != m->pkt_len ||
				l.udp != s->udp || !esp_len_ok(s, &l) ||
				spi_of(m, l.esp) != s->spi) {
			bad++;
			goto drop;
		}
		if (b.n == BATCH || (b.n != 0 && b.s != s))
			dropped += tx_flush(&b, pkts, q);
		batch_add(&b, s, m, &l, i);
		continue;
drop:
		rte_pktmbuf_free(m);
		pkts[i] = NULL;
	}
	dropped += tx_flush(&b, pkts, q);
	cnt_add(&q->cnt.tx_dropped_no_session, no_sess);
	cnt_add(&q->cnt.tx_dropped_bad, bad);
	if (dropped + no_sess + bad == 0)
		return nb_pkts;
	for (i = 0, j = 0; i < nb_pkts; i++)
		if (pkts[i] != NULL)
			pkts[j++] = pkts[i];
	/* The caller may free the unsent tail: nothing there twice. */
	for (i = j; i < nb_pkts; i++)
		pkts[i] = NULL;
	return j;
}

/* ---- Rx ------------------------------------------------------------- */

static void
rx_flush(struct batch *b, struct rte_mbuf *pkts[], struct swsec_q *q)
{
	struct swsec_cnt *c = &q->cnt;
	uint64_t ok = 0, fail = 0, bytes = 0;
	uint16_t k;

	if (b->n == 0)
		return;
	batch_crypt(b, b->s->cs);
	for (k = 0; k < b->n; k++)
		if (b->st[k] != 0)
			fail++;
	if (fail != 0)
		batch_undo(b);
	for (k = 0; k < b->n; k++) {
		struct rte_mbuf *m = pkts[b->idx[k]];

		m->ol_flags |= RTE_MBUF_F_RX_SEC_OFFLOAD;
		if (b->st[k] != 0) {
			m->ol_flags |= RTE_MBUF_F_RX_SEC_OFFLOAD_FAILED;
		} else {
			bytes += rte_pktmbuf_pkt_len(m);
			ok++;
		}
	}
	cnt_add(&c->rx_decrypted, ok);
	cnt_add(&c->rx_auth_failed, fail);
	scnt_add(&q->sc[b->s->slot], ok, bytes, fail);
	b->n = 0;
}

static uint16_t
swsec_rx_cb(uint16_t port_id, uint16_t queue, struct rte_mbuf *pkts[],
	uint16_t nb_pkts, uint16_t max_pkts, void *user_param)
{
	struct swsec_q *q = user_param;
	const struct ss_swnic_sec *d = q->dev;
	struct batch b;
	uint64_t no_sess = 0, bad = 0;
	uint16_t i;

	RTE_SET_USED(port_id);
	RTE_SET_USED(queue);
	RTE_SET_USED(max_pkts);
	b.n = 0;
	b.s = NULL;
	for (i = 0; i < nb_pkts; i++) {
		struct rte_mbuf *m = pkts[i];
		const struct swsec_sess *s;
		struct esp_loc l;
		uint32_t spi;

		if (esp_locate(m, &l, d->udp_ports) != 0 ||
				l.end < l.esp + ESP_HDR_LEN)
			continue;
		spi = spi_of(m, l.esp);
		s = spi_lookup(d, spi, l.fam, l.dst, l.udp, l.dport);
		if (s == NULL) {
			no_sess++;
			continue;
		}
		if (!esp_len_ok(s, &l)) {
			m->ol_flags |= RTE_MBUF_F_RX_SEC_OFFLOAD |
				RTE_MBUF_F_RX_SEC_OFFLOAD_FAILED;
			cnt_add(&q->sc[s->slot].errors, 1);
			bad++;
			continue;
		}
		if (b.n == BATCH || (b.n != 0 && b.s != s))
			rx_flush(&b, pkts, q);
		batch_add(&b, s, m, &l, i);
	}
	rx_flush(&b, pkts, q);
	cnt_add(&q->cnt.rx_no_session, no_sess);
	cnt_add(&q->cnt.rx_bad, bad);
	return nb_pkts;
}

/* ---- device --------------------------------------------------------- */

struct ss_swnic_sec *
ss_swnic_sec_create(const struct ss_swnic_sec_conf *c)
{
	static const struct rte_mbuf_dynfield dyn = {
		.name = DYNFIELD_NAME,
		.size = sizeof(struct swsec_sess *),
		.align = __alignof__(struct swsec_sess *),
	};
	static uint32_t seq;
	struct rte_cryptodev_info info;
	struct ss_swnic_sec *d;
	char name[RTE_MEMPOOL_NAMESIZE];
	uint32_t i, sz;
	int rc;

	if (c == NULL || c->max_sessions == 0 ||
			c->max_sessions > MAX_SESSIONS ||
			!rte_cryptodev_is_valid_dev(c->gcm_dev) ||
			!rte_cryptodev_is_valid_dev(c->mb_dev)) {
		rte_errno = EINVAL;
		return NULL;
	}
	rte_cryptodev_info_get((uint8_t)c->gcm_dev, &info);
	if ((info.feature_flags & RTE_CRYPTODEV_FF_SYM_CPU_CRYPTO) == 0) {
		SWSEC_LOG(ERR, "crypto device %d has no cpu-crypto path",
			c->gcm_dev);
		rte_errno = ENOTSUP;
		return NULL;
	}
	rte_cryptodev_info_get((uint8_t)c->mb_dev, &info);
	if ((info.feature_flags & RTE_CRYPTODEV_FF_SYM_CPU_CRYPTO) == 0) {
		SWSEC_LOG(ERR, "crypto device %d has no cpu-crypto path",
			c->mb_dev);
		rte_errno = ENOTSUP;
		return NULL;
	}
	d = rte_zmalloc_socket("ss_swnic_sec", sizeof(*d),
		RTE_CACHE_LINE_SIZE, c->socket);
	if (d == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	d->conf = *c;
	d->ctx.device = d;
	d->ctx.ops = &swsec_ops;
	d->hash_mask = rte_align32pow2(c->max_sessions) - 1;
	d->slot = rte_zmalloc_socket("ss_swnic_sec_slot",
		sizeof(d->slot[0]) * c->max_sessions, 0, c->socket);
	d->free_stack = rte_zmalloc_socket("ss_swnic_sec_free",
		sizeof(d->free_stack[0]) * c->max_sessions, 0, c->socket);
	d->hash = rte_zmalloc_socket("ss_swnic_sec_hash",
		sizeof(d->hash[0]) * (d->hash_mask + 1), RTE_CACHE_LINE_SIZE,
		c->socket);
	d->gone_sc = rte_zmalloc_socket("ss_swnic_sec_sc",
		sizeof(d->gone_sc[0]) * c->max_sessions, 0, c->socket);
	if (d->slot == NULL || d->free_stack == NULL || d->hash == NULL ||
			d->gone_sc == NULL) {
		rc = ENOMEM;
		goto fail;
	}
	/* Lowest slot first. */
	for (i = 0; i < c->max_sessions; i++)
		d->free_stack[i] = c->max_sessions - 1 - i;
	d->free_top = c->max_sessions;
	d->dyn_off = rte_mbuf_dynfield_register(&dyn);
	if (d->dyn_off < 0) {
		rc = rte_errno;
		goto fail;
	}
	sz = RTE_MAX(rte_cryptodev_sym_get_private_session_size(
			(uint8_t)c->gcm_dev),
		rte_cryptodev_sym_get_private_session_size((uint8_t)c->mb_dev));
	snprintf(name, sizeof(name), "ss_swsec_cs%u",
		__atomic_fetch_add(&seq, 1, __ATOMIC_RELAXED));
	/* Two per ingress session (the undo twin). */
	d->cs_pool = rte_cryptodev_sym_session_pool_create(name,
		2 * c->max_sessions, sz, 0, 0, c->socket);
	if (d->cs_pool == NULL) {
		rc = rte_errno != 0 ? rte_errno : ENOMEM;
		goto fail;
	}
	SWSEC_LOG(INFO, "device up: %u sessions, crypto devices %d / %d%s",
		c->max_sessions, c->gcm_dev, c->mb_dev,
		c->qsbr != NULL ? ", RCU" : "");
	return d;
fail:
	rte_free(d->slot);
	rte_free(d->free_stack);
	rte_free(d->hash);
	rte_free(d->gone_sc);
	rte_free(d);
	rte_errno = rc;
	return NULL;
}

struct rte_security_ctx *
ss_swnic_sec_ctx(struct ss_swnic_sec *d)
{
	return d != NULL ? &d->ctx : NULL;
}

static void
port_free(struct swsec_port *p)
{
	uint16_t i;

	for (i = 0; p->rxq != NULL && i < p->nb_rxq; i++)
		rte_free(p->rxq[i].sc);
	for (i = 0; p->txq != NULL && i < p->nb_txq; i++)
		rte_free(p->txq[i].sc);
	rte_free(p->rxq);
	rte_free(p->txq);
	rte_free(p);
}

/* Takes the callbacks off; the caller waits for bursts before freeing. */
static void
port_unhook(struct swsec_port *p)
{
	uint16_t i;

	for (i = 0; i < p->nb_rxq; i++)
		if (p->rxq[i].cb != NULL)
			rte_eth_remove_rx_callback(p->port_id, i, p->rxq[i].cb);
	for (i = 0; i < p->nb_txq; i++)
		if (p->txq[i].cb != NULL)
			rte_eth_remove_tx_callback(p->port_id, i, p->txq[i].cb);
}

/* After the wait: ethdev leaves the callback memory to us. */
static void
port_cb_free(struct swsec_port *p)
{
	uint16_t i;

	for (i = 0; i < p->nb_rxq; i++)
		rte_free((void *)(uintptr_t)p->rxq[i].cb);
	for (i = 0; i < p->nb_txq; i++)
		rte_free((void *)(uintptr_t)p->txq[i].cb);
}

int
ss_swnic_sec_attach(struct ss_swnic_sec *d, uint16_t port_id)
{
	struct rte_eth_dev_info info;
	struct swsec_port *p;
	uint16_t i;
	int rc;

	if (d == NULL || !rte_eth_dev_is_valid_port(port_id))
		return -EINVAL;
	if (d->port[port_id] != NULL)
		return -EEXIST;
	rc = rte_eth_dev_info_get(port_id, &info);
	if (rc != 0)
		return rc;
	if (info.nb_rx_queues == 0 && info.nb_tx_queues == 0)
		return -EINVAL;
	p = rte_zmalloc_socket("ss_swnic_sec_port", sizeof(*p), 0,
		d->conf.socket);
	if (p == NULL)
		return -ENOMEM;
	p->port_id = port_id;
	p->nb_rxq = info.nb_rx_queues;
	p->nb_txq = info.nb_tx_queues;
	p->rxq = rte_zmalloc_socket("ss_swnic_sec_q",
		sizeof(*p->rxq) * RTE_MAX(p->nb_rxq, 1), RTE_CACHE_LINE_SIZE,
		d->conf.socket);
	p->txq = rte_zmalloc_socket("ss_swnic_sec_q",
		sizeof(*p->txq) * RTE_MAX(p->nb_txq, 1), RTE_CACHE_LINE_SIZE,
		d->conf.socket);
	if (p->rxq == NULL || p->txq == NULL) {
		port_free(p);
		return -ENOMEM;
	}
	for (i = 0; i < p->nb_rxq + p->nb_txq; i++) {
		struct swsec_q *q = i < p->nb_rxq ? &p->rxq[i] :
			&p->txq[i - p->nb_rxq];

		q->sc = rte_zmalloc_socket("ss_swnic_sec_sc",
			sizeof(q->sc[0]) * d->conf.max_sessions, 0,
			d->conf.socket);
		if (q->sc == NULL) {
			port_free(p);
			return -ENOMEM;
		}
	}
	for (i = 0; i < p->nb_rxq; i++) {
		p->rxq[i].dev = d;
		p->rxq[i].cb = rte_eth_add_rx_callback(port_id, i,
			swsec_rx_cb, &p->rxq[i]);
		if (p->rxq[i].cb == NULL)
			goto fail;
	}
	for (i = 0; i < p->nb_txq; i++) {
		p->txq[i].dev = d;
		p->txq[i].cb = rte_eth_add_tx_callback(port_id, i,
			swsec_tx_cb, &p->txq[i]);
		if (p->txq[i].cb == NULL)
			goto fail;
	}
	d->port[port_id] = p;
	SWSEC_LOG(INFO, "port %u attached: %u rx, %u tx queues", port_id,
		p->nb_rxq, p->nb_txq);
	return 0;
fail:
	rc = rte_errno != 0 ? -rte_errno : -ENOTSUP;
	port_unhook(p);
	if (d->conf.qsbr != NULL)
		rte_rcu_qsbr_synchronize(d->conf.qsbr,
			RTE_QSBR_THRID_INVALID);
	port_cb_free(p);
	port_free(p);
	SWSEC_LOG(ERR, "port %u: cannot hook its queues: %s", port_id,
		rte_strerror(-rc));
	return rc;
}

void
ss_swnic_sec_detach(struct ss_swnic_sec *d, uint16_t port_id)
{
	struct swsec_port *p;
	uint32_t j;
	uint16_t i;

	if (d == NULL || port_id >= RTE_MAX_ETHPORTS ||
			d->port[port_id] == NULL)
		return;
	p = d->port[port_id];
	port_unhook(p);
	if (d->conf.qsbr != NULL)
		rte_rcu_qsbr_synchronize(d->conf.qsbr,
			RTE_QSBR_THRID_INVALID);
	port_cb_free(p);
	/* The queues are still: their counts move to the device's. */
	for (i = 0; i < p->nb_rxq; i++) {
		cnt_sum(&d->gone, &p->rxq[i].cnt);
		for (j = 0; j < d->conf.max_sessions; j++)
			scnt_sum(&d->gone_sc[j], &p->rxq[i].sc[j]);
	}
	for (i = 0; i < p->nb_txq; i++) {
		cnt_sum(&d->gone, &p->txq[i].cnt);
		for (j = 0; j < d->conf.max_sessions; j++)
			scnt_sum(&d->gone_sc[j], &p->txq[i].sc[j]);
	}
	d->port[port_id] = NULL;
	port_free(p);
	SWSEC_LOG(INFO, "port %u detached", port_id);
}

void
ss_swnic_sec_stats_get(const struct ss_swnic_sec *d,
	struct ss_swnic_sec_stats *st)
{
	struct swsec_cnt c;
	uint32_t pi;
	uint16_t i;

	if (st == NULL)
		return;
	memset(st, 0, sizeof(*st));
	if (d == NULL)
		return;
	c = d->gone;
	for (pi = 0; pi < RTE_MAX_ETHPORTS; pi++) {
		const struct swsec_port *p = d->port[pi];

		if (p == NULL)
			continue;
		for (i = 0; i < p->nb_rxq; i++)
			cnt_sum(&c, &p->rxq[i].cnt);
		for (i = 0; i < p->nb_txq; i++)
			cnt_sum(&c, &p->txq[i].cnt);
	}
	st->tx_encrypted = c.tx_encrypted;
	st->tx_dropped_no_session = c.tx_dropped_no_session;
	st->tx_dropped_bad = c.tx_dropped_bad;
	st->rx_decrypted = c.rx_decrypted;
	st->rx_auth_failed = c.rx_auth_failed;
	st->rx_bad = c.rx_bad;
	st->rx_no_session = c.rx_no_session;
	st->sessions_egress = d->nb_egress;
	st->sessions_ingress = d->nb_ingress;
}

void
ss_swnic_sec_free(struct ss_swnic_sec *d)
{
	uint32_t i;

	if (d == NULL)
		return;
	for (i = 0; i < RTE_MAX_ETHPORTS; i++)
		ss_swnic_sec_detach(d, (uint16_t)i);
	for (i = 0; i < d->conf.max_sessions; i++)
		if (d->slot[i] != NULL)
			sess_teardown(d, d->slot[i]);
	rte_mempool_free(d->cs_pool);
	rte_free(d->slot);
	rte_free(d->free_stack);
	rte_free(d->hash);
	rte_free(d->gone_sc);
	explicit_bzero(d, sizeof(*d));
	rte_free(d);
}
