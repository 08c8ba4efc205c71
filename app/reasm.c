/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 shardsec authors
 */

/*
 * Reassembly of IP fragments addressed to the gateway, on the control
 * lcore: an IKE message or an ESP packet that a peer's path fragmented
 * (RFC 4303 3.4.1: ESP is reassembled before it is processed; RFC 7383
 * fragmentation needs both ends, IP fragmentation does not).
 *
 * The workers punt every fragment to us (lib/net marks it L4_FRAG), so
 * the fragments of one datagram meet in one rte_ip_frag table whichever
 * queues they came in on, and the per-packet path keeps no table of its
 * own. The datagram is copied into one mbuf (the ESP and IKE paths read
 * one segment) and classified again: IKE and ICMP stay here, ESP goes to
 * the worker of its server as ctl_rx hands it over.
 */

#include <errno.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_ip.h>
#include <rte_ip_frag.h>
#include <rte_mbuf.h>

#include "ss_app.h"

/* Datagrams in reassembly at once, and how long one waits for its
 * missing fragments (Linux: 30 s; a lost fragment costs the peer a
 * retransmission either way, a short wait bounds what an attacker can
 * pin down). */
#define REASM_BUCKETS		1024
#define REASM_BUCKET_ENTRIES	4
#define REASM_TIMEOUT_MS	2000

static struct rte_ip_frag_tbl *reasm_tbl;
static struct rte_ip_frag_death_row reasm_dr;

int
ss_app_reasm_init(struct ss_app *app)
{
	const uint64_t cycles = rte_get_tsc_hz() * REASM_TIMEOUT_MS / 1000;

	RTE_SET_USED(app);
	reasm_tbl = rte_ip_frag_table_create(REASM_BUCKETS,
		REASM_BUCKET_ENTRIES, REASM_BUCKETS * REASM_BUCKET_ENTRIES,
		cycles, (int)rte_socket_id());
	if (reasm_tbl == NULL) {
		fprintf(stderr, "shardsec: cannot create the IP reassembly "
			"table: %s\n", rte_strerror(rte_errno));
		return -ENOMEM;
	}
	return 0;
}

/* What the table let go of (invalid, overlapping or duplicate fragments,
 * timed out or evicted datagrams) is counted as it is freed. */
static void
reasm_free_dr(struct ss_app *app)
{
	app->ctl.reasm_dropped += reasm_dr.cnt;
	rte_ip_frag_free_death_row(&reasm_dr, 0);
}

void
ss_app_reasm_fini(struct ss_app *app)
{
	uint32_t n;

	if (reasm_tbl == NULL)
		return;
	/* every datagram still waiting goes to the death row, a row's
	 * worth at a time */
	do {
		rte_ip_frag_table_del_expired_entries(reasm_tbl, &reasm_dr,
			UINT64_MAX);
		n = reasm_dr.cnt;
		reasm_free_dr(app);
	} while (n != 0);
	rte_ip_frag_table_destroy(reasm_tbl);
	reasm_tbl = NULL;
}

void
ss_app_reasm_timer(struct ss_app *app)
{
	if (reasm_tbl == NULL)
		return;
	rte_ip_frag_table_del_expired_entries(reasm_tbl, &reasm_dr,
		rte_rdtsc());
	reasm_free_dr(app);
}

/* The reassembled chain in one new mbuf (IPv4: the header checksum the
 * library leaves at 0 filled in); NULL when it does not fit one. */
static struct rte_mbuf *
reasm_flatten(struct ss_app *app, struct rte_mbuf *c)
{
	const uint32_t len = rte_pktmbuf_pkt_len(c);
	struct rte_mbuf *m;
	uint8_t *d;

	m = rte_pktmbuf_alloc(app->pool);
	if (m == NULL)
		return NULL;
	if (len > rte_pktmbuf_tailroom(m)) {
		app->ctl.reasm_too_big++;
		rte_pktmbuf_free(m);
		return NULL;
	}
	d = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)len);
	if (rte_pktmbuf_read(c, 0, len, d) != d)
		memcpy(d, rte_pktmbuf_mtod(c, const void *), len);
	m->port = c->port;
	if (RTE_ETH_IS_IPV4_HDR(c->packet_type)) {
		struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(d +
			c->l2_len);

		ip->hdr_checksum = 0;
		ip->hdr_checksum = rte_ipv4_cksum(ip);
	}
	return m;
}

void
ss_app_reasm_input(struct ss_app *app, struct rte_mbuf *m, uint8_t port)
{
	uint8_t *l3 = rte_pktmbuf_mtod_offset(m, uint8_t *, m->l2_len);
	struct rte_mbuf *c, *one;
	uint8_t cls;

	app->ctl.reasm_frags++;
	if (RTE_ETH_IS_IPV4_HDR(m->packet_type))
		c = rte_ipv4_frag_reassemble_packet(reasm_tbl, &reasm_dr, m,
			rte_rdtsc(), (struct rte_ipv4_hdr *)l3);
	else
		c = rte_ipv6_frag_reassemble_packet(reasm_tbl, &reasm_dr, m,
			rte_rdtsc(), (struct rte_ipv6_hdr *)l3,
			(struct rte_ipv6_fragment_ext *)(l3 +
				sizeof(struct rte_ipv6_hdr)));
	reasm_free_dr(app);
	if (c == NULL)
		return;		/* kept, or on the death row (counted) */
	app->ctl.reasm_done++;
	one = reasm_flatten(app, c);
	rte_pktmbuf_free(c);
	if (one == NULL) {
		app->ctl.reasm_dropped++;
		return;
	}
	ss_net_classify_burst(&one, 1, port, &cls, &app->ctl_net);
	ss_app_ctl_dispatch(app, one, cls);
}
