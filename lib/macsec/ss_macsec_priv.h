/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 shardsec authors
 */

#ifndef SS_MACSEC_PRIV_H
#define SS_MACSEC_PRIV_H

#include <sys/queue.h>

/* Only the IMB_ names: the old short ones (CBC, ENCRYPT...) clash. */
#define NO_COMPAT_IMB_API_053
#include <intel-ipsec-mb.h>

#include <rte_common.h>
#include <rte_log.h>

#include "ss_macsec.h"

extern int ss_macsec_logtype;
#define SS_MACSEC_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_ ## level, ss_macsec_logtype, "macsec: " fmt "\n", \
		##__VA_ARGS__)

#define SS_MACSEC_ETHERTYPE_EAPOL 0x888E
#define SS_MACSEC_SECTAG_NOSCI 8	/* ethertype, TCI/AN, SL, PN */
#define SS_MACSEC_MIN_LONG 48		/* secure data that needs SL = 0 */

/* TCI bits (802.1AE 9.5) in the TCI/AN octet. */
#define SS_MACSEC_TCI_V 0x80
#define SS_MACSEC_TCI_ES 0x40
#define SS_MACSEC_TCI_SC 0x20
#define SS_MACSEC_TCI_SCB 0x10
#define SS_MACSEC_TCI_E 0x08
#define SS_MACSEC_TCI_C 0x04
#define SS_MACSEC_AN_MASK 0x03

/* The replay bitmap is a ring of 64-bit words indexed by PN / 64; one
 * word more than the window so that the oldest and the newest PN of a
 * full window never share a slot. */
#define SS_MACSEC_REPLAY_WORDS (SS_MACSEC_MAX_REPLAY_WINDOW / 64 + 1)

enum ss_macsec_sa_state {
	SS_MACSEC_SA_LIVE,	/* published in a table */
	SS_MACSEC_SA_RETIRED,	/* unpublished, waiting for its grace period */
};

/* One SA, either direction. The key schedule sits first and alone in its
 * cache lines; the data path's state follows. */
struct ss_macsec_sa {
	struct gcm_key_data gk __rte_cache_aligned;
	/* Transmit: the PN of the next frame. Receive: one more than the
	 * highest PN validated (802.1AE nextPN). Written by the data path,
	 * read by the control plane with relaxed loads. */
	uint64_t next_pn __rte_cache_aligned;
	uint64_t lowest_pn;		/* receive: lowest acceptable PN */
	uint64_t pn_max;		/* last usable PN of the cipher */
	uint64_t replay[SS_MACSEC_REPLAY_WORDS];	/* receive */
	uint8_t salt[12];		/* XPN */
	uint32_t ssci;			/* XPN, host order */
	uint8_t an;
	uint8_t state;			/* enum ss_macsec_sa_state */
	TAILQ_ENTRY(ss_macsec_sa) next;	/* every SA the object owns */
};

TAILQ_HEAD(ss_macsec_sa_list, ss_macsec_sa);

struct ss_macsec_rx_sc {
	uint64_t sci;			/* relaxed atomic: reused slots */
	uint32_t in_use;		/* release store after sci */
	struct ss_macsec_sa *sa[SS_MACSEC_AN_COUNT];	/* release */
};

struct ss_macsec {
	/* Read-mostly configuration. */
	uint64_t sci;
	bool xpn;
	bool key256;
	bool confidentiality;
	bool replay_protect;
	uint32_t replay_window;
	enum ss_macsec_validate validate;
	IMB_MGR *mgr;			/* data path */
	IMB_MGR *ctl_mgr;		/* control plane key expansion */
	struct rte_rcu_qsbr *qsbr;
	struct rte_rcu_qsbr_dq *dq;
	int socket;

	/* Published by the control plane. */
	struct ss_macsec_sa *tx_sa[SS_MACSEC_AN_COUNT];
	int32_t tx_enc_an;		/* -1: no encoding SA */
	uint32_t nb_rx_sc;		/* SCs in use (SC=0, ES=0 frames) */
	struct ss_macsec_rx_sc rx_sc[SS_MACSEC_MAX_RX_SC];

	/* Control plane only. */
	struct ss_macsec_sa_list sas;

	/* Data path: plain increments, snapshot by plain loads. */
	struct ss_macsec_stats st __rte_cache_aligned;
};

/* Receive SC of sci or NULL (data path). */
static inline struct ss_macsec_rx_sc *
ss_macsec_rx_sc_find(struct ss_macsec *s, uint64_t sci)
{
	unsigned int i;

	for (i = 0; i < SS_MACSEC_MAX_RX_SC; i++) {
		struct ss_macsec_rx_sc *sc = &s->rx_sc[i];

		if (__atomic_load_n(&sc->in_use, __ATOMIC_ACQUIRE) != 0 &&
				__atomic_load_n(&sc->sci,
					__ATOMIC_RELAXED) == sci)
			return sc;
	}
	return NULL;
}

#endif /* SS_MACSEC_PRIV_H */
