/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 shardsec authors
 */

#ifndef SS_NET_H
#define SS_NET_H

/**
 * The gateway's own L2/L3 layer.
 *
 * Workers validate and classify received frames, forward transit IP
 * packets (route in rte_fib/rte_fib6, neighbour in a lock-free rte_hash)
 * and read neighbour MACs with single atomic loads. The control lcore is
 * the only writer: it answers ARP, ND and ICMP echo for the gateway's own
 * addresses, learns neighbours, and holds packets that wait for a
 * neighbour to resolve, releasing them in order.
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_ether.h>
#include <rte_mbuf.h>

#include "ss_config.h"

#define SS_NET_MAX_PORTS SS_CFG_MAX_PORTS

enum ss_net_drop {
	SS_NET_DROP_RUNT = 0,
	SS_NET_DROP_ETHERTYPE,
	SS_NET_DROP_ARP_MALFORMED,
	SS_NET_DROP_IP4_TRUNC,
	SS_NET_DROP_IP4_HDRLEN,
	SS_NET_DROP_IP4_TOTLEN,
	SS_NET_DROP_IP4_CSUM,
	SS_NET_DROP_IP4_VERSION,
	SS_NET_DROP_IP4_FRAG,
	SS_NET_DROP_IP6_TRUNC,
	SS_NET_DROP_IP6_PLEN,
	SS_NET_DROP_IP6_VERSION,
	SS_NET_DROP_TTL,
	SS_NET_DROP_NO_ROUTE,
	SS_NET_DROP_NO_NEIGH,
	SS_NET_DROP_HOLD_FULL,
	SS_NET_DROP_HOLD_TIMEOUT,
	SS_NET_DROP_MTU,
	SS_NET_DROP_L4_TRUNC,
	SS_NET_DROP_ICMP_CSUM,
	SS_NET_DROP_SRC_INVALID,
	SS_NET_DROP_NOT_FOR_US,
	SS_NET_DROP_NATT_KEEPALIVE,
	SS_NET_DROP_ND_INVALID,
	SS_NET_DROP_MAX
};

extern const char *const ss_net_drop_names[SS_NET_DROP_MAX];

/** Counters of one lcore; never shared. */
struct ss_net_stats {
	uint64_t drop[SS_NET_DROP_MAX];
	uint64_t punted;
	uint64_t forwarded;
	uint64_t held;
	uint64_t released;
	uint64_t arp_req_tx;
	uint64_t arp_rep_tx;
	uint64_t nd_ns_tx;
	uint64_t nd_na_tx;
	uint64_t echo_rep_tx;
	uint64_t learned;
};

enum ss_net_class {
	SS_NET_CLASS_DROP = 0,	/* counted; caller frees */
	SS_NET_CLASS_PUNT,	/* control plane */
	SS_NET_CLASS_ESP,	/* ESP (or ESP in UDP 4500) to us */
	SS_NET_CLASS_FORWARD,	/* transit IPv4 / IPv6 */
};

/**
 * Validate and classify frames received on port index 'port'. Sets
 * l2_len, l3_len, packet_type and trims Ethernet padding.
 */
void
ss_net_classify_burst(struct rte_mbuf **m, uint16_t n, uint8_t port,
	uint8_t cls[], struct ss_net_stats *st);

#define SS_NET_FWD_DROP (-1)
#define SS_NET_FWD_HOLD (-2)

/**
 * Forward transit IP packets: data at L2 (l2_len set) or at L3
 * (l2_len 0: an Ethernet header is prepended). TTL / hop limit is
 * decremented. res[i] >= 0: output port index, frame ready; HOLD: give
 * it to the control lcore (ss_net_ctl_hold); DROP: counted, caller frees.
 */
void
ss_net_forward_burst(struct rte_mbuf **m, uint16_t n, int16_t res[],
	struct ss_net_stats *st);

/** Same for packets the gateway originates (no TTL decrement). */
void
ss_net_output_burst(struct rte_mbuf **m, uint16_t n, int16_t res[],
	struct ss_net_stats *st);

int
ss_net_init(const struct ss_config *cfg, const uint16_t port_ids[],
	const struct rte_ether_addr macs[], int socket_id);
void
ss_net_fini(void);
uint16_t
ss_net_port_id(uint8_t port);
bool
ss_net_is_local(const struct ss_ipaddr *a, uint8_t *port);

typedef int (*ss_net_tx_fn)(uint8_t port, struct rte_mbuf *m, void *arg);

void
ss_net_ctl_set_tx(ss_net_tx_fn tx, void *arg, struct rte_mempool *mp);

/**
 * A punted frame (data at L2). Returns 0 when consumed (answered, learned
 * or dropped with a counter) or -ENOTSUP when it is for another control
 * plane (IKE, MKA).
 */
int
ss_net_ctl_input(struct rte_mbuf *m, uint8_t port, struct ss_net_stats *st);

/** A packet that got SS_NET_FWD_HOLD. */
void
ss_net_ctl_hold(struct rte_mbuf *m, struct ss_net_stats *st);

/** Ageing and retransmission; call every few ms with the TSC. */
void
ss_net_ctl_timer(uint64_t now, struct ss_net_stats *st);

struct ss_net_neigh_info {
	uint8_t port;
	struct ss_ipaddr ip;
	struct rte_ether_addr mac;
	const char *state;	/* static reachable incomplete stale */
	uint32_t held;
	uint64_t age_ms;
};

int
ss_net_neigh_walk(int (*cb)(const struct ss_net_neigh_info *, void *),
	void *arg);

struct ss_net_route_info {
	struct ss_prefix dst;
	bool has_via;
	struct ss_ipaddr via;
	uint8_t port;
	const char *type;	/* connected static */
};

int
ss_net_route_walk(int (*cb)(const struct ss_net_route_info *, void *),
	void *arg);

void
ss_net_stats_add(struct ss_net_stats *sum, const struct ss_net_stats *one);

#endif /* SS_NET_H */
