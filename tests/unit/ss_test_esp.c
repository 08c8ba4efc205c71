/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 shardsec authors
 */

#include <stdio.h>
#include <string.h>

#include <check.h>
#include <rte_byteorder.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_udp.h>

#include "ss_esp.h"
#include "ss_test_esp.h"

static const uint16_t ids[2] = { 1, 2 };
static unsigned int db_seq;

struct ss_sa_db *
ss_test_esp_db(struct rte_rcu_qsbr *q)
{
	char name[32];
	struct ss_sa_db_conf c = {
		.name = name, .nb_servers = 2,
		.instance_bits = SS_TEST_ESP_BITS, .ids = ids,
		.max_tunnels = 8, .max_sa_per_server = 256,
		.socket = SOCKET_ID_ANY,
	};
	struct ss_sa_tunnel_params tp = { .name = "t0" };
	struct ss_sa_db *db;

	snprintf(name, sizeof(name), "tdb%u", db_seq++);
	db = ss_sa_db_create(&c, q);
	ck_assert_ptr_nonnull(db);
	ck_assert_int_eq(ss_esp_attach(db), 0);
	ck_assert_int_eq(ss_sa_tunnel_add(db, &tp, NULL), 0);
	return db;
}

void
ss_test_esp_addr(struct ss_ipaddr *a, uint8_t fam, int host)
{
	memset(a, 0, sizeof(*a));
	a->family = fam;
	if (fam == AF_INET) {
		a->v4 = rte_cpu_to_be_32(0xc0000200u | (uint32_t)host);
	} else {
		a->v6[0] = 0x20;
		a->v6[1] = 0x01;
		a->v6[2] = 0x0d;
		a->v6[3] = 0xb8;
		a->v6[15] = (uint8_t)host;
	}
}

struct rte_mbuf *
ss_test_esp_inner(struct rte_mempool *mp, uint8_t fam, bool trs,
	uint16_t plen, uint8_t seed)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(mp);
	uint16_t hl = fam == AF_INET ? 20 : 40;
	uint16_t len = hl + 8 + plen;
	uint8_t *d;
	struct rte_udp_hdr *u;
	unsigned int i;

	ck_assert_ptr_nonnull(m);
	d = (uint8_t *)rte_pktmbuf_append(m, len);
	ck_assert_ptr_nonnull(d);
	memset(d, 0, len);
	if (fam == AF_INET) {
		struct rte_ipv4_hdr *h = (void *)d;
		struct ss_ipaddr a, b;

		ss_test_esp_addr(&a, AF_INET, 1);
		ss_test_esp_addr(&b, AF_INET, 2);
		h->version_ihl = 0x45;
		h->total_length = rte_cpu_to_be_16(len);
		h->packet_id = rte_cpu_to_be_16(0x1234);
		h->time_to_live = 63;
		h->next_proto_id = IPPROTO_UDP;
		h->src_addr = trs ? a.v4 : rte_cpu_to_be_32(0x0a010001);
		h->dst_addr = trs ? b.v4 : rte_cpu_to_be_32(0x0a020001);
		h->hdr_checksum = rte_ipv4_cksum(h);
	} else {
		struct rte_ipv6_hdr *h = (void *)d;
		struct ss_ipaddr a, b;

		ss_test_esp_addr(&a, AF_INET6, 1);
		ss_test_esp_addr(&b, AF_INET6, 2);
		h->vtc_flow = rte_cpu_to_be_32(6u << 28);
		h->payload_len = rte_cpu_to_be_16(len - 40);
		h->proto = IPPROTO_UDP;
		h->hop_limits = 63;
		if (trs) {
			memcpy(h->src_addr, a.v6, 16);
			memcpy(h->dst_addr, b.v6, 16);
		} else {
			h->src_addr[0] = 0xfd;
			h->src_addr[15] = 1;
			h->dst_addr[0] = 0xfd;
			h->dst_addr[1] = 2;
			h->dst_addr[15] = 1;
		}
	}
	u = (struct rte_udp_hdr *)(d + hl);
	u->src_port = rte_cpu_to_be_16(1000);
	u->dst_port = rte_cpu_to_be_16(2000);
	u->dgram_len = rte_cpu_to_be_16(8 + plen);
	for (i = 0; i < plen; i++)
		d[hl + 8 + i] = (uint8_t)(seed + i);
	return m;
}
