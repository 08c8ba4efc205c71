/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 shardsec authors
 */

#ifndef SS_NET_PRIV_H
#define SS_NET_PRIV_H

/* State shared by the workers' fast path (read only) and the control
 * lcore (the single writer). */

#include <string.h>

#include <rte_byteorder.h>
#include <rte_fib.h>
#include <rte_fib6.h>
#include <rte_hash.h>
#include <rte_log.h>

#include "ss_net.h"

extern int ss_net_logtype;
#define SS_NET_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_ ## level, ss_net_logtype, "net: " fmt "\n", \
		##__VA_ARGS__)

#define NET_MAX_ADDRS (2 * SS_CFG_MAX_ADDRS)
/* Next hops: 0 = no route, 1 = one of our addresses, then one per route. */
#define NET_NH_NONE 0
#define NET_NH_LOCAL 1
#define NET_NH_FIRST 2
#define NET_MAX_NH (NET_NH_FIRST + SS_CFG_MAX_ROUTES + \
	SS_NET_MAX_PORTS * NET_MAX_ADDRS)
/* Lookups are done in chunks of this many packets (rte_hash bulk max). */
#define NET_CHUNK 64

/* Bit 63: MAC valid; bits 0..47: the MAC bytes in wire order (memcpy).
 * One 64-bit word, so a worker never sees half an update. */
#define NET_MAC_VALID (1ULL << 63)

/* Bits of the IPv4 address filters (local4_bits, v4filter): 256,
 * so that a few addresses leave most others outside (about 3% in with
 * eight addresses, against 12% with 64 bits). */
#define NET_V4_FILTER_BITS 256
#define NET_V4_FILTER_WORDS (NET_V4_FILTER_BITS / 64)

/* v4filter flags */
#define NET_V4F_LOCAL 0x01	/* a local4 address here: net_ctx.v4local */
#define NET_V4F_LOCALS 0x02	/* more than one: scan local4 */
#define NET_V4F_BCAST 0x04	/* a broadcast of the port here */

#define NET_STALE_S 60		/* reachable -> stale without confirmation */
#define NET_PROBE_MS 1000	/* between unicast probes of a stale entry */
#define NET_PROBES 3		/* unanswered probes before deletion */
#define NET_GRACE_MS 1000	/* before a deleted entry's slot is reused */

struct net_port {
	uint16_t port_id;
	uint16_t mtu;
	struct rte_ether_addr mac;
	uint8_t nb_v4, nb_v6;
	uint32_t v4[NET_MAX_ADDRS];	/* network order */
	uint32_t v4mask[NET_MAX_ADDRS];	/* network order */
	uint32_t v4bcast[NET_MAX_ADDRS]; /* directed broadcast, 0: none */
	/* by net_v4_bit: NET_V4F_* for the addresses of local4 (all
	 * ports) and the non-zero v4bcast of this port, the addresses
	 * that are no source and no destination to forward to; bytes,
	 * not bits: the receive path tests one with a single load */
	uint8_t v4filter[NET_V4_FILTER_BITS];
	uint8_t v6[NET_MAX_ADDRS][16];
	uint8_t v6len[NET_MAX_ADDRS];
	uint8_t ll6[16];		/* fe80::EUI-64 from the MAC */
};

struct net_nh {
	uint8_t port;
	bool has_via;
	bool connected;
	uint16_t mtu;			/* the port's, copied for the workers */
	/* bytes 6-13 of the Ethernet header out of the port (its MAC,
	 * the EtherType) for IPv4 [0] and IPv6 [1], as one word */
	uint64_t l2src[2];
	/* has_via: neighbour slot of via, -1 while there is none. The
	 * control lcore keeps it in step with the neighbour table, so that
	 * workers read the MAC without a hash lookup. */
	int32_t neigh;
	struct ss_ipaddr via;
	struct ss_prefix dst;		/* masked; for show route */
};

/* Neighbour key: IPv4 in the first 4 bytes of addr, the rest zero.
 * 8-byte aligned: rte_hash_crc reads it 8 bytes at a time. */
struct net_neigh_key {
	uint8_t port;
	uint8_t family;
	uint8_t pad[2];
	uint8_t addr[16];
	uint8_t pad2[4];
} __rte_aligned(8);

enum net_neigh_state {
	NET_NEIGH_FREE = 0,
	NET_NEIGH_INCOMPLETE,
	NET_NEIGH_REACHABLE,
	NET_NEIGH_STALE,
	NET_NEIGH_STATIC,
	NET_NEIGH_DEAD,		/* deleted, slot waits out the grace time */
};

/* Control lcore only; the workers read net_ctx.mac[] alone. */
struct net_neigh {
	uint8_t state;
	uint8_t port;
	uint8_t probes;
	struct ss_ipaddr ip;
	int32_t pos;			/* key position in the hash */
	uint64_t updated;		/* TSC: created / last confirmed */
	uint64_t next_probe;
	/* FIFO of packets waiting for resolution, with arrival times */
	uint16_t hold_head, hold_n;
	struct rte_mbuf **hold;
	uint64_t *hold_t;
};

struct net_ctx {
	bool up;
	uint8_t nb_ports;
	struct net_port port[SS_NET_MAX_PORTS];
	/* all our unicast addresses, for the per-packet "to us?" test */
	uint8_t nb_local4, nb_local6;
	uint32_t local4[SS_NET_MAX_PORTS * NET_MAX_ADDRS];
	/* one bit per local4 address (net_v4_bit): most transit packets
	 * are told "not ours" without the scan */
	uint64_t local4_bits[NET_V4_FILTER_WORDS];
	/* by net_v4_bit: a local4 address with that bit (the first one
	 * where several share it), for an exact test in one compare */
	uint32_t v4local[NET_V4_FILTER_BITS];
	uint8_t local6[SS_NET_MAX_PORTS * NET_MAX_ADDRS][16];
	struct rte_fib *fib4;
	struct rte_fib6 *fib6;
	struct net_nh nh[NET_MAX_NH];
	uint32_t nb_nh;
	struct rte_hash *neigh_hash;
	uint64_t *mac;			/* [SS_NET_NEIGH_MAX], workers read */
	struct net_neigh *neigh;	/* [SS_NET_NEIGH_MAX] */
	uint32_t *free_idx;		/* stack of free neighbour slots */
	uint32_t nb_free;
	uint32_t neigh_hw;		/* slots >= this were never used */
	uint32_t hold_max;
	uint64_t hold_tsc;
	uint64_t hz;
	ss_net_tx_fn tx;
	void *tx_arg;
	struct rte_mempool *mp;
	/* addresses answered for (ARP, NS) but not ours (ss_net_announce):
	 * a load balancer's VIPs; port_mask bit p: answered on port p */
	uint8_t nb_announce;
	struct ss_ipaddr announce[SS_NET_MAX_ANNOUNCE];
	uint32_t announce_ports[SS_NET_MAX_ANNOUNCE];
};

extern struct net_ctx ss_net_ctx;

/* A multiplicative hash of an IPv4 address (network order) to a bit
 * of the address filters. */
static inline unsigned int
net_v4_bit(uint32_t a)
{
	return (a * 0x9e3779b1u) >> (32 - 8);
}

static inline void
net_v4_filter_add(uint64_t *f, uint32_t a)
{
	const unsigned int b = net_v4_bit(a);

	f[b / 64] |= 1ULL << (b % 64);
}

/* Bit b of filter f (a net_v4_bit): the address may be in the set. */
static inline bool
net_v4_filter_has(const uint64_t *f, unsigned int b)
{
	return (f[b / 64] >> (b % 64)) & 1;
}

/* One of our IPv4 addresses (network order)? Inline: the receive path
 * asks it for packets to us. */
static inline bool
net_v4_is_local(uint32_t a)
{
	const struct net_ctx *c = &ss_net_ctx;
	unsigned int i;

	if (likely(!net_v4_filter_has(c->local4_bits, net_v4_bit(a))))
		return false;
	for (i = 0; i < c->nb_local4; i++)
		if (c->local4[i] == a)
			return true;
	return false;
}

static inline uint16_t
net_rd16(const void *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof(v));
	return rte_be_to_cpu_16(v);
}

static inline void
net_key(struct net_neigh_key *k, uint8_t port, const struct ss_ipaddr *ip)
{
	memset(k, 0, sizeof(*k));
	k->port = port;
	k->family = ip->family;
	if (ip->family == AF_INET)
		memcpy(k->addr, &ip->v4, 4);
	else
		memcpy(k->addr, ip->v6, 16);
}

static inline bool
net_v6_is_ll(const uint8_t *a)
{
	return a[0] == 0xfe && (a[1] & 0xc0) == 0x80;
}

/* ss_net.c: neighbour table (control lcore) */
int net_neigh_find(uint8_t port, const struct ss_ipaddr *ip);
int net_neigh_create(uint8_t port, const struct ss_ipaddr *ip, uint64_t now);
void net_neigh_delete(uint32_t idx, uint64_t now);
void net_neigh_set_mac(uint32_t idx, const struct rte_ether_addr *mac);
/* next-hop index of a destination (NET_NH_NONE when no route) */
uint32_t net_route(const struct ss_ipaddr *dst);
/* address of port 'port' (configured or link-local)? */
bool net_addr_is_mine(uint8_t port, const struct ss_ipaddr *a);
/* Ours, or announced on 'port': answer ARP requests and NS for it. */
bool net_addr_answers(uint8_t port, const struct ss_ipaddr *a);
bool net_v6_is_local(uint8_t port, const uint8_t *a);

#endif
