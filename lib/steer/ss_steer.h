/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 shardsec authors
 */

#ifndef SS_STEER_H
#define SS_STEER_H

/**
 * Instance-id steering for the "many servers" design.
 *
 * A server's instance-id lives in the 'bits' (1..8) high bits of the SPIs,
 * GTP-U TEIDs and SCTP verification tags it allocates. This library
 * encodes and decodes those ids, decides per packet which server owns it
 * (by SPI, TEID, vtag, or else a symmetric 5-tuple hash), and asks the
 * NIC (rte_flow) to do the same steering where it can.
 */

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>

#include <rte_common.h>
#include <rte_mbuf.h>

#define SS_STEER_MAX_BITS 8
#define SS_STEER_MAX_IDS (1u << SS_STEER_MAX_BITS)
#define SS_STEER_MAX_SERVERS SS_STEER_MAX_IDS
#define SS_STEER_OWNER_NONE 0xffff

#define SS_STEER_UDP_NATT 4500
#define SS_STEER_UDP_GTPU 2152

/**
 * How a packet's owner was decided (kind[] of ss_steer_classify_burst):
 * ESP: by SPI (IP proto 50, or UDP dst 4500 with a non-zero marker and
 * room for SPI + sequence number); GTPU: by TEID (UDP src or dst 2152,
 * version 1, PT 1, type 255 G-PDU, TEID != 0); SCTP: by verification tag
 * (!= 0); HASH: symmetric 5-tuple hash (everything else); BAD: not IP or
 * headers truncated (owner NONE).
 */
enum ss_steer_kind {
	SS_STEER_ESP = 0,
	SS_STEER_GTPU,
	SS_STEER_SCTP,
	SS_STEER_HASH,
	SS_STEER_BAD,
	SS_STEER_KIND_MAX
};

/**
 * Per-lcore counters (each worker owns one; never shared).
 * kind[]: packets per kind (kind[SS_STEER_BAD] are the bad ones).
 * noid_gtpu / noid_sctp: packets of those protocols that carried no id
 * (GTP-U echo and other signalling, TEID 0; SCTP INIT, vtag 0) and were
 * therefore hashed (they are also in kind[SS_STEER_HASH]).
 * unknown_id: id-carrying packets whose id has no server (owner NONE).
 */
struct ss_steer_stats {
	uint64_t kind[SS_STEER_KIND_MAX];
	uint64_t noid_gtpu;
	uint64_t noid_sctp;
	uint64_t unknown_id;
};

/** Read-only after creation; shared by all workers. */
struct ss_steer_ctx {
	uint8_t bits;
	uint16_t nb_servers;	/* live servers (hash slots) */
	uint16_t nb_slots;	/* server indexes are < nb_slots */
	/* instance-id -> server index, SS_STEER_OWNER_NONE if not configured */
	uint16_t server_of_id[SS_STEER_MAX_IDS];
	/* server index -> instance-id (SS_STEER_OWNER_NONE: free index) */
	uint16_t id_of_server[SS_STEER_MAX_SERVERS];
	/* hash slot (hash scaled to [0, nb_servers)) -> server index */
	uint16_t hash_map[SS_STEER_MAX_SERVERS];
};

/* ---- codec -------------------------------------------------------- */

/** Instance-id carried in the 'bits' high bits of v. */
static inline uint16_t
ss_steer_id_get(uint32_t v, uint8_t bits)
{
	return (uint16_t)(v >> (32 - bits));
}

/** v with its 'bits' high bits replaced by id (id is masked to bits). */
static inline uint32_t
ss_steer_id_set(uint32_t v, uint16_t id, uint8_t bits)
{
	const uint32_t low = UINT32_MAX >> bits;

	return (v & low) | ((uint32_t)id << (32 - bits));
}

/** SPI for server 'id' from a random value: never 0..255 (RFC 4303). */
uint32_t
ss_steer_spi_make(uint16_t id, uint8_t bits, uint32_t random);

/** GTP-U TEID for server 'id': never 0. */
uint32_t
ss_steer_teid_make(uint16_t id, uint8_t bits, uint32_t random);

/** SCTP verification tag for server 'id': never 0. */
uint32_t
ss_steer_vtag_make(uint16_t id, uint8_t bits, uint32_t random);

/* ---- owner decision ----------------------------------------------- */

/**
 * Build a context: server index i has instance-id ids[i] (< 2^bits,
 * distinct). Returns NULL with rte_errno set (EINVAL, ENOMEM).
 */
struct ss_steer_ctx *
ss_steer_ctx_create(uint8_t bits, const uint16_t ids[], uint16_t nb_servers);

/**
 * Same with free server indexes (servers added and removed at run time):
 * index i < nb_slots has instance-id ids[i], or none when ids[i] is
 * SS_STEER_OWNER_NONE. At least one index must be live; hash slots go to
 * the live indexes in increasing order. NULL with rte_errno (EINVAL,
 * ENOMEM).
 */
struct ss_steer_ctx *
ss_steer_ctx_create_slots(uint8_t bits, const uint16_t ids[],
	uint16_t nb_slots);

void
ss_steer_ctx_free(struct ss_steer_ctx *ctx);

/** Server index of an instance-id, or SS_STEER_OWNER_NONE. */
static inline uint16_t
ss_steer_lookup(const struct ss_steer_ctx *ctx, uint16_t id)
{
	if (id >= SS_STEER_MAX_IDS)
		return SS_STEER_OWNER_NONE;
	return ctx->server_of_id[id];
}

/** Server index owning an SPI / TEID / vtag value, or NONE. */
static inline uint16_t
ss_steer_owner_of(const struct ss_steer_ctx *ctx, uint32_t v)
{
	return ctx->server_of_id[ss_steer_id_get(v, ctx->bits)];
}

/**
 * Change where hash slot 'slot' (< nb_servers) goes: to a live server
 * index. Only while no worker reads ctx (before it is published).
 * Returns 0 or -EINVAL.
 */
int
ss_steer_hash_map_set(struct ss_steer_ctx *ctx, uint16_t slot,
	uint16_t server);

/**
 * Spread the hash over nb_slots slots (1..SS_STEER_MAX_SERVERS) instead
 * of one per live server, by weighted rendezvous hashing: slot s goes to
 * the server index i (< ctx->nb_slots, with an id) whose score
 * weight[i] / -ln(u), u = hash(s, its instance-id) scaled to (0, 1), is
 * the highest; weight 0 takes no slot. With equal weights that is the
 * highest hash, and each server gets about the same share; otherwise
 * shares follow the weights. A load balancer's flows then stay where
 * they are when a backend comes, goes or changes weight: only slots to
 * or from that one move. The result depends only on the ids and weights,
 * not on indexes or order. Only while no worker reads ctx. 0, or -EINVAL
 * (bad nb_slots, no server with a weight).
 */
int
ss_steer_hash_rendezvous(struct ss_steer_ctx *ctx, uint16_t nb_slots,
	const uint16_t weight[]);

/**
 * Symmetric flow hash: the same value for A->B and B->A. Addresses are
 * 4 (IPv4) or 16 (IPv6) bytes, ports in network order (0 when none).
 */
uint32_t
ss_steer_hash_tuple(const void *src, const void *dst, uint8_t alen,
	uint16_t sport, uint16_t dport, uint8_t proto);

/**
 * packet_type bit of lib/net's classification (SS_NET_PTYPE_IP4_CHECKED,
 * the same bit): with it and l2_len 14, the packet has an IPv4 header
 * without options, checked, and lies whole in its first segment, pkt_len
 * == data_len == 14 + total length. ss_steer_classify_burst then takes
 * the header as it is (the decision is the same). Its L3 form, l2_len 0
 * and the IPv4 header at the start of the data (pkt_len == data_len ==
 * total length), is what lib/esp sets on inner packets it checked
 * (SS_ESP_PTYPE_IP4_CHECKED): ss_steer_classify_inner_burst trusts that
 * one.
 */
#define SS_STEER_PTYPE_IP4_CHECKED 0x10000000u

/**
 * Decide the owner of each packet. m[i] data starts at the Ethernet header
 * and m[i]->l2_len gives its length (0: data starts at the IP header); the
 * IP and L4 headers are read from the packet itself (version nibble,
 * IHL, IPv6 extension headers), so l3_len/packet_type need not be exact,
 * except that SS_STEER_PTYPE_IP4_CHECKED, where set, must be true.
 * owner[i] is a server index or SS_STEER_OWNER_NONE; kind[i] an
 * enum ss_steer_kind. st (may be NULL) is the caller's own counters.
 *
 * IP fragments are hashed on addresses and protocol only, so that every
 * fragment of a datagram lands on the same server.
 */
void
ss_steer_classify_burst(const struct ss_steer_ctx *ctx,
	struct rte_mbuf **m, uint16_t n, uint16_t owner[], uint8_t kind[],
	struct ss_steer_stats *st);

/**
 * What classification read of a packet's transport header, for a caller
 * that needs more than the owner (the load balancer's IKE test and
 * connection key) without parsing the headers a second time.
 * proto: the upper-layer protocol (IPv6: after the extension headers;
 * a fragment: the one its fragment header names). sport, dport: host
 * order, for TCP, UDP and SCTP packets that are not fragments; else 0.
 * flags: SS_STEER_L4_*. Valid for every kind but SS_STEER_BAD.
 */
struct ss_steer_l4 {
	uint16_t sport;
	uint16_t dport;
	uint8_t proto;
	uint8_t flags;
};

/** A fragment (IPv4 offset or MF, IPv6 fragment header not 0/0). */
#define SS_STEER_L4_FRAG 0x01
/** UDP (with ESP: ESP in UDP, RFC 3948). */
#define SS_STEER_L4_UDP 0x02
/** IKE: UDP to port 500, or to 4500 with the zero non-ESP marker. */
#define SS_STEER_L4_IKE 0x04

#define SS_STEER_UDP_IKE 500

/**
 * ss_steer_classify_burst, and l4[i] filled for each packet as
 * struct ss_steer_l4 says.
 */
void
ss_steer_classify_burst_l4(const struct ss_steer_ctx *ctx,
	struct rte_mbuf **m, uint16_t n, uint16_t owner[], uint8_t kind[],
	struct ss_steer_l4 l4[], struct ss_steer_stats *st);

/** Same for decrypted inner packets: data starts at the IP header
 * (m[i]->l2_len is ignored, but for SS_STEER_PTYPE_IP4_CHECKED which,
 * where set with l2_len 0, must be true in its L3 form). */
void
ss_steer_classify_inner_burst(const struct ss_steer_ctx *ctx,
	struct rte_mbuf **m, uint16_t n, uint16_t owner[], uint8_t kind[],
	struct ss_steer_stats *st);

/** Printable kind name ("esp", "gtpu", "sctp", "hash", "bad"). */
const char *
ss_steer_kind_name(unsigned int kind);

/* ---- NIC steering (rte_flow) -------------------------------------- */

/**
 * Install rte_flow rules on port_id that send, for every server s,
 * ESP (IPv4 and IPv6, SPI id bits), GTP-U (UDP 2152, TEID id bits) and
 * SCTP (vtag id bits) to RX queue queue_of_server[s]. Each kind is
 * validated and created on its own: a kind the device refuses is left to
 * software steering. report (size len) receives one line per kind, e.g.
 * "esp: accepted (8 rules); gtpu: refused (...); sctp: refused (...)".
 * Returns the number of kinds accepted (0..3), or -EINVAL.
 * Virtual devices (af_packet, ring, null) refuse all: that is expected.
 */
int
ss_steer_flow_install(uint16_t port_id, const struct ss_steer_ctx *ctx,
	const uint16_t queue_of_server[], char *report, size_t len);

/** Remove every rte_flow rule of the port. Returns 0 or -errno. */
int
ss_steer_flow_flush(uint16_t port_id);

#endif /* SS_STEER_H */
