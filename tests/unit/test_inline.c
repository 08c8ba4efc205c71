/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 shardsec authors
 */

/* The "inline" back-end (drivers/inline) through lib/esp's real packet
 * path, on a net_ring port whose transmissions come back as receptions
 * and to which the software inline NIC (drivers/swnic/ss_swnic_sec.h) is
 * attached: outbound, lib/esp (rte_ipsec INLINE_CRYPTO) frames and flags
 * the packet and the NIC's transmit encrypts it; inbound, the NIC's
 * receive decrypts and flags, and lib/esp checks and strips. The wire
 * format is checked against the ipsec-mb back-end both ways (its output
 * decrypted inline, inline output decrypted by it); tampered, replayed
 * and never-offloaded packets are counted; SAs the NIC cannot take are
 * refused with the reason. */

#include <errno.h>
#include <string.h>

#include <check.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_ring.h>
#include <rte_security.h>

#include "ss_test.h"
#include "ss_test_esp.h"
#include "ss_sa.h"
#include "ss_esp.h"
#include "ss_crypto.h"
#include "ss_inline.h"
#include "ss_swnic_sec.h"

static struct rte_mempool *mp;
static uint16_t port;		/* tx comes back as rx */
static uint16_t bare;		/* a ring port without a security context */
static struct ss_swnic_sec *nic;

#define SPI0(x) (0x10000000u | (x))

struct combo {
	enum ss_sa_algo algo;
	enum ss_sa_mode mode;
	uint8_t ofam, ifam;
	bool udp;
	enum ss_sa_backend out_be, in_be;
};

#define mkdb() ss_test_esp_db(NULL)
#define addr(a, fam, host) ss_test_esp_addr(a, fam, host)
#define mk_inner(fam, trs, plen, seed) \
	ss_test_esp_inner(mp, fam, trs, plen, seed)

static void
params(struct ss_sa_params *p, const struct combo *c, uint32_t spi,
	enum ss_sa_dir dir)
{
	unsigned int i;

	memset(p, 0, sizeof(*p));
	p->spi = spi;
	p->dir = dir;
	p->algo = c->algo;
	p->mode = c->mode;
	p->backend = dir == SS_SA_DIR_OUT ? c->out_be : c->in_be;
	p->inner_family = c->ifam;
	p->udp_encap = c->udp;
	p->key_len = ss_sa_algo_key_len(c->algo);
	for (i = 0; i < p->key_len; i++)
		p->key[i] = (uint8_t)(0x5a ^ (i * 7) ^ spi);
	/* loopback: the outbound SA sends 1 -> 2, the inbound one is 2's */
	addr(&p->local, c->ofam, dir == SS_SA_DIR_OUT ? 1 : 2);
	addr(&p->peer, c->ofam, dir == SS_SA_DIR_OUT ? 2 : 1);
	if (c->udp) {
		p->encap_local_port = 4500;
		p->encap_peer_port = 4500;
	}
}

/* An ESP packet (at L3) onto the wire and back: Ethernet in front, the
 * NIC's transmit, the ring, the NIC's receive, Ethernet off again, as
 * lib/net leaves it for lib/esp. NULL when the NIC dropped it. */
static struct rte_mbuf *
wire(struct rte_mbuf *m)
{
	struct rte_ether_hdr *eh;
	struct rte_mbuf *r[4];
	uint16_t n;

	eh = (struct rte_ether_hdr *)rte_pktmbuf_prepend(m, sizeof(*eh));
	ck_assert_ptr_nonnull(eh);
	memset(eh, 0, sizeof(*eh));
	eh->ether_type = rte_cpu_to_be_16((rte_pktmbuf_mtod_offset(m,
		const uint8_t *, sizeof(*eh))[0] >> 4) == 4 ?
		RTE_ETHER_TYPE_IPV4 : RTE_ETHER_TYPE_IPV6);
	m->l2_len = sizeof(*eh);
	if (rte_eth_tx_burst(port, 0, &m, 1) != 1)
		return NULL;
	n = rte_eth_rx_burst(port, 0, r, RTE_DIM(r));
	if (n == 0)
		return NULL;
	ck_assert_uint_eq(n, 1);
	rte_pktmbuf_adj(r[0], sizeof(*eh));
	r[0]->l2_len = 0;
	return r[0];
}

static struct rte_mbuf *
enc1(struct ss_esp_server *s, struct rte_mbuf *m)
{
	struct rte_mbuf *out[1];
	uint32_t t = 0;

	if (ss_esp_outbound_burst(s, &m, 1, &t, out, NULL) != 1)
		return NULL;
	return out[0];
}

static struct rte_mbuf *
dec1(struct ss_esp_server *s, struct rte_mbuf *m)
{
	struct rte_mbuf *out[1];

	if (ss_esp_inbound_burst(s, &m, 1, out, NULL) != 1)
		return NULL;
	return out[0];
}

static uint64_t
drops(const struct ss_esp_server *s, enum ss_sa_drop r)
{
	struct ss_esp_stats st;

	ss_esp_server_stats(s, &st);
	return st.drops[r];
}

/* The server's non-zero drop counters, for failure messages. */
static const char *
drop_list(const struct ss_esp_server *s)
{
	static char b[512];
	struct ss_esp_stats st;
	size_t o = 0;
	unsigned int i;

	ss_esp_server_stats(s, &st);
	b[0] = '\0';
	for (i = 0; i < SS_SA_DROP_MAX && o < sizeof(b); i++)
		if (st.drops[i] != 0)
			o += (size_t)snprintf(b + o, sizeof(b) - o, " %s=%lu",
				ss_sa_drop_name((enum ss_sa_drop)i),
				(unsigned long)st.drops[i]);
	return b;
}

static struct ss_swnic_sec_stats
nic_stats(void)
{
	struct ss_swnic_sec_stats st;

	ss_swnic_sec_stats_get(nic, &st);
	return st;
}

/* Packets of several sizes through outbound, the wire and inbound: each
 * comes back as it went in, and the NIC did the crypto of each side
 * that is inline. */
static void
round_trip(const struct combo *c)
{
	static const uint16_t sizes[] = { 0, 1, 15, 16, 100, 1000 };
	const bool trs = c->mode == SS_SA_MODE_TRANSPORT;
	struct ss_sa_db *db = mkdb();
	struct ss_esp_server *srv = ss_esp_server_create(db, 0,
		SOCKET_ID_ANY);
	struct ss_swnic_sec_stats a, b;
	struct ss_sa_params p;
	struct ss_sa *o, *in;
	unsigned int i;

	ck_assert_ptr_nonnull(srv);
	params(&p, c, SPI0(0x77), SS_SA_DIR_OUT);
	ck_assert_msg(ss_sa_add(db, &p, &o) == 0, "out: %s",
		ss_sa_db_errstr(db));
	params(&p, c, SPI0(0x77), SS_SA_DIR_IN);
	ck_assert_msg(ss_sa_add(db, &p, &in) == 0, "in: %s",
		ss_sa_db_errstr(db));
	a = nic_stats();
	for (i = 0; i < RTE_DIM(sizes); i++) {
		struct rte_mbuf *m = mk_inner(c->ifam, trs, sizes[i],
			(uint8_t)i);
		struct rte_mbuf *ref = rte_pktmbuf_copy(m, mp, 0, UINT32_MAX);
		struct rte_mbuf *e, *d;

		e = enc1(srv, m);
		ck_assert_msg(e != NULL, "%s mode %d fam %d/%d udp %d: "
			"outbound dropped", ss_sa_algo_name(c->algo), c->mode,
			c->ofam, c->ifam, c->udp);
		ck_assert_uint_eq(!!(e->ol_flags & RTE_MBUF_F_TX_SEC_OFFLOAD),
			c->out_be == SS_SA_BACKEND_INLINE);
		e = wire(e);
		ck_assert_msg(e != NULL, "the NIC dropped it on transmit");
		ck_assert_uint_eq(!!(e->ol_flags & RTE_MBUF_F_RX_SEC_OFFLOAD),
			c->in_be == SS_SA_BACKEND_INLINE);
		ck_assert(!(e->ol_flags & RTE_MBUF_F_RX_SEC_OFFLOAD_FAILED));
		if (c->udp && c->ofam == AF_INET6 &&
				c->in_be != SS_SA_BACKEND_INLINE) {
			/* still the ciphertext: the NIC's UDP checksum (IPv6
			 * forbids 0) covers what went on the wire */
			const struct rte_ipv6_hdr *h = rte_pktmbuf_mtod(e,
				const struct rte_ipv6_hdr *);

			ck_assert_uint_eq(h->proto, IPPROTO_UDP);
			ck_assert_int_eq(rte_ipv6_udptcp_cksum_verify(h,
				h + 1), 0);
		}
		d = dec1(srv, e);
		ck_assert_msg(d != NULL, "%s mode %d fam %d/%d udp %d size "
			"%u: inbound dropped:%s", ss_sa_algo_name(c->algo),
			c->mode, c->ofam, c->ifam, c->udp, sizes[i],
			drop_list(srv));
		ck_assert_uint_eq(rte_pktmbuf_pkt_len(d),
			rte_pktmbuf_pkt_len(ref));
		ck_assert_msg(memcmp(rte_pktmbuf_mtod(d, void *),
			rte_pktmbuf_mtod(ref, void *),
			rte_pktmbuf_pkt_len(ref)) == 0, "round trip differs");
		rte_pktmbuf_free(d);
		rte_pktmbuf_free(ref);
	}
	b = nic_stats();
	ck_assert_uint_eq(b.tx_encrypted - a.tx_encrypted,
		c->out_be == SS_SA_BACKEND_INLINE ? RTE_DIM(sizes) : 0);
	ck_assert_uint_eq(b.rx_decrypted - a.rx_decrypted,
		c->in_be == SS_SA_BACKEND_INLINE ? RTE_DIM(sizes) : 0);
	ck_assert_uint_eq(o->st.packets, RTE_DIM(sizes));
	ck_assert_uint_eq(in->st.packets, RTE_DIM(sizes));
	ck_assert_uint_eq(in->st.replay_top, RTE_DIM(sizes));
	ss_esp_server_free(srv);
	ss_sa_db_free(db);
	b = nic_stats();
	ck_assert_uint_eq(b.sessions_egress + b.sessions_ingress, 0);
}

START_TEST(test_round_trip)
{
	static const uint8_t fams[4][2] = {
		{ AF_INET, AF_INET }, { AF_INET6, AF_INET6 },
		{ AF_INET6, AF_INET }, { AF_INET, AF_INET6 },
	};
	/* inline both ways, then against ipsec-mb each way: the NIC's
	 * ESP is the standard's */
	static const enum ss_sa_backend bes[3][2] = {
		{ SS_SA_BACKEND_INLINE, SS_SA_BACKEND_INLINE },
		{ SS_SA_BACKEND_INLINE, SS_SA_BACKEND_IPSEC_MB },
		{ SS_SA_BACKEND_IPSEC_MB, SS_SA_BACKEND_INLINE },
	};
	struct combo c;
	unsigned int a, mode, f, be, udp, n = 0;

	memset(&c, 0, sizeof(c));
	for (a = 0; a < SS_SA_ALGO_MAX; a++)
	for (mode = 0; mode < 2; mode++)
	for (f = 0; f < 4; f++)
	for (udp = 0; udp < 2; udp++)
	for (be = 0; be < RTE_DIM(bes); be++) {
		if (mode == SS_SA_MODE_TRANSPORT && fams[f][0] != fams[f][1])
			continue;
		c.algo = (enum ss_sa_algo)a;
		c.mode = (enum ss_sa_mode)mode;
		c.ofam = fams[f][0];
		c.ifam = fams[f][1];
		c.udp = udp;
		c.out_be = bes[be][0];
		c.in_be = bes[be][1];
		round_trip(&c);
		n++;
	}
	ck_assert_uint_eq(n, SS_SA_ALGO_MAX * (4 + 2) * 2 * RTE_DIM(bes));
}
END_TEST

/* Tampered and replayed packets of an inline inbound SA: each dropped
 * under its own reason, nothing else affected; packets the NIC did not
 * decrypt are decrypted in software. */
START_TEST(test_bad_inbound)
{
	const struct combo c = { SS_SA_ALGO_AES_GCM_128, SS_SA_MODE_TUNNEL,
		AF_INET, AF_INET, false, SS_SA_BACKEND_IPSEC_MB,
		SS_SA_BACKEND_INLINE };
	struct ss_sa_db *db = mkdb();
	struct ss_esp_server *srv = ss_esp_server_create(db, 0,
		SOCKET_ID_ANY);
	struct ss_swnic_sec_stats a, b;
	struct rte_mbuf *e, *dup, *d, *ref;
	struct ss_esp_stats es;
	struct ss_sa_params p;
	struct ss_sa *in;

	ck_assert_ptr_nonnull(srv);
	params(&p, &c, SPI0(0x99), SS_SA_DIR_OUT);
	ck_assert_int_eq(ss_sa_add(db, &p, NULL), 0);
	params(&p, &c, SPI0(0x99), SS_SA_DIR_IN);
	ck_assert_int_eq(ss_sa_add(db, &p, &in), 0);
	a = nic_stats();

	/* a flipped ciphertext byte: the NIC fails it, lib/esp counts it */
	e = enc1(srv, mk_inner(AF_INET, false, 64, 1));
	ck_assert_ptr_nonnull(e);
	rte_pktmbuf_mtod_offset(e, uint8_t *, 20 + 8 + 8 + 10)[0] ^= 0x40;
	e = wire(e);
	ck_assert_ptr_nonnull(e);
	ck_assert(e->ol_flags & RTE_MBUF_F_RX_SEC_OFFLOAD_FAILED);
	ck_assert_ptr_null(dec1(srv, e));
	ck_assert_uint_eq(drops(srv, SS_SA_DROP_AUTH_FAILED), 1);

	/* the same packet twice: the NIC decrypts both (it keeps no
	 * window), lib/esp's window refuses the second */
	e = enc1(srv, mk_inner(AF_INET, false, 64, 2));
	ck_assert_ptr_nonnull(e);
	dup = rte_pktmbuf_copy(e, mp, 0, UINT32_MAX);
	ck_assert_ptr_nonnull(dup);
	d = dec1(srv, wire(e));
	ck_assert_ptr_nonnull(d);
	rte_pktmbuf_free(d);
	ck_assert_ptr_null(dec1(srv, wire(dup)));
	ck_assert_uint_eq(drops(srv, SS_SA_DROP_REPLAY), 1);

	/* ones the NIC never saw (held while it had no session yet, say):
	 * decrypted in software, and a tampered one refused there */
	ref = mk_inner(AF_INET, false, 64, 3);
	e = enc1(srv, rte_pktmbuf_copy(ref, mp, 0, UINT32_MAX));
	ck_assert_ptr_nonnull(e);
	d = dec1(srv, e);
	ck_assert_ptr_nonnull(d);
	ck_assert_uint_eq(rte_pktmbuf_pkt_len(d), rte_pktmbuf_pkt_len(ref));
	ck_assert(memcmp(rte_pktmbuf_mtod(d, void *),
		rte_pktmbuf_mtod(ref, void *), rte_pktmbuf_pkt_len(ref)) == 0);
	rte_pktmbuf_free(d);
	rte_pktmbuf_free(ref);
	e = enc1(srv, mk_inner(AF_INET, false, 64, 4));
	ck_assert_ptr_nonnull(e);
	rte_pktmbuf_mtod_offset(e, uint8_t *, 20 + 8 + 8 + 10)[0] ^= 0x40;
	ck_assert_ptr_null(dec1(srv, e));
	ss_esp_server_stats(srv, &es);
	ck_assert_uint_eq(es.in_soft, 1);

	b = nic_stats();
	ck_assert_uint_eq(b.rx_auth_failed - a.rx_auth_failed, 1);
	ck_assert_uint_eq(b.rx_decrypted - a.rx_decrypted, 2);
	ck_assert_uint_eq(in->st.packets, 2);
	ck_assert_uint_eq(in->st.drops[SS_SA_DROP_AUTH_FAILED], 2);
	ck_assert_uint_eq(in->st.drops[SS_SA_DROP_REPLAY], 1);
	ck_assert_uint_eq(in->st.drops[SS_SA_DROP_NOT_OFFLOADED], 0);
	ss_esp_server_free(srv);
	ss_sa_db_free(db);
}
END_TEST

/* SAs the NIC cannot take are refused with what it lacks; a port
 * without a security context cannot run the back-end at all. */
START_TEST(test_refusals)
{
	struct combo c = { SS_SA_ALGO_AES_GCM_128, SS_SA_MODE_TUNNEL,
		AF_INET, AF_INET, false, SS_SA_BACKEND_INLINE,
		SS_SA_BACKEND_INLINE };
	struct ss_inline_conf ic;
	struct ss_inline_stats st0, st1;
	struct ss_sa_db *db = mkdb();
	struct ss_sa_params p;
	char err[256];

	ss_inline_stats_get(&st0);
	params(&p, &c, SPI0(0x55), SS_SA_DIR_OUT);
	p.esn = true;
	ck_assert_int_eq(ss_sa_add(db, &p, NULL), -ENOTSUP);
	ck_assert_ptr_nonnull(strstr(ss_sa_db_errstr(db),
		"cannot do extended sequence numbers"));
	ss_inline_stats_get(&st1);
	ck_assert_uint_eq(st1.refused - st0.refused, 1);
	ck_assert_uint_eq(st1.sessions, st0.sessions);
	ss_sa_db_free(db);

	memset(&ic, 0, sizeof(ic));
	ic.port_id = bare;
	ic.max_sessions = 16;
	ic.socket = SOCKET_ID_ANY;
	err[0] = '\0';
	/* already running on the looped port */
	ck_assert_int_eq(ss_inline_init(&ic, err, sizeof(err)), -EALREADY);
	ss_inline_fini();
	ck_assert(!ss_inline_active());
	ck_assert_int_eq(ss_inline_init(&ic, err, sizeof(err)), -ENOTSUP);
	ck_assert_ptr_nonnull(strstr(err, "has no rte_security context"));
	/* and the slot says so when the back-end is not running */
	db = mkdb();
	params(&p, &c, SPI0(0x56), SS_SA_DIR_OUT);
	ck_assert_int_eq(ss_sa_add(db, &p, NULL), -ENOTSUP);
	ck_assert_ptr_nonnull(strstr(ss_sa_db_errstr(db), "drivers/inline"));
	ss_sa_db_free(db);
	ic.port_id = port;
	ic.ctx = ss_swnic_sec_ctx(nic);
	ck_assert_msg(ss_inline_init(&ic, err, sizeof(err)) == 0, "%s", err);
}
END_TEST

static Suite *
inline_suite(void)
{
	Suite *s = suite_create("inline");
	TCase *tc = tcase_create("inline");

	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, test_round_trip);
	tcase_add_test(tc, test_bad_inbound);
	tcase_add_test(tc, test_refusals);
	suite_add_tcase(s, tc);
	return s;
}

/* A net_ring port whose tx ring is its rx ring; -1 with a line on
 * stderr when it cannot be made (main runs outside the tests). */
static int
ring_port(const char *name)
{
	struct rte_ring *r = rte_ring_create(name, 64, SOCKET_ID_ANY, 0);
	struct rte_eth_conf conf;
	int p, rc = -1;

	if (r == NULL)
		goto fail;
	p = rte_eth_from_rings(name, &r, 1, &r, 1, SOCKET_ID_ANY);
	if (p < 0)
		goto fail;
	memset(&conf, 0, sizeof(conf));
	if (rte_eth_dev_configure((uint16_t)p, 1, 1, &conf) != 0 ||
			rte_eth_rx_queue_setup((uint16_t)p, 0, 64,
				SOCKET_ID_ANY, NULL, mp) != 0 ||
			rte_eth_tx_queue_setup((uint16_t)p, 0, 64,
				SOCKET_ID_ANY, NULL) != 0 ||
			rte_eth_dev_start((uint16_t)p) != 0)
		goto fail;
	rc = p;
fail:
	if (rc < 0)
		fprintf(stderr, "ring port %s: %s\n", name,
			rte_strerror(rte_errno));
	return rc;
}

int
main(void)
{
	struct ss_swnic_sec_conf nc;
	struct ss_inline_conf ic;
	char err[256];
	SRunner *sr;
	int failed, rc;

	ss_test_eal_init(NULL);
	mp = ss_test_pool(4095);
	if (ss_esp_crypto_init(SOCKET_ID_ANY, 2) != 0) {
		fprintf(stderr, "crypto init failed\n");
		return 1;
	}
	rc = ring_port("loop");
	if (rc < 0)
		return 1;
	port = (uint16_t)rc;
	rc = ring_port("bare");
	if (rc < 0)
		return 1;
	bare = (uint16_t)rc;
	memset(&nc, 0, sizeof(nc));
	nc.max_sessions = 64;
	nc.socket = SOCKET_ID_ANY;
	nc.gcm_dev = ss_crypto_dev_gcm();
	nc.mb_dev = ss_crypto_dev_mb();
	nic = ss_swnic_sec_create(&nc);
	if (nic == NULL || ss_swnic_sec_attach(nic, port) != 0) {
		fprintf(stderr, "software inline NIC: %s\n",
			rte_strerror(rte_errno));
		return 1;
	}
	memset(&ic, 0, sizeof(ic));
	ic.port_id = port;
	ic.ctx = ss_swnic_sec_ctx(nic);
	ic.max_sessions = 64;
	ic.socket = SOCKET_ID_ANY;
	if (ss_inline_init(&ic, err, sizeof(err)) != 0) {
		fprintf(stderr, "inline: %s\n", err);
		return 1;
	}
	sr = srunner_create(inline_suite());
	srunner_set_fork_status(sr, CK_NOFORK);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	ss_inline_fini();
	ss_swnic_sec_free(nic);
	rte_eth_dev_stop(port);
	rte_eth_dev_stop(bare);
	ss_esp_crypto_fini();
	return failed == 0 ? 0 : 1;
}
