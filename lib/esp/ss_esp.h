/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 shardsec authors
 */

#ifndef SS_ESP_H
#define SS_ESP_H

/**
 * ESP data plane: bursts of packets in, bursts of packets out, through a
 * per-SA crypto back-end (ss_crypto.h): by default ESP framed here with
 * intel-ipsec-mb called directly (ss_esp_mb.h), else librte_ipsec with
 * cryptodev CPU crypto or lookaside.
 *
 * One struct ss_esp_server per server, made on the control lcore, then
 * used by exactly one worker. Outbound: cleartext IP packets and the
 * tunnel each belongs to -> ESP packets (outer IP at the data start),
 * encrypted with this server's outbound SA of the tunnel. Inbound: ESP
 * (IP proto 50 or UDP-encapsulated) packets of SAs that this server owns
 * -> the inner IP packets, checked against anti-replay (own window, ESN)
 * and the SA's traffic selectors. Each dropped packet is freed and
 * counted under one reason (enum ss_sa_drop), per server and per SA.
 * Packets are single-segment with their data at L3 (l2_len 0).
 */

#include <stdint.h>

#include <rte_mbuf.h>

#include "ss_sa.h"

#define SS_ESP_BURST 32
#define SS_ESP_TOOBIG_MAX 64
#define SS_ESP_DIVERT_MAX 64

/**
 * Create the crypto devices crypto_aesni_gcm0 and crypto_aesni_mb0 when
 * absent (rte_vdev_init), give each nb_qp queue pairs (lookaside uses
 * queue pair = server index) and a session pool. Once per process;
 * again with a larger nb_qp fails (-EALREADY).
 */
int
ss_esp_crypto_init(int socket, unsigned int nb_qp);

/** Stop and close what ss_esp_crypto_init made (after all SAs are gone). */
void
ss_esp_crypto_fini(void);

/** Make the SA database create/destroy the ESP state of its SAs. */
int
ss_esp_attach(struct ss_sa_db *db);

struct ss_esp_server;

/** Context of server 'server' (an index of db). NULL + rte_errno. */
struct ss_esp_server *
ss_esp_server_create(struct ss_sa_db *db, uint16_t server, int socket);

void
ss_esp_server_free(struct ss_esp_server *srv);

/** Packets set aside for the caller: too big ones, which it may answer
 * with ICMP "too big" / "frag needed", and, when it sets 'hold', those
 * whose tunnel has no SA on this server yet, which it may hold while
 * the SA is negotiated (lib/hold). */
struct ss_esp_aside {
	uint16_t n;
	struct rte_mbuf *m[SS_ESP_TOOBIG_MAX];
	uint16_t mtu[SS_ESP_TOOBIG_MAX];	/* largest cleartext that fits */
	bool hold;			/* set by the caller */
	uint16_t nh;
	struct rte_mbuf *hm[SS_ESP_TOOBIG_MAX];	/* data at the IP header */
	uint32_t htun[SS_ESP_TOOBIG_MAX];	/* their tunnels (SPIs) */
	/* Inbound, set by the caller with hold: SPIs whose packets are
	 * handed back even when their SA is not paused (older packets of
	 * theirs are still held: the new ones queue behind them). */
	uint16_t nd;
	uint32_t divert[SS_ESP_DIVERT_MAX];
};

/**
 * Encrypt m[0..n) (data at the IP header) for tunnel[i] with this
 * server's outbound SA of that tunnel. Results (outer IP header first,
 * l3_len and packet_type set) are written to out[] (room for n), grouped
 * by SA, in order within an SA; the count is returned. Dropped packets
 * are freed and counted, except, when tb is not NULL, too-big ones
 * (handed to the caller in tb, still counted as too_big) and, when
 * tb->hold is set, packets whose tunnel has no SA here or whose SA is
 * paused (ss_esp_sa_paused) (in tb->hm, in order, not counted: up to
 * SS_ESP_TOOBIG_MAX a call, the rest are dropped as no_sa / paused).
 */
uint16_t
ss_esp_outbound_burst(struct ss_esp_server *srv, struct rte_mbuf **m,
	uint16_t n, const uint32_t tunnel[], struct rte_mbuf **out,
	struct ss_esp_aside *tb);

/**
 * packet_type bit, outside RTE_PTYPE_ALL_MASK, that ss_esp_inbound_burst
 * adds for an inner IPv4 packet whose header it checked: l2_len 0, data
 * at the IPv4 header, IHL 5, pkt_len == data_len == total length (>= 20).
 * The L3 form of lib/net's SS_NET_PTYPE_IP4_CHECKED, the same bit:
 * lib/steer's inner classification takes the header as it is.
 */
#define SS_ESP_PTYPE_IP4_CHECKED 0x10000000u

/**
 * Decrypt m[0..n) (data at the outer IP header): ESP or ESP-in-UDP of
 * inbound SAs owned by this server. Inner packets (data at the inner IP
 * header, l2_len 0, packet_type L3 and SS_ESP_PTYPE_IP4_CHECKED where it
 * holds) go to out[] (room for n); the count is returned. Packets of a
 * paused SA are dropped as "paused" unless tb is not NULL with tb->hold
 * set: then they are handed back unchanged in tb->hm with their SPI in
 * tb->htun (tb->n is not used).
 */
uint16_t
ss_esp_inbound_burst(struct ss_esp_server *srv, struct rte_mbuf **m,
	uint16_t n, struct rte_mbuf **out, struct ss_esp_aside *tb);

/**
 * Whether the SA waits for its NIC back-end to confirm the key (its
 * packets held or dropped as "paused"). Any lcore.
 */
bool
ss_esp_sa_paused(const struct ss_sa *sa);

/** What a NIC counted for one SA's session (inline crypto back-ends). */
struct ss_esp_nic_stats {
	uint64_t packets;	/* encrypted (out) or decrypted (in) */
	uint64_t bytes;		/* of those frames, as on the wire */
	uint64_t failed;	/* failed the crypto or the ICV check */
};

/**
 * The NIC's own counts of the SA's session, read from the device
 * (rte_security_session_stats_get). Control lcore. 0, or -ENOTSUP when
 * the SA's back-end or its NIC keeps none.
 */
int
ss_esp_sa_nic_stats(const struct ss_sa *sa, struct ss_esp_nic_stats *st);

/**
 * Control lcore: the NIC has stored the key of a paused SA; the data
 * path uses state (the back-end's be_priv) from now on. Returns how long
 * the SA was paused (timer cycles), or 0 when it was not paused.
 */
uint64_t
ss_esp_sa_resume(struct ss_sa *sa, void *state);

/** Per-server counters (written by its worker only). */
struct ss_esp_stats {
	uint64_t in_packets;		/* inner packets delivered */
	uint64_t in_bytes;
	uint64_t out_packets;		/* ESP packets produced */
	uint64_t out_bytes;		/* cleartext bytes protected */
	/* inline SAs: ESP the NIC had not decrypted (it arrived before
	 * the NIC had the key, say) that was decrypted here instead */
	uint64_t in_soft;
	uint64_t drops[SS_SA_DROP_MAX];
};

void
ss_esp_server_stats(const struct ss_esp_server *srv,
	struct ss_esp_stats *st);

#endif /* SS_ESP_H */
