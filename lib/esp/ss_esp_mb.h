/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 shardsec authors
 */

#ifndef SS_ESP_MB_H
#define SS_ESP_MB_H

/*
 * The "ipsec-mb" back-end: ESP framing written here and crypto called
 * straight from intel-ipsec-mb in the worker, without librte_ipsec, crypto
 * ops or a cryptodev PMD in between. Same wire format as the "cpu"
 * back-end (rte_ipsec + crypto_aesni_gcm / crypto_aesni_mb), which it
 * replaces as the default because it costs fewer cycles per packet
 * (tests/bench/run.sh compares them). The anti-replay window, trailer
 * checks and selectors stay in ss_esp.c, shared by every back-end.
 *
 * Outbound CBC IVs are AES-128 under a per-SA random key of a counter
 * block (unpredictable and never repeated, RFC 3602 2.1); GCM IVs are
 * the 64-bit sequence number (unique per key, RFC 4106 3.1).
 */

#include <stdint.h>

#include <rte_mbuf.h>

#include "ss_crypto.h"

/** One intel-ipsec-mb manager per server (used by its worker only). */
void *
ss_esp_mb_mgr_create(void);

void
ss_esp_mb_mgr_free(void *mgr);

/**
 * The crypto state an SA's packets are processed with (key schedules,
 * header template, sequence number): what an ipsec-mb SA keeps in its
 * esa->be_priv, and what a software NIC (drivers/swnic) builds in its key
 * table. key: the SA's key blob (enum ss_sa_algo layout). NULL with err
 * and rte_errno set.
 */
void *
ss_esp_mb_state_make(const struct ss_sa *sa, const uint8_t *key,
	uint8_t klen, char *err, size_t len);

/** Wipe and free a state (NULL is fine). */
void
ss_esp_mb_state_free(void *state);

/** The back-end slot (ss_crypto_backend_get(SS_SA_BACKEND_IPSEC_MB)). */
extern const struct ss_crypto_backend ss_esp_mb_backend;

/*
 * Outbound: n packets of one SA, at L3 with l3_len set and room checked
 * by the caller, become ESP packets in place (outer header, ESP header,
 * IV, padding, trailer, ICV; mbuf metadata for TX). Each packet is one
 * segment; its mbuf grows without the rte_pktmbuf_prepend/append checks.
 * st[i]: 0, -EOVERFLOW when the sequence number space is used up, -EIO
 * on a crypto error. Returns how many st[i] are not 0 (so that the usual
 * burst, all sent, needs no look at st[]); *seq: the last sequence
 * number used.
 */
uint16_t
ss_esp_mb_outb(void *mgr, const struct ss_sa *sa, struct ss_esp_sa *esa,
	struct rte_mbuf *m[], uint16_t n, int32_t st[], uint64_t *seq);

/*
 * Inbound: verify the ICV and decrypt in place, nothing moved: ESP header
 * at l3_len, pkt_len the whole datagram. sq[i]: the sequence number as
 * the window takes it, of which only the high half (the ESN's, 0 without
 * ESN) is used. st[i]: 0, -EBADMSG on an ICV mismatch, -EIO. Returns how
 * many st[i] are not 0 (so that the usual burst needs no look at st[]);
 * st[] may be left unwritten when that is 0.
 */
uint16_t
ss_esp_mb_inb(void *mgr, const struct ss_sa *sa, struct ss_esp_sa *esa,
	struct rte_mbuf *m[], const uint64_t sq[], uint16_t n, int32_t st[]);

/** Test hook: the last sequence number sent on an ipsec-mb outbound SA
 * (to reach the end of the sequence space). -EINVAL on other SAs. */
int
ss_esp_mb_test_set_seq(struct ss_sa *sa, uint64_t sqn);

/** Test hook: the CBC IV counter of an ipsec-mb outbound SA, and how
 * every SA makes its IVs from now on: lib true, one intel-ipsec-mb call
 * per packet; false, AES-NI over the burst where the CPU has it (the
 * default). -EINVAL on other SAs. */
int
ss_esp_mb_test_cbc_iv(struct ss_sa *sa, bool lib, uint64_t ivc);

#endif /* SS_ESP_MB_H */
