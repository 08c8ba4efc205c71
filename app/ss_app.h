/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 shardsec authors
 */

#ifndef SS_APP_H
#define SS_APP_H

/*
 * The shardsec program: lcore roles and the state they share.
 *
 * The main lcore is the control lcore: it owns the configuration, the
 * neighbour/route writers, the shell and (later) IKE and MKA. Every other
 * enabled lcore that hosts at least one server is a worker. Each port has
 * one RX/TX queue pair per worker plus one for the control lcore. Workers
 * talk to the control lcore and to each other only through single-producer
 * single-consumer rings, so nothing on the packet path is shared.
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_ethdev.h>
#include <rte_ring.h>

#include "ss_config.h"
#include "ss_esp.h"
#include "ss_hold.h"
#include "ss_net.h"
#include "ss_net_reasm.h"
#include "ss_sa.h"
#include "ss_spd.h"
#include "ss_steer.h"

struct ss_macsec;
struct ss_app_lb;

#define SS_MAX_WORKERS 16
#define SS_BURST 32
#define SS_PUNT_RING 1024
#define SS_HANDOFF_RING 1024
#define SS_ACQ_RING 256

/* A worker's request for an SA that its server lacks (hold.c): the
 * first packet of a hold queue sends one to the control lcore. */
struct ss_acquire {
	uint32_t tunnel;
	uint16_t server;
	uint16_t pad;
};

/* Why a worker punted a packet (kept in m->hash.usr on the punt ring). */
enum ss_punt_reason {
	SS_PUNT_CTL = 1,	/* control-plane frame: ARP, ND, ICMP to self... */
	SS_PUNT_HOLD = 2,	/* transit packet waiting for ARP/ND */
	SS_PUNT_TOO_BIG = 3,	/* protected form above the MTU: answer
				 * with ICMP; the MTU is in the top 16 bits */
	SS_PUNT_UNREACH = 4,	/* held for an SA in vain (ipsec.hold answer
				 * "icmp"): ICMP unreachable; data at L3 */
	SS_PUNT_FWD_TOO_BIG = 5, /* transit, above the next hop's MTU:
				 * fragment or ICMP; the MTU and the port
				 * as lib/net left them (SS_NET_TOO_BIG_*) */
	SS_PUNT_LB_FRAG = 6,	/* an IP fragment to a load balancer VIP:
				 * put together, then to its backend */
};

/* A class for ss_app_ctl_dispatch beside lib/net's: a packet the control
 * lcore made that the worker routes as it is, without the SPD (pieces
 * of a transit packet that was already let through whole). */
#define SS_APP_CLASS_ROUTE 0x80

struct ss_worker_stats {
	uint64_t rx_pkts;
	uint64_t tx_pkts;
	uint64_t tx_drops;	/* TX queue full */
	uint64_t punted;
	uint64_t punt_drops;	/* punt ring full */
	uint64_t frag_shed;	/* fragments to us, punt ring half full */
	uint64_t too_big_shed;	/* transit too big, punt ring half full */
	uint64_t handoff_tx;	/* given to another server's lcore */
	uint64_t handoff_rx;
	uint64_t handoff_drops;	/* handoff ring full */
	uint64_t polls;
	uint64_t busy_polls;
	uint64_t busy_cycles;	/* TSC spent on polls that found work */
	uint64_t esp_no_spi;	/* ESP to us whose SPI steering cannot read */
	uint64_t srv_gone;	/* steered to a server removed meanwhile */
	uint64_t acq_drops;	/* ACQUIRE not sent: acq ring full */
	uint64_t msec_handoff;	/* to a MACsec port's owner (macsec_dp.c) */
};

/*
 * The stages of a worker's packet path, for 'show runtime' (runtime.c):
 * each library call on a burst, timed when the profile is on, as VPP's
 * 'show runtime' times its graph nodes. What is not in a stage (the
 * worker's own dispatch between them) is shown as "other".
 */
enum ss_stage {
	SS_STAGE_RX,		/* rte_eth_rx_burst that returned packets */
	SS_STAGE_CLASSIFY,	/* prefetch + ss_net_classify_burst */
	SS_STAGE_STEER,		/* ss_steer_classify_burst */
	SS_STAGE_SPD,		/* ss_spd_lookup_burst_cached */
	SS_STAGE_ESP_OUT,	/* ss_esp_outbound_burst */
	SS_STAGE_OUTPUT,	/* ss_net_output_burst (ESP leaving) */
	SS_STAGE_ESP_IN,	/* L2 strip + ss_esp_inbound_burst */
	SS_STAGE_INNER,		/* ss_steer_classify_inner_burst */
	SS_STAGE_FORWARD,	/* ss_net_forward_burst */
	SS_STAGE_TX,		/* TX buffers and their flush */
	SS_STAGE_HANDOFF,	/* rings to and from other workers */
	SS_STAGE_MAX
};

struct ss_stage_stats {
	uint64_t calls;		/* bursts */
	uint64_t pkts;
	uint64_t cycles;	/* TSC */
};

/* Per server, written only by the worker that hosts it. */
struct ss_server_stats {
	uint64_t rx;		/* packets this server processed */
	uint64_t esp_in;	/* ESP packets it took in for decryption */
	uint64_t esp_out;	/* cleartext packets it protected */
	uint64_t bypass;	/* forwarded in the clear by policy */
	uint64_t spd_discard;	/* dropped by policy */
	uint64_t handoff_in;	/* received from another lcore */
	uint64_t handoff_out;	/* arrived here, owned by another server */
	uint64_t resteer;	/* decrypted packet whose TEID/vtag names
				 * another server */
	uint64_t no_owner;	/* id names no configured server */
	uint64_t too_big;	/* protected result above the MTU */
} __rte_cache_aligned;

/* The servers a worker hosts, as its lcore reads them: immutable once
 * published, replaced under RCU by server add/del (server.c). */
struct ss_srv_list {
	uint16_t n;
	uint16_t s[SS_CFG_MAX_SERVERS];
};

struct ss_worker {
	unsigned int lcore;
	uint16_t idx;				/* queue id on every port */
	/* control-lcore view (shell); the worker reads 'list' */
	uint16_t nb_servers;
	uint16_t servers[SS_CFG_MAX_SERVERS];	/* indexes into cfg servers */
	struct ss_srv_list *list;
	struct rte_ring *punt;			/* worker -> control */
	struct rte_ring *acq;		/* struct ss_acquire, -> control */
	bool hold_on;		/* some server of this worker holds packets */
	uint32_t msec_hold;	/* bit p: MACsec port p holds frames */
	/* in[j]: packets handed over by worker j (j == nb_workers: the
	 * control lcore's RX queue). */
	struct rte_ring *in[SS_MAX_WORKERS + 1];
	struct rte_eth_dev_tx_buffer *txb[SS_CFG_MAX_PORTS];
	uint32_t tx_pending;	/* bit p: txb[p] took packets this poll */
	struct ss_spd_cache *spd_cache;		/* this worker's own */
	uint64_t *spd_hits;			/* per-rule hits, ss_spd_walk */
	struct ss_worker_stats st;
	struct ss_net_stats net;
	struct ss_steer_stats steer;
	/* 'show runtime': prof is the worker's copy of app->runtime_on,
	 * read once per poll; busy is its busy TSC while on. */
	bool prof;
	uint64_t prof_busy;
	uint64_t prof_polls;
	struct ss_stage_stats stage[SS_STAGE_MAX];
} __rte_cache_aligned;

struct ss_ctl_stats {
	uint64_t rx_pkts;
	uint64_t punt_rx;
	uint64_t tx_pkts;
	uint64_t tx_drops;
	uint64_t unhandled;	/* punted frame no control-plane user wants */
	uint64_t handoff_tx;
	uint64_t handoff_drops;
	uint64_t loops;
	uint64_t sleeps;
	uint64_t icmp_too_big;		/* frag-needed / packet-too-big sent */
	uint64_t too_big_dropped;	/* too big, no ICMP (IPv4 DF clear) */
	uint64_t icmp_unreach;		/* unreachable sent for held packets */
	uint64_t unreach_dropped;	/* held in vain, no ICMP possible */
	uint64_t acquires;		/* ACQUIREs from the workers */
	/* IP fragments to us (reasm.c) */
	struct ss_net_reasm_stats reasm;
	/* IPv4 DF clear, too big once protected (prefrag.c) */
	uint64_t prefrag;		/* packets fragmented before ESP */
	uint64_t prefrag_pieces;	/* the fragments they made */
	/* transit packets above the next hop's MTU (icmp_err.c) */
	uint64_t fwd_too_big;		/* punted to us */
	uint64_t fwd_fragmented;	/* IPv4 DF clear: fragmented */
	uint64_t fwd_frag_pieces;	/* the fragments they made */
	uint64_t icmp_rate_limited;	/* ICMP errors not sent: rate */
	uint64_t icmp_param_problem;	/* sent: routing hdr to us (RFC 8200) */
};

struct ss_swnic_sec;

struct ss_app {
	struct ss_config cfg;
	struct rte_mempool *pool;
	uint16_t nb_ports;
	uint16_t port_id[SS_CFG_MAX_PORTS];
	struct rte_ether_addr port_mac[SS_CFG_MAX_PORTS];
	bool port_started[SS_CFG_MAX_PORTS];
	uint16_t nb_workers;
	struct ss_worker workers[SS_MAX_WORKERS];
	/* Server index -> worker index. Server indexes are those of
	 * cfg.servers[0..cfg.nb_servers); 'server add' / 'server del'
	 * (server.c) make and free them at run time: srv_live says which
	 * are in use. */
	uint16_t server_worker[SS_CFG_MAX_SERVERS];
	bool srv_live[SS_CFG_MAX_SERVERS];
	struct ss_server_stats srv[SS_CFG_MAX_SERVERS];
	/* IPsec dataplane (ipsec.c) */
	struct ss_sa_cfg sacfg;
	struct ss_steer_ctx *steer;
	struct rte_rcu_qsbr *qsbr;
	struct ss_sa_db *sadb;
	struct ss_spd *spd;
	struct ss_esp_server *esp[SS_CFG_MAX_SERVERS];
	struct ss_hold *hold[SS_CFG_MAX_SERVERS];	/* NULL: hold off */
	/* inbound ESP of paused SAs (NIC key push), by SPI */
	struct ss_hold *hold_in[SS_CFG_MAX_SERVERS];
	/* ipsec.inline.software: the software inline NIC on that port */
	struct ss_swnic_sec *swnic_sec;
	void *ike;			/* struct ss_app_ike, ike.c */
	/* MACsec ports (macsec.c): SecY and owning worker by port index;
	 * bit p of msec_mask: port p is one. */
	struct ss_macsec *msec[SS_CFG_MAX_PORTS];
	uint16_t msec_owner[SS_CFG_MAX_PORTS];
	struct ss_hold *msec_hold[SS_CFG_MAX_PORTS];	/* NULL: off */
	uint32_t msec_mask;
	struct ss_app_gen *gen;		/* traffic generator, gen.c */
	/* Load balancer role (lb.c, section "lb"): NULL and false when
	 * the configuration has none. */
	struct ss_app_lb *lb;
	bool lb_on;
	unsigned int main_lcore;
	struct ss_ctl_stats ctl;
	struct ss_net_stats ctl_net;
	bool interactive;
	const char *cmdline_file;
	bool stats_on_exit;
	bool runtime_on;	/* 'runtime on': workers time their stages */
	uint64_t runtime_since;	/* TSC of 'runtime on' / 'clear runtime' */
	volatile bool quit;
	int exit_status;
};

extern struct ss_app ss_app;

/* app.c: bring-up for the program and the benchmark. cfg_text is used
 * when cfg_path is NULL; both NULL: the embedded default. */
int ss_app_setup(const char *cfg_path, const char *cfg_text);
int ss_app_launch(void);
void ss_app_teardown(void);

/* port.c */
int ss_app_ports_init(struct ss_app *app);
void ss_app_ports_fini(struct ss_app *app);
int ss_app_port_index(const struct ss_app *app, uint16_t port_id);

/* worker.c */
/* Worker that owns a transit packet the control lcore received. */
uint16_t ss_app_ctl_owner(const struct ss_app *app, const struct rte_mbuf *m);

/* ctl.c: a frame the control lcore classified (cls): handled here
 * (PUNT), handed to the worker of its server (ESP, FORWARD), to a worker
 * to route (SS_APP_CLASS_ROUTE), or freed. */
void
ss_app_ctl_dispatch(struct ss_app *app, struct rte_mbuf *m, uint8_t cls);

/* prefrag.c: orig (IPv4, DF clear) does not fit the tunnel once
 * protected (cls SS_NET_CLASS_FORWARD: the pieces go through the SPD),
 * or its next hop (SS_APP_CLASS_ROUTE: routed as they are): fragments
 * of at most mtu bytes go back to a worker. */
void
ss_app_prefrag(struct ss_app *app, struct rte_mbuf *orig, uint16_t mtu,
	uint8_t cls);

/* reasm.c: IP fragments to us, reassembled on the control lcore. */
int
ss_app_reasm_init(struct ss_app *app);
void
ss_app_reasm_fini(struct ss_app *app);
void
ss_app_reasm_timer(struct ss_app *app);
/* m: a fragment lib/net punted (L4_FRAG), arrived on port index port */
void
ss_app_reasm_input(struct ss_app *app, struct rte_mbuf *m, uint8_t port);
int ss_app_worker_main(void *arg);
int ss_app_workers_init(struct ss_app *app);
void ss_app_workers_fini(struct ss_app *app);

/* ctl.c */
void ss_app_ctl_loop(struct ss_app *app);
/* One turn of the control work (punt rings, control RX queue, timers)
 * without the shell: for commands that wait while the gateway runs. */
uint16_t ss_app_ctl_service(struct ss_app *app);
int ss_app_ctl_tx(uint8_t port, struct rte_mbuf *m, void *arg);

/* shell.c */
void *ss_shell_start(struct ss_app *app);
/* One step of the interactive shell: returns false once it has ended. */
bool ss_shell_poll(void *sh);
void ss_shell_stop(void *sh);

/* ike.c: the IKEv2 control plane on the control lcore (when built). */
struct rte_mbuf;
int ss_app_ike_register(struct ss_app *app);	/* before config load */
int ss_app_ike_init(struct ss_app *app);	/* after ss_app_ipsec_init */
void ss_app_ike_fini(struct ss_app *app);
/* A punted frame (data at L2) for UDP 500/4500 of one of our addresses:
 * 0 when consumed, -ENOTSUP when it is not IKE. */
int ss_app_ike_input(struct ss_app *app, struct rte_mbuf *m, uint8_t port);
void ss_app_ike_timer(struct ss_app *app, uint64_t now_tsc);
/* For the shell (shell_ike.c). */
struct ss_ike;
struct ss_ike_conf;
struct ss_ike *ss_app_ike_engine(const struct ss_app *app);
const struct ss_ike_conf *ss_app_ike_conf(void);
uint64_t ss_app_ike_now(const struct ss_app *app);
const char *ss_app_ike_last_event(const struct ss_app *app,
	unsigned int peer);
/* The bridge's counters: rx, rx_bad, tx, tx_held, tx_failed, installs,
 * install_failed, tx IP fragments. */
#define SS_APP_IKE_NB_COUNTERS 8
void ss_app_ike_counters(const struct ss_app *app,
	uint64_t c[SS_APP_IKE_NB_COUNTERS]);
int ss_app_ike_initiate(struct ss_app *app, const char *peer);
/* ike_tm.c: telemetry snapshot, published from the control lcore. */
void ss_app_ike_tm_publish(struct ss_app *app);
void ss_app_ike_tm_register(void);

/* runtime.c: per-stage cycles of the workers ('show runtime'). */
void ss_app_runtime_set(struct ss_app *app, bool on);
void ss_app_runtime_clear(struct ss_app *app);
const char *ss_app_stage_name(enum ss_stage s);
/* One worker's stages (pkts, cycles summed), and its busy TSC and polls
 * with work while on: what 'show runtime' and telemetry print. */
struct ss_runtime_view {
	struct ss_stage_stats stage[SS_STAGE_MAX];
	uint64_t busy;
	uint64_t polls;
};
void ss_app_runtime_read(const struct ss_app *app, uint16_t worker,
	struct ss_runtime_view *v);

/* server.c: servers added and removed at run time */
/* Server indexes the dataplane can hold (live or not). */
static inline uint16_t
ss_app_server_capacity(const struct ss_config *cfg)
{
	return (uint16_t)RTE_MIN((unsigned int)SS_CFG_MAX_SERVERS,
		1u << cfg->instance_bits);
}

/* The steering context the workers read now. */
static inline const struct ss_steer_ctx *
ss_app_steer(const struct ss_app *app)
{
	return __atomic_load_n(&app->steer, __ATOMIC_ACQUIRE);
}

int ss_app_servers_init(struct ss_app *app);	/* before launch */
void ss_app_servers_fini(struct ss_app *app);	/* workers stopped */
/* Control lcore: free what the workers no longer reference. */
void ss_app_servers_timer(struct ss_app *app);
/* 0, or -errno with a sentence in err. */
int ss_app_server_add(struct ss_app *app, uint16_t id, unsigned int lcore,
	char *err, size_t len);
int ss_app_server_del(struct ss_app *app, uint16_t id, char *err,
	size_t len);
uint16_t ss_app_servers_live(const struct ss_app *app);

/* gen.c: traffic generator lcore and its ports (section "gen"). */
struct ss_app_gen;
int ss_app_gen_register(struct ss_app *app);	/* after ipsec's */
/* Every section the program parses (ipsec, ike, gen, macsec, lb), once,
 * before ss_cfg_load: what they fill lives in app and in their files'
 * state. */
int ss_app_config_register(struct ss_app *app);
int ss_app_gen_init(struct ss_app *app);	/* after ss_app_ipsec_init */
int ss_app_gen_launch(struct ss_app *app);
void ss_app_gen_fini(struct ss_app *app);	/* after the lcores stopped */
bool ss_app_gen_lcore(const struct ss_app *app, unsigned int lcore);

/* ipsec.c */
int ss_app_ipsec_init(struct ss_app *app);
void ss_app_ipsec_fini(struct ss_app *app);
void ss_app_flow_probe(struct ss_app *app);

/* icmp_err.c: answer a too-big packet (data at L3) with ICMP; frees it. */
void ss_app_icmp_too_big(struct ss_app *app, struct rte_mbuf *orig,
	uint16_t mtu);
/* ... and a packet held in vain with ICMP (host / address) unreachable;
 * frees it. */
void ss_app_icmp_unreach(struct ss_app *app, struct rte_mbuf *orig);
/* ... and a transit packet above its next hop's MTU (data at L2, as
 * lib/net left it): fragmented (IPv4, DF clear) or answered with ICMP
 * too big; frees it. */
void ss_app_fwd_too_big(struct ss_app *app, struct rte_mbuf *orig);
/* ... and an IPv6 packet to us whose routing header names further hops
 * (data at L2; pointer: ss_net_ip6_rh_pointer) with a parameter
 * problem; counted as SS_NET_DROP_IP6_ROUTING and freed. */
void ss_app_icmp_param_problem(struct ss_app *app, struct rte_mbuf *orig,
	uint32_t pointer);

/* worker.c, for hold.c: protect and send m[0..n) (data at L3) on the
 * worker's lcore; punt to the control lcore. */
void ss_app_server_protect(struct ss_app *app, struct ss_worker *w,
	uint16_t srv, struct rte_mbuf **m, const uint32_t tun[], uint16_t n);
/* Buffer n packets for TX on port index p (this worker's queue). */
void ss_app_worker_tx_bulk(struct ss_app *app, struct ss_worker *w,
	uint8_t p, struct rte_mbuf **m, uint16_t n);
void ss_app_worker_punt(struct ss_worker *w, struct rte_mbuf **m,
	uint16_t n, uint32_t reason);
void ss_app_server_decrypt(struct ss_app *app, struct ss_worker *w,
	uint16_t srv, struct rte_mbuf **m, uint16_t n, bool l2);

/* hold.c: outbound packets held while their SA is negotiated (lib/hold).
 * Per server, on its worker's lcore; the ACQUIREs reach the control
 * lcore through each worker's acq ring. */
int ss_app_hold_create(struct ss_app *app, uint16_t srv, int socket);
void ss_app_hold_free(struct ss_app *app, uint16_t srv);
/* Hold m[0..n) (no SA for tun[i] here) or answer what is refused. */
void ss_app_hold_aside(struct ss_app *app, struct ss_worker *w, uint16_t srv,
	struct rte_mbuf **m, const uint32_t tun[], uint16_t n);
/* Inbound ESP of paused SAs (spi[i]): held per SPI until the NIC has
 * the key; refused ones are dropped (counted by the hold). */
void ss_app_hold_in_aside(struct ss_app *app, struct ss_worker *w,
	uint16_t srv, struct rte_mbuf **m, const uint32_t spi[], uint16_t n);
/* Release the inbound SPIs whose SA is no longer paused, then fill spi[]
 * (room for SS_ESP_DIVERT_MAX) with those still held; returns how many. */
uint16_t ss_app_hold_in_divert(struct ss_app *app, struct ss_worker *w,
	uint16_t srv, uint32_t spi[]);
/* Release what can go, then move the packets of m[0..n) whose tunnel is
 * still held into its queue, behind the others; returns the packets
 * left in m (order kept). */
uint16_t ss_app_hold_divert(struct ss_app *app, struct ss_worker *w,
	uint16_t srv, struct rte_mbuf **m, uint32_t tun[], uint16_t n);
/* Once per poll while w->hold_on: release, expire; packets sent. */
uint32_t ss_app_hold_poll(struct ss_app *app, struct ss_worker *w);
/* Control lcore: take the workers' ACQUIREs; how many. */
uint16_t ss_app_hold_acquire_drain(struct ss_app *app);
/* ike.c: negotiate the SA of a tunnel named "<peer>/<child>": 0,
 * -ENOENT (no IKE peer of that name), or the engine's error. */
int ss_app_ike_acquire(struct ss_app *app, uint32_t tunnel);

/* telemetry.c */
void ss_app_telemetry_init(void);

/* stats.c */
void ss_app_print_stats(const struct ss_app *app, FILE *f);

#endif /* SS_APP_H */
