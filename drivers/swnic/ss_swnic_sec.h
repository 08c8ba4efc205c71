/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 shardsec authors
 */

#ifndef SS_SWNIC_SEC_H
#define SS_SWNIC_SEC_H

/*
 * A software inline-crypto IPsec NIC behind the public rte_security API.
 *
 * It gives an rte_security context that behaves like the one an
 * ixgbe-style NIC hands out (action INLINE_CRYPTO, ESP, tunnel and
 * transport, ESP in UDP (NAT-T) on the ports its ingress sessions name,
 * per-session counts (rte_security_session_stats_get), no ESN) and
 * does that NIC's crypto
 * in Rx and Tx callbacks on an existing ethdev port, so that code written
 * for real inline-crypto NICs runs, unchanged, on any PMD.
 *
 * Tx: a packet with RTE_MBUF_F_TX_SEC_OFFLOAD and metadata from
 * rte_security_set_pkt_metadata() is encrypted and its ICV filled; a
 * flagged packet that cannot be (no or bad metadata, malformed, chained)
 * is freed and removed from the burst, never sent in the clear. The
 * burst is compacted and the slots behind the returned count are set to
 * NULL, so that a caller freeing the unsent tail frees nothing twice.
 * Rx: ESP for an ingress session is verified and decrypted in place and
 * marked RTE_MBUF_F_RX_SEC_OFFLOAD (plus _FAILED when it did not check
 * out); everything else passes untouched.
 */

#include <stdint.h>

struct rte_security_ctx;
struct rte_rcu_qsbr;
struct ss_swnic_sec;

struct ss_swnic_sec_conf {
	uint32_t max_sessions;	/* 1..65536 */
	int socket;
	/* cryptodev id with RTE_CRYPTODEV_FF_SYM_CPU_CRYPTO for AES-GCM */
	int gcm_dev;
	int mb_dev;	/* same, for AES-CBC / NULL cipher + SHA256-HMAC */
	/* Threads polling attached ports report quiescent here; NULL: the
	 * caller guarantees no burst runs during session destroy (and
	 * port detach). */
	struct rte_rcu_qsbr *qsbr;
};

struct ss_swnic_sec_stats {
	uint64_t tx_encrypted, tx_dropped_no_session, tx_dropped_bad;
	uint64_t rx_decrypted, rx_auth_failed, rx_bad, rx_no_session;
	uint32_t sessions_egress, sessions_ingress;
};

/* NULL with rte_errno set on failure. */
struct ss_swnic_sec *
ss_swnic_sec_create(const struct ss_swnic_sec_conf *c);

/* NULL is fine. Detaches every port, destroys what sessions are left
 * (their rte_security objects stay the caller's) and wipes. */
void
ss_swnic_sec_free(struct ss_swnic_sec *d);

struct rte_security_ctx *
ss_swnic_sec_ctx(struct ss_swnic_sec *d);

/* After the port's queues are set up: hooks all its Rx and Tx queues.
 * 0 or -errno. */
int
ss_swnic_sec_attach(struct ss_swnic_sec *d, uint16_t port_id);

void
ss_swnic_sec_detach(struct ss_swnic_sec *d, uint16_t port_id);

/* Sums of the per-queue counters, detached ports included. */
void
ss_swnic_sec_stats_get(const struct ss_swnic_sec *d,
	struct ss_swnic_sec_stats *st);

#endif /* SS_SWNIC_SEC_H */
