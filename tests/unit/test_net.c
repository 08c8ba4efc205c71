/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 shardsec authors
 */

/* lib/net: classification and its drop counters, forwarding (LPM, TTL,
 * MTU, neighbours), ARP / ND / echo answers byte by byte, hold queues,
 * neighbour ageing. Frames are crafted here; checksums are verified with
 * an implementation of our own, not the library's. */

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <rte_byteorder.h>
#include <rte_cycles.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include "ss_net.h"
#include "ss_net_reasm.h"
#include "ss_net_priv.h"	/* net_v4_bit: addresses that share a bit */
#include "ss_test.h"

/* ---- set-up -------------------------------------------------------------- */

static const struct rte_ether_addr mac0 = {{ 0x02, 0, 0, 0, 0, 0x01 }};
static const struct rte_ether_addr mac1 = {{ 0x02, 0, 0, 0, 0, 0x02 }};
static const struct rte_ether_addr hmac = {{ 0x02, 0xaa, 0, 0, 0, 0x01 }};
static const struct rte_ether_addr gw1mac = {{ 0x02, 0xbb, 0, 0, 0x01, 0xfe }};
static const struct rte_ether_addr gw0mac = {{ 0x02, 0xbb, 0, 0, 0x00, 0xfe }};
static const struct rte_ether_addr gw6mac = {{ 0x02, 0xbb, 0, 0, 0x06, 0xfe }};
static const uint16_t port_ids[2] = { 10, 11 };
static struct ss_config cfg;
static struct ss_net_stats st;

struct txrec {
	unsigned int n;
	uint8_t port[64];
	struct rte_mbuf *m[64];
};
static struct txrec txr;

static int
tx_cb(uint8_t port, struct rte_mbuf *m, void *arg)
{
	struct txrec *r = arg;

	if (r->n >= RTE_DIM(r->m)) {
		rte_pktmbuf_free(m);
		return -ENOBUFS;
	}
	r->port[r->n] = port;
	r->m[r->n++] = m;
	return 0;
}

static void
tx_clear(void)
{
	unsigned int i;

	for (i = 0; i < txr.n; i++)
		rte_pktmbuf_free(txr.m[i]);
	txr.n = 0;
}

static struct rte_mempool *
pool(void)
{
	return ss_test_pool(2048);
}

static void
pfx(struct ss_prefix *p, const char *s)
{
	ck_assert_int_eq(ss_prefix_parse(s, p), 0);
}

static void
ipa(struct ss_ipaddr *a, const char *s)
{
	ck_assert_int_eq(ss_ipaddr_parse(s, a), 0);
}

/* inside (0): 192.0.2.1/24, 2001:db8:1::1/64, MTU 1500.
 * outside (1): 198.51.100.1/24, 2001:db8:2::1/64, MTU 1400.
 * 10.0.0.0/8 via 198.51.100.254 (static neighbour), 10.1.0.0/16 via
 * 192.0.2.254 (static neighbour), 2001:db8:100::/48 via 2001:db8:2::fe
 * (static neighbour), ::/0 via 2001:db8:1::fe (not resolved). */
static void
cfg_default(void)
{
	memset(&cfg, 0, sizeof(cfg));
	cfg.nb_ports = 2;
	snprintf(cfg.ports[0].name, sizeof(cfg.ports[0].name), "inside");
	cfg.ports[0].mtu = 1500;
	pfx(&cfg.ports[0].addrs[0], "192.0.2.1/24");
	pfx(&cfg.ports[0].addrs[1], "2001:db8:1::1/64");
	cfg.ports[0].nb_addrs = 2;
	snprintf(cfg.ports[1].name, sizeof(cfg.ports[1].name), "outside");
	cfg.ports[1].mtu = 1400;
	pfx(&cfg.ports[1].addrs[0], "198.51.100.1/24");
	pfx(&cfg.ports[1].addrs[1], "2001:db8:2::1/64");
	cfg.ports[1].nb_addrs = 2;
	pfx(&cfg.routes[0].dst, "10.0.0.0/8");
	cfg.routes[0].has_via = true;
	ipa(&cfg.routes[0].via, "198.51.100.254");
	cfg.routes[0].port = 1;
	pfx(&cfg.routes[1].dst, "10.1.0.0/16");
	cfg.routes[1].has_via = true;
	ipa(&cfg.routes[1].via, "192.0.2.254");
	cfg.routes[1].port = 0;
	pfx(&cfg.routes[2].dst, "2001:db8:100::/48");
	cfg.routes[2].has_via = true;
	ipa(&cfg.routes[2].via, "2001:db8:2::fe");
	cfg.routes[2].port = 1;
	pfx(&cfg.routes[3].dst, "::/0");
	cfg.routes[3].has_via = true;
	ipa(&cfg.routes[3].via, "2001:db8:1::fe");
	cfg.routes[3].port = 0;
	cfg.nb_routes = 4;
	cfg.neigh[0].port = 1;
	ipa(&cfg.neigh[0].ip, "198.51.100.254");
	cfg.neigh[0].mac = gw1mac;
	cfg.neigh[1].port = 0;
	ipa(&cfg.neigh[1].ip, "192.0.2.254");
	cfg.neigh[1].mac = gw0mac;
	cfg.neigh[2].port = 1;
	ipa(&cfg.neigh[2].ip, "2001:db8:2::fe");
	cfg.neigh[2].mac = gw6mac;
	cfg.nb_neigh = 3;
	cfg.arp_hold_ms = 300;
	cfg.arp_hold_pkts = 4;
}

static void
net_up(void)
{
	const struct rte_ether_addr macs[2] = { mac0, mac1 };

	ck_assert_int_eq(ss_net_init(&cfg, port_ids, macs, SOCKET_ID_ANY), 0);
	ss_net_ctl_set_tx(tx_cb, &txr, pool());
}

static void
setup(void)
{
	ss_net_fini();
	memset(&st, 0, sizeof(st));
	txr.n = 0;
	cfg_default();
	net_up();
}

static void
teardown(void)
{
	tx_clear();
	ss_net_fini();
}

/* ---- frames --------------------------------------------------------------- */

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* Our own one's complement sum (folded, not inverted). */
static uint16_t
sum16(const uint8_t *p, size_t len, uint32_t s)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		s += (uint32_t)p[len - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

static uint16_t
pseudo6_sum(const uint8_t *ip6, uint32_t len, uint8_t nxt)
{
	uint8_t ph[40];

	memcpy(ph, ip6 + 8, 32);
	ph[32] = len >> 24;
	ph[33] = (len >> 16) & 0xff;
	ph[34] = (len >> 8) & 0xff;
	ph[35] = len & 0xff;
	ph[36] = ph[37] = ph[38] = 0;
	ph[39] = nxt;
	return sum16(ph, sizeof(ph), 0);
}

static void
addr4(uint8_t *p, const char *s)
{
	struct ss_ipaddr a;

	ipa(&a, s);
	memcpy(p, &a.v4, 4);
}

static void
addr6(uint8_t *p, const char *s)
{
	struct ss_ipaddr a;

	ipa(&a, s);
	memcpy(p, a.v6, 16);
}

static size_t
eth(uint8_t *f, const struct rte_ether_addr *dst,
	const struct rte_ether_addr *src, uint16_t type)
{
	memcpy(f, dst->addr_bytes, 6);
	memcpy(f + 6, src->addr_bytes, 6);
	put16(f + 12, type);
	return 14;
}

/* Ethernet + IPv4 (no options) + l4; returns the frame length. */
static size_t
frame4(uint8_t *f, const struct rte_ether_addr *dmac, const char *src,
	const char *dst, uint8_t proto, uint8_t ttl, const uint8_t *l4,
	size_t l4len)
{
	uint8_t *ip = f + eth(f, dmac, &hmac, 0x0800);

	memset(ip, 0, 20);
	ip[0] = 0x45;
	put16(ip + 2, (uint16_t)(20 + l4len));
	put16(ip + 4, 0x1234);
	ip[8] = ttl;
	ip[9] = proto;
	addr4(ip + 12, src);
	addr4(ip + 16, dst);
	put16(ip + 10, (uint16_t)~sum16(ip, 20, 0));
	memcpy(ip + 20, l4, l4len);
	return 14 + 20 + l4len;
}

static size_t
frame6(uint8_t *f, const struct rte_ether_addr *dmac, const char *src,
	const char *dst, uint8_t proto, uint8_t hops, const uint8_t *l4,
	size_t l4len)
{
	uint8_t *ip = f + eth(f, dmac, &hmac, 0x86dd);

	memset(ip, 0, 40);
	ip[0] = 0x60;
	put16(ip + 4, (uint16_t)l4len);
	ip[6] = proto;
	ip[7] = hops;
	addr6(ip + 8, src);
	addr6(ip + 24, dst);
	memcpy(ip + 40, l4, l4len);
	return 14 + 40 + l4len;
}

/* Set the ICMPv6 checksum of a frame made by frame6. */
static void
icmp6_fix(uint8_t *f)
{
	uint8_t *ip = f + 14;
	const uint16_t len = get16(ip + 4);

	ip[40 + 2] = ip[40 + 3] = 0;
	put16(ip + 42, (uint16_t)~sum16(ip + 40, len,
		pseudo6_sum(ip, len, 58)));
}

static struct rte_mbuf *
mk(const uint8_t *f, size_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool());
	uint8_t *p;

	ck_assert_ptr_nonnull(m);
	p = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)len);
	ck_assert_ptr_nonnull(p);
	memcpy(p, f, len);
	return m;
}

static uint8_t
classify1(struct rte_mbuf *m, uint8_t port)
{
	uint8_t cls = 0xee;

	ss_net_classify_burst(&m, 1, port, &cls, &st);
	return cls;
}

/* A fragment to us: punted for the control lcore's reassembly, marked
 * L4_FRAG, with l3_len up to its payload; no drop counter moves. */
static void
expect_frag_punt(const uint8_t *f, size_t len, uint8_t l3_len)
{
	struct ss_net_stats before = st;
	struct rte_mbuf *m = mk(f, len);
	unsigned int d;

	ck_assert_uint_eq(classify1(m, 0), SS_NET_CLASS_PUNT);
	ck_assert_uint_eq(m->packet_type & RTE_PTYPE_L4_MASK,
		RTE_PTYPE_L4_FRAG);
	ck_assert_uint_eq(m->l2_len, 14);
	ck_assert_uint_eq(m->l3_len, l3_len);
	ck_assert_uint_eq(st.punted, before.punted + 1);
	for (d = 0; d < SS_NET_DROP_MAX; d++)
		ck_assert_uint_eq(st.drop[d], before.drop[d]);
	rte_pktmbuf_free(m);
}

/* IPv6 to us whose routing header names further hops: punted for the
 * control lcore's parameter problem, which points at 'ptr'; no L4 type,
 * l3_len up to the routing header; the frame untouched. */
static void
expect_rh_punt(const uint8_t *f, size_t len, int ptr)
{
	struct ss_net_stats before = st;
	struct rte_mbuf *m = mk(f, len);
	unsigned int d;

	ck_assert_uint_eq(classify1(m, 0), SS_NET_CLASS_PUNT);
	ck_assert_uint_eq(m->packet_type, RTE_PTYPE_L2_ETHER |
		RTE_PTYPE_L3_IPV6_EXT);
	ck_assert_uint_eq(m->l3_len, ptr - 2);
	ck_assert_int_eq(ss_net_ip6_rh_pointer(m), ptr);
	ck_assert_uint_eq(rte_pktmbuf_pkt_len(m), len);
	ck_assert_mem_eq(rte_pktmbuf_mtod(m, const uint8_t *), f, len);
	ck_assert_uint_eq(st.punted, before.punted + 1);
	for (d = 0; d < SS_NET_DROP_MAX; d++)
		ck_assert_uint_eq(st.drop[d], before.drop[d]);
	rte_pktmbuf_free(m);
}

/* Classify a frame that must be dropped for 'why' alone. */
static void
expect_drop(const uint8_t *f, size_t len, uint8_t port, enum ss_net_drop why)
{
	struct ss_net_stats before = st;
	struct rte_mbuf *m = mk(f, len);
	unsigned int d;

	ck_assert_msg(classify1(m, port) == SS_NET_CLASS_DROP,
		"expected drop %s", ss_net_drop_names[why]);
	for (d = 0; d < SS_NET_DROP_MAX; d++)
		ck_assert_msg(st.drop[d] == before.drop[d] + (d == why),
			"counter %s: %" PRIu64 " (wanted %s)",
			ss_net_drop_names[d], st.drop[d] - before.drop[d],
			ss_net_drop_names[why]);
	rte_pktmbuf_free(m);
}

static const uint8_t echo_req[16] = { 8, 0, 0, 0, 0x12, 0x34, 0, 1,
	'p', 'i', 'n', 'g', 'd', 'a', 't', 'a' };

static void
icmp4_fix(uint8_t *l4, size_t len)
{
	l4[2] = l4[3] = 0;
	put16(l4 + 2, (uint16_t)~sum16(l4, len, 0));
}

/* ---- classification ------------------------------------------------------- */

START_TEST(test_classify_classes)
{
	static const struct rte_ether_addr bcast = {{ 0xff, 0xff, 0xff, 0xff,
		0xff, 0xff }};
	static const struct rte_ether_addr pae = {{ 0x01, 0x80, 0xc2, 0, 0,
		0x03 }};
	static const struct rte_ether_addr snmc = {{ 0x33, 0x33, 0xff, 0, 0,
		0x01 }};
	uint8_t f[256], l4[64];
	struct rte_mbuf *m[12];
	uint8_t cls[12];
	size_t len[12];
	uint8_t *p;
	unsigned int i, n = 0;
	const uint8_t want[] = {
		SS_NET_CLASS_PUNT, SS_NET_CLASS_PUNT, SS_NET_CLASS_PUNT,
		SS_NET_CLASS_PUNT, SS_NET_CLASS_ESP, SS_NET_CLASS_ESP,
		SS_NET_CLASS_PUNT, SS_NET_CLASS_FORWARD, SS_NET_CLASS_FORWARD,
		SS_NET_CLASS_PUNT, SS_NET_CLASS_ESP, SS_NET_CLASS_PUNT,
	};

	/* 0 ARP request (broadcast) */
	p = f + eth(f, &bcast, &hmac, 0x0806);
	memcpy(p, "\x00\x01\x08\x00\x06\x04\x00\x01", 8);
	memcpy(p + 8, hmac.addr_bytes, 6);
	addr4(p + 14, "192.0.2.10");
	memset(p + 18, 0, 6);
	addr4(p + 24, "192.0.2.1");
	len[n] = 42;
	m[n++] = mk(f, 42);
	/* 1 ICMP echo to us */
	memcpy(l4, echo_req, sizeof(echo_req));
	icmp4_fix(l4, sizeof(echo_req));
	len[n] = frame4(f, &mac0, "192.0.2.10", "192.0.2.1", 1, 64, l4,
		sizeof(echo_req));
	m[n] = mk(f, len[n]);
	n++;
	/* 2 UDP 500 to us (on the other port's address: weak host) */
	memset(l4, 0, 40);
	put16(l4, 500);
	put16(l4 + 2, 500);
	put16(l4 + 4, 40);
	len[n] = frame4(f, &mac0, "192.0.2.10", "198.51.100.1", 17, 64, l4,
		40);
	m[n] = mk(f, len[n]);
	n++;
	/* 3 UDP 4500, non-ESP marker: IKE */
	put16(l4, 4500);
	put16(l4 + 2, 4500);
	len[n] = frame4(f, &mac0, "192.0.2.10", "192.0.2.1", 17, 64, l4, 40);
	m[n] = mk(f, len[n]);
	n++;
	/* 4 UDP 4500 with an SPI: ESP */
	l4[8] = 0xc0;
	len[n] = frame4(f, &mac0, "192.0.2.10", "192.0.2.1", 17, 64, l4, 40);
	m[n] = mk(f, len[n]);
	n++;
	/* 5 ESP */
	len[n] = frame4(f, &mac0, "192.0.2.10", "192.0.2.1", 50, 64, l4, 40);
	m[n] = mk(f, len[n]);
	n++;
	/* 6 EAPOL to the PAE group address */
	eth(f, &pae, &hmac, 0x888e);
	memset(f + 14, 0, 46);
	len[n] = 60;
	m[n++] = mk(f, 60);
	/* 7 transit IPv4 */
	len[n] = frame4(f, &mac0, "192.0.2.10", "10.2.3.4", 6, 64, l4, 40);
	m[n] = mk(f, len[n]);
	n++;
	/* 8 transit IPv6 */
	len[n] = frame6(f, &mac0, "2001:db8:1::10", "2001:db8:100::5", 17,
		64, l4, 40);
	m[n] = mk(f, len[n]);
	n++;
	/* 9 NS to the solicited-node group */
	memset(l4, 0, 32);
	l4[0] = 135;
	len[n] = frame6(f, &snmc, "2001:db8:1::10", "ff02::1:ff00:1", 58,
		255, l4, 32);
	m[n] = mk(f, len[n]);
	n++;
	/* 10 ESP over IPv6 */
	len[n] = frame6(f, &mac0, "2001:db8:1::10", "2001:db8:1::1", 50, 64,
		l4, 40);
	m[n] = mk(f, len[n]);
	n++;
	/* 11 echo to our link-local address */
	memcpy(l4, echo_req, sizeof(echo_req));
	l4[0] = 128;
	len[n] = frame6(f, &mac0, "fe80::aa:ff:fe00:1",
		"fe80::ff:fe00:1", 58, 64, l4, sizeof(echo_req));
	m[n] = mk(f, len[n]);
	n++;

	ss_net_classify_burst(m, (uint16_t)n, 0, cls, &st);
	for (i = 0; i < n; i++) {
		ck_assert_msg(cls[i] == want[i], "frame %u: class %u, want %u",
			i, cls[i], want[i]);
		ck_assert_uint_eq(m[i]->port, 10);
		ck_assert_uint_eq(m[i]->l2_len, 14);
		ck_assert_uint_eq(m[i]->pkt_len, len[i]);
	}
	for (i = 0; i < SS_NET_DROP_MAX; i++)
		ck_assert_uint_eq(st.drop[i], 0);
	ck_assert_uint_eq(st.punted, 7);
	ck_assert_uint_eq(m[1]->l3_len, 20);
	ck_assert_uint_eq(m[1]->packet_type, RTE_PTYPE_L2_ETHER |
		RTE_PTYPE_L3_IPV4 | RTE_PTYPE_L4_ICMP |
		SS_NET_PTYPE_IP4_CHECKED);
	ck_assert_uint_eq(m[4]->packet_type, RTE_PTYPE_L2_ETHER |
		RTE_PTYPE_L3_IPV4 | RTE_PTYPE_L4_UDP |
		SS_NET_PTYPE_IP4_CHECKED);
	ck_assert_uint_eq(m[5]->packet_type, RTE_PTYPE_L2_ETHER |
		RTE_PTYPE_L3_IPV4 | RTE_PTYPE_TUNNEL_ESP |
		SS_NET_PTYPE_IP4_CHECKED);
	ck_assert_uint_eq(m[8]->l3_len, 40);
	ck_assert_uint_eq(m[8]->packet_type & RTE_PTYPE_L3_MASK,
		RTE_PTYPE_L3_IPV6);
	ck_assert_uint_eq(m[0]->packet_type, RTE_PTYPE_L2_ETHER_ARP);
	for (i = 0; i < n; i++)
		rte_pktmbuf_free(m[i]);
}
END_TEST

START_TEST(test_classify_padding_ext)
{
	uint8_t f[256], l4[64];
	struct rte_mbuf *m;
	size_t len;

	/* A 60-byte frame carrying a 48-byte IPv4 packet loses its padding. */
	memcpy(l4, echo_req, sizeof(echo_req));
	icmp4_fix(l4, sizeof(echo_req));
	len = frame4(f, &mac0, "192.0.2.10", "192.0.2.1", 1, 64, l4,
		sizeof(echo_req));
	ck_assert_uint_eq(len, 50);
	memset(f + len, 0xee, 10);
	m = mk(f, 60);
	ck_assert_uint_eq(classify1(m, 0), SS_NET_CLASS_PUNT);
	ck_assert_uint_eq(m->pkt_len, 50);
	rte_pktmbuf_free(m);

	/* ESP to us behind a destination options header: l3_len covers it */
	memset(l4, 0, sizeof(l4));
	l4[0] = 50;		/* next: ESP */
	l4[1] = 0;		/* 8 bytes */
	l4[8] = 1;		/* SPI */
	len = frame6(f, &mac0, "2001:db8:1::10", "2001:db8:1::1", 60, 64, l4,
		40);
	m = mk(f, len);
	ck_assert_uint_eq(classify1(m, 0), SS_NET_CLASS_ESP);
	ck_assert_uint_eq(m->l3_len, 48);
	ck_assert_uint_eq(m->packet_type, RTE_PTYPE_L2_ETHER |
		RTE_PTYPE_L3_IPV6_EXT | RTE_PTYPE_TUNNEL_ESP);
	rte_pktmbuf_free(m);

	/* PMD said the IPv4 checksum is good: not recomputed. */
	len = frame4(f, &mac0, "192.0.2.10", "10.9.9.9", 17, 64, l4, 40);
	f[14 + 10] ^= 0x55;
	m = mk(f, len);
	m->ol_flags = RTE_MBUF_F_RX_IP_CKSUM_GOOD;
	ck_assert_uint_eq(classify1(m, 0), SS_NET_CLASS_FORWARD);
	rte_pktmbuf_free(m);
}
END_TEST

START_TEST(test_classify_drops)
{
	static const struct rte_ether_addr other = {{ 0x02, 0xcc, 0, 0, 0,
		0x09 }};
	static const struct rte_ether_addr mcast = {{ 0x01, 0, 0x5e, 0, 0,
		1 }};
	static const struct rte_ether_addr mcast6 = {{ 0x33, 0x33, 0, 0, 0,
		1 }};
	uint8_t f[256], l4[64];
	struct rte_mbuf *m;
	size_t len;

	memset(l4, 0, sizeof(l4));
	put16(l4 + 4, 40);

	/* runt */
	eth(f, &mac0, &hmac, 0x0800);
	expect_drop(f, 10, 0, SS_NET_DROP_RUNT);
	/* unsupported ethertype (VLAN) */
	expect_drop(f, eth(f, &mac0, &hmac, 0x8100) + 46, 0,
		SS_NET_DROP_ETHERTYPE);
	/* ARP with a bad hardware length */
	eth(f, &mac0, &hmac, 0x0806);
	memcpy(f + 14, "\x00\x01\x08\x00\x05\x04\x00\x01", 8);
	expect_drop(f, 42, 0, SS_NET_DROP_ARP_MALFORMED);
	/* ARP cut short */
	memcpy(f + 14, "\x00\x01\x08\x00\x06\x04\x00\x01", 8);
	expect_drop(f, 30, 0, SS_NET_DROP_ARP_MALFORMED);
	/* IPv4 shorter than its header */
	len = frame4(f, &mac0, "192.0.2.10", "10.9.9.9", 17, 64, l4, 40);
	expect_drop(f, 14 + 12, 0, SS_NET_DROP_IP4_TRUNC);
	/* IHL 4 */
	f[14] = 0x44;
	expect_drop(f, len, 0, SS_NET_DROP_IP4_HDRLEN);
	/* IHL 15 in a 34-byte packet */
	f[14] = 0x4f;
	expect_drop(f, 14 + 40, 0, SS_NET_DROP_IP4_TRUNC);
	/* total length beyond the frame, and below the header */
	len = frame4(f, &mac0, "192.0.2.10", "10.9.9.9", 17, 64, l4, 40);
	put16(f + 16, 61);
	expect_drop(f, len, 0, SS_NET_DROP_IP4_TOTLEN);
	put16(f + 16, 19);
	expect_drop(f, len, 0, SS_NET_DROP_IP4_TOTLEN);
	/* bad header checksum */
	len = frame4(f, &mac0, "192.0.2.10", "10.9.9.9", 17, 64, l4, 40);
	f[14 + 10] ^= 1;
	expect_drop(f, len, 0, SS_NET_DROP_IP4_CSUM);
	/* version 5 under ethertype IPv4 */
	len = frame4(f, &mac0, "192.0.2.10", "10.9.9.9", 17, 64, l4, 40);
	f[14] = 0x55;
	expect_drop(f, len, 0, SS_NET_DROP_IP4_VERSION);
	/* the PMD's verdict wins: good checksum flagged bad */
	len = frame4(f, &mac0, "192.0.2.10", "10.9.9.9", 17, 64, l4, 40);
	m = mk(f, len);
	m->ol_flags = RTE_MBUF_F_RX_IP_CKSUM_BAD;
	ck_assert_uint_eq(classify1(m, 0), SS_NET_CLASS_DROP);
	ck_assert_uint_eq(st.drop[SS_NET_DROP_IP4_CSUM], 2);
	rte_pktmbuf_free(m);
	/* fragment to us: to the control lcore's reassembly */
	len = frame4(f, &mac0, "192.0.2.10", "192.0.2.1", 50, 64, l4, 40);
	f[14 + 6] = 0x20;	/* MF */
	f[14 + 10] = f[14 + 11] = 0;
	put16(f + 14 + 10, (uint16_t)~sum16(f + 14, 20, 0));
	expect_frag_punt(f, len, 20);
	/* multicast, broadcast and own sources */
	len = frame4(f, &mac0, "224.0.0.5", "10.9.9.9", 17, 64, l4, 40);
	expect_drop(f, len, 0, SS_NET_DROP_SRC_INVALID);
	len = frame4(f, &mac0, "192.0.2.255", "10.9.9.9", 17, 64, l4, 40);
	expect_drop(f, len, 0, SS_NET_DROP_SRC_INVALID);
	len = frame4(f, &mac0, "198.51.100.1", "10.9.9.9", 17, 64, l4, 40);
	expect_drop(f, len, 0, SS_NET_DROP_SRC_INVALID);
	len = frame6(f, &mac0, "ff02::1", "2001:db8:100::5", 17, 64, l4, 40);
	expect_drop(f, len, 0, SS_NET_DROP_SRC_INVALID);
	len = frame6(f, &mac0, "2001:db8:2::1", "2001:db8:100::5", 17, 64,
		l4, 40);
	expect_drop(f, len, 0, SS_NET_DROP_SRC_INVALID);
	/* multicast source MAC */
	len = frame4(f, &mac0, "192.0.2.10", "10.9.9.9", 17, 64, l4, 40);
	memcpy(f + 6, mcast.addr_bytes, 6);
	expect_drop(f, len, 0, SS_NET_DROP_SRC_INVALID);
	/* another host's MAC; unhandled protocol to us; directed
	 * broadcast; an IPv4 group */
	len = frame4(f, &other, "192.0.2.10", "10.9.9.9", 17, 64, l4, 40);
	expect_drop(f, len, 0, SS_NET_DROP_NOT_FOR_US);
	len = frame4(f, &mac0, "192.0.2.10", "192.0.2.1", 6, 64, l4, 40);
	expect_drop(f, len, 0, SS_NET_DROP_NOT_FOR_US);
	len = frame4(f, &mac0, "192.0.2.10", "192.0.2.255", 17, 64, l4, 40);
	expect_drop(f, len, 0, SS_NET_DROP_NOT_FOR_US);
	len = frame4(f, &mcast, "192.0.2.10", "224.0.0.1", 17, 64, l4, 40);
	expect_drop(f, len, 0, SS_NET_DROP_NOT_FOR_US);
	/* UDP to us: other port; header cut; length field too big */
	put16(l4 + 2, 53);
	len = frame4(f, &mac0, "192.0.2.10", "192.0.2.1", 17, 64, l4, 40);
	expect_drop(f, len, 0, SS_NET_DROP_NOT_FOR_US);
	len = frame4(f, &mac0, "192.0.2.10", "192.0.2.1", 17, 64, l4, 6);
	expect_drop(f, len, 0, SS_NET_DROP_L4_TRUNC);
	put16(l4 + 2, 4500);
	put16(l4 + 4, 41);
	len = frame4(f, &mac0, "192.0.2.10", "192.0.2.1", 17, 64, l4, 40);
	expect_drop(f, len, 0, SS_NET_DROP_L4_TRUNC);
	/* ESP header cut */
	len = frame4(f, &mac0, "192.0.2.10", "192.0.2.1", 50, 64, l4, 6);
	expect_drop(f, len, 0, SS_NET_DROP_L4_TRUNC);
	/* NAT-T keepalive: one 0xff byte */
	put16(l4 + 4, 9);
	l4[8] = 0xff;
	len = frame4(f, &mac0, "192.0.2.10", "192.0.2.1", 17, 64, l4, 9);
	expect_drop(f, len, 0, SS_NET_DROP_NATT_KEEPALIVE);
	/* ... over IPv6 too */
	len = frame6(f, &mac0, "2001:db8:1::10", "2001:db8:1::1", 17, 64, l4,
		9);
	expect_drop(f, len, 0, SS_NET_DROP_NATT_KEEPALIVE);
	/* IPv6 cut, bad version, payload length beyond the frame */
	memset(l4, 0, sizeof(l4));
	len = frame6(f, &mac0, "2001:db8:1::10", "2001:db8:100::5", 17, 64,
		l4, 40);
	expect_drop(f, 14 + 39, 0, SS_NET_DROP_IP6_TRUNC);
	f[14] = 0x40;
	expect_drop(f, len, 0, SS_NET_DROP_IP6_VERSION);
	f[14] = 0x60;
	put16(f + 18, 41);
	expect_drop(f, len, 0, SS_NET_DROP_IP6_PLEN);
	/* IPv6 fragment to us: reassembled on the control lcore with its
	 * header first; hop-by-hop, destination options and routing headers
	 * without segments left in front of it are taken out */
	l4[0] = 50;
	len = frame6(f, &mac0, "2001:db8:1::10", "2001:db8:1::1", 44, 64, l4,
		40);
	expect_frag_punt(f, len, 48);
	l4[0] = 60;
	l4[1] = 0;		/* hop-by-hop, 8 bytes, destination options, */
	l4[8] = 44;
	l4[9] = 1;		/* 16 bytes, then the fragment header */
	memset(l4 + 24, 0, 8);
	l4[24] = 50;
	memset(l4 + 32, 0xa5, 8);
	len = frame6(f, &mac0, "2001:db8:1::10", "2001:db8:1::1", 0, 64, l4,
		40);
	{
		const uint8_t *q;

		m = mk(f, len);
		ck_assert_uint_eq(classify1(m, 0), SS_NET_CLASS_PUNT);
		ck_assert_uint_eq(m->packet_type & RTE_PTYPE_L4_MASK,
			RTE_PTYPE_L4_FRAG);
		ck_assert_uint_eq(m->l3_len, 48);
		ck_assert_uint_eq(m->pkt_len, len - 24);
		q = rte_pktmbuf_mtod(m, const uint8_t *);
		ck_assert_mem_eq(q, f, 14 + 4);		/* MACs, IPv6 start */
		ck_assert_uint_eq(get16(q + 18), 40 - 24);
		ck_assert_uint_eq(q[20], 44);
		ck_assert_mem_eq(q + 21, f + 21, 33);	/* hops, addresses */
		ck_assert_mem_eq(q + 54, l4 + 24, 16);	/* frag hdr, data */
		rte_pktmbuf_free(m);
	}
	memset(l4, 0, sizeof(l4));
	l4[0] = 44;
	l4[1] = 0;		/* routing header (segments left 0), then frag */
	l4[8] = 50;
	memset(l4 + 16, 0x5a, 8);
	len = frame6(f, &mac0, "2001:db8:1::10", "2001:db8:1::1", 43, 64, l4,
		40);
	expect_frag_punt(f, len, 48);
	{
		const uint8_t *q;

		m = mk(f, len);
		ck_assert_uint_eq(classify1(m, 0), SS_NET_CLASS_PUNT);
		ck_assert_uint_eq(m->pkt_len, len - 8);
		q = rte_pktmbuf_mtod(m, const uint8_t *);
		ck_assert_uint_eq(get16(q + 18), 40 - 8);
		ck_assert_uint_eq(q[20], 44);
		ck_assert_mem_eq(q + 54, l4 + 8, 16);	/* frag hdr, data */
		ck_assert_int_eq(ss_net_ip6_rh_pointer(m), -1);
		rte_pktmbuf_free(m);
	}
	/* a routing header that names further hops (segments left 1):
	 * punted for a parameter problem pointing at its routing type,
	 * whatever follows it (RFC 8200 4.4); not to a group */
	l4[3] = 1;
	len = frame6(f, &mac0, "2001:db8:1::10", "2001:db8:1::1", 43, 64, l4,
		40);
	expect_rh_punt(f, len, 40 + 2);
	l4[0] = 17;		/* UDP 500 behind it */
	put16(l4 + 8, 500);
	put16(l4 + 10, 500);
	put16(l4 + 12, 32);
	len = frame6(f, &mac0, "2001:db8:1::10", "2001:db8:1::1", 43, 64, l4,
		40);
	expect_rh_punt(f, len, 40 + 2);
	memset(l4, 0, 48);
	l4[0] = 43;		/* hop-by-hop, 8 bytes, then routing, 16 */
	l4[8] = 17;
	l4[9] = 1;
	l4[10] = 4;		/* type 4 (segment routing) */
	l4[11] = 2;		/* segments left 2 */
	put16(l4 + 24, 500);
	put16(l4 + 26, 500);
	put16(l4 + 28, 16);
	len = frame6(f, &mac0, "2001:db8:1::10", "2001:db8:1::1", 0, 64, l4,
		40);
	expect_rh_punt(f, len, 40 + 8 + 2);
	len = frame6(f, &mcast6, "2001:db8:1::10", "ff02::1", 0, 64, l4, 40);
	expect_drop(f, len, 0, SS_NET_DROP_IP6_ROUTING);
	len = frame6(f, &mac0, "::", "2001:db8:1::1", 0, 64, l4, 40);
	expect_drop(f, len, 0, SS_NET_DROP_SRC_INVALID);
	/* with no segments left it is read past: IKE, as without it */
	l4[11] = 0;
	len = frame6(f, &mac0, "2001:db8:1::10", "2001:db8:1::1", 0, 64, l4,
		40);
	m = mk(f, len);
	ck_assert_uint_eq(classify1(m, 0), SS_NET_CLASS_PUNT);
	ck_assert_uint_eq(m->packet_type & RTE_PTYPE_L4_MASK,
		RTE_PTYPE_L4_UDP);
	ck_assert_uint_eq(m->l3_len, 40 + 8 + 16);
	ck_assert_int_eq(ss_net_ip6_rh_pointer(m), -1);
	rte_pktmbuf_free(m);
	/* forwarded as it is when it is not to us (the routing header is
	 * for the node in the destination address) */
	l4[11] = 2;
	len = frame6(f, &mac0, "2001:db8:1::10", "2001:db8:100::5", 0, 64, l4,
		40);
	m = mk(f, len);
	ck_assert_uint_eq(classify1(m, 0), SS_NET_CLASS_FORWARD);
	rte_pktmbuf_free(m);
	memset(l4, 0, 16);
	l4[0] = 50;
	l4[1] = 9;		/* 80 bytes in 40 */
	len = frame6(f, &mac0, "2001:db8:1::10", "2001:db8:1::1", 60, 64, l4,
		40);
	expect_drop(f, len, 0, SS_NET_DROP_IP6_EXT);
	/* link-local source cannot be forwarded; unspecified source to a
	 * unicast address of ours */
	len = frame6(f, &mac0, "fe80::1", "2001:db8:100::5", 17, 64, l4, 40);
	expect_drop(f, len, 0, SS_NET_DROP_SRC_INVALID);
	len = frame6(f, &mac0, "::", "2001:db8:1::1", 50, 64, l4, 40);
	expect_drop(f, len, 0, SS_NET_DROP_SRC_INVALID);
	/* another port's link-local address is not ours on this link */
	len = frame6(f, &mac0, "2001:db8:1::10", "fe80::ff:fe00:2", 58, 64, l4,
		40);
	expect_drop(f, len, 0, SS_NET_DROP_NOT_FOR_US);
	/* UDP to an IPv6 group */
	len = frame6(f, &mcast, "fe80::5", "ff02::1", 17, 1, l4, 40);
	expect_drop(f, len, 0, SS_NET_DROP_NOT_FOR_US);
}
END_TEST

/* IPv4 addresses at the edges of the source and destination tests
 * (first bytes 0, 127, 224-239, 240-255; the all-ones and all-zeros
 * addresses; subnet broadcasts of this and another port; another port's
 * address), header checksums against our own sum: random headers, and
 * one with options. */
START_TEST(test_classify_ip4_edges)
{
	static const struct rte_ether_addr bcast = {{ 0xff, 0xff, 0xff, 0xff,
		0xff, 0xff }};
	static const struct {
		const char *src, *dst;
		uint8_t cls;		/* SS_NET_CLASS_DROP: 'why' */
		enum ss_net_drop why;
	} cases[] = {
		{ "0.1.2.3", "10.9.9.9", SS_NET_CLASS_FORWARD, 0 },
		{ "240.0.0.1", "10.9.9.9", SS_NET_CLASS_FORWARD, 0 },
		{ "255.1.2.3", "10.9.9.9", SS_NET_CLASS_FORWARD, 0 },
		{ "198.51.100.255", "10.9.9.9", SS_NET_CLASS_FORWARD, 0 },
		{ "192.0.2.10", "198.51.100.255", SS_NET_CLASS_FORWARD, 0 },
		{ "192.0.2.10", "255.1.2.3", SS_NET_CLASS_FORWARD, 0 },
		{ "192.0.2.10", "240.1.2.3", SS_NET_CLASS_FORWARD, 0 },
		{ "192.0.2.10", "223.255.255.255", SS_NET_CLASS_FORWARD, 0 },
		{ "192.0.2.10", "128.0.0.1", SS_NET_CLASS_FORWARD, 0 },
		{ "192.0.2.10", "198.51.100.1", SS_NET_CLASS_ESP, 0 },
		{ "0.0.0.0", "10.9.9.9", SS_NET_CLASS_DROP,
			SS_NET_DROP_SRC_INVALID },
		{ "255.255.255.255", "10.9.9.9", SS_NET_CLASS_DROP,
			SS_NET_DROP_SRC_INVALID },
		{ "127.0.0.1", "10.9.9.9", SS_NET_CLASS_DROP,
			SS_NET_DROP_SRC_INVALID },
		{ "239.255.255.255", "10.9.9.9", SS_NET_CLASS_DROP,
			SS_NET_DROP_SRC_INVALID },
		{ "192.0.2.1", "10.9.9.9", SS_NET_CLASS_DROP,
			SS_NET_DROP_SRC_INVALID },
		{ "127.0.0.1", "224.0.0.1", SS_NET_CLASS_DROP,
			SS_NET_DROP_SRC_INVALID },
		{ "192.0.2.10", "0.1.2.3", SS_NET_CLASS_DROP,
			SS_NET_DROP_NOT_FOR_US },
		{ "192.0.2.10", "0.0.0.0", SS_NET_CLASS_DROP,
			SS_NET_DROP_NOT_FOR_US },
		{ "192.0.2.10", "127.0.0.1", SS_NET_CLASS_DROP,
			SS_NET_DROP_NOT_FOR_US },
		{ "192.0.2.10", "255.255.255.255", SS_NET_CLASS_DROP,
			SS_NET_DROP_NOT_FOR_US },
		{ "192.0.2.10", "239.1.1.1", SS_NET_CLASS_DROP,
			SS_NET_DROP_NOT_FOR_US },
	};
	uint8_t f[256], l4[64];
	struct rte_mbuf *m;
	unsigned int i, j, bad = 0;
	size_t len;
	uint8_t c;

	memset(l4, 0x11, sizeof(l4));
	for (i = 0; i < RTE_DIM(cases); i++) {
		len = frame4(f, &mac0, cases[i].src, cases[i].dst, 50, 64, l4,
			40);
		if (cases[i].cls == SS_NET_CLASS_DROP) {
			expect_drop(f, len, 0, cases[i].why);
			continue;
		}
		m = mk(f, len);
		c = classify1(m, 0);
		ck_assert_msg(c == cases[i].cls, "%s -> %s: class %u",
			cases[i].src, cases[i].dst, c);
		rte_pktmbuf_free(m);
	}
	/* a unicast destination in a broadcast frame is not forwarded */
	len = frame4(f, &bcast, "192.0.2.10", "10.9.9.9", 17, 64, l4, 40);
	expect_drop(f, len, 0, SS_NET_DROP_NOT_FOR_US);

	/* random headers, half of them with a correct checksum */
	srand(4711);
	for (i = 0; i < 4000; i++) {
		uint8_t *ip = f + 14;

		len = frame4(f, &mac0, "192.0.2.10", "10.9.9.9", 17, 64, l4,
			40);
		ip[1] = (uint8_t)rand();
		for (j = 4; j < 12; j++)
			ip[j] = (uint8_t)rand();
		if (i % 4 == 3)
			memset(ip + 4, 0xff, 8);
		if (i & 1) {
			ip[10] = ip[11] = 0;
			put16(ip + 10, (uint16_t)~sum16(ip, 20, 0));
			if (i % 8 == 1 && get16(ip + 10) == 0)
				put16(ip + 10, 0xffff);	/* -0 */
		}
		if (sum16(ip, 20, 0) != 0xffff) {
			bad++;
			expect_drop(f, len, 0, SS_NET_DROP_IP4_CSUM);
			continue;
		}
		m = mk(f, len);
		ck_assert_uint_eq(classify1(m, 0), SS_NET_CLASS_FORWARD);
		ck_assert_uint_eq(m->l3_len, 20);
		ck_assert_uint_eq(m->packet_type, RTE_PTYPE_L2_ETHER |
			RTE_PTYPE_L3_IPV4 | ((get16(ip + 6) & 0x3fff) ?
			RTE_PTYPE_L4_FRAG : RTE_PTYPE_L4_UDP) |
			SS_NET_PTYPE_IP4_CHECKED);
		rte_pktmbuf_free(m);
	}
	ck_assert_uint_gt(bad, 1000);
	ck_assert_uint_lt(bad, 3000);

	/* a header with options (IHL 6): good, then one bit off */
	len = frame4(f, &mac0, "192.0.2.10", "10.9.9.9", 17, 64, l4, 40);
	memmove(f + 14 + 24, f + 14 + 20, 40);
	memcpy(f + 14 + 20, "\x01\x01\x01\x00", 4);	/* NOP NOP NOP EOL */
	f[14] = 0x46;
	put16(f + 14 + 2, 64);
	f[14 + 10] = f[14 + 11] = 0;
	put16(f + 14 + 10, (uint16_t)~sum16(f + 14, 24, 0));
	len += 4;
	m = mk(f, len);
	ck_assert_uint_eq(classify1(m, 0), SS_NET_CLASS_FORWARD);
	ck_assert_uint_eq(m->l2_len, 14);
	ck_assert_uint_eq(m->l3_len, 24);
	ck_assert_uint_eq(m->packet_type, RTE_PTYPE_L2_ETHER |
		RTE_PTYPE_L3_IPV4_EXT | RTE_PTYPE_L4_UDP);
	rte_pktmbuf_free(m);
	f[14 + 21] ^= 0x80;
	expect_drop(f, len, 0, SS_NET_DROP_IP4_CSUM);
}
END_TEST

/* SS_NET_PTYPE_IP4_CHECKED only where its promise holds: IHL 5, the
 * packet whole in the first segment, pkt_len == data_len == 14 + total
 * length (after a trim of padding). */
static struct rte_mbuf *
mk_split(const uint8_t *f, size_t len, size_t first)
{
	struct rte_mbuf *m = mk(f, first);
	struct rte_mbuf *t = mk(f + first, len - first);

	ck_assert_int_eq(rte_pktmbuf_chain(m, t), 0);
	return m;
}

static void
check_ip4_flag(struct rte_mbuf *m, uint8_t cls, bool flag)
{
	ck_assert_uint_eq(classify1(m, 0), cls);
	ck_assert_msg(!!(m->packet_type & SS_NET_PTYPE_IP4_CHECKED) == flag,
		"packet_type %#x, flag wanted %d", m->packet_type, flag);
	if (flag) {
		const uint8_t *ip = rte_pktmbuf_mtod_offset(m,
			const uint8_t *, 14);

		ck_assert_uint_eq(m->l2_len, 14);
		ck_assert_uint_eq(ip[0], 0x45);
		ck_assert_uint_eq(m->data_len, m->pkt_len);
		ck_assert_uint_eq(m->pkt_len, 14u + get16(ip + 2));
	}
	rte_pktmbuf_free(m);
}

START_TEST(test_classify_ip4_checked)
{
	uint8_t f[256], l4[64];
	struct rte_mbuf *m;
	size_t len;

	memset(l4, 0x22, sizeof(l4));
	len = frame4(f, &mac0, "192.0.2.10", "10.9.9.9", 17, 64, l4, 40);
	check_ip4_flag(mk(f, len), SS_NET_CLASS_FORWARD, true);
	/* ESP to us: also for the steering of it */
	len = frame4(f, &mac0, "192.0.2.10", "198.51.100.1", 50, 64, l4, 40);
	check_ip4_flag(mk(f, len), SS_NET_CLASS_ESP, true);
	/* Ethernet padding in the segment: trimmed, flagged */
	len = frame4(f, &mac0, "192.0.2.10", "10.9.9.9", 17, 64, l4, 8);
	memset(f + len, 0, 18);
	check_ip4_flag(mk(f, len + 18), SS_NET_CLASS_FORWARD, true);
	/* the packet over two segments: not flagged, still forwarded */
	len = frame4(f, &mac0, "192.0.2.10", "10.9.9.9", 17, 64, l4, 40);
	check_ip4_flag(mk_split(f, len, 14 + 24), SS_NET_CLASS_FORWARD,
		false);
	check_ip4_flag(mk_split(f, len, len - 1), SS_NET_CLASS_FORWARD,
		false);
	/* padding spread over segments (an empty last one, one that
	 * holds only padding, padding begun in the first): trimmed across
	 * them, the packet is then whole in the first segment */
	len = frame4(f, &mac0, "192.0.2.10", "10.9.9.9", 17, 64, l4, 8);
	memset(f + len, 0, 18);
	check_ip4_flag(mk_split(f, len + 18, len + 18), SS_NET_CLASS_FORWARD,
		true);
	check_ip4_flag(mk_split(f, len + 18, len), SS_NET_CLASS_FORWARD,
		true);
	check_ip4_flag(mk_split(f, len + 18, len + 7), SS_NET_CLASS_FORWARD,
		true);
	/* ... and the datagram itself over two segments: cut to its
	 * length there, not flagged */
	m = mk_split(f, len + 18, len - 3);
	ck_assert_uint_eq(classify1(m, 0), SS_NET_CLASS_FORWARD);
	ck_assert_uint_eq(m->pkt_len, len);
	ck_assert_uint_eq(m->nb_segs, 2);
	ck_assert_uint_eq(m->next->data_len, 3);
	ck_assert(!(m->packet_type & SS_NET_PTYPE_IP4_CHECKED));
	rte_pktmbuf_free(m);
	/* IPv6 likewise */
	len = frame6(f, &mac0, "2001:db8:2::9", "2001:db8:100::5", 17, 64,
		l4, 8);
	memset(f + len, 0, 20);
	m = mk_split(f, len + 20, len + 4);
	ck_assert_uint_eq(classify1(m, 0), SS_NET_CLASS_FORWARD);
	ck_assert_uint_eq(m->pkt_len, len);
	ck_assert_uint_eq(m->nb_segs, 1);
	ck_assert_uint_eq(m->data_len, len);
	rte_pktmbuf_free(m);
	/* options */
	len = frame4(f, &mac0, "192.0.2.10", "10.9.9.9", 17, 64, l4, 40);
	memmove(f + 14 + 24, f + 14 + 20, 40);
	memcpy(f + 14 + 20, "\x01\x01\x01\x00", 4);
	f[14] = 0x46;
	put16(f + 14 + 2, 64);
	f[14 + 10] = f[14 + 11] = 0;
	put16(f + 14 + 10, (uint16_t)~sum16(f + 14, 24, 0));
	check_ip4_flag(mk(f, len + 4), SS_NET_CLASS_FORWARD, false);
	/* IPv6 */
	len = frame6(f, &mac0, "2001:db8:2::9", "2001:db8:100::5", 17, 64,
		l4, 40);
	check_ip4_flag(mk(f, len), SS_NET_CLASS_FORWARD, false);
}
END_TEST

/* An address from 'from' on (every 'step'), below 100.128.0.0, with
 * the filter bit of 'like' (and not 'like' itself), as a string with
 * 'suffix' appended. */
static void
v4_same_bit(const char *like, uint32_t from, uint32_t step,
	const char *suffix, char *out, size_t sz)
{
	struct ss_ipaddr a;
	uint32_t h;

	ipa(&a, like);
	for (h = from; h < 0x64800000; h += step) {
		const uint32_t n = rte_cpu_to_be_32(h);

		if (n != a.v4 && net_v4_bit(n) == net_v4_bit(a.v4)) {
			snprintf(out, sz, "%u.%u.%u.%u%s", h >> 24,
				(h >> 16) & 0xff, (h >> 8) & 0xff, h & 0xff,
				suffix);
			return;
		}
	}
	ck_abort_msg("no address shares the bit of %s", like);
}

/* Addresses that share the address filters' bits: two local addresses
 * on one bit (the exact test falls back to the scan), a local address
 * on another port's, a subnet broadcast on a local address's, and
 * foreign addresses on all of them. */
START_TEST(test_classify_v4_filter_collisions)
{
	char x[20], y[20], xp[24], yp[24], z[24], zb[20], w1[20], w2[20];
	char wb[20];
	const char *fwd[] = { w1, w2, wb };
	const char *mine[] = { "192.0.2.1", "198.51.100.1", x, y };
	uint8_t f[256], l4[64];
	struct rte_mbuf *m;
	unsigned int i;
	size_t len;

	v4_same_bit("192.0.2.1", 0x64400000, 1, "", x, sizeof(x));
	v4_same_bit("198.51.100.1", 0x64480000, 1, "", y, sizeof(y));
	snprintf(xp, sizeof(xp), "%s/32", x);
	snprintf(yp, sizeof(yp), "%s/32", y);
	/* a /24 whose broadcast has the bit of 192.0.2.1 */
	v4_same_bit("192.0.2.1", 0x645000ff, 256, "", zb, sizeof(zb));
	snprintf(z, sizeof(z), "%.*s1/24", (int)(strlen(zb) - 3), zb);
	v4_same_bit("192.0.2.1", 0x64600000, 1, "", w1, sizeof(w1));
	v4_same_bit("198.51.100.1", 0x64680000, 1, "", w2, sizeof(w2));
	v4_same_bit(zb, 0x64700000, 1, "", wb, sizeof(wb));

	ss_net_fini();
	cfg_default();
	pfx(&cfg.ports[0].addrs[2], xp);
	pfx(&cfg.ports[0].addrs[3], yp);
	pfx(&cfg.ports[0].addrs[4], z);
	cfg.ports[0].nb_addrs = 5;
	net_up();

	memset(l4, 0x11, sizeof(l4));
	for (i = 0; i < RTE_DIM(mine); i++) {
		len = frame4(f, &mac0, "192.0.2.10", mine[i], 50, 64, l4, 40);
		m = mk(f, len);
		ck_assert_msg(classify1(m, 0) == SS_NET_CLASS_ESP,
			"to %s: not ours", mine[i]);
		rte_pktmbuf_free(m);
		len = frame4(f, &mac0, mine[i], "10.9.9.9", 50, 64, l4, 40);
		expect_drop(f, len, 0, SS_NET_DROP_SRC_INVALID);
	}
	for (i = 0; i < RTE_DIM(fwd); i++) {
		len = frame4(f, &mac0, "192.0.2.10", fwd[i], 50, 64, l4, 40);
		m = mk(f, len);
		ck_assert_msg(classify1(m, 0) == SS_NET_CLASS_FORWARD,
			"to %s: not forwarded", fwd[i]);
		rte_pktmbuf_free(m);
		len = frame4(f, &mac0, fwd[i], "10.9.9.9", 50, 64, l4, 40);
		m = mk(f, len);
		ck_assert_msg(classify1(m, 0) == SS_NET_CLASS_FORWARD,
			"from %s: not forwarded", fwd[i]);
		rte_pktmbuf_free(m);
	}
	/* the broadcast: no source, not forwarded, on its port; another
	 * port's broadcast is forwarded */
	len = frame4(f, &mac0, zb, "10.9.9.9", 50, 64, l4, 40);
	expect_drop(f, len, 0, SS_NET_DROP_SRC_INVALID);
	len = frame4(f, &mac0, "192.0.2.10", zb, 50, 64, l4, 40);
	expect_drop(f, len, 0, SS_NET_DROP_NOT_FOR_US);
	len = frame4(f, &mac1, "198.51.100.10", zb, 50, 64, l4, 40);
	m = mk(f, len);
	ck_assert_uint_eq(classify1(m, 1), SS_NET_CLASS_FORWARD);
	rte_pktmbuf_free(m);
}
END_TEST

/* Classify m as it is and a copy of it whose IP payload lies in a second
 * segment after byte 'split': the copy never takes the fast path
 * (pkt_len != data_len), so the two verdicts must be the same (class,
 * counters, l2/l3 lengths, port, packet_type but for the checked bit,
 * pkt_len). Returns the class. */
static uint8_t
classify_both(const uint8_t *f, size_t len, size_t split, uint8_t port,
	uint64_t ol_flags, unsigned int iter)
{
	struct ss_net_stats s0 = st, s1;
	struct rte_mbuf *a = mk(f, len);
	struct rte_mbuf *b = mk_split(f, len, split);
	uint8_t ca, cb;
	unsigned int d;

	a->ol_flags = ol_flags;
	b->ol_flags = ol_flags;
	ca = classify1(a, port);
	s1 = st;
	cb = classify1(b, port);
	ck_assert_msg(ca == cb, "frame %u: class %u, %u by the slow way",
		iter, ca, cb);
	for (d = 0; d < SS_NET_DROP_MAX; d++)
		ck_assert_msg(s1.drop[d] - s0.drop[d] ==
			st.drop[d] - s1.drop[d], "frame %u: counter %s", iter,
			ss_net_drop_names[d]);
	ck_assert_uint_eq(s1.punted - s0.punted, st.punted - s1.punted);
	ck_assert_uint_eq(a->port, b->port);
	if (ca != SS_NET_CLASS_DROP) {
		ck_assert_uint_eq(a->l2_len, b->l2_len);
		ck_assert_uint_eq(a->l3_len, b->l3_len);
		ck_assert_uint_eq(a->pkt_len, b->pkt_len);
		ck_assert_msg((a->packet_type & ~SS_NET_PTYPE_IP4_CHECKED) ==
			(b->packet_type & ~SS_NET_PTYPE_IP4_CHECKED),
			"frame %u: packet_type %#x, %#x by the slow way", iter,
			a->packet_type, b->packet_type);
		if (a->packet_type & SS_NET_PTYPE_IP4_CHECKED) {
			const uint8_t *ip = rte_pktmbuf_mtod_offset(a,
				const uint8_t *, 14);

			ck_assert_uint_eq(ip[0], 0x45);
			ck_assert_uint_eq(a->l2_len, 14);
			ck_assert_uint_eq(a->data_len, a->pkt_len);
			ck_assert_uint_eq(a->pkt_len, 14u + get16(ip + 2));
		}
	}
	rte_pktmbuf_free(a);
	rte_pktmbuf_free(b);
	return ca;
}

/* The fast path for the usual IPv4 frame (transit, ESP to us) against
 * the test-by-test way, on frames near its edges: random mixes of MACs,
 * EtherType, version and IHL, fragment bits, total length, checksum
 * and its PMD flags, protocol, and addresses (ordinary, ours, martian,
 * broadcast, and foreign ones on the filter bits of ours). Then the
 * cases a split frame cannot compare: L4 lengths at their limits. */
START_TEST(test_classify_fast_same_as_slow)
{
	static const struct rte_ether_addr bcast = {{ 0xff, 0xff, 0xff, 0xff,
		0xff, 0xff }};
	static const struct rte_ether_addr mcast = {{ 0x01, 0, 0x5e, 0, 0,
		1 }};
	/* ours but for the first or the last byte */
	static const struct rte_ether_addr near0 = {{ 0x03, 0, 0, 0, 0,
		0x01 }};
	static const struct rte_ether_addr near5 = {{ 0x02, 0, 0, 0, 0,
		0x03 }};
	static const uint16_t frags[] = { 0, 0x4000, 0x2000, 0x0001, 0x4100,
		0x8000 };
	static const uint8_t protos[] = { 50, 17, 6, 1, 50, 50 };
	static const uint64_t ckf[] = { RTE_MBUF_F_RX_IP_CKSUM_UNKNOWN,
		RTE_MBUF_F_RX_IP_CKSUM_GOOD, RTE_MBUF_F_RX_IP_CKSUM_BAD,
		RTE_MBUF_F_RX_IP_CKSUM_NONE };
	char c1[20], c2[20], cb[20];
	const char *addrs[] = { "10.9.9.9", "192.0.2.10", "10.1.2.3",
		"192.0.2.1", "198.51.100.1", "192.0.2.255", "198.51.100.255",
		"0.0.0.0", "0.1.2.3", "127.0.0.1", "224.0.0.1", "239.1.1.1",
		"240.0.0.1", "255.255.255.255", "255.1.2.3", c1, c2, cb };
	const struct rte_ether_addr *dmacs[] = { &mac0, &mac0, &mac0, &mac0,
		&mac1, &bcast, &mcast, &near0, &near5 };
	const struct rte_ether_addr *smacs[] = { &hmac, &hmac, &hmac, &hmac,
		&mac0, &mac1, &mcast };
	unsigned int count[4] = { 0 };
	uint8_t f[256], l4[64];
	unsigned int i;
	size_t len;
	uint8_t c;

	v4_same_bit("192.0.2.1", 0x64400000, 1, "", c1, sizeof(c1));
	v4_same_bit("198.51.100.1", 0x64480000, 1, "", c2, sizeof(c2));
	v4_same_bit("192.0.2.255", 0x64500000, 1, "", cb, sizeof(cb));
	memset(l4, 0x33, sizeof(l4));
	srand(1312);
	for (i = 0; i < 20000; i++) {
		const unsigned int r = (unsigned int)rand();
		const bool usual = r % 3 != 0;
		const char *src = addrs[usual ? (unsigned int)rand() % 3 :
			rand() % RTE_DIM(addrs)];
		/* usually transit or to us */
		const char *dst = addrs[(unsigned int)rand() % (usual ? 5 :
			RTE_DIM(addrs))];
		uint8_t *ip = f + 14;
		uint64_t ol = 0;
		bool fix = true;

		len = frame4(f, usual ? &mac0 : dmacs[rand() % RTE_DIM(dmacs)],
			src, dst, protos[rand() % RTE_DIM(protos)], 64, l4, 40);
		if (!usual) {
			memcpy(f + 6, smacs[rand() % RTE_DIM(smacs)], 6);
			switch (rand() % 8) {
			case 0:
				put16(f + 12, 0x86dd);
				break;
			case 1:
				ip[0] = (uint8_t)(0x44 + rand() % 3);
				break;
			case 2:
				ip[0] = 0x55;
				break;
			case 3:
				put16(ip + 2, (uint16_t)(get16(ip + 2) +
					rand() % 3 - 1));
				break;
			case 4:
				put16(ip + 2, (uint16_t)(rand() % 24));
				break;
			case 5:
				fix = false;
				break;
			default:
				break;
			}
			put16(ip + 6, frags[rand() % RTE_DIM(frags)]);
			ol = ckf[rand() % RTE_DIM(ckf)];
		}
		if (fix) {
			ip[10] = ip[11] = 0;
			put16(ip + 10, (uint16_t)~sum16(ip, 20, 0));
		} else {
			ip[11] ^= 1;
		}
		c = classify_both(f, len, len - 8, rand() % 2, ol, i);
		count[c]++;
	}
	/* every class but punts (not in these frames) seen often */
	ck_assert_uint_gt(count[SS_NET_CLASS_FORWARD], 2000);
	ck_assert_uint_gt(count[SS_NET_CLASS_ESP], 1000);
	ck_assert_uint_gt(count[SS_NET_CLASS_DROP], 2000);

	/* ESP to us: 8 bytes (SPI, sequence number) are enough, 7 not */
	len = frame4(f, &mac0, "192.0.2.10", "192.0.2.1", 50, 64, l4, 8);
	check_ip4_flag(mk(f, len), SS_NET_CLASS_ESP, true);
	len = frame4(f, &mac0, "192.0.2.10", "192.0.2.1", 50, 64, l4, 7);
	expect_drop(f, len, 0, SS_NET_DROP_L4_TRUNC);
	/* ... and so is one more byte in the frame than the datagram */
	len = frame4(f, &mac0, "192.0.2.10", "192.0.2.1", 50, 64, l4, 7);
	expect_drop(f, len + 1, 0, SS_NET_DROP_L4_TRUNC);
	/* DF is no fragment; an offset alone is */
	len = frame4(f, &mac0, "192.0.2.10", "192.0.2.1", 50, 64, l4, 40);
	put16(f + 14 + 6, 0x4000);
	put16(f + 14 + 10, 0);
	put16(f + 14 + 10, (uint16_t)~sum16(f + 14, 20, 0));
	check_ip4_flag(mk(f, len), SS_NET_CLASS_ESP, true);
	put16(f + 14 + 6, 0x0001);
	put16(f + 14 + 10, 0);
	put16(f + 14 + 10, (uint16_t)~sum16(f + 14, 20, 0));
	expect_frag_punt(f, len, 20);
	/* our own MAC as the source */
	len = frame4(f, &mac0, "192.0.2.10", "10.9.9.9", 17, 64, l4, 40);
	memcpy(f + 6, mac0.addr_bytes, 6);
	expect_drop(f, len, 0, SS_NET_DROP_SRC_INVALID);
	/* a destination MAC one bit off ours, first or last byte */
	len = frame4(f, &near5, "192.0.2.10", "10.9.9.9", 17, 64, l4, 40);
	expect_drop(f, len, 0, SS_NET_DROP_NOT_FOR_US);
	len = frame4(f, &near0, "192.0.2.10", "10.9.9.9", 17, 64, l4, 40);
	expect_drop(f, len, 0, SS_NET_DROP_NOT_FOR_US);
	/* ESP to us in a broadcast frame: ours, by its address */
	len = frame4(f, &bcast, "192.0.2.10", "192.0.2.1", 50, 64, l4, 40);
	check_ip4_flag(mk(f, len), SS_NET_CLASS_ESP, true);
	/* from an address on the filter bit of ours: forwarded; from ours
	 * on that bit: not */
	len = frame4(f, &mac0, c1, "10.9.9.9", 17, 64, l4, 40);
	check_ip4_flag(mk(f, len), SS_NET_CLASS_FORWARD, true);
	len = frame4(f, &mac0, "192.0.2.10", c2, 50, 64, l4, 40);
	check_ip4_flag(mk(f, len), SS_NET_CLASS_FORWARD, true);
}
END_TEST

/* Bursts of frames between a few address pairs, ESP and not, to us and
 * through (the burst keeps the last pair from a usual source to one of
 * our addresses): each frame is classified as it is alone. */
START_TEST(test_classify_burst_pairs)
{
	static const char *const srcs[] = { "192.0.2.10", "198.51.100.7",
		"0.1.2.3", "192.0.2.1" };
	static const char *const dsts[] = { "192.0.2.1", "198.51.100.1",
		"10.9.9.9", "192.0.2.255" };
	static const uint8_t protos[] = { 50, 50, 50, 17, 6, 1 };
	struct rte_mbuf *a[32], *b;
	uint8_t f[256], l4[64], ca[32], cb;
	struct ss_net_stats s0, s1;
	unsigned int it, i, d;
	size_t len;

	memset(l4, 0x33, sizeof(l4));
	srand(2606);
	for (it = 0; it < 200; it++) {
		s0 = st;
		for (i = 0; i < RTE_DIM(a); i++) {
			/* mostly one pair, as a tunnel's packets are */
			const bool one = rand() % 4 != 0;

			len = frame4(f, &mac0, one ? srcs[0] :
				srcs[rand() % RTE_DIM(srcs)], one ? dsts[0] :
				dsts[rand() % RTE_DIM(dsts)],
				protos[rand() % RTE_DIM(protos)], 64, l4,
				rand() % 8 == 0 ? 7 : 40);
			a[i] = mk(f, len);
		}
		ss_net_classify_burst(a, RTE_DIM(a), 0, ca, &st);
		s1 = st;
		st = s0;
		for (i = 0; i < RTE_DIM(a); i++) {
			b = rte_pktmbuf_copy(a[i], pool(), 0, UINT32_MAX);
			ck_assert_ptr_nonnull(b);
			/* from the frame as it came: classification writes
			 * no packet byte */
			b->packet_type = 0;
			b->tx_offload = 0;
			cb = classify1(b, 0);
			ck_assert_msg(ca[i] == cb, "burst %u frame %u: class "
				"%u, %u alone", it, i, ca[i], cb);
			ck_assert_uint_eq(a[i]->packet_type, b->packet_type);
			ck_assert_uint_eq(a[i]->tx_offload, b->tx_offload);
			ck_assert_uint_eq(a[i]->port, b->port);
			rte_pktmbuf_free(b);
			rte_pktmbuf_free(a[i]);
		}
		for (d = 0; d < SS_NET_DROP_MAX; d++)
			ck_assert_uint_eq(s1.drop[d], st.drop[d]);
		ck_assert_uint_eq(s1.punted, st.punted);
	}
}
END_TEST

/* ---- ARP ----------------------------------------------------------------- */

static size_t
arp_frame(uint8_t *f, const struct rte_ether_addr *edst, uint16_t op,
	const struct rte_ether_addr *sha, const char *sip,
	const struct rte_ether_addr *tha, const char *tip)
{
	uint8_t *p = f + eth(f, edst, sha, 0x0806);

	memcpy(p, "\x00\x01\x08\x00\x06\x04", 6);
	put16(p + 6, op);
	memcpy(p + 8, sha->addr_bytes, 6);
	addr4(p + 14, sip);
	memcpy(p + 18, tha->addr_bytes, 6);
	addr4(p + 24, tip);
	return 42;
}

struct walk_find {
	struct ss_ipaddr ip;
	struct ss_net_neigh_info found;
	int n;
};

static int
neigh_find_cb(const struct ss_net_neigh_info *ni, void *arg)
{
	struct walk_find *w = arg;

	if (ss_ipaddr_equal(&ni->ip, &w->ip)) {
		w->found = *ni;
		w->n++;
	}
	return 0;
}

/* State name of a neighbour, NULL when absent. */
static const char *
neigh_state(const char *ip, struct rte_ether_addr *mac, uint32_t *held)
{
	struct walk_find w;

	memset(&w, 0, sizeof(w));
	ipa(&w.ip, ip);
	ss_net_neigh_walk(neigh_find_cb, &w);
	if (w.n == 0)
		return NULL;
	ck_assert_int_eq(w.n, 1);
	if (mac != NULL)
		*mac = w.found.mac;
	if (held != NULL)
		*held = w.found.held;
	return w.found.state;
}

START_TEST(test_arp_reply)
{
	static const struct rte_ether_addr bcast = {{ 0xff, 0xff, 0xff, 0xff,
		0xff, 0xff }};
	static const struct rte_ether_addr zero;
	uint8_t f[64], want[64];
	struct rte_ether_addr mac;
	struct rte_mbuf *m;
	size_t len;

	len = arp_frame(f, &bcast, 1, &hmac, "192.0.2.10", &zero,
		"192.0.2.1");
	memset(f + len, 0, 18);		/* padded to 60 on the wire */
	m = mk(f, 60);
	ck_assert_uint_eq(classify1(m, 0), SS_NET_CLASS_PUNT);
	ck_assert_int_eq(ss_net_ctl_input(m, 0, &st), 0);
	ck_assert_uint_eq(txr.n, 1);
	ck_assert_uint_eq(txr.port[0], 0);
	len = ss_test_hex("02aa00000001 020000000001 0806"
		"0001 0800 06 04 0002 020000000001 c0000201"
		"02aa00000001 c000020a", want, sizeof(want));
	ck_assert_uint_eq(len, 42);
	ck_assert_uint_eq(txr.m[0]->pkt_len, 42);
	ck_assert_mem_eq(rte_pktmbuf_mtod(txr.m[0], uint8_t *), want, 42);
	ck_assert_uint_eq(st.arp_rep_tx, 1);
	/* The requester is learned (it will talk to us). */
	ck_assert_str_eq(neigh_state("192.0.2.10", &mac, NULL), "reachable");
	ck_assert(rte_is_same_ether_addr(&mac, &hmac));
	tx_clear();

	/* A request for someone else: no answer, nothing created. */
	len = arp_frame(f, &bcast, 1, &hmac, "192.0.2.11", &zero,
		"192.0.2.99");
	ck_assert_int_eq(ss_net_ctl_input(mk(f, len), 0, &st), 0);
	ck_assert_uint_eq(txr.n, 0);
	ck_assert_ptr_null(neigh_state("192.0.2.11", NULL, NULL));
	/* For our address on the other port: not answered on this one. */
	len = arp_frame(f, &bcast, 1, &hmac, "192.0.2.11", &zero,
		"198.51.100.1");
	ck_assert_int_eq(ss_net_ctl_input(mk(f, len), 0, &st), 0);
	ck_assert_uint_eq(txr.n, 0);
	/* An unsolicited reply creates nothing either. */
	len = arp_frame(f, &mac0, 2, &hmac, "192.0.2.12", &mac0, "192.0.2.1");
	ck_assert_int_eq(ss_net_ctl_input(mk(f, len), 0, &st), 0);
	ck_assert_ptr_null(neigh_state("192.0.2.12", NULL, NULL));
	/* Someone claiming our address */
	len = arp_frame(f, &bcast, 1, &hmac, "192.0.2.1", &zero, "192.0.2.1");
	ck_assert_int_eq(ss_net_ctl_input(mk(f, len), 0, &st), 0);
	ck_assert_uint_eq(txr.n, 0);
	ck_assert_uint_eq(st.drop[SS_NET_DROP_SRC_INVALID], 1);
	/* A static neighbour keeps its MAC whatever ARP says. */
	len = arp_frame(f, &bcast, 1, &hmac, "192.0.2.254", &zero,
		"192.0.2.1");
	ck_assert_int_eq(ss_net_ctl_input(mk(f, len), 0, &st), 0);
	ck_assert_str_eq(neigh_state("192.0.2.254", &mac, NULL), "static");
	ck_assert(rte_is_same_ether_addr(&mac, &gw0mac));
	ck_assert_uint_eq(txr.n, 1);	/* but it gets its answer */
	/* RFC 5227 probe (sender 0.0.0.0) for our address: answered,
	 * nothing learned. */
	tx_clear();
	len = arp_frame(f, &bcast, 1, &hmac, "0.0.0.0", &zero, "192.0.2.1");
	ck_assert_int_eq(ss_net_ctl_input(mk(f, len), 0, &st), 0);
	ck_assert_uint_eq(txr.n, 1);
	ck_assert_ptr_null(neigh_state("0.0.0.0", NULL, NULL));
	/* Not ARP, not ICMP: for another control plane. */
	memset(want, 0, sizeof(want));
	put16(want, 500);
	put16(want + 2, 500);
	put16(want + 4, 16);
	len = frame4(f, &mac0, "192.0.2.10", "192.0.2.1", 17, 64, want, 16);
	m = mk(f, len);
	ck_assert_int_eq(ss_net_ctl_input(m, 0, &st), -ENOTSUP);
	rte_pktmbuf_free(m);
}
END_TEST

/* ---- forwarding ----------------------------------------------------------- */

/* A transit IPv4 frame received on port 1 (data at L2). */
static struct rte_mbuf *
transit4(const char *dst, uint8_t ttl, uint16_t l4len, uint8_t mark)
{
	uint8_t f[2048], l4[2000];

	memset(l4, mark, l4len);
	return mk(f, frame4(f, &mac1, "203.0.113.9", dst, 17, ttl, l4,
		l4len));
}

static struct rte_mbuf *
transit6(const char *dst, uint8_t hops, uint16_t l4len, uint8_t mark)
{
	uint8_t f[2048], l4[2000];

	memset(l4, mark, l4len);
	return mk(f, frame6(f, &mac1, "2001:db8:2::9", dst, 17, hops, l4,
		l4len));
}

static void
fwd1(struct rte_mbuf *m, int16_t *res)
{
	ck_assert_uint_eq(classify1(m, 1), SS_NET_CLASS_FORWARD);
	ss_net_forward_burst(&m, 1, res, &st);
}

START_TEST(test_route_lpm)
{
	struct rte_mbuf *m[6];
	int16_t res[6];
	const uint8_t *p;
	unsigned int i;

	m[0] = transit4("10.1.2.3", 64, 8, 0);	/* /16 via 192.0.2.254 */
	m[1] = transit4("10.2.3.4", 64, 8, 0);	/* /8 via 198.51.100.254 */
	m[2] = transit4("203.0.113.1", 64, 8, 0);	/* no route */
	m[3] = transit4("192.0.2.254", 64, 8, 0);	/* connected, static */
	m[4] = transit6("2001:db8:100::5", 64, 8, 0);	/* via gw6 */
	m[5] = transit6("2001:db8:1::77", 64, 8, 0);	/* connected, unresolved */
	for (i = 0; i < 6; i++)
		ck_assert_uint_eq(classify1(m[i], 1), SS_NET_CLASS_FORWARD);
	ss_net_forward_burst(m, 6, res, &st);
	ck_assert_int_eq(res[0], 0);
	ck_assert_int_eq(res[1], 1);
	ck_assert_int_eq(res[2], SS_NET_FWD_DROP);
	ck_assert_int_eq(res[3], 0);
	ck_assert_int_eq(res[4], 1);
	ck_assert_int_eq(res[5], SS_NET_FWD_HOLD);
	ck_assert_uint_eq(st.drop[SS_NET_DROP_NO_ROUTE], 1);
	ck_assert_uint_eq(st.forwarded, 4);
	p = rte_pktmbuf_mtod(m[0], const uint8_t *);
	ck_assert_mem_eq(p, gw0mac.addr_bytes, 6);
	ck_assert_mem_eq(p + 6, mac0.addr_bytes, 6);
	ck_assert_uint_eq(get16(p + 12), 0x0800);
	p = rte_pktmbuf_mtod(m[1], const uint8_t *);
	ck_assert_mem_eq(p, gw1mac.addr_bytes, 6);
	ck_assert_mem_eq(p + 6, mac1.addr_bytes, 6);
	p = rte_pktmbuf_mtod(m[4], const uint8_t *);
	ck_assert_mem_eq(p, gw6mac.addr_bytes, 6);
	ck_assert_uint_eq(get16(p + 12), 0x86dd);
	ck_assert_uint_eq(p[14 + 7], 63);
	/* The held frame is complete but for its destination MAC. */
	p = rte_pktmbuf_mtod(m[5], const uint8_t *);
	ck_assert_mem_eq(p + 6, mac0.addr_bytes, 6);
	ck_assert_uint_eq(p[14 + 7], 63);
	for (i = 0; i < 6; i++)
		rte_pktmbuf_free(m[i]);
}
END_TEST

/* One route lookup per run of a destination: runs of equal and of
 * alternating destinations, both families, each packet with its own
 * route (and the drops and holds in between counted as before). */
START_TEST(test_route_runs)
{
	static const char *const d4[] = {
		"10.1.2.3", "10.1.2.3", "10.2.3.4", "10.1.2.3", "10.2.3.4",
		"10.2.3.4", "203.0.113.1", "203.0.113.1", "10.1.2.3",
	};
	static const int16_t r4[] = { 0, 0, 1, 0, 1, 1, SS_NET_FWD_DROP,
		SS_NET_FWD_DROP, 0 };
	static const char *const d6[] = {
		"2001:db8:100::5", "2001:db8:100::5", "2001:db8:1::77",
		"2001:db8:100::5", "2001:db8:1::77", "2001:db8:1::77",
	};
	static const int16_t r6[] = { 1, 1, SS_NET_FWD_HOLD, 1,
		SS_NET_FWD_HOLD, SS_NET_FWD_HOLD };
	const unsigned int n4 = RTE_DIM(d4), n = n4 + RTE_DIM(d6);
	struct rte_mbuf *m[RTE_DIM(d4) + RTE_DIM(d6)];
	int16_t res[RTE_DIM(d4) + RTE_DIM(d6)];
	const uint64_t noroute = st.drop[SS_NET_DROP_NO_ROUTE];
	unsigned int i;

	/* IPv4 and IPv6 interleaved, so that each family's runs are
	 * broken up by the other's packets too */
	{
		unsigned int k4 = 0, k6 = 0;

		for (i = 0; i < n; i++) {
			if ((i % 3 == 2 || k4 == n4) && k6 < RTE_DIM(d6))
				m[i] = transit6(d6[k6++], 64, 8, 0);
			else
				m[i] = transit4(d4[k4++], 64, 8, 0);
		}
	}
	for (i = 0; i < n; i++)
		ck_assert_uint_eq(classify1(m[i], 1), SS_NET_CLASS_FORWARD);
	ss_net_forward_burst(m, (uint16_t)n, res, &st);
	{
		unsigned int k4 = 0, k6 = 0;

		for (i = 0; i < n; i++) {
			const uint8_t *p = rte_pktmbuf_mtod(m[i],
				const uint8_t *);

			if (get16(p + 12) == 0x86dd) {
				ck_assert_int_eq(res[i], r6[k6]);
				if (r6[k6++] == 1)
					ck_assert_mem_eq(p, gw6mac.addr_bytes,
						6);
				continue;
			}
			ck_assert_int_eq(res[i], r4[k4]);
			if (r4[k4] >= 0)
				ck_assert_mem_eq(p, r4[k4] == 0 ?
					gw0mac.addr_bytes : gw1mac.addr_bytes,
					6);
			k4++;
		}
		ck_assert_uint_eq(k4, n4);
		ck_assert_uint_eq(k6, RTE_DIM(d6));
	}
	ck_assert_uint_eq(st.drop[SS_NET_DROP_NO_ROUTE] - noroute, 2);
	for (i = 0; i < n; i++)
		rte_pktmbuf_free(m[i]);
	/* One destination per family in the burst: one lookup each */
	for (i = 0; i < 6; i++)
		m[i] = i % 2 ? transit6("2001:db8:100::5", 64, 8, 0) :
			transit4("10.2.3.4", 64, 8, 0);
	for (i = 0; i < 6; i++)
		ck_assert_uint_eq(classify1(m[i], 1), SS_NET_CLASS_FORWARD);
	ss_net_forward_burst(m, 6, res, &st);
	for (i = 0; i < 6; i++) {
		ck_assert_int_eq(res[i], 1);
		ck_assert_mem_eq(rte_pktmbuf_mtod(m[i], const uint8_t *),
			i % 2 ? gw6mac.addr_bytes : gw1mac.addr_bytes, 6);
		rte_pktmbuf_free(m[i]);
	}
	/* ... and one without a route */
	for (i = 0; i < 3; i++) {
		m[i] = transit4("203.0.113.1", 64, 8, 0);
		ck_assert_uint_eq(classify1(m[i], 1), SS_NET_CLASS_FORWARD);
	}
	ss_net_forward_burst(m, 3, res, &st);
	for (i = 0; i < 3; i++) {
		ck_assert_int_eq(res[i], SS_NET_FWD_DROP);
		rte_pktmbuf_free(m[i]);
	}
	ck_assert_uint_eq(st.drop[SS_NET_DROP_NO_ROUTE] - noroute, 5);
}
END_TEST

/* A chunk with one next hop (several destinations behind one gateway)
 * is sent with one read of the gateway's MAC: each packet still gets its
 * own MTU test, TTL and header; other chunks go packet by packet. */
START_TEST(test_route_one_nh)
{
	/* 10.2/16 and 10/8 both via 198.51.100.254 (outside, MTU 1400) */
	static const char *const d[] = { "10.2.3.4", "10.9.9.9", "10.2.3.4",
		"10.200.0.1" };
	static const uint16_t l4[] = { 8, 1400 - 20, 1401 - 20, 8 };
	const uint64_t big = st.too_big;
	const uint64_t fwd = st.forwarded;
	struct rte_mbuf *m[4];
	int16_t res[4];
	unsigned int i;

	for (i = 0; i < 4; i++) {
		m[i] = transit4(d[i], (uint8_t)(10 + i), l4[i], 0);
		ck_assert_uint_eq(classify1(m[i], 1), SS_NET_CLASS_FORWARD);
	}
	ss_net_forward_burst(m, 4, res, &st);
	for (i = 0; i < 4; i++) {
		const uint8_t *p = rte_pktmbuf_mtod(m[i], const uint8_t *);

		if (i == 2) {
			/* too big: back as it came, TTL too */
			ck_assert_int_eq(res[i], SS_NET_FWD_TOO_BIG);
			ck_assert_uint_eq(p[14 + 8], 12);
			continue;
		}
		ck_assert_int_eq(res[i], 1);
		ck_assert_mem_eq(p, gw1mac.addr_bytes, 6);
		ck_assert_mem_eq(p + 6, mac1.addr_bytes, 6);
		ck_assert_uint_eq(get16(p + 12), 0x0800);
		ck_assert_uint_eq(p[14 + 8], 10 + i - 1);
		/* the checksum still verifies after the TTL decrement */
		ck_assert_uint_eq(rte_raw_cksum(p + 14, 20), 0xffff);
	}
	ck_assert_uint_eq(st.too_big - big, 1);
	ck_assert_uint_eq(st.forwarded - fwd, 3);
	for (i = 0; i < 4; i++)
		rte_pktmbuf_free(m[i]);
	/* One connected next hop (a neighbour, no gateway): the others'
	 * way, each packet's own neighbour */
	for (i = 0; i < 2; i++) {
		m[i] = transit4("192.0.2.254", 64, 8, 0);
		ck_assert_uint_eq(classify1(m[i], 1), SS_NET_CLASS_FORWARD);
	}
	ss_net_forward_burst(m, 2, res, &st);
	for (i = 0; i < 2; i++) {
		ck_assert_int_eq(res[i], 0);
		ck_assert_mem_eq(rte_pktmbuf_mtod(m[i], const uint8_t *),
			gw0mac.addr_bytes, 6);
		rte_pktmbuf_free(m[i]);
	}
	/* Originated packets (at L3) to one gateway: no TTL change */
	for (i = 0; i < 3; i++) {
		m[i] = transit4("10.2.3.4", 7, 8, 0);
		ck_assert_uint_eq(classify1(m[i], 1), SS_NET_CLASS_FORWARD);
		rte_pktmbuf_adj(m[i], 14);
		m[i]->l2_len = 0;
	}
	ss_net_output_burst(m, 3, res, &st);
	for (i = 0; i < 3; i++) {
		const uint8_t *p = rte_pktmbuf_mtod(m[i], const uint8_t *);

		ck_assert_int_eq(res[i], 1);
		ck_assert_mem_eq(p, gw1mac.addr_bytes, 6);
		ck_assert_uint_eq(p[14 + 8], 7);
		ck_assert_uint_eq(m[i]->l2_len, 14);
		rte_pktmbuf_free(m[i]);
	}
}
END_TEST

START_TEST(test_ttl)
{
	struct rte_mbuf *m;
	const uint8_t *ip;
	int16_t res;
	unsigned int ttl, id;

	/* Every TTL, and IDs making the checksum take every value (the
	 * end-around carry included): decremented once, checksum right
	 * (recomputed from scratch to compare). */
	for (id = 0; id <= 0xffff; id++) {
		struct rte_ipv4_hdr h;
		uint8_t *w;

		ttl = 2 + id % 254;
		m = transit4("10.2.3.4", (uint8_t)ttl, 30, (uint8_t)ttl);
		w = rte_pktmbuf_mtod_offset(m, uint8_t *, 14);
		put16(w + 4, (uint16_t)id);
		w[10] = w[11] = 0;
		put16(w + 10, (uint16_t)~sum16(w, 20, 0));
		fwd1(m, &res);
		ck_assert_int_eq(res, 1);
		ip = rte_pktmbuf_mtod_offset(m, const uint8_t *, 14);
		ck_assert_uint_eq(ip[8], ttl - 1);
		ck_assert_uint_eq(sum16(ip, 20, 0), 0xffff);
		memcpy(&h, ip, sizeof(h));
		h.hdr_checksum = 0;
		ck_assert_uint_eq(rte_ipv4_cksum(&h),
			(uint16_t)(ip[10] | ip[11] << 8));
		rte_pktmbuf_free(m);
	}
	/* TTL 1 and 0: expired */
	m = transit4("10.2.3.4", 1, 30, 0);
	fwd1(m, &res);
	ck_assert_int_eq(res, SS_NET_FWD_DROP);
	rte_pktmbuf_free(m);
	m = transit4("10.2.3.4", 0, 30, 0);
	fwd1(m, &res);
	ck_assert_int_eq(res, SS_NET_FWD_DROP);
	rte_pktmbuf_free(m);
	ck_assert_uint_eq(st.drop[SS_NET_DROP_TTL], 2);
	/* IPv6 hop limit */
	m = transit6("2001:db8:100::5", 2, 30, 0);
	fwd1(m, &res);
	ck_assert_int_eq(res, 1);
	ck_assert_uint_eq(rte_pktmbuf_mtod(m, const uint8_t *)[14 + 7], 1);
	rte_pktmbuf_free(m);
	m = transit6("2001:db8:100::5", 1, 30, 0);
	fwd1(m, &res);
	ck_assert_int_eq(res, SS_NET_FWD_DROP);
	rte_pktmbuf_free(m);
	ck_assert_uint_eq(st.drop[SS_NET_DROP_TTL], 3);
}
END_TEST

START_TEST(test_output_l3)
{
	uint8_t f[128], l4[16];
	struct rte_mbuf *m[3];
	int16_t res[3];
	const uint8_t *p;
	unsigned int i;

	/* Packets we originate start at L3: an Ethernet header is put in
	 * front, the TTL stays. */
	memset(l4, 0, sizeof(l4));
	frame4(f, &mac1, "198.51.100.1", "10.2.3.4", 50, 64, l4, 16);
	m[0] = mk(f + 14, 36);
	frame6(f, &mac1, "2001:db8:2::1", "2001:db8:100::1", 50, 64, l4, 16);
	m[1] = mk(f + 14, 56);
	/* to one of our own addresses: never sent out */
	frame4(f, &mac1, "198.51.100.1", "192.0.2.1", 50, 64, l4, 16);
	m[2] = mk(f + 14, 36);
	for (i = 0; i < 3; i++)
		m[i]->l2_len = 0;
	ss_net_output_burst(m, 3, res, &st);
	ck_assert_int_eq(res[0], 1);
	ck_assert_int_eq(res[1], 1);
	ck_assert_int_eq(res[2], SS_NET_FWD_DROP);
	ck_assert_uint_eq(st.drop[SS_NET_DROP_NOT_FOR_US], 1);
	ck_assert_uint_eq(st.originated, 2);
	p = rte_pktmbuf_mtod(m[0], const uint8_t *);
	ck_assert_uint_eq(m[0]->pkt_len, 50);
	ck_assert_uint_eq(m[0]->l2_len, 14);
	ck_assert_mem_eq(p, gw1mac.addr_bytes, 6);
	ck_assert_mem_eq(p + 6, mac1.addr_bytes, 6);
	ck_assert_uint_eq(get16(p + 12), 0x0800);
	ck_assert_uint_eq(p[14 + 8], 64);
	ck_assert_uint_eq(sum16(p + 14, 20, 0), 0xffff);
	p = rte_pktmbuf_mtod(m[1], const uint8_t *);
	ck_assert_uint_eq(get16(p + 12), 0x86dd);
	ck_assert_uint_eq(p[14 + 7], 64);
	for (i = 0; i < 3; i++)
		rte_pktmbuf_free(m[i]);

	/* headroom for the Ethernet header: 14 bytes are enough (the
	 * header then starts the buffer), 13 are not */
	frame4(f, &mac1, "198.51.100.1", "10.2.3.4", 50, 64, l4, 16);
	for (i = 0; i < 2; i++) {
		m[i] = mk(f + 14, 36);
		m[i]->data_off = (uint16_t)(14 - i);
		memcpy(rte_pktmbuf_mtod(m[i], uint8_t *), f + 14, 36);
		m[i]->l2_len = 0;
	}
	ss_net_output_burst(m, 2, res, &st);
	ck_assert_int_eq(res[0], 1);
	ck_assert_int_eq(res[1], SS_NET_FWD_DROP);
	ck_assert_uint_eq(st.drop[SS_NET_DROP_NO_HEADROOM], 1);
	ck_assert_uint_eq(st.originated, 3);
	ck_assert_uint_eq(m[0]->data_off, 0);
	ck_assert_uint_eq(m[0]->data_len, 50);
	ck_assert_uint_eq(m[0]->pkt_len, 50);
	ck_assert_uint_eq(m[0]->l2_len, 14);
	p = rte_pktmbuf_mtod(m[0], const uint8_t *);
	ck_assert_mem_eq(p, gw1mac.addr_bytes, 6);
	ck_assert_uint_eq(get16(p + 12), 0x0800);
	ck_assert_uint_eq(sum16(p + 14, 20, 0), 0xffff);
	ck_assert_uint_eq(m[1]->data_off, 13);
	ck_assert_uint_eq(m[1]->data_len, 36);
	for (i = 0; i < 2; i++)
		rte_pktmbuf_free(m[i]);

	/* another link header in front (l2_len 18, a tagged frame's):
	 * cut off, an Ethernet header in its place, the packet as from
	 * L3 (same bytes, l2_len 14) */
	frame4(f, &mac1, "198.51.100.1", "10.2.3.4", 50, 64, l4, 16);
	m[0] = mk(f + 14, 36);
	m[0]->l2_len = 0;
	m[1] = mk(f, 4);
	memset(rte_pktmbuf_mtod(m[1], uint8_t *), 0xee, 4);
	ck_assert_ptr_nonnull(rte_pktmbuf_append(m[1], 14 + 36));
	memcpy(rte_pktmbuf_mtod_offset(m[1], uint8_t *, 4), f, 14 + 36);
	m[1]->l2_len = 18;
	m[1]->l3_len = 20;
	ss_net_output_burst(m, 2, res, &st);
	ck_assert_int_eq(res[0], 1);
	ck_assert_int_eq(res[1], 1);
	ck_assert_uint_eq(st.originated, 5);
	ck_assert_uint_eq(m[1]->l2_len, 14);
	ck_assert_uint_eq(m[1]->l3_len, 20);
	ck_assert_uint_eq(m[1]->pkt_len, 50);
	ck_assert_uint_eq(m[1]->data_len, 50);
	ck_assert_uint_eq(m[1]->data_off, m[0]->data_off + 18);
	ck_assert_mem_eq(rte_pktmbuf_mtod(m[1], const uint8_t *),
		rte_pktmbuf_mtod(m[0], const uint8_t *), 50);
	for (i = 0; i < 2; i++)
		rte_pktmbuf_free(m[i]);
}
END_TEST

START_TEST(test_mtu)
{
	struct rte_mbuf *m;
	int16_t res;

	/* outside has MTU 1400: 1400 bytes of IP pass, 1401 come back
	 * untouched (TTL too) with the MTU and the port, for the caller to
	 * fragment or answer */
	m = transit4("10.2.3.4", 64, 1400 - 20, 0);
	fwd1(m, &res);
	ck_assert_int_eq(res, 1);
	rte_pktmbuf_free(m);
	m = transit4("10.2.3.4", 64, 1401 - 20, 0);
	fwd1(m, &res);
	ck_assert_int_eq(res, SS_NET_FWD_TOO_BIG);
	ck_assert_uint_eq(SS_NET_TOO_BIG_MTU(m->hash.usr), 1400);
	ck_assert_uint_eq(SS_NET_TOO_BIG_PORT(m->hash.usr), 1);
	ck_assert_uint_eq(rte_pktmbuf_mtod(m, uint8_t *)[14 + 8], 64);
	rte_pktmbuf_free(m);
	m = transit6("2001:db8:100::5", 64, 1401 - 40, 0);
	fwd1(m, &res);
	ck_assert_int_eq(res, SS_NET_FWD_TOO_BIG);
	ck_assert_uint_eq(SS_NET_TOO_BIG_MTU(m->hash.usr), 1400);
	ck_assert_uint_eq(rte_pktmbuf_mtod(m, uint8_t *)[14 + 7], 64);
	rte_pktmbuf_free(m);
	ck_assert_uint_eq(st.too_big, 2);
	ck_assert_uint_eq(st.drop[SS_NET_DROP_MTU], 0);
	/* one of ours that long is a bug upstream: dropped, counted */
	m = transit4("10.2.3.4", 64, 1401 - 20, 0);
	ck_assert_uint_eq(classify1(m, 1), SS_NET_CLASS_FORWARD);
	ss_net_output_burst(&m, 1, &res, &st);
	ck_assert_int_eq(res, SS_NET_FWD_DROP);
	rte_pktmbuf_free(m);
	ck_assert_uint_eq(st.drop[SS_NET_DROP_MTU], 1);
	ck_assert_uint_eq(st.too_big, 2);
	/* inside has 1500 */
	m = transit4("10.1.0.1", 64, 1500 - 20, 0);
	fwd1(m, &res);
	ck_assert_int_eq(res, 0);
	rte_pktmbuf_free(m);
}
END_TEST

/* ---- hold queues ---------------------------------------------------------- */

static const uint8_t *
txd(unsigned int i)
{
	return rte_pktmbuf_mtod(txr.m[i], const uint8_t *);
}

START_TEST(test_hold_release)
{
	static const struct rte_ether_addr bcast = {{ 0xff, 0xff, 0xff, 0xff,
		0xff, 0xff }};
	static const struct rte_ether_addr zero;
	uint8_t f[64], want[64];
	struct rte_mbuf *m;
	struct rte_ether_addr mac;
	uint32_t held;
	int16_t res;
	unsigned int i;
	size_t len;

	/* Three packets for an unresolved host on the inside. */
	for (i = 0; i < 3; i++) {
		m = transit4("192.0.2.20", 64, 20, (uint8_t)(0xa0 + i));
		fwd1(m, &res);
		ck_assert_int_eq(res, SS_NET_FWD_HOLD);
		ss_net_ctl_hold(m, &st);
	}
	ck_assert_uint_eq(st.held, 3);
	ck_assert_str_eq(neigh_state("192.0.2.20", NULL, &held),
		"incomplete");
	ck_assert_uint_eq(held, 3);
	/* One broadcast request, not one per packet */
	ck_assert_uint_eq(txr.n, 1);
	ck_assert_uint_eq(st.arp_req_tx, 1);
	len = ss_test_hex("ffffffffffff 020000000001 0806 0001 0800 0604 0001"
		"020000000001 c0000201 000000000000 c0000214", want,
		sizeof(want));
	ck_assert_uint_eq(txr.m[0]->pkt_len, len);
	ck_assert_mem_eq(txd(0), want, len);
	tx_clear();

	/* The answer releases them, in order, with its MAC. */
	len = arp_frame(f, &mac0, 2, &hmac, "192.0.2.20", &mac0, "192.0.2.1");
	m = mk(f, len);
	ck_assert_uint_eq(classify1(m, 0), SS_NET_CLASS_PUNT);
	ck_assert_int_eq(ss_net_ctl_input(m, 0, &st), 0);
	ck_assert_uint_eq(txr.n, 3);
	for (i = 0; i < 3; i++) {
		ck_assert_uint_eq(txr.port[i], 0);
		ck_assert_mem_eq(txd(i), hmac.addr_bytes, 6);
		ck_assert_mem_eq(txd(i) + 6, mac0.addr_bytes, 6);
		ck_assert_uint_eq(txd(i)[14 + 8], 63);	/* once */
		ck_assert_uint_eq(sum16(txd(i) + 14, 20, 0), 0xffff);
		ck_assert_uint_eq(txd(i)[14 + 28], 0xa0 + i);
	}
	ck_assert_uint_eq(st.released, 3);
	ck_assert_str_eq(neigh_state("192.0.2.20", &mac, &held), "reachable");
	ck_assert(rte_is_same_ether_addr(&mac, &hmac));
	ck_assert_uint_eq(held, 0);
	tx_clear();
	/* Now the worker finds it. */
	m = transit4("192.0.2.20", 64, 20, 0);
	fwd1(m, &res);
	ck_assert_int_eq(res, 0);
	ck_assert_mem_eq(rte_pktmbuf_mtod(m, uint8_t *), hmac.addr_bytes, 6);
	rte_pktmbuf_free(m);
	/* A changed MAC (gratuitous ARP) is taken. */
	len = arp_frame(f, &bcast, 1, &gw1mac, "192.0.2.20", &zero,
		"192.0.2.20");
	ck_assert_int_eq(ss_net_ctl_input(mk(f, len), 0, &st), 0);
	ck_assert_str_eq(neigh_state("192.0.2.20", &mac, NULL), "reachable");
	ck_assert(rte_is_same_ether_addr(&mac, &gw1mac));
	ck_assert_uint_eq(txr.n, 0);
}
END_TEST

START_TEST(test_hold_full_timeout)
{
	const uint64_t hz = rte_get_timer_hz();
	uint64_t t0;
	struct rte_mbuf *m;
	int16_t res;
	unsigned int i;

	t0 = rte_get_timer_cycles();
	for (i = 0; i < 6; i++) {
		m = transit4("192.0.2.30", 64, 20, 0);
		fwd1(m, &res);
		ck_assert_int_eq(res, SS_NET_FWD_HOLD);
		ss_net_ctl_hold(m, &st);
	}
	/* arp_hold_pkts 4: the two newest are refused */
	ck_assert_uint_eq(st.held, 4);
	ck_assert_uint_eq(st.drop[SS_NET_DROP_HOLD_FULL], 2);
	ck_assert_uint_eq(st.arp_req_tx, 1);
	/* Retries every third of the hold time (300 ms) */
	ss_net_ctl_timer(t0 + hz * 50 / 1000, &st);
	ck_assert_uint_eq(st.arp_req_tx, 1);
	ss_net_ctl_timer(t0 + hz * 110 / 1000, &st);
	ck_assert_uint_eq(st.arp_req_tx, 2);
	ss_net_ctl_timer(t0 + hz * 220 / 1000, &st);
	ck_assert_uint_eq(st.arp_req_tx, 3);
	ck_assert_uint_eq(st.drop[SS_NET_DROP_HOLD_TIMEOUT], 0);
	/* After the hold time they are dropped, and the entry goes. */
	ss_net_ctl_timer(t0 + hz * 400 / 1000, &st);
	ck_assert_uint_eq(st.drop[SS_NET_DROP_HOLD_TIMEOUT], 4);
	ck_assert_ptr_null(neigh_state("192.0.2.30", NULL, NULL));
	/* ... and its slot comes back after the grace time: a new hold
	 * works the same way. */
	ss_net_ctl_timer(t0 + hz * 2, &st);
	tx_clear();
	m = transit4("192.0.2.30", 64, 20, 0);
	fwd1(m, &res);
	ck_assert_int_eq(res, SS_NET_FWD_HOLD);
	ss_net_ctl_hold(m, &st);
	ck_assert_str_eq(neigh_state("192.0.2.30", NULL, NULL), "incomplete");
	ck_assert_uint_eq(txr.n, 1);
	/* fini frees what is still held (ASan would say otherwise) */
}
END_TEST

START_TEST(test_stale)
{
	static const struct rte_ether_addr bcast = {{ 0xff, 0xff, 0xff, 0xff,
		0xff, 0xff }};
	static const struct rte_ether_addr zero;
	const uint64_t hz = rte_get_timer_hz();
	uint8_t f[64];
	uint64_t t0;
	struct rte_mbuf *m;
	int16_t res;
	size_t len;

	len = arp_frame(f, &bcast, 1, &hmac, "192.0.2.10", &zero,
		"192.0.2.1");
	ck_assert_int_eq(ss_net_ctl_input(mk(f, len), 0, &st), 0);
	t0 = rte_get_timer_cycles();
	tx_clear();
	ss_net_ctl_timer(t0 + hz * 59, &st);
	ck_assert_str_eq(neigh_state("192.0.2.10", NULL, NULL), "reachable");
	ck_assert_uint_eq(txr.n, 0);
	/* 60 s: stale, refreshed with a unicast request */
	ss_net_ctl_timer(t0 + hz * 61, &st);
	ck_assert_str_eq(neigh_state("192.0.2.10", NULL, NULL), "stale");
	ck_assert_uint_eq(txr.n, 1);
	ck_assert_mem_eq(txd(0), hmac.addr_bytes, 6);
	ck_assert_uint_eq(get16(txd(0) + 20), 1);
	/* still used while stale */
	m = transit4("192.0.2.10", 64, 20, 0);
	fwd1(m, &res);
	ck_assert_int_eq(res, 0);
	rte_pktmbuf_free(m);
	/* an answer makes it reachable again */
	len = arp_frame(f, &mac0, 2, &hmac, "192.0.2.10", &mac0, "192.0.2.1");
	ck_assert_int_eq(ss_net_ctl_input(mk(f, len), 0, &st), 0);
	ck_assert_str_eq(neigh_state("192.0.2.10", NULL, NULL), "reachable");
	tx_clear();
	/* no answers: three probes, then it is gone */
	t0 = rte_get_timer_cycles();
	ss_net_ctl_timer(t0 + hz * 61, &st);
	ss_net_ctl_timer(t0 + hz * 62 + 1, &st);
	ss_net_ctl_timer(t0 + hz * 63 + 2, &st);
	ck_assert_uint_eq(txr.n, 3);
	ck_assert_str_eq(neigh_state("192.0.2.10", NULL, NULL), "stale");
	ss_net_ctl_timer(t0 + hz * 64 + 3, &st);
	ck_assert_ptr_null(neigh_state("192.0.2.10", NULL, NULL));
	m = transit4("192.0.2.10", 64, 20, 0);
	fwd1(m, &res);
	ck_assert_int_eq(res, SS_NET_FWD_HOLD);
	rte_pktmbuf_free(m);
	/* static entries never age */
	ck_assert_str_eq(neigh_state("192.0.2.254", NULL, NULL), "static");
}
END_TEST

/* ---- IPv6 neighbour discovery ---------------------------------------------- */

static size_t
ns_frame(uint8_t *f, const char *src, const char *dst, const char *target,
	bool sllao, uint8_t hops)
{
	struct rte_ether_addr dmac = {{ 0x33, 0x33, 0xff, 0, 0, 0 }};
	uint8_t l4[32];
	struct ss_ipaddr d;
	size_t len;

	memset(l4, 0, sizeof(l4));
	l4[0] = 135;
	addr6(l4 + 8, target);
	l4[24] = 1;
	l4[25] = 1;
	memcpy(l4 + 26, hmac.addr_bytes, 6);
	ipa(&d, dst);
	memcpy(&dmac.addr_bytes[2], d.v6 + 12, 4);
	len = frame6(f, &dmac, src, dst, 58, hops, l4, sllao ? 32 : 24);
	icmp6_fix(f);
	return len;
}

START_TEST(test_ns_na)
{
	uint8_t f[128], tgt[16], hsrc[16];
	const uint8_t *p;
	struct rte_ether_addr mac;
	struct rte_mbuf *m;
	size_t len;

	len = ns_frame(f, "2001:db8:1::10", "ff02::1:ff00:1", "2001:db8:1::1",
		true, 255);
	m = mk(f, len);
	ck_assert_uint_eq(classify1(m, 0), SS_NET_CLASS_PUNT);
	ck_assert_int_eq(ss_net_ctl_input(m, 0, &st), 0);
	ck_assert_uint_eq(txr.n, 1);
	ck_assert_uint_eq(st.nd_na_tx, 1);
	p = txd(0);
	ck_assert_uint_eq(txr.m[0]->pkt_len, 14 + 40 + 32);
	ck_assert_mem_eq(p, hmac.addr_bytes, 6);
	ck_assert_mem_eq(p + 6, mac0.addr_bytes, 6);
	ck_assert_uint_eq(get16(p + 12), 0x86dd);
	p += 14;
	addr6(tgt, "2001:db8:1::1");
	addr6(hsrc, "2001:db8:1::10");
	ck_assert_uint_eq(p[0] >> 4, 6);
	ck_assert_uint_eq(get16(p + 4), 32);
	ck_assert_uint_eq(p[6], 58);
	ck_assert_uint_eq(p[7], 255);
	ck_assert_mem_eq(p + 8, tgt, 16);
	ck_assert_mem_eq(p + 24, hsrc, 16);
	ck_assert_uint_eq(p[40], 136);
	ck_assert_uint_eq(p[41], 0);
	ck_assert_uint_eq(p[44], 0xe0);	/* router, solicited, override */
	ck_assert_uint_eq(p[45] | p[46] | p[47], 0);
	ck_assert_mem_eq(p + 48, tgt, 16);
	ck_assert_uint_eq(p[64], 2);		/* target link-layer address */
	ck_assert_uint_eq(p[65], 1);
	ck_assert_mem_eq(p + 66, mac0.addr_bytes, 6);
	ck_assert_uint_eq(sum16(p + 40, 32, pseudo6_sum(p, 32, 58)), 0xffff);
	/* the soliciting host is learned from its SLLAO */
	ck_assert_str_eq(neigh_state("2001:db8:1::10", &mac, NULL),
		"reachable");
	ck_assert(rte_is_same_ether_addr(&mac, &hmac));
	tx_clear();

	/* NS for the link-local address, from a link-local, unicast */
	len = ns_frame(f, "fe80::aa:ff:fe00:1", "fe80::ff:fe00:1",
		"fe80::ff:fe00:1", true, 255);
	memcpy(f, mac0.addr_bytes, 6);
	m = mk(f, len);
	ck_assert_uint_eq(classify1(m, 0), SS_NET_CLASS_PUNT);
	ck_assert_int_eq(ss_net_ctl_input(m, 0, &st), 0);
	ck_assert_uint_eq(txr.n, 1);
	tx_clear();

	/* DAD (unspecified source): not answered */
	len = ns_frame(f, "::", "ff02::1:ff00:1", "2001:db8:1::1", false, 255);
	m = mk(f, len);
	ck_assert_uint_eq(classify1(m, 0), SS_NET_CLASS_PUNT);
	ck_assert_int_eq(ss_net_ctl_input(m, 0, &st), 0);
	ck_assert_uint_eq(txr.n, 0);
	/* hop limit not 255: refused */
	len = ns_frame(f, "2001:db8:1::10", "ff02::1:ff00:1", "2001:db8:1::1",
		true, 254);
	ck_assert_int_eq(ss_net_ctl_input(mk(f, len), 0, &st), 0);
	ck_assert_uint_eq(st.drop[SS_NET_DROP_ND_INVALID], 1);
	/* zero-length option: refused */
	len = ns_frame(f, "2001:db8:1::10", "ff02::1:ff00:1", "2001:db8:1::1",
		true, 255);
	f[14 + 40 + 25] = 0;
	icmp6_fix(f);
	ck_assert_int_eq(ss_net_ctl_input(mk(f, len), 0, &st), 0);
	ck_assert_uint_eq(st.drop[SS_NET_DROP_ND_INVALID], 2);
	/* bad checksum */
	len = ns_frame(f, "2001:db8:1::10", "ff02::1:ff00:1", "2001:db8:1::1",
		true, 255);
	f[14 + 40 + 2] ^= 0x10;
	ck_assert_int_eq(ss_net_ctl_input(mk(f, len), 0, &st), 0);
	ck_assert_uint_eq(st.drop[SS_NET_DROP_ICMP_CSUM], 1);
	/* the other port's address is not answered on this link */
	len = ns_frame(f, "2001:db8:1::10", "ff02::1:ff00:1", "2001:db8:2::1",
		true, 255);
	ck_assert_int_eq(ss_net_ctl_input(mk(f, len), 0, &st), 0);
	ck_assert_uint_eq(txr.n, 0);
	/* someone else's target */
	len = ns_frame(f, "2001:db8:1::10", "ff02::1:ff00:99",
		"2001:db8:1::99", true, 255);
	ck_assert_int_eq(ss_net_ctl_input(mk(f, len), 0, &st), 0);
	ck_assert_uint_eq(txr.n, 0);
	ck_assert_uint_eq(st.nd_na_tx, 2);
}
END_TEST

START_TEST(test_nd_resolve)
{
	uint8_t f[128], l4[32], sn[16];
	const uint8_t *p;
	struct rte_mbuf *m;
	int16_t res;
	size_t len;

	/* A packet for an unresolved inside host: NS to its
	 * solicited-node group, from our address in its subnet. */
	m = transit6("2001:db8:1::abcd:77", 64, 20, 0x5a);
	fwd1(m, &res);
	ck_assert_int_eq(res, SS_NET_FWD_HOLD);
	ss_net_ctl_hold(m, &st);
	ck_assert_uint_eq(txr.n, 1);
	ck_assert_uint_eq(st.nd_ns_tx, 1);
	p = txd(0);
	ck_assert_mem_eq(p, "\x33\x33\xff\xcd\x00\x77", 6);
	addr6(sn, "ff02::1:ffcd:77");
	ck_assert_mem_eq(p + 14 + 24, sn, 16);
	addr6(sn, "2001:db8:1::1");
	ck_assert_mem_eq(p + 14 + 8, sn, 16);
	ck_assert_uint_eq(p[14 + 7], 255);
	ck_assert_uint_eq(p[14 + 40], 135);
	ck_assert_uint_eq(p[14 + 40 + 24], 1);	/* SLLAO */
	ck_assert_mem_eq(p + 14 + 40 + 26, mac0.addr_bytes, 6);
	ck_assert_uint_eq(sum16(p + 14 + 40, 32, pseudo6_sum(p + 14, 32, 58)),
		0xffff);
	tx_clear();
	/* Solicited NA with its TLLAO releases the packet. */
	memset(l4, 0, sizeof(l4));
	l4[0] = 136;
	l4[4] = 0x60;
	addr6(l4 + 8, "2001:db8:1::abcd:77");
	l4[24] = 2;
	l4[25] = 1;
	memcpy(l4 + 26, hmac.addr_bytes, 6);
	len = frame6(f, &mac0, "2001:db8:1::abcd:77", "2001:db8:1::1", 58,
		255, l4, 32);
	icmp6_fix(f);
	m = mk(f, len);
	ck_assert_uint_eq(classify1(m, 0), SS_NET_CLASS_PUNT);
	ck_assert_int_eq(ss_net_ctl_input(m, 0, &st), 0);
	ck_assert_uint_eq(txr.n, 1);
	p = txd(0);
	ck_assert_mem_eq(p, hmac.addr_bytes, 6);
	ck_assert_uint_eq(p[14 + 7], 63);
	ck_assert_uint_eq(p[14 + 48], 0x5a);
	ck_assert_uint_eq(st.released, 1);
	/* Solicited flag on a multicast NA: invalid */
	l4[4] = 0x60;
	len = frame6(f, &mac0, "2001:db8:1::abcd:77", "ff02::1", 58, 255, l4,
		32);
	icmp6_fix(f);
	ck_assert_int_eq(ss_net_ctl_input(mk(f, len), 0, &st), 0);
	ck_assert_uint_eq(st.drop[SS_NET_DROP_ND_INVALID], 1);
}
END_TEST

/* A gateway next hop learnt by ND: packets for it wait, then take its MAC
 * from the next hop's neighbour slot (no hash lookup); once the entry has
 * aged out they wait again. */
START_TEST(test_via_slot)
{
	const uint64_t hz = rte_get_timer_hz();
	uint8_t f[128], l4[32];
	struct rte_mbuf *m;
	uint64_t t0;
	int16_t res;
	size_t len;
	int i;

	m = transit6("2001:db8:99::1", 64, 20, 0x5b);	/* ::/0 via ::fe */
	fwd1(m, &res);
	ck_assert_int_eq(res, SS_NET_FWD_HOLD);
	tx_clear();
	ss_net_ctl_hold(m, &st);
	ck_assert_uint_eq(txr.n, 1);			/* NS for the router */
	tx_clear();
	memset(l4, 0, sizeof(l4));
	l4[0] = 136;
	l4[4] = 0x60;
	addr6(l4 + 8, "2001:db8:1::fe");
	l4[24] = 2;
	l4[25] = 1;
	memcpy(l4 + 26, gw6mac.addr_bytes, 6);
	len = frame6(f, &mac0, "2001:db8:1::fe", "2001:db8:1::1", 58, 255,
		l4, 32);
	icmp6_fix(f);
	ck_assert_int_eq(ss_net_ctl_input(mk(f, len), 0, &st), 0);
	ck_assert_uint_eq(txr.n, 1);			/* the held one */
	ck_assert_mem_eq(txd(0), gw6mac.addr_bytes, 6);
	/* the next packets go straight out to the router's MAC */
	m = transit6("2001:db8:99::2", 64, 20, 0x5c);
	fwd1(m, &res);
	ck_assert_int_ge(res, 0);
	ck_assert_mem_eq(rte_pktmbuf_mtod(m, uint8_t *), gw6mac.addr_bytes,
		6);
	rte_pktmbuf_free(m);
	/* unanswered probes: the entry goes, packets wait again */
	t0 = rte_get_timer_cycles();
	for (i = 1; i < 200 && neigh_state("2001:db8:1::fe", NULL, NULL) !=
			NULL; i++)
		ss_net_ctl_timer(t0 + hz * (uint64_t)i, &st);
	ck_assert_ptr_null(neigh_state("2001:db8:1::fe", NULL, NULL));
	m = transit6("2001:db8:99::3", 64, 20, 0x5d);
	fwd1(m, &res);
	ck_assert_int_eq(res, SS_NET_FWD_HOLD);
	rte_pktmbuf_free(m);
	tx_clear();
}
END_TEST

/* ---- echo ----------------------------------------------------------------- */

/* A load balancer's VIPs: ARP and NS answered on the ports announced,
 * and only there; the address stays transit for IP. */
START_TEST(test_announce)
{
	static const struct rte_ether_addr bcast = {{ 0xff, 0xff, 0xff, 0xff,
		0xff, 0xff }};
	static const struct rte_ether_addr zero;
	struct ss_ipaddr a;
	uint8_t f[128], tgt[16];
	const uint8_t *p;
	struct rte_mbuf *m;
	unsigned int i;
	size_t len;

	ipa(&a, "198.51.100.50");
	ck_assert_int_eq(ss_net_announce(&a, 1u << 1), 0);
	ck_assert_int_eq(ss_net_announce(&a, 1u << 1), -EEXIST);
	ck_assert_int_eq(ss_net_announce(&a, 0), -EINVAL);
	ipa(&a, "2001:db8:2::50");
	ck_assert_int_eq(ss_net_announce(&a, 1u << 1), 0);
	ipa(&a, "198.51.100.1");	/* the gateway's own */
	ck_assert_int_eq(ss_net_announce(&a, 1u << 1), -EEXIST);

	/* ARP on port 1: answered with port 1's MAC */
	len = arp_frame(f, &bcast, 1, &hmac, "198.51.100.10", &zero,
		"198.51.100.50");
	m = mk(f, len);
	ck_assert_uint_eq(classify1(m, 1), SS_NET_CLASS_PUNT);
	ck_assert_int_eq(ss_net_ctl_input(m, 1, &st), 0);
	ck_assert_uint_eq(txr.n, 1);
	ck_assert_uint_eq(txr.port[0], 1);
	p = txd(0);
	ck_assert_mem_eq(p + 6, mac1.addr_bytes, 6);
	ck_assert_uint_eq(get16(p + 20), 2);		/* reply */
	ck_assert_mem_eq(p + 22, mac1.addr_bytes, 6);	/* sender MAC */
	addr4(tgt, "198.51.100.50");
	ck_assert_mem_eq(p + 28, tgt, 4);		/* sender IP: VIP */
	tx_clear();
	/* on port 0, not announced there: silence */
	len = arp_frame(f, &bcast, 1, &hmac, "192.0.2.10", &zero,
		"198.51.100.50");
	ck_assert_int_eq(ss_net_ctl_input(mk(f, len), 0, &st), 0);
	ck_assert_uint_eq(txr.n, 0);

	/* NS on port 1: NA with port 1's MAC for the VIP */
	len = ns_frame(f, "2001:db8:2::10", "ff02::1:ff00:50",
		"2001:db8:2::50", true, 255);
	m = mk(f, len);
	ck_assert_uint_eq(classify1(m, 1), SS_NET_CLASS_PUNT);
	ck_assert_int_eq(ss_net_ctl_input(m, 1, &st), 0);
	ck_assert_uint_eq(txr.n, 1);
	p = txd(0);
	ck_assert_mem_eq(p + 6, mac1.addr_bytes, 6);
	ck_assert_uint_eq(p[14 + 40], 136);
	addr6(tgt, "2001:db8:2::50");
	ck_assert_mem_eq(p + 14 + 48, tgt, 16);
	ck_assert_mem_eq(p + 14 + 66, mac1.addr_bytes, 6);
	tx_clear();

	/* IP to a VIP is still transit, not ours */
	m = transit4("198.51.100.50", 64, 20, 0);
	ck_assert_uint_eq(classify1(m, 1), SS_NET_CLASS_FORWARD);
	rte_pktmbuf_free(m);
	ipa(&a, "198.51.100.50");
	ck_assert(!ss_net_is_local(&a, NULL));

	/* bounded */
	for (i = 2; i < SS_NET_MAX_ANNOUNCE; i++) {
		char buf[32];

		snprintf(buf, sizeof(buf), "203.0.113.%u", i);
		ipa(&a, buf);
		ck_assert_int_eq(ss_net_announce(&a, 1u << 1), 0);
	}
	ipa(&a, "203.0.113.200");
	ck_assert_int_eq(ss_net_announce(&a, 1u << 1), -ENOSPC);
}
END_TEST

START_TEST(test_echo4)
{
	uint8_t f[128], l4[16], a[4];
	const uint8_t *p;
	struct rte_mbuf *m;
	size_t len;

	memcpy(l4, echo_req, sizeof(l4));
	icmp4_fix(l4, sizeof(l4));
	len = frame4(f, &mac0, "192.0.2.10", "192.0.2.1", 1, 64, l4,
		sizeof(l4));
	m = mk(f, len);
	ck_assert_uint_eq(classify1(m, 0), SS_NET_CLASS_PUNT);
	ck_assert_int_eq(ss_net_ctl_input(m, 0, &st), 0);
	ck_assert_uint_eq(txr.n, 1);
	ck_assert_uint_eq(st.echo_rep_tx, 1);
	p = txd(0);
	ck_assert_uint_eq(txr.m[0]->pkt_len, len);
	ck_assert_mem_eq(p, hmac.addr_bytes, 6);
	ck_assert_mem_eq(p + 6, mac0.addr_bytes, 6);
	addr4(a, "192.0.2.1");
	ck_assert_mem_eq(p + 14 + 12, a, 4);
	addr4(a, "192.0.2.10");
	ck_assert_mem_eq(p + 14 + 16, a, 4);
	ck_assert_uint_eq(sum16(p + 14, 20, 0), 0xffff);
	ck_assert_uint_eq(p[34], 0);			/* echo reply */
	ck_assert_mem_eq(p + 34 + 4, echo_req + 4, 12);	/* id, seq, data */
	ck_assert_uint_eq(sum16(p + 34, 16, 0), 0xffff);
	tx_clear();

	/* bad ICMP checksum */
	l4[2] ^= 1;
	len = frame4(f, &mac0, "192.0.2.10", "192.0.2.1", 1, 64, l4,
		sizeof(l4));
	ck_assert_int_eq(ss_net_ctl_input(mk(f, len), 0, &st), 0);
	ck_assert_uint_eq(st.drop[SS_NET_DROP_ICMP_CSUM], 1);
	ck_assert_uint_eq(txr.n, 0);
	/* an echo reply to us needs no answer */
	memcpy(l4, echo_req, sizeof(l4));
	l4[0] = 0;
	icmp4_fix(l4, sizeof(l4));
	len = frame4(f, &mac0, "192.0.2.10", "192.0.2.1", 1, 64, l4,
		sizeof(l4));
	ck_assert_int_eq(ss_net_ctl_input(mk(f, len), 0, &st), 0);
	ck_assert_uint_eq(txr.n, 0);
}
END_TEST

struct frags {
	unsigned int n;
	uint8_t b[8][1600];
	uint32_t len[8];
};

static int
frags_emit(const uint8_t *frag, uint32_t len, void *arg)
{
	struct frags *f = arg;

	ck_assert_uint_lt(f->n, 8);
	memcpy(f->b[f->n], frag, len);
	f->len[f->n++] = len;
	return 0;
}

/* ss_net_fragment on an IPv4 packet that is itself a fragment (offset
 * 100, MF) and carries options: the pieces keep its offset, only the
 * last keeps its MF, later pieces carry only the copied option. */
START_TEST(test_fragment_ip4_options)
{
	static struct frags fr;
	uint8_t p[1200], whole[1200];
	uint32_t i, got = 0;
	uint16_t fo;

	memset(&fr, 0, sizeof(fr));
	memset(p, 0, sizeof(p));
	p[0] = 0x48;				/* IHL 8: 12 option bytes */
	put16(p + 2, sizeof(p));
	put16(p + 6, 0x2000 | 100);		/* MF, offset 100 */
	p[8] = 64;
	p[9] = 17;
	p[20] = 7;				/* record route: not copied */
	p[21] = 7;
	p[22] = 4;
	p[27] = 1;				/* NOP */
	p[28] = 0x94;				/* router alert: copied */
	p[29] = 4;
	for (i = 32; i < sizeof(p); i++)
		p[i] = (uint8_t)i;
	put16(p + 10, (uint16_t)~sum16(p, 32, 0));
	ck_assert_int_eq(ss_net_fragment(p, sizeof(p), 500, 0, frags_emit,
		&fr), 0);
	ck_assert_uint_eq(fr.n, 3);
	for (i = 0; i < fr.n; i++) {
		const uint8_t *b = fr.b[i];
		const uint32_t hl = (b[0] & 0xf) * 4u;

		ck_assert_uint_le(fr.len[i], 500);
		ck_assert_uint_eq(get16(b + 2), fr.len[i]);
		ck_assert_uint_eq(sum16(b, hl, 0), 0xffff);
		ck_assert_uint_eq(hl, i == 0 ? 32 : 24);
		if (i > 0) {
			ck_assert_uint_eq(b[20], 0x94);
			ck_assert_uint_eq(b[23], 0);
		}
		fo = get16(b + 6);
		ck_assert_uint_eq((fo & 0x1fff), 100 + got / 8);
		ck_assert(fo & 0x2000);		/* the packet's MF, kept */
		memcpy(whole + got, b + hl, fr.len[i] - hl);
		got += fr.len[i] - hl;
	}
	ck_assert_uint_eq(got, sizeof(p) - 32);
	ck_assert_mem_eq(whole, p + 32, got);
	/* no room for 8 bytes */
	ck_assert_int_eq(ss_net_fragment(p, sizeof(p), 39, 0, frags_emit,
		&fr), -EMSGSIZE);
}
END_TEST

/* ss_net_fragment on IPv6 with hop-by-hop options, destination options
 * and a routing header in front of a second destination options header:
 * the first three are the unfragmentable part that every piece carries,
 * the fragment header behind them; the last goes with the data (RFC 8200
 * 4.5). ss_net_ip6_frag_hdr then finds each piece's fragment header. */
START_TEST(test_fragment_ip6_ext)
{
	static struct frags fr;
	uint8_t p[40 + 8 + 8 + 24 + 8 + 1000], whole[1100];
	const uint32_t u = 40 + 8 + 8 + 24;	/* unfragmentable */
	uint32_t i, nh, got = 0;

	memset(&fr, 0, sizeof(fr));
	memset(p, 0, sizeof(p));
	p[0] = 0x60;
	put16(p + 4, sizeof(p) - 40);
	p[6] = 0;				/* hop-by-hop */
	p[7] = 64;
	p[40] = 60;				/* then dest. options */
	p[48] = 43;				/* then routing, 24 bytes */
	p[56] = 60;				/* then dest. options */
	p[57] = 2;
	p[58] = 0;				/* type 0, */
	p[59] = 0;				/* no segments left */
	p[80] = 17;				/* then UDP */
	for (i = 88; i < sizeof(p); i++)
		p[i] = (uint8_t)i;
	ck_assert_int_eq(ss_net_ip6_unfrag_len(p, sizeof(p), &nh), (int)u);
	ck_assert_uint_eq(nh, 56);		/* the routing header's */
	ck_assert_int_eq(ss_net_fragment(p, sizeof(p), 400, 0x1234,
		frags_emit, &fr), 0);
	ck_assert_uint_eq(fr.n, 4);
	for (i = 0; i < fr.n; i++) {
		const uint8_t *b = fr.b[i];
		const uint16_t fo = get16(b + u + 2);

		ck_assert_uint_le(fr.len[i], 400);
		ck_assert_uint_eq(get16(b + 4), fr.len[i] - 40);
		ck_assert_mem_eq(b, p, 4);
		/* all up to the routing header's next header */
		ck_assert_mem_eq(b + 6, p + 6, 56 - 6);
		ck_assert_uint_eq(b[56], 44);	/* names the fragment */
		ck_assert_mem_eq(b + 57, p + 57, u - 57);
		/* the fragment header names what followed the routing */
		ck_assert_uint_eq(b[u], 60);
		ck_assert_uint_eq(get16(b + u + 4), 0);
		ck_assert_uint_eq(get16(b + u + 6), 0x1234);
		ck_assert_uint_eq(fo >> 3, got / 8);
		ck_assert_uint_eq(fo & 1, i + 1 < fr.n ? 1 : 0);
		ck_assert_int_eq(ss_net_ip6_frag_hdr(b, fr.len[i], &nh),
			(int)u);
		ck_assert_uint_eq(nh, 56);
		memcpy(whole + got, b + u + 8, fr.len[i] - u - 8);
		got += fr.len[i] - u - 8;
	}
	ck_assert_uint_eq(got, sizeof(p) - u);
	ck_assert_mem_eq(whole, p + u, got);
	/* no room for 8 bytes behind the unfragmentable part */
	ck_assert_int_eq(ss_net_fragment(p, sizeof(p), u + 8 + 7, 0,
		frags_emit, &fr), -EMSGSIZE);
	/* a header that runs past the packet */
	ck_assert_int_eq(ss_net_ip6_unfrag_len(p, 60, &nh), -EINVAL);
	/* the fragment walk: not with segments left, nor past the end,
	 * nor an upper layer header in front */
	fr.b[0][59] = 1;
	ck_assert_int_eq(ss_net_ip6_frag_hdr(fr.b[0], fr.len[0], &nh), -1);
	fr.b[0][59] = 0;
	ck_assert_int_eq(ss_net_ip6_frag_hdr(fr.b[0], u + 4, &nh), -1);
	fr.b[0][48] = 17;
	ck_assert_int_eq(ss_net_ip6_frag_hdr(fr.b[0], fr.len[0], &nh), -1);
	/* the base header alone: the fragment header right behind it */
	p[6] = 44;
	ck_assert_int_eq(ss_net_ip6_frag_hdr(p, sizeof(p), &nh), 40);
	ck_assert_uint_eq(nh, 6);
	ck_assert_int_eq(ss_net_ip6_unfrag_len(p, sizeof(p), &nh), 40);
}
END_TEST

/* An answer above the port's MTU (a large echo request reassembled
 * before it was answered) leaves as IP fragments that fit, and they put
 * back together the whole echo reply. */
START_TEST(test_echo_fragmented)
{
	static uint8_t f[2048], l4[1800], whole[1800];
	const uint8_t *p;
	uint8_t fh;
	unsigned int i, v;
	size_t len, got;

	for (v = 0; v < 2; v++) {
		const size_t hl = v == 0 ? 20 : 40;

		memcpy(l4, echo_req, sizeof(echo_req));
		for (i = sizeof(echo_req); i < sizeof(l4); i++)
			l4[i] = (uint8_t)i;
		l4[0] = v == 0 ? 8 : 128;
		if (v == 0) {
			icmp4_fix(l4, sizeof(l4));
			len = frame4(f, &mac0, "192.0.2.10", "192.0.2.1", 1,
				64, l4, sizeof(l4));
		} else {
			len = frame6(f, &mac0, "2001:db8:1::10",
				"2001:db8:1::1", 58, 64, l4, sizeof(l4));
			icmp6_fix(f);
		}
		ck_assert_int_eq(ss_net_ctl_input(mk(f, len), 0, &st), 0);
		/* port 0: MTU 1500 */
		ck_assert_uint_eq(txr.n, 2);
		got = 0;
		for (i = 0; i < txr.n; i++) {
			const uint8_t *ip;
			size_t n;
			uint16_t fo;

			p = txd(i);
			ip = p + 14;
			ck_assert_mem_eq(p, hmac.addr_bytes, 6);
			if (v == 0) {
				n = get16(ip + 2) - hl;
				fo = get16(ip + 6);
				ck_assert_uint_le(n + hl, 1500);
				ck_assert_uint_eq(sum16(ip, 20, 0), 0xffff);
				ck_assert_uint_eq((fo & 0x1fff) * 8u, got);
				ck_assert_uint_eq(!!(fo & 0x2000), i == 0);
				fh = 0;
			} else {
				ck_assert_uint_eq(ip[6], 44);
				n = get16(ip + 4) - 8;
				fo = get16(ip + 40 + 2);
				ck_assert_uint_eq(ip[40], 58);
				ck_assert_uint_le(40 + 8 + n, 1500);
				ck_assert_uint_eq((fo >> 3) * 8u, got);
				ck_assert_uint_eq(fo & 1, i == 0);
				fh = 8;
			}
			ck_assert_uint_eq(txr.m[i]->pkt_len, 14 + hl + fh + n);
			memcpy(whole + got, ip + hl + fh, n);
			got += n;
		}
		ck_assert_uint_eq(got, sizeof(l4));
		ck_assert_uint_eq(whole[0], v == 0 ? 0 : 129);	/* reply */
		ck_assert_mem_eq(whole + 4, l4 + 4, sizeof(l4) - 4);
		if (v == 0)
			ck_assert_uint_eq(sum16(whole, sizeof(whole), 0),
				0xffff);
		tx_clear();
	}
}
END_TEST

/* ---- reassembly (ss_net_reasm.h) ------------------------------------------- */

/* Fragments as frames, cut by ss_net_fragment from one datagram. */
struct rframes {
	unsigned int n;
	uint8_t f[16][14 + 1600];
	uint32_t len[16];
};

static int
rframes_emit(const uint8_t *frag, uint32_t len, void *arg)
{
	struct rframes *r = arg;
	uint8_t *f;

	ck_assert_uint_lt(r->n, 16);
	ck_assert_uint_le(len, 1600);
	f = r->f[r->n];
	eth(f, &mac0, &hmac, (frag[0] >> 4) == 4 ? 0x0800 : 0x86dd);
	memcpy(f + 14, frag, len);
	r->len[r->n++] = 14 + len;
	return 0;
}

/* A UDP datagram to the gateway (v 4 or 6) of l3len bytes in frame d,
 * cut into fragments of at most mtu bytes. Returns the frame's length. */
static size_t
reasm_datagram(unsigned int v, size_t l3len, uint32_t mtu, uint16_t id,
	uint8_t *d, struct rframes *r)
{
	static uint8_t l4[SS_NET_REASM_MAX + 200];
	const size_t hl = v == 4 ? 20 : 40;
	size_t i, len;

	for (i = 0; i < l3len - hl; i++)
		l4[i] = (uint8_t)(i * 7 + id);
	put16(l4 + 4, (uint16_t)(l3len - hl));
	if (v == 4) {
		len = frame4(d, &mac0, "192.0.2.10", "192.0.2.1", 17, 64, l4,
			l3len - hl);
		put16(d + 14 + 4, id);
		d[14 + 10] = d[14 + 11] = 0;
		put16(d + 14 + 10, (uint16_t)~sum16(d + 14, 20, 0));
	} else {
		len = frame6(d, &mac0, "2001:db8:1::10", "2001:db8:1::1", 17,
			64, l4, l3len - hl);
	}
	memset(r, 0, sizeof(*r));
	ck_assert_int_eq(ss_net_fragment(d + 14, (uint32_t)(len - 14), mtu,
		id, rframes_emit, r), 0);
	return len;
}

/* Classify fragment i of r (it must be punted as a fragment) and hand it
 * to the table. */
static struct rte_mbuf *
reasm_one(struct ss_net_reasm *t, const struct rframes *r, unsigned int i,
	uint64_t now, struct ss_net_reasm_stats *rs)
{
	struct rte_mbuf *m = mk(r->f[i], r->len[i]);

	ck_assert_uint_eq(classify1(m, 0), SS_NET_CLASS_PUNT);
	ck_assert_uint_eq(m->packet_type & RTE_PTYPE_L4_MASK,
		RTE_PTYPE_L4_FRAG);
	return ss_net_reasm_input(t, m, now, rs);
}

/* m is the datagram d (len bytes, frame and all) in one segment of pool
 * mp; freed. */
static void
expect_whole(struct rte_mbuf *m, const uint8_t *d, size_t len,
	const struct rte_mempool *mp)
{
	ck_assert_ptr_nonnull(m);
	ck_assert_uint_eq(m->nb_segs, 1);
	ck_assert_ptr_eq(m->pool, mp);
	ck_assert_uint_eq(m->pkt_len, len);
	ck_assert_mem_eq(rte_pktmbuf_mtod(m, uint8_t *), d, len);
	rte_pktmbuf_free(m);
}

/* IPv4 and IPv6: fragments in any order, two datagrams interleaved, a
 * jumbo one, one too long, a duplicate, a datagram that never completes,
 * and what waits when the table goes: each whole datagram is the
 * original byte for byte (IPv4 header checksum included), each fragment
 * let go is counted. */
START_TEST(test_reasm)
{
	static struct rframes a, b;
	static uint8_t da[SS_NET_REASM_MAX + 300], db[SS_NET_REASM_MAX + 300];
	const uint64_t hz = rte_get_tsc_hz();
	struct ss_net_reasm_stats rs;
	struct ss_net_reasm *t;
	struct rte_mbuf *m = NULL;
	uint64_t now = rte_rdtsc();
	size_t la, lb;
	unsigned int i, v;

	ck_assert_ptr_null(ss_net_reasm_create("ss_t_reasm", 0, 1000, pool(),
		SOCKET_ID_ANY));
	for (v = 4; v <= 6; v += 2) {
		memset(&rs, 0, sizeof(rs));
		t = ss_net_reasm_create("ss_t_reasm", 64, 1000, pool(),
			SOCKET_ID_ANY);
		ck_assert_ptr_nonnull(t);

		/* last fragment first, a second datagram's fragments in
		 * between; both fit the caller's mbufs */
		la = reasm_datagram(v, 1800, 1280, 0x101, da, &a);
		lb = reasm_datagram(v, 1200, 576, 0x102, db, &b);
		ck_assert_uint_eq(a.n, 2);
		ck_assert_uint_eq(b.n, 3);
		ck_assert_ptr_null(reasm_one(t, &a, 1, now, &rs));
		ck_assert_ptr_null(reasm_one(t, &b, 2, now, &rs));
		ck_assert_ptr_null(reasm_one(t, &b, 1, now, &rs));
		expect_whole(reasm_one(t, &a, 0, now, &rs), da, la, pool());
		expect_whole(reasm_one(t, &b, 0, now, &rs), db, lb, pool());
		ck_assert_uint_eq(rs.fragments, 5);
		ck_assert_uint_eq(rs.done, 2);
		ck_assert_uint_eq(rs.jumbo, 0);
		ck_assert_uint_eq(rs.dropped, 0);

		/* a jumbo datagram: whole in one buffer of the table's own */
		la = reasm_datagram(v, SS_NET_REASM_MAX, 1500, 0x103, da, &a);
		ck_assert_uint_eq(a.n, 7);
		for (i = 0; i < a.n; i++) {
			m = reasm_one(t, &a, a.n - 1 - i, now, &rs);
			ck_assert(i + 1 < a.n ? m == NULL : m != NULL);
		}
		expect_whole(m, da, la,
			rte_mempool_lookup("ss_t_reasm_jumbo"));
		ck_assert_uint_eq(rs.jumbo, 1);
		ck_assert_uint_eq(rs.done, 3);

		/* 8 bytes (a fragment's unit) too long: dropped whole */
		reasm_datagram(v, SS_NET_REASM_MAX + 8, 1600, 0x104, da, &a);
		for (i = 0; i < a.n; i++)
			ck_assert_ptr_null(reasm_one(t, &a, i, now, &rs));
		ck_assert_uint_eq(rs.too_big, 1);
		ck_assert_uint_eq(rs.dropped, a.n);
		rs.dropped = 0;

		/* a first fragment given twice: what came so far is not
		 * trusted; the rest waits as a datagram of its own */
		reasm_datagram(v, 3000, 1280, 0x105, da, &a);
		ck_assert_ptr_null(reasm_one(t, &a, 0, now, &rs));
		ck_assert_ptr_null(reasm_one(t, &a, 0, now, &rs));
		ck_assert_uint_eq(rs.dropped, 2);
		ck_assert_ptr_null(reasm_one(t, &a, 1, now, &rs));
		ck_assert_ptr_null(reasm_one(t, &a, 2, now, &rs));
		ck_assert_uint_eq(rs.done, 3);
		ck_assert_uint_eq(rs.dropped, 2);
		rs.dropped = 0;

		/* one fragment short: let go when the timeout has passed,
		 * not before */
		reasm_datagram(v, 3000, 1280, 0x106, da, &a);
		ck_assert_ptr_null(reasm_one(t, &a, 0, now, &rs));
		ck_assert_ptr_null(reasm_one(t, &a, 2, now, &rs));
		ss_net_reasm_expire(t, now + hz / 2, &rs);
		ck_assert_uint_eq(rs.dropped, 0);
		ss_net_reasm_expire(t, now + 2 * hz, &rs);
		ck_assert_uint_eq(rs.dropped, 2 + 2);	/* and 0x105's rest */
		/* its last fragment, late, starts over and waits alone */
		ck_assert_ptr_null(reasm_one(t, &a, 1, now + 2 * hz, &rs));
		ck_assert_uint_eq(rs.done, 3);

		/* IPv6: destination options in front of each fragment
		 * header are taken out before reassembly */
		if (v == 6) {
			la = reasm_datagram(v, 1800, 1280, 0x107, da, &a);
			for (i = 0; i < a.n; i++) {
				uint8_t *f = a.f[i];

				memmove(f + 62, f + 54, a.len[i] - 54);
				memset(f + 54, 0, 8);
				f[54] = 44;		/* then the fragment */
				f[20] = 60;		/* destination options */
				put16(f + 18, (uint16_t)(get16(f + 18) + 8));
				a.len[i] += 8;
			}
			ck_assert_ptr_null(reasm_one(t, &a, 0, now, &rs));
			expect_whole(reasm_one(t, &a, 1, now, &rs), da, la,
				pool());
			ck_assert_uint_eq(rs.done, 4);
		}

		/* what still waits is counted as the table goes */
		ss_net_reasm_free(t, &rs);
		ck_assert_uint_eq(rs.dropped, 4 + 1);
		ck_assert_uint_eq(rs.too_big, 1);
	}
	/* every mbuf is back */
	ck_assert_uint_eq(rte_mempool_avail_count(pool()), 2048);
}
END_TEST

/* A worker's punts once the control lcore's ring is half full: the
 * fragments are let go (counted), the rest keeps its order. */
START_TEST(test_reasm_shed)
{
	static struct rframes a;
	static uint8_t d[2048], f[128];
	const uint8_t l4[8] = { 0x01, 0xf4, 0x01, 0xf4, 0, 8, 0, 0 };
	struct rte_mbuf *m[5], *keep[5];
	uint64_t shed = 0;
	size_t len;
	unsigned int i;

	reasm_datagram(4, 1800, 1280, 0x201, d, &a);
	len = frame4(f, &mac0, "192.0.2.10", "192.0.2.1", 17, 64, l4,
		sizeof(l4));
	m[0] = mk(a.f[0], a.len[0]);
	m[1] = mk(f, len);		/* IKE (UDP 500) */
	m[2] = mk(a.f[1], a.len[1]);
	m[3] = mk(f, len);
	m[4] = mk(a.f[0], a.len[0]);
	ss_net_classify_burst(m, 5, 0, (uint8_t [5]){ 0 }, &st);
	memcpy(keep, m, sizeof(m));
	ck_assert_uint_eq(ss_net_reasm_shed(m, 5, 511, 1024, &shed), 5);
	ck_assert_uint_eq(shed, 0);
	ck_assert_uint_eq(ss_net_reasm_shed(m, 5, 512, 1024, &shed), 2);
	ck_assert_uint_eq(shed, 3);
	ck_assert_ptr_eq(m[0], keep[1]);
	ck_assert_ptr_eq(m[1], keep[3]);
	for (i = 0; i < 2; i++)
		rte_pktmbuf_free(m[i]);
	ck_assert_uint_eq(rte_mempool_avail_count(pool()), 2048);
}
END_TEST

START_TEST(test_echo6)
{
	uint8_t f[128], l4[16], a[16];
	const uint8_t *p;
	struct rte_mbuf *m;
	size_t len;

	memcpy(l4, echo_req, sizeof(l4));
	l4[0] = 128;
	len = frame6(f, &mac0, "2001:db8:1::10", "2001:db8:2::1", 58, 64, l4,
		sizeof(l4));
	icmp6_fix(f);
	m = mk(f, len);
	ck_assert_uint_eq(classify1(m, 0), SS_NET_CLASS_PUNT);
	ck_assert_int_eq(ss_net_ctl_input(m, 0, &st), 0);
	ck_assert_uint_eq(txr.n, 1);
	p = txd(0);
	ck_assert_mem_eq(p, hmac.addr_bytes, 6);
	ck_assert_mem_eq(p + 6, mac0.addr_bytes, 6);
	addr6(a, "2001:db8:2::1");
	ck_assert_mem_eq(p + 14 + 8, a, 16);
	addr6(a, "2001:db8:1::10");
	ck_assert_mem_eq(p + 14 + 24, a, 16);
	ck_assert_uint_eq(p[14 + 40], 129);
	ck_assert_mem_eq(p + 14 + 44, echo_req + 4, 12);
	ck_assert_uint_eq(sum16(p + 54, 16, pseudo6_sum(p + 14, 16, 58)),
		0xffff);
	ck_assert_uint_eq(st.echo_rep_tx, 1);
	tx_clear();
	/* to a group: no answer */
	len = frame6(f, &mac0, "2001:db8:1::10", "ff02::1", 58, 64, l4,
		sizeof(l4));
	icmp6_fix(f);
	ck_assert_int_eq(ss_net_ctl_input(mk(f, len), 0, &st), 0);
	ck_assert_uint_eq(txr.n, 0);
}
END_TEST

/* ---- a worker reading while the control lcore writes ---------------------- */

struct reader {
	volatile bool stop;
	unsigned int iters, torn, held, other;
};

static const struct rte_ether_addr flip_a = {{ 0x02, 0x11, 0x11, 0x11, 0x11,
	0x11 }};
static const struct rte_ether_addr flip_b = {{ 0x06, 0x22, 0x22, 0x22, 0x22,
	0x22 }};

static void *
reader_main(void *arg)
{
	struct reader *r = arg;
	struct ss_net_stats rst;
	struct rte_mbuf *m = transit4("192.0.2.40", 64, 20, 0);
	int16_t res;

	memset(&rst, 0, sizeof(rst));
	m->l2_len = 14;
	while (!r->stop && r->iters < 2000000) {
		const uint8_t *d;

		ss_net_output_burst(&m, 1, &res, &rst);
		r->iters++;
		if (res == SS_NET_FWD_HOLD) {
			r->held++;
			continue;
		}
		if (res != 0) {
			r->other++;
			continue;
		}
		d = rte_pktmbuf_mtod(m, const uint8_t *);
		if (memcmp(d, flip_a.addr_bytes, 6) != 0 &&
				memcmp(d, flip_b.addr_bytes, 6) != 0)
			r->torn++;
	}
	rte_pktmbuf_free(m);
	return NULL;
}

START_TEST(test_concurrent_update)
{
	static const struct rte_ether_addr bcast = {{ 0xff, 0xff, 0xff, 0xff,
		0xff, 0xff }};
	static const struct rte_ether_addr zero;
	struct reader r;
	pthread_t th;
	uint8_t f[64];
	unsigned int i;
	size_t len;

	/* The entry exists (a request to us creates it). */
	len = arp_frame(f, &bcast, 1, &flip_a, "192.0.2.40", &zero,
		"192.0.2.1");
	ck_assert_int_eq(ss_net_ctl_input(mk(f, len), 0, &st), 0);
	tx_clear();
	memset(&r, 0, sizeof(r));
	ck_assert_int_eq(pthread_create(&th, NULL, reader_main, &r), 0);
	/* Gratuitous ARP flipping the MAC: every byte differs. */
	for (i = 0; i < 20000; i++) {
		len = arp_frame(f, &bcast, 1, (i & 1) ? &flip_a : &flip_b,
			"192.0.2.40", &zero, "192.0.2.40");
		ck_assert_int_eq(ss_net_ctl_input(mk(f, len), 0, &st), 0);
	}
	r.stop = true;
	pthread_join(th, NULL);
	ck_assert_uint_gt(r.iters, 0);
	ck_assert_uint_eq(r.torn, 0);
	ck_assert_uint_eq(r.held, 0);
	ck_assert_uint_eq(r.other, 0);
	ck_assert_uint_ge(st.learned, 20000);
}
END_TEST

/* ---- set-up and walks ----------------------------------------------------- */

static int
count_cb(const struct ss_net_route_info *r, void *arg)
{
	unsigned int *c = arg;

	if (strcmp(r->type, "connected") == 0)
		c[0]++;
	else if (strcmp(r->type, "static") == 0 && r->has_via)
		c[1]++;
	return 0;
}

START_TEST(test_init_walks)
{
	const struct rte_ether_addr macs[2] = { mac0, mac1 };
	unsigned int c[2] = { 0, 0 };
	struct ss_ipaddr a;
	struct ss_net_stats s1, s2;
	uint8_t port;

	ck_assert_int_eq(ss_net_route_walk(count_cb, c), 0);
	ck_assert_uint_eq(c[0], 4);
	ck_assert_uint_eq(c[1], 4);
	ck_assert_int_eq(ss_net_init(&cfg, port_ids, macs, SOCKET_ID_ANY),
		-EBUSY);
	ck_assert_uint_eq(ss_net_port_id(1), 11);
	ipa(&a, "198.51.100.1");
	ck_assert(ss_net_is_local(&a, &port));
	ck_assert_uint_eq(port, 1);
	ipa(&a, "fe80::ff:fe00:2");
	ck_assert(ss_net_is_local(&a, &port));
	ck_assert_uint_eq(port, 1);
	ipa(&a, "198.51.100.2");
	ck_assert(!ss_net_is_local(&a, NULL));
	ck_assert_str_eq(neigh_state("2001:db8:2::fe", NULL, NULL), "static");

	/* the same prefix twice is refused */
	ss_net_fini();
	cfg.routes[4] = cfg.routes[0];
	cfg.nb_routes = 5;
	ck_assert_int_eq(ss_net_init(&cfg, port_ids, macs, SOCKET_ID_ANY),
		-EINVAL);
	cfg.nb_routes = 4;
	net_up();

	memset(&s1, 0, sizeof(s1));
	memset(&s2, 0, sizeof(s2));
	s1.drop[SS_NET_DROP_MTU] = 2;
	s1.ctl_ignored = 5;
	s2.drop[SS_NET_DROP_MTU] = 3;
	s2.ctl_ignored = 1;
	s2.punted = 7;
	ss_net_stats_add(&s1, &s2);
	ck_assert_uint_eq(s1.drop[SS_NET_DROP_MTU], 5);
	ck_assert_uint_eq(s1.ctl_ignored, 6);
	ck_assert_uint_eq(s1.punted, 7);
	for (port = 0; port < SS_NET_DROP_MAX; port++)
		ck_assert_ptr_nonnull(ss_net_drop_names[port]);
}
END_TEST

static Suite *
net_suite(void)
{
	Suite *s = suite_create("net");
	TCase *tc = tcase_create("net");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_classify_classes);
	tcase_add_test(tc, test_classify_padding_ext);
	tcase_add_test(tc, test_classify_drops);
	tcase_add_test(tc, test_classify_ip4_edges);
	tcase_add_test(tc, test_classify_ip4_checked);
	tcase_add_test(tc, test_classify_v4_filter_collisions);
	tcase_add_test(tc, test_classify_fast_same_as_slow);
	tcase_add_test(tc, test_classify_burst_pairs);
	tcase_add_test(tc, test_arp_reply);
	tcase_add_test(tc, test_announce);
	tcase_add_test(tc, test_route_lpm);
	tcase_add_test(tc, test_route_runs);
	tcase_add_test(tc, test_route_one_nh);
	tcase_add_test(tc, test_ttl);
	tcase_add_test(tc, test_output_l3);
	tcase_add_test(tc, test_mtu);
	tcase_add_test(tc, test_hold_release);
	tcase_add_test(tc, test_hold_full_timeout);
	tcase_add_test(tc, test_stale);
	tcase_add_test(tc, test_ns_na);
	tcase_add_test(tc, test_nd_resolve);
	tcase_add_test(tc, test_via_slot);
	tcase_add_test(tc, test_echo4);
	tcase_add_test(tc, test_echo_fragmented);
	tcase_add_test(tc, test_fragment_ip4_options);
	tcase_add_test(tc, test_fragment_ip6_ext);
	tcase_add_test(tc, test_reasm);
	tcase_add_test(tc, test_reasm_shed);
	tcase_add_test(tc, test_echo6);
	tcase_add_test(tc, test_concurrent_update);
	tcase_add_test(tc, test_init_walks);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr;
	int failed;

	ss_test_eal_init(NULL);
	sr = srunner_create(net_suite());
	srunner_set_fork_status(sr, CK_NOFORK);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
