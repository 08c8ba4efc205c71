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
 * marker) to the ike_backend, anything else by a symmetric 5-tuple hash
 * spread over the backends that are up (rendezvous: a backend coming or
 * going moves only its own flows), and kept there by connection tracking
 * (ss_app_lb_ct.h) while that backend is up. Backends are added, removed, enabled
 * and disabled from the shell while traffic flows, and health-checked
 * (ARP / neighbour solicitation to their address) where they have one:
 * a backend that stops answering is down, its hashed flows move, and
 * what only it can serve (its SAs, TEIDs, tags) is dropped and counted.
 * IP fragments to a VIP carry the SPI, ports or TEID in the first one
 * only: the workers hand them to the control lcore, which puts each
 * datagram back together, decides its backend as for a whole packet,
 * and sends it on cut again to the lb port's MTU (lb_frag.c); packets
 * above that MTU go there too, to be cut (IPv4, DF clear) or answered
 * with ICMP "too big".
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_common.h>
#include <rte_ether.h>
#include <rte_spinlock.h>

#include "ss_app_lb_ct.h"
#include "ss_config.h"
#include "ss_net_reasm.h"

struct ss_app;
struct ss_lb_ct;
struct ss_steer_ctx;
struct ss_worker;
struct rte_mbuf;

#define SS_LB_MAX_VIPS 16
#define SS_LB_MAX_BACKENDS 64
#define SS_LB_MAX_IDS 256		/* instance-ids: 2^8 at most */
#define SS_LB_MAX_WEIGHT 1000

struct ss_app_lb_backend {
	uint16_t id;			/* instance-id, < 2^instance_bits */
	struct rte_ether_addr mac;	/* the host's MAC on the lb port */
	struct ss_ipaddr ip;		/* health checks; family 0: none */
	uint16_t weight;		/* share of the hashed traffic */
	int line;
};

/* The parsed section (lb_cfg.c); nb_backends 0: no section. */
struct ss_app_lb_cfg {
	struct ss_ipaddr vips[SS_LB_MAX_VIPS];
	uint8_t nb_vips;
	uint8_t port;			/* index into cfg ports */
	uint16_t ike_backend;		/* instance-id */
	bool announce;			/* ARP/NS for the VIPs */
	uint32_t health_ms;		/* check interval; 0: no checks */
	uint8_t health_fall;		/* missed checks: down */
	uint8_t health_rise;		/* answered checks: up again */
	uint32_t conn_max;		/* tracked flows per worker; 0: none */
	uint32_t conn_idle_s;		/* a tracked flow's idle time */
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
	uint64_t down;			/* its own (by id, or IKE) while it was
					 * down or disabled: dropped */
};

/* One worker's counters, by backend instance-id (they survive the
 * backend's removal and return): written by that worker only. */
struct ss_lb_wstats {
	struct ss_lb_bstats b[SS_LB_MAX_IDS];
	uint64_t unknown_id;	/* SPI/TEID/vtag id of no backend: dropped */
	uint64_t bad;		/* to a VIP, headers unusable: dropped */
	struct ss_lb_ct_stats ct;	/* connection tracking */
	uint64_t untracked;	/* hashed, headers a flow cannot be read
				 * from (sent as hashed) */
	uint64_t frag;		/* fragments to a VIP, handed to the
				 * control lcore */
	uint64_t big;		/* whole, above the lb port's MTU: handed
				 * to the control lcore */
} __rte_cache_aligned;

/* The control lcore's side of fragments, and of packets too big for the
 * lb port, to a VIP (lb_frag.c). */
struct ss_lb_frag_stats {
	uint64_t datagrams;	/* whole (again) and given a backend */
	uint64_t sent;		/* frames sent on for them */
	uint64_t too_big;	/* above the lb port's MTU, DF set or IPv6:
				 * dropped, ICMP "too big" to the sender */
	uint64_t dropped;	/* datagrams with a backend that could not be
				 * cut or sent (no mbuf, TX full) */
	uint64_t ext_kept;	/* IPv6 datagrams whose extension headers in
				 * front of the fragment header were put
				 * back once whole */
	uint64_t ext_evicted;	/* such headers let go before their
				 * datagram was whole (more than the table
				 * holds at once) */
	struct ss_net_reasm_stats reasm;	/* putting them together */
};

/* IPv6 extension headers in front of a fragment header that the load
 * balancer keeps for a datagram it puts together: within an mbuf's
 * headroom, where they go back. */
#define SS_LB_FRAG_EXT_MAX 120

/* Hash slots of the 5-tuple traffic: spread over the backends that are up
 * by weighted rendezvous hashing, so that one coming, going or changing
 * weight moves only its own share. */
#define SS_LB_HASH_SLOTS 256

/* What the workers read: made whole by the control lcore on every
 * change, published with a release store, freed after every worker's
 * quiescent state (QSBR). Index i: the i-th backend of the list. */
struct ss_lb_table {
	struct ss_steer_ctx *steer;	/* index = backend, id = its id */
	uint16_t ike_idx;		/* backend index of ike_backend */
	uint16_t nb;
	uint16_t id[SS_LB_MAX_BACKENDS];
	uint8_t up[SS_LB_MAX_BACKENDS];	/* enabled and not down */
	uint8_t id_up[SS_LB_MAX_IDS];	/* the same, by instance-id */
	/* the Ethernet addresses written: dst = backend, src = lb port */
	struct rte_ether_hdr eth[SS_LB_MAX_BACKENDS];
};

enum ss_lb_health {
	SS_LB_UNCHECKED = 0,	/* no ip: trusted */
	SS_LB_UP,
	SS_LB_DOWN,
};

/* A backend as the control lcore keeps it (config, shell, checks). */
struct ss_lb_be {
	uint16_t id;
	struct rte_ether_addr mac;
	struct ss_ipaddr ip;		/* family 0: not checked */
	uint16_t weight;		/* 0: none of the hashed traffic */
	bool enabled;			/* lb backend enable|disable */
	uint8_t health;			/* enum ss_lb_health */
	uint8_t fails;			/* checks missed in a row */
	uint8_t oks;			/* checks answered in a row */
	bool mac_warned;
	uint64_t last_probe;		/* timer cycles; 0: none yet */
	uint64_t last_ok;		/* last answer; 0: none */
	uint64_t since;			/* last state change */
	uint64_t probes, answers, downs, mac_mismatch;
};

#define SS_LB_MAX_OLD 8

/* The role's state: the VIPs and the port are fixed; the backends change
 * at run time (shell, health checks) through a new table. */
struct ss_app_lb {
	struct ss_lb_table *tab;	/* the workers' (acquire load) */
	uint8_t port;
	uint8_t nb_v4;
	uint8_t nb_v6;
	uint32_t v4[SS_LB_MAX_VIPS];	/* network order */
	uint8_t v6[SS_LB_MAX_VIPS][16];
	uint16_t ike_id;
	/* written by the control lcore only; the telemetry thread reads
	 * be[] under the lock */
	rte_spinlock_t lock;
	struct ss_lb_be be[SS_LB_MAX_BACKENDS];
	uint16_t nb_be;
	struct {
		struct ss_lb_table *t;
		uint64_t token;
	} old[SS_LB_MAX_OLD];		/* replaced, until quiescent */
	uint16_t nb_old;
	uint64_t tables;		/* published since start */
	bool stale;			/* a health change not yet published */
	uint64_t next_check;
	/* connection tracking: set by the control lcore, read by the
	 * workers once per burst (relaxed: a burst late is fine) */
	uint64_t ct_idle_tsc;
	uint32_t ct_epoch;		/* flushes */
	uint32_t ct_idle_s;
	struct ss_lb_ct *ct[RTE_MAX_LCORE];	/* per worker; NULL: off */
	/* fragments: the control lcore's reassembly and counters */
	struct ss_net_reasm *reasm;
	struct ss_lb_frag_stats fst;
	uint32_t frag_id;		/* IPv6 fragment ids it gives */
	uint32_t mtu;			/* the lb port's (L3) */
	/* per worker (nb_workers), then the control lcore's (whole
	 * datagrams it sends on) */
	struct ss_lb_wstats *ws[];
};

/* lb_cfg.c: register the section (before the configuration is read). */
int ss_app_lb_register(struct ss_app *app);
const char *ss_app_lb_kind_name(unsigned int kind);

/* lb.c */
int ss_app_lb_init(struct ss_app *app);		/* after the ports */
void ss_app_lb_fini(struct ss_app *app);
/*
 * Control lcore (the shell runs there too). Backends added, removed,
 * enabled or disabled while the workers run: each change publishes a
 * new table. add: ip may be NULL (no health checks); -ENOENT (no lb),
 * -EINVAL (id does not fit instance_bits, MAC not unicast, ip of a
 * family the lb port has no address of), -EEXIST, -ENOSPC. del: -ENOENT,
 * -EBUSY (the ike_backend). enable: -ENOENT. Each returns 0 on success,
 * or -ENOMEM with nothing changed.
 */
int ss_app_lb_backend_add(struct ss_app *app, uint16_t id,
	const struct rte_ether_addr *mac, const struct ss_ipaddr *ip);
int ss_app_lb_backend_del(struct ss_app *app, uint16_t id);
int ss_app_lb_backend_enable(struct ss_app *app, uint16_t id, bool on);
/* Its share of the hashed traffic (0..SS_LB_MAX_WEIGHT; added backends
 * start at 1). 0 drains it: no hashed flow, still its own ids. -ENOENT,
 * -ERANGE. */
int ss_app_lb_backend_weight(struct ss_app *app, uint16_t id,
	uint16_t weight);
/* Connection tracking: forget every tracked flow (each is hashed again
 * on its next packet); set the idle time (1..SS_LB_CT_IDLE_MAX s,
 * -ERANGE). -ENOENT: no lb, -ENOTSUP: tracking off (conn_max 0). */
int ss_app_lb_ct_flush(struct ss_app *app);
int ss_app_lb_ct_idle(struct ss_app *app, uint32_t seconds);
/* Health checks (every health_ms) and freeing replaced tables. */
void ss_app_lb_timer(struct ss_app *app, uint64_t now);
const char *ss_app_lb_state_name(const struct ss_lb_be *b);
/*
 * Worker: take the packets of m[0..n) (transit, data at L2) sent to a
 * VIP out of m[]; those that have a backend are rewritten and put in
 * tx[] (*ntx of them), to be sent on lb->port; IP fragments and packets
 * above mtu (the lb port's) go to frag[] (*nfrag), for the control lcore
 * (ss_app_lb_frag_input); the
 * others are counted and freed. ct: the worker's connection table
 * (NULL: none). Returns how many packets are left in m[] (order kept).
 */
uint16_t ss_app_lb_take(const struct ss_app_lb *lb, struct ss_lb_wstats *st,
	struct ss_lb_ct *ct, struct rte_mbuf **m, uint16_t n, uint32_t mtu,
	struct rte_mbuf **tx, uint16_t *ntx, struct rte_mbuf **frag,
	uint16_t *nfrag);
/* lb_frag.c, control lcore: a fragment to a VIP, or a packet too big
 * for the lb port, that a worker punted (takes m); the reassembly
 * table's set-up and expiry; its teardown, after the ports are closed
 * (its buffers may be in their TX rings). */
void ss_app_lb_frag_input(struct ss_app *app, struct rte_mbuf *m);
int ss_app_lb_frag_init(struct ss_app *app);
void ss_app_lb_frag_timer(struct ss_app *app, uint64_t now);
void ss_app_lb_frag_fini(void);
/* Every worker's counters summed (and the control lcore's); zero them. */
void ss_app_lb_stats_sum(const struct ss_app *app, struct ss_lb_wstats *sum);
void ss_app_lb_stats_clear(struct ss_app *app);

#endif /* SS_APP_LB_H */
