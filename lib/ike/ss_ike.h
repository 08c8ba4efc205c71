/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 shardsec authors
 */

#ifndef SS_IKE_H
#define SS_IKE_H

/**
 * IKEv2 (RFC 7296) protocol engine with pre-shared keys.
 *
 * No I/O and no blocking: the caller feeds received datagrams and the
 * current time (ss_ike_input, ss_ike_timer) and receives datagrams to
 * send and Child SAs to install through callbacks (struct ss_ike_ops).
 * One Child SA pair is negotiated per server: the inbound SPI carries the
 * server's instance-id in its high bits (lib/steer). Configuration is the
 * top-level "ike" section (ss_ike_cfg_parse / ss_ike_cfg_register).
 */

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <libconfig.h>

#include "ss_config.h"

#define SS_IKE_NAME_LEN 32
#define SS_IKE_ID_LEN 128
#define SS_IKE_PSK_MAX 128
#define SS_IKE_MAX_PEERS 32
#define SS_IKE_MAX_CHILD_CONF 4		/* children per peer */
#define SS_IKE_MAX_PROPS 8		/* proposals per list */
#define SS_IKE_MAX_XFORM 4		/* transforms of one type per proposal */
#define SS_IKE_MAX_TS 4			/* traffic selectors per side */
#define SS_IKE_MAX_SERVERS 64
#define SS_IKE_KEY_MAX 64

#define SS_IKE_PORT 500
#define SS_IKE_PORT_NATT 4500

/* IANA transform identifiers (only those implemented). */
#define SS_IKE_ENCR_AES_CBC 12
#define SS_IKE_ENCR_AES_GCM16 20
#define SS_IKE_PRF_HMAC_SHA2_256 5
#define SS_IKE_PRF_HMAC_SHA2_384 6
#define SS_IKE_PRF_HMAC_SHA2_512 7
#define SS_IKE_INTEG_NONE 0
#define SS_IKE_INTEG_HMAC_SHA2_256_128 12
#define SS_IKE_DH_NONE 0
#define SS_IKE_DH_MODP2048 14
#define SS_IKE_DH_ECP256 19
#define SS_IKE_DH_ECP384 20
#define SS_IKE_DH_CURVE25519 31
#define SS_IKE_ESN_NO 0
#define SS_IKE_ESN_YES 1

/** UDP endpoint; port in host byte order. */
struct ss_ike_addr {
	struct ss_ipaddr ip;
	uint16_t port;
};

/** Traffic selector: an address range with protocol and port range. */
struct ss_ike_ts {
	uint8_t family;			/* AF_INET / AF_INET6 */
	uint8_t proto;			/* 0: any */
	uint16_t port_lo, port_hi;	/* 0..65535: any */
	uint8_t lo[16], hi[16];		/* 4 or 16 bytes used */
};

/** One proposal: the acceptable transforms of each type. */
struct ss_ike_proposal {
	uint16_t encr[SS_IKE_MAX_XFORM];
	uint16_t encr_bits[SS_IKE_MAX_XFORM];
	uint8_t nb_encr;
	uint16_t integ[SS_IKE_MAX_XFORM];
	uint8_t nb_integ;
	uint16_t prf[SS_IKE_MAX_XFORM];
	uint8_t nb_prf;
	uint16_t dh[SS_IKE_MAX_XFORM];
	uint8_t nb_dh;
	uint16_t esn[2];
	uint8_t nb_esn;
};

enum ss_ike_start {
	SS_IKE_START_NONE = 0,
	SS_IKE_START_START,		/* initiate at ss_ike_start_all() */
	SS_IKE_START_ON_DEMAND,		/* initiate on ss_ike_acquire() */
};

struct ss_ike_child_conf {
	char name[SS_IKE_NAME_LEN];
	struct ss_ike_ts local_ts[SS_IKE_MAX_TS];
	uint8_t nb_local_ts;
	struct ss_ike_ts remote_ts[SS_IKE_MAX_TS];
	uint8_t nb_remote_ts;
	bool transport;
	bool per_server;		/* one Child SA pair per server */
	enum ss_ike_start start;
	struct ss_ike_proposal esp[SS_IKE_MAX_PROPS];
	uint8_t nb_esp;
	uint32_t rekey_time;		/* s, 0: never (soft) */
	uint32_t life_time;		/* s, 0: never (hard) */
	uint64_t rekey_bytes, rekey_packets;
	uint32_t jitter;		/* s subtracted at random from rekey */
	/* responder: pairs of these selectors accepted before answering
	 * TS_MAX_QUEUE (RFC 9611); 0 no limit */
	uint16_t max_pairs;
};

enum ss_ike_id_type {
	SS_IKE_ID_IPV4 = 1,
	SS_IKE_ID_FQDN = 2,
	SS_IKE_ID_USER_FQDN = 3,
	SS_IKE_ID_IPV6 = 5,
	SS_IKE_ID_DER_ASN1_DN = 9,	/* only received: certificate subject */
	SS_IKE_ID_KEY_ID = 11,
};

/** How both ends authenticate in IKE_AUTH. */
enum ss_ike_auth {
	SS_IKE_AUTH_PSK = 0,
	/* X.509 certificates, RFC 7427 digital signatures (RSA or ECDSA) */
	SS_IKE_AUTH_PUBKEY = 1,
};

#define SS_IKE_PATH_LEN 256

struct ss_ike_id {
	uint8_t type;			/* enum ss_ike_id_type */
	uint8_t len;
	uint8_t data[SS_IKE_ID_LEN];
};

struct ss_ike_peer_conf {
	char name[SS_IKE_NAME_LEN];
	struct ss_ike_addr local;	/* port 0: 500 */
	struct ss_ike_addr remote;	/* family 0: any (responder only) */
	struct ss_ike_id local_id, remote_id;	/* remote type 0: any */
	enum ss_ike_auth auth;
	uint8_t psk[SS_IKE_PSK_MAX];
	uint16_t psk_len;
	/* pubkey: PEM files, loaded by ss_ike_create (never printed) */
	char cert[SS_IKE_PATH_LEN];	/* our certificate */
	char key[SS_IKE_PATH_LEN];	/* its private key */
	char cacert[SS_IKE_PATH_LEN];	/* trust anchors for the peer's */
	struct ss_ike_proposal ike[SS_IKE_MAX_PROPS];
	uint8_t nb_ike;
	uint32_t rekey_time;		/* IKE SA soft lifetime, s; 0 never */
	uint32_t over_time;		/* hard = rekey + over, s */
	uint32_t jitter;
	uint32_t dpd_interval;		/* s, 0: off */
	bool encap;			/* pretend NAT: force UDP 4500 */
	struct ss_ike_child_conf child[SS_IKE_MAX_CHILD_CONF];
	uint8_t nb_child;
};

struct ss_ike_conf {
	uint8_t instance_bits;		/* from the core config, 1..8 */
	uint32_t retransmit_ms;		/* first timeout, doubled each time */
	uint8_t retransmit_tries;
	uint16_t cookie_threshold;	/* half-open SAs before cookies */
	uint32_t half_open_timeout;	/* s */
	uint32_t keepalive_interval;	/* s, NAT keepalives */
	char save_keys[256];		/* debug_save_keys: folder for Wireshark
					 * key tables, "" off */
	/* RFC 7383: announce IKE fragmentation, and fragment encrypted
	 * messages longer than fragment_size (whole IP datagram) when the
	 * peer announced it too */
	bool fragmentation;
	uint16_t fragment_size;
	/* s: after a rekey, the old pair's inbound SA keeps decrypting
	 * this long past its Delete, for the peer's packets already on
	 * the way (strongSwan's charon.delete_rekeyed_delay); 0: none */
	uint32_t delete_rekeyed_delay;
	struct ss_ike_peer_conf peer[SS_IKE_MAX_PEERS];
	uint8_t nb_peers;
};

/** One direction of a Child SA, as handed to child_install. */
struct ss_ike_child_sa {
	uint32_t spi;
	uint16_t server_id;		/* owner of the pair (inbound SPI id) */
	bool inbound;
	uint16_t encr, encr_bits, integ;
	bool esn;
	bool transport;
	/* encryption key; for AES-GCM followed by the 4-byte salt */
	uint8_t enc_key[SS_IKE_KEY_MAX];
	uint8_t enc_key_len;
	uint8_t auth_key[SS_IKE_KEY_MAX];
	uint8_t auth_key_len;
	struct ss_ike_addr src, dst;	/* outer addresses */
	bool encap;			/* UDP encapsulation (ports in src/dst) */
	struct ss_ike_ts src_ts[SS_IKE_MAX_TS];
	uint8_t nb_src_ts;
	struct ss_ike_ts dst_ts[SS_IKE_MAX_TS];
	uint8_t nb_dst_ts;
	const char *peer;		/* peer and child names */
	const char *child;
	uint32_t replaces_spi;		/* rekey: inbound SPI it replaces, 0 */
	/* outbound of a rekey we respond to (RFC 7296 2.8): install it, but
	 * keep sending on the old outbound SA until child_activate */
	bool standby;
};

struct ss_ike_ops {
	int (*send)(void *ctx, const struct ss_ike_addr *local,
		const struct ss_ike_addr *remote, const uint8_t *buf,
		size_t len);
	/* both directions of one pair; keys are the caller's to copy (they
	 * are wiped after the call); return 0 when installed */
	int (*child_install)(void *ctx, const struct ss_ike_child_sa *in,
		const struct ss_ike_child_sa *out);
	int (*child_delete)(void *ctx, uint32_t spi_in, uint32_t spi_out);
	/* inbound SPI carrying server_id; NULL: ss_steer_spi_make + RNG */
	uint32_t (*spi_alloc)(void *ctx, uint16_t server_id);
	void (*event)(void *ctx, const char *msg);
	/* a standby outbound SA becomes the one to send on: the peer
	 * deleted the pair it replaces (or did not within
	 * SS_IKE_STANDBY_MS); NULL: nothing to do */
	int (*child_activate)(void *ctx, uint32_t spi_in, uint32_t spi_out);
	/* a pair replaced by a rekey is deleted: remove its outbound SA
	 * now, keep its inbound SA until child_delete comes for the pair
	 * (delete_rekeyed_delay later, or when the IKE SA goes); NULL:
	 * child_delete at once */
	int (*child_retire)(void *ctx, uint32_t spi_in, uint32_t spi_out);
};

/* Longest wait for the rekey initiator's Delete of the old pair before a
 * standby outbound SA is activated anyway (traffic never stalls). */
#define SS_IKE_STANDBY_MS 5000

/* Delay before a lost IKE SA of a peer started at boot is initiated
 * again (ss_ike_start_all). */
#define SS_IKE_RESTART_MS 1000

/* Named counters (ss_ike_counter_name). */
#define SS_IKE_COUNTERS(X) \
	X(rx_msgs) X(tx_msgs) X(rx_short) X(rx_bad_version) \
	X(rx_bad_length) X(rx_truncated_payload) X(rx_bad_payload) \
	X(rx_unsupported_critical) X(rx_bad_spi) X(rx_out_of_window) \
	X(rx_dup_request) X(rx_unexpected) X(rx_integrity_failed) \
	X(rx_bad_marker) X(rx_nat_keepalive) X(rx_no_peer) \
	X(retransmits) X(timeouts) X(cookies_sent) X(cookies_bad) \
	X(cookies_used) X(invalid_ke_sent) X(invalid_ke_rcvd) \
	X(no_proposal_chosen) X(ts_unacceptable) X(auth_failed) \
	X(ts_max_queue) X(ike_established) X(ike_deleted) \
	X(ike_rekeyed) X(child_installed) X(child_install_failed) \
	X(child_deleted) X(child_rekeyed) X(rekey_collisions) \
	X(dpd_sent) X(dpd_dead) X(keepalives_sent) X(peer_restart) \
	X(send_failed) X(restarts) \
	X(cert_rejected) \
	X(tx_fragments) X(rx_fragments) X(rx_reassembled) \
	X(rx_fragment_bad) X(child_retired)

enum ss_ike_counter {
#define SS_IKE_CNT_ENUM(n) SS_IKE_CNT_##n,
	SS_IKE_COUNTERS(SS_IKE_CNT_ENUM)
#undef SS_IKE_CNT_ENUM
	SS_IKE_CNT_MAX
};

struct ss_ike_stats {
	uint64_t c[SS_IKE_CNT_MAX];
};

const char *
ss_ike_counter_name(unsigned int i);

struct ss_ike;

/** conf is copied. NULL with errno set on failure. */
struct ss_ike *
ss_ike_create(const struct ss_ike_conf *conf, const struct ss_ike_ops *ops,
	void *ctx);

/** Deletes every SA (child_delete called, nothing sent) and wipes keys. */
void
ss_ike_destroy(struct ss_ike *ike);

/** A datagram received on local (port 500 or 4500: on 4500 the buffer
 * still starts with the 4-byte non-ESP marker). */
void
ss_ike_input(struct ss_ike *ike, const struct ss_ike_addr *local,
	const struct ss_ike_addr *remote, const uint8_t *buf, size_t len,
	uint64_t now_ms);

/** Retransmissions, DPD, rekeying, expiry, NAT keepalives. Call at least
 * every ss_ike_next_timer() ms (or simply every 100 ms). */
void
ss_ike_timer(struct ss_ike *ike, uint64_t now_ms);

/** Initiate the IKE SA (and its children) of the peer named 'peer'.
 * 0, -ENOENT (no such peer), -EALREADY (an SA exists or is being set up). */
int
ss_ike_initiate(struct ss_ike *ike, const char *peer, uint64_t now_ms);

/** Initiate every peer with a child whose start action is "start".
 * Such a peer is also initiated again SS_IKE_RESTART_MS after its IKE SA
 * is lost (DPD, retransmission limit, hard lifetime; not after a Delete
 * by either side), and again after each failed try (counter restarts). */
int
ss_ike_start_all(struct ss_ike *ike, uint64_t now_ms);

/** On-demand start (a packet is held for want of an SA): initiate the
 * peer, or re-create its first pair when the IKE SA has none. 0,
 * -EINPROGRESS (being set up), -ENOENT. */
int
ss_ike_acquire(struct ss_ike *ike, const char *peer, uint64_t now_ms);

/** Delete the peer's IKE SA (INFORMATIONAL Delete). 0 or -ENOENT. */
int
ss_ike_terminate(struct ss_ike *ike, const char *peer, uint64_t now_ms);

/** Rekey the peer's IKE SA (child false) or all its Child SAs. */
int
ss_ike_rekey(struct ss_ike *ike, const char *peer, bool child,
	uint64_t now_ms);

/** Add a server: a pair is created for it on every established IKE SA
 * (per_server children). 0, -EEXIST, -ENOSPC, -EINVAL. */
int
ss_ike_server_add(struct ss_ike *ike, uint16_t id, uint64_t now_ms);

/** Remove a server: its pairs are deleted. 0 or -ENOENT. */
int
ss_ike_server_del(struct ss_ike *ike, uint16_t id, uint64_t now_ms);

/** Traffic counters of an inbound SPI for byte/packet lifetimes. */
void
ss_ike_child_usage(struct ss_ike *ike, uint32_t spi_in, uint64_t bytes,
	uint64_t packets, uint64_t now_ms);

/** Read-only views for "show ike sa" (never keys). */
struct ss_ike_sa_info {
	const char *peer;
	uint64_t spi_i, spi_r;
	bool initiator;
	const char *state;
	struct ss_ike_addr local, remote;
	bool nat;
	uint16_t encr, encr_bits, integ, prf, dh;
	uint64_t established_ms;
	unsigned int nb_children;
};

struct ss_ike_child_info {
	const char *peer, *child;
	uint32_t spi_in, spi_out;
	uint16_t server_id;
	uint16_t encr, encr_bits, integ;
	bool esn, encap, transport;
	const char *state;
	uint64_t installed_ms;
};

typedef void (*ss_ike_sa_walk_fn)(const struct ss_ike_sa_info *sa,
	void *arg);
typedef void (*ss_ike_child_walk_fn)(const struct ss_ike_child_info *c,
	void *arg);

unsigned int
ss_ike_walk_sas(const struct ss_ike *ike, ss_ike_sa_walk_fn fn, void *arg);

unsigned int
ss_ike_walk_children(const struct ss_ike *ike, ss_ike_child_walk_fn fn,
	void *arg);

void
ss_ike_get_stats(const struct ss_ike *ike, struct ss_ike_stats *st);

/** Wireshark key tables (strongSwan save-keys format) for every live SA:
 * ikev2_decryption_table and esp_sa lines (either FILE may be NULL).
 * Debug only: -EPERM unless the configuration enabled key export
 * (ike.debug_save_keys = "FOLDER", where the engine also rewrites both files
 * at every new SA). Returns the number of lines written. */
int
ss_ike_export_keys(const struct ss_ike *ike, FILE *ike_f, FILE *esp_f);

/** "aes256gcm16-prfsha256-ecp256" style text -> proposal. esp selects
 * the ESP rules (no prf; esn/noesn allowed). 0 or -EINVAL. */
int
ss_ike_proposal_parse(const char *s, bool esp, struct ss_ike_proposal *p);

/** "fqdn:x", "user@fqdn", "192.0.2.1", "2001:db8::1", "keyid:hex|text",
 * "x.example" (FQDN). 0 or -EINVAL. */
int
ss_ike_id_parse(const char *s, struct ss_ike_id *id);

/** Parse the "ike" section (NULL section: no peers, defaults). */
int
ss_ike_cfg_parse(const struct ss_config *cfg,
	const config_setting_t *section, struct ss_ike_conf *out,
	struct ss_cfg_error *err);

/** Register the "ike" section with lib/config; *out is filled at load. */
int
ss_ike_cfg_register(struct ss_ike_conf *out);

/** Names for show output. */
const char *
ss_ike_encr_name(uint16_t encr, uint16_t bits);
const char *
ss_ike_dh_name(uint16_t dh);

#endif /* SS_IKE_H */
