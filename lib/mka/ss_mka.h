/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 shardsec authors
 */

#ifndef SS_MKA_H
#define SS_MKA_H

/**
 * MKA (IEEE 802.1X-2020 clause 9) for one MACsec port: one participant
 * (our MI and SCI) in the CA that a pre-shared CAK/CKN defines. It derives
 * ICK and KEK from the CAK, exchanges MKPDUs (EAPOL-MKA, ethertype
 * 0x888E, to 01:80:C2:00:00:03) with live and potential peer lists, elects
 * the key server, and the key server generates SAKs and distributes them
 * wrapped with the KEK (RFC 3394). SAKs are installed on receive first,
 * then on transmit once every live peer reports the SAK in use for
 * receive (rollover without frame loss); the old SA goes after that.
 *
 * CAK renewal (a shardsec extension both ends must run): the key server
 * sends an MKPDU whose CKN field carries KDF input (which KDF, label,
 * context, key length) encrypted with a key derived from the current CAK,
 * marked by a "CAK renewal" parameter set; each peer decrypts it, derives
 * the new CAK and answers with a checksum of it; when every live peer's
 * checksum matches, the key server moves to the new CAK and CKN, and the
 * peers follow on its first MKPDU under them. The protocol is spelled out
 * in ss_mka_renew.c.
 *
 * No threads, no clocks, no I/O: the caller (the control lcore) hands
 * in received MKPDUs and the time, and gets frames to send and key
 * installs through ops. Keys are never logged; they are wiped when
 * replaced or freed.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SS_MKA_ETHERTYPE 0x888E
#define SS_MKA_MAX_PEERS 16
#define SS_MKA_CKN_MAX 32

/** Cipher suites a SAK is made for (IEEE 802.1AE 14.x reference numbers
 * are put on the wire by the library). */
enum ss_mka_cipher {
	SS_MKA_GCM_AES_128,
	SS_MKA_GCM_AES_256,
	SS_MKA_GCM_AES_XPN_128,
	SS_MKA_GCM_AES_XPN_256,
};

/** A SAK to install: key number (KS MI, KN) and AN. */
struct ss_mka_sak {
	uint8_t ki_mi[12];
	uint32_t kn;
	uint8_t an;
	uint8_t key[32];
	uint8_t key_len;
	uint8_t salt[12];	/* XPN: from the SAK's KS MI and lowest PN
				 * (802.1AE 10.7.27) */
};

/**
 * What the participant asks of its port. Every function returns 0 or a
 * negative errno; install functions may return -EINPROGRESS, and the
 * caller then reports the result with ss_mka_sak_stored (the key push to
 * the NIC; until then the SAK counts as not installed).
 */
struct ss_mka_ops {
	/** Send one whole Ethernet frame (MKPDU). */
	int (*tx)(void *arg, const uint8_t *frame, size_t len);
	/** Install a receive SA for peer 'sci' (ssci: XPN short SCI). */
	int (*rx_sa_install)(void *arg, uint64_t sci, uint32_t ssci,
		const struct ss_mka_sak *sak, uint64_t lowest_pn);
	/** Install a transmit SA (not yet used). */
	int (*tx_sa_install)(void *arg, uint32_t ssci,
		const struct ss_mka_sak *sak, uint64_t next_pn);
	/** Make an installed transmit AN the encoding SA. */
	int (*tx_sa_use)(void *arg, uint8_t an);
	/** Delete an SA (tx: sci unused). */
	int (*sa_delete)(void *arg, bool tx, uint64_t sci, uint8_t an);
	/** Next transmit PN of an AN, lowest acceptable receive PN of
	 * (sci, an): for the SAK use parameter set. */
	uint64_t (*tx_next_pn)(void *arg, uint8_t an);
	uint64_t (*rx_lowest_pn)(void *arg, uint64_t sci, uint8_t an);
	void *arg;
};

struct ss_mka_conf {
	uint8_t cak[32];
	uint8_t cak_len;		/* 16 or 32 */
	uint8_t ckn[SS_MKA_CKN_MAX];
	uint8_t ckn_len;		/* 1..32 */
	uint8_t mac[6];			/* the port's */
	uint16_t port_id;		/* SCI = mac << 16 | port_id */
	uint8_t key_server_priority;	/* lower wins; 255: never */
	enum ss_mka_cipher cipher;
	bool confidentiality;
	uint32_t hello_ms;		/* 2000 */
	uint32_t life_ms;		/* 6000 */
	uint32_t sak_rekey_s;		/* key server: new SAK every; 0 off */
	uint32_t sak_rekey_pn;		/* ... or when a PN passes; 0 off */
	uint32_t cak_renew_s;		/* key server: renew CAK every; 0 off */
	const struct ss_mka_ops *ops;
};

enum ss_mka_state {
	SS_MKA_INIT,		/* no live peer */
	SS_MKA_PEERING,		/* live peers, no SAK in use yet */
	SS_MKA_SECURED,		/* SAK in use both ways */
};

struct ss_mka_stats {
	uint64_t tx_mkpdu;
	uint64_t rx_mkpdu;
	uint64_t rx_bad_icv;
	uint64_t rx_bad_format;
	uint64_t rx_unknown_ckn;
	uint64_t rx_replayed;		/* MN not above the last seen */
	uint64_t rx_own;		/* our own MI looped back */
	uint64_t sak_generated;
	uint64_t sak_distributed;
	uint64_t sak_received;
	uint64_t sak_unwrap_failed;
	uint64_t sak_installed;
	uint64_t sak_in_use;		/* tx switched to a new SAK */
	uint64_t peers_expired;
	uint64_t peers_demoted;		/* live peer stopped listing us */
	uint64_t cak_renew_started;
	uint64_t cak_renew_done;
	uint64_t cak_renew_failed;	/* bad checksum or timed out */
	uint64_t cak_renew_bad;		/* an offer that did not decrypt */
};

/** Read-only view for the shell (no key bytes). */
struct ss_mka_status {
	enum ss_mka_state state;
	bool key_server;
	uint64_t ks_sci;
	uint8_t mi[12];
	uint32_t mn;
	uint8_t ckn[SS_MKA_CKN_MAX];
	uint8_t ckn_len;
	uint32_t cak_generation;	/* 0 = configured CAK, +1 per renewal */
	bool renewing;
	uint32_t kn;			/* latest key number */
	uint8_t tx_an;			/* encoding AN, 0xff: none */
	uint16_t nb_live;
	uint16_t nb_potential;
	struct {
		uint64_t sci;
		uint8_t mi[12];
		uint32_t mn;
		uint8_t priority;
		bool live;
		bool rx_ok;		/* reports our latest SAK for rx */
	} peer[SS_MKA_MAX_PEERS];
};

struct ss_mka;

/** NULL with a reason in err (the conf's keys are copied; the caller
 * wipes its copy). */
struct ss_mka *
ss_mka_create(const struct ss_mka_conf *conf, uint64_t now_ms, char *err,
	size_t len);

/** Wipes every key. */
void
ss_mka_free(struct ss_mka *k);

/** A received frame (whole Ethernet frame). Bad ones are counted. */
void
ss_mka_rx(struct ss_mka *k, const uint8_t *frame, size_t len,
	uint64_t now_ms);

/** Timers: hellos, peer expiry, rekeys, renewal. Returns the ms until it
 * wants to run again. */
uint32_t
ss_mka_tick(struct ss_mka *k, uint64_t now_ms);

/** The port finished an install that returned -EINPROGRESS (status 0:
 * stored). */
void
ss_mka_sak_stored(struct ss_mka *k, bool tx, uint64_t sci, uint8_t an,
	int status, uint64_t now_ms);

/** Key server: make and distribute a new SAK now. -EPERM if not. */
int
ss_mka_sak_rekey(struct ss_mka *k, uint64_t now_ms);

/** Key server: renew the CAK now. -EPERM if not, -EBUSY if renewing. */
int
ss_mka_cak_renew(struct ss_mka *k, uint64_t now_ms);

void
ss_mka_status_get(const struct ss_mka *k, struct ss_mka_status *st);

void
ss_mka_stats_get(const struct ss_mka *k, struct ss_mka_stats *st);

void
ss_mka_stats_clear(struct ss_mka *k);

#endif /* SS_MKA_H */
