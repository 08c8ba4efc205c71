/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 shardsec authors
 */

/* Receive side of the generator: find each frame's stamp at the end of
 * its IP payload (also after the gateway decrypted or re-encapsulated
 * it, as long as the payload is cleartext) and account loss, reordering
 * and latency per stream. */

#include <errno.h>
#include <string.h>

#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_malloc.h>

#include "ss_gen.h"

int
ss_gen_stamp_read(const struct rte_mbuf *m, struct ss_gen_stamp *st)
{
	const uint8_t *d = rte_pktmbuf_mtod(m, const uint8_t *);
	uint32_t len = rte_pktmbuf_data_len(m), off = RTE_ETHER_HDR_LEN;
	uint32_t end, hl;
	uint16_t et;

	if (len < RTE_ETHER_HDR_LEN + 20)
		return -EINVAL;
	memcpy(&et, d + 12, 2);
	et = rte_be_to_cpu_16(et);
	if (et == RTE_ETHER_TYPE_VLAN) {
		if (len < RTE_ETHER_HDR_LEN + 4 + 20)
			return -EINVAL;
		memcpy(&et, d + 16, 2);
		et = rte_be_to_cpu_16(et);
		off += 4;
	}
	if (et == RTE_ETHER_TYPE_IPV4 && (d[off] >> 4) == 4) {
		uint16_t tl;

		memcpy(&tl, d + off + 2, 2);
		hl = (uint32_t)(d[off] & 0xf) * 4;
		end = off + rte_be_to_cpu_16(tl);
	} else if (et == RTE_ETHER_TYPE_IPV6 && (d[off] >> 4) == 6) {
		uint16_t pl;

		if (len < off + 40)
			return -EINVAL;
		memcpy(&pl, d + off + 4, 2);
		hl = 40;
		end = off + 40 + rte_be_to_cpu_16(pl);
	} else {
		return -EINVAL;
	}
	if (end > len || end < off + hl + SS_GEN_STAMP_LEN)
		return -EINVAL;
	memcpy(st, d + end - SS_GEN_STAMP_LEN, sizeof(*st));
	if (st->magic != SS_GEN_STAMP_MAGIC)
		return -EINVAL;
	return 0;
}

struct ss_gen_rx *
ss_gen_rx_create(int socket)
{
	struct ss_gen_rx *rx = rte_zmalloc_socket("ss_gen_rx",
		sizeof(struct ss_gen_rx), RTE_CACHE_LINE_SIZE, socket);

	if (rx != NULL)
		memset(rx->expect_port, SS_GEN_PORT_ANY,
			sizeof(rx->expect_port));
	return rx;
}

void
ss_gen_rx_free(struct ss_gen_rx *rx)
{
	rte_free(rx);
}

void
ss_gen_rx_reset(struct ss_gen_rx *rx)
{
	uint8_t expect[SS_GEN_MAX_STREAMS];

	memcpy(expect, rx->expect_port, sizeof(expect));
	memset(rx, 0, sizeof(*rx));
	memcpy(rx->expect_port, expect, sizeof(expect));
}

void
ss_gen_rx_burst(struct ss_gen_rx *rx, struct rte_mbuf **m, uint16_t n,
	uint8_t port, uint64_t now)
{
	struct ss_gen_stamp st;
	uint16_t i;

	for (i = 0; i < n; i++) {
		struct ss_gen_rx_stats *s;
		unsigned int stream, flow;

		if (ss_gen_stamp_read(m[i], &st) != 0) {
			rx->nostamp++;
			continue;
		}
		stream = st.key >> 12;
		flow = st.key & 0xfff;
		s = &rx->st[stream];
		s->rx++;
		s->bytes += rte_pktmbuf_pkt_len(m[i]);
		if (rx->expect_port[stream] != SS_GEN_PORT_ANY &&
				rx->expect_port[stream] != port)
			s->wrong_port++;
		if (st.seq < rx->next[stream][flow])
			s->late++;
		else
			rx->next[stream][flow] = st.seq + 1;
		ss_gen_hist_add(&s->lat, now >= st.tsc ? now - st.tsc : 0);
	}
}
