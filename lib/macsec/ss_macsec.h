/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 shardsec authors
 */

#ifndef SS_MACSEC_H
#define SS_MACSEC_H

/**
 * MACsec (IEEE 802.1AE-2018) SecY in software: one object per MACsec
 * port, with one transmit SC (our SCI) and up to SS_MACSEC_MAX_RX_SC
 * receive SCs (one per peer SCI), each with four SAs (AN 0..3).
 * Frames are protected and validated in place in mbufs with
 * intel-ipsec-mb: GCM-AES-128/256 and GCM-AES-XPN-128/256 (64-bit PN,
 * SSCI and salt), confidentiality (E=C=1, offset 0) or integrity only.
 *
 * Threads: the data path (ss_macsec_protect_burst,
 * ss_macsec_validate_burst) runs on one lcore per object, the port's
 * owning server, with no locks or atomics beyond the acquire loads of
 * what the control lcore publishes. Everything else is control plane
 * (one control thread): an SA is installed into an unused AN, published
 * with a release store, and made the encoding SA / enabled for receive
 * by a second release store. An SA is wiped (key schedule zeroed) only
 * after the data path has left it: ss_macsec_sa_delete defers the wipe
 * through the QSBR variable given at create (no blocking).
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct rte_mbuf;
struct rte_rcu_qsbr;

#define SS_MACSEC_ETHERTYPE 0x88E5
#define SS_MACSEC_SECTAG_LEN 16		/* with SCI */
#define SS_MACSEC_ICV_LEN 16
#define SS_MACSEC_MAX_RX_SC 16
#define SS_MACSEC_AN_COUNT 4
/* Largest replay_window: the receive SAs keep a bitmap of the window so
 * that a PN seen once inside it is refused again (stricter than 802.1AE,
 * which only has lowestPN). */
#define SS_MACSEC_MAX_REPLAY_WINDOW 1024u

enum ss_macsec_cipher {
	SS_MACSEC_GCM_AES_128,
	SS_MACSEC_GCM_AES_256,
	SS_MACSEC_GCM_AES_XPN_128,
	SS_MACSEC_GCM_AES_XPN_256,
};

/** validateFrames (802.1AE 10.7.8). */
enum ss_macsec_validate {
	SS_MACSEC_VALIDATE_DISABLED,
	SS_MACSEC_VALIDATE_CHECK,
	SS_MACSEC_VALIDATE_STRICT,
};

struct ss_macsec_conf {
	uint64_t sci;		/* our transmit SCI: MAC << 16 | port id */
	enum ss_macsec_cipher cipher;
	bool confidentiality;	/* E=C=1; false: integrity only */
	bool replay_protect;
	uint32_t replay_window;	/* 0: strictly increasing PN */
	enum ss_macsec_validate validate;
	struct rte_rcu_qsbr *qsbr;	/* the data path's; NULL: wipe at
					 * once (tests, single thread) */
	int socket;
};

/** Key material of one SA; wiped by whoever holds a copy. */
struct ss_macsec_key {
	uint8_t sak[32];
	uint8_t sak_len;	/* 16 or 32, as the cipher says */
	uint32_t ssci;		/* XPN only: short SCI of the SC */
	uint8_t salt[12];	/* XPN only */
};

/** Per-SecY counters (802.1AE 10.7.17-10.7.20, 10.7.22-10.7.26). */
struct ss_macsec_stats {
	/* transmit */
	uint64_t out_pkts_protected;
	uint64_t out_pkts_encrypted;
	uint64_t out_octets_protected;
	uint64_t out_octets_encrypted;
	uint64_t out_pkts_untagged;	/* no encoding SA: sent clear only if
					 * the port allows, else dropped */
	uint64_t out_pkts_too_long;
	uint64_t out_pkts_no_sa;	/* dropped: no encoding SA */
	uint64_t out_pkts_pn_exhausted;	/* dropped: PN space used up */
	/* receive */
	uint64_t in_pkts_untagged;
	uint64_t in_pkts_no_tag;	/* dropped by STRICT */
	uint64_t in_pkts_bad_tag;
	uint64_t in_pkts_unknown_sci;
	uint64_t in_pkts_no_sci;
	uint64_t in_pkts_overrun;
	uint64_t in_octets_validated;
	uint64_t in_octets_decrypted;
	uint64_t in_pkts_ok;
	uint64_t in_pkts_invalid;
	uint64_t in_pkts_not_valid;
	uint64_t in_pkts_not_using_sa;
	uint64_t in_pkts_unused_sa;
	uint64_t in_pkts_unchecked;
	uint64_t in_pkts_delayed;
	uint64_t in_pkts_late;
	uint64_t in_pkts_eapol;		/* handed to the control plane */
	/* not in 802.1AE: dropped frames that are not single-segment
	 * Ethernet frames (shorter than 14 octets or chained mbufs) */
	uint64_t out_pkts_malformed;
	uint64_t in_pkts_malformed;
};

struct ss_macsec;

/** NULL with a reason in err. */
struct ss_macsec *
ss_macsec_create(const struct ss_macsec_conf *conf, char *err, size_t len);

/** Wipes every key; no data path call may be running. */
void
ss_macsec_free(struct ss_macsec *s);

/* ---- control plane ---- */

/** Install a transmit SA in an AN that is not the encoding AN; its first
 * frame gets next_pn (>= 1). Not used until ss_macsec_tx_sa_use. */
int
ss_macsec_tx_sa_install(struct ss_macsec *s, uint8_t an,
	const struct ss_macsec_key *k, uint64_t next_pn);

/** Make AN the encoding SA (802.1AE encodingSA): frames from the next
 * burst on carry it. */
int
ss_macsec_tx_sa_use(struct ss_macsec *s, uint8_t an);

/** Add a receive SC for a peer's SCI (idempotent). */
int
ss_macsec_rx_sc_add(struct ss_macsec *s, uint64_t sci);

int
ss_macsec_rx_sc_del(struct ss_macsec *s, uint64_t sci);

/** Install and enable a receive SA; frames with PN < lowest_pn are
 * late. */
int
ss_macsec_rx_sa_install(struct ss_macsec *s, uint64_t sci, uint8_t an,
	const struct ss_macsec_key *k, uint64_t lowest_pn);

/** Delete an SA (tx when sci == 0 and tx is true); the key schedule is
 * wiped once the data path has moved on. */
int
ss_macsec_sa_delete(struct ss_macsec *s, bool tx, uint64_t sci, uint8_t an);

/** Transmit side: next PN of AN (0 if not installed). */
uint64_t
ss_macsec_tx_next_pn(const struct ss_macsec *s, uint8_t an);

/** Receive side: lowest acceptable PN of (sci, an) (0 if none). */
uint64_t
ss_macsec_rx_lowest_pn(const struct ss_macsec *s, uint64_t sci, uint8_t an);

/** Encoding AN, or -ENOENT. */
int
ss_macsec_tx_encoding_an(const struct ss_macsec *s);

/** Snapshot of the counters (plain loads: good enough for display). */
void
ss_macsec_stats_get(const struct ss_macsec *s, struct ss_macsec_stats *st);

void
ss_macsec_stats_clear(struct ss_macsec *s);

/* ---- data path (the owning lcore) ---- */

/**
 * Protect n Ethernet frames in place: a SecTAG after the source MAC, the
 * user data encrypted (or not), the ICV appended. Frames that cannot be
 * protected (no encoding SA, PN exhausted, no room) are moved to drop[]
 * (*nd), counted, not freed. m[] is compacted; returns how many remain.
 * *nd is set (not added to); drop[] needs room for n.
 * EAPOL frames (0x888E) pass untouched (the uncontrolled port).
 */
uint16_t
ss_macsec_protect_burst(struct ss_macsec *s, struct rte_mbuf *m[],
	uint16_t n, struct rte_mbuf *drop[], uint16_t *nd);

/**
 * Validate n received frames in place: MACsec frames (0x88E5) are
 * checked, decrypted and stripped to plain Ethernet frames; EAPOL frames
 * go to ctl[] (*nc) for MKA; untagged frames pass or are dropped as
 * validate says; every refused frame goes to drop[] (*nd), counted.
 * m[] is compacted; returns how many remain. *nc and *nd are set (not
 * added to); ctl[] and drop[] need room for n.
 */
uint16_t
ss_macsec_validate_burst(struct ss_macsec *s, struct rte_mbuf *m[],
	uint16_t n, struct rte_mbuf *ctl[], uint16_t *nc,
	struct rte_mbuf *drop[], uint16_t *nd);

#endif /* SS_MACSEC_H */
