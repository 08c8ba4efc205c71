/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 shardsec authors
 */

/*
 * IP reassembly for datagrams to the gateway (ss_net_reasm.h), on
 * DPDK's rte_ip_frag table. What this adds to it: the chain it returns
 * copied into one mbuf, jumbo datagrams into buffers of their own so the
 * packet pool keeps its size, and every fragment it lets go counted.
 */

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_ip.h>
#include <rte_ip_frag.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "ss_net_priv.h"
#include "ss_net_reasm.h"

#define REASM_BUCKET_ENTRIES	4
/* Jumbo datagrams whole at once (the control lcore hands them on, the
 * workers free them); an L2 header of up to 32 bytes in front. */
#define REASM_JUMBO_MBUFS	64
#define REASM_JUMBO_ROOM	(RTE_PKTMBUF_HEADROOM + SS_NET_REASM_MAX + 32)

struct ss_net_reasm {
	struct rte_ip_frag_tbl *tbl;
	struct rte_ip_frag_death_row dr;
	struct rte_mempool *mp;		/* the caller's */
	struct rte_mempool *jumbo;	/* ours */
};

struct ss_net_reasm *
ss_net_reasm_create(const char *name, uint32_t datagrams,
	uint32_t timeout_ms, struct rte_mempool *mp, int socket)
{
	const uint32_t buckets = (datagrams + REASM_BUCKET_ENTRIES - 1) /
		REASM_BUCKET_ENTRIES;
	struct ss_net_reasm *r;
	char pname[RTE_MEMPOOL_NAMESIZE];

	if (name == NULL || mp == NULL || datagrams == 0 ||
			timeout_ms == 0) {
		rte_errno = EINVAL;
		return NULL;
	}
	r = rte_zmalloc_socket("ss_net_reasm", sizeof(*r), 0, socket);
	if (r == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	r->mp = mp;
	r->tbl = rte_ip_frag_table_create(buckets, REASM_BUCKET_ENTRIES,
		buckets * REASM_BUCKET_ENTRIES,
		rte_get_tsc_hz() * timeout_ms / 1000, socket);
	if (r->tbl == NULL)
		goto fail;
	snprintf(pname, sizeof(pname), "%s_jumbo", name);
	/* no per-lcore cache: the workers free what we allocate, and a
	 * cache on each of them would strand most of 64 buffers */
	r->jumbo = rte_pktmbuf_pool_create(pname, REASM_JUMBO_MBUFS, 0, 0,
		REASM_JUMBO_ROOM, socket);
	if (r->jumbo == NULL)
		goto fail;
	return r;
fail:
	SS_NET_LOG(ERR, "cannot create the IP reassembly table %s: %s",
		name, rte_strerror(rte_errno));
	if (r->tbl != NULL)
		rte_ip_frag_table_destroy(r->tbl);
	rte_free(r);
	return NULL;
}

/* What the table let go of is counted as it is freed. */
static void
reasm_free_dr(struct ss_net_reasm *r, struct ss_net_reasm_stats *st)
{
	if (st != NULL)
		st->dropped += r->dr.cnt;
	rte_ip_frag_free_death_row(&r->dr, 0);
}

void
ss_net_reasm_expire(struct ss_net_reasm *r, uint64_t now,
	struct ss_net_reasm_stats *st)
{
	uint32_t n;

	/* the death row takes a bounded number at a time */
	do {
		rte_ip_frag_table_del_expired_entries(r->tbl, &r->dr, now);
		n = r->dr.cnt;
		reasm_free_dr(r, st);
	} while (n != 0);
}

void
ss_net_reasm_free(struct ss_net_reasm *r, struct ss_net_reasm_stats *st)
{
	if (r == NULL)
		return;
	ss_net_reasm_expire(r, UINT64_MAX, st);
	rte_ip_frag_table_destroy(r->tbl);
	/* jumbo buffers still out (in a worker's ring) would be freed
	 * into a pool that is gone: callers free the table last */
	rte_mempool_free(r->jumbo);
	rte_free(r);
}

/* The chain c in one mbuf (IPv4: the header checksum the library leaves
 * at 0 filled in); NULL when it is too long or no mbuf is left. */
static struct rte_mbuf *
reasm_flatten(struct ss_net_reasm *r, const struct rte_mbuf *c,
	struct ss_net_reasm_stats *st)
{
	const uint32_t len = rte_pktmbuf_pkt_len(c);
	struct rte_mbuf *m;
	uint8_t *d;

	if (len - c->l2_len > SS_NET_REASM_MAX) {
		st->too_big++;
		return NULL;
	}
	m = rte_pktmbuf_alloc(r->mp);
	if (m != NULL && len > rte_pktmbuf_tailroom(m)) {
		rte_pktmbuf_free(m);
		m = rte_pktmbuf_alloc(r->jumbo);
		st->jumbo += m != NULL;
	}
	if (m == NULL)
		return NULL;
	d = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)len);
	if (rte_pktmbuf_read(c, 0, len, d) != d)
		memcpy(d, rte_pktmbuf_mtod(c, const void *), len);
	m->port = c->port;
	m->packet_type = c->packet_type & (RTE_PTYPE_L2_MASK |
		RTE_PTYPE_L3_MASK);
	m->l2_len = c->l2_len;
	if (RTE_ETH_IS_IPV4_HDR(c->packet_type)) {
		struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(d +
			c->l2_len);

		ip->hdr_checksum = 0;
		ip->hdr_checksum = rte_ipv4_cksum(ip);
	}
	return m;
}

struct rte_mbuf *
ss_net_reasm_input(struct ss_net_reasm *r, struct rte_mbuf *m, uint64_t now,
	struct ss_net_reasm_stats *st)
{
	uint8_t *l3 = rte_pktmbuf_mtod_offset(m, uint8_t *, m->l2_len);
	struct rte_mbuf *c, *one;

	st->fragments++;
	if (RTE_ETH_IS_IPV4_HDR(m->packet_type))
		c = rte_ipv4_frag_reassemble_packet(r->tbl, &r->dr, m, now,
			(struct rte_ipv4_hdr *)l3);
	else
		c = rte_ipv6_frag_reassemble_packet(r->tbl, &r->dr, m, now,
			(struct rte_ipv6_hdr *)l3,
			(struct rte_ipv6_fragment_ext *)(l3 +
				sizeof(struct rte_ipv6_hdr)));
	reasm_free_dr(r, st);
	if (c == NULL)
		return NULL;	/* kept, or on the death row (counted) */
	one = reasm_flatten(r, c, st);
	if (one != NULL)
		st->done++;
	else
		st->dropped += c->nb_segs;
	rte_pktmbuf_free(c);
	return one;
}

uint16_t
ss_net_reasm_shed(struct rte_mbuf **m, uint16_t n, unsigned int used,
	unsigned int size, uint64_t *shed)
{
	uint16_t i, k = 0;

	if (likely(used < size / 2))
		return n;
	for (i = 0; i < n; i++) {
		if ((m[i]->packet_type & RTE_PTYPE_L4_MASK) ==
				RTE_PTYPE_L4_FRAG) {
			(*shed)++;
			rte_pktmbuf_free(m[i]);
			continue;
		}
		m[k++] = m[i];
	}
	return k;
}
