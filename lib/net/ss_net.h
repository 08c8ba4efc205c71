/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 shardsec authors
 */

#ifndef SS_NET_H
#define SS_NET_H

/**
 * The gateway's own L2/L3 layer.
 *
 * Workers validate and classify received frames, forward transit IP
 * packets (route in rte_fib / rte_fib6, neighbour in a lock-free rte_hash)
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
/** Neighbour table size (static + learned, all ports and families). */
#define SS_NET_NEIGH_MAX 4096

/** Why a frame was dropped; one counter each in struct ss_net_stats. */
enum ss_net_drop {
	SS_NET_DROP_RUNT = 0,		/* shorter than an Ethernet header */
	SS_NET_DROP_ETHERTYPE,		/* unsupported ethertype (VLAN...) */
	SS_NET_DROP_ARP_MALFORMED,
	SS_NET_DROP_IP4_TRUNC,
	SS_NET_DROP_IP4_HDRLEN,		/* IHL < 5 */
	SS_NET_DROP_IP4_TOTLEN,		/* total length < IHL or > frame */
	SS_NET_DROP_IP4_CSUM,
	SS_NET_DROP_IP4_VERSION,
	SS_NET_DROP_IP4_FRAG,		/* unused: fragments to us are punted */
	SS_NET_DROP_IP6_TRUNC,
	SS_NET_DROP_IP6_PLEN,		/* payload length > frame */
	SS_NET_DROP_IP6_VERSION,
	SS_NET_DROP_TTL,		/* TTL / hop limit expired in transit */
	SS_NET_DROP_NO_ROUTE,
	SS_NET_DROP_NO_NEIGH,		/* neighbour table full, no source */
	SS_NET_DROP_HOLD_FULL,		/* hold queue of the neighbour full */
	SS_NET_DROP_HOLD_TIMEOUT,	/* neighbour unresolved in time */
	SS_NET_DROP_MTU,		/* longer than the output port's MTU */
	SS_NET_DROP_L4_TRUNC,		/* ICMP/UDP/ESP header cut short */
	SS_NET_DROP_ICMP_CSUM,		/* ICMP or ICMPv6 checksum */
	SS_NET_DROP_SRC_INVALID,	/* multicast/broadcast/own source */
	SS_NET_DROP_NOT_FOR_US,		/* other dst MAC, unhandled proto */
	SS_NET_DROP_NATT_KEEPALIVE,	/* 1-byte 0xff on UDP 4500 */
	SS_NET_DROP_ND_INVALID,		/* ND message failing RFC 4861 */
	SS_NET_DROP_IP6_FRAG,		/* fragment to us to a group, or cut */
	SS_NET_DROP_IP6_EXT,		/* bad or too many extension hdrs */
	SS_NET_DROP_IP6_ROUTING,	/* to us, routing hdr names more hops */
	SS_NET_DROP_NO_HEADROOM,	/* no room to prepend Ethernet */
	SS_NET_DROP_NO_MBUF,		/* control lcore: allocation failed */
	SS_NET_DROP_MAX
};

extern const char *const ss_net_drop_names[SS_NET_DROP_MAX];

/** Counters of one lcore; never shared. Only uint64_t members (summed
 * as an array by ss_net_stats_add). */
struct ss_net_stats {
	uint64_t drop[SS_NET_DROP_MAX];
	uint64_t punted;	/* classified PUNT */
	uint64_t forwarded;	/* ss_net_forward_burst: port chosen */
	uint64_t too_big;	/* ss_net_forward_burst: SS_NET_FWD_TOO_BIG */
	uint64_t originated;	/* ss_net_output_burst: port chosen */
	uint64_t held;		/* queued on a neighbour */
	uint64_t released;	/* held, then sent once resolved */
	uint64_t arp_req_tx;
	uint64_t arp_rep_tx;
	uint64_t nd_ns_tx;
	uint64_t nd_na_tx;
	uint64_t echo_rep_tx;
	uint64_t learned;	/* neighbour created or MAC changed */
	uint64_t ctl_ignored;	/* well-formed but needs no answer */
};

enum ss_net_class {
	SS_NET_CLASS_DROP = 0,	/* counted; caller frees */
	/* control plane: ARP, ND/RS/RA, ICMP/ICMPv6 to us, UDP 500 and
	 * non-ESP UDP 4500 to us, EAPOL (0x888e); IP fragments to us
	 * (packet_type L4_FRAG: the control lcore reassembles them);
	 * IPv6 to us with a routing header that names further hops
	 * (ss_net_ip6_rh_pointer: the control lcore answers it) */
	SS_NET_CLASS_PUNT,
	/* to one of our addresses: IP proto 50, or UDP 4500 whose first
	 * four payload bytes are not zero */
	SS_NET_CLASS_ESP,
	SS_NET_CLASS_FORWARD,	/* transit IPv4 / IPv6 */
};

/**
 * Validate and classify frames received on port index 'port' (index in
 * cfg->ports[]). Sets l2_len, l3_len (for ESP and UDP to us: up to the
 * L4 header, extension headers included), packet_type (with
 * SS_NET_PTYPE_IP4_CHECKED where it holds), m->port (the DPDK port id)
 * and trims Ethernet padding. An IPv4 header checksum is
 * checked unless the PMD flagged it (RTE_MBUF_F_RX_IP_CKSUM_*).
 */
void
ss_net_classify_burst(struct rte_mbuf **m, uint16_t n, uint8_t port,
	uint8_t cls[], struct ss_net_stats *st);

/**
 * packet_type bit, outside RTE_PTYPE_ALL_MASK, that ss_net_classify_burst
 * adds for an IPv4 packet whose header it checked and which lies whole in
 * its first segment: data at the Ethernet header (l2_len 14), version 4
 * with IHL 5, total length >= 20, pkt_len == data_len == 14 + total
 * length. lib/steer and lib/spd (SS_STEER_PTYPE_IP4_CHECKED,
 * SS_SPD_PTYPE_IP4_CHECKED: the same bit) then read the addresses and
 * the L4 header without checking the IP header again, as long as l2_len
 * is still 14: the header is parsed once. lib/esp, which rewrites
 * packet_type, sets the same bit (SS_ESP_PTYPE_IP4_CHECKED) on inner
 * packets it checked, with l2_len 0; forwarding keeps it true, since the
 * Ethernet header goes into the headroom of the first segment.
 */
#define SS_NET_PTYPE_IP4_CHECKED 0x10000000u

/**
 * For a frame ss_net_classify_burst punted (data at L2): if it is IPv6
 * to one of our unicast addresses with a routing header whose segments
 * left is not 0 (RFC 8200 4.4: we are not the last hop it names, and
 * this gateway takes no part in source routing), the offset of that
 * header's routing type field from the start of the IPv6 header, the
 * pointer of the ICMPv6 parameter problem (code 0) that answers it;
 * else -1. Multicast ones were dropped (SS_NET_DROP_IP6_ROUTING).
 */
int
ss_net_ip6_rh_pointer(const struct rte_mbuf *m);

#define SS_NET_FWD_DROP (-1)
#define SS_NET_FWD_HOLD (-2)
#define SS_NET_FWD_TOO_BIG (-3)

/** With SS_NET_FWD_TOO_BIG, what m->hash.usr holds. */
#define SS_NET_TOO_BIG_MTU(usr) ((uint16_t)((usr) >> 16))
#define SS_NET_TOO_BIG_PORT(usr) ((uint8_t)((usr) >> 8))

/**
 * Forward transit IP packets: data at L2 (l2_len set) or at L3
 * (l2_len 0: an Ethernet header is prepended). TTL / hop limit is
 * decremented. res[i] >= 0: output port index, frame ready (l2_len 14);
 * SS_NET_FWD_HOLD: give it to the control lcore (ss_net_ctl_hold), the
 * frame is complete but for its destination MAC; SS_NET_FWD_TOO_BIG:
 * longer than the next hop's MTU, untouched (TTL as it came), that MTU
 * and the output port index in m->hash.usr (SS_NET_TOO_BIG_*), for the
 * caller to fragment or answer with ICMP; SS_NET_FWD_DROP: counted,
 * caller frees. Any n (looked up in chunks of 64).
 */
void
ss_net_forward_burst(struct rte_mbuf **m, uint16_t n, int16_t res[],
	struct ss_net_stats *st);

/** Same for packets the gateway originates (no TTL decrement; longer
 * than the MTU: SS_NET_FWD_DROP, counted as SS_NET_DROP_MTU). */
void
ss_net_output_burst(struct rte_mbuf **m, uint16_t n, int16_t res[],
	struct ss_net_stats *st);

/**
 * Build the tables (control lcore, before workers start): connected
 * routes from the ports' addresses, static routes and neighbours from
 * cfg. port_ids[i] is the DPDK port id of cfg->ports[i], macs[i] its MAC.
 * 0, or -EINVAL (bad config: logged), -EBUSY (already up), -ENOMEM.
 */
int
ss_net_init(const struct ss_config *cfg, const uint16_t port_ids[],
	const struct rte_ether_addr macs[], int socket_id);
/** Free everything, held packets included. Safe when not initialised. */
void
ss_net_fini(void);
/** DPDK port id of port index 'port'. */
uint16_t
ss_net_port_id(uint8_t port);
/** One of our addresses (configured, or a port's fe80:: link-local)?
 * *port (may be NULL) gets the port that has it. */
bool
ss_net_is_local(const struct ss_ipaddr *a, uint8_t *port);

/** At most this many announced addresses (ss_net_announce). */
#define SS_NET_MAX_ANNOUNCE 32

/**
 * Answer ARP requests (IPv4) or neighbour solicitations (IPv6) for 'a'
 * on the ports of port_mask (bit p: port index p) with the port's MAC,
 * as a load balancer does for its virtual IPs. The address does not
 * become ours: IP packets to it are still transit. Control lcore, after
 * ss_net_init. 0, -EEXIST (already announced or one of our addresses),
 * -ENOSPC, -EINVAL.
 */
int
ss_net_announce(const struct ss_ipaddr *a, uint32_t port_mask);

/** Transmit one frame from the control lcore; frees m on failure. */
typedef int (*ss_net_tx_fn)(uint8_t port, struct rte_mbuf *m, void *arg);

/* Longest fragment ss_net_fragment makes (the largest port MTU). */
#define SS_NET_FRAG_MAX 9600

/* Receives each fragment (IP header first, len bytes, valid until it
 * returns); non-zero stops the cutting and is returned. */
typedef int (*ss_net_frag_emit)(const uint8_t *frag, uint32_t len,
	void *arg);

/*
 * Cut the IP packet at l3 (len bytes, checksums done) into fragments of
 * at most mtu bytes, by copy, and hand them to emit in order. IPv4 keeps
 * the packet's own offset and MF (it may be a fragment already), and
 * later fragments carry only the options with the copied flag; IPv6
 * gets a fragment header with id behind its unfragmentable part, which
 * every fragment carries (ss_net_ip6_unfrag_len).
 * -EMSGSIZE when mtu leaves no room for 8 bytes, -EINVAL bad input.
 */
int
ss_net_fragment(const uint8_t *l3, uint32_t len, uint32_t mtu, uint32_t id,
	ss_net_frag_emit emit, void *arg);

/* Extension headers walked in front of an upper layer or fragment header. */
#define SS_NET_IP6_EXT_MAX 8

/*
 * The IPv6 packet at l3 (len bytes): the length of its unfragmentable part
 * (RFC 8200 4.5: the IPv6 header, hop-by-hop options, a routing header and
 * the destination options in front of it), and in *nh the offset of the
 * next-header byte that names what follows that part. -EINVAL when a
 * header runs past len.
 */
int
ss_net_ip6_unfrag_len(const uint8_t *l3, uint32_t len, uint32_t *nh);

/*
 * The IPv6 fragment at l3 (len bytes): the offset of its fragment header,
 * when only hop-by-hop options, destination options and routing headers
 * with no segments left stand in front of it (at most
 * SS_NET_IP6_EXT_MAX), and in *nh the offset of the next-header byte that
 * names it; -1 otherwise.
 */
int
ss_net_ip6_frag_hdr(const uint8_t *l3, uint32_t len, uint32_t *nh);

/** Where the control lcore sends, and allocates requests from. */
void
ss_net_ctl_set_tx(ss_net_tx_fn tx, void *arg, struct rte_mempool *mp);

/**
 * A punted frame (data at L2) received on port index 'port'. Answers
 * ARP requests and NS for the port's addresses, learns neighbours from
 * ARP and NA/NS, answers ICMP / ICMPv6 echo requests to us. Returns 0
 * when consumed (answered, learned or dropped with a counter) or
 * -ENOTSUP when it is for another control plane (IKE, MKA): then m is
 * untouched and still the caller's.
 */
int
ss_net_ctl_input(struct rte_mbuf *m, uint8_t port, struct ss_net_stats *st);

/** A packet that got SS_NET_FWD_HOLD: queue it on its neighbour (at most
 * cfg->arp_hold_pkts, newer ones dropped), solicit the neighbour, send
 * the queue in order once it answers. Always consumes m. */
void
ss_net_ctl_hold(struct rte_mbuf *m, struct ss_net_stats *st);

/** Hold timeouts, retries, ageing; call every few ms with
 * rte_get_timer_cycles(). */
void
ss_net_ctl_timer(uint64_t now, struct ss_net_stats *st);

/**
 * Health probe of a neighbour (control lcore), as a load balancer checks
 * its backends: make its entry if there is none, solicit it now (ARP
 * request or NS; unicast once its MAC is known, so that only that host
 * can confirm), and say when it last answered. *confirmed: timer cycles
 * of its last confirmation, 0 when it has not answered since the entry
 * was made; *mac: the MAC it answered with (zero if none). 0, or
 * -EINVAL (bad port or address, or a static entry), -EADDRNOTAVAIL (the
 * port has no address of that family to ask from), -ENOSPC (neighbour
 * table full).
 */
int
ss_net_neigh_probe(uint8_t port, const struct ss_ipaddr *ip,
	struct ss_net_stats *st, uint64_t *confirmed,
	struct rte_ether_addr *mac);

struct ss_net_neigh_info {
	uint8_t port;
	struct ss_ipaddr ip;
	struct rte_ether_addr mac;	/* zero while incomplete */
	const char *state;	/* static reachable incomplete stale */
	uint32_t held;
	uint64_t age_ms;	/* since last confirmed (or created) */
};

/** Control lcore. cb returning non-zero stops the walk (returned). */
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
