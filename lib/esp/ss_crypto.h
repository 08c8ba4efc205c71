/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 shardsec authors
 */

#ifndef SS_CRYPTO_H
#define SS_CRYPTO_H

/**
 * Crypto back-end interface of the ESP data plane.
 *
 * Every SA names a back-end (enum ss_sa_backend). rte_ipsec prepares one
 * rte_crypto_op per packet (type RTE_SECURITY_ACTION_TYPE_NONE); the
 * back-end runs them and sets each op's status; rte_ipsec then finishes
 * the packets. Built in:
 *  - "cpu": rte_cryptodev_sym_cpu_crypto_process, synchronous, in the
 *    worker (crypto_aesni_gcm for GCM, crypto_aesni_mb for the others).
 *  - "lookaside": enqueue/dequeue on crypto_aesni_mb, one queue pair per
 *    server (the server index), waiting for the burst to come back.
 *  - "ipsec-mb" (the default): no rte_ipsec and no crypto ops; ESP
 *    framing in lib/esp and intel-ipsec-mb called directly
 *    (ss_esp_mb.h), because that costs fewer cycles per packet.
 * Slots filled by drivers (until then session_create returns -ENOTSUP
 * with a sentence saying so, so ss_sa_add refuses the SA):
 *  - "swnic": the software inline NIC (drivers/swnic, concepts section
 *    2). Its SAs start paused (esa->paused) while their key is pushed
 *    into the NIC, and are resumed (ss_esp_sa_resume) by the NIC's
 *    completion; the data path holds or drops their packets meanwhile.
 *  - "inline": rte_security inline crypto on the outside port's NIC
 *    (drivers/inline): an rte_security session per SA and an rte_ipsec
 *    session of type INLINE_CRYPTO. rte_ipsec frames ESP and flags the
 *    packets; the NIC encrypts them on transmit, and decrypts received
 *    ones before the worker sees them (RTE_MBUF_F_RX_SEC_OFFLOAD). The
 *    SA is not paused: rte_security_session_create returns once the NIC
 *    holds the key.
 * A driver replaces a slot with ss_crypto_backend_register() (from
 * drivers/, linked into the program through ss_drivers_dep).
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_crypto.h>
#include <rte_ipsec.h>

#include "ss_sa.h"

struct ss_esp_nic_stats;

struct ss_esp_server;

/* Offset of the IV inside each crypto op (rte_ipsec writes it there). */
#define SS_ESP_IV_OFS (sizeof(struct rte_crypto_op) + \
	sizeof(struct rte_crypto_sym_op))
#define SS_ESP_OP_SIZE 256

#define SS_ESP_REPLAY_WORDS 128	/* power of two > SS_SA_REPLAY_MAX / 64 */

/* Our own anti-replay window (RFC 4303 3.4.3, appendix A2 for ESN).
 * rte_ipsec 22.11's window update stores 1 << (seq % 64) in a 32-bit
 * variable, so it never records sequence numbers with seq % 64 >= 32 and
 * accepts their duplicates; its window also admits top - W. rte_ipsec's
 * window stays on (it reconstructs ESN high bits) but this one decides. */
struct ss_esp_replay {
	uint64_t top;
	uint32_t w;
	uint64_t bits[SS_ESP_REPLAY_WORDS];
};

/* An inbound selector for IPv4 inner packets, in host order with its
 * masks (0: any), so that the check is a few word operations: ports as
 * (port - lo) <= span, the protocol through pmask (0: any). */
struct ss_esp_ts4 {
	uint32_t src, smask, dst, dmask;
	uint16_t sport_lo, sport_span, dport_lo, dport_span;
	uint8_t proto, pmask;
};

/** Data-plane state of one SA (ss_sa.dp). */
struct ss_esp_sa {
	struct rte_ipsec_session ss;
	const struct ss_crypto_backend *be;
	void *cs;			/* cryptodev session */
	uint8_t dev_id;
	uint8_t iv_len;
	uint8_t icv_len;
	uint8_t pad_align;
	uint8_t outer_hl;		/* tunnel outer IP header length */
	uint8_t inner_proto;		/* IPPROTO_IPIP / IPPROTO_IPV6 */
	bool aead;
	/* 1 while a NIC back-end (swnic) has not confirmed it stored the
	 * key: the SA's packets are held (or dropped as "paused") and
	 * be_priv is not used. Cleared with a release store once it has
	 * (ss_esp_sa_resume); read with an acquire load. */
	uint8_t paused;
	uint64_t pause_tsc;		/* when it was paused */
	uint32_t offload_slot;		/* NIC back-ends: the key's slot */
	void *be_priv;			/* back-end's own */
	void *be_aux;			/* and a second one (inline: rte_flow) */
	struct rte_ipsec_sa *isa;
	uint32_t isa_size;
	struct ss_esp_replay rp;		/* inbound */
	struct ss_esp_ts4 ts4[SS_SA_MAX_TS];	/* IPv4 ones of sa->ts */
	uint8_t nb_ts4;
	bool ts4_ports;			/* one of ts4 limits a port */
};

struct ss_crypto_backend {
	const char *name;
	/* Create the crypto session for xf on the right device; fill
	 * esa->cs and esa->dev_id. -errno with err set. */
	int (*session_create)(struct ss_esp_sa *esa, const struct ss_sa *sa,
		struct rte_crypto_sym_xform *xf, char *err, size_t len);
	void (*session_destroy)(struct ss_esp_sa *esa);
	/* Run n prepared ops of one SA on the server's resources; each
	 * op's status is set. Returns n (ops are handed back in place). */
	uint16_t (*process)(struct ss_esp_server *srv, struct ss_esp_sa *esa,
		struct rte_crypto_op *ops[], uint16_t n);
	/* true: the back-end builds and opens ESP itself (ss_esp_mb.h);
	 * rte_ipsec is not used for its SAs, xf is NULL in session_create
	 * and process is not called. */
	bool own_esp;
	/* true: the NIC does the crypto (RTE_SECURITY_ACTION_TYPE_
	 * INLINE_CRYPTO). session_create fills esa->ss.security and keeps
	 * the security session in esa->cs; process is not called. An
	 * inbound SA's be_priv may hold an ipsec-mb state
	 * (ss_esp_mb_state_make) for the ESP the NIC did not decrypt. */
	bool inline_crypto;
	/* The NIC's counts of the session of sa (sa->dp's); NULL: none
	 * kept. */
	int (*session_stats)(const struct ss_sa *sa,
		struct ss_esp_nic_stats *st);
};

/** Replace a back-end slot (control lcore, before SAs use it). */
int
ss_crypto_backend_register(enum ss_sa_backend which,
	const struct ss_crypto_backend *be);

const struct ss_crypto_backend *
ss_crypto_backend_get(enum ss_sa_backend which);

/** Devices made by ss_esp_crypto_init (-1 before). */
int ss_crypto_dev_gcm(void);
int ss_crypto_dev_mb(void);
unsigned int ss_crypto_nb_qp(void);
struct rte_mempool *ss_crypto_sess_pool(void);

#endif /* SS_CRYPTO_H */
