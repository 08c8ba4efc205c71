/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 shardsec authors
 */

#ifndef SS_NET_REASM_H
#define SS_NET_REASM_H

/**
 * Reassembly of IP fragments addressed to the gateway (RFC 4303 3.4.1:
 * ESP is reassembled before it is processed; an IKE peer without RFC
 * 7383 sends large messages as IP fragments). One table, on the control
 * lcore: the workers punt every fragment to it (ss_net_classify_burst
 * marks them RTE_PTYPE_L4_FRAG), so the fragments of one datagram meet
 * whichever queues they arrived on. A whole datagram comes back in one
 * mbuf (the ESP and IKE paths read one segment), from the caller's pool
 * when it fits there, else from the table's own pool of jumbo buffers.
 */

#include <stdint.h>

#include <rte_mbuf.h>

/** Longest datagram put back together (IP header included): the largest
 * port MTU. Longer ones are dropped and counted in too_big. */
#define SS_NET_REASM_MAX 9600

struct ss_net_reasm;

struct ss_net_reasm_stats {
	uint64_t fragments;	/* fragments in */
	uint64_t done;		/* datagrams whole again, handed on */
	uint64_t jumbo;		/* of those, longer than one of the
				 * caller's mbufs (in the table's own) */
	uint64_t too_big;	/* whole, longer than SS_NET_REASM_MAX:
				 * its fragments are in dropped */
	uint64_t dropped;	/* fragments let go: invalid, overlapping,
				 * duplicate, timed out, evicted, no mbuf */
};

/**
 * A table for 'datagrams' datagrams in reassembly at once (rounded up to
 * a multiple of 4), each waiting at most timeout_ms for its missing
 * fragments. mp: where whole datagrams that fit go. NULL and rte_errno
 * on failure.
 */
struct ss_net_reasm *
ss_net_reasm_create(const char *name, uint32_t datagrams,
	uint32_t timeout_ms, struct rte_mempool *mp, int socket);

/** Frees what still waits (counted in st->dropped when st is given). */
void
ss_net_reasm_free(struct ss_net_reasm *r, struct ss_net_reasm_stats *st);

/**
 * One fragment, as lib/net classified it (packet_type, l2_len, l3_len;
 * IPv6: the fragment header right behind the base header). Takes m.
 * Returns the whole datagram, its L2 header included, in one mbuf with
 * the IPv4 header checksum filled in; NULL while it waits, or when it
 * was dropped (counted). now: rte_rdtsc().
 */
struct rte_mbuf *
ss_net_reasm_input(struct ss_net_reasm *r, struct rte_mbuf *m, uint64_t now,
	struct ss_net_reasm_stats *st);

/** Drops the datagrams that waited too long; call it now and then. */
void
ss_net_reasm_expire(struct ss_net_reasm *r, uint64_t now,
	struct ss_net_reasm_stats *st);

/**
 * Worker side, before punting m[0..n): once 'used' of the punt ring's
 * 'size' entries are taken (half or more), fragments are freed instead
 * (counted in *shed), so that a flood of them cannot crowd IKE, ARP and
 * ND out of the control lcore. Returns how many of m[] are left, in
 * their order.
 */
uint16_t
ss_net_reasm_shed(struct rte_mbuf **m, uint16_t n, unsigned int used,
	unsigned int size, uint64_t *shed);

#endif /* SS_NET_REASM_H */
