/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 shardsec authors
 */

/* Traffic generator: every builder's lengths and checksums, ids spread
 * exactly over flows (and read back by lib/steer), IMIX proportions, ESP
 * that lib/esp decrypts to the very cleartext packet, the stamp round
 * trip through the receive side, histogram percentiles on known data and
 * the token bucket's rate on a simulated clock. */

#define _GNU_SOURCE
#include <check.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_esp.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_sctp.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "ss_test.h"
#include "ss_esp.h"
#include "ss_gen.h"
#include "ss_sa.h"
#include "ss_steer.h"

#define BITS 4
static struct rte_mempool *mp;

static void
base_spec(struct ss_gen_spec *sp, enum ss_gen_proto proto, uint8_t fam)
{
	memset(sp, 0, sizeof(*sp));
	sp->proto = proto;
	sp->stream = 3;
	ss_mac_parse("02:00:00:00:aa:01", &sp->src_mac);
	ss_mac_parse("02:00:00:00:01:01", &sp->dst_mac);
	if (fam == AF_INET) {
		ss_ipaddr_parse("192.0.2.2", &sp->src);
		ss_ipaddr_parse("203.0.113.1", &sp->dst);
	} else {
		ss_ipaddr_parse("2001:db8:1::2", &sp->src);
		ss_ipaddr_parse("2001:db8:3::1", &sp->dst);
	}
	sp->sport = 1024;
	sp->dport = 9;
	sp->flows = 1;
	sp->nb_sizes = 1;
	sp->sizes[0] = 128;
	sp->bits = BITS;
}

static struct ss_gen_stream *
mk(const struct ss_gen_spec *sp)
{
	struct ss_gen_stream *s = ss_gen_stream_create(sp, SOCKET_ID_ANY);

	ck_assert_ptr_nonnull(s);
	return s;
}

static void
build(struct ss_gen_stream *s, struct rte_mbuf **m, uint16_t n,
	uint64_t tsc)
{
	uint16_t i, k;

	for (i = 0; i < n; i += k) {
		k = ss_gen_build_burst(s, mp, m + i, (uint16_t)RTE_MIN(n - i,
			SS_GEN_BURST), tsc, NULL);
		ck_assert_uint_gt(k, 0);
	}
}

static void
free_all(struct rte_mbuf **m, unsigned int n)
{
	rte_pktmbuf_free_bulk(m, n);
}

/* IPv4 header checksum, UDP/TCP checksum valid; returns the L4 header. */
static uint8_t *
check_ip(struct rte_mbuf *m, uint8_t fam, uint8_t proto)
{
	uint8_t *d = rte_pktmbuf_mtod(m, uint8_t *);
	uint32_t len = rte_pktmbuf_pkt_len(m);

	if (fam == AF_INET) {
		struct rte_ipv4_hdr *h = (void *)(d + 14);

		ck_assert_uint_eq(d[12] << 8 | d[13], RTE_ETHER_TYPE_IPV4);
		ck_assert_uint_eq(rte_be_to_cpu_16(h->total_length), len - 14);
		ck_assert_uint_eq(rte_raw_cksum(h, 20), 0xffff);
		ck_assert_uint_eq(h->next_proto_id, proto);
		if (proto != IPPROTO_SCTP)
			ck_assert_int_eq(rte_ipv4_udptcp_cksum_verify(h, h + 1),
				0);
		return (uint8_t *)(h + 1);
	} else {
		struct rte_ipv6_hdr *h = (void *)(d + 14);

		ck_assert_uint_eq(d[12] << 8 | d[13], RTE_ETHER_TYPE_IPV6);
		ck_assert_uint_eq(rte_be_to_cpu_16(h->payload_len),
			len - 14 - 40);
		ck_assert_uint_eq(h->proto, proto);
		if (proto != IPPROTO_SCTP)
			ck_assert_int_eq(rte_ipv6_udptcp_cksum_verify(h, h + 1),
				0);
		return (uint8_t *)(h + 1);
	}
}

START_TEST(test_udp_tcp_build)
{
	static const uint8_t fams[2] = { AF_INET, AF_INET6 };
	struct rte_mbuf *m[96];
	unsigned int f, p, i;

	for (f = 0; f < 2; f++) {
		for (p = 0; p < 2; p++) {
			const enum ss_gen_proto proto = p == 0 ? SS_GEN_UDP :
				SS_GEN_TCP;
			struct ss_gen_spec sp;
			struct ss_gen_stream *s;
			uint16_t min;

			base_spec(&sp, proto, fams[f]);
			sp.flows = 4;
			sp.nb_sizes = 3;
			sp.sizes[0] = 64;
			sp.sizes[1] = 333;
			sp.sizes[2] = 1518;
			s = mk(&sp);
			min = ss_gen_stream_min_size(s);
			ck_assert_uint_eq(min, RTE_MAX(64u, 14u +
				(fams[f] == AF_INET ? 20u : 40u) +
				(p == 0 ? 8u : 20u) + 16u + 4u));
			build(s, m, 96, 1000);
			for (i = 0; i < 96; i++) {
				uint16_t want = RTE_MAX(
					ss_gen_stream_size_of(s, i), min);
				uint8_t *l4;
				struct ss_gen_stamp st;
				uint16_t sport;

				ck_assert_uint_eq(rte_pktmbuf_pkt_len(m[i]),
					want - 4u);
				l4 = check_ip(m[i], fams[f], p == 0 ?
					IPPROTO_UDP : IPPROTO_TCP);
				memcpy(&sport, l4, 2);
				ck_assert_uint_eq(rte_be_to_cpu_16(sport),
					1024 + i % 4);
				ck_assert_int_eq(ss_gen_stamp_read(m[i], &st),
					0);
				ck_assert_uint_eq(st.key,
					ss_gen_stamp_key(3, i % 4));
				ck_assert_uint_eq(st.seq, i / 4);
				ck_assert_uint_eq(st.tsc, 1000);
				if (p == 0) {
					struct rte_udp_hdr *u = (void *)l4;

					ck_assert_uint_eq(rte_be_to_cpu_16(
						u->dgram_len), want - 4u - 14u -
						(fams[f] == AF_INET ? 20u :
						40u));
				}
			}
			free_all(m, 96);
			ss_gen_stream_free(s);
		}
	}
}
END_TEST

START_TEST(test_vary_addr)
{
	struct ss_gen_spec sp;
	struct ss_gen_stream *s;
	struct rte_mbuf *m[8];
	unsigned int i;

	base_spec(&sp, SS_GEN_UDP, AF_INET);
	sp.flows = 4;
	sp.vary = SS_GEN_VARY_ADDR;
	s = mk(&sp);
	build(s, m, 8, 1);
	for (i = 0; i < 8; i++) {
		struct rte_ipv4_hdr *h = rte_pktmbuf_mtod_offset(m[i],
			struct rte_ipv4_hdr *, 14);
		struct rte_udp_hdr *u = (void *)(h + 1);

		ck_assert_uint_eq(rte_be_to_cpu_32(h->src_addr),
			0xc0000202u + i % 4);
		ck_assert_uint_eq(rte_be_to_cpu_16(u->src_port), 1024);
	}
	free_all(m, 8);
	ss_gen_stream_free(s);
}
END_TEST

/* Bitwise CRC32c (reflected 0x82f63b78), independent of rte_hash_crc. */
static uint32_t
crc32c_ref(const uint8_t *p, size_t n)
{
	uint32_t c = 0xffffffff;
	size_t i;
	int k;

	for (i = 0; i < n; i++) {
		c ^= p[i];
		for (k = 0; k < 8; k++)
			c = (c >> 1) ^ (0x82f63b78u & (0u - (c & 1)));
	}
	return ~c;
}

START_TEST(test_crc32c_ref)
{
	/* The CRC-32C check value. */
	ck_assert_uint_eq(crc32c_ref((const uint8_t *)"123456789", 9),
		0xe3069283);
}
END_TEST

/* GTP-U and SCTP: ids spread exactly, and lib/steer reads them back. */
START_TEST(test_ids_spread)
{
	static const uint16_t ids[3] = { 1, 2, 5 };
	struct ss_steer_ctx *ctx = ss_steer_ctx_create(BITS, ids, 3);
	struct rte_mbuf *m[600];
	unsigned int p, i;

	ck_assert_ptr_nonnull(ctx);
	for (p = 0; p < 4; p++) {
		const bool gtp = p < 2;
		const uint8_t fam = p % 2 == 0 ? AF_INET : AF_INET6;
		unsigned int per_id[16] = { 0 };
		struct ss_gen_spec sp;
		struct ss_gen_stream *s;
		char err[128];

		base_spec(&sp, gtp ? SS_GEN_GTPU : SS_GEN_SCTP, fam);
		sp.flows = 6;
		sp.nb_ids = 3;
		memcpy(sp.ids, ids, sizeof(ids));
		sp.nb_sizes = 2;
		sp.sizes[0] = 64;
		sp.sizes[1] = 301;
		/* 4 flows over 3 ids cannot be spread evenly: refused. */
		sp.flows = 4;
		ck_assert_int_ne(ss_gen_spec_check(&sp, err, sizeof(err)), 0);
		sp.flows = 6;
		s = mk(&sp);
		build(s, m, 600, 7);
		for (i = 0; i < 600; i += 32) {
			uint16_t owner[32];
			uint8_t kind[32];
			uint16_t n = (uint16_t)RTE_MIN(32u, 600 - i), k;

			for (k = 0; k < n; k++)
				m[i + k]->l2_len = 14;
			ss_steer_classify_burst(ctx, m + i, n, owner, kind,
				NULL);
			for (k = 0; k < n; k++) {
				ck_assert_uint_eq(kind[k], gtp ?
					SS_STEER_GTPU : SS_STEER_SCTP);
				ck_assert_uint_eq(ids[owner[k]],
					ids[((i + k) % 6) % 3]);
			}
		}
		for (i = 0; i < 600; i++) {
			uint8_t *l4 = check_ip(m[i], fam, gtp ? IPPROTO_UDP :
				IPPROTO_SCTP);
			uint32_t l4len = rte_pktmbuf_pkt_len(m[i]) - 14 -
				(fam == AF_INET ? 20 : 40);
			uint32_t v;

			if (gtp) {
				uint16_t gl;
				struct rte_ipv4_hdr *in = (void *)(l4 + 16);

				ck_assert_uint_eq(l4[2] << 8 | l4[3], 2152);
				ck_assert_uint_eq(l4[8], 0x30);
				ck_assert_uint_eq(l4[9], 0xff);
				memcpy(&gl, l4 + 10, 2);
				ck_assert_uint_eq(rte_be_to_cpu_16(gl),
					l4len - 16);
				memcpy(&v, l4 + 12, 4);
				ck_assert_uint_eq(rte_raw_cksum(in, 20),
					0xffff);
				ck_assert_uint_eq(rte_be_to_cpu_16(
					in->total_length), l4len - 16);
			} else {
				uint32_t ck, want;
				uint16_t clen;

				memcpy(&v, l4 + 4, 4);
				memcpy(&ck, l4 + 8, 4);
				memset(l4 + 8, 0, 4);
				want = crc32c_ref(l4, l4len);
				ck_assert_uint_eq(rte_le_to_cpu_32(ck), want);
				ck_assert_uint_eq(l4[12], 0);	/* DATA */
				memcpy(&clen, l4 + 14, 2);
				ck_assert_uint_eq(rte_be_to_cpu_16(clen),
					l4len - 12);
				ck_assert_uint_eq(l4len % 4, 0);
			}
			v = rte_be_to_cpu_32(v);
			ck_assert_uint_ne(v, 0);
			per_id[ss_steer_id_get(v, BITS)]++;
		}
		ck_assert_uint_eq(per_id[1], 200);
		ck_assert_uint_eq(per_id[2], 200);
		ck_assert_uint_eq(per_id[5], 200);
		free_all(m, 600);
		ss_gen_stream_free(s);
	}
	ss_steer_ctx_free(ctx);
}
END_TEST

START_TEST(test_imix)
{
	struct ss_gen_spec sp;
	struct ss_gen_stream *s;
	struct rte_mbuf *m[SS_GEN_IMIX_CYCLE * 50];
	unsigned int c64 = 0, c570 = 0, c1518 = 0, i, w;

	base_spec(&sp, SS_GEN_UDP, AF_INET);
	sp.imix = true;
	sp.nb_sizes = 0;
	s = mk(&sp);
	/* Any 12 in a row hold 7:4:1. */
	for (w = 0; w < SS_GEN_IMIX_CYCLE; w++) {
		unsigned int a = 0, b = 0, c = 0;

		for (i = w; i < w + SS_GEN_IMIX_CYCLE; i++) {
			uint16_t z = ss_gen_stream_size_of(s, i);

			a += z == 64;
			b += z == 570;
			c += z == 1518;
		}
		ck_assert_uint_eq(a, 7);
		ck_assert_uint_eq(b, 4);
		ck_assert_uint_eq(c, 1);
	}
	build(s, m, RTE_DIM(m), 5);
	for (i = 0; i < RTE_DIM(m); i++) {
		uint32_t l = rte_pktmbuf_pkt_len(m[i]) + 4;

		c64 += l == 64;
		c570 += l == 570;
		c1518 += l == 1518;
		check_ip(m[i], AF_INET, IPPROTO_UDP);
	}
	ck_assert_uint_eq(c64, 350);
	ck_assert_uint_eq(c570, 200);
	ck_assert_uint_eq(c1518, 50);
	free_all(m, RTE_DIM(m));
	ss_gen_stream_free(s);
}
END_TEST

static void
in_sa(struct ss_sa_params *p, enum ss_sa_algo algo, uint32_t spi, bool udp)
{
	unsigned int i;

	memset(p, 0, sizeof(*p));
	p->spi = spi;
	p->dir = SS_SA_DIR_IN;
	p->server = 0;
	p->tunnel = 0;
	p->algo = algo;
	p->mode = SS_SA_MODE_TUNNEL;
	p->backend = SS_SA_BACKEND_CPU;
	p->inner_family = AF_INET;
	p->udp_encap = udp;
	p->esn = true;
	p->replay_window = 128;
	ss_ipaddr_parse("198.51.100.1", &p->local);
	ss_ipaddr_parse("198.51.100.2", &p->peer);
	p->key_len = ss_sa_algo_key_len(algo);
	for (i = 0; i < p->key_len; i++)
		p->key[i] = (uint8_t)(0x5a ^ (i * 7) ^ spi);
}

/* ESP from the generator decrypts with lib/esp's inbound SA to exactly
 * the cleartext packet the UDP builder makes, sequence numbers 1, 2, ...
 * per SA. */
START_TEST(test_esp_round_trip)
{
	static const uint16_t ids[1] = { 1 };
	static unsigned int dbn;
	const enum ss_sa_algo algos[2] = { SS_SA_ALGO_AES_GCM_128,
		SS_SA_ALGO_AES_CBC_128_HMAC_SHA256 };
	unsigned int a, i;

	/* a: GCM / CBC+HMAC x {tunnel, tunnel + UDP encap, transport} */
	for (a = 0; a < 6; a++) {
		const bool udp = a == 2 || a == 3;
		const bool trs = a >= 4;
		struct ss_sa_params in[2];
		struct ss_sa_db_conf dbc;
		struct ss_sa_tunnel_params tp = { .name = "t" };
		struct ss_sa_db *db;
		struct ss_esp_server *srv;
		struct ss_gen_esp *e;
		struct ss_gen_spec sp, cp;
		struct ss_gen_stream *es, *cs;
		struct rte_mbuf *m[64], *c[64], *o[64];
		uint32_t last[2] = { 0, 0 };
		char err[128], name[16];
		uint16_t k, n;

		in_sa(&in[0], algos[a % 2], 0x10000101, udp);
		in_sa(&in[1], algos[a % 2], 0x10000202, udp);
		if (trs)
			in[0].mode = in[1].mode = SS_SA_MODE_TRANSPORT;
		e = ss_gen_esp_create(in, 2, SOCKET_ID_ANY, err, sizeof(err));
		ck_assert_msg(e != NULL, "%s", err);
		ck_assert_uint_eq(ss_gen_esp_nb_sas(e), 2);

		snprintf(name, sizeof(name), "gin%u", dbn++);
		memset(&dbc, 0, sizeof(dbc));
		dbc.name = name;
		dbc.nb_servers = 1;
		dbc.instance_bits = BITS;
		dbc.ids = ids;
		dbc.socket = SOCKET_ID_ANY;
		db = ss_sa_db_create(&dbc, NULL);
		ck_assert_ptr_nonnull(db);
		ck_assert_int_eq(ss_esp_attach(db), 0);
		ck_assert_int_eq(ss_sa_tunnel_add(db, &tp, NULL), 0);
		ck_assert_int_eq(ss_sa_add(db, &in[0], NULL), 0);
		ck_assert_int_eq(ss_sa_add(db, &in[1], NULL), 0);
		srv = ss_esp_server_create(db, 0, SOCKET_ID_ANY);
		ck_assert_ptr_nonnull(srv);

		base_spec(&sp, SS_GEN_ESP, AF_INET);
		if (trs) {
			/* transport: the packet is between the endpoints */
			ss_ipaddr_parse("198.51.100.2", &sp.src);
			ss_ipaddr_parse("198.51.100.1", &sp.dst);
		}
		sp.flows = 4;
		sp.nb_sizes = 2;
		sp.sizes[0] = 64;
		sp.sizes[1] = 1400;
		sp.esp = e;
		cp = sp;
		cp.proto = SS_GEN_UDP;
		cp.esp = NULL;
		es = mk(&sp);
		cs = mk(&cp);
		n = ss_gen_build_burst(es, mp, m, 64, 99, NULL);
		ck_assert_uint_eq(n, 64);
		build(cs, c, 64, 99);
		for (i = 0; i < n; i++) {
			uint8_t *d = rte_pktmbuf_mtod(m[i], uint8_t *);
			struct rte_esp_hdr *eh;
			uint32_t off = 14 + 20 + (udp ? 8 : 0), spi, sq;

			ck_assert_uint_eq(d[12] << 8 | d[13],
				RTE_ETHER_TYPE_IPV4);
			ck_assert_uint_eq(d[14 + 9], udp ? IPPROTO_UDP :
				IPPROTO_ESP);
			ck_assert_uint_eq(rte_raw_cksum(d + 14, 20), 0xffff);
			eh = (struct rte_esp_hdr *)(d + off);
			spi = rte_be_to_cpu_32(eh->spi);
			sq = rte_be_to_cpu_32(eh->seq);
			ck_assert(spi == 0x10000101 || spi == 0x10000202);
			ck_assert_uint_eq(sq, last[spi & 1] + 1);
			last[spi & 1] = sq;
			/* no stamp visible in ciphertext */
			{
				struct ss_gen_stamp st;

				ck_assert_int_ne(ss_gen_stamp_read(m[i], &st),
					0);
			}
			rte_pktmbuf_adj(m[i], 14);
			m[i]->l2_len = 0;
		}
		ck_assert_uint_eq(last[0] + last[1], 64);
		k = ss_esp_inbound_burst(srv, m, n, o, NULL);
		ck_assert_uint_eq(k, 64);
		/* Grouped by SA, in order within an SA: match by stamp. */
		for (i = 0; i < k; i++) {
			const struct ss_gen_stamp *st;
			unsigned int j, l = rte_pktmbuf_pkt_len(o[i]);
			bool found = false;

			st = rte_pktmbuf_mtod_offset(o[i],
				const struct ss_gen_stamp *, l - 16);
			for (j = 0; j < 64 && !found; j++) {
				const uint8_t *want = rte_pktmbuf_mtod_offset(
					c[j], const uint8_t *, 14);

				if (rte_pktmbuf_pkt_len(c[j]) - 14 != l ||
						memcmp(want + l - 16, st, 16) != 0)
					continue;
				ck_assert_int_eq(memcmp(rte_pktmbuf_mtod(o[i],
					uint8_t *), want, l), 0);
				found = true;
			}
			ck_assert_msg(found, "decrypted packet %u unmatched",
				i);
		}
		free_all(o, k);
		free_all(c, 64);
		ss_gen_stream_free(es);
		ss_gen_stream_free(cs);
		ss_esp_server_free(srv);
		ss_sa_db_free(db);
		ss_gen_esp_free(e);
	}
}
END_TEST

START_TEST(test_stamp_rx)
{
	struct ss_gen_rx *rx = ss_gen_rx_create(SOCKET_ID_ANY);
	struct ss_gen_spec sp;
	struct ss_gen_stream *s;
	struct rte_mbuf *m[64];
	uint8_t *d;

	ck_assert_ptr_nonnull(rx);
	base_spec(&sp, SS_GEN_UDP, AF_INET6);
	sp.flows = 2;
	sp.stream = 9;
	s = mk(&sp);
	build(s, m, 64, 1000000);
	/* Ethernet padding after the IP packet does not hide the stamp. */
	d = (uint8_t *)rte_pktmbuf_append(m[0], 6);
	memset(d, 0xee, 6);
	ss_gen_rx_burst(rx, m, 32, 0, 1000000 + 5000);
	ss_gen_rx_burst(rx, m + 32, 32, 1, 1000000 + 7000);
	ck_assert_uint_eq(rx->st[9].rx, 64);
	ck_assert_uint_eq(rx->st[9].wrong_port, 0);	/* any port */
	ck_assert_uint_eq(rx->st[9].late, 0);
	ck_assert_uint_eq(rx->nostamp, 0);
	ck_assert_uint_eq(rx->st[9].lat.count, 64);
	ck_assert_uint_eq(rx->st[9].lat.min, 5000);
	ck_assert_uint_eq(rx->st[9].lat.max, 7000);
	/* Replayed or reordered: late. */
	ss_gen_rx_burst(rx, m + 10, 4, 0, 1000000 + 7000);
	ck_assert_uint_eq(rx->st[9].late, 4);
	/* Expected on port 1: four more on port 0 are on the wrong port. */
	rx->expect_port[9] = 1;
	ss_gen_rx_burst(rx, m + 20, 4, 0, 1000000 + 7000);
	ss_gen_rx_burst(rx, m + 24, 2, 1, 1000000 + 7000);
	ck_assert_uint_eq(rx->st[9].wrong_port, 4);
	/* A broken magic: no stamp. */
	d = rte_pktmbuf_mtod_offset(m[1], uint8_t *,
		rte_pktmbuf_pkt_len(m[1]) - 16);
	d[0] ^= 0xff;
	ss_gen_rx_burst(rx, m + 1, 1, 0, 1);
	ck_assert_uint_eq(rx->nostamp, 1);
	ss_gen_rx_reset(rx);
	ck_assert_uint_eq(rx->st[9].rx, 0);
	ck_assert_uint_eq(rx->expect_port[9], 1);	/* kept */
	ck_assert_uint_eq(rx->expect_port[8], SS_GEN_PORT_ANY);
	free_all(m, 64);
	ss_gen_stream_free(s);
	ss_gen_rx_free(rx);
}
END_TEST

START_TEST(test_hist)
{
	static struct ss_gen_hist h;
	static const double qs[3] = { 0.5, 0.99, 0.999 };
	uint64_t v;
	unsigned int i;

	/* Buckets: exact below 32, contiguous, monotonic. */
	for (v = 0; v < 32; v++)
		ck_assert_uint_eq(ss_gen_hist_bucket(v), v);
	for (i = 1; i < SS_GEN_HIST_BUCKETS; i++) {
		ck_assert_uint_gt(ss_gen_hist_bucket_low(i),
			ss_gen_hist_bucket_low(i - 1));
		ck_assert_uint_eq(ss_gen_hist_bucket(
			ss_gen_hist_bucket_low(i)), i);
		ck_assert_uint_eq(ss_gen_hist_bucket(
			ss_gen_hist_bucket_low(i) - 1), i - 1);
	}
	ck_assert_uint_eq(ss_gen_hist_bucket(UINT64_MAX),
		SS_GEN_HIST_BUCKETS - 1);

	ss_gen_hist_reset(&h);
	ck_assert_uint_eq(ss_gen_hist_quantile(&h, 0.5), 0);
	for (v = 1; v <= 100000; v++)
		ss_gen_hist_add(&h, v);
	ck_assert_uint_eq(h.count, 100000);
	ck_assert_uint_eq(h.min, 1);
	ck_assert_uint_eq(h.max, 100000);
	for (i = 0; i < 3; i++) {
		double want = qs[i] * 100000, got = (double)
			ss_gen_hist_quantile(&h, qs[i]);

		ck_assert_msg(got > want * 0.968 && got < want * 1.032,
			"q %.3f: %.0f, want %.0f", qs[i], got, want);
	}
	/* Bimodal: 99% at 100, 1% at 1e6: p50 small, p999 large. */
	ss_gen_hist_reset(&h);
	for (i = 0; i < 9900; i++)
		ss_gen_hist_add(&h, 100);
	for (i = 0; i < 100; i++)
		ss_gen_hist_add(&h, 1000000);
	v = ss_gen_hist_quantile(&h, 0.5);
	ck_assert(v >= 97 && v <= 103);
	v = ss_gen_hist_quantile(&h, 0.99);
	ck_assert(v >= 97 && v <= 103);
	v = ss_gen_hist_quantile(&h, 0.999);
	ck_assert(v >= 968000 && v <= 1000000);
	/* Merging two halves gives the histogram of the whole. */
	{
		static struct ss_gen_hist a, b, all;

		ss_gen_hist_reset(&a);
		ss_gen_hist_reset(&b);
		ss_gen_hist_reset(&all);
		for (v = 1; v <= 50000; v++) {
			ss_gen_hist_add(v % 2 ? &a : &b, v * 7);
			ss_gen_hist_add(&all, v * 7);
		}
		ss_gen_hist_merge(&a, &b);
		ck_assert_int_eq(memcmp(&a, &all, sizeof(a)), 0);
		ss_gen_hist_reset(&b);
		ss_gen_hist_merge(&b, &all);	/* into an empty one */
		ck_assert_int_eq(memcmp(&b, &all, sizeof(b)), 0);
	}
	/* Small exact values. */
	ss_gen_hist_reset(&h);
	for (v = 0; v < 10; v++)
		ss_gen_hist_add(&h, v);
	ck_assert_uint_eq(ss_gen_hist_quantile(&h, 0.5), 4);
}
END_TEST

START_TEST(test_token_bucket)
{
	static const uint64_t rates[4] = { 1000, 12345, 1000000, 0 };
	const uint64_t hz = 2000000000ull;
	unsigned int r;

	for (r = 0; r < 4; r++) {
		struct ss_gen_tb tb;
		uint64_t now = 5, sent = 0;
		unsigned int t;

		ss_gen_tb_init(&tb, rates[r], hz, 32, now);
		/* Two simulated seconds, polled every 10 us. */
		for (t = 0; t < 200000; t++) {
			now += hz / 100000;
			sent += ss_gen_tb_take(&tb, now, 32);
		}
		if (rates[r] == 0) {
			ck_assert_uint_eq(sent, 200000ull * 32);
			continue;
		}
		ck_assert_msg(sent + 32 >= 2 * rates[r] &&
			sent <= 2 * rates[r] + 32,
			"rate %" PRIu64 ": %" PRIu64 " in 2 s", rates[r], sent);
		/* A long pause gives at most one burst. */
		now += hz * 10;
		ck_assert_uint_le(ss_gen_tb_take(&tb, now, 1000), 32);
	}
}
END_TEST

/* Figures only (the machine is shared): build cost per packet, hot
 * bursts of 32, IMIX; ESP includes the encryption (AES-GCM-128). */
START_TEST(test_cost)
{
	static const enum ss_gen_proto ps[5] = { SS_GEN_UDP, SS_GEN_TCP,
		SS_GEN_GTPU, SS_GEN_SCTP, SS_GEN_ESP };
	static const uint16_t ids[2] = { 1, 2 };
	struct ss_sa_params in[2];
	struct ss_gen_esp *e;
	char err[128];
	unsigned int p, it;

	in_sa(&in[0], SS_SA_ALGO_AES_GCM_128, 0x10000101, false);
	in_sa(&in[1], SS_SA_ALGO_AES_GCM_128, 0x20000101, false);
	e = ss_gen_esp_create(in, 2, SOCKET_ID_ANY, err, sizeof(err));
	ck_assert_msg(e != NULL, "%s", err);
	for (p = 0; p < 5; p++) {
		struct ss_gen_spec sp;
		struct ss_gen_stream *s;
		struct rte_mbuf *m[32];
		uint64_t t0, cyc = 0;

		base_spec(&sp, ps[p], AF_INET);
		sp.imix = true;
		sp.nb_sizes = 0;
		sp.flows = 64;
		sp.nb_ids = 2;
		memcpy(sp.ids, ids, sizeof(ids));
		sp.esp = e;
		s = mk(&sp);
		for (it = 0; it < 2000; it++) {
			t0 = rte_rdtsc();
			ck_assert_uint_eq(ss_gen_build_burst(s, mp, m, 32,
				t0, NULL), 32);
			cyc += rte_rdtsc() - t0;
			rte_pktmbuf_free_bulk(m, 32);
		}
		printf("gen build %-5s IMIX: %.0f cycles/packet\n",
			ss_gen_proto_name(ps[p]), (double)cyc / (2000.0 * 32));
		ss_gen_stream_free(s);
	}
	ss_gen_esp_free(e);
}
END_TEST

/* scapy (tests/gen/scapy_check.py) recomputes every length and checksum
 * of every builder's frames and must find ours. */
START_TEST(test_scapy)
{
	static const enum ss_gen_proto ps[4] = { SS_GEN_UDP, SS_GEN_TCP,
		SS_GEN_GTPU, SS_GEN_SCTP };
	static const uint16_t ids[2] = { 1, 2 };
	const char *root = getenv("SS_SOURCE_ROOT");
	char path[] = "/tmp/ss_gen_scapyXXXXXX";
	char cmd[512];
	unsigned int p, f, i, j;
	FILE *out;
	int fd;

	ck_assert_ptr_nonnull(root);
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	out = fdopen(fd, "w");
	ck_assert_ptr_nonnull(out);
	for (p = 0; p < 4; p++) {
		for (f = 0; f < 2; f++) {
			struct ss_gen_spec sp;
			struct ss_gen_stream *s;
			struct rte_mbuf *m[24];

			base_spec(&sp, ps[p], f == 0 ? AF_INET : AF_INET6);
			sp.imix = true;
			sp.nb_sizes = 0;
			sp.flows = 4;
			sp.nb_ids = 2;
			memcpy(sp.ids, ids, sizeof(ids));
			s = mk(&sp);
			build(s, m, 24, 12345);
			for (i = 0; i < 24; i++) {
				const uint8_t *d = rte_pktmbuf_mtod(m[i],
					const uint8_t *);

				for (j = 0; j < rte_pktmbuf_pkt_len(m[i]); j++)
					fprintf(out, "%02x", d[j]);
				fputc('\n', out);
			}
			free_all(m, 24);
			ss_gen_stream_free(s);
		}
	}
	ck_assert_int_eq(fclose(out), 0);
	snprintf(cmd, sizeof(cmd), "/usr/bin/python3 %s/tests/gen/"
		"scapy_check.py %s", root, path);
	ck_assert_int_eq(system(cmd), 0);
	unlink(path);
}
END_TEST

/* ---- configuration ---------------------------------------------------- */

static struct ss_sa_cfg sacfg;
static struct ss_gen_cfg gcfg;

#define CFG_BASE \
	"instance_bits = 4;\n" \
	"ports = ( { name = \"a\"; device = \"net_null0\"; } );\n" \
	"servers = ( { id = 1; lcore = 1; }, { id = 2; lcore = 2; } );\n" \
	"ipsec = { tunnels = ( { name = \"t\"; local = \"198.51.100.1\";\n" \
	" peer = \"198.51.100.2\"; inner = \"ipv4\"; sas = (\n" \
	" { server = 1; dir = \"in\"; spi = 0x10000101; algo = \"aes-gcm-128\";\n" \
	"   key = \"0x000102030405060708090a0b0c0d0e0f10111213\"; } ); } ); };\n"
#define GEN_HEAD \
	"gen = { lcore = 3; ports = ( { name = \"g\"; device = \"net_null1\";\n" \
	" peer_mac = \"02:00:00:00:01:01\"; } );\n"

static void
cfg_expect_err(const char *text, const char *needle)
{
	struct ss_config cfg;
	struct ss_cfg_error err;

	memset(&cfg, 0, sizeof(cfg));
	ck_assert_int_ne(ss_cfg_load_string(text, "t.cfg", &cfg, &err), 0);
	ck_assert_msg(strstr(err.msg, needle) != NULL, "got '%s', want '%s'",
		err.msg, needle);
	/* never a key in a message */
	ck_assert_ptr_null(strstr(err.msg, "0102030405"));
	ss_cfg_free(&cfg);
}

START_TEST(test_cfg)
{
	const char *root = getenv("SS_SOURCE_ROOT");
	struct ss_config cfg;
	struct ss_cfg_error err;
	char *path;

	ss_cfg_unregister_all();
	ck_assert_int_eq(ss_sa_cfg_register(&sacfg), 0);
	ck_assert_int_eq(ss_gen_cfg_register(&gcfg, &sacfg), 0);
	ck_assert_ptr_nonnull(root);
	ck_assert(asprintf(&path, "%s/config/examples/generator/"
		"gen-loopback.cfg", root) > 0);
	memset(&cfg, 0, sizeof(cfg));
	ck_assert_msg(ss_cfg_load(path, &cfg, &err) == 0, "%s", err.msg);
	ck_assert(gcfg.present);
	ck_assert_uint_eq(gcfg.nb_lcores, 1);
	ck_assert_uint_eq(gcfg.lcores[0], 3);
	ck_assert_uint_eq(gcfg.ports[1].lcore, 0);
	ck_assert_uint_eq(gcfg.nb_ports, 2);
	ck_assert_uint_eq(gcfg.nb_streams, 6);
	ck_assert(gcfg.streams[0].spec.imix);
	ck_assert_uint_eq(gcfg.streams[0].count, 12000);
	ck_assert_uint_eq(gcfg.streams[0].rate, 2000);
	ck_assert_uint_eq(gcfg.streams[1].spec.src.family, AF_INET6);
	ck_assert_uint_eq(gcfg.streams[1].spec.nb_sizes, 2);
	ck_assert_uint_eq(gcfg.streams[2].spec.vary, SS_GEN_VARY_BOTH);
	ck_assert_uint_eq(gcfg.streams[3].spec.proto, SS_GEN_GTPU);
	ck_assert_uint_eq(gcfg.streams[3].spec.nb_ids, 2);
	ck_assert_uint_eq(gcfg.streams[3].spec.ids[1], 2);
	ck_assert_uint_eq(gcfg.streams[5].spec.proto, SS_GEN_ESP);
	ck_assert_uint_eq(gcfg.streams[5].nb_spis, 2);
	ck_assert_uint_eq(gcfg.streams[5].spis[1], 0x20000101);
	ck_assert_uint_eq(gcfg.streams[5].tx_port, 1);
	ck_assert_uint_eq(gcfg.streams[5].rx_port, 0);
	ss_cfg_free(&cfg);
	free(path);

	/* ids default to every server's */
	memset(&cfg, 0, sizeof(cfg));
	ck_assert_msg(ss_cfg_load_string(CFG_BASE GEN_HEAD
		"streams = ( { name = \"s\"; proto = \"sctp\"; tx = \"g\";"
		" rx = \"g\"; src = \"1.1.1.1\"; dst = \"2.2.2.2\"; flows = 2;"
		" } ); };\n", "t.cfg", &cfg, &err) == 0, "%s", err.msg);
	ck_assert_uint_eq(gcfg.streams[0].spec.nb_ids, 2);
	ck_assert_uint_eq(gcfg.streams[0].spec.ids[0], 1);
	ck_assert_uint_eq(gcfg.streams[0].spec.ids[1], 2);
	ck_assert_uint_eq(gcfg.streams[0].rate, 1000);
	ss_cfg_free(&cfg);

	/* several generator lcores: a port names the one that polls it */
	memset(&cfg, 0, sizeof(cfg));
	ck_assert_msg(ss_cfg_load_string(CFG_BASE
		"gen = { lcore = [ 3, 4 ]; ports = (\n"
		" { name = \"a\"; device = \"net_null1\";"
		" peer_mac = \"02:00:00:00:01:01\"; },\n"
		" { name = \"b\"; device = \"net_null2\"; lcore = 4;"
		" peer_mac = \"02:00:00:00:01:01\"; } );\n"
		"streams = ( { name = \"s\"; proto = \"udp\"; tx = \"b\";"
		" rx = \"a\"; src = \"1.1.1.1\"; dst = \"2.2.2.2\"; } ); };\n",
		"t.cfg", &cfg, &err) == 0, "%s", err.msg);
	ck_assert_uint_eq(gcfg.nb_lcores, 2);
	ck_assert_uint_eq(gcfg.lcores[1], 4);
	ck_assert_uint_eq(gcfg.ports[0].lcore, 0);
	ck_assert_uint_eq(gcfg.ports[1].lcore, 1);
	ss_cfg_free(&cfg);
	cfg_expect_err(CFG_BASE
		"gen = { lcore = [ 3, 4 ]; ports = ( { name = \"g\";"
		" device = \"net_null1\"; lcore = 5;"
		" peer_mac = \"02:00:00:00:01:01\"; } ); streams = ( ); };\n",
		"gen.ports.[0].lcore: lcore 5 is not one of gen.lcore");
	cfg_expect_err(CFG_BASE
		"gen = { lcore = [ 3, 3 ]; ports = ( ); streams = ( ); };\n",
		"gen.lcore.[1]: lcore 3 given twice");
	cfg_expect_err(CFG_BASE
		"gen = { lcore = [ 3, 1 ]; ports = ( ); streams = ( ); };\n",
		"gen.lcore.[1]: lcore 1 hosts server id 1");

	cfg_expect_err(CFG_BASE GEN_HEAD
		"streams = ( { name = \"e\"; proto = \"esp\"; tx = \"g\";"
		" rx = \"g\"; src = \"1.1.1.1\"; dst = \"2.2.2.2\";"
		" spis = [ 0x30000101 ]; } ); };\n",
		"gen.streams.[0].spis: no inbound SA with SPI 0x30000101 in ipsec");
	cfg_expect_err(CFG_BASE GEN_HEAD
		"streams = ( { name = \"e\"; proto = \"esp\"; tx = \"g\";"
		" rx = \"g\"; src = \"2001:db8::1\"; dst = \"2001:db8::2\";"
		" spis = [ 0x10000101 ]; } ); };\n", "carries IPv4");
	cfg_expect_err(CFG_BASE GEN_HEAD
		"streams = ( { name = \"s\"; proto = \"gtpu\"; tx = \"g\";"
		" rx = \"g\"; src = \"1.1.1.1\"; dst = \"2.2.2.2\";"
		" flows = 3; } ); };\n", "must be a multiple of the 2 ids");
	cfg_expect_err(CFG_BASE GEN_HEAD
		"streams = ( { name = \"s\"; proto = \"udp\"; tx = \"h\";"
		" rx = \"g\"; src = \"1.1.1.1\"; dst = \"2.2.2.2\"; } ); };\n",
		"unknown generator port 'h'");
	cfg_expect_err(CFG_BASE GEN_HEAD
		"streams = ( { name = \"s\"; proto = \"udp\"; tx = \"g\";"
		" rx = \"g\"; src = \"1.1.1.1\"; dst = \"2.2.2.2\";"
		" size = \"big\"; } ); };\n", "or \"imix\", got 'big'");
	cfg_expect_err(CFG_BASE GEN_HEAD
		"streams = ( { name = \"s\"; proto = \"udp\"; tx = \"g\";"
		" rx = \"g\"; src = \"1.1.1.1\"; dst = \"2.2.2.2\";"
		" size = [ 64, 9000 ]; } ); };\n",
		"streams.[0].size.[1]: must be 64..1518, got 9000");
	cfg_expect_err(CFG_BASE GEN_HEAD
		"streams = ( { name = \"s\"; proto = \"udp\"; tx = \"g\";"
		" rx = \"g\"; src = \"1.1.1.1\"; dst = \"2001:db8::2\"; } ); };\n",
		"must both be IPv4 or both IPv6");
	cfg_expect_err(CFG_BASE
		"gen = { lcore = 2; ports = ( { name = \"g\";"
		" device = \"net_null1\"; peer_mac = \"02:00:00:00:01:01\"; } );"
		" streams = ( ); };\n", "lcore 2 hosts server id 2");
	cfg_expect_err(CFG_BASE GEN_HEAD
		"streams = ( { name = \"s\"; proto = \"udp\"; tx = \"g\";"
		" rx = \"g\"; src = \"1.1.1.1\"; dst = \"2.2.2.2\";"
		" colour = 1; } ); };\n", "unknown setting 'colour'");
	ss_sa_cfg_clear(&sacfg);
	ss_cfg_unregister_all();
}
END_TEST

static Suite *
gen_suite(void)
{
	Suite *s = suite_create("gen");
	TCase *tc = tcase_create("gen");

	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, test_udp_tcp_build);
	tcase_add_test(tc, test_vary_addr);
	tcase_add_test(tc, test_crc32c_ref);
	tcase_add_test(tc, test_ids_spread);
	tcase_add_test(tc, test_imix);
	tcase_add_test(tc, test_esp_round_trip);
	tcase_add_test(tc, test_stamp_rx);
	tcase_add_test(tc, test_hist);
	tcase_add_test(tc, test_token_bucket);
	tcase_add_test(tc, test_cfg);
	tcase_add_test(tc, test_scapy);
	tcase_add_test(tc, test_cost);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr;
	int failed;

	ss_test_eal_init(NULL);
	mp = ss_test_pool(8191);
	if (ss_esp_crypto_init(SOCKET_ID_ANY, 1) != 0) {
		fprintf(stderr, "crypto init failed\n");
		return 1;
	}
	sr = srunner_create(gen_suite());
	srunner_set_fork_status(sr, CK_NOFORK);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	ss_esp_crypto_fini();
	return failed == 0 ? 0 : 1;
}
