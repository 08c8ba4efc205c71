/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 shardsec authors
 */

#ifndef SS_APP_LB_H
#define SS_APP_LB_H

/*
 * Load balancer role (section "lb"): the gateway holds virtual IPs and
 * forwards every packet sent to one of them, at L2, to the backend host
 * that owns it (direct server return, as IPVS-DR and Maglev do): the
 * backend has the VIP on its loopback and answers the client directly.
 * The owner is decided by lib/steer with a context whose "servers" are
 * the backends: ESP by the SPI's instance-id bits, GTP-U by TEID, SCTP
 * by verification tag, IKE (UDP 500, UDP 4500 with the zero non-ESP
 * marker) to the ike_backend, anything else by a symmetric 5-tuple hash.
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_common.h>
#include <rte_ether.h>

#include "ss_config.h"

struct ss_app;
struct ss_steer_ctx;
struct ss_worker;
struct rte_mbuf;

#define SS_LB_MAX_VIPS 16
#define SS_LB_MAX_BACKENDS 64

struct ss_app_lb_backend {
	uint16_t id;			/* instance-id, < 2^instance_bits */
	struct rte_ether_addr mac;	/* the host's MAC on the lb port */
	int line;
};

/* The parsed section (lb_cfg.c); nb_backends 0: no section. */
struct ss_app_lb_cfg {
	struct ss_ipaddr vips[SS_LB_MAX_VIPS];
	uint8_t nb_vips;
	uint8_t port;			/* index into cfg ports */
	uint16_t ike_backend;		/* instance-id */
	bool announce;			/* ARP/NS for the VIPs */
	struct ss_app_lb_backend b[SS_LB_MAX_BACKENDS];
	uint16_t nb_backends;
};

extern struct ss_app_lb_cfg ss_app_lb_cfg;

/* How a packet's backend was chosen (counters of 'show lb'). */
enum ss_lb_kind {
	SS_LB_ESP = 0,		/* IP proto 50, by SPI */
	SS_LB_ESP_UDP,		/* UDP 4500, non-zero marker, by SPI */
	SS_LB_GTPU,		/* G-PDU, by TEID */
	SS_LB_SCTP,		/* by verification tag */
	SS_LB_IKE,		/* UDP 500 / 4500 with marker 0: ike_backend */
	SS_LB_HASH,		/* symmetric 5-tuple hash */
	SS_LB_KIND_MAX
};

struct ss_lb_bstats {
	uint64_t pkts;
	uint64_t bytes;			/* frame bytes sent to the backend */
	uint64_t kind[SS_LB_KIND_MAX];
};

/* One worker's counters: written by that worker only. */
struct ss_lb_wstats {
	struct ss_lb_bstats b[SS_LB_MAX_BACKENDS];
	uint64_t unknown_id;	/* SPI/TEID/vtag id of no backend: dropped */
	uint64_t bad;		/* to a VIP, headers unusable: dropped */
} __rte_cache_aligned;

/* Data-path state, read-only once the workers run. */
struct ss_app_lb {
	struct ss_steer_ctx *steer;	/* index = backend, id = its id */
	uint8_t port;
	uint16_t ike_idx;		/* backend index of ike_backend */
	uint8_t nb_v4;
	uint8_t nb_v6;
	uint32_t v4[SS_LB_MAX_VIPS];	/* network order */
	uint8_t v6[SS_LB_MAX_VIPS][16];
	/* the Ethernet addresses written: dst = backend, src = lb port */
	struct rte_ether_hdr eth[SS_LB_MAX_BACKENDS];
	struct ss_lb_wstats *ws[];	/* per worker (nb_workers) */
};

/* lb_cfg.c: register the section (before the configuration is read). */
int ss_app_lb_register(struct ss_app *app);
const char *ss_app_lb_kind_name(unsigned int kind);

/* lb.c */
int ss_app_lb_init(struct ss_app *app);		/* after the ports */
void ss_app_lb_fini(struct ss_app *app);
/*
 * Worker: take the packets of m[0..n) (transit, data at L2) sent to a
 * VIP out of m[]; those that have a backend are rewritten and put in
 * tx[] (*ntx of them), to be sent on lb->port; the others are counted
 * and freed. Returns how many packets are left in m[] (order kept).
 */
uint16_t ss_app_lb_take(const struct ss_app_lb *lb, struct ss_lb_wstats *st,
	struct rte_mbuf **m, uint16_t n, struct rte_mbuf **tx,
	uint16_t *ntx);
/* Every worker's counters summed; zero them. */
void ss_app_lb_stats_sum(const struct ss_app *app, struct ss_lb_wstats *sum);
void ss_app_lb_stats_clear(struct ss_app *app);

#endif /* SS_APP_LB_H */
