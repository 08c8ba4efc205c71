/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 shardsec authors
 */

#ifndef SS_NET_PRIV_H
#define SS_NET_PRIV_H

#include <rte_fib.h>
#include <rte_fib6.h>
#include <rte_hash.h>
#include <rte_log.h>

#include "ss_net.h"

extern int ss_net_logtype;
#define SS_NET_LOG(l, ...) rte_log(RTE_LOG_ ## l, ss_net_logtype, \
	"ss_net: " __VA_ARGS__)

#define NET_MAX_ADDRS (2 * SS_CFG_MAX_ADDRS)
#define NET_MAX_NH (SS_CFG_MAX_ROUTES + SS_NET_MAX_PORTS * NET_MAX_ADDRS)
#define NET_MAX_NEIGH 4096
#define NET_NH_NONE 0x7fffffffu	/* the largest next hop a 4-byte FIB entry holds */
#define NET_HOLD_MAX 1024

/* Bit 63: MAC valid; bits 0..47: the MAC. One 64-bit word so that a
 * worker never reads half an update. */
#define NET_MAC_VALID (1ULL << 63)

struct net_port {
	uint16_t port_id;
	uint16_t mtu;
	struct rte_ether_addr mac;
	uint8_t nb_v4, nb_v6;
	uint32_t v4[NET_MAX_ADDRS];	/* network order */
	uint8_t v4len[NET_MAX_ADDRS];
	uint8_t v6[NET_MAX_ADDRS][16];
	uint8_t v6len[NET_MAX_ADDRS];
};

struct net_nh {
	uint8_t port;
	bool has_via;
	struct ss_ipaddr via;
	struct ss_prefix dst;		/* for show route */
	bool connected;
};

struct net_neigh_key {
	uint8_t port;
	uint8_t family;
	uint8_t pad[2];
	uint8_t addr[16];
};

enum net_neigh_state {
	NET_NEIGH_FREE = 0,
	NET_NEIGH_INCOMPLETE,
	NET_NEIGH_REACHABLE,
	NET_NEIGH_STALE,
	NET_NEIGH_STATIC,
};

struct net_neigh {
	uint64_t macv;			/* read by workers */
	uint8_t state;			/* control lcore only below */
	uint8_t port;
	struct ss_ipaddr ip;
	uint64_t updated;		/* TSC */
	uint64_t next_probe;
	uint8_t probes;
	/* packets waiting for resolution, FIFO */
	uint16_t hold_head, hold_n;
	uint64_t hold_since;
	struct rte_mbuf **hold;
};

struct net_ctx {
	uint8_t nb_ports;
	struct net_port port[SS_NET_MAX_PORTS];
	struct rte_fib *fib4;
	struct rte_fib6 *fib6;
	struct net_nh nh[NET_MAX_NH];
	uint32_t nb_nh;
	struct rte_hash *neigh_hash;
	struct net_neigh *neigh;	/* NET_MAX_NEIGH */
	uint32_t hold_max;
	uint64_t hold_tsc;
	ss_net_tx_fn tx;
	void *tx_arg;
	struct rte_mempool *mp;
};

extern struct net_ctx ss_net_ctx;

/* neighbour helpers (ss_net.c) */
int net_neigh_find(uint8_t port, const struct ss_ipaddr *ip);
int net_neigh_get(uint8_t port, const struct ss_ipaddr *ip);
void net_neigh_set_mac(struct net_neigh *n, const struct rte_ether_addr *mac);
/* route to a destination: next-hop index or NET_NH_NONE (control side) */
uint32_t net_route(const struct ss_ipaddr *dst);
bool net_addr_is_mine(uint8_t port, const struct ss_ipaddr *a);

#endif
